/* SuffixTransformer: stub, to be implemented. */
#include "plugins.h"
#include "err.h"

int configure_suffix(kust *k, node_list *configs)
{
    (void)configs;
    node *f = map_get(k->k, "nameSuffix");
    if (f && f->kind != N_NULL) return err_set("%s: 'nameSuffix' is not supported yet", node_pos(k->b->a, f));
    return 0;
}

int plugin_suffix(kust *k, node *config, resmap *rm)
{
    (void)rm;
    return err_set("%s: SuffixTransformer is not supported yet", node_pos(k->b->a, config));
}
