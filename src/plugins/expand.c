/* The expansion driver, run on the built and sorted top-level objects:
 * Plugin objects are taken out, the enabled ones rendered one nesting level
 * at a time (a template plugin's output may hold more Plugins: they form the
 * next level), then the dependency graph is checked and ordered, and each
 * plugin's objects get their namespace, annotations and kustomize's order
 * before they follow the build's other objects, plugin by plugin. */
#include "plugin_impl.h"
#include "err.h"
#include "jsonout.h"
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_DEPTH 8

/* Namespaces every cluster has: never created (and so never pruned) by a plugin. */
static const char *const system_namespaces[] = {"default", "kube-system", "kube-public", "kube-node-lease", NULL};

static void push_plugin(expander *x, plugin *p)
{
    if (x->n == x->cap) {
        size_t cap = x->cap ? x->cap * 2 : 16;
        x->all = arena_grow(x->b->a, x->all, x->n * sizeof *x->all, cap * sizeof *x->all);
        x->cap = cap;
    }
    x->all[x->n++] = p;
}

/* The nesting chain "a -> b -> c" ending at p. */
static const char *chain(arena *a, const plugin *p)
{
    const char *s = p->name;
    for (const plugin *q = p->parent; q; q = q->parent) s = arena_printf(a, "%s -> %s", q->name, s);
    return s;
}

/* --enable / --disable, the last one naming the plugin wins. */
static void apply_toggles(const expander *x, plugin *p)
{
    for (size_t i = 0; i < x->po->ntoggles; i++)
        if (!strcmp(x->po->toggles[i] + 1, p->name)) p->enabled = x->po->toggles[i][0] == '+';
}

static int add_plugin(expander *x, resource *r, plugin *parent)
{
    arena *a = x->b->a;
    plugin *p;
    if (plugin_parse(x, r, parent, &p) < 0) return -1;
    int max = x->po->max_depth ? x->po->max_depth : DEFAULT_MAX_DEPTH;
    for (const plugin *q = parent; q; q = q->parent)
        if (!strcmp(q->name, p->name))
            return err_set("%s: plugin cycle: %s (template plugin %s renders Plugin %s again)", p->where,
                           chain(a, p), parent->name, p->name);
    if (p->depth > max)
        return err_set("%s: plugins nested deeper than %d levels: %s", p->where, max, chain(a, p));
    plugin *dup = plugin_find(x, p->name);
    if (dup)
        return err_set("%s: plugin %s is declared twice (also at %s%s%s); plugin names must be unique", p->where,
                       p->name, dup->where, dup->parent ? ", rendered by " : "", dup->parent ? dup->parent->name : "");
    apply_toggles(x, p);
    push_plugin(x, p);
    return 0;
}

/* Moves the Plugin objects of p's output into new plugins (the next level). */
static int split_children(expander *x, plugin *p)
{
    size_t w = 0, first = x->n;
    for (size_t i = 0; i < p->out.n; i++) {
        resource *r = p->out.v[i];
        if (!plugin_is_plugin(r->obj)) {
            p->out.v[w++] = r;
            continue;
        }
        if (add_plugin(x, r, p) < 0) return -1;
    }
    p->out.n = w;
    resmap_reindex(&p->out);
    /* Children come after the objects their parent renders beside them (a namespace, CRDs...). */
    plugin_dep d = {.name = p->name, .ns = "", .version = "", .op = "", .from = "it renders the Plugin"};
    for (size_t i = first; w && i < x->n; i++) plugin_add_dep(x->b->a, x->all[i], d);
    return 0;
}

/* Renders level after level until no enabled plugin is left unrendered. */
static int render_levels(expander *x)
{
    size_t from = 0;
    while (from < x->n) {
        size_t to = x->n, n = 0;
        plugin **level = malloc((to - from) * sizeof *level);
        for (size_t i = from; i < to; i++)
            if (x->all[i]->enabled) level[n++] = x->all[i];
        int rc = plugin_render_all(x, level, n);
        for (size_t i = 0; rc == 0 && i < n; i++) rc = split_children(x, level[i]);
        free(level);
        if (rc < 0) return -1;
        from = to;
    }
    return 0;
}

static int check_name(expander *x, const char *flag, const char *arg, const char *name)
{
    arena *a = x->b->a;
    if ((!strcmp(flag, "--set") && !strcmp(name, "global")) || plugin_find(x, name)) return 0;
    const char *known = "";
    for (size_t j = 0; j < x->n; j++) known = arena_printf(a, "%s%s%s", known, j ? ", " : "", x->all[j]->name);
    return err_set("%s %s: no plugin named '%s' in the build (plugins: %s)", flag, arg, name, x->n ? known : "none");
}

/* Every plugin name the command line uses must exist. */
static int check_names(expander *x)
{
    arena *a = x->b->a;
    const plugin_options *po = x->po;
    for (size_t i = 0; i < po->nsets; i++) {
        strlist names = {0};
        values_set_scopes(a, po->sets[i], &names);
        for (uint32_t j = 0; j < names.n; j++)
            if (check_name(x, "--set", po->sets[i], names.v[j]) < 0) return -1;
    }
    for (size_t i = 0; i < po->nvalues; i++) {
        const char *name = arena_strndup(a, po->values[i], strcspn(po->values[i], "="));
        if (check_name(x, "--values", po->values[i], name) < 0) return -1;
    }
    for (size_t i = 0; i < po->ntoggles; i++)
        if (check_name(x, po->toggles[i][0] == '+' ? "--enable" : "--disable", po->toggles[i] + 1,
                       po->toggles[i] + 1) < 0)
            return -1;
    return 0;
}

/* ---- finishing the objects ---- */

static int has_name(const strlist *l, const char *s)
{
    for (uint32_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i], s)) return 1;
    return 0;
}

/* Kinds the build's CRDs declare cluster-scoped ("group/Kind"). */
static void note_crd_scope(arena *a, const resmap *m, strlist *cluster_kinds)
{
    for (size_t i = 0; i < m->n; i++) {
        const resource *r = m->v[i];
        if (strcmp(r->id.kind, "CustomResourceDefinition")) continue;
        const char *scope = node_get_str(r->obj, "spec", "scope", NULL);
        const char *group = node_get_str(r->obj, "spec", "group", NULL);
        const char *kind = node_get_str(r->obj, "spec", "names", "kind", NULL);
        if (scope && group && kind && !strcmp(scope, "Cluster"))
            strlist_push(a, cluster_kinds, arena_printf(a, "%s/%s", group, kind));
    }
}

static void note_namespaces(const resmap *m, arena *a, strlist *have)
{
    for (size_t i = 0; i < m->n; i++)
        if (!*m->v[i]->id.group && !strcmp(m->v[i]->id.kind, "Namespace")) strlist_push(a, have, m->v[i]->id.name);
}

static node *annotations_of(arena *a, resource *r)
{
    return map_ensure_map(a, map_ensure_map(a, r->obj, "metadata"), "annotations");
}

/* kgrender.io/plugin names the plugin; kgrender.io/apply-wave orders it after
 * the plugins it depends on. Waves, not per-object depends-on edges: apply
 * stages each wave (Namespaces and CRDs, then cluster prerequisites, then the
 * rest) as a whole, and an edge from a plugin's Namespace to another plugin's
 * Deployment would cross those stages backwards (a cycle). An object that
 * carries a wave of its own keeps it, shifted by the plugin's. */
static void annotate(arena *a, const plugin *p, resource *r)
{
    node *anns = annotations_of(a, r);
    map_set(a, anns, PLUGIN_ANN_NAME, node_new_str(a, p->name));
    if (!p->wave) return;
    const char *have = node_get_str(anns, PLUGIN_ANN_WAVE, NULL);
    long own = have ? strtol(have, NULL, 10) : 0;
    map_set(a, anns, PLUGIN_ANN_WAVE, node_new_str(a, arena_printf(a, "%ld", own + p->wave)));
}

/* A plugin's wave: one past the highest wave of what it depends on (order
 * lists dependencies first). */
static void set_wave(const expander *x, plugin *p)
{
    p->wave = 0;
    for (size_t i = 0; i < p->ndeps; i++) {
        const plugin *d = plugin_find(x, p->deps[i].name);
        if (d && d->enabled && d->wave + 1 > p->wave) p->wave = d->wave + 1;
    }
}

static resource *new_namespace(arena *a, const char *name)
{
    node *obj = node_new(a, N_MAP), *md = node_new(a, N_MAP);
    map_set(a, obj, "apiVersion", node_new_str(a, "v1"));
    map_set(a, obj, "kind", node_new_str(a, "Namespace"));
    map_set(a, md, "name", node_new_str(a, name));
    map_set(a, obj, "metadata", md);
    resource *r;
    resource_new(a, obj, &r);
    r->generated = 1;
    return r;
}

/* Namespace, created namespaces, annotations, images and order of one plugin's objects. */
static int finish_plugin(expander *x, plugin *p, const strlist *cluster_kinds, strlist *have_ns)
{
    arena *a = x->b->a;
    resmap m = {0};
    for (uint32_t i = 0; i < p->create_ns.n; i++) {
        const char *ns = p->create_ns.v[i];
        int sys = 0;
        for (const char *const *s = system_namespaces; *s && !sys; s++) sys = !strcmp(*s, ns);
        if (sys || has_name(have_ns, ns)) continue;
        strlist_push(a, have_ns, ns);
        resmap_push(&m, new_namespace(a, ns));
    }
    for (size_t i = 0; i < p->out.n; i++) {
        resource *r = p->out.v[i];
        const char *gk = arena_printf(a, "%s/%s", r->id.group, r->id.kind);
        if (!*r->id.ns && !resid_is_cluster_scoped(&r->id) && !has_name(cluster_kinds, gk)) {
            map_set(a, map_ensure_map(a, r->obj, "metadata"), "namespace", node_new_str(a, p->install_ns));
            resource_refresh_id(r);
        }
        if (!r->origin || !strncmp(r->origin, "helm template", 13)) r->origin = p->r->origin;
        resmap_push(&m, r);
    }
    for (size_t i = 0; i < m.n; i++) annotate(a, p, m.v[i]);
    resmap_free(&p->out);
    p->out = m;
    resmap_reindex(&p->out);
    if (plugin_rewrite_images(x->b, p) < 0) return -1;
    drop_local_config(&p->out);
    return sort_resources(a, &p->out, x->sort_options);
}

/* Two plugins (or a plugin and the build) must not render the same object. */
static int append_object(arena *a, resmap *out, const plugin *p, resource *r)
{
    resource *old = resmap_find(out, &r->id);
    if (!old) return resmap_append(a, out, r);
    const char *owner = node_get_str(old->obj, "metadata", "annotations", PLUGIN_ANN_NAME, NULL);
    return err_set("plugin %s renders %s, which %s%s renders too (give one of them another name or namespace)",
                   p->name, resid_display(a, &r->id), owner ? "plugin " : "the build outside plugins",
                   owner ? owner : "");
}

/* Tells plugin_options.on_rendered what p came to. */
static void report_rendered(const expander *x, const plugin *p)
{
    if (!x->po->on_rendered) return;
    strbuf v = STRBUF_INIT;
    if (p->merged) json_value(&v, p->merged);
    else sb_adds(&v, "{}");
    const char *app = p->chart_meta ? node_text(map_get(p->chart_meta, "appVersion")) : NULL;
    const char *ver = p->chart_version && *p->chart_version ? p->chart_version : p->version;
    x->po->on_rendered(x->po->on_rendered_ud, p->name, v.buf, ver ? ver : "", app ? app : "");
    sb_release(&v);
}

/* The build's objects, then each plugin's in dependency order. */
static int assemble(expander *x, resmap *rest, plugin **order, size_t n, resmap *rm)
{
    arena *a = x->b->a;
    strlist cluster_kinds = {0}, have_ns = {0};
    note_crd_scope(a, rest, &cluster_kinds);
    note_namespaces(rest, a, &have_ns);
    for (size_t i = 0; i < n; i++) note_crd_scope(a, &order[i]->out, &cluster_kinds);
    for (size_t i = 0; i < n; i++) note_namespaces(&order[i]->out, a, &have_ns);
    resmap out = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < rest->n; i++) resmap_push(&out, rest->v[i]);
    resmap_reindex(&out);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        plugin *p = order[i];
        set_wave(x, p);
        rc = finish_plugin(x, p, &cluster_kinds, &have_ns);
        if (rc == 0) report_rendered(x, p);
        for (size_t j = 0; rc == 0 && j < p->out.n; j++)
            rc = append_object(a, &out, p, p->out.v[j]);
    }
    resmap_free(rm);
    *rm = out;
    return rc;
}

/* Takes the Plugins out of rm (into x) and renders them; rest gets the other objects. */
static int discover(expander *x, resmap *rm, resmap *rest)
{
    for (size_t i = 0; i < rm->n; i++) {
        resource *r = rm->v[i];
        if (!plugin_is_plugin(r->obj)) resmap_push(rest, r);
        else if (add_plugin(x, r, NULL) < 0) return -1;
    }
    resmap_reindex(rest);
    x->built = rest;
    if (plugin_global_values(x) < 0 || render_levels(x) < 0) return -1;
    return check_names(x);
}

static void release(expander *x, resmap *rest)
{
    for (size_t i = 0; i < x->n; i++) resmap_free(&x->all[i]->out);
    if (x->helm_ready) helm_run_done(&x->helm);
    resmap_free(rest);
}

static void init(expander *x, build *b, kust *top, plugin_options *po)
{
    memset(x, 0, sizeof *x);
    x->b = b;
    x->po = po;
    x->sort_options = map_get(top->k, "sortOptions");
}

static int has_plugins(const resmap *rm)
{
    for (size_t i = 0; i < rm->n; i++)
        if (plugin_is_plugin(rm->v[i]->obj)) return 1;
    return 0;
}

static int expand_hook(build *b, kust *top, resmap *rm, void *ctx)
{
    plugin_options *po = ctx;
    /* A build without Plugins (and no plugin named on the command line) stays untouched. */
    if (!po->nsets && !po->nvalues && !po->ntoggles && !has_plugins(rm)) return 0;
    expander x;
    init(&x, b, top, ctx);
    resmap rest = {0};
    plugin **order = NULL;
    size_t n = 0;
    int rc = discover(&x, rm, &rest);
    if (rc == 0) rc = plugin_graph_order(&x, 0, &order, &n);
    if (rc == 0) rc = assemble(&x, &rest, order, n, rm);
    release(&x, &rest);
    return rc;
}

void plugins_attach(build_options *opt, plugin_options *po)
{
    opt->expand = po->keep ? NULL : expand_hook;
    opt->expand_ctx = po;
}

/* ---- kgrender plugins ---- */

typedef struct table_ctx {
    plugin_options *po;
    int json;
    const plugin_health *health;
    strbuf *out;
} table_ctx;


static int table_hook(build *b, kust *top, resmap *rm, void *ctx)
{
    table_ctx *t = ctx;
    expander x;
    init(&x, b, top, t->po);
    resmap rest = {0};
    plugin **order = NULL;
    size_t n = 0;
    int rc = discover(&x, rm, &rest);
    if (rc == 0) rc = plugin_graph_order(&x, 1, &order, &n);
    if (rc == 0) {
        for (size_t i = 0; i < n; i++)
            if (!order[i]->install_ns || !*order[i]->install_ns) order[i]->install_ns = order[i]->ns;
        plugins_format(order, n, t->json, t->health, t->out);
    }
    release(&x, &rest);
    return rc;
}

/* kgrender pull: the build fetches what enabled plugins need; disabled ones are fetched too, for later. */
static int pull_hook(build *b, kust *top, resmap *rm, void *ctx)
{
    table_ctx *t = ctx;
    expander x;
    init(&x, b, top, t->po);
    resmap rest = {0};
    int rc = discover(&x, rm, &rest);
    for (size_t i = 0; rc == 0 && i < x.n; i++)
        if (!x.all[i]->enabled) rc = plugin_resolve_source(&x, x.all[i]);
    for (size_t i = 0; rc == 0 && i < x.n; i++) {
        plugin *p = x.all[i];
        if (p->fetched) sb_addf(t->out, "%s: %s -> %s\n", p->name, p->url, p->fetched);
        else sb_addf(t->out, "%s: %s (local)\n", p->name, p->source);
    }
    release(&x, &rest);
    return rc;
}

static int run_with(const char *dir, const build_options *opt, table_ctx *t,
                    int (*hook)(build *, kust *, resmap *, void *))
{
    build b = {.a = arena_new(), .opt = *opt};
    b.opt.expand = hook;
    b.opt.expand_ctx = t;
    resmap rm = {0};
    int rc = build_objects(&b, dir, &rm);
    resmap_free(&rm);
    arena_free(b.a);
    return rc;
}

int plugins_table(const char *dir, const build_options *opt, plugin_options *po, int json,
                  const plugin_health *health, strbuf *out)
{
    table_ctx t = {po, json, health, out};
    return run_with(dir, opt, &t, table_hook);
}

int plugins_pull(const char *dir, const build_options *opt, plugin_options *po, strbuf *report)
{
    table_ctx t = {po, 0, NULL, report};
    if (po->offline) return err_set("kgrender pull fills the cache from the network: --offline makes no sense here");
    return run_with(dir, opt, &t, pull_hook);
}
