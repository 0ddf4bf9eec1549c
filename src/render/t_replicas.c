/* ReplicaCountTransformer: `replicas` [{name, count}]. For each replicas
 * field spec, every object any of whose identities (current or earlier, so
 * names from before a prefix still match) has that name and a kind the spec
 * selects gets the count; no match for any spec is an error. */
#include "meta.h"
#include "err.h"
#include "scalar.h"
#include <string.h>

struct count_ctx {
    arena *a;
    const node *count;
};

static int set_count(void *ctx, resource *r, node **slot)
{
    struct count_ctx *c = ctx;
    (void)r;
    node *v = node_new_scalar(c->a, N_INT, c->count->u.str.s, c->count->u.str.len);
    node_set_pos(v, *slot);
    *slot = scalar_take_style(c->a, v, *slot); /* replicas: "3" stays a string */
    return 0;
}

static int any_id_matches(const resource *r, const char *name, const fieldspec *fs)
{
    if (!strcmp(r->id.name, name) && fieldspec_selects(fs, &r->id)) return 1;
    for (uint32_t i = 0; i < r->nprev; i++)
        if (!strcmp(r->prev[i].name, name) && fieldspec_selects(fs, &r->prev[i])) return 1;
    return 0;
}

int configure_replicas(kust *k, node_list *configs)
{
    arena *a = k->b->a;
    node *list = map_get(k->k, "replicas");
    if (list && list->kind != N_NULL && list->kind != N_SEQ)
        return err_set("%s: 'replicas' must be a list of {name, count}", node_pos(a, list));
    for (uint32_t i = 0; list && list->kind == N_SEQ && i < list->u.seq.n; i++) {
        node *c = builtin_config_new(k, "ReplicaCountTransformer", "replicas");
        node_set_pos(c, list->u.seq.items[i]);
        map_set(a, c, "replica", list->u.seq.items[i]);
        map_set(a, c, "fieldSpecs", k->tc->cat[FS_REPLICAS]);
        list_push(configs, c);
    }
    return 0;
}

int builtin_replicas(kust *k, node *config, resmap *rm)
{
    arena *a = k->b->a;
    node *replica = map_get(config, "replica");
    const char *name;
    fieldspecs fss;
    if (replica && replica->kind != N_MAP && replica->kind != N_NULL)
        return err_set("%s: replica must be a mapping {name, count}", node_pos(a, replica));
    if (meta_string_field(a, replica, "name", &name) < 0) return -1;
    node *count = map_get(replica, "count");
    static node zero = {.kind = N_INT, .u.str = {"0", 1}};
    if (!count || count->kind == N_NULL) count = &zero;
    if (count->kind != N_INT) return err_set("%s: replicas: count must be an integer", node_pos(a, count));
    if (meta_config_fieldspecs(a, config, &fss) < 0) return -1;
    struct count_ctx ctx = {a, count};
    int found = 0;
    for (size_t f = 0; f < fss.n; f++) {
        for (size_t i = 0; i < rm->n; i++) {
            resource *r = rm->v[i];
            if (!any_id_matches(r, name, &fss.v[f])) continue;
            found = 1;
            if (fieldspec_selects(&fss.v[f], &r->id) && fieldspec_walk(a, &fss.v[f], r, N_INT, set_count, &ctx) < 0)
                return -1;
        }
    }
    if (!found)
        return err_set("%s: replicas: no object named '%s' of a kind the replicas field specs select "
                       "(Deployment, ReplicationController, ReplicaSet, StatefulSet or configured ones)",
                       node_pos(a, replica ? replica : config), name);
    return 0;
}
