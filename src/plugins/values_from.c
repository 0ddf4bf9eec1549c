/* A plugin's values, merged in order: global values (the build's
 * kubegems-global-values ConfigMap under `global`), valuesFrom entries in
 * order (ConfigMaps and Secrets of the same build), spec.values, --values
 * files, then --set (global.KEY and PLUGIN.KEY). Chart defaults are helm's. */
#include "plugin_impl.h"
#include "base64.h"
#include "err.h"
#include "kyaml.h"
#include <stdlib.h>
#include <string.h>

/* Keys of a mapping sorted (ConfigMap data has no meaningful order; sorted is deterministic). */
static int cmp_pair(const void *x, const void *y)
{
    return strcmp(((const node_pair *)x)->key->u.str.s, ((const node_pair *)y)->key->u.str.s);
}

static node_pair *sorted_pairs(arena *a, const node *m, uint32_t *n)
{
    *n = m && m->kind == N_MAP ? m->u.map.n : 0;
    node_pair *v = arena_alloc(a, (*n ? *n : 1) * sizeof *v);
    if (*n) memcpy(v, m->u.map.items, *n * sizeof *v);
    qsort(v, *n, sizeof *v, cmp_pair);
    return v;
}

/* One entry as a --set style setting prefix+key=value (the value taken literally). */
static int set_entry(arena *a, node *root, const char *prefix, const char *key, const char *val, size_t vlen,
                     const char *what)
{
    const char *path = arena_printf(a, "%s%s", prefix, key), *why;
    if (values_set_path(a, root, path, strlen(path), values_scalar(a, val, vlen), &why) < 0)
        return err_set("%s: key '%s': %s", what, key, why);
    return 0;
}

/* A YAML values file (binaryData entry) merged under the prefix. */
static int merge_file(arena *a, node *root, const char *prefix, const char *key, const strbuf *text, const char *what)
{
    node *doc = NULL;
    const char *file = arena_printf(a, "%s binaryData %s", what, key);
    if (yaml_load_one(a, file, text->buf ? text->buf : "", text->len, &doc) < 0) return -1;
    if (!doc || doc->kind == N_NULL) return 0;
    if (doc->kind != N_MAP) return err_set("%s: binaryData %s is not a YAML mapping of values", what, key);
    size_t pl = strlen(prefix);
    const char *path = pl && prefix[pl - 1] == '.' ? arena_strndup(a, prefix, pl - 1) : prefix;
    values_merge(a, values_map_at(a, root, path), doc);
    return 0;
}

static int text_of(arena *a, const node *v, const char *what, const char *key, const char **out)
{
    *out = node_text(v);
    if (!*out) return err_set("%s: %s is not a string", what, key);
    (void)a;
    return 0;
}

/* ConfigMap: binaryData files, then data settings. Secret: data (base64) and stringData settings. */
int read_values_object(arena *a, const resource *r, const char *prefix, node *root)
{
    const char *what = resid_display(a, &r->id);
    int secret = !strcmp(r->id.kind, "Secret");
    uint32_t n;
    node_pair *v = sorted_pairs(a, map_get(r->obj, "binaryData"), &n);
    for (uint32_t i = 0; !secret && i < n; i++) {
        const char *t;
        strbuf sb = STRBUF_INIT;
        int rc = text_of(a, v[i].val, what, v[i].key->u.str.s, &t);
        if (rc == 0 && base64_decode(t, strlen(t), &sb) < 0)
            rc = err_set("%s: binaryData %s is not base64", what, v[i].key->u.str.s);
        if (rc == 0) rc = merge_file(a, root, prefix, v[i].key->u.str.s, &sb, what);
        sb_release(&sb);
        if (rc < 0) return -1;
    }
    static const char *const fields[] = {"data", "stringData"};
    for (int f = 0; f < 1 + secret; f++) {
        v = sorted_pairs(a, map_get(r->obj, fields[f]), &n);
        for (uint32_t i = 0; i < n; i++) {
            const char *t, *key = v[i].key->u.str.s;
            if (text_of(a, v[i].val, what, key, &t) < 0) return -1;
            if (secret && f == 0) {
                strbuf sb = STRBUF_INIT;
                int rc = base64_decode(t, strlen(t), &sb) < 0 ? err_set("%s: data %s is not base64", what, key)
                                                              : set_entry(a, root, prefix, key, sb.buf, sb.len, what);
                sb_release(&sb);
                if (rc < 0) return -1;
            } else if (set_entry(a, root, prefix, key, t, strlen(t), what) < 0) {
                return -1;
            }
        }
    }
    return 0;
}

/* The build's object of that kind, namespace and name (its name before a hash suffix also matches). */
static const resource *find_object(const expander *x, const char *kind, const char *ns, const char *name)
{
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < x->built->n; i++) {
            const resource *r = x->built->v[i];
            const resid *id = pass ? resource_org_id(r) : &r->id;
            if (*r->id.group || strcmp(r->id.kind, kind) || strcmp(id->name, name)) continue;
            if (!strcmp(resid_effective_ns(&r->id), ns)) return r;
        }
    return NULL;
}

int plugin_global_values(expander *x)
{
    arena *a = x->b->a;
    x->globals = node_new(a, N_MAP);
    const resource *found = find_object(x, "ConfigMap", "kubegems-installer", PLUGIN_GLOBAL_VALUES);
    for (size_t i = 0; !found && i < x->built->n; i++) {
        const resource *r = x->built->v[i];
        if (*r->id.group || strcmp(r->id.kind, "ConfigMap") || strcmp(resource_org_id(r)->name, PLUGIN_GLOBAL_VALUES)) continue;
        found = r;
        for (size_t j = i + 1; j < x->built->n; j++)
            if (!*x->built->v[j]->id.group && !strcmp(x->built->v[j]->id.kind, "ConfigMap") &&
                !strcmp(resource_org_id(x->built->v[j])->name, PLUGIN_GLOBAL_VALUES))
                return err_set("global values: ConfigMap %s is in namespaces %s and %s (and none in "
                               "kubegems-installer): say which", PLUGIN_GLOBAL_VALUES, resid_effective_ns(&r->id),
                               resid_effective_ns(&x->built->v[j]->id));
    }
    return found ? read_values_object(a, found, "", x->globals) : 0;
}

static int values_from(expander *x, plugin *p, node *v)
{
    arena *a = x->b->a;
    for (uint32_t i = 0; p->values_from && p->values_from->kind == N_SEQ && i < p->values_from->u.seq.n; i++) {
        node *e = p->values_from->u.seq.items[i];
        const char *kind = node_get_str(e, "kind", NULL), *ns = node_get_str(e, "namespace", NULL);
        const char *name = node_get_str(e, "name", NULL), *prefix = node_get_str(e, "prefix", NULL);
        if (!kind || !*kind) kind = "ConfigMap";
        if (!ns || !*ns) ns = p->ns;
        const resource *r = find_object(x, kind, ns, name);
        if (!r) {
            if (node_is_true(map_get(e, "optional"))) continue;
            return err_set("%s: plugin %s: valuesFrom: %s %s/%s is not in the build (mark it optional: true if it "
                           "may be missing)", p->where, p->name, kind, ns, name);
        }
        if (read_values_object(a, r, prefix ? prefix : "", v) < 0)
            return err_prefix("%s: plugin %s: valuesFrom", p->where, p->name);
    }
    return 0;
}

/* --values PLUGIN=FILE for this plugin, in command-line order. */
static int values_files(expander *x, plugin *p, node *v)
{
    arena *a = x->b->a;
    size_t n = strlen(p->name);
    for (size_t i = 0; i < x->po->nvalues; i++) {
        const char *s = x->po->values[i];
        if (strncmp(s, p->name, n) || s[n] != '=') continue;
        node_list docs = {0};
        int rc = yaml_load_file(a, s + n + 1, &docs);
        if (rc < 0) {
            list_free(&docs);
            return err_prefix("--values %s", s);
        }
        for (size_t d = 0; d < docs.n; d++) {
            if (docs.v[d]->kind != N_MAP) rc = err_set("--values %s: the file must hold a mapping of values", s);
            else values_merge(a, v, docs.v[d]);
        }
        list_free(&docs);
        if (rc < 0) return -1;
    }
    return 0;
}

int plugin_merged_values(expander *x, plugin *p)
{
    arena *a = x->b->a;
    node *v = node_new(a, N_MAP);
    if (x->globals->u.map.n) map_set(a, v, "global", node_clone(a, x->globals));
    if (values_from(x, p, v) < 0) return -1;
    if (p->values) values_merge(a, v, p->values);
    if (values_files(x, p, v) < 0) return -1;
    for (size_t i = 0; i < x->po->nsets; i++) {
        const char *why;
        if (values_apply_set(a, v, x->po->sets[i], p->name, &why) < 0)
            return err_set("--set %s: %s", x->po->sets[i], why);
    }
    p->merged = v;
    return 0;
}
