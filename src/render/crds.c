/* crds: OpenAPI definition files (a map of type name -> {Schema: ...}, JSON
 * or YAML) whose x-kubernetes-* property extensions add field specs to this
 * level's configuration, as kustomize's accumulator/loadconfigfromcrds.go:
 * - x-kubernetes-object-ref-api-version + -kind (+ -name-key, default
 *   "name"): a nameReference rule from that kind to the property's name key;
 * - x-kubernetes-annotation / -label-selector / -identity: commonAnnotations,
 *   commonLabels and namePrefix field specs.
 * Only types whose properties hold kind, apiVersion and metadata are read;
 * the kind is the type name's last dot-separated part; $ref properties are
 * followed into the referenced definitions. */
#include "builtins.h"
#include "err.h"
#include "kyaml.h"
#include <strings.h>
#include <string.h>

enum { MAX_REF_DEPTH = 64 }; /* kustomize recurses without a bound; cyclic $refs must not hang us */

struct crd_cfg {
    arena *a;
    node *cats;   /* {nameReference: [...], commonLabels: [...], ...} to merge into the level's config */
    const node *defs;
};

/* go-openapi's Extensions.GetString: keys compared case-insensitively, value must be a string. */
static const char *ext_string(const node *prop, const char *key)
{
    for (uint32_t i = 0; prop && prop->kind == N_MAP && i < prop->u.map.n; i++)
        if (!strcasecmp(prop->u.map.items[i].key->u.str.s, key)) return node_strval(prop->u.map.items[i].val);
    return NULL;
}

static node *fieldspec_node(arena *a, const char *kind, const char *path)
{
    node *fs = node_new(a, N_MAP);
    map_set(a, fs, "kind", node_new_str(a, kind));
    map_set(a, fs, "path", node_new_str(a, path));
    return fs;
}

static node *category(struct crd_cfg *c, const char *name)
{
    node *seq = map_get(c->cats, name);
    if (!seq) {
        seq = node_new(c->a, N_SEQ);
        map_set(c->a, c->cats, name, seq);
    }
    return seq;
}

static void add_nameref(struct crd_cfg *c, const char *kind, const char *version, const char *fskind, const char *path)
{
    arena *a = c->a;
    node *e = node_new(a, N_MAP);
    map_set(a, e, "kind", node_new_str(a, kind));
    map_set(a, e, "version", node_new_str(a, version));
    node *fss = node_new(a, N_SEQ);
    seq_push(a, fss, fieldspec_node(a, fskind, path));
    map_set(a, e, "fieldSpecs", fss);
    seq_push(a, category(c, "nameReference"), e);
}

static void load_type(struct crd_cfg *c, const char *kind, const char *type, const char *path, int depth)
{
    arena *a = c->a;
    const node *props = node_get(map_get(c->defs, type), "Schema", "properties", NULL);
    if (!props || props->kind != N_MAP || depth > MAX_REF_DEPTH) return;
    for (uint32_t i = 0; i < props->u.map.n; i++) {
        const char *name = props->u.map.items[i].key->u.str.s;
        const node *prop = props->u.map.items[i].val;
        const char *p = *path ? arena_printf(a, "%s/%s", path, name) : name;
        if (ext_string(prop, "x-kubernetes-annotation"))
            seq_push(a, category(c, "commonAnnotations"), fieldspec_node(a, kind, p));
        if (ext_string(prop, "x-kubernetes-label-selector"))
            seq_push(a, category(c, "commonLabels"), fieldspec_node(a, kind, p));
        if (ext_string(prop, "x-kubernetes-identity"))
            seq_push(a, category(c, "namePrefix"), fieldspec_node(a, kind, p));
        const char *version = ext_string(prop, "x-kubernetes-object-ref-api-version");
        const char *refkind = ext_string(prop, "x-kubernetes-object-ref-kind");
        if (version && refkind) {
            const char *key = ext_string(prop, "x-kubernetes-object-ref-name-key");
            add_nameref(c, refkind, version, kind, arena_printf(a, "%s/%s", p, key ? key : "name"));
        }
        const char *ref = node_get_str(prop, "$ref", NULL);
        if (ref && *ref) load_type(c, kind, ref, p, depth + 1);
    }
}

static int looks_like_k8s_type(const node *def)
{
    const node *props = node_get(def, "Schema", "properties", NULL);
    return map_get(props, "kind") && map_get(props, "apiVersion") && map_get(props, "metadata");
}

static int load_file(kust *k, const node *entry)
{
    arena *a = k->b->a;
    const char *rel = node_text(entry);
    strbuf sb = STRBUF_INIT;
    const char *full;
    node *doc = NULL;
    int rc = kust_read_file(k, rel ? rel : "", entry, &sb, &full);
    if (rc == 0) rc = yaml_load_one(a, full, sb.buf, sb.len, &doc);
    sb_release(&sb);
    if (rc < 0) return err_prefix("unable to parse open API definition from '%s'", rel ? rel : "");
    if (!doc) return 0;
    if (doc->kind != N_MAP)
        return err_set("%s: unable to parse open API definition from '%s': expected a map of type names",
                       node_pos(a, doc), rel);
    struct crd_cfg c = {a, node_new(a, N_MAP), doc};
    for (uint32_t i = 0; i < doc->u.map.n; i++) {
        const char *type = doc->u.map.items[i].key->u.str.s;
        if (!looks_like_k8s_type(doc->u.map.items[i].val)) continue;
        const char *dot = strrchr(type, '.');
        if (!dot || !memchr(type, '.', (size_t)(dot - type)))
            return err_set("%s: crd type '%s': `api` should be specified in dot notation: group.version.kind",
                           node_pos(a, doc->u.map.items[i].key), type);
        load_type(&c, dot + 1, type, "", 0);
    }
    return tconfig_merge_node(a, k->tc, c.cats, full);
}

int crds_load(kust *k)
{
    node *list = map_get(k->k, "crds");
    if (!list || list->kind == N_NULL) return 0;
    if (list->kind != N_SEQ) return err_set("%s: 'crds' must be a list of files", node_pos(k->b->a, list));
    for (uint32_t i = 0; i < list->u.seq.n; i++)
        if (load_file(k, list->u.seq.items[i]) < 0) return -1;
    return 0;
}
