#include "node.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* flags outgrew a byte; the bitfields must keep every node this small */
_Static_assert(offsetof(node, file) == 8, "struct node grew");

node *node_new(arena *a, int kind)
{
    node *n = arena_zalloc(a, sizeof *n);
    n->kind = (uint8_t)kind;
    if (kind < N_MAP) n->u.str.s = "";
    return n;
}

node *node_new_scalar(arena *a, int kind, const char *s, size_t len)
{
    node *n = node_new(a, kind);
    n->u.str.s = arena_strndup(a, s, len);
    n->u.str.len = (uint32_t)len;
    return n;
}

node *node_new_strn(arena *a, const char *s, size_t len)
{
    return node_new_scalar(a, N_STR, s, len);
}

node *node_new_str(arena *a, const char *s)
{
    return node_new_scalar(a, N_STR, s, strlen(s));
}

node *node_new_int(arena *a, long long v)
{
    char tmp[32];
    int len = snprintf(tmp, sizeof tmp, "%lld", v);
    return node_new_scalar(a, N_INT, tmp, (size_t)len);
}

int node_is_true(const node *n)
{
    return n && n->kind == N_BOOL && (n->u.str.s[0] == 't' || n->u.str.s[0] == 'T');
}

int node_is_false(const node *n)
{
    return n && n->kind == N_BOOL && (n->u.str.s[0] == 'f' || n->u.str.s[0] == 'F');
}

int node_is_scalar(const node *n)
{
    return n && n->kind < N_MAP;
}

node *node_clone(arena *a, const node *n)
{
    if (!n) return NULL;
    node *c = arena_alloc(a, sizeof *c);
    *c = *n;
    if (n->kind == N_MAP) {
        c->u.map.cap = n->u.map.n;
        c->u.map.items = n->u.map.n ? arena_alloc(a, n->u.map.n * sizeof(node_pair)) : NULL;
        for (uint32_t i = 0; i < n->u.map.n; i++) {
            c->u.map.items[i].key = n->u.map.items[i].key; /* keys are never mutated in place */
            c->u.map.items[i].val = node_clone(a, n->u.map.items[i].val);
        }
    } else if (n->kind == N_SEQ) {
        c->u.seq.cap = n->u.seq.n;
        c->u.seq.items = n->u.seq.n ? arena_alloc(a, n->u.seq.n * sizeof(node *)) : NULL;
        for (uint32_t i = 0; i < n->u.seq.n; i++) c->u.seq.items[i] = node_clone(a, n->u.seq.items[i]);
    }
    return c;
}

void node_write(node **slot, node *val)
{
    node *dst = *slot;
    if (!dst || dst == val || !(dst->flags & NF_ALIASED)) {
        *slot = val;
        return;
    }
    *dst = *val;
    dst->flags |= NF_ALIASED;
}

void node_unalias(node *n)
{
    if (!n) return;
    n->flags &= ~(unsigned)NF_ALIASED;
    if (n->kind == N_MAP)
        for (uint32_t i = 0; i < n->u.map.n; i++) node_unalias(n->u.map.items[i].val);
    else if (n->kind == N_SEQ)
        for (uint32_t i = 0; i < n->u.seq.n; i++) node_unalias(n->u.seq.items[i]);
}

int node_equal(const node *a, const node *b)
{
    if (a == b) return 1;
    if (!a || !b || a->kind != b->kind) return 0;
    switch (a->kind) {
    case N_MAP:
        if (a->u.map.n != b->u.map.n) return 0;
        for (uint32_t i = 0; i < a->u.map.n; i++) {
            node *bv = map_getn(b, a->u.map.items[i].key->u.str.s, a->u.map.items[i].key->u.str.len);
            if (!bv || !node_equal(a->u.map.items[i].val, bv)) return 0;
        }
        return 1;
    case N_SEQ:
        if (a->u.seq.n != b->u.seq.n) return 0;
        for (uint32_t i = 0; i < a->u.seq.n; i++)
            if (!node_equal(a->u.seq.items[i], b->u.seq.items[i])) return 0;
        return 1;
    default:
        return a->u.str.len == b->u.str.len && memcmp(a->u.str.s, b->u.str.s, a->u.str.len) == 0;
    }
}

void node_set_pos(node *dst, const node *src)
{
    if (!src) return;
    dst->file = src->file;
    dst->line = src->line;
    dst->col = src->col;
}

const char *node_pos(arena *a, const node *n)
{
    if (!n || !n->file) return "(generated)";
    if (!n->line) return n->file;
    return arena_printf(a, "%s:%u:%u", n->file, n->line, n->col);
}

node *map_getn(const node *m, const char *key, size_t klen)
{
    if (!m || m->kind != N_MAP) return NULL;
    for (uint32_t i = 0; i < m->u.map.n; i++) {
        const node *k = m->u.map.items[i].key;
        if (k->u.str.len == klen && memcmp(k->u.str.s, key, klen) == 0) return m->u.map.items[i].val;
    }
    return NULL;
}

node *map_get(const node *m, const char *key)
{
    return map_getn(m, key, strlen(key));
}

int map_index(const node *m, const char *key)
{
    if (!m || m->kind != N_MAP) return -1;
    size_t klen = strlen(key);
    for (uint32_t i = 0; i < m->u.map.n; i++) {
        const node *k = m->u.map.items[i].key;
        if (k->u.str.len == klen && memcmp(k->u.str.s, key, klen) == 0) return (int)i;
    }
    return -1;
}

static void map_reserve(arena *a, node *m, uint32_t want)
{
    if (want <= m->u.map.cap) return;
    uint32_t cap = m->u.map.cap ? m->u.map.cap * 2 : 4;
    while (cap < want) cap *= 2;
    m->u.map.items = arena_grow(a, m->u.map.items, m->u.map.n * sizeof(node_pair), cap * sizeof(node_pair));
    m->u.map.cap = cap;
}

void map_set(arena *a, node *m, const char *key, node *val)
{
    int i = map_index(m, key);
    if (i >= 0) {
        m->u.map.items[i].val = val;
        return;
    }
    map_reserve(a, m, m->u.map.n + 1);
    m->u.map.items[m->u.map.n].key = node_new_str(a, key);
    m->u.map.items[m->u.map.n].val = val;
    m->u.map.n++;
}

void map_append(arena *a, node *m, node *key, node *val)
{
    map_reserve(a, m, m->u.map.n + 1);
    m->u.map.items[m->u.map.n].key = key;
    m->u.map.items[m->u.map.n].val = val;
    m->u.map.n++;
}

node *map_key(const node *m, const char *key)
{
    int i = map_index(m, key);
    return i >= 0 ? m->u.map.items[i].key : NULL;
}

node *map_ensure_map(arena *a, node *m, const char *key)
{
    node *v = map_get(m, key);
    if (v && v->kind == N_MAP) return v;
    v = node_new(a, N_MAP);
    map_set(a, m, key, v);
    return v;
}

void map_del_at(node *m, uint32_t i)
{
    memmove(&m->u.map.items[i], &m->u.map.items[i + 1], (m->u.map.n - i - 1) * sizeof(node_pair));
    m->u.map.n--;
}

int map_del(node *m, const char *key)
{
    int i = map_index(m, key);
    if (i < 0) return 0;
    map_del_at(m, (uint32_t)i);
    return 1;
}

static void seq_reserve(arena *a, node *s, uint32_t want)
{
    if (want <= s->u.seq.cap) return;
    uint32_t cap = s->u.seq.cap ? s->u.seq.cap * 2 : 4;
    while (cap < want) cap *= 2;
    s->u.seq.items = arena_grow(a, s->u.seq.items, s->u.seq.n * sizeof(node *), cap * sizeof(node *));
    s->u.seq.cap = cap;
}

void seq_push(arena *a, node *s, node *v)
{
    seq_reserve(a, s, s->u.seq.n + 1);
    s->u.seq.items[s->u.seq.n++] = v;
}

void seq_insert(arena *a, node *s, size_t at, node *v)
{
    seq_reserve(a, s, s->u.seq.n + 1);
    memmove(&s->u.seq.items[at + 1], &s->u.seq.items[at], (s->u.seq.n - at) * sizeof(node *));
    s->u.seq.items[at] = v;
    s->u.seq.n++;
}

void seq_del(node *s, size_t at)
{
    memmove(&s->u.seq.items[at], &s->u.seq.items[at + 1], (s->u.seq.n - at - 1) * sizeof(node *));
    s->u.seq.n--;
}

static node *node_vget(const node *m, va_list ap)
{
    const char *k;
    const node *cur = m;
    while ((k = va_arg(ap, const char *)) != NULL) {
        cur = map_get(cur, k);
        if (!cur) return NULL;
    }
    return (node *)cur;
}

node *node_get(const node *m, ...)
{
    va_list ap;
    va_start(ap, m);
    node *r = node_vget(m, ap);
    va_end(ap);
    return r;
}

const char *node_get_str(const node *m, ...)
{
    va_list ap;
    va_start(ap, m);
    node *r = node_vget(m, ap);
    va_end(ap);
    return node_text(r);
}

void list_push(node_list *l, node *n)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v) abort();
    }
    l->v[l->n++] = n;
}

void list_free(node_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}
