#include "json.h"
#include "err.h"
#include "scalar.h"
#include "strbuf.h"
#include <stdlib.h>
#include <string.h>

struct jp {
    arena *a;
    const char *file, *s, *p, *end, *line_start;
    uint32_t line;
    int depth;
};

static int jerr(struct jp *j, const char *what)
{
    return err_set("%s:%u:%u: invalid JSON: %s", j->file, j->line, (unsigned)(j->p - j->line_start + 1), what);
}

static void skip_ws(struct jp *j)
{
    for (; j->p < j->end && strchr(" \t\r\n", *j->p) && *j->p; j->p++)
        if (*j->p == '\n') j->line++, j->line_start = j->p + 1;
}

static node *new_node(struct jp *j, int kind)
{
    node *n = node_new(j->a, kind);
    n->file = j->file;
    n->line = j->line;
    n->col = (uint16_t)(j->p - j->line_start + 1);
    return n;
}

static void put_utf8(strbuf *sb, uint32_t c)
{
    if (c < 0x80) {
        sb_addc(sb, (char)c);
    } else if (c < 0x800) {
        sb_addc(sb, (char)(0xC0 | c >> 6));
        sb_addc(sb, (char)(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        sb_addc(sb, (char)(0xE0 | c >> 12));
        sb_addc(sb, (char)(0x80 | (c >> 6 & 0x3F)));
        sb_addc(sb, (char)(0x80 | (c & 0x3F)));
    } else {
        sb_addc(sb, (char)(0xF0 | c >> 18));
        sb_addc(sb, (char)(0x80 | (c >> 12 & 0x3F)));
        sb_addc(sb, (char)(0x80 | (c >> 6 & 0x3F)));
        sb_addc(sb, (char)(0x80 | (c & 0x3F)));
    }
}

/* Length of the valid UTF-8 sequence at p (Go's utf8.DecodeRune rules: no
 * overlong forms, no surrogates, nothing past U+10FFFF), or 0. */
static int utf8_len(const unsigned char *p, const unsigned char *end)
{
    int n = p[0] >= 0xF0 && p[0] <= 0xF4 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC2 && p[0] < 0xE0 ? 2 : 0;
    if (!n || end - p < n) return 0;
    for (int i = 1; i < n; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    if (n == 3 && ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0))) return 0;
    if (n == 4 && ((p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90))) return 0;
    return n;
}

/* One character of s at p (UTF-8), or U+FFFD for one byte of invalid
 * UTF-8, appended as a Go string holds it after encoding/json wrote it or
 * read it; returns the bytes used. */
static size_t put_go_char(strbuf *sb, const char *p, const char *end)
{
    int n = (unsigned char)*p < 0x80 ? 1 : utf8_len((const unsigned char *)p, (const unsigned char *)end);
    if (n) sb_add(sb, p, (size_t)n);
    else put_utf8(sb, 0xFFFD);
    return n ? (size_t)n : 1;
}

void json_go_text(strbuf *sb, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) i += put_go_char(sb, s + i, s + len);
}

static int hex4(const char *p, const char *end, uint32_t *out)
{
    if (end - p < 4) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return 0;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return 1;
}

/* \uXXXX at j->p (past the backslash and u): a surrogate pair makes one
 * code point; a surrogate without its pair is U+FFFD, as Go's unquote. */
static int unicode_escape(struct jp *j, strbuf *sb)
{
    uint32_t c, lo;
    if (!hex4(j->p, j->end, &c)) return jerr(j, "invalid character in \\u hexadecimal character escape");
    j->p += 4;
    if (c >= 0xD800 && c < 0xE000) {
        if (c < 0xDC00 && j->end - j->p >= 6 && j->p[0] == '\\' && j->p[1] == 'u' && hex4(j->p + 2, j->end, &lo) &&
            lo >= 0xDC00 && lo < 0xE000) {
            c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
            j->p += 6;
        } else {
            c = 0xFFFD;
        }
    }
    put_utf8(sb, c);
    return 0;
}

static int parse_string(struct jp *j, strbuf *sb)
{
    j->p++; /* the opening quote */
    while (j->p < j->end && *j->p != '"') {
        unsigned char c = (unsigned char)*j->p;
        if (c < 0x20) return jerr(j, "invalid character in string literal");
        if (c == '\\') {
            if (++j->p >= j->end) break;
            const char *simple = strchr("\"\\/bfnrt", *j->p);
            if (*j->p && simple) {
                sb_addc(sb, "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"]);
                j->p++;
            } else if (*j->p == 'u') {
                j->p++;
                if (unicode_escape(j, sb) < 0) return -1;
            } else {
                return jerr(j, "invalid character in string escape code");
            }
            continue;
        }
        j->p += put_go_char(sb, j->p, j->end);
    }
    if (j->p >= j->end) return jerr(j, "unexpected end of JSON input in a string");
    j->p++;
    return 0;
}

static int digits(struct jp *j)
{
    const char *start = j->p;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9') j->p++;
    return j->p > start;
}

static int parse_number(struct jp *j, node **out)
{
    node *n = new_node(j, N_INT);
    const char *start = j->p;
    if (*j->p == '-') j->p++;
    if (j->p < j->end && *j->p == '0') j->p++;
    else if (!digits(j)) return jerr(j, "invalid character in numeric literal");
    if (j->p < j->end && *j->p == '.') {
        j->p++;
        if (!digits(j)) return jerr(j, "invalid character after decimal point in numeric literal");
        n->kind = N_FLOAT;
    }
    if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
        j->p++;
        if (j->p < j->end && (*j->p == '+' || *j->p == '-')) j->p++;
        if (!digits(j)) return jerr(j, "invalid character in exponent of numeric literal");
        n->kind = N_FLOAT;
    }
    n->u.str.s = arena_strndup(j->a, start, (size_t)(j->p - start));
    n->u.str.len = (uint32_t)(j->p - start);
    *out = n;
    return 0;
}

static int parse_value(struct jp *j, node **out);

static int parse_object(struct jp *j, node *m)
{
    j->p++;
    skip_ws(j);
    if (j->p < j->end && *j->p == '}') return j->p++, 0;
    for (;;) {
        skip_ws(j);
        if (j->p >= j->end || *j->p != '"') return jerr(j, "expected a string for an object key");
        strbuf key = STRBUF_INIT;
        int rc = parse_string(j, &key);
        const char *k = arena_strndup(j->a, key.buf ? key.buf : "", key.len);
        sb_release(&key);
        if (rc < 0) return -1;
        skip_ws(j);
        if (j->p >= j->end || *j->p != ':') return jerr(j, "expected ':' after an object key");
        j->p++;
        node *v;
        if (parse_value(j, &v) < 0) return -1;
        map_set(j->a, m, k, v); /* a repeated key keeps the last value */
        skip_ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == '}') return j->p++, 0;
        return jerr(j, "expected ',' or '}' after an object value");
    }
}

static int parse_array(struct jp *j, node *s)
{
    j->p++;
    skip_ws(j);
    if (j->p < j->end && *j->p == ']') return j->p++, 0;
    for (;;) {
        node *v;
        if (parse_value(j, &v) < 0) return -1;
        seq_push(j->a, s, v);
        skip_ws(j);
        if (j->p < j->end && *j->p == ',') {
            j->p++;
            continue;
        }
        if (j->p < j->end && *j->p == ']') return j->p++, 0;
        return jerr(j, "expected ',' or ']' after an array element");
    }
}

static int literal(struct jp *j, const char *word, int kind, node **out)
{
    size_t n = strlen(word);
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, word, n)) return jerr(j, "invalid character looking for a value");
    *out = new_node(j, kind);
    (*out)->u.str.s = arena_strdup(j->a, word);
    (*out)->u.str.len = (uint32_t)n;
    j->p += n;
    return 0;
}

static int parse_value(struct jp *j, node **out)
{
    skip_ws(j);
    if (j->p >= j->end) return jerr(j, "unexpected end of JSON input");
    char c = *j->p;
    if (c == '{' || c == '[') {
        if (++j->depth > 10000) return jerr(j, "exceeded max depth");
        *out = new_node(j, c == '{' ? N_MAP : N_SEQ);
        int rc = c == '{' ? parse_object(j, *out) : parse_array(j, *out);
        j->depth--;
        return rc;
    }
    if (c == '"') {
        *out = new_node(j, N_STR);
        strbuf sb = STRBUF_INIT;
        int rc = parse_string(j, &sb);
        (*out)->u.str.s = arena_strndup(j->a, sb.buf ? sb.buf : "", sb.len);
        (*out)->u.str.len = (uint32_t)sb.len;
        (*out)->flags |= NF_QUOTED;
        sb_release(&sb);
        return rc;
    }
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number(j, out);
    if (c == 't') return literal(j, "true", N_BOOL, out);
    if (c == 'f') return literal(j, "false", N_BOOL, out);
    if (c == 'n') return literal(j, "null", N_NULL, out);
    return jerr(j, "invalid character looking for beginning of value");
}

int json_load(arena *a, const char *file, const char *buf, size_t len, node **out)
{
    struct jp j = {a, file, buf, buf, buf + len, buf, 1, 0};
    if (parse_value(&j, out) < 0) return -1;
    skip_ws(&j);
    if (j.p < j.end) return jerr(&j, "invalid character after top-level value");
    return 0;
}
