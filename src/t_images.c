/* ImageTagTransformer: stub, to be implemented. */
#include "plugins.h"
#include "err.h"

int configure_images(kust *k, node_list *configs)
{
    (void)configs;
    node *f = map_get(k->k, "images");
    if (f && f->kind != N_NULL) return err_set("%s: 'images' is not supported yet", node_pos(k->b->a, f));
    return 0;
}

int plugin_images(kust *k, node *config, resmap *rm)
{
    (void)rm;
    return err_set("%s: ImageTagTransformer is not supported yet", node_pos(k->b->a, config));
}
