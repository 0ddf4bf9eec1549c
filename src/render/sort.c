/* Output order: kustomize's legacy order (kinds first, kinds last, the rest
 * by group_version_kind, ties by namespace|name) or fifo. */
#include "build.h"
#include "err.h"
#include "gosort.h"
#include <stdlib.h>
#include <string.h>

static const char *const default_first[] = {
    "Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
    "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret",
    "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim",
    "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget", NULL};
static const char *const default_last[] = {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", NULL};

struct sort_item {
    resource *r;
    int rank;
    const char *gvk; /* g_v_k with ~G ~V ~K */
    const char *key; /* gvk|ns|name */
    int is_core_namespace;
};

/* kustomize's legacyIDSorter.Less. Its Namespace rule makes the order
 * intransitive (a foreign Namespace < Service < core Namespace < foreign
 * Namespace), so the result depends on the algorithm: go_sort, not qsort. */
static int less_items(void *ctx, int i, int j)
{
    const struct sort_item *a = (struct sort_item *)ctx + i, *b = (struct sort_item *)ctx + j;
    if (strcmp(a->gvk, b->gvk)) {
        if (a->rank != b->rank) return a->rank < b->rank;
        /* kustomize puts a core Namespace after a namespace kind of another group. */
        if (!strcmp(a->r->id.kind, "Namespace") && !strcmp(b->r->id.kind, "Namespace") &&
            (!*a->r->id.group || !*b->r->id.group))
            return strcmp(a->gvk, b->gvk) > 0;
        return strcmp(a->gvk, b->gvk) < 0;
    }
    return strcmp(a->key, b->key) < 0;
}

static void swap_items(void *ctx, int i, int j)
{
    struct sort_item *v = ctx, t = v[i];
    v[i] = v[j];
    v[j] = t;
}

static int rank_of(const char *kind, const node *first, const node *last, int use_default)
{
    if (use_default) {
        int nf = 0;
        while (default_first[nf]) nf++;
        for (int i = 0; default_first[i]; i++)
            if (!strcmp(default_first[i], kind)) return -nf + i;
        for (int i = 0; default_last[i]; i++)
            if (!strcmp(default_last[i], kind)) return 1 + i;
        return 0;
    }
    if (first && first->kind == N_SEQ)
        for (uint32_t i = 0; i < first->u.seq.n; i++) {
            const char *k = node_text(first->u.seq.items[i]);
            if (k && !strcmp(k, kind)) return -(int)first->u.seq.n + (int)i;
        }
    if (last && last->kind == N_SEQ)
        for (uint32_t i = 0; i < last->u.seq.n; i++) {
            const char *k = node_text(last->u.seq.items[i]);
            if (k && !strcmp(k, kind)) return 1 + (int)i;
        }
    return 0;
}

int sort_kind_rank(const char *kind)
{
    return rank_of(kind, NULL, NULL, 1);
}

/* "x<sep>y<sep>z" in the arena (sorting builds two per object: no printf). */
static const char *join3(arena *a, char sep, const char *x, const char *y, const char *z)
{
    size_t lx = strlen(x), ly = strlen(y), lz = strlen(z);
    char *p = arena_alloc(a, lx + ly + lz + 3);
    memcpy(p, x, lx);
    p[lx] = sep;
    memcpy(p + lx + 1, y, ly);
    p[lx + 1 + ly] = sep;
    memcpy(p + lx + ly + 2, z, lz + 1);
    return p;
}

static int legacy_sort(arena *a, resmap *rm, const node *legacy)
{
    const node *first = legacy ? map_get(legacy, "orderFirst") : NULL;
    const node *last = legacy ? map_get(legacy, "orderLast") : NULL;
    struct sort_item *items = malloc((rm->n ? rm->n : 1) * sizeof *items);
    for (size_t i = 0; i < rm->n; i++) {
        resource *r = rm->v[i];
        items[i].r = r;
        items[i].rank = rank_of(r->id.kind, first, last, legacy == NULL);
        items[i].gvk = join3(a, '_', *r->id.group ? r->id.group : "~G", *r->id.version ? r->id.version : "~V",
                             *r->id.kind ? r->id.kind : "~K");
        items[i].key = join3(a, '|', items[i].gvk, *r->id.ns ? r->id.ns : "~X", *r->id.name ? r->id.name : "~N");
    }
    go_sort(&(go_sorter){items, less_items, swap_items}, (int)rm->n);
    for (size_t i = 0; i < rm->n; i++) rm->v[i] = items[i].r;
    free(items);
    resmap_reindex(rm);
    return 0;
}

int sort_resources(arena *a, resmap *rm, const node *opts)
{
    if (!opts || opts->kind == N_NULL) return legacy_sort(a, rm, NULL);
    const char *order = node_get_str(opts, "order", NULL);
    node *legacy = map_get(opts, "legacySortOptions");
    if (!order)
        return err_set("%s: sortOptions: the field 'sortOptions.order' must be set (legacy or fifo)",
                       node_pos(a, opts));
    if (!strcmp(order, "fifo")) {
        if (legacy)
            return err_set("%s: sortOptions: the field 'sortOptions.legacySortOptions' must be empty when "
                           "'sortOptions.order' is 'fifo'", node_pos(a, legacy));
        return 0;
    }
    if (strcmp(order, "legacy"))
        return err_set("%s: sortOptions: order must be 'legacy' or 'fifo', not '%s'", node_pos(a, opts), order);
    return legacy_sort(a, rm, legacy);
}
