/* LabelTransformer: `labels` entries and the deprecated `commonLabels`.
 * Each `labels` entry becomes its own config whose field specs are its
 * `fields`, plus the commonlabels specs (includeSelectors) or metadata/labels
 * and, with includeTemplates, the templatelabels specs; `labels:` specs from
 * configurations files always join. commonLabels runs last, on the
 * commonlabels specs (selectors included), as kustomize orders them. */
#include "meta.h"
#include "err.h"
#include <string.h>

static node *metadata_labels_spec(arena *a)
{
    node *s = node_new(a, N_MAP);
    map_set(a, s, "path", node_new_str(a, "metadata/labels"));
    map_set(a, s, "create", node_new_scalar(a, N_BOOL, "true", 4));
    return s;
}

/* The field specs of one `labels` entry, merged as kustomize's configurator does. */
static int entry_fieldspecs(kust *k, node *entry, node **out)
{
    arena *a = k->b->a;
    int selectors, templates;
    if (meta_bool_field(a, entry, "includeSelectors", &selectors) < 0) return -1;
    if (meta_bool_field(a, entry, "includeTemplates", &templates) < 0) return -1;
    node *fields = map_get(entry, "fields");
    if (fields && fields->kind != N_NULL && fields->kind != N_SEQ)
        return err_set("%s: labels: 'fields' must be a list of field specs", node_pos(a, fields));
    node *seq = node_new(a, N_SEQ);
    for (uint32_t i = 0; fields && fields->kind == N_SEQ && i < fields->u.seq.n; i++)
        seq_push(a, seq, fields->u.seq.items[i]);
    int rc;
    if (selectors) {
        rc = fieldspecs_merge(a, seq, k->tc->cat[FS_COMMONLABELS]);
    } else {
        node *one = node_new(a, N_SEQ);
        seq_push(a, one, metadata_labels_spec(a));
        rc = fieldspecs_merge(a, seq, one);
        if (rc == 0 && templates) rc = fieldspecs_merge(a, seq, k->tc->cat[FS_TEMPLATELABELS]);
    }
    if (rc == 0) rc = fieldspecs_merge(a, seq, k->tc->cat[FS_LABELS]);
    *out = seq;
    return rc;
}

int configure_labels(kust *k, node_list *configs)
{
    arena *a = k->b->a;
    node *list = map_get(k->k, "labels");
    if (list && list->kind != N_NULL && list->kind != N_SEQ)
        return err_set("%s: 'labels' must be a list of {pairs, includeSelectors, includeTemplates, fields}",
                       node_pos(a, list));
    for (uint32_t i = 0; list && list->kind == N_SEQ && i < list->u.seq.n; i++) {
        node *entry = list->u.seq.items[i];
        if (entry->kind != N_MAP) return err_set("%s: a 'labels' entry must be a mapping", node_pos(a, entry));
        node *fss = NULL;
        if (entry_fieldspecs(k, entry, &fss) < 0) return -1;
        node *c = builtin_config_new(k, "LabelTransformer", "labels");
        node_set_pos(c, entry);
        node *pairs = map_get(entry, "pairs");
        if (pairs) map_set(a, c, "labels", pairs);
        map_set(a, c, "fieldSpecs", fss);
        list_push(configs, c);
    }
    /* kustomize's configurator adds the commonLabels config, possibly empty,
     * whenever there are `labels` entries or commonLabels. */
    node *common = map_get(k->k, "commonLabels");
    int have_common = common && common->kind != N_NULL && (common->kind != N_MAP || common->u.map.n);
    if (have_common || configs->n) {
        node *c = builtin_config_new(k, "LabelTransformer", "commonLabels");
        node_set_pos(c, common);
        if (common) map_set(a, c, "labels", common);
        map_set(a, c, "fieldSpecs", k->tc->cat[FS_COMMONLABELS]);
        list_push(configs, c);
    }
    return 0;
}

int builtin_labels(kust *k, node *config, resmap *rm)
{
    return meta_apply_pairs(k, config, "labels", rm);
}
