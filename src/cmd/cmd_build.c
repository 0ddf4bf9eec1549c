#include "build.h"
#include "cmdflags.h"
#include "commands.h"
#include "err.h"
#include "strbuf.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char build_help[] =
    "Build a set of KRM resources using a 'kustomization.yaml' file. The DIR argument must be a path to a\n"
    "directory containing 'kustomization.yaml'. If DIR is omitted, '.' is assumed.\n"
    "The output is byte-identical to 'kustomize build' (" "v5.5.0" ") unless the build holds Plugin\n"
    "resources (expanded into their objects) or an image rewrite is asked for.\n\n"
    "Examples:\n"
    "  # Build the current working directory\n"
    "  kgrender build\n\n"
    "  # Build some shared configuration directory\n"
    "  kgrender build /home/config/production\n\n"
    "Usage:\n  kgrender build DIR [flags]\n\n"
    "Flags:\n"
    "  -h, --help                        help for build\n"
    "  -o, --output string               If specified, write output to this path (atomically).\n";

static int write_output(const char *output, const strbuf *out)
{
    if (output) {
        if (write_file_atomic(output, out->buf, out->len) < 0) {
            fprintf(stderr, "Error: writing %s: %s\n", output, strerror(errno));
            return 1;
        }
    } else if ((out->len && fwrite(out->buf, 1, out->len, stdout) != out->len) || fflush(stdout) != 0) {
        /* (empty output leaves out.buf NULL, which fwrite must not get) */
        fprintf(stderr, "Error: writing output: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}

int cmd_build(int argc, char **argv)
{
    render_flags rf = {0};
    const char *dir = NULL, *output = NULL, *v;
    int rc = 0, r;
    for (int i = 1; i < argc && rc == 0; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(build_help, stdout);
            render_flags_help(stdout);
            render_flags_free(&rf);
            return 0;
        } else if ((r = render_flag(argc, argv, &i, &rf))) {
            if (r < 0) rc = 1;
        } else if ((v = cmd_flag_value(argc, argv, &i, "--output")) || (v = cmd_flag_value(argc, argv, &i, "-o"))) {
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
    if (rc == 0) {
        render_flags_ready(&rf);
        strbuf out = STRBUF_INIT;
        if (build_run(dir ? dir : ".", &rf.opt, &out) < 0) {
            fprintf(stderr, "Error: %s\n", err_msg());
            rc = 1;
        } else {
            rc = write_output(output, &out);
        }
        sb_release(&out);
    }
    render_flags_free(&rf);
    return rc;
}
