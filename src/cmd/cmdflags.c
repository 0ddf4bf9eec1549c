#include "cmdflags.h"
#include <stdio.h>
#include <string.h>

static const char build_flags_help[] =
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

static int build_flag(int argc, char **argv, int *i, build_options *o)
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

int render_flag(int argc, char **argv, int *i, render_flags *rf)
{
    int r;
    if ((r = build_flag(argc, argv, i, &rf->opt))) return r;
    if ((r = image_rules_flag(argc, argv, i, &rf->images.rules))) return r;
    return plugin_flag(argc, argv, i, &rf->plugins);
}

void render_flags_ready(render_flags *rf)
{
    rf->opt.post_build = images_post_build;
    rf->opt.post_build_ctx = &rf->images;
    plugins_attach(&rf->opt, &rf->plugins);
}

void render_flags_free(render_flags *rf)
{
    plugin_options_free(&rf->plugins);
}

void render_flags_help(FILE *f)
{
    fputs(build_flags_help, f);
    fputs(image_rules_help, f);
    fputs(plugin_flags_help, f);
}
