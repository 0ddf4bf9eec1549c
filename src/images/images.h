/* Container images: references, where objects carry them, registry rewrites,
 * the image list, and mirroring with skopeo.
 *
 *   imageref.c     references by the distribution/reference grammar
 *   imagefind.c    where images are (src/data/image-fields.yaml, the
 *                  kustomization's `configurations` images specs, opt-in any
 *                  `image` field), with each use's object and field path
 *   imagerules.c   --registry / --image-repository / --registry-map and the
 *                  kustomization annotations that say the same; mirror names
 *   imagebuild.c   the pass after a build: rewrite, list (text, json, hauler, zarf)
 *   mirror.c       copying images with skopeo (registry or OCI bundle)
 *
 * Nothing here runs unless asked: without rewrite rules a build's output is
 * kustomize's, byte for byte. */
#ifndef KG_IMAGES_H
#define KG_IMAGES_H
#include "build.h"
#include "strbuf.h"
#include <stddef.h>

/* ---- references ---- */

/* A parsed reference: [domain/]path[:tag][@digest]. Strings live in the arena. */
typedef struct imageref {
    const char *domain; /* "" when none is written (imageref_parse only) */
    const char *path;   /* the repository path ("remote name"), never empty */
    const char *tag;    /* "" when none */
    const char *digest; /* "" when none; algorithm:hex */
} imageref;

/* reference.Parse: the reference exactly as written (no default domain).
 * On error: -1 with err_set("invalid image reference \"S\": REASON"). */
int imageref_parse(arena *a, const char *s, imageref *out);
/* reference.ParseNormalizedNamed: docker.io and library/ filled in as docker
 * does ("nginx" -> docker.io/library/nginx). */
int imageref_normalize(arena *a, const char *s, imageref *out);
/* domain/path (or path when domain is ""). */
const char *imageref_name(arena *a, const imageref *r);
/* domain/path[:tag][@digest]. */
const char *imageref_string(arena *a, const imageref *r);
/* The familiar form: docker.io/ and library/ dropped ("nginx:1.25"). */
const char *imageref_familiar(arena *a, const imageref *r);

/* ---- rewrite rules ---- */

#define IMAGE_MAX_MAPS 64
typedef struct image_map {
    const char *from; /* registry host, or host/path prefix */
    const char *to;   /* HOST[:PORT][/PREFIX] */
} image_map;

typedef struct image_rules {
    const char *registry;   /* --registry HOST[:PORT][/PREFIX] */
    const char *repository; /* --image-repository ORG */
    image_map maps[IMAGE_MAX_MAPS];
    size_t nmaps;           /* --registry-map FROM=TO, most specific wins */
    int any_field;          /* --any-image-field */
} image_rules;

/* Parses argv[*i] when it is one of the image flags (advancing *i past a
 * separate value). Returns 1 when consumed, 0 when not an image flag, -1 with
 * a message on stderr for a bad value. For every command that builds. */
int image_rules_flag(int argc, char **argv, int *i, image_rules *r);
/* The flags' help lines. */
extern const char image_rules_help[];
/* Settings from the top kustomization's metadata.annotations (kgrender.io/registry,
 * kgrender.io/image-repository, kgrender.io/registry-map, kgrender.io/any-image-field)
 * fill what the flags left unset; the flags' maps come first. */
int image_rules_merge_kustomization(arena *a, image_rules *r, const node *kustomization);
/* True when the rules change any image. */
int image_rules_rewrite(const image_rules *r);
/* The mirror name of a normalized reference (out = in when no rule applies;
 * an image already under its mirror is left alone). */
int image_mirror(arena *a, const image_rules *r, const imageref *in, imageref *out);

/* ---- finding images ---- */

typedef struct image_use {
    resource *r;
    const char *field;      /* "spec.template.spec.containers[0].image" */
    node **slot;            /* the scalar holding it */
    const char *arg_prefix; /* set when the image is in a command-line argument ("--flag=") */
    const char *original;   /* as written */
    const char *rewritten;  /* as written after the rewrite (== original without rules) */
    imageref ref;           /* original, normalized */
    imageref mirror;        /* after the rules, normalized */
    unsigned deployed : 1;  /* 0 for Helm test hooks, which are never installed */
} image_use;

typedef struct image_uses {
    image_use *v;
    size_t n, cap;
} image_uses;

/* Every image that objects in rm carry: the shipped field specs, extra
 * (a `configurations`-style images spec sequence, may be NULL) and, with
 * any_field, every string field named image. Invalid references are errors
 * naming the object and the field path. */
int images_find(arena *a, resmap *rm, const node *extra, int any_field, image_uses *out);
/* Applies the rules to every use: sets mirror/rewritten and rewrites the
 * objects in place. Warns when two images get the same mirror name. */
int images_rewrite(arena *a, const image_rules *r, image_uses *uses);

/* ---- after a build ---- */

enum images_format { IMAGES_TEXT, IMAGES_JSON, IMAGES_HAULER, IMAGES_ZARF };

/* What a command wants from the pass after the build (see build_options.post_build). */
typedef struct images_job {
    image_rules rules;
    int list;              /* 0: rewrite only (build); 1: write the list into out */
    int original;          /* list before the rewrite */
    enum images_format format;
    const char *name;      /* hauler/zarf metadata name */
    strbuf *out;
    /* mirror: every deployed image's source and destination, filled when set */
    struct mirror_plan *plan;
} images_job;

/* The build hook: k is the top kustomization, rm the final objects. */
int images_post_build(void *job, kust *k, resmap *rm);

/* ---- mirroring (mirror.c) ---- */

typedef struct mirror_item {
    const char *src; /* transport:reference for skopeo ("docker://docker.io/library/nginx:1.25") */
    const char *dst;
    const char *label; /* what the progress display and messages show */
    int src_insecure, dst_insecure;
} mirror_item;

typedef struct mirror_plan {
    arena *a;
    mirror_item *v;
    size_t n, cap;
    const char *to;            /* --to: registry, oci:DIR, DIR or oci-archive:PATH */
    const char *from;          /* --from BUNDLE */
    const char **insecure;     /* --insecure-registry values */
    size_t ninsecure;
    int jobs, retries, dry_run;
    image_rules rules;         /* for bundle pushes (no build) */
} mirror_plan;

/* Adds the copy of one image (normalized source, its mirror destination name). */
void mirror_plan_add(mirror_plan *p, const imageref *src, const imageref *dst);
/* Runs the plan: prints progress (on a tty) and the last line
 * "copied N, already there N, failed N"; returns the process exit status. */
int mirror_run(mirror_plan *p);

#endif
