/* SuffixTransformer: `nameSuffix` (the work is prefix_suffix_apply in t_prefix.c). */
#include "meta.h"

int configure_suffix(kust *k, node_list *configs)
{
    arena *a = k->b->a;
    const char *suffix;
    if (meta_string_field(a, k->k, "nameSuffix", &suffix) < 0) return -1;
    if (!*suffix) return 0;
    node *c = builtin_config_new(k, "SuffixTransformer", "nameSuffix");
    node_set_pos(c, map_get(k->k, "nameSuffix"));
    map_set(a, c, "suffix", map_get(k->k, "nameSuffix"));
    map_set(a, c, "fieldSpecs", k->tc->cat[FS_NAMESUFFIX]);
    list_push(configs, c);
    return 0;
}

int builtin_suffix(kust *k, node *config, resmap *rm)
{
    const char *suffix;
    if (meta_string_field(k->b->a, config, "suffix", &suffix) < 0) return -1;
    return prefix_suffix_apply(k, "", suffix, config, rm);
}
