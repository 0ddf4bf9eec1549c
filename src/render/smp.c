/* Strategic merge patch: a port of kyaml's merge2 walker (yaml/walk and
 * yaml/merge2 in kustomize/kyaml v0.18.1) with ListIncreaseDirection
 * prepend, the mode kustomize's patch filter uses. The port keeps kyaml's
 * element matching and list rebuilding step by step (ElementSetter,
 * ElementMatcher, FieldMatcher) because their corner cases show in the
 * output: null and empty-map list elements vanish from merged lists,
 * elements that exist only in the patch come first, and multi-key lists
 * (ports) re-append the existing elements after the new ones. */
#include "smp.h"
#include "scalar.h"
#include "err.h"
#include <string.h>

enum { D_UNKNOWN, D_REPLACE, D_DELETE, D_MERGE };

typedef struct mctx {
    arena *a;
    const smp_schema *ss;
} mctx;

static int is_null(const node *n) { return n && n->kind == N_NULL; }
static int missing_or_null(const node *n) { return !n || n->kind == N_NULL; }
static int is_empty_map(const node *n) { return n && n->kind == N_MAP && n->u.map.n == 0; }
static int is_empty_collection(const node *n)
{
    return is_empty_map(n) || (n && n->kind == N_SEQ && n->u.seq.n == 0);
}

/* A node's text as yaml.v3 holds it in Node.Value ("" for collections). */
static const char *value_of(const node *n)
{
    if (!n || n->kind >= N_MAP || (n->flags & NF_EMPTY_NULL)) return "";
    return n->u.str.s;
}

static const char *kind_name(const node *n)
{
    return n->kind == N_MAP ? "MappingNode" : n->kind == N_SEQ ? "SequenceNode" : "ScalarNode";
}

static int wrong_kind(mctx *c, const node *n, const char *want)
{
    return err_set("%s: strategic merge: wrong node kind: expected %s but got %s", node_pos(c->a, n), want,
                   kind_name(n));
}

/* kyaml FieldMatcher. With a name: the value of that field of map rn, only
 * when its text equals want (want NULL: any value). Without a name: rn
 * itself when its text equals want ("" when NULL). */
static int field_match(mctx *c, const node *rn, const char *name, const char *want, node **out)
{
    *out = NULL;
    if (missing_or_null(rn)) return 0;
    if (!*name) {
        if (rn->kind >= N_MAP) return wrong_kind(c, rn, "ScalarNode");
        if (!strcmp(value_of(rn), want ? want : "")) *out = (node *)rn;
        return 0;
    }
    if (rn->kind != N_MAP) return wrong_kind(c, rn, "MappingNode");
    node *v = map_get(rn, name);
    if (v && (!want || !strcmp(value_of(v), want))) *out = v;
    return 0;
}

static const char *const no_key[1] = {""};

/* kyaml ElementSetter: drops null and empty-map elements, replaces every
 * element whose keys have the given values by elem (drops them when elem is
 * NULL), appends elem when none matched. An empty value matches any value. */
static int element_set(mctx *c, node *seq, node *elem, const char *const *keys, uint32_t nkeys,
                       const char *const *vals, uint32_t nvals)
{
    if (!nkeys) {
        keys = no_key;
        nkeys = 1;
    }
    int mapping_setter = keys[0][0] && nvals > 0 && vals[0][0];
    uint32_t w = 0;
    int matched = 0;
    for (uint32_t i = 0; i < seq->u.seq.n; i++) {
        node *it = seq->u.seq.items[i];
        if (missing_or_null(it) || is_empty_map(it)) continue;
        if (it->kind != N_MAP && mapping_setter) {
            seq->u.seq.items[w++] = it;
            continue;
        }
        node *val = NULL;
        int found = 1;
        for (uint32_t j = 0; j < nkeys; j++) {
            if (j < nvals && field_match(c, it, keys[j], vals[j][0] ? vals[j] : NULL, &val) < 0) return -1;
            if (!val) {
                found = 0;
                break;
            }
        }
        if (!found) {
            if (nvals > 0) seq->u.seq.items[w++] = it;
            continue;
        }
        matched = 1;
        if (elem) seq->u.seq.items[w++] = elem;
    }
    seq->u.seq.n = w;
    if (!missing_or_null(elem) && !matched) seq_push(c->a, seq, elem);
    return 0;
}

/* kyaml ElementMatcher (RNode.ElementList): the first map element whose
 * keys have exactly these values; for no key, the first element whose text
 * is vals[0]. */
static node *element_match(const node *seq, const char *const *keys, const char *const *vals, uint32_t n)
{
    if (!seq || seq->kind != N_SEQ) return NULL;
    if (!n || !keys[0][0]) {
        for (uint32_t i = 0; i < seq->u.seq.n; i++)
            if (!strcmp(value_of(seq->u.seq.items[i]), n ? vals[0] : "")) return seq->u.seq.items[i];
        return NULL;
    }
    for (uint32_t i = 0; i < seq->u.seq.n; i++) {
        node *it = seq->u.seq.items[i];
        if (it->kind != N_MAP) continue;
        uint32_t k = 0;
        for (; k < n; k++) {
            node *f = map_get(it, keys[k]);
            if (!f || strcmp(value_of(f), vals[k])) break;
        }
        if (k == n) return it;
    }
    return NULL;
}

static int directive_of(const char *v)
{
    return !strcmp(v, "delete") ? D_DELETE : !strcmp(v, "replace") ? D_REPLACE : !strcmp(v, "merge") ? D_MERGE
                                                                                                 : D_UNKNOWN;
}

/* kyaml determineSmpDirective: reads `$patch` from a patch map (or from the
 * lone-key element of a patch list) and removes it. */
static int directive(mctx *c, node *patch, int *ps)
{
    *ps = D_MERGE;
    if (!patch) return 0;
    if (patch->kind == N_MAP) {
        node *v = map_get(patch, "$patch");
        if (!v) return 0;
        *ps = directive_of(value_of(v));
        if (*ps == D_UNKNOWN) return err_set("%s: unknown patch strategy '%s'", node_pos(c->a, v), value_of(v));
        map_del(patch, "$patch");
        return 0;
    }
    if (patch->kind == N_SEQ) {
        node *el = NULL;
        for (uint32_t i = 0; i < patch->u.seq.n && !el; i++)
            if (map_get(patch->u.seq.items[i], "$patch")) el = patch->u.seq.items[i];
        if (!el || el->u.map.n > 1) return 0;
        const char *v = value_of(map_get(el, "$patch"));
        *ps = directive_of(v);
        if (*ps == D_UNKNOWN) return err_set("%s: unknown patch strategy '%s'", node_pos(c->a, el), v);
        const char *key = "$patch";
        return element_set(c, patch, NULL, &key, 1, &v, 1);
    }
    *ps = D_UNKNOWN;
    return err_set("%s: no implemented strategic merge patch strategy for '%s'", node_pos(c->a, patch),
                   value_of(patch));
}

static int walk(mctx *c, node *dest, node *origin, const sch *s, node **out, int *keep);

/* kyaml Walker.GetSchema: the schema handed down, else the type's own schema
 * when the node says its apiVersion and kind. */
static const sch *schema_for(mctx *c, const sch *s, node *dest, node *origin)
{
    if (s) return s;
    node *src[2] = {dest, origin};
    for (int i = 0; i < 2; i++) {
        if (missing_or_null(src[i]) || src[i]->kind != N_MAP) continue;
        const sch *t = sch_for_type(c->ss, node_get_str(src[i], "apiVersion", NULL), node_get_str(src[i], "kind", NULL));
        if (t) return t;
    }
    return NULL;
}

/* kyaml's FieldSetter, writing a collection into an existing field (in
 * place), gives it the old one's flow or block style (the patch's own is
 * lost); scalars take the old style in scalar_field_set. */
static node *take_style(mctx *c, node *val, const node *old)
{
    if (val == old || val->kind < N_MAP || !((val->flags ^ old->flags) & NF_FLOW)) return val;
    node *n = node_clone(c->a, val); /* the patch's node may be another object's too */
    n->flags ^= NF_FLOW;
    return n;
}

/* kyaml walkMap with Merger.VisitMap. */
static int walk_map(mctx *c, node *dest, node *origin, const sch *s, node **out, int *keep)
{
    node *d;
    int ps;
    if (missing_or_null(dest)) {
        if (directive(c, origin, &ps) < 0) ps = D_UNKNOWN; /* kyaml ignores the error here */
        if (ps == D_DELETE) return 0;
        if (!origin && dest && !(dest->flags & NF_EMPTY_NULL)) { /* an explicit null stays */
            *out = dest;
            *keep = 1;
            return 0;
        }
        d = origin;
    } else if (is_null(origin)) {
        return 0;
    } else {
        if (directive(c, origin, &ps) < 0) return -1;
        if (ps == D_DELETE) return 0;
        d = ps == D_REPLACE ? origin : dest;
    }
    *out = d;
    if (!d || d->kind != N_MAP) return 0;
    node *o = origin && origin->kind == N_MAP && origin != d ? origin : NULL;
    uint32_t nd = d->u.map.n, no = o ? o->u.map.n : 0, n = 0;
    const char **names = arena_alloc(c->a, (nd + no + 1) * sizeof *names);
    for (uint32_t i = 0; i < nd; i++) names[n++] = d->u.map.items[i].key->u.str.s;
    for (uint32_t i = 0; i < no; i++)
        if (!map_get(d, o->u.map.items[i].key->u.str.s)) names[n++] = o->u.map.items[i].key->u.str.s;
    for (uint32_t i = 0; i < n; i++) {
        node *ov = origin && origin->kind == N_MAP ? map_get(origin, names[i]) : NULL;
        node *val;
        int k;
        if (walk(c, map_get(d, names[i]), ov, s ? sch_field(c->ss, s, names[i]) : NULL, &val, &k) < 0) return -1;
        if (!*names[i]) return wrong_kind(c, d, "ScalarNode"); /* kyaml's FieldSetter: no name sets d itself */
        int at = map_index(d, names[i]);
        if (val && !(is_null(val) && !k)) val = scalar_field_set(c->a, val, at >= 0 ? d->u.map.items[at].val : NULL);
        if (!val || (is_null(val) && !k)) map_del(d, names[i]);
        else if (at >= 0) node_write(&d->u.map.items[at].val, take_style(c, val, d->u.map.items[at].val));
        else if (map_key(o, names[i])) map_append(c->a, d, map_key(o, names[i]), val); /* kyaml adds the patch's key */
        else map_set(c->a, d, names[i], val);
    }
    return 0;
}

/* One key-values tuple of an associative list element. */
typedef struct tuple {
    const char **v;
} tuple;

static int tuple_eq(const tuple *a, const tuple *b, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        if (strcmp(a->v[i], b->v[i])) return 0;
    return 1;
}

/* kyaml elementValues: each element's key values, patch first, deduplicated. */
static uint32_t element_values(mctx *c, node *const src[2], const char *const *keys, uint32_t nkeys, tuple **out)
{
    uint32_t cap = 0, n = 0;
    for (int s = 0; s < 2; s++)
        if (src[s] && src[s]->kind == N_SEQ) cap += src[s]->u.seq.n;
    tuple *t = arena_alloc(c->a, (cap + 1) * sizeof *t);
    for (int s = 0; s < 2 && nkeys; s++) {
        if (!src[s] || src[s]->kind != N_SEQ) continue;
        for (uint32_t i = 0; i < src[s]->u.seq.n; i++) {
            node *el = src[s]->u.seq.items[i];
            t[n].v = arena_alloc(c->a, nkeys * sizeof *t[n].v);
            for (uint32_t k = 0; k < nkeys; k++) {
                node *f = el->kind == N_MAP ? map_get(el, keys[k]) : NULL;
                int empty = !f || f->kind == N_NULL || (f->kind == N_MAP && !f->u.map.n) || (f->kind == N_SEQ && !f->u.seq.n);
                t[n].v[k] = empty ? "" : value_of(f);
            }
            uint32_t j = 0;
            while (j < n && !tuple_eq(&t[j], &t[n], nkeys)) j++;
            if (j == n) n++;
        }
    }
    *out = t;
    return n;
}

/* kyaml elementPrimitiveValues: the distinct texts of the elements, patch first. */
static uint32_t primitive_values(mctx *c, node *const src[2], tuple **out)
{
    uint32_t cap = 0, n = 0;
    for (int s = 0; s < 2; s++)
        if (src[s] && src[s]->kind == N_SEQ) cap += src[s]->u.seq.n;
    tuple *t = arena_alloc(c->a, (cap + 1) * sizeof *t);
    for (int s = 0; s < 2; s++) {
        if (!src[s] || src[s]->kind != N_SEQ) continue;
        for (uint32_t i = 0; i < src[s]->u.seq.n; i++) {
            const char *v = value_of(src[s]->u.seq.items[i]);
            uint32_t j = 0;
            while (j < n && strcmp(t[j].v[0], v)) j++;
            if (j < n) continue;
            t[n].v = arena_alloc(c->a, sizeof *t[n].v);
            t[n++].v[0] = v;
        }
    }
    *out = t;
    return n;
}

/* kyaml mergeValues: tuples that agree where both have values share the union. */
static void merge_values(mctx *c, tuple *t, uint32_t n, uint32_t nkeys)
{
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t j = 0; j < n; j++) {
            const char **res = arena_alloc(c->a, nkeys * sizeof *res);
            int common = 0, ok = 1;
            for (uint32_t k = 0; k < nkeys && ok; k++) {
                const char *x = t[i].v[k], *y = t[j].v[k];
                if (!strcmp(x, y)) {
                    common = 1;
                    res[k] = x;
                } else if (*x && *y) {
                    ok = 0;
                } else {
                    res[k] = *x ? x : y;
                }
            }
            if (ok && common) t[i].v = t[j].v = res;
        }
    }
}

/* kyaml validateKeys: the keys that have a value in some tuple (all keys
 * when none has), with this tuple's values for them. */
static uint32_t valid_keys(mctx *c, const tuple *all, uint32_t n, const tuple *t, const char *const *keys,
                           uint32_t nkeys, const char ***vk, const char ***vv)
{
    *vk = arena_alloc(c->a, nkeys * sizeof **vk);
    *vv = arena_alloc(c->a, nkeys * sizeof **vv);
    uint32_t m = 0;
    for (uint32_t k = 0; k < nkeys; k++) {
        int set = 0;
        for (uint32_t i = 0; i < n && !set; i++) set = all[i].v[k][0] != 0;
        if (!set) continue;
        (*vk)[m] = keys[k];
        (*vv)[m++] = t->v[k];
    }
    if (m) return m;
    for (uint32_t k = 0; k < nkeys; k++) {
        (*vk)[k] = keys[k];
        (*vv)[k] = t->v[k];
    }
    return nkeys;
}

/* kyaml appendListNode: puts each element of src into dst by its keys. */
static int append_list(mctx *c, node *dst, node *src, const char *const *keys, uint32_t nkeys)
{
    const char **vals = arena_alloc(c->a, (nkeys + 1) * sizeof *vals);
    for (uint32_t i = 0; i < src->u.seq.n; i++) {
        node *el = src->u.seq.items[i];
        if (!keys[0][0]) {
            const char *v = value_of(el);
            if (element_set(c, dst, el, keys, 1, &v, 1) < 0) return -1;
            continue;
        }
        uint32_t nv = 0;
        for (uint32_t k = 0; k < nkeys; k++) {
            node *f;
            if (field_match(c, el, keys[k], NULL, &f) < 0) return -1;
            if (!f) seq_push(c->a, dst, el);
            else vals[nv++] = value_of(f);
        }
        if (nkeys > 1 && element_set(c, dst, NULL, keys, nkeys, vals, nv) < 0) return -1;
        if (element_set(c, dst, el, keys, nkeys, vals, nv) < 0) return -1;
    }
    return 0;
}

/* kyaml setAssociativeSequenceElements: merges element by element into a
 * new list, then lays the existing elements over it. */
static int set_elements(mctx *c, const sch *s, tuple *vl, uint32_t n, const char *const *keys, uint32_t nkeys,
                        node *d, node *origin, node **out)
{
    node *items = node_new(c->a, N_SEQ);
    node_set_pos(items, d);
    const sch *es = sch_elements(c->ss, s);
    if (nkeys > 1) merge_values(c, vl, n, nkeys);
    const char **vk = NULL, **vv = NULL;
    uint32_t nv = 0;
    for (uint32_t i = 0; i < n; i++) {
        nv = valid_keys(c, vl, n, &vl[i], keys, nkeys, &vk, &vv);
        const char **mk, **mv;
        tuple self = {(const char **)vv};
        uint32_t nm = valid_keys(c, &self, 1, &self, vk, nv, &mk, &mv);
        node *val;
        int keep;
        if (walk(c, element_match(d, mk, mv, nm), element_match(origin, mk, mv, nm), es, &val, &keep) < 0) return -1;
        if (missing_or_null(val) || is_empty_map(val)) {
            if (element_set(c, d, NULL, vk, nv, vv, nv) < 0) return -1;
            continue;
        }
        for (uint32_t k = 0; k < nv; k++) {
            if (!vv[k][0] || (val->kind == N_MAP && map_get(val, vk[k]))) continue;
            if (val->kind != N_MAP) {
                if (*vk[k]) return wrong_kind(c, val, "MappingNode");
                continue; /* a scalar element keeps its own text */
            }
            node *kv = node_new_str(c->a, vv[k]);
            map_set(c->a, val, vk[k], kv);
        }
        if (element_set(c, items, val, vk, nv, vv, nv) < 0) return -1;
    }
    if (n) {
        if (append_list(c, items, d, vk, nv) < 0) return -1;
        d = items;
    }
    *out = d;
    return 0;
}

/* kyaml walkAssociativeSequence with Merger.VisitList. */
static int walk_assoc(mctx *c, node *dest, node *origin, const sch *s, node **out)
{
    node *d;
    int ps;
    if (missing_or_null(dest)) {
        d = origin;
    } else if (is_null(origin)) {
        return 0;
    } else {
        if (directive(c, origin, &ps) < 0) return -1;
        if (ps == D_DELETE) return 0;
        d = ps == D_REPLACE ? origin : dest;
    }
    *out = d;
    if (!d) return 0;
    node *src[2] = {origin, d}; /* prepend: the patch's elements first */
    tuple *vl;
    uint32_t n = element_values(c, src, s->keys, s->nkeys, &vl);
    if (n || s->nkeys) return set_elements(c, s, vl, n, s->keys, s->nkeys, d, origin, out);
    n = primitive_values(c, src, &vl);
    return set_elements(c, s, vl, n, no_key, 1, d, origin, out);
}

static int category(const node *n)
{
    return n->kind == N_MAP ? N_MAP : n->kind == N_SEQ ? N_SEQ : N_STR;
}

static int walk(mctx *c, node *dest, node *origin, const sch *s, node **out, int *keep)
{
    *out = NULL;
    *keep = 0;
    s = schema_for(c, s, dest, origin);
    int kind = !missing_or_null(dest) ? category(dest) : !missing_or_null(origin) ? category(origin) : N_MAP;
    node *src[2] = {dest, origin};
    for (int i = 0; i < 2; i++)
        if (!missing_or_null(src[i]) && category(src[i]) != kind)
            return wrong_kind(c, src[i], kind == N_MAP ? "MappingNode" : kind == N_SEQ ? "SequenceNode" : "ScalarNode");
    /* merge2's SetStyle: an empty collection takes the patch's flow or block style */
    if (origin && is_empty_collection(dest))
        dest->flags = (dest->flags & ~(unsigned)NF_FLOW) | (origin->flags & NF_FLOW);
    if (kind == N_MAP) return walk_map(c, dest, origin, s, out, keep);
    if (kind == N_SEQ) {
        if (s && s->merge) return walk_assoc(c, dest, origin, s, out);
        *out = origin ? origin : dest;
        return 0;
    }
    *out = origin ? origin : dest; /* the style is the FieldSetter's business (walk_map) */
    return 0;
}

int smp_merge(arena *a, const smp_schema *ss, node *obj, node *patch, node **result)
{
    mctx c = {a, ss};
    int keep;
    return walk(&c, obj, patch, NULL, result, &keep);
}
