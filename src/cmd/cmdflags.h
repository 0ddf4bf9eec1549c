/* Flags shared by every command that renders (build, diff, images, mirror,
 * plugins, pull, apply): the build's own options, the image rewrite
 * (src/images) and Plugin expansion (src/plugins), parsed in one place. */
#ifndef KG_CMDFLAGS_H
#define KG_CMDFLAGS_H
#include <stdio.h>
#include "build.h"
#include "images.h"
#include "plugins.h"

typedef struct render_flags {
    build_options opt;
    images_job images;      /* commands may set list/plan/out before rendering */
    plugin_options plugins;
} render_flags;

/* --flag=value or --flag value; NULL when argv[*i] is not that flag. */
const char *cmd_flag_value(int argc, char **argv, int *i, const char *name);
/* Consumes a build, image or plugin flag at argv[*i]: 1; 0 when it is none
 * of them; -1 (message printed) for a bad value. */
int render_flag(int argc, char **argv, int *i, render_flags *rf);
/* Wires the image pass and Plugin expansion into rf->opt; call after parsing
 * (rf must outlive the build). */
void render_flags_ready(render_flags *rf);
void render_flags_free(render_flags *rf);
/* Every render flag's help lines. */
void render_flags_help(FILE *f);

#endif
