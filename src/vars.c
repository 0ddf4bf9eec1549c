/* vars: stub, to be implemented. */
#include "plugins.h"
#include "err.h"

int vars_collect(kust *k, resmap *rm)
{
    (void)rm;
    node *f = map_get(k->k, "vars");
    if (f && f->kind != N_NULL) return err_set("%s: 'vars' is not supported yet", node_pos(k->b->a, f));
    return 0;
}

int vars_resolve(kust *k, resmap *rm)
{
    (void)k;
    (void)rm;
    return 0;
}
