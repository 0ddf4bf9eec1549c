#include "meta.h"
#include "buildmeta.h"
#include "err.h"
#include "scalar.h"
#include <string.h>

static const char *kind_name(const node *n)
{
    static const char *const names[] = {"null", "bool", "number", "number", "string", "object", "array"};
    return names[n->kind];
}

/* Configs reach the builtins decoded (godecode.h: kustomization fields and
 * `transformers:` entries alike), so fields already have their Go types:
 * these readers only take absent and null as Go's zero values. */
int meta_string_map(arena *a, const node *m, const char *what, meta_pairs *out)
{
    memset(out, 0, sizeof *out);
    if (!m || m->kind != N_MAP) return 0;
    out->keys = arena_alloc(a, (m->u.map.n + 1) * sizeof *out->keys);
    out->vals = arena_alloc(a, (m->u.map.n + 1) * sizeof *out->vals);
    out->lens = arena_alloc(a, (m->u.map.n + 1) * sizeof *out->lens);
    for (uint32_t i = 0; i < m->u.map.n; i++) {
        const node *v = m->u.map.items[i].val;
        out->keys[out->n] = m->u.map.items[i].key->u.str.s;
        out->lens[out->n] = v->kind == N_STR ? v->u.str.len : 0;
        out->vals[out->n++] = v->kind == N_STR ? v->u.str.s : "";
    }
    (void)what;
    return 0;
}

int meta_string_field(arena *a, const node *config, const char *key, const char **out)
{
    const node *v = map_get(config, key);
    (void)a;
    *out = v && v->kind == N_STR ? v->u.str.s : "";
    return 0;
}

int meta_bool_field(arena *a, const node *config, const char *key, int *out)
{
    (void)a;
    *out = node_is_true(map_get(config, key));
    return 0;
}

int meta_config_fieldspecs(arena *a, const node *config, fieldspecs *out)
{
    return fieldspecs_compile(a, map_get(config, "fieldSpecs"), out);
}

const char *meta_fs_path(const fieldspec *fs)
{
    const char *p = node_get_str(fs->src, "path", NULL);
    return p ? p : "";
}

struct meta_set_ctx {
    arena *a;
    const meta_pairs *pairs;
    node **shared; /* per pair: the value node of this object's places that lacked the key */
};

/* fieldspec visitor: sets every pair as a string entry of the mapping in the
 * slot (a null there becomes a mapping). As kustomize's SetEntry, one value
 * node per object and key goes to every place that lacks the key (those
 * places then share it: a later in-place write shows at all of them), and a
 * place that has the key gets the value written into its node. */
static int meta_set_pairs(void *ctx, resource *r, node **slot)
{
    struct meta_set_ctx *c = ctx;
    if ((*slot)->kind == N_NULL) *slot = node_new(c->a, N_MAP);
    if ((*slot)->kind != N_MAP)
        return err_set("%s: %s: expected a mapping to set %s in, found a %s", node_pos(c->a, *slot),
                       resid_display(c->a, &r->id), c->pairs->n ? c->pairs->keys[0] : "entries",
                       kind_name(*slot));
    for (size_t i = 0; i < c->pairs->n; i++) {
        if (!*c->pairs->keys[i]) /* kyaml's FieldSetter without a name sets the node itself, a scalar */
            return err_set("%s: %s: wrong node kind: expected ScalarNode but got MappingNode (an empty key)",
                           node_pos(c->a, *slot), resid_display(c->a, &r->id));
        node *val = node_new_strn(c->a, c->pairs->vals[i], c->pairs->lens[i]);
        int at = map_index(*slot, c->pairs->keys[i]);
        if (at >= 0) {
            node_write(&(*slot)->u.map.items[at].val, val);
            continue;
        }
        if (!c->shared[i]) {
            c->shared[i] = val;
            c->shared[i]->flags |= NF_ALIASED;
        }
        map_set_plain_key(c->a, *slot, c->pairs->keys[i], c->shared[i]);
    }
    return 0;
}

/* Whether a spec selecting r writes into an absent metadata.annotations
 * that it may not create. kustomize keeps its bookkeeping (origin, previous
 * names, affixes, generator options) in the annotations while it builds, so
 * for it the field is there whenever r has any. */
static int needs_bookkeeping(const fieldspecs *fss, const resource *r)
{
    node *md = map_get(r->obj, "metadata");
    if (!md || md->kind != N_MAP || map_get(md, "annotations")) return 0;
    for (size_t i = 0; i < fss->n; i++) {
        const fieldspec *fs = &fss->v[i];
        if (!fs->create && fs->npath == 2 && !strcmp(fs->path[0], "metadata") &&
            !strcmp(fs->path[1], "annotations") && fieldspec_selects(fs, &r->id))
            return 1;
    }
    return 0;
}

int meta_apply_pairs(kust *k, const node *config, const char *field, resmap *rm)
{
    arena *a = k->b->a;
    meta_pairs pairs;
    fieldspecs fss;
    if (meta_string_map(a, map_get(config, field), field, &pairs) < 0) return -1;
    if (!pairs.n) return 0;
    if (meta_config_fieldspecs(a, config, &fss) < 0) return -1;
    struct meta_set_ctx ctx = {a, &pairs, arena_alloc(a, pairs.n * sizeof(node *))};
    for (size_t i = 0; i < rm->n; i++) {
        memset(ctx.shared, 0, pairs.n * sizeof(node *));
        bookkeeping bk;
        int wrap = needs_bookkeeping(&fss, rm->v[i]);
        if (wrap) buildmeta_enter(k, rm->v[i], &bk);
        int rc = fieldspecs_walk(a, &fss, rm->v[i], N_MAP, meta_set_pairs, &ctx);
        if (wrap) buildmeta_leave(k, rm->v[i], &bk, 0);
        if (rc < 0) return -1;
    }
    return 0;
}
