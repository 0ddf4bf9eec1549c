/* kgrender images DIR: the images a build deploys (src/images). */
#include "build.h"
#include "cmdflags.h"
#include "commands.h"
#include "err.h"
#include "images.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char images_help[] =
    "List the container images that 'kgrender build DIR' deploys: sorted, unique, after patches, Helm charts\n"
    "and registry rewrites (Helm test hooks are never installed and not listed). Images are found in every\n"
    "container list of every workload kind, in the custom resources of common operators\n"
    "(src/data/image-fields.yaml), and at the kustomization's `configurations` images field specs.\n\n"
    "Usage:\n  kgrender images DIR [flags]\n\n"
    "Flags:\n"
    "  -h, --help                        help for images\n"
    "      --original                    list the images as written, before the registry rewrite\n"
    "  -o, --output string               text (default), json (per image: the objects and fields that use it\n"
    "                                    and its mirror name), hauler (a content.hauler.cattle.io Images\n"
    "                                    manifest) or zarf (a zarf.yaml with an images component); hauler and\n"
    "                                    zarf name the source images, which those tools fetch themselves\n"
    "      --name string                 metadata.name of the hauler or zarf manifest (default kgrender-images)\n";

static int parse_format(const char *v, enum images_format *f)
{
    static const char *const names[] = {"text", "json", "hauler", "zarf"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(v, names[i])) {
            *f = (enum images_format)i;
            return 0;
        }
    fprintf(stderr, "error: unknown output format '%s' (text, json, hauler, zarf)\n", v);
    return -1;
}

int cmd_images(int argc, char **argv)
{
    strbuf out = STRBUF_INIT, ignored = STRBUF_INIT;
    render_flags rf = {.images = {.list = 1, .out = &out}, .opt = {.no_emit = 1}};
    images_job *job = &rf.images;
    const char *dir = NULL, *v;
    int r;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(images_help, stdout);
            render_flags_help(stdout);
            render_flags_free(&rf);
            return 0;
        } else if ((r = render_flag(argc, argv, &i, &rf))) {
            if (r < 0) return 1;
        } else if (!strcmp(argv[i], "--original")) {
            job->original = 1;
        } else if ((v = cmd_flag_value(argc, argv, &i, "--output")) || (v = cmd_flag_value(argc, argv, &i, "-o"))) {
            if (parse_format(v, &job->format) < 0) return 1;
        } else if ((v = cmd_flag_value(argc, argv, &i, "--name"))) {
            job->name = v;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "error: unknown flag: %s\nRun 'kgrender images --help' for usage.\n", argv[i]);
            return 1;
        } else if (dir) {
            fputs("error: specify one path to a kustomization directory\n", stderr);
            return 1;
        } else {
            dir = argv[i];
        }
    }
    int rc = 0;
    render_flags_ready(&rf);
    if (build_run(dir ? dir : ".", &rf.opt, &ignored) < 0) {
        fprintf(stderr, "Error: %s\n", err_msg());
        rc = 1;
    } else if ((out.len && fwrite(out.buf, 1, out.len, stdout) != out.len) || fflush(stdout) != 0) {
        fprintf(stderr, "Error: writing output: %s\n", strerror(errno));
        rc = 1;
    }
    sb_release(&out);
    sb_release(&ignored);
    render_flags_free(&rf);
    return rc;
}
