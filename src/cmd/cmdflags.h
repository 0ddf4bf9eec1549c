/* Flags shared by the commands that build (build, images, mirror; apply
 * later): the build's own options here, the image rewrite flags in
 * src/images (image_rules_flag). */
#ifndef KG_CMDFLAGS_H
#define KG_CMDFLAGS_H
#include "build.h"

/* --flag=value or --flag value; NULL when argv[*i] is not that flag. */
const char *cmd_flag_value(int argc, char **argv, int *i, const char *name);
/* --load-restrictor, --enable-helm, --helm-command. Returns 1 when consumed,
 * 0 when argv[*i] is not one of them, -1 (message printed) for a bad value. */
int build_flag(int argc, char **argv, int *i, build_options *o);
/* Their help lines. */
extern const char build_flags_help[];

#endif
