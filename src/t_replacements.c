/* ReplacementTransformer: stub, to be implemented. */
#include "plugins.h"
#include "err.h"

int configure_replacements(kust *k, node_list *configs)
{
    (void)configs;
    node *f = map_get(k->k, "replacements");
    if (f && f->kind != N_NULL) return err_set("%s: 'replacements' is not supported yet", node_pos(k->b->a, f));
    return 0;
}

int plugin_replacements(kust *k, node *config, resmap *rm)
{
    (void)rm;
    return err_set("%s: ReplacementTransformer is not supported yet", node_pos(k->b->a, config));
}
