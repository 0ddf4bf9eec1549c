/* Name-reference fix-ups at the end of the top-level build: every field
 * named by the nameReference configuration (target kind -> referrer field
 * specs) that still holds a target's earlier name gets the target's current
 * name. Semantics of kustomize v5.5.0's api/filters/nameref and
 * accumulator/namereferencetransformer.go:
 * - a referrer is selected by its original id; a candidate target must have
 *   the value among its previous names and a previous id of the entry's kind;
 * - candidates are narrowed to what the referrer can see (cluster-scoped
 *   objects, its own namespace, ServiceAccounts a RoleBinding names), for
 *   roleRef/name to the roleRef's kind, and for {name, namespace} maps to
 *   that namespace; then, if still several, to the same prefixes/suffixes;
 * - several candidates with different names: "found multiple possible
 *   referrals".
 * Linear: candidates come from a hash index over previous names, and the
 * specs that may apply from an index over referrer kinds. */
#include "build.h"
#include "err.h"
#include "scalar.h"
#include "fieldspec.h"
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* ---- a string multimap in the arena (values in insertion order on lookup) ---- */

typedef struct mm_entry {
    uint64_t h;
    const char *key;
    void *val;
    int32_t next;
} mm_entry;

typedef struct multimap {
    int32_t *heads;
    size_t nb;
    mm_entry *e;
    size_t n, cap;
} multimap;

static void mm_init(arena *a, multimap *m, size_t expect)
{
    memset(m, 0, sizeof *m);
    m->nb = 64;
    while (m->nb < expect * 2) m->nb *= 2;
    m->heads = arena_alloc(a, m->nb * sizeof *m->heads);
    memset(m->heads, 0xff, m->nb * sizeof *m->heads);
}

static void mm_put(arena *a, multimap *m, const char *key, void *val)
{
    if (m->n == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        m->e = arena_grow(a, m->e, m->n * sizeof *m->e, cap * sizeof *m->e);
        m->cap = cap;
    }
    uint64_t h = XXH3_64bits(key, strlen(key));
    size_t b = h & (m->nb - 1);
    m->e[m->n] = (mm_entry){h, key, val, m->heads[b]};
    m->heads[b] = (int32_t)m->n++;
}

/* Values under key, oldest first, into out (heap-grown); returns the count. */
static size_t mm_get(const multimap *m, const char *key, void ***out, size_t *cap)
{
    uint64_t h = XXH3_64bits(key, strlen(key));
    size_t n = 0;
    for (int32_t i = m->heads[h & (m->nb - 1)]; i >= 0; i = m->e[i].next) {
        if (m->e[i].h != h || strcmp(m->e[i].key, key)) continue;
        if (n == *cap) {
            *cap = *cap ? *cap * 2 : 16;
            *out = realloc(*out, *cap * sizeof **out);
            if (!*out) abort();
        }
        (*out)[n++] = m->e[i].val;
    }
    for (size_t i = 0; i < n / 2; i++) {
        void *t = (*out)[i];
        (*out)[i] = (*out)[n - 1 - i];
        (*out)[n - 1 - i] = t;
    }
    return n;
}

static int mm_has(const multimap *m, const char *key)
{
    uint64_t h = XXH3_64bits(key, strlen(key));
    for (int32_t i = m->heads[h & (m->nb - 1)]; i >= 0; i = m->e[i].next)
        if (m->e[i].h == h && !strcmp(m->e[i].key, key)) return 1;
    return 0;
}

/* ---- the rules ---- */

typedef struct nref_spec {
    const fieldspec *fs;
    const char *path;
    resid target;  /* group/version/kind of the entry; "" matches any */
    int roleref;   /* path ends in roleRef/name: also match the roleRef's kind */
} nref_spec;

typedef struct nref {
    arena *a;
    nref_spec *specs;
    size_t nspecs;
    multimap spec_by_kind;   /* referrer kind -> spec index + 1 */
    size_t *any_kind;        /* specs without a kind */
    size_t nany;
    multimap by_prev_name;   /* previous name -> resource */
    multimap ns_pairs;       /* "original-ns\1current-ns" of namespaced objects */
    void **buf;
    size_t bufcap;
} nref;

static const char *opt(const node *m, const char *key)
{
    const char *s = node_get_str(m, key, NULL);
    return s ? s : "";
}

static int load_specs(nref *x, const node *cat)
{
    arena *a = x->a;
    size_t cap = 0;
    for (uint32_t i = 0; cat && cat->kind == N_SEQ && i < cat->u.seq.n; i++) {
        const node *e = cat->u.seq.items[i];
        fieldspecs fss;
        if (fieldspecs_compile(a, map_get(e, "fieldSpecs"), &fss) < 0) return -1;
        if (x->nspecs + fss.n > cap) {
            size_t ncap = (cap + fss.n) * 2;
            x->specs = arena_grow(a, x->specs, x->nspecs * sizeof *x->specs, ncap * sizeof *x->specs);
            cap = ncap;
        }
        for (size_t j = 0; j < fss.n; j++) {
            const char *path = opt(fss.v[j].src, "path");
            size_t pl = strlen(path);
            nref_spec *s = &x->specs[x->nspecs++];
            s->fs = &fss.v[j];
            s->path = path;
            s->target = (resid){opt(e, "group"), opt(e, "version"), opt(e, "kind"), "", ""};
            s->roleref = pl >= 12 && !strcmp(path + pl - 12, "roleRef/name");
        }
    }
    mm_init(a, &x->spec_by_kind, x->nspecs);
    x->any_kind = arena_alloc(a, (x->nspecs + 1) * sizeof *x->any_kind);
    for (size_t i = 0; i < x->nspecs; i++) {
        if (x->specs[i].fs->kind) mm_put(a, &x->spec_by_kind, x->specs[i].fs->kind, (void *)(i + 1));
        else x->any_kind[x->nany++] = i;
    }
    return 0;
}

/* Earlier ids, oldest first (kustomize's PrevIds; the current id is not one). */
static const resid *prev_ids(const resource *r, uint32_t *n)
{
    *n = r->nprev;
    return r->prev;
}

static const resid *org_id(const resource *r)
{
    return resource_org_id(r);
}

static int gvk_selected(const resid *id, const char *group, const char *version, const char *kind)
{
    return (!*group || !strcmp(group, id->group)) && (!*version || !strcmp(version, id->version)) &&
           (!*kind || !strcmp(kind, id->kind));
}

static int any_prev_selected(const resource *r, const char *group, const char *version, const char *kind)
{
    uint32_t n;
    const resid *p = prev_ids(r, &n);
    for (uint32_t i = 0; i < n; i++)
        if (gvk_selected(&p[i], group, version, kind)) return 1;
    return 0;
}

static void index_objects(nref *x, const resmap *rm)
{
    arena *a = x->a;
    mm_init(a, &x->by_prev_name, rm->n);
    mm_init(a, &x->ns_pairs, rm->n);
    for (size_t i = 0; i < rm->n; i++) {
        resource *r = rm->v[i];
        uint32_t n;
        const resid *p = prev_ids(r, &n);
        for (uint32_t j = 0; j < n; j++) {
            int seen = 0;
            for (uint32_t q = 0; q < j && !seen; q++) seen = !strcmp(p[q].name, p[j].name);
            if (!seen) mm_put(a, &x->by_prev_name, p[j].name, r);
        }
        if (resid_is_cluster_scoped(&r->id)) continue;
        const char *orig = resid_effective_ns(org_id(r));
        const char *cur = resid_effective_ns(&r->id);
        if (!mm_has(&x->ns_pairs, arena_printf(a, "%s\1%s", orig, cur)))
            mm_put(a, &x->ns_pairs, arena_printf(a, "%s\1%s", orig, cur), r);
        if (strcmp(cur, r->id.ns) && !mm_has(&x->ns_pairs, arena_printf(a, "%s\1%s", orig, r->id.ns)))
            mm_put(a, &x->ns_pairs, arena_printf(a, "%s\1%s", orig, r->id.ns), r);
    }
}

/* ---- one referrer ---- */

typedef struct referrer {
    nref *x;
    resource *r;
    const nref_spec *spec;
    int cluster;            /* cluster-scoped referrers see everything */
    const char *ns;         /* effective namespace */
    strlist rb_ns;          /* a RoleBinding's ServiceAccount subject namespaces */
    const char *rr_group, *rr_kind; /* roleRef apiGroup and kind, when both present */
} referrer;

static int rb_has(const referrer *f, const char *ns)
{
    for (uint32_t i = 0; i < f->rb_ns.n; i++)
        if (!strcmp(f->rb_ns.v[i], ns)) return 1;
    return 0;
}

static int referrer_init(nref *x, resource *r, referrer *f)
{
    memset(f, 0, sizeof *f);
    f->x = x;
    f->r = r;
    f->cluster = resid_is_cluster_scoped(&r->id);
    f->ns = resid_effective_ns(&r->id);
    const node *rr = map_get(r->obj, "roleRef");
    if (node_get_str(rr, "apiGroup", NULL) && node_get_str(rr, "kind", NULL)) {
        f->rr_group = node_get_str(rr, "apiGroup", NULL);
        f->rr_kind = node_get_str(rr, "kind", NULL);
    }
    if (f->cluster || strcmp(r->id.kind, "RoleBinding")) return 0;
    const node *subjects = map_get(r->obj, "subjects");
    for (uint32_t i = 0; subjects && subjects->kind == N_SEQ && i < subjects->u.seq.n; i++) {
        const node *s = subjects->u.seq.items[i];
        /* kustomize's getNamespacesForRoleBinding panics on these (interface conversion). */
        if (s->kind != N_MAP)
            return err_set("%s: %s: a RoleBinding subject must be a mapping", node_pos(x->a, s),
                           resid_display(x->a, &r->id));
        const node *ns = map_get(s, "namespace"), *kn = map_get(s, "kind");
        if (ns && kn && (kn->kind != N_STR || (kn->flags & NF_TIMESTAMP))) /* a timestamp decodes as time.Time */
            return err_set("%s: %s: a RoleBinding subject's kind must be a string", node_pos(x->a, kn),
                           resid_display(x->a, &r->id));
        const char *kind = node_strval(kn);
        if (!ns || !kind || strcmp(kind, "ServiceAccount")) continue;
        if (ns->kind != N_STR)
            return err_set("%s: %s: a ServiceAccount subject's namespace must be a string", node_pos(x->a, ns),
                           resid_display(x->a, &r->id));
        strlist_push(x->a, &f->rb_ns, ns->u.str.s);
    }
    return 0;
}

/* SubsetThatCouldBeReferencedByResource and sameCurrentNamespaceAsReferrer together. */
static int in_scope(const referrer *f, const resource *c)
{
    if (f->cluster || resid_is_cluster_scoped(&c->id)) return 1;
    if (!strcmp(f->ns, resid_effective_ns(&c->id))) return 1;
    return !strcmp(c->id.kind, "ServiceAccount") && rb_has(f, c->id.ns);
}

/* Would GroupedByOriginalNamespace of the referrer's candidates hold ns? */
static int orig_ns_visible(const referrer *f, const char *ns)
{
    const multimap *p = &f->x->ns_pairs;
    arena *a = f->x->a;
    if (f->cluster) {
        for (size_t i = 0; i < p->n; i++)
            if (!strncmp(p->e[i].key, ns, strlen(ns)) && p->e[i].key[strlen(ns)] == '\1') return 1;
        return 0;
    }
    if (mm_has(p, arena_printf(a, "%s\1%s", ns, f->ns))) return 1;
    for (uint32_t i = 0; i < f->rb_ns.n; i++)
        if (mm_has(p, arena_printf(a, "%s\1%s", ns, f->rb_ns.v[i]))) return 1;
    return 0;
}

/* utils.SameEndingSubSlice */
static int same_ending(const strlist *x, const strlist *y)
{
    const strlist *s = x->n <= y->n ? x : y, *l = x->n <= y->n ? y : x;
    uint32_t diff = l->n - s->n;
    if (!s->n) return diff == 0;
    for (uint32_t i = 0; i < s->n; i++)
        if (strcmp(l->v[i + diff], s->v[i])) return 0;
    return 1;
}

static int affixes_match(const strlist *x, const strlist *y, int strict)
{
    return (!strict && (!x->n || !y->n)) || same_ending(x, y);
}

/* How a {name, namespace} map narrows candidates; ns NULL for plain names. */
typedef struct ns_filter {
    int mapping;     /* a map: the referral's namespace matters too */
    const char *ns;  /* the map's namespace, if it has one */
    int by_orig;
} ns_filter;

static int ns_ok(const ns_filter *nf, const resource *c)
{
    if (!nf->ns) return 1;
    if (resid_is_cluster_scoped(&c->id)) return 0;
    const char *have = resid_effective_ns(nf->by_orig ? org_id(c) : &c->id);
    return !strcmp(have, nf->ns);
}

static const char *raw_ns(const resource *c)
{
    return node_get_str(c->obj, "metadata", "namespace", NULL) ? c->id.ns : "";
}

static int all_identical(resource **c, size_t n, int with_ns)
{
    for (size_t i = 1; i < n; i++)
        if (strcmp(c[i]->id.name, c[0]->id.name) || (with_ns && strcmp(raw_ns(c[i]), raw_ns(c[0])))) return 0;
    return 1;
}

/* selectReferral: the target the value old names, NULL when none (or error). */
static int select_referral(referrer *f, const node *where, const char *old, const ns_filter *nf, resource **out)
{
    nref *x = f->x;
    const nref_spec *s = f->spec;
    size_t n = mm_get(&x->by_prev_name, old, &x->buf, &x->bufcap), m = 0;
    resource **c = (resource **)x->buf;
    for (size_t i = 0; i < n; i++) {
        resource *r = c[i];
        if (!any_prev_selected(r, s->target.group, s->target.version, s->target.kind)) continue;
        if (s->roleref && f->rr_kind && !any_prev_selected(r, f->rr_group, "", f->rr_kind)) continue;
        if (!in_scope(f, r) || !ns_ok(nf, r)) continue;
        c[m++] = r;
    }
    *out = NULL;
    /* kustomize sieves twice: first letting an empty prefix/suffix list on
     * either side match anything, then requiring the same endings. */
    for (int strict = 0; strict < 2 && m > 1; strict++) {
        size_t k = 0;
        for (size_t i = 0; i < m; i++)
            if (affixes_match(&c[i]->prefixes, &f->r->prefixes, strict) &&
                affixes_match(&c[i]->suffixes, &f->r->suffixes, strict))
                c[k++] = c[i];
        m = k;
    }
    if (m == 0) return 0;
    if (m == 1 || all_identical(c, m, nf->mapping)) {
        *out = c[0];
        return 0;
    }
    strbuf ids = STRBUF_INIT;
    for (size_t i = 0; i < m; i++) sb_addf(&ids, "%s%s", i ? ", " : "", resid_display(x->a, &c[i]->id));
    err_set("%s: updating name reference in '%s' field of %s: found multiple possible referrals: %s",
            node_pos(x->a, where), s->path, resid_display(x->a, &f->r->id), ids.buf);
    sb_release(&ids);
    return -1;
}

static int set_scalar(referrer *f, node **slot)
{
    const char *old = node_text(*slot);
    ns_filter nf = {0};
    resource *t;
    if (select_referral(f, *slot, old, &nf, &t) < 0) return -1;
    if (t && strcmp(t->id.name, old)) *slot = scalar_set_untagged(f->x->a, t->id.name, *slot);
    return 0;
}

/* A {name, namespace} map such as a binding subject or a webhook's service. */
static int set_mapping(referrer *f, node *m)
{
    arena *a = f->x->a;
    int ni = map_index(m, "name");
    if (ni < 0)
        return err_set("%s: %s: name reference field '%s' must hold a 'name'", node_pos(a, m),
                       resid_display(a, &f->r->id), f->spec->path);
    node **name = &m->u.map.items[ni].val;
    const char *old = node_text(*name);
    ns_filter nf = {.mapping = 1};
    const node *nsn = map_get(m, "namespace");
    if (nsn) {
        /* kyaml's Value: a scalar's text as written (null, ~ or empty for a
         * null), "" for a mapping or list, which then names no namespace.
         * (A blank namespace fails only for RoleBinding ServiceAccount
         * subjects: referrer_init.) */
        nf.ns = node_is_scalar(nsn) ? node_text(nsn) : "";
        nf.by_orig = orig_ns_visible(f, nf.ns);
    }
    resource *t;
    if (!old || select_referral(f, m, old, &nf, &t) < 0) return old ? -1 : 0;
    const char *tns = t ? raw_ns(t) : "";
    if (!t || (!strcmp(t->id.name, old) && !*tns)) return 0;
    /* FieldSetter{StringValue}: untagged values, as kyaml writes them */
    *name = scalar_set_untagged(a, t->id.name, *name);
    if (*tns) {
        node *v = scalar_set_untagged(a, tns, nsn);
        if (!nsn) node_set_pos(v, m);
        map_set(a, m, "namespace", v);
    }
    return 0;
}

static int visit(void *ctx, resource *r, node **slot)
{
    referrer *f = ctx;
    node *v = *slot;
    (void)r;
    if (v->kind == N_NULL) return 0;
    if (v->kind == N_MAP) return set_mapping(f, v);
    if (v->kind != N_SEQ) return set_scalar(f, slot);
    for (uint32_t i = 0; i < v->u.seq.n; i++) {
        node **e = &v->u.seq.items[i];
        if ((*e)->kind == N_MAP) {
            if (set_mapping(f, *e) < 0) return -1;
        } else if ((*e)->kind != N_SEQ) {
            if ((*e)->kind != N_NULL && set_scalar(f, e) < 0) return -1;
        } else {
            return err_set("%s: %s: name reference field '%s' must hold names or {name, namespace} maps",
                           node_pos(f->x->a, *e), resid_display(f->x->a, &f->r->id), f->spec->path);
        }
    }
    return 0;
}

/* Specs that may select kind, in configuration order. */
static size_t specs_for(nref *x, const char *kind, size_t **out)
{
    size_t n = mm_get(&x->spec_by_kind, kind, &x->buf, &x->bufcap);
    size_t *v = arena_alloc(x->a, (n + x->nany + 1) * sizeof *v);
    size_t i = 0, j = 0, k = 0;
    while (i < n || j < x->nany) {
        size_t si = i < n ? (size_t)x->buf[i] - 1 : (size_t)-1;
        size_t aj = j < x->nany ? x->any_kind[j] : (size_t)-1;
        if (si < aj) v[k++] = si, i++;
        else v[k++] = aj, j++;
    }
    *out = v;
    return k;
}

static int fix_referrer(nref *x, resource *r)
{
    const resid *org = org_id(r);
    size_t *idx;
    size_t n = specs_for(x, org->kind, &idx);
    referrer f;
    int ready = 0;
    for (size_t i = 0; i < n; i++) {
        const nref_spec *s = &x->specs[idx[i]];
        if (!fieldspec_selects(s->fs, org)) continue;
        if (!ready && referrer_init(x, r, &f) < 0) return -1;
        ready = 1;
        f.spec = s;
        if (fieldspec_walk(x->a, s->fs, r, -1, visit, &f) < 0) return -1;
    }
    return 0;
}

int namereference_fix(kust *k, resmap *rm)
{
    nref x = {.a = k->b->a};
    if (load_specs(&x, k->tc->cat[FS_NAMEREFERENCE]) < 0) return -1;
    index_objects(&x, rm);
    int rc = 0;
    /* Walk even when nothing was renamed: the walk also validates referrals (blank namespaces). */
    for (size_t i = 0; rc == 0 && i < rm->n; i++) rc = fix_referrer(&x, rm->v[i]);
    free(x.buf);
    return rc;
}
