/* kgrender: render kustomizations fast, byte-identical to kustomize. */
#include "commands.h"
#include "version.h"
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    {"apply", cmd_apply, "Render a kustomization (or read objects) and apply it to a cluster, in parallel"},
    {"controller", cmd_controller, "Reconcile Plugin resources in a cluster (install, upgrade, uninstall)"},
    {"build", cmd_build, "Render a kustomization directory to a YAML stream (like kustomize build)"},
    {"diff", cmd_diff, "Show what a configuration change does, object by object"},
    {"images", cmd_images, "List the container images a kustomization deploys"},
    {"mirror", cmd_mirror, "Copy a kustomization's images to a registry or a bundle (skopeo)"},
    {"pull", cmd_pull, "Fetch every remote source a build needs into the cache (for --offline)"},
    {"plugins", cmd_plugins, "List the Plugin resources of a kustomization in dependency order"},
    {"version", cmd_version, "Print the version information"},
    {"api-resources", cmd_api_resources, "Print the supported API resources on the server"},
};

static void usage(FILE *f)
{
    fputs("kgrender renders Kubernetes configuration kept as kustomizations.\n\n"
          "Usage:\n  kgrender [command] [flags]\n\nAvailable Commands:\n", f);
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fputs("\nFlags:\n  -h, --help   help for kgrender\n\n"
          "Use \"kgrender [command] --help\" for more information about a command.\n", f);
}

/* Every pass over a document recurses, and the loader allows yaml.v3's
 * 10000 levels of nesting: a sanitizer build's frames need more than the
 * usual 8 MB for that. Linux grows the main thread's stack up to the limit
 * current at the time, so raising the soft limit here is enough. */
static void raise_stack_limit(void)
{
    const rlim_t want = (rlim_t)64 << 20;
    struct rlimit rl;
    if (getrlimit(RLIMIT_STACK, &rl) || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want) return;
    rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want ? want : rl.rlim_max;
    setrlimit(RLIMIT_STACK, &rl);
}

int main(int argc, char **argv)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    raise_stack_limit();
    if (argc < 2) { /* like kubectl: no command prints the help */
        usage(stdout);
        return 0;
    }
    const char *name = argv[1];
    if (!strcmp(name, "-h") || !strcmp(name, "--help") || !strcmp(name, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(name, "--version")) name = "version";
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        if (!strcmp(commands[i].name, name)) return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "error: unknown command \"%s\" for \"kgrender\"\nRun 'kgrender --help' for usage.\n", name);
    return 1;
}
