/* SecretGenerator: stub, to be implemented. */
#include "plugins.h"
#include "err.h"

int configure_secrets(kust *k, node_list *configs)
{
    (void)configs;
    node *f = map_get(k->k, "secretGenerator");
    if (f && f->kind != N_NULL) return err_set("%s: 'secretGenerator' is not supported yet", node_pos(k->b->a, f));
    return 0;
}

int plugin_secrets(kust *k, node *config, resmap *rm)
{
    (void)rm;
    return err_set("%s: SecretGenerator is not supported yet", node_pos(k->b->a, config));
}
