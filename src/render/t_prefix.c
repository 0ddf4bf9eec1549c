/* PrefixTransformer (`namePrefix`) and the legacy PrefixSuffixTransformer;
 * prefix_suffix_apply is shared with SuffixTransformer. As kustomize: objects
 * whose original kind is CustomResourceDefinition, APIService
 * (apiregistration.k8s.io) or Namespace are skipped; field specs select by
 * the original identity; a metadata/name spec records the prefix and suffix
 * (for name references) and the identity before the rename. */
#include "meta.h"
#include "err.h"
#include "scalar.h"
#include <string.h>

struct affix {
    arena *a;
    const char *prefix, *suffix;
};

static int add_affix(void *ctx, resource *r, node **slot)
{
    struct affix *x = ctx;
    const char *cur = node_text(*slot);
    if (!cur)
        return err_set("%s: %s: cannot add a name prefix or suffix to a mapping or list", node_pos(x->a, *slot),
                       resid_display(x->a, &r->id));
    *slot = scalar_set_untagged(x->a, arena_printf(x->a, "%s%s%s", x->prefix, cur, x->suffix), *slot); /* SetScalar */
    return 0;
}

static int skipped(const resid *orig)
{
    return !strcmp(orig->kind, "CustomResourceDefinition") || !strcmp(orig->kind, "Namespace") ||
           (!strcmp(orig->kind, "APIService") && !strcmp(orig->group, "apiregistration.k8s.io"));
}

static int apply_one(struct affix *x, resource *r, const fieldspecs *fss)
{
    for (size_t i = 0; i < fss->n; i++) {
        const fieldspec *fs = &fss->v[i];
        if (!fieldspec_selects(fs, resource_org_id(r))) continue;
        if (!strcmp(meta_fs_path(fs), "metadata/name")) {
            if (*x->prefix) strlist_push(x->a, &r->prefixes, x->prefix);
            if (*x->suffix) strlist_push(x->a, &r->suffixes, x->suffix);
            if (*x->prefix || *x->suffix) resource_remember_id(x->a, r);
        }
        /* kustomize gives this filter no creation kind: nothing is created. */
        if (fieldspec_selects(fs, &r->id) && fieldspec_walk(x->a, fs, r, -1, add_affix, x) < 0) return -1;
    }
    resource_refresh_id(r);
    return 0;
}

int prefix_suffix_apply(kust *k, const char *prefix, const char *suffix, const node *config, resmap *rm)
{
    arena *a = k->b->a;
    fieldspecs fss;
    if (meta_config_fieldspecs(a, config, &fss) < 0) return -1;
    struct affix x = {a, prefix, suffix};
    for (size_t i = 0; i < rm->n; i++)
        if (!skipped(resource_org_id(rm->v[i])) && apply_one(&x, rm->v[i], &fss) < 0) return -1;
    resmap_reindex(rm);
    return 0;
}

int configure_prefix(kust *k, node_list *configs)
{
    arena *a = k->b->a;
    const char *prefix;
    if (meta_string_field(a, k->k, "namePrefix", &prefix) < 0) return -1;
    if (!*prefix) return 0;
    node *c = builtin_config_new(k, "PrefixTransformer", "namePrefix");
    node_set_pos(c, map_get(k->k, "namePrefix"));
    map_set(a, c, "prefix", map_get(k->k, "namePrefix"));
    map_set(a, c, "fieldSpecs", k->tc->cat[FS_NAMEPREFIX]);
    list_push(configs, c);
    return 0;
}

int builtin_prefix(kust *k, node *config, resmap *rm)
{
    const char *prefix;
    if (meta_string_field(k->b->a, config, "prefix", &prefix) < 0) return -1;
    return prefix_suffix_apply(k, prefix, "", config, rm);
}

int builtin_prefix_suffix(kust *k, node *config, resmap *rm)
{
    arena *a = k->b->a;
    const char *prefix, *suffix;
    if (meta_string_field(a, config, "prefix", &prefix) < 0) return -1;
    if (meta_string_field(a, config, "suffix", &suffix) < 0) return -1;
    node *fss = map_get(config, "fieldSpecs");
    if (!fss || fss->kind == N_NULL)
        return err_set("%s: PrefixSuffixTransformer: fieldSpecs is not expected to be nil", node_pos(a, config));
    return prefix_suffix_apply(k, prefix, suffix, config, rm);
}
