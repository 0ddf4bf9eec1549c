/* JSON patch (RFC 6902) as kustomize applies it (evanphx/json-patch v4):
 * add, remove, replace, move, copy, test over JSON pointers (~0 ~1 escapes,
 * "-" for the end of an array, negative indexes from the end). Like v4,
 * replace of a missing object key adds it. Works on the node tree directly. */
#ifndef KG_JSONPATCH_H
#define KG_JSONPATCH_H
#include "node.h"

/* Parses operations as kustomize does: text starting with '[' as JSON,
 * other text as YAML read by go-yaml v2 (yes is true, 0777 is 511); the
 * values take the form they have after a trip through encoding/json. */
int jsonpatch_parse(arena *a, const char *file, const char *text, size_t len, node **ops);
/* True when a loaded document is shaped like an operation list. */
int jsonpatch_is_ops(const node *doc);
/* Applies ops to doc in place (values are copied). what names the patch in messages. */
int jsonpatch_apply(arena *a, node *doc, const node *ops, const char *what);

#endif
