/* Field specs: where a transformer writes. A spec is a path such as
 * spec/template/spec/containers[]/image, optionally limited to a group,
 * version and kind, and optionally creating missing fields. Walking follows
 * kustomize's fieldspec filter: any sequence on the way is walked element by
 * element ("[]" is only a hint), and missing fields are created only when the
 * spec says create and the caller gives a kind to create. */
#ifndef KG_FIELDSPEC_H
#define KG_FIELDSPEC_H
#include "build.h"

typedef struct fieldspec {
    const char *group, *version, *kind; /* NULL: any */
    const char **path;                  /* unescaped segments, "[]" stripped */
    uint32_t npath;
    const uint8_t *seqhint;             /* per segment: 1 when written "x[]" (kustomize never creates those) */
    int create;
    const node *src;                    /* the spec's node, for messages */
} fieldspec;

typedef struct fieldspecs {
    fieldspec *v;
    size_t n;
} fieldspecs;

/* Compiles a sequence of {path, group, version, kind, create} maps. */
int fieldspecs_compile(arena *a, const node *seq, fieldspecs *out);
/* Splits a path on unescaped '/', dropping "[]" suffixes. */
void fieldpath_split(arena *a, const char *path, const char ***segs, uint32_t *n);
/* The same, also giving which segments had "[]" (hints may be NULL). */
void fieldpath_split_hints(arena *a, const char *path, const char ***segs, uint32_t *n, uint8_t **hints);
int fieldspec_selects(const fieldspec *fs, const resid *id);

/* Called with the slot holding the value at the end of the path (the slot
 * may hold a freshly created node of create_kind). Returns -1 to stop. */
typedef int (*fieldspec_visit_fn)(void *ctx, resource *r, node **slot);

/* Visits every value at fs's path in r. create_kind: N_MAP, N_STR, N_SEQ to
 * create a missing last field when the spec allows it, or -1 never to create. */
int fieldspec_walk(arena *a, const fieldspec *fs, resource *r, int create_kind, fieldspec_visit_fn fn, void *ctx);
/* fieldspec_walk for every spec that selects r. */
int fieldspecs_walk(arena *a, const fieldspecs *fss, resource *r, int create_kind, fieldspec_visit_fn fn, void *ctx);

#endif
