/* How kustomize's two YAML libraries read scalars. Input is read the way
 * yaml.v3 (kyaml) resolves plain scalars; output is quoted wherever go-yaml
 * v2 (the encoder behind kustomize's output) would otherwise read the string
 * back as a non-string. Numbers are normalised by the JSON round trip. */
#ifndef KG_SCALAR_H
#define KG_SCALAR_H
#include <stddef.h>
#include "arena.h"

/* Resolves an untagged plain scalar: sets *kind (N_NULL, N_BOOL, N_INT,
 * N_FLOAT or N_STR) and returns its normalised text (arena-owned, or s itself
 * when unchanged), with its length in *outlen. */
const char *scalar_resolve_plain(arena *a, const char *s, size_t len, int *kind, size_t *outlen);
/* The text kustomize prints for a number or timestamp written as s (the JSON
 * round trip: 0x1F -> 31, 1.50 -> 1.5, 2024-01-01 -> 2024-01-01T00:00:00Z).
 * Returns 1 and fills out (64 bytes) when it differs from s. */
int scalar_output_text(const char *s, size_t len, char out[64]);
/* A node for text written as a plain (unquoted) scalar, typed as yaml.v3
 * types it, keeping its text (NF_TIMESTAMP marks timestamps); read bools
 * with node_is_true/node_is_false. */
struct node *scalar_new_plain(arena *a, const char *text, size_t len);
/* go-yaml v2's YAML 1.1 bools (y, yes, on, True, ...): 1 true, 0 false, -1 not a bool. */
int scalar_v2_bool(const char *s, size_t len);
/* The JSON key sigs.k8s.io/yaml's YAMLToJSON makes of a plain mapping key as
 * go-yaml v2 types it (yes -> "true", 0x1F -> "31", 1e3 -> "1000" through
 * float32 formatting); NULL for a string key, "" for a null one (which
 * YAMLToJSON refuses). */
const char *scalar_v2_json_key(arena *a, const char *s, size_t len);
/* True when yaml.v3 reads s, written as a plain mapping key, as something
 * other than a string (3, true, 1.5, 2001-01-01, ~). */
int scalar_plain_key_not_str(arena *a, const char *s, size_t len);
/* map_set for a key kustomize writes from a Go string (kyaml's FieldSetter,
 * SetLabels, SetAnnotations, generated data): the key node is untagged, so a
 * key such as "3" or "true" comes back as a non-string and kustomize fails
 * writing the object out; the key is marked for the emitter to report. */
void map_set_plain_key(arena *a, struct node *m, const char *key, struct node *val);
/* Applies an explicit tag (!!str, !!int, ...); returns the kind, or -1 for tags it ignores. */
int scalar_kind_for_tag(const char *tag);
/* True when go-yaml v2 would read s, written plain, as something other than a string. */
int scalar_v2_needs_quotes(const char *s, size_t len);
/* go-yaml v2's natural key order (digits compared as numbers, letters after other characters). */
int natural_less(const char *a, size_t alen, const char *b, size_t blen);

#endif
