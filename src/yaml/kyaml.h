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

/* Like yaml_load_one, but a repeated mapping key replaces the earlier value
 * instead of failing: kustomization files are read by go-yaml v2, which
 * allows that, while objects are read by yaml.v3, which does not. */
int yaml_load_one_lenient(arena *a, const char *file, const char *buf, size_t len, node **out);

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

#endif
