/* AnnotationsTransformer: `commonAnnotations` on the commonannotations field
 * specs (metadata and pod templates). */
#include "meta.h"
#include "err.h"

int configure_annotations(kust *k, node_list *configs)
{
    node *common = map_get(k->k, "commonAnnotations");
    /* Nothing runs (or is recorded by transformerAnnotations) for an empty map. */
    if (!common || common->kind == N_NULL || (common->kind == N_MAP && !common->u.map.n)) return 0;
    node *c = builtin_config_new(k, "AnnotationsTransformer", "commonAnnotations");
    node_set_pos(c, common);
    map_set(k->b->a, c, "annotations", common);
    map_set(k->b->a, c, "fieldSpecs", k->tc->cat[FS_COMMONANNOTATIONS]);
    list_push(configs, c);
    return 0;
}

int builtin_annotations(kust *k, node *config, resmap *rm)
{
    return meta_apply_pairs(k, config, "annotations", rm);
}
