#include "build.h"
#include "cmdflags.h"
#include "commands.h"
#include "images.h"
#include "err.h"
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
    "  -h, --help                        help for build\n"
    "  -o, --output string               If specified, write output to this path (atomically).\n";

int cmd_build(int argc, char **argv)
{
    /* images_post_build rewrites images when flags or the kustomization's
     * annotations ask for it, and touches nothing otherwise. */
    images_job job = {0};
    build_options opt = {.post_build = images_post_build, .post_build_ctx = &job};
    const char *dir = NULL, *output = NULL, *v;
    int r;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(build_help, stdout);
            fputs(build_flags_help, stdout);
            fputs(image_rules_help, stdout);
            return 0;
        } else if ((r = build_flag(argc, argv, &i, &opt)) || (r = image_rules_flag(argc, argv, &i, &job.rules))) {
            if (r < 0) return 1;
        } else if ((v = cmd_flag_value(argc, argv, &i, "--output")) || (v = cmd_flag_value(argc, argv, &i, "-o"))) {
            output = v;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "error: unknown flag: %s\nRun 'kgrender build --help' for usage.\n", argv[i]);
            return 1;
        } else if (dir) {
            fputs("error: specify one path to a kustomization directory\n", stderr);
            return 1;
        } else {
            dir = argv[i];
        }
    }
    if (!dir) dir = ".";
    strbuf out = STRBUF_INIT;
    if (build_run(dir, &opt, &out) < 0) {
        fprintf(stderr, "Error: %s\n", err_msg());
        sb_release(&out);
        return 1;
    }
    int rc = 0;
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
    return rc;
}
