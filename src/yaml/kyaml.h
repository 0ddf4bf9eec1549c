/* YAML in and out. Loading uses libyaml's event parser straight into the
 * arena tree; emitting drives libyaml's emitter with go-yaml v2's style
 * choices, which is what makes output byte-identical to kustomize's. */
#ifndef KG_KYAML_H
#define KG_KYAML_H
#include <stddef.h>
#include "arena.h"
#include "node.h"
#include "strbuf.h"

/* Loads every non-empty document of a stream; file names the source in
 * positions and messages. Returns -1 with a file:line:col message on error. */
int yaml_load(arena *a, const char *file, const char *buf, size_t len, node_list *out);
int yaml_load_file(arena *a, const char *path, node_list *out);
/* Loads a stream that must hold exactly one document (which may be empty: *out = NULL). */
int yaml_load_one(arena *a, const char *file, const char *buf, size_t len, node **out);

/* Like yaml_load_one, but as sigs.k8s.io/yaml reads a file on its way to
 * JSON (kustomization files, configurations, replacement files): go-yaml v2's
 * typing (YAML 1.1 bools such as yes/on as true/false, timestamps as
 * strings), a repeated mapping key replacing the earlier value instead of
 * failing, and mapping keys turned into JSON's strings (yes -> "true",
 * 0x1F -> "31"; a null key is an error). The same reading as yaml_load_v2
 * (scalar_resolve_v2: numbers and bools carry their JSON text). Both read
 * the first document only, as go-yaml's Unmarshal: later ones are not even
 * parsed (kustomize ignores them, invalid YAML included). */
int yaml_load_one_v2(arena *a, const char *file, const char *buf, size_t len, node **out);

/* kustomize's JSON round trip of an object (roundtrip.c), in two halves
 * around a JSON patch. yaml_json_view: n as RNode.MarshalJSON presents it
 * (numbers in JSON's form, timestamps as RFC 3339 strings, bools and nulls
 * their JSON words, folded and flow quirks applied, merge keys gone); flow:
 * n sits in a flow collection. It fails where encoding/json does (what
 * names the data in messages): .nan/.inf, keys that are not strings,
 * repeated keys. yaml_from_json: JSON data as RNode.UnmarshalJSON holds it
 * (numbers as yaml.v3 writes float64s: 0x50 -> 80, 1234567 ->
 * 1.234567e+06; written styles gone but the quoting yaml.v3 adds). Both
 * rewrite n in place: clone a shared tree first. */
int yaml_json_view(arena *a, node *n, int flow, const char *what);
void yaml_from_json(arena *a, node *n);
/* yaml_json_view for data go-yaml v2 decoded (a JSON patch written as YAML)
 * or JSON text: its numbers are encoding/json's already (-0 stays -0,
 * where yaml.v3 would read the integer 0). */
int yaml_json_view_v2(arena *a, node *n, const char *what);
/* n as kustomize turns a *List's items into objects (RNode.Map, then
 * json.Marshal, then kyaml.Parse): yaml_json_view's data, but decoded from
 * the node itself (no yaml.v3 re-emit, so no folded or flow quirks) and
 * read back from JSON text (strings quoted, numbers as JSON wrote them). */
int yaml_json_decoded(arena *a, node *n, const char *what);
/* Fails where yaml.v3 cannot decode n into Go values (RNode.Map, for a
 * whole *List object, items and all): a scalar its tag does not fit, or
 * !!binary that is not base64. Leaves n as it is. */
int yaml_v3_decodes(arena *a, const node *n, const char *what);

/* Like yaml_load, but a repeated mapping key is kept, flagged NF_KEY_DUP,
 * instead of failing: kyaml reads patches into nodes without checking and
 * looks fields up by their first occurrence (as map_get does), Go maps built
 * from them keep the last, and kustomize fails only if such a mapping is
 * written out (the emitter reports it). */
int yaml_load_dup_keys(arena *a, const char *file, const char *buf, size_t len, node_list *out);

/* Loads the first document as sigs.k8s.io/yaml's YAMLToJSON reads it (what
 * kustomize does with a JSON patch written as YAML): go-yaml v2's YAML 1.1
 * typing (scalar_resolve_v2; numbers and bools carry their JSON text), keys
 * made JSON strings, a repeated key replacing the earlier value. */
int yaml_load_v2(arena *a, const char *file, const char *buf, size_t len, node **out);

/* yaml_emit's fast path (yaml_emit_fast.c): appends the document and returns
 * 1, or returns 0 with out untouched when libyaml must write it. */
int yaml_emit_fast(strbuf *out, node *doc);
/* The same through libyaml's emitter only: the reference the fast path is checked against. */
int yaml_emit_libyaml(strbuf *out, node *doc);
/* Sorts a mapping's keys in go-yaml v2's order (in place). */
void yaml_sort_keys(node *m);

/* Appends one document in kustomize's output format. */
int yaml_emit(strbuf *out, node *doc);
/* Appends documents separated by "---" lines, emitting large streams on
 * several threads (objects are independent; output order is kept). */
int yaml_emit_stream(strbuf *out, node **docs, size_t n);
/* The same, recording where each document starts in out (starts[n]: the end),
 * for callers that need each object's text (kgrender diff). */
int yaml_emit_stream_at(strbuf *out, node **docs, size_t n, size_t *starts);

#endif
