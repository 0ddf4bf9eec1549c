/* NamespaceTransformer: stub, to be implemented. */
#include "plugins.h"
#include "err.h"

int configure_namespace(kust *k, node_list *configs)
{
    (void)configs;
    node *f = map_get(k->k, "namespace");
    if (f && f->kind != N_NULL) return err_set("%s: 'namespace' is not supported yet", node_pos(k->b->a, f));
    return 0;
}

int plugin_namespace(kust *k, node *config, resmap *rm)
{
    (void)rm;
    return err_set("%s: NamespaceTransformer is not supported yet", node_pos(k->b->a, config));
}
