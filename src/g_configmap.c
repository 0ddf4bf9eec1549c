/* ConfigMapGenerator: stub, to be implemented. */
#include "plugins.h"
#include "err.h"

int configure_configmaps(kust *k, node_list *configs)
{
    (void)configs;
    node *f = map_get(k->k, "configMapGenerator");
    if (f && f->kind != N_NULL) return err_set("%s: 'configMapGenerator' is not supported yet", node_pos(k->b->a, f));
    return 0;
}

int plugin_configmaps(kust *k, node *config, resmap *rm)
{
    (void)rm;
    return err_set("%s: ConfigMapGenerator is not supported yet", node_pos(k->b->a, config));
}
