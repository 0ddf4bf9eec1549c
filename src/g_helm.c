/* HelmChartInflationGenerator: stub, to be implemented. */
#include "plugins.h"
#include "err.h"

int configure_helm(kust *k, node_list *configs)
{
    (void)configs;
    node *f = map_get(k->k, "helmCharts");
    if (f && f->kind != N_NULL) return err_set("%s: 'helmCharts' is not supported yet", node_pos(k->b->a, f));
    return 0;
}

int plugin_helm(kust *k, node *config, resmap *rm)
{
    (void)rm;
    return err_set("%s: HelmChartInflationGenerator is not supported yet", node_pos(k->b->a, config));
}
