/* PatchJson6902Transformer: stub, to be implemented. */
#include "plugins.h"
#include "err.h"

int configure_patches_json6902(kust *k, node_list *configs)
{
    (void)configs;
    node *f = map_get(k->k, "patchesJson6902");
    if (f && f->kind != N_NULL) return err_set("%s: 'patchesJson6902' is not supported yet", node_pos(k->b->a, f));
    return 0;
}

int plugin_patches_json6902(kust *k, node *config, resmap *rm)
{
    (void)rm;
    return err_set("%s: PatchJson6902Transformer is not supported yet", node_pos(k->b->a, config));
}
