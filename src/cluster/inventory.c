/* Inventory and prune with the ApplySet convention (KEP-3659), the labels
 * and annotations kubectl's --applyset uses, so both tools see one set:
 *   - the parent (a Secret by default, or a ConfigMap) carries the label
 *     applyset.kubernetes.io/id = applyset-<base64url(sha256(name.ns.Kind.group))>-v1
 *     and the annotations tooling, contains-group-kinds and additional-namespaces;
 *   - every member carries the label applyset.kubernetes.io/part-of = that id.
 * Before members are applied the parent lists the union of the old and new
 * kinds and namespaces (a crash never hides a member from a later prune);
 * after a complete prune it lists exactly what is left.
 * The tooling annotation reads "kubectl/v1.32.0+kgrender", and the parent's
 * fields are applied by kubectl's field manager for parents: kubectl refuses
 * parents of any other tooling name, and the point is that it accepts ours.
 * The parent lives in the namespace of the objects (see parent_namespace). */
#include "apply.h"
#include "err.h"
#include "jsonout.h"
#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#define TOOLING "kubectl/v1.32.0+kgrender"
#define NS_LIST_MAX 8 /* more namespaces than this: one all-namespaces LIST instead */

const char *applyset_id(arena *a, const char *name, const char *ns, const char *kind, const char *group)
{
    const char *in = arena_printf(a, "%s.%s.%s.%s", name, ns, kind, group);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    EVP_Digest(in, strlen(in), md, &mdlen, EVP_sha256(), NULL);
    char b64[64];
    int n = EVP_EncodeBlock((unsigned char *)b64, md, (int)mdlen);
    while (n > 0 && b64[n - 1] == '=') n--;
    b64[n] = 0;
    for (int i = 0; i < n; i++) b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
    return arena_printf(a, "applyset-%s-v1", b64);
}

/* A name usable as an object name: lower case letters, digits, '-' and '.'. */
static const char *dns_name(arena *a, const char *s)
{
    char *out = arena_strdup(a, s);
    size_t w = 0;
    for (const char *p = s; *p; p++) {
        char c = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
        out[w++] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ? c : '-';
    }
    while (w && (out[w - 1] == '-' || out[w - 1] == '.')) w--;
    out[w] = 0;
    while (*out == '-' || *out == '.') out++;
    return out;
}

/* The default parent of `apply DIR`: kgrender-<DIR's name>. */
static const char *default_name(engine *e)
{
    char *real = realpath(e->o->dir, NULL);
    const char *base = real ? strrchr(real, '/') : NULL;
    base = base && base[1] ? base + 1 : "root";
    const char *name = arena_printf(e->a, "kgrender-%s", dns_name(e->a, base));
    free(real);
    return name;
}

/* --applyset [RESOURCE/]NAME, as kubectl spells it (secrets by default). */
static int parse_parent(engine *e, const char *spec)
{
    const char *sl = strchr(spec, '/');
    const char *res = sl ? arena_strndup(e->a, spec, (size_t)(sl - spec)) : "secrets";
    e->parent_name = sl ? sl + 1 : spec;
    if (!strcmp(res, "secrets") || !strcmp(res, "secret")) e->parent_kind = "Secret";
    else if (!strcmp(res, "configmaps") || !strcmp(res, "configmap") || !strcmp(res, "cm")) e->parent_kind = "ConfigMap";
    else return err_set("--applyset %s: the parent must be a Secret or a ConfigMap (secrets/NAME, configmaps/NAME)", spec);
    if (!*e->parent_name || strchr(e->parent_name, '/')) return err_set("--applyset %s: bad parent name", spec);
    return 0;
}

static const char *ann(const node *obj, const char *key)
{
    return node_get_str(obj, "metadata", "annotations", key, NULL);
}

static const char *tooling_name(arena *a, const char *t)
{
    const char *sl = strrchr(t, '/');
    return sl ? arena_strndup(a, t, (size_t)(sl - t)) : t;
}

static int check_parent(engine *e, const node *live)
{
    const char *what = arena_printf(e->a, "%s %s/%s", e->parent_kind, e->parent_ns, e->parent_name);
    const char *id = node_get_str(live, "metadata", "labels", LABEL_SET_ID, NULL);
    const char *tool = ann(live, ANN_SET_TOOLING);
    if (!id) return err_set("%s exists and is not an ApplySet parent (no label %s): choose another --applyset", what, LABEL_SET_ID);
    if (strcmp(id, e->set_id))
        return err_set("%s has label %s=%s, not %s", what, LABEL_SET_ID, id, e->set_id);
    if (tool) {
        const char *t = tooling_name(e->a, tool);
        if (strcmp(t, "kubectl") && strcmp(t, "kgrender"))
            return err_set("%s belongs to the ApplySet tooling \"%s\"; kgrender does not change it", what, tool);
    }
    return 0;
}

/* The parent's namespace: -n when given, else the one namespace every
 * namespaced object is in (kubectl --applyset needs its objects in the
 * parent's namespace), else the context's. */
static const char *parent_namespace(engine *e)
{
    const char *common = NULL;
    if (!cluster_namespace_from_flag(e->c))
        for (size_t i = 0; i < e->n; i++) {
            const char *ns = e->objs[i].ns;
            if (!*ns) continue;
            if (common && strcmp(common, ns)) return cluster_namespace(e->c);
            common = ns;
        }
    return common ? common : cluster_namespace(e->c);
}

int inv_setup(engine *e)
{
    const apply_opts *o = e->o;
    if (!o->applyset && !o->dir) {
        if (o->prune) return err_set("--prune needs an ApplySet: give --applyset [RESOURCE/]NAME");
        return 0;
    }
    if (o->applyset) {
        if (parse_parent(e, o->applyset) < 0) return -1;
    } else {
        e->parent_kind = "Secret";
        e->parent_name = default_name(e);
    }
    e->parent_ns = parent_namespace(e);
    e->parent_res = cluster_find(e->c, "v1", e->parent_kind);
    if (!e->parent_res) return -1;
    e->set_id = applyset_id(e->a, e->parent_name, e->parent_ns, e->parent_kind, "");
    const char *pkey = obj_key(e->a, "", e->parent_kind, e->parent_ns, e->parent_name);
    if (keymap_get(&e->bykey, pkey, NULL))
        return err_set("%s %s/%s is the ApplySet parent and cannot be one of the objects applied", e->parent_kind,
                       e->parent_ns, e->parent_name);
    cluster_ref ref = {e->parent_res, e->parent_ns, e->parent_name};
    cluster_result res;
    strbuf path = STRBUF_INIT;
    cluster_path(&path, ref.res, ref.ns, ref.name);
    cluster_call call = {.method = "GET", .path = path.buf, .idempotent = 1, .arena = e->a,
                         .what = arena_printf(e->a, "ApplySet parent %s %s/%s", e->parent_kind, e->parent_ns, e->parent_name)};
    int rc = cluster_do(e->c, &call, &res, NULL);
    sb_release(&path);
    if (rc < 0 && res.status != 404) return -1;
    err_clear();
    if (rc == 0) {
        e->parent_live = res.json;
        if (check_parent(e, e->parent_live) < 0) return -1;
        e->prev_gks = ann(e->parent_live, ANN_SET_GKS);
        e->prev_ns = ann(e->parent_live, ANN_SET_NS);
    }
    return 0;
}

/* ---- the parent's annotations ------------------------------------------------------ */

static int str_cmp(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Sorted, without duplicates or empty entries, joined by commas. */
static const char *join_set(arena *a, strlist *l)
{
    if (l->n) qsort(l->v, l->n, sizeof *l->v, str_cmp);
    strbuf sb = STRBUF_INIT;
    for (uint32_t i = 0; i < l->n; i++) {
        if (!*l->v[i] || (i && !strcmp(l->v[i], l->v[i - 1]))) continue;
        if (sb.len) sb_addc(&sb, ',');
        sb_adds(&sb, l->v[i]);
    }
    const char *s = arena_strdup(a, sb.buf ? sb.buf : "");
    sb_release(&sb);
    return s;
}

static void split_into(arena *a, strlist *l, const char *csv)
{
    if (!csv) return;
    char *s = arena_strdup(a, csv);
    for (char *save = NULL, *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) strlist_push(a, l, t);
}

static const char *gk_string(arena *a, const char *group, const char *kind)
{
    return *group ? arena_printf(a, "%s.%s", kind, group) : kind;
}

/* The kinds and namespaces the parent lists: this apply's objects, the kept
 * members (prune left them), and before the prune the previous lists too. */
static void desired_sets(engine *e, int final, const char **gks, const char **nss)
{
    strlist g = {0}, n = {0};
    for (size_t i = 0; i < e->n; i++) {
        const aobj *o = &e->objs[i];
        if (!o->res && !o->from_crd) continue;
        strlist_push(e->a, &g, gk_string(e->a, o->group, o->kind));
        if (*o->ns && strcmp(o->ns, e->parent_ns)) strlist_push(e->a, &n, o->ns);
    }
    for (size_t i = 0; i < e->nlive; i++) {
        const live_obj *l = &e->live[i];
        if (l->rendered || (final && !l->kept)) continue;
        strlist_push(e->a, &g, gk_string(e->a, l->res->group, l->res->kind));
        if (l->ns && *l->ns && strcmp(l->ns, e->parent_ns)) strlist_push(e->a, &n, l->ns);
    }
    if (!final) {
        split_into(e->a, &g, e->prev_gks);
        split_into(e->a, &n, e->prev_ns);
    }
    *gks = join_set(e->a, &g);
    *nss = join_set(e->a, &n);
}

static int same(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

static const char *parent_body(engine *e, const char *gks, const char *nss)
{
    arena *a = e->a;
    node *obj = node_new(a, N_MAP), *meta = node_new(a, N_MAP), *labels = node_new(a, N_MAP),
         *anns = node_new(a, N_MAP);
    map_set(a, obj, "apiVersion", node_new_str(a, "v1"));
    map_set(a, obj, "kind", node_new_str(a, e->parent_kind));
    map_set(a, obj, "metadata", meta);
    map_set(a, meta, "name", node_new_str(a, e->parent_name));
    map_set(a, meta, "namespace", node_new_str(a, e->parent_ns));
    map_set(a, meta, "labels", labels);
    map_set(a, labels, LABEL_SET_ID, node_new_str(a, e->set_id));
    map_set(a, meta, "annotations", anns);
    map_set(a, anns, ANN_SET_TOOLING, node_new_str(a, TOOLING));
    map_set(a, anns, ANN_SET_GKS, node_new_str(a, gks));
    if (*nss) map_set(a, anns, ANN_SET_NS, node_new_str(a, nss));
    strbuf sb = STRBUF_INIT;
    json_value(&sb, obj);
    const char *s = arena_strdup(a, sb.buf);
    sb_release(&sb);
    return s;
}

/* The rendered Namespace object the parent lives in, if this apply makes it. */
static int parent_ns_rendered(engine *e)
{
    return keymap_get(&e->bykey, obj_key(e->a, "", "Namespace", "", e->parent_ns), NULL);
}

int inv_parent_apply(engine *e, int final)
{
    if (!e->set_id || e->o->dry_run == DRY_CLIENT) return 0;
    e->parent_pending = 0;
    const char *gks, *nss;
    desired_sets(e, final, &gks, &nss);
    const node *live = e->parent_live;
    if (live && same(ann(live, ANN_SET_GKS), gks) && same(ann(live, ANN_SET_NS), nss) &&
        ann(live, ANN_SET_TOOLING) && !check_parent(e, live))
        return 0; /* nothing to change: no request */
    const char *body = parent_body(e, gks, nss);
    strbuf path = STRBUF_INIT;
    cluster_path(&path, e->parent_res, e->parent_ns, e->parent_name);
    /* kubectl's manager of the parent, so that either tool can update it without conflicts */
    sb_adds(&path, "?fieldManager=kubectl-applyset&force=true");
    if (e->o->dry_run == DRY_SERVER) sb_adds(&path, "&dryRun=All");
    cluster_call call = {.method = "PATCH", .path = path.buf, .content_type = "application/apply-patch+yaml",
                         .body = body, .body_len = strlen(body), .idempotent = 1, .arena = e->a,
                         .what = arena_printf(e->a, "ApplySet parent %s %s/%s", e->parent_kind, e->parent_ns, e->parent_name)};
    cluster_result res;
    int rc = cluster_do(e->c, &call, &res, NULL);
    sb_release(&path);
    if (rc < 0 && res.status == 404 && !final && parent_ns_rendered(e)) {
        err_clear();
        e->parent_pending = 1; /* applied once its Namespace is */
        return 0;
    }
    if (rc < 0) {
        if (final) {
            progress_event_raw(e, call.what, "failed", err_msg());
            e->prune_failed = 1;
        }
        return -1;
    }
    if (e->o->dry_run == DRY_NONE) e->parent_live = res.json;
    return 0;
}

/* ---- what is live ----------------------------------------------------------------------- */

typedef struct lister {
    engine *e;
    const cluster_resource *res;
    arena *a;
    const keymap *scope;          /* namespaces wanted from an all-namespaces list; NULL: all */
} lister;

/* A copy that owns all its memory (node_clone shares strings, and a list
 * page's arena is freed once the page is read). */
static node *deep_copy(arena *a, const node *n)
{
    if (!n) return NULL;
    node *c = arena_alloc(a, sizeof *c);
    *c = *n;
    if (n->kind == N_MAP) {
        c->u.map.cap = n->u.map.n;
        c->u.map.items = arena_alloc(a, (n->u.map.n + 1) * sizeof(node_pair));
        for (uint32_t i = 0; i < n->u.map.n; i++) {
            c->u.map.items[i].key = deep_copy(a, n->u.map.items[i].key);
            c->u.map.items[i].val = deep_copy(a, n->u.map.items[i].val);
        }
    } else if (n->kind == N_SEQ) {
        c->u.seq.cap = n->u.seq.n;
        c->u.seq.items = arena_alloc(a, (n->u.seq.n + 1) * sizeof(node *));
        for (uint32_t i = 0; i < n->u.seq.n; i++) c->u.seq.items[i] = deep_copy(a, n->u.seq.items[i]);
    } else {
        c->u.str.s = arena_strndup(a, n->u.str.s, n->u.str.len);
    }
    return c;
}

static node *meta_copy(arena *a, const node *meta)
{
    node *m = node_new(a, N_MAP);
    static const char *const keys[] = {"name", "namespace", "labels", "annotations", NULL};
    for (int k = 0; keys[k]; k++) {
        const node *v = map_get(meta, keys[k]);
        if (v) map_set(a, m, keys[k], deep_copy(a, v));
    }
    return m;
}

static void add_live(engine *e, const cluster_resource *res, const node *item)
{
    const node *meta = map_get(item, "metadata");
    const char *name = node_get_str(meta, "name", NULL), *ns = node_get_str(meta, "namespace", NULL);
    if (!name) return;
    const char *key = obj_key(e->a, res->group, res->kind, res->namespaced && ns ? ns : "", name);
    if (keymap_get(&e->livemap, key, NULL)) return; /* listed twice (two versions of one kind) */
    int rendered = keymap_get(&e->bykey, key, NULL);
    if (!rendered && !e->set_id) return; /* only members matter for prune */
    if (e->nlive == e->caplive) {
        e->caplive = e->caplive ? e->caplive * 2 : 256;
        e->live = realloc(e->live, e->caplive * sizeof *e->live);
        if (!e->live) abort();
    }
    live_obj *l = &e->live[e->nlive];
    memset(l, 0, sizeof *l);
    l->res = res;
    l->key = key;
    l->rendered = rendered;
    const char *h = node_get_str(meta, "annotations", ANN_HASH, NULL);
    l->hash = h ? arena_strdup(e->a, h) : NULL;
    if (!rendered) {
        l->meta = meta_copy(e->a, meta);
        l->name = node_get_str(l->meta, "name", NULL);
        l->ns = node_get_str(l->meta, "namespace", NULL);
    }
    keymap_put(&e->livemap, key, (uint32_t)e->nlive++);
}

static void on_page(cluster *c, const cluster_result *res, int more, void *ud)
{
    lister *L = ud;
    engine *e = L->e;
    if (res->error) {
        warnf("cannot read the live %s: %s (they are all applied; no prune)", L->res->name, redact(e->a, res->error));
        e->listing_failed = 1;
    } else {
        const node *items = map_get(res->json, "items");
        for (uint32_t i = 0; items && items->kind == N_SEQ && i < items->u.seq.n; i++) {
            const char *ns = node_get_str(items->u.seq.items[i], "metadata", "namespace", NULL);
            if (L->scope && (!ns || !keymap_get(L->scope, ns, NULL))) continue;
            add_live(e, L->res, items->u.seq.items[i]);
        }
    }
    if (!more) {
        arena_free(L->a);
        free(L);
    }
    (void)c;
}

static const cluster_resource *find_gk(engine *e, const char *gk)
{
    const char *dot = strchr(gk, '.');
    const char *kind = dot ? arena_strndup(e->a, gk, (size_t)(dot - gk)) : gk, *group = dot ? dot + 1 : "";
    const cluster_resource *const *all;
    size_t n = cluster_resources(e->c, &all), best = SIZE_MAX;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(all[i]->group, group) && !strcmp(all[i]->kind, kind) && (best == SIZE_MAX || all[i]->preferred))
            best = i;
    return best == SIZE_MAX ? NULL : all[best];
}

static void submit_list(engine *e, const cluster_resource *res, const char *ns, const keymap *scope)
{
    lister *L = calloc(1, sizeof *L);
    L->e = e;
    L->res = res;
    L->a = arena_new();
    L->scope = scope;
    const char *sel = e->set_id ? arena_printf(e->a, "%s=%s", LABEL_PART_OF, e->set_id) : NULL;
    if (cluster_list_meta(e->c, res, ns, sel, L->a, on_page, L) < 0) {
        warnf("cannot read the live %s: %s", res->name, err_msg());
        e->listing_failed = 1;
        arena_free(L->a);
        free(L);
    }
}

/* The types to read: this apply's, and the parent's earlier ones (prune).
 * Namespaces: those of this apply's objects, and with an ApplySet its whole
 * scope (the parent's and its additional namespaces). */
int inv_list_live(engine *e)
{
    if (e->o->force && !e->o->prune) return 0; /* nothing to compare */
    strlist types = {0};
    keymap seen = {0}, scope = {0};
    strlist nss = {0};
    for (size_t i = 0; i < e->n; i++)
        if (e->objs[i].res && !keymap_get(&seen, gk_string(e->a, e->objs[i].group, e->objs[i].kind), NULL))
            keymap_put(&seen, gk_string(e->a, e->objs[i].group, e->objs[i].kind), 0),
                strlist_push(e->a, &types, gk_string(e->a, e->objs[i].group, e->objs[i].kind));
    strlist prev = {0};
    split_into(e->a, &prev, e->prev_gks);
    for (uint32_t i = 0; i < prev.n; i++)
        if (!keymap_get(&seen, prev.v[i], NULL)) keymap_put(&seen, prev.v[i], 0), strlist_push(e->a, &types, prev.v[i]);
    if (e->set_id) {
        strlist_push(e->a, &nss, e->parent_ns);
        split_into(e->a, &nss, e->prev_ns);
    }
    for (size_t i = 0; i < e->n; i++)
        if (*e->objs[i].ns) strlist_push(e->a, &nss, e->objs[i].ns);
    for (uint32_t i = 0; i < nss.n; i++) keymap_put(&scope, nss.v[i], 0);
    for (uint32_t t = 0; t < types.n; t++) {
        const cluster_resource *res = find_gk(e, types.v[t]);
        if (!res) {
            int coming = 0; /* its CRD is part of this apply */
            for (size_t i = 0; i < e->n && !coming; i++)
                coming = e->objs[i].from_crd && !strcmp(gk_string(e->a, e->objs[i].group, e->objs[i].kind), types.v[t]);
            if (!coming) warnf("the server has no %s any more: its ApplySet members cannot be listed", types.v[t]);
            continue;
        }
        if (!res->namespaced) submit_list(e, res, NULL, NULL);
        else if (scope.n > NS_LIST_MAX) submit_list(e, res, NULL, &scope);
        else
            for (size_t s = 0; s < scope.cap; s++)
                if (scope.keys[s]) submit_list(e, res, scope.keys[s], NULL);
    }
    cluster_run(e->c);
    keymap_free(&seen);
    /* all-namespace listers point at scope: they are done once cluster_run returns */
    keymap_free(&scope);
    return 0;
}

/* ---- prune ------------------------------------------------------------------------------------ */

/* Why a member that is no longer rendered stays, or NULL. */
const char *inv_keep_reason(engine *e, const live_obj *l)
{
    if (!strcmp(l->res->group, "apiextensions.k8s.io") && !strcmp(l->res->kind, "CustomResourceDefinition") &&
        !e->o->prune_crds)
        return "CRDs are pruned only with --prune-crds";
    const char *p = node_get_str(l->meta, "annotations", ANN_PRUNE, NULL);
    if (p && !strcmp(p, "disabled")) return ANN_PRUNE ": disabled";
    const char *k = node_get_str(l->meta, "annotations", ANN_KUBEGEMS_IGNORE, NULL);
    if (k && strstr(k, "OnDelete")) return ANN_KUBEGEMS_IGNORE ": OnDelete";
    return NULL;
}

typedef struct pruner {
    engine *e;
    live_obj *l;
    const char *what;
} pruner;

static void on_deleted(cluster *c, const cluster_result *res, void *ud)
{
    pruner *p = ud;
    engine *e = p->e;
    if (!res->error || res->status == 404) {
        e->npruned++;
        progress_event_raw(e, p->what, e->o->dry_run ? "pruned (server dry run)" : "pruned", NULL);
    } else {
        e->prune_failed = 1;
        progress_event_raw(e, p->what, "prune-failed", redact(e->a, res->error));
    }
    free(p);
    (void)c;
}

/* Reverse dependency order: the members to delete form a plan of their own
 * (waves, stages and depends-on from their live annotations); each one's
 * level is the longest chain of dependents after it, and level 0 (nothing
 * depends on it) goes first. */
static uint32_t *prune_levels(engine *e, aobj *objs, size_t n)
{
    uint32_t *lvl = calloc(2 * n + 1, sizeof *lvl);
    plan p;
    if (plan_build(e->a, objs, n, &p) < 0) {
        warnf("pruning without order: %s", err_msg());
        return lvl;
    }
    /* levels in reverse topological order: repeat until stable (n is small) */
    for (int changed = 1; changed;) {
        changed = 0;
        for (size_t i = 0; i < p.n; i++)
            for (uint32_t k = 0; k < p.v[i].nout; k++)
                if (lvl[i] < lvl[p.v[i].out[k]] + 1) lvl[i] = lvl[p.v[i].out[k]] + 1, changed = 1;
    }
    plan_free(&p);
    return lvl;
}

static aobj *prune_objs(engine *e, live_obj **cands, size_t n)
{
    aobj *objs = arena_zalloc(e->a, (n + 1) * sizeof *objs);
    for (size_t i = 0; i < n; i++) {
        live_obj *l = cands[i];
        aobj *o = &objs[i];
        o->obj = node_new(e->a, N_MAP);
        map_set(e->a, o->obj, "metadata", l->meta);
        o->group = l->res->group;
        o->kind = l->res->kind;
        o->name = l->name;
        o->ns = l->ns ? l->ns : "";
        o->key = l->key;
        o->what = *o->ns ? arena_printf(e->a, "%s %s/%s", o->kind, o->ns, o->name) : arena_printf(e->a, "%s %s", o->kind, o->name);
        o->res = l->res;
    }
    return objs;
}

int inv_prune(engine *e)
{
    if (!e->set_id) return 0;
    if (e->nfailed || e->stop) {
        progress_event_raw(e, "prune", "skipped", arena_printf(e->a, "not pruning: %zu object(s) failed", e->nfailed));
        return 0;
    }
    if (e->listing_failed) {
        progress_event_raw(e, "prune", "skipped", "not pruning: the live state could not be read completely");
        e->prune_failed = 1;
        return 0;
    }
    progress_stage(e, "prune");
    live_obj **cands = malloc((e->nlive + 1) * sizeof *cands);
    size_t n = 0;
    for (size_t i = 0; i < e->nlive; i++) {
        live_obj *l = &e->live[i];
        if (l->rendered) continue;
        const char *why = inv_keep_reason(e, l);
        if (why) {
            l->kept = 1;
            progress_event_raw(e, arena_printf(e->a, "%s %s%s%s", l->res->kind, l->ns ? l->ns : "", l->ns ? "/" : "", l->name),
                               "kept", why);
        } else {
            cands[n++] = l;
        }
    }
    aobj *objs = prune_objs(e, cands, n);
    uint32_t *lvl = prune_levels(e, objs, n);
    uint32_t maxl = 0;
    for (size_t i = 0; i < n; i++)
        if (lvl[i] > maxl) maxl = lvl[i];
    for (uint32_t L = 0; n && L <= maxl; L++) {
        for (size_t i = 0; i < n; i++) {
            if (lvl[i] != L) continue;
            if (e->o->dry_run == DRY_CLIENT) {
                e->npruned++;
                progress_event_raw(e, objs[i].what, "pruned (client dry run)", NULL);
                continue;
            }
            pruner *p = calloc(1, sizeof *p);
            p->e = e;
            p->l = cands[i];
            p->what = objs[i].what;
            cluster_ref ref = {objs[i].res, *objs[i].ns ? objs[i].ns : NULL, objs[i].name};
            if (cluster_delete(e->c, &ref, "Background", e->o->dry_run == DRY_SERVER ? CLUSTER_DRY_RUN : 0, NULL,
                               on_deleted, p) < 0) {
                e->prune_failed = 1;
                progress_event_raw(e, p->what, "prune-failed", err_msg());
                free(p);
            }
        }
        cluster_run(e->c);
    }
    free(lvl);
    free(cands);
    if (!e->prune_failed && e->o->dry_run == DRY_NONE) inv_parent_apply(e, 1);
    return e->prune_failed ? -1 : 0;
}
