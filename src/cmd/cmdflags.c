#include "cmdflags.h"
#include <stdio.h>
#include <string.h>

const char build_flags_help[] =
    "      --enable-helm                 Enable use of the Helm chart inflator generator.\n"
    "      --helm-command string         helm command (path to executable) (default \"helm\")\n"
    "      --load-restrictor string      if set to 'LoadRestrictionsNone', local kustomizations may load files\n"
    "                                    from outside their root. (default \"LoadRestrictionsRootOnly\")\n";

const char *cmd_flag_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=') return argv[*i] + n + 1;
    if (!strcmp(argv[*i], name) && *i + 1 < argc) return argv[++*i];
    return NULL;
}

int build_flag(int argc, char **argv, int *i, build_options *o)
{
    const char *v;
    if ((v = cmd_flag_value(argc, argv, i, "--load-restrictor"))) {
        if (!strcmp(v, "LoadRestrictionsNone")) o->load_restrict_none = 1;
        else if (strcmp(v, "LoadRestrictionsRootOnly")) {
            fprintf(stderr, "error: illegal flag value --load-restrictor %s\n", v);
            return -1;
        }
        return 1;
    }
    if ((v = cmd_flag_value(argc, argv, i, "--helm-command"))) {
        o->helm_command = v;
        return 1;
    }
    if (!strcmp(argv[*i], "--enable-helm")) {
        o->enable_helm = 1;
        return 1;
    }
    return 0;
}
