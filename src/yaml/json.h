/* JSON as kustomize's Go code reads it: encoding/json text into nodes, and
 * the form a tree takes after kustomize's trip through encoding/json (what
 * its JSON patches do to the whole object: kyaml's MarshalJSON, then
 * json.Unmarshal and yaml.v3 back). */
#ifndef KG_JSON_H
#define KG_JSON_H
#include <stddef.h>
#include "node.h"

/* Parses one JSON value as encoding/json does: \u escapes with surrogate
 * pairs (a lone surrogate or invalid UTF-8 becomes U+FFFD), a repeated
 * object key keeps the last value, numbers keep their text (N_INT, or
 * N_FLOAT with a fraction or exponent). Fails with file and offset. */
int json_load(arena *a, const char *file, const char *buf, size_t len, node **out);

/* Rewrites a tree in place as it comes back from the trip: numbers become
 * float64s in yaml.v3's spelling (0x50 -> 80, 1234567 -> 1.234567e+06),
 * timestamps RFC 3339 strings, bools and nulls their plain words. Fails
 * where encoding/json does: .nan/.inf, keys that are not strings, and
 * repeated keys. what names the object in messages. */
int json_normalize(arena *a, node *n, const char *what);

#endif
