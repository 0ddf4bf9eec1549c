/* Go encoding/json output of the document tree (jsonout.c); json.h (src/yaml) reads JSON. */
#ifndef KG_JSONOUT_H
#define KG_JSONOUT_H
#include <stddef.h>
#include "node.h"
#include "strbuf.h"

/* A Go json.Marshal string: HTML-safe escapes, U+2028/9 escaped, invalid
 * UTF-8 replaced by U+FFFD. */
void json_string(strbuf *sb, const char *s, size_t n);
/* The value as encoding/json writes it after a round trip through
 * interface{}: compact, mapping keys sorted. */
void json_value(strbuf *sb, const node *v);
/* The same after one more trip through encoding/json into interface{}
 * (kustomize's hasher: RNode.MarshalJSON, then json.Unmarshal), where every
 * number is a float64: 9007199254740993 -> 9007199254740992, 1e-7. */
void json_value_float64(strbuf *sb, const node *v);

#endif
