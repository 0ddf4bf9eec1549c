/* Helpers shared by the metadata transformers (namespace, name prefix and
 * suffix, labels, annotations, replicas, images): reading their builtin
 * configs the way kustomize decodes them (JSON into Go structs, so a number
 * where a string is expected is an error), and setting map entries at the
 * places field specs select. */
#ifndef KG_META_H
#define KG_META_H
#include "fieldspec.h"
#include "builtins.h"

/* A map[string]string from a config, keys in source order. */
typedef struct meta_pairs {
    const char **keys, **vals;
    size_t *lens; /* the values' lengths: a value may hold NUL ("x\0y") */
    size_t n;
} meta_pairs;

/* Reads m (a mapping of string values, or absent/null) into out. what names
 * the field for messages ("commonLabels"). */
int meta_string_map(arena *a, const node *m, const char *what, meta_pairs *out);
/* A string field of a config: absent or null gives "", anything but a string is an error. */
int meta_string_field(arena *a, const node *config, const char *key, const char **out);
/* A boolean field of a config: absent or null gives 0. */
int meta_bool_field(arena *a, const node *config, const char *key, int *out);
/* Compiles config's fieldSpecs (absent: none). */
int meta_config_fieldspecs(arena *a, const node *config, fieldspecs *out);
/* The spec's path as written ("metadata/name"), for kustomize's path-text checks. */
const char *meta_fs_path(const fieldspec *fs);

/* LabelTransformer and AnnotationsTransformer: the string map config[field]
 * set on every object at config's fieldSpecs, creating mappings there. */
int meta_apply_pairs(kust *k, const node *config, const char *field, resmap *rm);

/* Adds prefix and suffix at config's fieldSpecs (t_prefix.c). */
int prefix_suffix_apply(kust *k, const char *prefix, const char *suffix, const node *config, resmap *rm);

#endif
