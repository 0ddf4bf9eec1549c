#include "build.h"
#include "commands.h"
#include "err.h"
#include "plugins.h"
#include "strbuf.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char build_help[] =
    "Build a set of KRM resources using a 'kustomization.yaml' file. The DIR argument must be a path to a\n"
    "directory containing 'kustomization.yaml'. If DIR is omitted, '.' is assumed.\n"
    "The output is byte-identical to 'kustomize build' (" "v5.5.0" ").\n\n"
    "Examples:\n"
    "  # Build the current working directory\n"
    "  kgrender build\n\n"
    "  # Build some shared configuration directory\n"
    "  kgrender build /home/config/production\n\n"
    "Usage:\n  kgrender build DIR [flags]\n\n"
    "Flags:\n"
    "      --enable-helm                 Enable use of the Helm chart inflator generator.\n"
    "      --helm-command string         helm command (path to executable) (default \"helm\")\n"
    "  -h, --help                        help for build\n"
    "      --load-restrictor string      if set to 'LoadRestrictionsNone', local kustomizations may load files\n"
    "                                    from outside their root. (default \"LoadRestrictionsRootOnly\")\n"
    "  -o, --output string               If specified, write output to this path (atomically).\n\n";

/* Accepts --flag=value and --flag value. */
static const char *flag_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=') return argv[*i] + n + 1;
    if (!strcmp(argv[*i], name) && *i + 1 < argc) return argv[++*i];
    return NULL;
}

int cmd_build(int argc, char **argv)
{
    build_options opt = {0};
    plugin_options po = {0};
    const char *dir = NULL, *output = NULL, *v;
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        int pf = plugin_flag(argc, argv, &i, &po);
        if (pf < 0) rc = 1;
        if (pf) continue;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(build_help, stdout);
            fputs(plugin_flags_help, stdout);
            plugin_options_free(&po);
            return 0;
        } else if ((v = flag_value(argc, argv, &i, "--load-restrictor"))) {
            if (!strcmp(v, "LoadRestrictionsNone")) opt.load_restrict_none = 1;
            else if (strcmp(v, "LoadRestrictionsRootOnly")) {
                fprintf(stderr, "error: illegal flag value --load-restrictor %s\n", v);
                rc = 1;
            }
        } else if ((v = flag_value(argc, argv, &i, "--helm-command"))) {
            opt.helm_command = v;
        } else if (!strcmp(argv[i], "--enable-helm")) {
            opt.enable_helm = 1;
        } else if ((v = flag_value(argc, argv, &i, "--output")) || (v = flag_value(argc, argv, &i, "-o"))) {
            output = v;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "error: unknown flag: %s\nRun 'kgrender build --help' for usage.\n", argv[i]);
            rc = 1;
        } else if (dir) {
            fputs("error: specify one path to a kustomization directory\n", stderr);
            rc = 1;
        } else {
            dir = argv[i];
        }
    }
    if (rc) {
        plugin_options_free(&po);
        return rc;
    }
    if (!dir) dir = ".";
    plugins_attach(&opt, &po);
    strbuf out = STRBUF_INIT;
    if (build_run(dir, &opt, &out) < 0) {
        fprintf(stderr, "Error: %s\n", err_msg());
        sb_release(&out);
        plugin_options_free(&po);
        return 1;
    }
    if (output) {
        if (write_file_atomic(output, out.buf, out.len) < 0) {
            fprintf(stderr, "Error: writing %s: %s\n", output, strerror(errno));
            rc = 1;
        }
    } else if ((out.len && fwrite(out.buf, 1, out.len, stdout) != out.len) || fflush(stdout) != 0) {
        /* (empty output leaves out.buf NULL, which fwrite must not get) */
        fprintf(stderr, "Error: writing output: %s\n", strerror(errno));
        rc = 1;
    }
    sb_release(&out);
    plugin_options_free(&po);
    return rc;
}
