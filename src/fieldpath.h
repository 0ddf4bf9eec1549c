/* Dotted field paths as kustomize's replacements and vars write them:
 * spec.template.spec.containers.[name=app].image, data.app\.properties,
 * metadata.annotations.[example.com/x], spec.ports.0.port, items.*.name.
 * Parsing follows kyaml's SmarterPathSplitter; the three walkers follow
 * kyaml's PathGetter (one value), PathGetter with Create (make what is
 * missing) and PathMatcher (every match: "*" and regex [k=v] selectors). */
#ifndef KG_FIELDPATH_H
#define KG_FIELDPATH_H
#include "build.h"

typedef struct fp_seg {
    const char *text;      /* the segment, escapes resolved */
    int is_list;           /* written [key=value] */
    const char *key, *val; /* is_list: key ("" for scalar elements) and value; key NULL when '=' is missing */
    int is_num;            /* text is a decimal integer (Go's strconv.Atoi) */
    long num;
} fp_seg;

typedef struct fieldpath {
    fp_seg *v;
    uint32_t n;
    const char *text;
} fieldpath;

typedef struct slot_list {
    node ***v;
    size_t n, cap;
} slot_list;

void fieldpath_parse(arena *a, const char *text, fieldpath *out);
/* Splits like kyaml's SmarterPathSplitter (exposed for tests): "\." escapes,
 * [a.b] kept whole (brackets dropped unless it holds '='). */
void fieldpath_split_dotted(arena *a, const char *text, const char ***segs, uint32_t *n);

/* The value at fp under root, or *out = NULL when absent. */
int fieldpath_lookup(arena *a, node *root, const fieldpath *fp, node **out);
/* Like lookup, creating missing fields and [k=v] elements; the leaf is
 * created as leaf_kind. *slot = NULL when the path cannot be followed
 * (a null on the way, an index past the end); *created says the leaf is new. */
int fieldpath_create(arena *a, node **root, const fieldpath *fp, int leaf_kind, node ***slot, int *created);
/* Every slot matched by fp (wildcards and regex list selectors). */
int fieldpath_match(arena *a, node **root, const fieldpath *fp, slot_list *out);
void slot_list_free(slot_list *l);

#endif
