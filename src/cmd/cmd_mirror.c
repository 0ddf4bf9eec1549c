/* kgrender mirror DIR --to REGISTRY|BUNDLE, kgrender mirror --from BUNDLE --to REGISTRY (src/images). */
#include "build.h"
#include "cmdflags.h"
#include "commands.h"
#include "err.h"
#include "images.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char mirror_help[] =
    "Copy every image that 'kgrender build DIR' deploys (the list of 'kgrender images DIR') to a registry,\n"
    "with skopeo: all architectures, digests preserved, no layers pulled to this machine. Images the\n"
    "destination already has (the same manifest digest) are skipped; transient failures are retried.\n"
    "Each image goes to its mirror name: --to REGISTRY acts as --registry, and --image-repository,\n"
    "--registry-map and the kustomization's kgrender.io/ annotations apply as in 'kgrender build'.\n"
    "An interrupted mirror leaves no half-pushed tag: run the same command again to finish.\n\n"
    "Usage:\n"
    "  kgrender mirror DIR --to HOST[:PORT][/PREFIX]     copy to a registry\n"
    "  kgrender mirror DIR --to oci-archive:PATH|DIR     write a bundle (one OCI layout, images under\n"
    "                                                    their source names)\n"
    "  kgrender mirror --from BUNDLE --to REGISTRY       push a bundle to the site's registry\n\n"
    "Flags:\n"
    "      --to string                   the destination (required)\n"
    "      --from string                 a bundle written by --to oci-archive:PATH or --to DIR\n"
    "      --jobs int                    copies at a time (default 4; bundles are written one at a time)\n"
    "      --retries int                 retries of a transient failure (default 3)\n"
    "      --dry-run                     print the plan, copy nothing\n"
    "      --source-map FROM=TO          read images under FROM (a registry, or registry/path) from TO (a\n"
    "                                    staging registry or pull-through cache); repeatable; the images\n"
    "                                    keep their names (mirror names, bundle names)\n"
    "      --insecure-registry HOST[:PORT]  no TLS verification (and plain HTTP) for this registry, as source\n"
    "                                    or destination; repeatable\n"
    "  -h, --help                        help for mirror\n"
    "Credentials: skopeo's usual auth file (REGISTRY_AUTH_FILE, when set, is passed as --authfile).\n";

static int int_flag(const char *name, const char *v, int *out)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || n < 0 || n > 64) {
        fprintf(stderr, "error: %s %s: a number from 0 to 64 expected\n", name, v);
        return -1;
    }
    *out = (int)n;
    return 0;
}

struct args {
    const char *dir, *to, *from;
};

static int parse(int argc, char **argv, struct args *a, render_flags *rf, mirror_plan *p)
{
    const char *v;
    int r;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(mirror_help, stdout);
            render_flags_help(stdout);
            return 1;
        } else if ((r = render_flag(argc, argv, &i, rf))) {
            if (r < 0) return -1;
        } else if ((v = cmd_flag_value(argc, argv, &i, "--to"))) {
            a->to = v;
        } else if ((v = cmd_flag_value(argc, argv, &i, "--from"))) {
            a->from = v;
        } else if ((v = cmd_flag_value(argc, argv, &i, "--jobs"))) {
            if (int_flag("--jobs", v, &p->jobs) < 0) return -1;
        } else if ((v = cmd_flag_value(argc, argv, &i, "--retries"))) {
            if (int_flag("--retries", v, &p->retries) < 0) return -1;
        } else if ((v = cmd_flag_value(argc, argv, &i, "--insecure-registry"))) {
            p->insecure = realloc(p->insecure, (p->ninsecure + 1) * sizeof *p->insecure);
            p->insecure[p->ninsecure++] = v;
        } else if ((v = cmd_flag_value(argc, argv, &i, "--source-map"))) {
            if (image_rules_add_map(&p->sources, "--source-map", (char *)v) < 0) {
                fprintf(stderr, "error: %s\n", err_msg());
                return -1;
            }
        } else if (!strcmp(argv[i], "--dry-run")) {
            p->dry_run = 1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "error: unknown flag: %s\nRun 'kgrender mirror --help' for usage.\n", argv[i]);
            return -1;
        } else if (a->dir) {
            fputs("error: specify one path to a kustomization directory\n", stderr);
            return -1;
        } else {
            a->dir = argv[i];
        }
    }
    if (!a->to) fputs("error: --to is required (a registry, oci-archive:PATH or a directory)\n", stderr);
    else if (a->from && a->dir) fputs("error: give either a kustomization directory or --from BUNDLE\n", stderr);
    else return 0;
    return -1;
}

/* Fills the plan: from the build's images, or from the bundle. */
static int plan(struct args *a, render_flags *rf, mirror_plan *p)
{
    images_job *job = &rf->images;
    if (mirror_set_dest(p, a->to, &job->rules) < 0) return -1;
    if (a->from) {
        if (p->dest != MIRROR_REGISTRY) return err_set("--from BUNDLE goes --to a registry");
        return mirror_open_bundle(p, a->from) < 0 ? -1 : mirror_plan_bundle(p, &job->rules);
    }
    strbuf ignored = STRBUF_INIT;
    render_flags_ready(rf);
    int rc = build_run(a->dir ? a->dir : ".", &rf->opt, &ignored);
    sb_release(&ignored);
    return rc;
}

int cmd_mirror(int argc, char **argv)
{
    mirror_plan p = {.a = arena_new(), .jobs = 4, .retries = 3};
    render_flags rf = {.images = {.plan = &p}, .opt = {.no_emit = 1}};
    struct args a = {0};
    int rc = parse(argc, argv, &a, &rf, &p);
    if (rc == 0) {
        if (plan(&a, &rf, &p) < 0) {
            fprintf(stderr, "Error: %s\n", err_msg());
            rc = 1;
        } else {
            rc = mirror_run(&p);
        }
    } else {
        rc = rc > 0 ? 0 : 1;
    }
    free(p.insecure);
    mirror_plan_free(&p);
    render_flags_free(&rf);
    return rc;
}
