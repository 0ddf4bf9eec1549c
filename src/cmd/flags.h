/* Flag parsing shared by subcommands: `apply DIR` takes every `build` flag,
 * so both read them through build_flag_parse. */
#ifndef KG_FLAGS_H
#define KG_FLAGS_H
#include "build.h"

/* The value of --name=value or --name value at argv[*i] (advancing *i past
 * a separate value); NULL when argv[*i] is not that flag. */
const char *flag_value(int argc, char **argv, int *i, const char *name);
/* Consumes a `build` flag at argv[*i] into opt: 1 consumed, 0 not a build
 * flag, -1 bad value (the message is printed). */
int build_flag_parse(int argc, char **argv, int *i, build_options *opt);
/* The build flags' lines for --help, in kubectl's layout. */
extern const char build_flags_help[];

#endif
