/* Discovery: which kinds the server serves, under which resource name and
 * scope. Aggregated discovery (apidiscovery.k8s.io/v2: everything in two
 * requests, /api and /apis) when the server has it (Kubernetes >= 1.30 by
 * default); else the legacy walk (/api, /apis, then every group version,
 * fetched concurrently). Refreshed on demand, after CRDs are established. */
#include "cluster.h"
#include "err.h"
#include "kubeconfig.h"
#include <stdlib.h>
#include <string.h>

#define AGG_ACCEPT \
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList," \
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"

struct cluster_disc {
    arena *a;
    cluster_resource **v;
    size_t n, cap;
    const cluster_resource *last; /* lookups come in runs of one kind */
    char *failure;                /* discovery failed: every lookup fails with this until a refresh */
};

void cluster_disc_free(struct cluster_disc *d)
{
    if (!d) return;
    free(d->v);
    free(d->failure);
    arena_free(d->a);
    free(d);
}

static const char *const *str_list(arena *a, const node *seq)
{
    uint32_t n = seq && seq->kind == N_SEQ ? seq->u.seq.n : 0;
    const char **v = arena_zalloc(a, (n + 1) * sizeof *v);
    for (uint32_t i = 0; i < n; i++) v[i] = node_text(seq->u.seq.items[i]) ? node_text(seq->u.seq.items[i]) : "";
    return v;
}

static void add(struct cluster_disc *d, cluster_resource *r)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 256;
        d->v = realloc(d->v, d->cap * sizeof *d->v);
    }
    d->v[d->n++] = r;
}

/* One resource of a group version, from either format (the field names differ). */
static void add_resource(struct cluster_disc *d, const char *group, const char *version, int preferred,
                         const node *r, int aggregated)
{
    const char *name = node_get_str(r, aggregated ? "resource" : "name", NULL);
    const char *kind = aggregated ? node_get_str(r, "responseKind", "kind", NULL) : node_get_str(r, "kind", NULL);
    if (!name || !kind || strchr(name, '/')) return; /* subresources */
    cluster_resource *res = arena_zalloc(d->a, sizeof *res);
    res->group = group;
    res->version = version;
    res->kind = kind;
    res->name = name;
    const char *singular = node_get_str(r, aggregated ? "singularResource" : "singularName", NULL);
    res->singular = singular ? singular : "";
    if (aggregated) {
        const char *scope = node_get_str(r, "scope", NULL);
        res->namespaced = scope && !strcmp(scope, "Namespaced");
    } else {
        res->namespaced = node_is_true(map_get(r, "namespaced"));
    }
    res->short_names = str_list(d->a, map_get(r, "shortNames"));
    res->verbs = str_list(d->a, map_get(r, "verbs"));
    res->categories = str_list(d->a, map_get(r, "categories"));
    res->preferred = preferred;
    add(d, res);
}

/* APIGroupDiscoveryList: items[].metadata.name, versions[] (the first is preferred). */
static void from_aggregated(struct cluster_disc *d, const node *list)
{
    const node *items = map_get(list, "items");
    for (uint32_t i = 0; items && items->kind == N_SEQ && i < items->u.seq.n; i++) {
        const node *g = items->u.seq.items[i];
        const char *group = node_get_str(g, "metadata", "name", NULL);
        const node *versions = map_get(g, "versions");
        for (uint32_t j = 0; versions && versions->kind == N_SEQ && j < versions->u.seq.n; j++) {
            const node *v = versions->u.seq.items[j];
            const char *version = node_get_str(v, "version", NULL);
            const node *rs = map_get(v, "resources");
            if (!version) continue;
            for (uint32_t k = 0; rs && rs->kind == N_SEQ && k < rs->u.seq.n; k++)
                add_resource(d, group ? group : "", version, j == 0, rs->u.seq.items[k], 1);
        }
    }
}

static int is_kind(const node *doc, const char *kind)
{
    const char *k = node_get_str(doc, "kind", NULL);
    return k && !strcmp(k, kind);
}

/* The legacy walk: the group versions named by /api (APIVersions) and /apis
 * (APIGroupList), each fetched for its APIResourceList. */
static int legacy(cluster *c, struct cluster_disc *d, const node *api, const node *apis)
{
    size_t n = 0, cap = 16;
    cluster_call *calls = calloc(cap, sizeof *calls);
    const char **groups = calloc(cap, sizeof *groups), **versions = calloc(cap, sizeof *versions);
    int *pref = calloc(cap, sizeof *pref);
    const node *vs = map_get(api, "versions"), *gs = map_get(apis, "groups");
    uint32_t nv = vs && vs->kind == N_SEQ ? vs->u.seq.n : 0, ng = gs && gs->kind == N_SEQ ? gs->u.seq.n : 0;
    for (uint32_t i = 0; i < nv + ng; i++) {
        const node *g = i >= nv ? gs->u.seq.items[i - nv] : NULL;
        const node *gv = g ? map_get(g, "versions") : NULL;
        const char *preferred = g ? node_get_str(g, "preferredVersion", "version", NULL) : NULL;
        uint32_t m = g ? (gv && gv->kind == N_SEQ ? gv->u.seq.n : 0) : 1;
        for (uint32_t j = 0; j < m; j++) {
            const char *version = g ? node_get_str(gv->u.seq.items[j], "version", NULL) : node_text(vs->u.seq.items[i]);
            if (!version) continue;
            if (n == cap) {
                cap *= 2;
                calls = realloc(calls, cap * sizeof *calls);
                groups = realloc(groups, cap * sizeof *groups);
                versions = realloc(versions, cap * sizeof *versions);
                pref = realloc(pref, cap * sizeof *pref);
            }
            groups[n] = g ? arena_strdup(d->a, node_get_str(g, "name", NULL)) : "";
            versions[n] = arena_strdup(d->a, version);
            pref[n] = !g || (preferred ? !strcmp(preferred, version) : j == 0);
            const char *path = g ? arena_printf(d->a, "/apis/%s/%s", groups[n], version)
                                 : arena_printf(d->a, "/api/%s", version);
            calls[n] = (cluster_call){.method = "GET", .path = path, .idempotent = 1, .arena = d->a};
            n++;
        }
    }
    cluster_result *res = calloc(n ? n : 1, sizeof *res);
    int rc = 0;
    cluster_do_all(c, calls, n, res, NULL);
    for (size_t i = 0; i < n && rc == 0; i++) {
        /* A group whose aggregated API server is down (503) is skipped, as kubectl does. */
        if (res[i].error && res[i].status != 503 && res[i].status != 404) rc = err_set("discovery: %s", res[i].error);
        const node *rs = map_get(res[i].json, "resources");
        for (uint32_t k = 0; !res[i].error && rs && rs->kind == N_SEQ && k < rs->u.seq.n; k++)
            add_resource(d, groups[i], versions[i], pref[i], rs->u.seq.items[k], 0);
    }
    free(calls);
    free(groups);
    free(versions);
    free(pref);
    free(res);
    return rc;
}

static int load(cluster *c, struct cluster_disc *d)
{
    cluster_call calls[2] = {
        {.method = "GET", .path = "/api", .accept = AGG_ACCEPT, .idempotent = 1, .arena = d->a},
        {.method = "GET", .path = "/apis", .accept = AGG_ACCEPT, .idempotent = 1, .arena = d->a},
    };
    cluster_result res[2];
    if (cluster_do_all(c, calls, 2, res, NULL)) return err_set("discovery: %s", res[0].error ? res[0].error : res[1].error);
    if (!res[0].json || !res[1].json) return err_set("discovery: the server's answer to /api or /apis is not JSON");
    if (is_kind(res[0].json, "APIGroupDiscoveryList") && is_kind(res[1].json, "APIGroupDiscoveryList")) {
        from_aggregated(d, res[0].json);
        from_aggregated(d, res[1].json);
        return 0;
    }
    return legacy(c, d, res[0].json, res[1].json);
}

/* A failure is remembered: objects looked up one by one must not each
 * repeat the requests (and their retries) against a server that is down. */
int cluster_discover(cluster *c)
{
    struct cluster_disc **slot = cluster_disc_slot(c);
    if (*slot) return (*slot)->failure ? err_set("%s", (*slot)->failure) : 0;
    struct cluster_disc *d = calloc(1, sizeof *d);
    d->a = arena_new();
    if (load(c, d) < 0) {
        d->failure = strdup(err_msg());
        d->n = 0;
    }
    *slot = d;
    return d->failure ? -1 : 0;
}

int cluster_refresh(cluster *c)
{
    struct cluster_disc **slot = cluster_disc_slot(c);
    struct cluster_disc *old = *slot;
    *slot = NULL;
    if (cluster_discover(c) < 0) {
        if (old && !old->failure) { /* keep what we knew */
            cluster_disc_free(*slot);
            *slot = old;
            return -1;
        }
        cluster_disc_free(old);
        return -1;
    }
    /* Resources handed out before stay valid: their arena lives on. */
    if (old) {
        arena_adopt((*slot)->a, old->a);
        free(old->v);
        free(old->failure);
        free(old);
    }
    return 0;
}

size_t cluster_resources(cluster *c, const cluster_resource *const **out)
{
    if (cluster_discover(c) < 0) {
        *out = NULL;
        return 0;
    }
    struct cluster_disc *d = *cluster_disc_slot(c);
    *out = (const cluster_resource *const *)d->v;
    return d->n;
}

const cluster_resource *cluster_find(cluster *c, const char *api_version, const char *kind)
{
    if (cluster_discover(c) < 0) return NULL;
    struct cluster_disc *d = *cluster_disc_slot(c);
    const char *slash = strchr(api_version, '/');
    size_t glen = slash ? (size_t)(slash - api_version) : 0;
    const char *version = slash ? slash + 1 : api_version;
    const cluster_resource *r = d->last;
    if (r && !strcmp(r->kind, kind) && !strcmp(r->version, version) && strlen(r->group) == glen &&
        !strncmp(r->group, api_version, glen))
        return r;
    for (size_t i = 0; i < d->n; i++) {
        r = d->v[i];
        if (strcmp(r->kind, kind) || strcmp(r->version, version) || strlen(r->group) != glen ||
            strncmp(r->group, api_version, glen))
            continue;
        d->last = r;
        return r;
    }
    err_set("no matches for kind \"%s\" in version \"%s\"", kind, api_version);
    return NULL;
}

int cluster_ref_of(cluster *c, const node *obj, cluster_ref *out)
{
    const char *av = node_get_str(obj, "apiVersion", NULL), *kind = node_get_str(obj, "kind", NULL);
    const char *name = node_get_str(obj, "metadata", "name", NULL);
    const char *ns = node_get_str(obj, "metadata", "namespace", NULL);
    arena *tmp = NULL;
    memset(out, 0, sizeof *out);
    if (!av || !*av || !kind || !*kind || !name || !*name) {
        tmp = arena_new();
        err_set("%s: object %s%s%s has no %s", node_pos(tmp, obj), kind ? kind : "", name ? " " : "",
                name ? name : "", !av || !*av ? "apiVersion" : !kind || !*kind ? "kind" : "metadata.name");
        arena_free(tmp);
        return -1;
    }
    const cluster_resource *r = cluster_find(c, av, kind);
    if (!r) return err_prefix("%s %s%s%s", kind, ns ? ns : "", ns ? "/" : "", name);
    out->res = r;
    out->name = name;
    out->ns = r->namespaced ? (ns && *ns ? ns : cluster_namespace(c)) : NULL;
    return 0;
}
