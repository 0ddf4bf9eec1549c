/* JSON out of the document tree, as Go's encoding/json writes a value that
 * went through interface{} (what kustomize's hasher and kubectl send): keys
 * sorted, HTML-safe string escapes, numbers and timestamps in their JSON
 * round-trip spelling. Moved out of hashsuffix.c so that the cluster client
 * sends the same bytes. */
#include "jsonout.h"
#include "generator.h"
#include "scalar.h"
#include <stdlib.h>
#include <string.h>

/* A Go json.Marshal string: HTML-safe escapes, U+2028/9 escaped, invalid
 * UTF-8 replaced by U+FFFD. */
void json_string(strbuf *sb, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    sb_addc(sb, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (c == '"' || c == '\\') sb_addc(sb, '\\'), sb_addc(sb, (char)c);
            else if (c == '\n') sb_adds(sb, "\\n");
            else if (c == '\r') sb_adds(sb, "\\r");
            else if (c == '\t') sb_adds(sb, "\\t");
            else if (c < 0x20 || c == '<' || c == '>' || c == '&')
                sb_adds(sb, "\\u00"), sb_addc(sb, hex[c >> 4]), sb_addc(sb, hex[c & 15]);
            else sb_addc(sb, (char)c);
            i++;
            continue;
        }
        size_t l = 1;
        while (l < 4 && i + l <= n && !gen_utf8_valid(s + i, l)) l++;
        if (i + l > n || !gen_utf8_valid(s + i, l)) {
            sb_adds(sb, "\\ufffd");
            i++;
        } else if (l == 3 && !memcmp(s + i, "\xE2\x80\xA8", 3)) {
            sb_adds(sb, "\\u2028"), i += 3;
        } else if (l == 3 && !memcmp(s + i, "\xE2\x80\xA9", 3)) {
            sb_adds(sb, "\\u2029"), i += 3;
        } else {
            sb_add(sb, s + i, l);
            i += l;
        }
    }
    sb_addc(sb, '"');
}

static int key_cmp(const void *x, const void *y)
{
    const node_pair *a = *(node_pair *const *)x, *b = *(node_pair *const *)y;
    size_t n = a->key->u.str.len < b->key->u.str.len ? a->key->u.str.len : b->key->u.str.len;
    int c = memcmp(a->key->u.str.s, b->key->u.str.s, n);
    return c ? c : (a->key->u.str.len > b->key->u.str.len) - (a->key->u.str.len < b->key->u.str.len);
}

/* float64: numbers as a float64 holds them (see json_value_float64). */
static void json_emit(strbuf *sb, const node *v, int float64)
{
    switch (v->kind) {
    case N_NULL: sb_adds(sb, "null"); return;
    case N_BOOL: sb_adds(sb, node_is_true(v) ? "true" : "false"); return;
    case N_INT: case N_FLOAT: {
        char out[64];
        if (float64) scalar_json_float64_text(v->u.str.s, v->u.str.len, out), sb_adds(sb, out);
        else if (scalar_output_text(v->u.str.s, v->u.str.len, out)) sb_adds(sb, out);
        else sb_add(sb, v->u.str.s, v->u.str.len);
        return;
    }
    case N_STR: {
        char out[64];
        if ((v->flags & NF_TIMESTAMP) && scalar_output_text(v->u.str.s, v->u.str.len, out))
            json_string(sb, out, strlen(out));
        else json_string(sb, v->u.str.s, v->u.str.len);
        return;
    }
    case N_SEQ:
        sb_addc(sb, '[');
        for (uint32_t i = 0; i < v->u.seq.n; i++) {
            if (i) sb_addc(sb, ',');
            json_emit(sb, v->u.seq.items[i], float64);
        }
        sb_addc(sb, ']');
        return;
    default: break;
    }
    node_pair **keys = malloc((v->u.map.n + 1) * sizeof *keys);
    if (!keys) abort();
    for (uint32_t i = 0; i < v->u.map.n; i++) keys[i] = &v->u.map.items[i];
    qsort(keys, v->u.map.n, sizeof *keys, key_cmp);
    sb_addc(sb, '{');
    for (uint32_t i = 0; i < v->u.map.n; i++) {
        if (i) sb_addc(sb, ',');
        json_string(sb, keys[i]->key->u.str.s, keys[i]->key->u.str.len);
        sb_addc(sb, ':');
        json_emit(sb, keys[i]->val, float64);
    }
    sb_addc(sb, '}');
    free(keys);
}

void json_value(strbuf *sb, const node *v)
{
    json_emit(sb, v, 0);
}

void json_value_float64(strbuf *sb, const node *v)
{
    json_emit(sb, v, 1);
}
