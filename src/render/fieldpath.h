/* Dotted field paths as kustomize's replacements and vars write them:
 * spec.template.spec.containers.[name=app].image, data.app\.properties,
 * metadata.annotations.[example.com/x], spec.ports.0.port, items.*.name.
 * Parsing follows kyaml's SmarterPathSplitter; the two walkers follow
 * kyaml's PathGetter (one value) and PathMatcher (every match: "*" and
 * regex [k=v] selectors, optionally creating what is missing). */
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

/* Parses a path for fieldpath_lookup (kyaml's PathGetter cleans it: parts
 * are trimmed, empty parts dropped). */
void fieldpath_parse(arena *a, const char *text, fieldpath *out);
/* Parses a path for fieldpath_match, as written (kyaml's PathMatcher does
 * not clean it: " x" is a field named " x", an empty part stays). */
void fieldpath_parse_matcher(arena *a, const char *text, fieldpath *out);
/* A path already split into parts (kyaml's PathGetter given a slice, as
 * LookupCreate is), cleaned as fieldpath_parse cleans; text is for messages. */
void fieldpath_from_parts(arena *a, const char *text, const char **parts, uint32_t n, fieldpath *out);
/* Splits like kyaml's SmarterPathSplitter (exposed for tests): "\." escapes,
 * [a.b] kept whole (brackets dropped unless it holds '='). */
void fieldpath_split_dotted(arena *a, const char *text, const char ***segs, uint32_t *n);

/* The value at fp under root (kyaml's Lookup), or *out = NULL when absent. */
int fieldpath_lookup(arena *a, node *root, const fieldpath *fp, node **out);
/* kyaml's LookupCreate: as fieldpath_lookup, creating missing fields and
 * [k=v] elements on the way (the leaf of create_kind; a created scalar is
 * untagged, NF_UNTAGGED); *out is the slot holding the value, or NULL when
 * the path stops at a null or an index past the end. */
int fieldpath_lookup_create(arena *a, node **root, const fieldpath *fp, int create_kind, node ***out);
/* Every slot matched by fp (kyaml's PathMatcher: "*" and regex [k=v]).
 * create_kind >= 0 creates missing fields, [k=v] elements and the element
 * one past the end, the leaf being of that kind; a created scalar is
 * untagged (NF_UNTAGGED), as kyaml leaves it. */
int fieldpath_match(arena *a, node **root, const fieldpath *fp, int create_kind, slot_list *out);
void slot_list_free(slot_list *l);

#endif
