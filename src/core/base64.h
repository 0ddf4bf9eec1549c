/* Standard base64 decoding (OpenSSL's EVP decoder), the one decoder used by
 * kubeconfig data fields and Plugin valuesFrom Secrets. */
#ifndef KG_BASE64_H
#define KG_BASE64_H
#include <stddef.h>
#include "strbuf.h"

/* Appends the bytes s encodes (line breaks and spaces ignored) to out;
 * -1 on characters outside the alphabet, data after padding, or a partial
 * final group. */
int base64_decode(const char *s, size_t n, strbuf *out);

/* Go's base64.StdEncoding.DecodeString (what go-yaml decodes !!binary
 * with): only \r and \n are skipped, padding is required, nothing may
 * follow it; the unused bits of the last group may be set. Appends the bytes
 * to out; -1 where Go fails. */
int base64_decode_go(const char *s, size_t n, strbuf *out);

#endif
