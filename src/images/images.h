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
/* Adds FROM=TO (spec in writable memory) to r's maps; flag names it in errors. */
int image_rules_add_map(image_rules *r, const char *flag, char *spec);
/* The flags' help lines. */
extern const char image_rules_help[];
/* Settings from the top kustomization's metadata.annotations (kgrender.io/registry,
 * kgrender.io/image-repository, kgrender.io/registry-map, kgrender.io/any-image-field)
 * fill what the flags left unset; the flags' maps come first. */
int image_rules_merge_kustomization(arena *a, image_rules *r, const node *kustomization);
/* Fails unless v is HOST[:PORT][/PREFIX] with a host docker reads as a registry. */
int image_registry_check(const char *what, const char *v);
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
    const char *hub_suffix; /* set when the slot holds a hub: the image is the slot's text + this ("/pilot:1.2") */
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

enum mirror_dest { MIRROR_REGISTRY, MIRROR_OCI_DIR, MIRROR_OCI_ARCHIVE };

typedef struct mirror_item {
    const char *src, *dst;          /* skopeo transport:reference */
    const char *label;              /* "SRC -> DST" for the display and messages */
    int src_insecure, dst_insecure; /* TLS verification off (--insecure-registry) */
} mirror_item;

typedef struct mirror_plan {
    arena *a;                  /* owns the items (the build's arena is gone when the plan runs) */
    mirror_item *v;
    size_t n, cap;
    int dest;                  /* enum mirror_dest */
    const char *dir;           /* the OCI layout written (MIRROR_OCI_DIR, MIRROR_OCI_ARCHIVE) */
    const char *archive;       /* MIRROR_OCI_ARCHIVE: the tar made from dir at the end */
    const char *from_dir;      /* --from: the bundle's OCI layout the images come from */
    const char *from_tmp;      /* from_dir when extracted from an archive (removed at the end) */
    image_rules sources;       /* --source-map FROM=TO: where images under FROM are read from
                                * (a staging registry or pull-through cache); names stay the source's */
    const char **insecure;     /* --insecure-registry HOST[:PORT] values */
    size_t ninsecure;
    int jobs, retries, dry_run;
} mirror_plan;

/* --to: a registry (HOST[:PORT][/PREFIX] or docker://HOST...), an OCI layout
 * directory (oci:DIR, or a path that exists or starts with / or .), or
 * oci-archive:PATH. For a registry, r->registry becomes it (unless set). */
int mirror_set_dest(mirror_plan *p, const char *to, image_rules *r);
/* --from: oci:DIR, a directory, oci-archive:PATH or a tar file (extracted
 * into a temporary directory). */
int mirror_open_bundle(mirror_plan *p, const char *from);
/* Frees the plan and removes its temporary directories. */
void mirror_plan_free(mirror_plan *p);
/* Ends an oci-archive destination: the layout directory becomes the tar. */
int mirror_finish_archive(mirror_plan *p);

/* Adds the copy of src (normalized) to dst (its mirror name; for bundles the
 * image keeps its full source name as the layout's ref name). Duplicates and
 * images already in place are dropped. */
void mirror_plan_add(mirror_plan *p, const imageref *src, const imageref *dst);
/* Plans pushing every image of the bundle in p->from_dir to its mirror name by r. */
int mirror_plan_bundle(mirror_plan *p, const image_rules *r);
/* Runs the plan with p->jobs copies at a time: progress on a tty, one line
 * per image otherwise (stderr), last line "copied N, already there N,
 * failed N" (stdout). Returns the exit status (1 when any failed, 130 when
 * interrupted). */
int mirror_run(mirror_plan *p);

#endif
