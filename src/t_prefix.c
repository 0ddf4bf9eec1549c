/* PrefixTransformer: stub, to be implemented. */
#include "plugins.h"
#include "err.h"

int configure_prefix(kust *k, node_list *configs)
{
    (void)configs;
    node *f = map_get(k->k, "namePrefix");
    if (f && f->kind != N_NULL) return err_set("%s: 'namePrefix' is not supported yet", node_pos(k->b->a, f));
    return 0;
}

int plugin_prefix(kust *k, node *config, resmap *rm)
{
    (void)rm;
    return err_set("%s: PrefixTransformer is not supported yet", node_pos(k->b->a, config));
}

int plugin_prefix_suffix(kust *k, node *config, resmap *rm)
{
    (void)rm;
    return err_set("%s: PrefixSuffixTransformer is not supported yet", node_pos(k->b->a, config));
}
