/* The plugin flags of the command line, shared by `build`, `plugins` (and,
 * later, `apply`): each subcommand offers every argument to plugin_flag. */
#include "plugins.h"
#include "remote.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char plugin_flags_help[] =
    "Plugin flags (Plugin resources, plugins.kubegems.io/v1beta1):\n"
    "      --keep-plugins                Print Plugin resources as they are instead of expanding them.\n"
    "      --set PLUGIN.KEY=VALUE        Set a value of one plugin (helm --set syntax; repeatable).\n"
    "      --set global.KEY=VALUE        Set a global value (every plugin's .Values.global.KEY).\n"
    "      --values PLUGIN=FILE          Merge a YAML values file into one plugin's values (repeatable).\n"
    "      --enable NAME, --disable NAME Switch a plugin on or off (repeatable; the last one wins).\n"
    "      --kube-version VERSION        Kubernetes version helm renders charts for (.Capabilities).\n"
    "      --api-versions LIST           Extra API versions for .Capabilities (comma-separated; repeatable).\n"
    "      --cache-dir DIR               Where downloaded plugin sources are kept (default $XDG_CACHE_HOME/kgrender).\n"
    "      --offline                     Use only cached plugin sources; never use the network.\n";

static const char missing[] = "";

/* The flag's value (--flag=V or --flag V); NULL when argv[*i] is another flag; missing when absent. */
static const char *value_of(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=') return argv[*i] + n + 1;
    if (!strcmp(argv[*i], name)) {
        if (*i + 1 < argc) return argv[++*i];
        fprintf(stderr, "error: flag needs an argument: %s\n", name);
        return missing;
    }
    return NULL;
}

static void push(const char ***v, size_t *n, const char *s)
{
    *v = realloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = s;
}

/* "+NAME" / "-NAME" for each comma-separated name. */
static void push_toggles(plugin_options *po, const char *list, char sign)
{
    for (const char *s = list; *s;) {
        size_t n = strcspn(s, ",");
        if (n) {
            char *t = malloc(n + 2);
            t[0] = sign;
            memcpy(t + 1, s, n);
            t[n + 1] = 0;
            push(&po->toggles, &po->ntoggles, t);
        }
        s += n + (s[n] == ',');
    }
}

static int bad(const char *flag, const char *v, const char *want)
{
    fprintf(stderr, "error: %s %s: expected %s\n", flag, v, want);
    return -1;
}

int plugin_flag(int argc, char **argv, int *i, plugin_options *po)
{
    const char *v;
    if (!strcmp(argv[*i], "--keep-plugins")) return po->keep = 1;
    if (!strcmp(argv[*i], "--offline")) return po->offline = remote_offline = 1;
    if ((v = value_of(argc, argv, i, "--set"))) {
        if (v != missing && (!strchr(v, '=') || !strchr(v, '.')))
            return bad("--set", v, "PLUGIN.KEY=VALUE or global.KEY=VALUE");
        push(&po->sets, &po->nsets, v);
    } else if ((v = value_of(argc, argv, i, "--values"))) {
        const char *eq = strchr(v, '=');
        if (v != missing && (!eq || eq == v || !eq[1])) return bad("--values", v, "PLUGIN=FILE");
        push(&po->values, &po->nvalues, v);
    } else if ((v = value_of(argc, argv, i, "--enable"))) {
        push_toggles(po, v, '+');
    } else if ((v = value_of(argc, argv, i, "--disable"))) {
        push_toggles(po, v, '-');
    } else if ((v = value_of(argc, argv, i, "--kube-version"))) {
        po->kube_version = v;
    } else if ((v = value_of(argc, argv, i, "--api-versions"))) {
        for (const char *s = v; *s;) {
            size_t n = strcspn(s, ",");
            if (n) push(&po->api_versions, &po->napi_versions, strndup(s, n));
            s += n + (s[n] == ',');
        }
    } else if ((v = value_of(argc, argv, i, "--cache-dir"))) {
        po->cache_dir = v;
        /* the one cache of the process: remote resources, git clones and plugin sources */
        if (v != missing) setenv("KGRENDER_CACHE", v, 1);
    } else {
        return 0;
    }
    return v == missing ? -1 : 1;
}

void plugin_options_free(plugin_options *po)
{
    for (size_t i = 0; i < po->ntoggles; i++) free((char *)po->toggles[i]);
    for (size_t i = 0; i < po->napi_versions; i++) free((char *)po->api_versions[i]);
    free(po->sets), free(po->values), free(po->toggles), free(po->api_versions);
    memset(po, 0, sizeof *po);
}
