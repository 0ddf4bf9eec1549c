/* Helpers shared by the metadata transformers (namespace, name prefix and
 * suffix, labels, annotations, replicas, images): reading fields of their
 * builtin configs (decoded into kustomize's Go types beforehand, godecode.h),
 * and setting map entries at the places field specs select. */
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

/* Reads m (a map[string]string, or absent) into out. */
int meta_string_map(arena *a, const node *m, const char *what, meta_pairs *out);
/* A string field of a config: absent gives "". */
int meta_string_field(arena *a, const node *config, const char *key, const char **out);
/* A boolean field of a config: absent gives 0. */
int meta_bool_field(arena *a, const node *config, const char *key, int *out);
/* Compiles config's fieldSpecs (absent: none). */
int meta_config_fieldspecs(arena *a, const node *config, fieldspecs *out);
/* The spec's path as written ("metadata/name"), for kustomize's path-text checks. */
const char *meta_fs_path(const fieldspec *fs);

/* LabelTransformer and AnnotationsTransformer: the string map config[field]
 * set on every object at config's fieldSpecs, creating mappings there. */
int meta_apply_pairs(kust *k, const node *config, const char *field, resmap *rm);

/* kyaml's GetLabels/GetAnnotations then SetLabels/SetAnnotations on
 * metadata md's field: values become strings (NewStringRNode, quoted where
 * YAML 1.1 reads them as something else), an empty map goes away, and the
 * new keys are untagged, so one that yaml.v3 reads as no string fails the
 * output. An empty key makes SetField fail before any key is set: with
 * fail_empty_key that is an error, else (callers that ignore it) the field
 * is left empty and 1 is returned. */
int meta_rebuild_string_map(arena *a, node *md, const char *field, int fail_empty_key);

/* Adds prefix and suffix at config's fieldSpecs (t_prefix.c). */
int prefix_suffix_apply(kust *k, const char *prefix, const char *suffix, const node *config, resmap *rm);

#endif
