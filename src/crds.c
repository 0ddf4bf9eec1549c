/* crds: stub, to be implemented. */
#include "plugins.h"
#include "err.h"

int crds_load(kust *k)
{
    node *f = map_get(k->k, "crds");
    if (f && f->kind != N_NULL) return err_set("%s: 'crds' is not supported yet", node_pos(k->b->a, f));
    return 0;
}
