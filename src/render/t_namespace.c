/* NamespaceTransformer: `namespace`. As kustomize's api/filters/namespace:
 * metadata.namespace is set (created) on every kind not known to be
 * cluster-scoped, whatever the field specs say about it; RoleBinding and
 * ClusterRoleBinding subjects get the namespace by setRoleBindingSubjects
 * (defaultOnly: subjects named "default"; allServiceAccounts; none); the
 * remaining field specs apply, except metadata/name unless the object's
 * apiVersion is v1 (so only core Namespaces are renamed). unsetOnly sets
 * only empty namespaces. */
#include "meta.h"
#include "err.h"
#include "scalar.h"
#include <string.h>

struct ns_ctx {
    arena *a;
    const char *ns;
    int unset_only;
};

static int set_namespace(void *ctx, resource *r, node **slot)
{
    struct ns_ctx *c = ctx;
    (void)r;
    const char *cur = node_text(*slot);
    if (c->unset_only && (!cur || *cur)) return 0;
    node *v = node_new_str(c->a, c->ns);
    node_set_pos(v, *slot);
    *slot = scalar_take_style(c->a, v, *slot); /* SetEntry keeps the old style: a later untagged write reads it */
    return 0;
}

static int is_role_binding(const char *kind)
{
    return !strcmp(kind, "RoleBinding") || !strcmp(kind, "ClusterRoleBinding");
}

/* Field specs the filter implements by hand, or skips for this object. */
static int spec_skipped(const fieldspec *fs, const resource *r)
{
    const char *path = meta_fs_path(fs);
    if (!strcmp(path, "metadata/namespace")) return 1;
    if (!strcmp(path, "metadata/name")) {
        const char *av = node_get_str(r->obj, "apiVersion", NULL);
        if (!av || strcmp(av, "v1")) return 1;
    }
    return is_role_binding(r->id.kind) && fs->kind && is_role_binding(fs->kind) &&
           !strcmp(path, "subjects/namespace");
}

/* kyaml's Lookup, Match and SetEntry refuse a node of the wrong kind: kustomize
 * fails on these (a null passes everywhere). */
static int subject_error(struct ns_ctx *c, const node *n, const char *what)
{
    return err_set("%s: setting namespace on (cluster)role binding subjects: %s", node_pos(c->a, n), what);
}

static int set_subjects(struct ns_ctx *c, resource *r, const char *mode)
{
    int all_sa;
    if (!*mode || !strcmp(mode, "defaultOnly")) all_sa = 0;
    else if (!strcmp(mode, "allServiceAccounts")) all_sa = 1;
    else if (!strcmp(mode, "none")) return 0;
    else
        return err_set("invalid value \"%s\" for setRoleBindingSubjects: must be one of \"defaultOnly\", \"none\" "
                       "or \"allServiceAccounts\"", mode);
    node *subjects = map_get(r->obj, "subjects");
    if (!subjects || subjects->kind == N_NULL) return 0;
    if (subjects->kind != N_SEQ) return subject_error(c, subjects, "subjects must be a list");
    for (uint32_t i = 0; i < subjects->u.seq.n; i++) {
        node *s = subjects->u.seq.items[i];
        if (s->kind == N_NULL) continue;
        if (s->kind != N_MAP) return subject_error(c, s, "a subject must be a mapping");
        const char *field = all_sa ? "kind" : "name";
        const node *f = map_get(s, field);
        if (f && !node_is_scalar(f)) return subject_error(c, f, all_sa ? "a subject's kind must be a scalar"
                                                                        : "a subject's name must be a scalar");
        const char *v = node_text(f);
        if (!v || f->kind == N_NULL || strcmp(v, all_sa ? "ServiceAccount" : "default")) continue;
        int idx = map_index(s, "namespace");
        if (idx < 0) {
            map_set(c->a, s, "namespace", node_new(c->a, N_STR));
            idx = (int)s->u.map.n - 1;
        }
        node **slot = &s->u.map.items[idx].val;
        if (!node_is_scalar(*slot)) return subject_error(c, *slot, "a subject's namespace must be a scalar");
        set_namespace(c, r, slot);
    }
    return 0;
}

static int transform_one(struct ns_ctx *c, resource *r, const fieldspecs *fss, const char *mode)
{
    static const char *meta_ns_path[] = {"metadata", "namespace"};
    static const fieldspec meta_ns = {.path = meta_ns_path, .npath = 2, .create = 1};
    if (!resid_is_cluster_scoped(&r->id) &&
        fieldspec_walk(c->a, &meta_ns, r, N_STR, set_namespace, c) < 0)
        return -1;
    if (is_role_binding(r->id.kind) && set_subjects(c, r, mode) < 0) return -1;
    for (size_t i = 0; i < fss->n; i++) {
        const fieldspec *fs = &fss->v[i];
        if (spec_skipped(fs, r) || !fieldspec_selects(fs, &r->id)) continue;
        if (fieldspec_walk(c->a, fs, r, N_STR, set_namespace, c) < 0) return -1;
    }
    return 0;
}

int namespace_filter(arena *a, resource *r, const char *ns)
{
    static const fieldspecs none = {0};
    struct ns_ctx c = {a, ns, 0};
    return transform_one(&c, r, &none, "");
}

/* Two objects may not end up with one identity. */
static int check_conflicts(arena *a, resmap *rm)
{
    resmap_reindex(rm);
    for (size_t i = 0; i < rm->n; i++) {
        resource *first = resmap_find(rm, &rm->v[i]->id);
        if (first != rm->v[i])
            return err_set("namespace transformation produces ID conflict: %s (from %s) and %s (from %s)",
                           resid_display(a, &first->id), first->origin ? first->origin : "generated",
                           resid_display(a, &rm->v[i]->id), rm->v[i]->origin ? rm->v[i]->origin : "generated");
    }
    return 0;
}

int configure_namespace(kust *k, node_list *configs)
{
    arena *a = k->b->a;
    const char *ns;
    if (meta_string_field(a, k->k, "namespace", &ns) < 0) return -1;
    if (!*ns) return 0;
    node *c = builtin_config_new(k, "NamespaceTransformer", "namespace");
    node_set_pos(c, map_get(k->k, "namespace"));
    map_set(a, map_get(c, "metadata"), "namespace", map_get(k->k, "namespace"));
    map_set(a, c, "fieldSpecs", k->tc->cat[FS_NAMESPACE]);
    list_push(configs, c);
    return 0;
}

int builtin_namespace(kust *k, node *config, resmap *rm)
{
    arena *a = k->b->a;
    struct ns_ctx c = {a, NULL, 0};
    const char *mode;
    fieldspecs fss;
    if (meta_string_field(a, map_get(config, "metadata"), "namespace", &c.ns) < 0) return -1;
    if (!*c.ns) return 0;
    if (meta_bool_field(a, config, "unsetOnly", &c.unset_only) < 0) return -1;
    if (meta_string_field(a, config, "setRoleBindingSubjects", &mode) < 0) return -1;
    if (meta_config_fieldspecs(a, config, &fss) < 0) return -1;
    for (size_t i = 0; i < rm->n; i++) {
        resource *r = rm->v[i];
        resource_remember_id(a, r);
        if (transform_one(&c, r, &fss, mode) < 0)
            return err_prefix("%s: namespace '%s' on %s", node_pos(a, config), c.ns, resid_display(a, &r->id));
        resource_refresh_id(r);
    }
    return check_conflicts(a, rm);
}
