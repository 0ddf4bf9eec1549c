/* Plugin values: the deep merge every layer goes through (global values,
 * valuesFrom, values, --values, --set) and helm's --set syntax, which
 * valuesFrom's ConfigMap data entries use too. Values are typed without loss:
 * kubegems (helm's strvals) turns "0123" into 123; here only canonical
 * integers, true/false and null change type. */
#include "plugins.h"
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INDEX 10000 /* a[N]: larger indexes are refused (a typo would allocate that much) */

void values_merge(arena *a, node *dst, const node *src)
{
    for (uint32_t i = 0; src && src->kind == N_MAP && i < src->u.map.n; i++) {
        const char *key = src->u.map.items[i].key->u.str.s;
        node *s = src->u.map.items[i].val, *d = map_get(dst, key);
        if (d && d->kind == N_MAP && s->kind == N_MAP) values_merge(a, d, s);
        else map_set(a, dst, key, node_clone(a, s));
    }
}

static int is_canonical_int(const char *s, size_t n)
{
    size_t i = s[0] == '-';
    if (i >= n || n - i > 19) return 0;
    if (s[i] == '0') return n - i == 1 && !(i && n == 2); /* "0" yes, "-0" and "01" no */
    for (size_t j = i; j < n; j++)
        if (s[j] < '0' || s[j] > '9') return 0;
    errno = 0;
    char buf[24];
    memcpy(buf, s, n), buf[n] = 0;
    (void)strtoll(buf, NULL, 10);
    return errno == 0;
}

node *values_scalar(arena *a, const char *text, size_t len)
{
    if ((len == 4 && !memcmp(text, "true", 4)) || (len == 5 && !memcmp(text, "false", 5)))
        return node_new_scalar(a, N_BOOL, text, len);
    if (len == 4 && !memcmp(text, "null", 4)) return node_new_scalar(a, N_NULL, "null", 4);
    if (len && is_canonical_int(text, len)) return node_new_scalar(a, N_INT, text, len);
    return node_new_scalar(a, N_STR, text, len);
}

/* Copies s[0..n) without its backslash escapes. */
static char *unescape(arena *a, const char *s, size_t n, size_t *outlen)
{
    char *out = arena_alloc(a, n + 1), *w = out;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n) i++;
        *w++ = s[i];
    }
    *w = 0;
    *outlen = (size_t)(w - out);
    return out;
}

/* Index of the first unescaped c in s[0..n) (outside {} when braces), or n. */
static size_t find_unescaped(const char *s, size_t n, const char *set, int braces)
{
    int depth = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\') {
            i++;
            continue;
        }
        if (braces && s[i] == '{') depth++;
        else if (braces && s[i] == '}' && depth) depth--;
        else if (!depth && strchr(set, s[i])) return i;
    }
    return n;
}

/* One path segment: "name" then any "[N]" indexes. */
typedef struct segment {
    const char *name;
    long idx[8];
    int nidx;
    size_t end; /* where the segment ends in the path */
} segment;

static int parse_segment(arena *a, const char *p, size_t len, size_t at, segment *sg, const char **why)
{
    size_t n = find_unescaped(p + at, len - at, ".[", 0), nl;
    sg->name = unescape(a, p + at, n, &nl);
    sg->nidx = 0;
    if (!nl) return *why = arena_printf(a, "empty key in '%.*s'", (int)len, p), -1;
    at += n;
    while (at < len && p[at] == '[') {
        char *end;
        long v = strtol(p + at + 1, &end, 10);
        if (end == p + at + 1 || *end != ']' || (size_t)(end - p) >= len || v < 0 || v > MAX_INDEX || sg->nidx == 8)
            return *why = arena_printf(a, "bad list index in '%.*s'", (int)len, p), -1;
        sg->idx[sg->nidx++] = v;
        at = (size_t)(end - p) + 1;
    }
    if (at < len && p[at] != '.')
        return *why = arena_printf(a, "unexpected '%c' after ']' in '%.*s'", p[at], (int)len, p), -1;
    sg->end = at;
    return 0;
}

/* Element i of the sequence, padded with nulls up to it (as helm pads). */
static node **seq_slot(arena *a, node *seq, long i)
{
    while (seq->u.seq.n <= (uint32_t)i) seq_push(a, seq, node_new_scalar(a, N_NULL, "null", 4));
    return &seq->u.seq.items[i];
}

static node *ensure_kind(arena *a, node **slot, int kind)
{
    if (!*slot || (*slot)->kind != kind) *slot = node_new(a, kind);
    return *slot;
}

int values_set_path(arena *a, node *root, const char *path, size_t len, node *val, const char **why)
{
    node *cur = root;
    for (size_t at = 0;;) {
        segment sg;
        if (parse_segment(a, path, len, at, &sg, why) < 0) return -1;
        int last = sg.end >= len;
        int nk = map_index(cur, sg.name);
        if (nk < 0) {
            map_set(a, cur, sg.name, node_new(a, N_NULL));
            nk = map_index(cur, sg.name);
        }
        node **slot = &cur->u.map.items[nk].val;
        for (int j = 0; j < sg.nidx; j++) slot = seq_slot(a, ensure_kind(a, slot, N_SEQ), sg.idx[j]);
        if (last) {
            *slot = val;
            return 0;
        }
        cur = ensure_kind(a, slot, N_MAP);
        at = sg.end + 1;
        if (at >= len) return *why = arena_printf(a, "key '%.*s' ends with '.'", (int)len, path), -1;
    }
}

static node *parse_value(arena *a, const char *v, size_t n)
{
    size_t ul;
    if (n >= 2 && v[0] == '{' && v[n - 1] == '}') {
        node *seq = node_new(a, N_SEQ);
        for (size_t at = 1; at < n - 1;) {
            size_t m = find_unescaped(v + at, n - 1 - at, ",", 0);
            const char *s = unescape(a, v + at, m, &ul);
            seq_push(a, seq, values_scalar(a, s, ul));
            at += m + 1;
        }
        return seq;
    }
    const char *s = unescape(a, v, n, &ul);
    return values_scalar(a, s, ul);
}

/* Whether an assignment's key is for this plugin; *skip: how much of the key to drop. */
static int for_plugin(const char *key, size_t klen, const char *target_plugin, size_t *skip)
{
    *skip = 0;
    if (!target_plugin) return 1;
    if (klen > 7 && !memcmp(key, "global.", 7)) return 1;
    size_t n = strlen(target_plugin);
    *skip = n + 1;
    return klen > n + 1 && !memcmp(key, target_plugin, n) && key[n] == '.';
}

int values_apply_set(arena *a, node *root, const char *expr, const char *target_plugin, const char **why)
{
    size_t len = strlen(expr);
    for (size_t at = 0; at < len;) {
        size_t n = find_unescaped(expr + at, len - at, ",", 1), skip;
        const char *item = expr + at;
        size_t eq = find_unescaped(item, n, "=", 0);
        at += n + 1;
        if (eq == n) return *why = arena_printf(a, "key '%.*s' has no value (KEY=VALUE)", (int)n, item), -1;
        if (!for_plugin(item, eq, target_plugin, &skip)) continue;
        node *val = parse_value(a, item + eq + 1, n - eq - 1);
        if (values_set_path(a, root, item + skip, eq - skip, val, why) < 0) return -1;
    }
    return 0;
}

void values_set_scopes(arena *a, const char *expr, strlist *out)
{
    size_t len = strlen(expr);
    for (size_t at = 0; at < len;) {
        size_t n = find_unescaped(expr + at, len - at, ",", 1);
        size_t dot = find_unescaped(expr + at, n, ".=", 0);
        strlist_push(a, out, arena_strndup(a, expr + at, dot));
        at += n + 1;
    }
}

node *values_map_at(arena *a, node *root, const char *path)
{
    node *cur = root;
    for (const char *s = path; *s;) {
        size_t n = strcspn(s, ".");
        if (n) {
            const char *key = arena_strndup(a, s, n);
            node *next = map_get(cur, key);
            if (!next || next->kind != N_MAP) {
                next = node_new(a, N_MAP);
                map_set(a, cur, key, next);
            }
            cur = next;
        }
        s += n + (s[n] == '.');
    }
    return cur;
}
