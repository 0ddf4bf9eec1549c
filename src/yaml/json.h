/* JSON text as kustomize's Go code reads it (encoding/json). The form a
 * tree takes after kustomize's trip through encoding/json is roundtrip.c's
 * (kyaml.h: yaml_json_view, yaml_from_json). */
#ifndef KG_JSON_H
#define KG_JSON_H
#include <stddef.h>
#include "node.h"

/* Parses one JSON value as encoding/json does: \u escapes with surrogate
 * pairs (a lone surrogate or invalid UTF-8 becomes U+FFFD), a repeated
 * object key keeps the last value, numbers keep their text (N_INT, or
 * N_FLOAT with a fraction or exponent). Fails with file and offset. */
int json_load(arena *a, const char *file, const char *buf, size_t len, node **out);

/* Appends s as a Go string holds it once encoding/json has written it:
 * each byte of invalid UTF-8 becomes U+FFFD. */
struct strbuf;
void json_go_text(struct strbuf *sb, const char *s, size_t len);

#endif
