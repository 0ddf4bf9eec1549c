/* Reading a Plugin object: every spec field, with the design note's aliases
 * (enabled for disabled, repo for url, name for chart), type checks that name
 * the field, and the kubegems catalogue's Chart.yaml annotations. */
#include "plugin_impl.h"
#include "err.h"
#include <string.h>
#include <strings.h>

const char *const plugin_kind_names[] = {"helm", "template", "kustomize", "native", NULL};

static const char *const spec_fields[] = {"disabled", "enabled", "kind", "url", "repo", "chart", "name", "version",
                                          "path", "installNamespace", "dependencies", "values", "valuesFrom",
                                          "fileOverrides", NULL};

int plugin_is_plugin(const node *obj)
{
    const char *av = node_get_str(obj, "apiVersion", NULL), *kind = node_get_str(obj, "kind", NULL);
    return av && kind && !strcmp(av, PLUGIN_API_VERSION) && !strcmp(kind, "Plugin");
}

plugin *plugin_find(const expander *x, const char *name)
{
    for (size_t i = 0; i < x->n; i++)
        if (!strcmp(x->all[i]->name, name)) return x->all[i];
    return NULL;
}

/* Where a field was written, else the plugin (patched fields have no position). */
static const char *fpos(arena *a, const plugin *p, const node *n)
{
    return n && n->file && n->line ? node_pos(a, n) : p->where;
}

/* A string field (numbers such as version: 1.0 keep their text); absent or null: "". */
static int str_field(arena *a, plugin *p, const node *spec, const char *key, const char **out)
{
    node *v = map_get(spec, key);
    *out = "";
    if (!v || v->kind == N_NULL) return 0;
    if (v->kind >= N_MAP) return err_set("%s: plugin %s: spec.%s must be a string", fpos(a, p, v), p->name, key);
    *out = v->u.str.s;
    return 0;
}

/* spec.disabled, else spec.enabled (the design note's), else enabled. */
static int read_state(arena *a, plugin *p, const node *spec)
{
    node *d = map_get(spec, "disabled"), *e = map_get(spec, "enabled");
    for (node *v = d; v; v = v == d ? e : NULL)
        if (v->kind != N_BOOL && v->kind != N_NULL)
            return err_set("%s: plugin %s: spec.%s must be true or false", fpos(a, p, v), p->name,
                           v == d ? "disabled" : "enabled");
    if (d && d->kind == N_BOOL) p->enabled = !node_is_true(d);
    else if (e && e->kind == N_BOOL) p->enabled = node_is_true(e);
    else p->enabled = 1;
    return 0;
}

static int read_kind(arena *a, plugin *p, const node *spec)
{
    const char *k;
    if (str_field(a, p, spec, "kind", &k) < 0) return -1;
    if (!*k) k = "helm";
    for (int i = 0; plugin_kind_names[i]; i++)
        if (!strcmp(plugin_kind_names[i], k)) {
            p->kind = (enum plugin_kind)i;
            return 0;
        }
    return err_set("%s: plugin %s: spec.kind '%s' is not one of helm, template, kustomize, native",
                   fpos(a, p, map_get(spec, "kind")), p->name, k);
}

/* Two spellings of one field: they must agree when both are given. */
static int aliased(arena *a, plugin *p, const node *spec, const char *key, const char *alias, const char **out)
{
    const char *v1, *v2;
    if (str_field(a, p, spec, key, &v1) < 0 || str_field(a, p, spec, alias, &v2) < 0) return -1;
    if (*v1 && *v2 && strcmp(v1, v2))
        return err_set("%s: plugin %s: spec.%s '%s' and spec.%s '%s' disagree (%s is the older name of %s)",
                       fpos(a, p, map_get(spec, alias)), p->name, key, v1, alias, v2, alias, key);
    *out = *v1 ? v1 : v2;
    return 0;
}

void plugin_add_dep(arena *a, plugin *p, plugin_dep d)
{
    for (size_t i = 0; i < p->ndeps; i++)
        if (!strcmp(p->deps[i].name, d.name)) {
            if (*d.version) p->deps[i].version = d.version, p->deps[i].op = d.op;
            return;
        }
    if (p->ndeps == p->capdeps) {
        size_t cap = p->capdeps ? p->capdeps * 2 : 4;
        p->deps = arena_grow(a, p->deps, p->ndeps * sizeof *p->deps, cap * sizeof *p->deps);
        p->capdeps = cap;
    }
    p->deps[p->ndeps++] = d;
}

/* dependencies: object references {kind: Plugin, name, namespace}, or plain names. */
static int read_deps(arena *a, plugin *p, const node *spec)
{
    node *l = map_get(spec, "dependencies");
    if (!l || l->kind == N_NULL) return 0;
    if (l->kind != N_SEQ) return err_set("%s: plugin %s: spec.dependencies must be a list", fpos(a, p, l), p->name);
    for (uint32_t i = 0; i < l->u.seq.n; i++) {
        node *e = l->u.seq.items[i];
        plugin_dep d = {.ns = "", .version = "", .op = "", .from = "dependencies"};
        if (e->kind == N_STR) {
            d.name = e->u.str.s;
        } else if (e->kind == N_MAP) {
            const char *kind = node_get_str(e, "kind", NULL);
            d.name = node_get_str(e, "name", NULL);
            d.ns = node_get_str(e, "namespace", NULL);
            if (!d.ns) d.ns = "";
            if (kind && *kind && strcmp(kind, "Plugin"))
                return err_set("%s: plugin %s: dependency on a %s: only Plugin dependencies are supported",
                               fpos(a, p, e), p->name, kind);
        }
        if (!d.name || !*d.name)
            return err_set("%s: plugin %s: spec.dependencies[%u] needs a name", fpos(a, p, e), p->name, i);
        plugin_add_dep(a, p, d);
    }
    return 0;
}

static int check_list_of_maps(arena *a, plugin *p, const node *spec, const char *key, const char *required)
{
    node *l = map_get(spec, key);
    if (!l || l->kind == N_NULL) return 0;
    if (l->kind != N_SEQ) return err_set("%s: plugin %s: spec.%s must be a list", fpos(a, p, l), p->name, key);
    for (uint32_t i = 0; i < l->u.seq.n; i++) {
        node *e = l->u.seq.items[i];
        const char *req = e->kind == N_MAP ? node_get_str(e, required, NULL) : NULL;
        if (!req || !*req)
            return err_set("%s: plugin %s: spec.%s[%u] must be a mapping with a %s", fpos(a, p, e), p->name, key, i,
                           required);
    }
    return 0;
}

static int read_values(arena *a, plugin *p, const node *spec)
{
    node *v = map_get(spec, "values");
    if (v && v->kind != N_MAP && v->kind != N_NULL)
        return err_set("%s: plugin %s: spec.values must be a mapping", fpos(a, p, v), p->name);
    p->values = v && v->kind == N_MAP ? v : NULL;
    if (check_list_of_maps(a, p, spec, "valuesFrom", "name") < 0) return -1;
    if (check_list_of_maps(a, p, spec, "fileOverrides", "name") < 0) return -1;
    p->values_from = map_get(spec, "valuesFrom");
    p->file_overrides = map_get(spec, "fileOverrides");
    for (uint32_t i = 0; p->values_from && p->values_from->kind == N_SEQ && i < p->values_from->u.seq.n; i++) {
        node *e = p->values_from->u.seq.items[i];
        const char *kind = node_get_str(e, "kind", NULL);
        if (kind && *kind && strcmp(kind, "ConfigMap") && strcmp(kind, "Secret"))
            return err_set("%s: plugin %s: spec.valuesFrom[%u].kind '%s' is not ConfigMap or Secret", fpos(a, p, e),
                           p->name, i, kind);
    }
    return 0;
}

static void warn_unknown(arena *a, plugin *p, const node *spec)
{
    for (uint32_t i = 0; i < spec->u.map.n; i++) {
        const char *k = spec->u.map.items[i].key->u.str.s;
        int known = 0;
        for (const char *const *f = spec_fields; *f && !known; f++) known = !strcmp(*f, k);
        if (!known) warnf("%s: plugin %s: spec.%s is not a Plugin field (ignored)", fpos(a, p, spec->u.map.items[i].key), p->name, k);
    }
}

static const char *dir_of(arena *a, const char *file)
{
    const char *slash = file ? strrchr(file, '/') : NULL;
    if (!slash) return ".";
    return slash == file ? "/" : arena_strndup(a, file, (size_t)(slash - file));
}

static int read_spec(arena *a, plugin *p, const node *spec)
{
    if (read_state(a, p, spec) < 0 || read_kind(a, p, spec) < 0) return -1;
    if (aliased(a, p, spec, "url", "repo", &p->url) < 0 || aliased(a, p, spec, "chart", "name", &p->chart) < 0) return -1;
    if (str_field(a, p, spec, "version", &p->version) < 0 || str_field(a, p, spec, "path", &p->path) < 0) return -1;
    if (str_field(a, p, spec, "installNamespace", &p->install_ns) < 0) return -1;
    if (read_deps(a, p, spec) < 0 || read_values(a, p, spec) < 0) return -1;
    if (!*p->chart) p->chart = p->name;
    warn_unknown(a, p, spec);
    return 0;
}

int plugin_parse(expander *x, resource *r, plugin *parent, plugin **out)
{
    arena *a = x->b->a;
    plugin *p = arena_zalloc(a, sizeof *p);
    p->r = r;
    p->name = r->id.name;
    p->ns = *r->id.ns ? r->id.ns : "default";
    p->parent = parent;
    p->depth = parent ? parent->depth + 1 : 0;
    const char *origin = r->origin ? r->origin : "generated";
    p->where = r->obj->file && r->obj->line ? node_pos(a, r->obj)
                                            : arena_printf(a, "Plugin %s/%s (from %s)", p->ns, p->name, origin);
    /* Relative urls: the declaring file's directory; a chart's output: the chart's directory. */
    if (parent && (parent->kind == PK_HELM || parent->kind == PK_TEMPLATE)) p->base_dir = parent->found;
    else p->base_dir = dir_of(a, r->origin);
    if (!*p->name) return err_set("%s: a Plugin needs metadata.name", p->where);
    node *spec = map_get(r->obj, "spec");
    if (!spec || spec->kind != N_MAP) return err_set("%s: plugin %s has no spec", p->where, p->name);
    if (read_spec(a, p, spec) < 0) return -1;
    *out = p;
    return 0;
}

/* "foo > 1.0.0,bar = 1.2.0,kubegems ^ 1.20.0" (kubegems' requirements annotation). */
static int read_requirements(arena *a, plugin *p, const char *text)
{
    static const char *const ops[] = {">=", "<=", "==", "!=", ">", "<", "=", "^", "~", NULL};
    for (const char *s = text; *s;) {
        size_t n = strcspn(s, ",");
        const char *item = arena_strndup(a, s, n);
        s += n + (s[n] == ',');
        while (*item == ' ' || *item == '\t') item++;
        if (!*item) continue;
        size_t nl = strcspn(item, " \t<>=!^~");
        plugin_dep d = {.name = arena_strndup(a, item, nl), .ns = "", .version = "", .op = "", .from = "requirements"};
        const char *rest = item + nl;
        while (*rest == ' ' || *rest == '\t') rest++;
        for (const char *const *o = ops; *o && *rest; o++)
            if (!strncmp(rest, *o, strlen(*o))) {
                d.op = *o;
                rest += strlen(*o);
                break;
            }
        while (*rest == ' ' || *rest == '\t') rest++;
        size_t vl = strcspn(rest, " \t");
        d.version = arena_strndup(a, rest, vl);
        if (!*d.name || (*d.op && !*d.version) || (!*d.op && *rest) || rest[vl])
            return err_set("%s: plugin %s: chart annotation plugins.kubegems.io/requirements: cannot read '%s' "
                           "(NAME [OP VERSION], OP one of > >= < <= = != ^ ~)", p->source, p->name, item);
        plugin_add_dep(a, p, d);
    }
    return 0;
}

static void add_list(arena *a, strlist *l, const char *text)
{
    for (const char *s = text; *s;) {
        size_t n = strcspn(s, ", \t");
        if (n) {
            const char *v = arena_strndup(a, s, n);
            int dup = 0;
            for (uint32_t i = 0; i < l->n && !dup; i++) dup = !strcmp(l->v[i], v);
            if (!dup) strlist_push(a, l, v);
        }
        s += n + (s[n] != 0);
    }
}

/* values-from: "[namespace/]name,...": optional ConfigMaps read with prefix "name."
 * (as kubegems' catalogue fills them in), before the Plugin's own valuesFrom. */
static void add_values_from(arena *a, plugin *p, const char *text)
{
    node *l = node_new(a, N_SEQ);
    for (const char *s = text; *s;) {
        size_t n = strcspn(s, ",");
        char *item = arena_strndup(a, s, n);
        s += n + (s[n] == ',');
        while (*item == ' ') item++;
        if (!*item) continue;
        char *slash = strchr(item, '/');
        node *e = node_new(a, N_MAP);
        map_set(a, e, "kind", node_new_str(a, "ConfigMap"));
        if (slash) *slash = 0, map_set(a, e, "namespace", node_new_str(a, item));
        const char *name = slash ? slash + 1 : item;
        map_set(a, e, "name", node_new_str(a, name));
        map_set(a, e, "prefix", node_new_str(a, arena_printf(a, "%s.", name)));
        map_set(a, e, "optional", node_new_scalar(a, N_BOOL, "true", 4));
        seq_push(a, l, e);
    }
    for (uint32_t i = 0; p->values_from && p->values_from->kind == N_SEQ && i < p->values_from->u.seq.n; i++)
        seq_push(a, l, p->values_from->u.seq.items[i]);
    p->values_from = l;
}

int plugin_apply_chart_annotations(expander *x, plugin *p)
{
    arena *a = x->b->a;
    node *anns = node_get(p->chart_meta, "annotations", NULL);
    const char *ns = node_get_str(anns, "plugins.kubegems.io/install-namespace", NULL);
    const char *req = node_get_str(anns, "plugins.kubegems.io/requirements", NULL);
    const char *cns = node_get_str(anns, "plugins.kubegems.io/create-namespaces", NULL);
    const char *vf = node_get_str(anns, "plugins.kubegems.io/values-from", NULL);
    if (!*p->install_ns && ns && *ns) p->install_ns = ns;
    if (!*p->install_ns) p->install_ns = p->ns;
    strlist_push(a, &p->create_ns, p->install_ns);
    if (cns) add_list(a, &p->create_ns, cns);
    if (vf && *vf) add_values_from(a, p, vf);
    return req && *req ? read_requirements(a, p, req) : 0;
}

const char *plugin_source_text(const plugin *p)
{
    return *p->url ? p->url : "(none)";
}
