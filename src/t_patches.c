/* PatchTransformer: stub, to be implemented. */
#include "plugins.h"
#include "err.h"

int configure_patches(kust *k, node_list *configs)
{
    (void)configs;
    node *f = map_get(k->k, "patches");
    if (f && f->kind != N_NULL) return err_set("%s: 'patches' is not supported yet", node_pos(k->b->a, f));
    return 0;
}

int plugin_patches(kust *k, node *config, resmap *rm)
{
    (void)rm;
    return err_set("%s: PatchTransformer is not supported yet", node_pos(k->b->a, config));
}
