/* PatchStrategicMergeTransformer: stub, to be implemented. */
#include "plugins.h"
#include "err.h"

int configure_patches_sm(kust *k, node_list *configs)
{
    (void)configs;
    node *f = map_get(k->k, "patchesStrategicMerge");
    if (f && f->kind != N_NULL) return err_set("%s: 'patchesStrategicMerge' is not supported yet", node_pos(k->b->a, f));
    return 0;
}

int plugin_patches_sm(kust *k, node *config, resmap *rm)
{
    (void)rm;
    return err_set("%s: PatchStrategicMergeTransformer is not supported yet", node_pos(k->b->a, config));
}
