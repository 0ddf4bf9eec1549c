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

/* SetEntry's value node for pair i: one per object, shared by every place
 * that gets it (NF_ALIASED: a later in-place write shows at all of them). */
static node *entry_value(struct meta_set_ctx *c, size_t i)
{
    if (!c->shared[i]) {
        c->shared[i] = node_new_strn(c->a, c->pairs->vals[i], c->pairs->lens[i]);
        c->shared[i]->flags |= NF_ALIASED;
    }
    return c->shared[i];
}

/* fieldspec visitor: sets every pair as a string entry of the mapping in the
 * slot (a null there becomes a mapping), as kustomize's SetEntry: the pair's
 * one value node goes to every place that lacks the key, and a place that
 * has the key gets a copy written into its node, after the value node itself
 * took that field's style (kyaml's FieldSetter), which the places sharing it
 * then show too. */
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
        node *val = entry_value(c, i);
        int at = map_index(*slot, c->pairs->keys[i]);
        if (at < 0) {
            scalar_setter_style_in_place(val, NULL);
            map_set_plain_key(c->a, *slot, c->pairs->keys[i], val);
            continue;
        }
        node **field = &(*slot)->u.map.items[at].val;
        if (*field == val) continue; /* already this node: setting it onto itself changes nothing */
        scalar_setter_style_in_place(val, *field);
        node *copy = node_clone(c->a, val);
        copy->flags &= ~(unsigned)NF_ALIASED;
        node_write(field, copy);
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

/* kyaml's GetLabels/GetAnnotations: the field's content is read pairwise
 * whatever its kind (a list [a, b] gives a: b, a scalar nothing), keys and
 * values as their text ("" for collections). An odd-length list makes
 * kyaml panic. */
static int read_string_pairs(arena *a, const node *f, node *out)
{
    uint32_t n = !f ? 0 : f->kind == N_MAP ? f->u.map.n * 2 : f->kind == N_SEQ ? f->u.seq.n : 0;
    if (n % 2) return err_set("%s: a list of odd length cannot be read as key/value pairs", node_pos(a, f));
    for (uint32_t i = 0; i < n; i += 2) {
        const node *k = f->kind == N_MAP ? f->u.map.items[i / 2].key : f->u.seq.items[i];
        const node *v = f->kind == N_MAP ? f->u.map.items[i / 2].val : f->u.seq.items[i + 1];
        const char *kt = node_text(k), *vt = node_text(v);
        map_set(a, out, kt ? kt : "", scalar_new_string(a, vt ? vt : "", vt ? v->u.str.len : 0));
        node_set_pos(out->u.map.items[out->u.map.n - 1].key, k);
    }
    return 0;
}

/* kyaml's GetX/SetX round trip of labels or annotations (field): values
 * become strings, an empty map goes away, and the new keys are untagged,
 * so one that yaml.v3 reads as no string fails the output. An empty key
 * makes SetField fail before any key is set: with fail_empty_key that is
 * an error, else (callers that ignore it) the field is left empty and 1 is
 * returned. */
int meta_rebuild_string_map(arena *a, node *md, const char *field, int fail_empty_key)
{
    node *m = node_new(a, N_MAP);
    if (read_string_pairs(a, map_get(md, field), m) < 0) return -1;
    int empty_key = map_get(m, "") != NULL;
    if (empty_key && fail_empty_key)
        return err_set("%s: %s: wrong node kind: an empty key cannot be set", node_pos(a, map_get(md, field)), field);
    for (uint32_t i = 0; i < m->u.map.n; i++) {
        node *k = m->u.map.items[i].key;
        if (scalar_plain_key_not_str(a, k->u.str.s, k->u.str.len)) k->flags |= NF_KEY_NOT_STR;
    }
    if (empty_key || !m->u.map.n) map_del(md, field);
    else map_set(a, md, field, m);
    return empty_key;
}
