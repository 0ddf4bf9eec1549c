#include "fieldspec.h"
#include "err.h"
#include <string.h>

void fieldpath_split(arena *a, const char *path, const char ***segs, uint32_t *n)
{
    fieldpath_split_hints(a, path, segs, n, NULL);
}

void fieldpath_split_hints(arena *a, const char *path, const char ***segs, uint32_t *n, uint8_t **hints)
{
    uint32_t cap = 8, cnt = 0;
    const char **v = arena_alloc(a, cap * sizeof *v);
    uint8_t *h = arena_zalloc(a, cap);
    strbuf cur = STRBUF_INIT;
    for (const char *p = path;; p++) {
        if (*p == '\\' && p[1] == '/') {
            sb_addc(&cur, '/');
            p++;
            continue;
        }
        if (*p == '/' || *p == 0) {
            size_t len = cur.len;
            int seq = len >= 2 && !strcmp(cur.buf + len - 2, "[]");
            if (seq) len -= 2;
            if (len || *p == '/') {
                if (cnt == cap) {
                    v = arena_grow(a, v, cap * sizeof *v, cap * 2 * sizeof *v);
                    h = arena_grow(a, h, cap, cap * 2);
                    memset(h + cap, 0, cap);
                    cap *= 2;
                }
                h[cnt] = (uint8_t)seq;
                v[cnt++] = arena_strndup(a, cur.buf ? cur.buf : "", len);
            }
            sb_reset(&cur);
            if (*p == 0) break;
            continue;
        }
        sb_addc(&cur, *p);
    }
    sb_release(&cur);
    *segs = v;
    *n = cnt;
    if (hints) *hints = h;
}

static const char *opt_str(const node *m, const char *key)
{
    const char *s = node_get_str(m, key, NULL);
    return s && *s ? s : NULL;
}

int fieldspecs_compile(arena *a, const node *seq, fieldspecs *out)
{
    out->n = 0;
    out->v = NULL;
    if (!seq || seq->kind == N_NULL) return 0;
    if (seq->kind != N_SEQ) return err_set("%s: fieldSpecs must be a list", node_pos(a, seq));
    out->v = arena_zalloc(a, (seq->u.seq.n + 1) * sizeof *out->v);
    for (uint32_t i = 0; i < seq->u.seq.n; i++) {
        const node *e = seq->u.seq.items[i];
        if (e->kind != N_MAP) return err_set("%s: a field spec must be a mapping", node_pos(a, e));
        fieldspec *fs = &out->v[out->n++];
        fs->group = opt_str(e, "group");
        fs->version = opt_str(e, "version");
        fs->kind = opt_str(e, "kind");
        const char *path = node_get_str(e, "path", NULL);
        uint8_t *hints;
        fieldpath_split_hints(a, path ? path : "", &fs->path, &fs->npath, &hints);
        fs->seqhint = hints;
        node *create = map_get(e, "create");
        fs->create = node_is_true(create);
        fs->src = e;
    }
    return 0;
}

int fieldspec_selects(const fieldspec *fs, const resid *id)
{
    return (!fs->kind || !strcmp(fs->kind, id->kind)) && (!fs->group || !strcmp(fs->group, id->group)) &&
           (!fs->version || !strcmp(fs->version, id->version));
}

struct walk {
    arena *a;
    const fieldspec *fs;
    resource *r;
    int create_kind;
    fieldspec_visit_fn fn;
    void *ctx;
};

static int walk(struct walk *w, node *cur, uint32_t depth, node **slot);

static int walk_field(struct walk *w, node *m, uint32_t depth)
{
    const char *key = w->fs->path[depth];
    int last = depth + 1 == w->fs->npath;
    /* As kustomize: nothing is created without a creation kind from the
     * caller, nor at a segment written "x[]". */
    int create = w->fs->create && w->create_kind >= 0 && !(w->fs->seqhint && w->fs->seqhint[depth]);
    int idx = map_index(m, key);
    if (idx < 0) {
        if (!create) return 0;
        int kind = last ? w->create_kind : N_MAP;
        node *fresh = node_new(w->a, kind);
        map_set(w->a, m, key, fresh);
        idx = (int)m->u.map.n - 1;
    }
    node **slot = &m->u.map.items[idx].val;
    if ((*slot)->kind == N_NULL && create) *slot = node_new(w->a, last ? w->create_kind : N_MAP);
    return walk(w, *slot, depth + 1, slot);
}

static int walk(struct walk *w, node *cur, uint32_t depth, node **slot)
{
    if (depth == w->fs->npath) return w->fn(w->ctx, w->r, slot);
    if (cur->kind == N_SEQ) {
        for (uint32_t i = 0; i < cur->u.seq.n; i++)
            if (walk(w, cur->u.seq.items[i], depth, &cur->u.seq.items[i]) < 0) return -1;
        return 0;
    }
    if (cur->kind == N_MAP) return walk_field(w, cur, depth);
    if (cur->kind == N_NULL) return 0;
    return err_set("%s: %s: expected a mapping or a list at '%s', found a scalar", node_pos(w->a, cur),
                   resid_display(w->a, &w->r->id), w->fs->path[depth]);
}

int fieldspec_walk(arena *a, const fieldspec *fs, resource *r, int create_kind, fieldspec_visit_fn fn, void *ctx)
{
    struct walk w = {a, fs, r, create_kind, fn, ctx};
    if (!fs->npath) return 0;
    return walk(&w, r->obj, 0, &r->obj);
}

int fieldspecs_walk(arena *a, const fieldspecs *fss, resource *r, int create_kind, fieldspec_visit_fn fn, void *ctx)
{
    for (size_t i = 0; i < fss->n; i++)
        if (fieldspec_selects(&fss->v[i], &r->id) && fieldspec_walk(a, &fss->v[i], r, create_kind, fn, ctx) < 0)
            return -1;
    return 0;
}
