/* The controller's main thread: leader election, LIST + WATCH of Plugins,
 * ConfigMaps and Secrets (an informer each, re-listing after a 410 Gone or a
 * dropped watch), the index of who reads and depends on what, the resync
 * timer; and the worker threads that reconcile (reconcile.c). */
#include "controller.h"
#include "err.h"
#include "kyaml.h"
#include "leader.h"
#include "plugins.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- the index: what each plugin depends on and reads (main thread only) ---- */

typedef struct pentry {
    char *key;                    /* ns/name */
    char *gen, *phase;            /* metadata.generation, status.phase as last seen */
    int deleting;
    char **refs;                  /* "plugin:ns/name", "ConfigMap:ns/name", "Secret:ns/name" */
    size_t nrefs;
} pentry;

static pentry *idx;
static size_t nidx;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static pentry *idx_find(const char *key)
{
    for (size_t i = 0; i < nidx; i++)
        if (!strcmp(idx[i].key, key)) return &idx[i];
    return NULL;
}

static void entry_clear(pentry *e)
{
    for (size_t i = 0; i < e->nrefs; i++) free(e->refs[i]);
    free(e->refs);
    free(e->gen);
    free(e->phase);
    e->refs = NULL, e->nrefs = 0, e->gen = e->phase = NULL;
}

static void add_ref(pentry *e, const char *kind, const char *ns, const char *name)
{
    e->refs = realloc(e->refs, (e->nrefs + 1) * sizeof *e->refs);
    size_t n = strlen(kind) + strlen(ns) + strlen(name) + 3;
    e->refs[e->nrefs] = malloc(n);
    snprintf(e->refs[e->nrefs++], n, "%s:%s/%s", kind, ns, name);
}

static void fill_refs(pentry *e, const node *obj, const char *ns)
{
    const node *deps = node_get(obj, "spec", "dependencies", NULL);
    for (uint32_t i = 0; deps && deps->kind == N_SEQ && i < deps->u.seq.n; i++) {
        const node *d = deps->u.seq.items[i];
        const char *name = d->kind == N_STR ? d->u.str.s : node_get_str(d, "name", NULL);
        const char *dns = d->kind == N_MAP ? node_get_str(d, "namespace", NULL) : NULL;
        if (!name) continue;
        char buf[256];
        snprintf(buf, sizeof buf, "%.*s", (int)strcspn(name, "<>=!~^ "), name);
        add_ref(e, "plugin", dns && *dns ? dns : ns, buf);
    }
    const node *vf = node_get(obj, "spec", "valuesFrom", NULL);
    for (uint32_t i = 0; vf && vf->kind == N_SEQ && i < vf->u.seq.n; i++) {
        const node *v = vf->u.seq.items[i];
        const char *kind = node_get_str(v, "kind", NULL), *vns = node_get_str(v, "namespace", NULL);
        const char *name = node_get_str(v, "name", NULL);
        if (name) add_ref(e, kind && !strcmp(kind, "Secret") ? "Secret" : "ConfigMap", vns && *vns ? vns : ns, name);
    }
}

/* Queues every plugin that has ref among its references. */
static void enqueue_readers(workqueue *q, const char *ref)
{
    for (size_t i = 0; i < nidx; i++)
        for (size_t k = 0; k < idx[i].nrefs; k++)
            if (!strcmp(idx[i].refs[k], ref)) {
                wq_add(q, idx[i].key);
                break;
            }
}

static void enqueue_all(workqueue *q)
{
    for (size_t i = 0; i < nidx; i++) wq_add(q, idx[i].key);
}

static int differs(const char *a, const char *b) { return (a || b) && (!a || !b || strcmp(a, b)); }

/* A Plugin event: the plugin is queued when its spec or deletion changed (not
 * for its own status writes), its dependents when its phase changed. */
static void on_plugin(workqueue *q, const char *type, const node *obj)
{
    const char *ns = node_get_str(obj, "metadata", "namespace", NULL), *name = node_get_str(obj, "metadata", "name", NULL);
    if (!ns || !name) return;
    char key[512], ref[520];
    snprintf(key, sizeof key, "%s/%s", ns, name);
    snprintf(ref, sizeof ref, "plugin:%s", key);
    pentry *e = idx_find(key);
    if (!strcmp(type, "DELETED")) {
        if (e) {
            entry_clear(e);
            free(e->key);
            *e = idx[--nidx];
        }
        enqueue_readers(q, ref);
        return;
    }
    const char *gen = node_text(node_get(obj, "metadata", "generation", NULL));
    const char *phase = node_get_str(obj, "status", "phase", NULL);
    int deleting = node_get_str(obj, "metadata", "deletionTimestamp", NULL) != NULL;
    int fresh = !e;
    if (fresh) {
        idx = realloc(idx, (nidx + 1) * sizeof *idx);
        e = &idx[nidx++];
        memset(e, 0, sizeof *e);
        e->key = strdup(key);
    }
    int changed = fresh || differs(e->gen, gen) || e->deleting != deleting || !strcmp(type, "ADDED");
    int phase_changed = fresh || differs(e->phase, phase);
    entry_clear(e);
    e->gen = gen ? strdup(gen) : NULL;
    e->phase = phase ? strdup(phase) : NULL;
    e->deleting = deleting;
    fill_refs(e, obj, ns);
    if (changed) wq_add(q, key);
    if (phase_changed) enqueue_readers(q, ref);
}

static void on_input(workqueue *q, const char *kind, const node *obj)
{
    const char *ns = node_get_str(obj, "metadata", "namespace", NULL), *name = node_get_str(obj, "metadata", "name", NULL);
    if (!ns || !name) return;
    if (!strcmp(kind, "ConfigMap") && !strcmp(ns, CTL_INSTALLER_NS) && !strcmp(name, PLUGIN_GLOBAL_VALUES)) {
        enqueue_all(q); /* every plugin reads the global values */
        return;
    }
    char ref[600];
    snprintf(ref, sizeof ref, "%s:%s/%s", kind, ns, name);
    enqueue_readers(q, ref);
}

/* ---- informers ------------------------------------------------------------------ */

typedef struct informer {
    const char *kind;             /* "Plugin", "ConfigMap", "Secret" */
    const cluster_resource *res;
    char rv[64];
    cluster_watch *w;
    int need_list;
    double retry_at;
    workqueue *q;
} informer;

/* LIST: the resourceVersion to watch from; Plugins' items feed the index
 * (and are all queued: a re-list may have missed events). */
static int inf_list(cluster *c, informer *inf)
{
    arena *a = arena_new();
    strbuf path = STRBUF_INIT;
    cluster_path(&path, inf->res, NULL, NULL);
    int plugins = !strcmp(inf->kind, "Plugin");
    if (!plugins) sb_adds(&path, "?limit=1"); /* only the snapshot's resourceVersion */
    cluster_result res;
    cluster_call call = {.method = "GET", .path = path.buf, .idempotent = 1, .arena = a};
    int rc = cluster_do(c, &call, &res, NULL);
    if (rc == 0) {
        const char *rv = node_get_str(res.json, "metadata", "resourceVersion", NULL);
        snprintf(inf->rv, sizeof inf->rv, "%s", rv ? rv : "");
        const node *items = map_get(res.json, "items");
        for (uint32_t i = 0; plugins && items && items->kind == N_SEQ && i < items->u.seq.n; i++)
            on_plugin(inf->q, "ADDED", items->u.seq.items[i]);
        if (!plugins) enqueue_all(inf->q); /* whatever changed while not watching */
        inf->need_list = 0;
    }
    sb_release(&path);
    arena_free(a);
    return rc;
}

static int on_event(cluster *c, const char *type, node *obj, void *ud)
{
    informer *inf = ud;
    (void)c;
    if (!strcmp(type, "ERROR")) {
        const char *code = node_text(map_get(obj, "code"));
        ctl_log("warn", "watch error", "kind", inf->kind, "code", code ? code : "", NULL);
        inf->need_list = 1; /* 410 Gone (or anything else): start over from a fresh list */
        return 1;
    }
    const char *rv = node_get_str(obj, "metadata", "resourceVersion", NULL);
    if (rv) snprintf(inf->rv, sizeof inf->rv, "%s", rv);
    if (!strcmp(type, "BOOKMARK")) return 0;
    if (!strcmp(inf->kind, "Plugin")) on_plugin(inf->q, type, obj);
    else on_input(inf->q, inf->kind, obj);
    return 0;
}

static void on_done(cluster *c, const cluster_result *res, void *ud)
{
    informer *inf = ud;
    (void)c;
    inf->w = NULL;
    metric_add(M_WATCH_RESTARTS, 1);
    if (res->error) {
        ctl_log("warn", "watch dropped", "kind", inf->kind, "error", res->error, NULL);
        inf->need_list = 1;
        inf->retry_at = mono() + 1;
    }
}

static void inf_tick(cluster *c, informer *inf)
{
    if (inf->w || mono() < inf->retry_at) return;
    if (inf->need_list && inf_list(c, inf) < 0) {
        ctl_log("warn", "list failed", "kind", inf->kind, "error", err_msg(), NULL);
        inf->retry_at = mono() + 2;
        return;
    }
    inf->w = cluster_watch_start(c, inf->res, NULL, NULL, NULL, inf->rv, 300, on_event, on_done, inf);
    if (!inf->w) inf->need_list = 1, inf->retry_at = mono() + 2;
}

/* ---- workers ----------------------------------------------------------------------- */

static void *worker_main(void *p)
{
    ctl_config *cfg = p;
    cluster *c = NULL;
    char *key;
    while ((key = wq_get(cfg->q))) {
        double t0 = mono(), requeue = 0;
        if (!c && !(c = cluster_open(&cfg->cf))) ctl_log("error", "cannot connect", "error", err_msg(), NULL);
        int rc = c ? reconcile(cfg, c, key, &requeue) : -1;
        metric_add(M_RECONCILES, 1);
        metric_observe_reconcile(mono() - t0);
        if (rc < 0) {
            metric_add(M_RECONCILE_ERRORS, 1);
            char n[16];
            snprintf(n, sizeof n, "%d", wq_failures(cfg->q, key));
            ctl_log("error", "reconcile failed", "plugin", key, "error", err_msg(), "failures", n, NULL);
            wq_add_rate_limited(cfg->q, key);
        } else {
            wq_forget(cfg->q, key);
            if (requeue > 0) wq_add_after(cfg->q, key, requeue);
        }
        wq_done(cfg->q, key);
        free(key);
    }
    if (c) cluster_close(c);
    return NULL;
}

/* ---- main loop ---------------------------------------------------------------------- */

static volatile int started;
static int is_ready(void) { return started; }

static int wait_for_leadership(ctl_config *cfg, cluster *c, leader *l)
{
    char host[200] = "", id[256];
    gethostname(host, sizeof host - 1);
    snprintf(id, sizeof id, "%s_%ld", host, (long)getpid());
    leader_init(l, cfg->lease_ns, cfg->lease_name, id);
    l->lease_duration_s = (int)(cfg->lease_duration_ms / 1000);
    l->renew_deadline_s = (int)(cfg->renew_deadline_ms / 1000);
    l->retry_period_s = (int)(cfg->retry_period_ms / 1000);
    ctl_log("info", "waiting for the lease", "namespace", l->ns, "lease", l->name, "identity", id, NULL);
    while (!leader_tick(l, c)) usleep(200000);
    ctl_log("info", "became leader", "identity", id, NULL);
    return 0;
}

int controller_run(ctl_config *cfg)
{
    if (cfg->health_addr && strcmp(cfg->health_addr, "0") && serve_start(cfg->health_addr, is_ready) < 0) {
        ctl_log("error", "health server", "error", err_msg(), NULL);
        return 1;
    }
    cluster *c = cluster_open(&cfg->cf);
    if (!c || cluster_discover(c) < 0) {
        ctl_log("error", "cannot connect", "error", err_msg(), NULL);
        return 1;
    }
    started = 1;
    leader l = {0};
    if (cfg->leader_elect) wait_for_leadership(cfg, c, &l);
    metric_set(M_LEADER, 1);
    cfg->q = wq_new(1, 300);
    informer infs[3] = {{.kind = "Plugin"}, {.kind = "ConfigMap"}, {.kind = "Secret"}};
    const char *avs[3] = {PLUGIN_API_VERSION, "v1", "v1"};
    for (int i = 0; i < 3; i++) {
        while (!(infs[i].res = cluster_find(c, avs[i], infs[i].kind))) {
            ctl_log("warn", "kind not served yet (is the Plugin CRD installed?)", "kind", infs[i].kind, NULL);
            sleep(2);
            cluster_refresh(c);
        }
        infs[i].need_list = 1;
        infs[i].q = cfg->q;
    }
    pthread_t *th = calloc((size_t)cfg->workers, sizeof *th);
    for (int i = 0; i < cfg->workers; i++) pthread_create(&th[i], NULL, worker_main, cfg);
    char nw[16];
    snprintf(nw, sizeof nw, "%d", cfg->workers);
    ctl_log("info", "controller started", "workers", nw, NULL);
    double next_resync = mono() + cfg->resync_ms / 1000.0;
    for (;;) {
        for (int i = 0; i < 3; i++) inf_tick(c, &infs[i]);
        cluster_step(c, 200);
        if (cfg->leader_elect && !leader_tick(&l, c)) {
            ctl_log("error", "leader election lost", "identity", l.identity, NULL);
            metric_set(M_LEADER, 0);
            _exit(1); /* as client-go controllers do: a fresh start rejoins the election */
        }
        if (cfg->resync_ms > 0 && mono() >= next_resync) {
            enqueue_all(cfg->q);
            next_resync = mono() + cfg->resync_ms / 1000.0;
        }
        metric_set(M_QUEUE_DEPTH, (double)wq_len(cfg->q));
    }
}
