/* How kustomize's two YAML libraries read scalars. Input is read the way
 * yaml.v3 (kyaml) resolves plain scalars; output is quoted wherever go-yaml
 * v2 (the encoder behind kustomize's output) would otherwise read the string
 * back as a non-string. Numbers are normalised by the JSON round trip. */
#ifndef KG_SCALAR_H
#define KG_SCALAR_H
#include <stddef.h>
#include "arena.h"

/* A number as kyaml holds it after kustomize's JSON round trip (FromMap):
 * its JSON text read as a float64 and written by yaml.v3 in Go's shortest
 * 'g' form (0x50 -> 80, 1000000 -> 1e+06, 1.50 -> 1.5, -0). Fills out (64
 * bytes) and returns the kind yaml.v3 reads that text as (N_INT or
 * N_FLOAT); -1 for what encoding/json has no number for (.nan, .inf) or
 * text a tag forced to a number type. */
int scalar_from_json_number(const char *s, size_t len, char out[64]);
/* True for text in JSON's number grammar, -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
int scalar_is_json_number(const char *s, size_t len);
/* Resolves an untagged plain scalar: sets *kind (N_NULL, N_BOOL, N_INT,
 * N_FLOAT or N_STR) and returns its normalised text (arena-owned, or s itself
 * when unchanged), with its length in *outlen. */
const char *scalar_resolve_plain(arena *a, const char *s, size_t len, int *kind, size_t *outlen);
/* The text kustomize prints for a number or timestamp written as s (the JSON
 * round trip: 0x1F -> 31, 1.50 -> 1.5, 2024-01-01 -> 2024-01-01T00:00:00Z).
 * Returns 1 and fills out (64 bytes) when it differs from s. */
int scalar_output_text(const char *s, size_t len, char out[64]);
/* The same, but as encoding/json writes the value yaml.v3 reads (no yaml.v2
 * re-read: -0.0 -> -0, 2.5e-7 stays, 1e20 -> 100000000000000000000). */
int scalar_json_text(const char *s, size_t len, char out[64]);
/* A node for text written as a plain (unquoted) scalar, typed as yaml.v3
 * types it, keeping its text (NF_TIMESTAMP marks timestamps); read bools
 * with node_is_true/node_is_false. */
struct node *scalar_new_plain(arena *a, const char *text, size_t len);
/* go-yaml v2's YAML 1.1 bools (y, yes, on, True, ...): 1 true, 0 false, -1 not a bool. */
int scalar_v2_bool(const char *s, size_t len);
/* map_set for a key kustomize writes from a Go string (kyaml's FieldSetter,
 * SetLabels, SetAnnotations, generated data): the key node is untagged, so a
 * key such as "3" or "true" comes back as a non-string and kustomize fails
 * writing the object out; the key is marked for the emitter to report. */
void map_set_plain_key(arena *a, struct node *m, const char *key, struct node *val);
/* Applies an explicit tag (!!str, !!int, ...); returns the kind, or -1 for tags it ignores. */
int scalar_kind_for_tag(const char *tag);
/* True when go-yaml v2 would read s, written plain, as something other than a string. */
int scalar_v2_needs_quotes(const char *s, size_t len);
/* The number after one more round trip through encoding/json into
 * interface{}, which holds every number as a float64 (kustomize's hasher):
 * 9007199254740993 -> 9007199254740992, 1e-7 -> 1e-7 (not 1e-07), -0.0 -> -0. */
void scalar_json_float64_text(const char *s, size_t len, char out[64]);
/* True when yaml.v3, re-emitting the plain scalar n inside a flow collection
 * (kustomize's JSON round trip keeps flow style), must quote it, so that it
 * is read back as a string: an empty null ('' -> "") or a timestamp with a
 * time of day (':' is a flow indicator). */
int scalar_v3_flow_requotes(const struct node *n);
/* The same for a mapping key k that yaml.v3 reads as a non-string
 * (NF_KEY_NOT_STR): true when its re-emission quotes it, so that it comes
 * back a string key: an empty null anywhere ('? ' with no key reads back
 * ""), a timestamp with ':' inside a flow collection. */
int scalar_v3_requotes_key(const struct node *k, int flow);
/* The string yaml.v3 decodes a !!binary scalar written as s to, as
 * encoding/json writes it for kustomize's output (invalid UTF-8 becomes
 * U+FFFD): malloc'd, length in *outlen; NULL where yaml.v3 fails ("!!binary
 * value contains invalid base64 data"). */
char *scalar_binary_text(const char *s, size_t len, size_t *outlen);
/* kyaml's FieldSetter on an existing scalar field (also SetEntry on a
 * scalar, which the replicas and namespace transformers use): the new value
 * takes the old one's style, whatever style it had. A quoted or block-style
 * old value makes a non-string new one read back as a string ("3" patched
 * to true prints "true"); a plain old one makes a quoted new one plain,
 * which matters when an untagged value replaces it later. Returns val, or
 * a restyled copy. */
struct node *scalar_take_style(arena *a, struct node *val, const struct node *old);
/* kyaml's FieldSetter setting val into a map field whose current value is
 * old (NULL for a new field; old == val when the field keeps its node, as
 * every field a strategic merge walks does): a plain string or untagged
 * scalar that YAML 1.1 reads as no string ("123", yes, ~) is double-quoted
 * first, then an existing field's style is taken (scalar_take_style). */
struct node *scalar_field_set(arena *a, struct node *val, const struct node *old);
/* kyaml's NewStringRNode(text) set by FieldSetter into a new field, as
 * SetLabels/SetAnnotations and the ConfigMap and Secret generators write
 * strings: yaml.v3's SetString makes multi-line text literal, FieldSetter
 * double-quotes what YAML 1.1 reads as no string. A value a strategic
 * merge later sets there takes that style (a number then prints quoted). */
struct node *scalar_new_string(arena *a, const char *s, size_t len);
/* True when n is already what scalar_new_string would make of its text. */
int scalar_is_new_string(const struct node *n);
/* The same style steps on the string val itself, as kyaml's FieldSetter
 * takes them on its value node (SetEntry's node, which the label and
 * annotation transformers share between places): quoted when YAML 1.1
 * reads the text as no string and it has no style, then, for an existing
 * field old, old's style whatever it is (a folded label gives the shared
 * node its folded style, seen at every place holding it). */
void scalar_setter_style_in_place(struct node *val, const struct node *old);
/* kyaml's NewScalarRNode(text) set by FieldSetter where old is (NULL for
 * a new field), as SetName, SetNamespace, SetScalar (name prefixes and
 * suffixes, images) and the name reference filter write: untagged, so
 * after a plain old value it reads as its text says (a prefix making a
 * name 123 prints a number). */
struct node *scalar_set_untagged(arena *a, const char *text, const struct node *old);
/* kyaml's IsValueNonString: go-yaml v2 decodes the text, as a document,
 * into something other than a string (a number, bool, null, collection;
 * not a timestamp, which it keeps as a string; not "" or multi-line text). */
int scalar_v1_1_non_string(const char *s, size_t len);
/* True when a plain (untagged) mapping key written as s is no string for
 * the yaml.v3 decoding behind kustomize's output, which then fails
 * (NF_KEY_NOT_STR). */
int scalar_plain_key_not_str(arena *a, const char *s, size_t len);
/* How go-yaml v2 (behind sigs.k8s.io/yaml, which reads kustomization
 * files, builtin and configurations files, and JSON patches written as YAML) types an untagged plain scalar decoded into interface{}:
 * YAML 1.1 bools (yes, off, y, ...), ints with Go's base prefixes, floats;
 * a timestamp stays the string it was written as. Sets *kind; returns 1
 * with the JSON text of a number, bool or null in out, else 0 (strings, and
 * .nan/.inf, which are N_FLOAT: encoding/json refuses them). */
int scalar_resolve_v2(const char *s, size_t len, int *kind, char out[64]);
/* The JSON key sigs.k8s.io/yaml makes of a plain mapping key go-yaml v2
 * typed: ints in decimal, floats in float32 %g, bools true/false, strings
 * and timestamps as written. Returns 0 with the key in out; -1 for a key
 * it refuses (null, an int beyond int64); -2 for a string key that does not
 * fit out (it stays as written). */
int scalar_v2_key(const char *s, size_t len, char out[64]);
/* yaml.v3's error for a scalar that its text does not fit (NF_BAD_TAG):
 * "cannot decode !!str `abc` as a !!int", in out (truncated to size). */
void scalar_bad_tag_msg(const struct node *n, char *out, size_t size);
/* go-yaml v2's natural key order (digits compared as numbers, letters after other characters). */
int natural_less(const char *a, size_t alen, const char *b, size_t blen);

#endif
