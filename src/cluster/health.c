/* Readiness, by the kstatus rules (what Flux, Helm 4 and cli-utils use), and
 * the watches that follow objects until they are ready.
 *
 * One WATCH per resource type and namespace serves every object of that
 * pair; it starts from the current state (ADDED events) and follows changes.
 * Every event about one of our objects records its state on the object, kept
 * only when its resourceVersion is not older than what was seen (the PATCH
 * response and the watch stream are not ordered with each other), so an
 * object that starts waiting on a running watch knows its latest state. */
#include "apply.h"
#include "err.h"
#include <stdlib.h>
#include <string.h>

/* ---- kstatus ---------------------------------------------------------------- */

static const node *condition(const node *obj, const char *type)
{
    const node *cs = node_get(obj, "status", "conditions", NULL);
    if (!cs || cs->kind != N_SEQ) return NULL;
    for (uint32_t i = 0; i < cs->u.seq.n; i++) {
        const char *t = node_get_str(cs->u.seq.items[i], "type", NULL);
        if (t && !strcmp(t, type)) return cs->u.seq.items[i];
    }
    return NULL;
}

/* 1 when condition type has status s ("True"/"False") */
static int cond_is(const node *obj, const char *type, const char *s)
{
    const char *st = node_get_str(condition(obj, type), "status", NULL);
    return st && !strcmp(st, s);
}

/* "Type=Status (Reason)" of a condition */
static const char *cond_text(arena *a, const node *obj, const char *type)
{
    const node *c = condition(obj, type);
    const char *st = node_get_str(c, "status", NULL), *reason = node_get_str(c, "reason", NULL);
    if (reason && *reason) return arena_printf(a, "%s=%s (%s)", type, st ? st : "?", reason);
    return arena_printf(a, "%s=%s", type, st ? st : "?");
}

/* "Type=Status (Reason): message" of a condition, for summaries. */
static const char *cond_why(arena *a, const node *obj, const char *type)
{
    const node *c = condition(obj, type);
    const char *msg = node_get_str(c, "message", NULL);
    const char *head = cond_text(a, obj, type);
    return msg && *msg ? arena_printf(a, "%s: %s", head, msg) : head;
}

static long num(const node *obj, const char *a, const char *b, const char *c, long dflt)
{
    const node *n = c ? node_get(obj, a, b, c, NULL) : node_get(obj, a, b, NULL);
    const char *t = node_text(n);
    return t && n->kind == N_INT ? strtol(t, NULL, 10) : dflt;
}

static int deployment(arena *a, const node *o, const char **why)
{
    const node *pc = condition(o, "Progressing");
    const char *preason = node_get_str(pc, "reason", NULL);
    if (preason && !strcmp(preason, "ProgressDeadlineExceeded")) return *why = cond_why(a, o, "Progressing"), H_FAILED;
    long want = num(o, "spec", "replicas", NULL, 1);
    long upd = num(o, "status", "updatedReplicas", NULL, 0), ready = num(o, "status", "readyReplicas", NULL, 0),
         avail = num(o, "status", "availableReplicas", NULL, 0), total = num(o, "status", "replicas", NULL, 0);
    if (upd < want) return *why = arena_printf(a, "%ld of %ld replicas updated", upd, want), H_PROGRESS;
    if (total > upd) return *why = arena_printf(a, "%ld old replicas pending termination", total - upd), H_PROGRESS;
    if (avail < want || ready < want) {
        if (condition(o, "Available") && !cond_is(o, "Available", "True"))
            *why = arena_printf(a, "%s (%ld of %ld replicas available)", cond_why(a, o, "Available"), avail, want);
        else *why = arena_printf(a, "%ld of %ld replicas available", avail, want);
        return H_PROGRESS;
    }
    if (!cond_is(o, "Available", "True")) return *why = "Available condition not True yet", H_PROGRESS;
    if (pc && (!preason || strcmp(preason, "NewReplicaSetAvailable")))
        return *why = cond_why(a, o, "Progressing"), H_PROGRESS;
    return H_READY;
}

static int statefulset(arena *a, const node *o, const char **why)
{
    const char *strategy = node_get_str(o, "spec", "updateStrategy", "type", NULL);
    if (strategy && !strcmp(strategy, "OnDelete")) return H_READY;
    long want = num(o, "spec", "replicas", NULL, 1);
    long part = 0;
    const node *p = node_get(o, "spec", "updateStrategy", "rollingUpdate", "partition", NULL);
    if (node_text(p)) part = strtol(node_text(p), NULL, 10);
    long ready = num(o, "status", "readyReplicas", NULL, 0), upd = num(o, "status", "updatedReplicas", NULL, 0);
    if (ready < want) return *why = arena_printf(a, "%ld of %ld replicas ready", ready, want), H_PROGRESS;
    if (upd < want - part) return *why = arena_printf(a, "%ld of %ld replicas updated", upd, want - part), H_PROGRESS;
    const char *cur = node_get_str(o, "status", "currentRevision", NULL),
               *next = node_get_str(o, "status", "updateRevision", NULL);
    if (!part && cur && next && strcmp(cur, next))
        return *why = arena_printf(a, "rolling update to revision %s", next), H_PROGRESS;
    return H_READY;
}

static int daemonset(arena *a, const node *o, const char **why)
{
    long want = num(o, "status", "desiredNumberScheduled", NULL, -1);
    if (want < 0) return *why = "not scheduled yet", H_PROGRESS;
    static const char *const fields[] = {"currentNumberScheduled", "updatedNumberScheduled", "numberAvailable",
                                         "numberReady"};
    for (int i = 0; i < 4; i++) {
        long v = num(o, "status", fields[i], NULL, 0);
        if (v < want) return *why = arena_printf(a, "%s %ld of %ld", fields[i], v, want), H_PROGRESS;
    }
    return H_READY;
}

static int by_kind(arena *a, const char *group, const char *kind, const node *o, const char **why)
{
    if (!strcmp(group, "apiextensions.k8s.io") && !strcmp(kind, "CustomResourceDefinition")) {
        if (cond_is(o, "NamesAccepted", "False")) return *why = cond_why(a, o, "NamesAccepted"), H_FAILED;
        if (cond_is(o, "Established", "True")) return H_READY;
        return *why = condition(o, "Established") ? cond_why(a, o, "Established") : "not Established yet", H_PROGRESS;
    }
    if (!strcmp(group, "apps") && !strcmp(kind, "Deployment")) return deployment(a, o, why);
    if (!strcmp(group, "apps") && !strcmp(kind, "StatefulSet")) return statefulset(a, o, why);
    if (!strcmp(group, "apps") && !strcmp(kind, "DaemonSet")) return daemonset(a, o, why);
    if (!strcmp(group, "apps") && !strcmp(kind, "ReplicaSet")) {
        long want = num(o, "spec", "replicas", NULL, 1), avail = num(o, "status", "availableReplicas", NULL, 0);
        if (avail < want) return *why = arena_printf(a, "%ld of %ld replicas available", avail, want), H_PROGRESS;
        return H_READY;
    }
    if (!strcmp(group, "batch") && !strcmp(kind, "Job")) {
        if (cond_is(o, "Failed", "True")) return *why = cond_why(a, o, "Failed"), H_FAILED;
        if (cond_is(o, "Complete", "True")) return H_READY;
        return *why = "not Complete yet", H_PROGRESS;
    }
    if (!*group && !strcmp(kind, "Pod")) {
        const char *phase = node_get_str(o, "status", "phase", NULL);
        if (phase && !strcmp(phase, "Succeeded")) return H_READY;
        if (phase && !strcmp(phase, "Failed")) return *why = "phase Failed", H_FAILED;
        if (cond_is(o, "Ready", "True")) return H_READY;
        return *why = arena_printf(a, "phase %s, not Ready", phase ? phase : "unknown"), H_PROGRESS;
    }
    if (!*group && !strcmp(kind, "PersistentVolumeClaim")) {
        const char *phase = node_get_str(o, "status", "phase", NULL);
        if (phase && !strcmp(phase, "Bound")) return H_READY;
        return *why = arena_printf(a, "phase %s, not Bound", phase ? phase : "unknown"), H_PROGRESS;
    }
    if (!*group && !strcmp(kind, "Service")) {
        const char *type = node_get_str(o, "spec", "type", NULL);
        if (type && !strcmp(type, "LoadBalancer") && !node_get(o, "status", "loadBalancer", "ingress", NULL))
            return *why = "no load balancer ingress yet", H_PROGRESS;
        return H_READY;
    }
    if (condition(o, "Ready") && !cond_is(o, "Ready", "True")) return *why = cond_why(a, o, "Ready"), H_PROGRESS;
    return H_READY;
}

int health_eval(arena *a, const node *obj, const char **why)
{
    *why = NULL;
    if (node_get(obj, "metadata", "deletionTimestamp", NULL)) return *why = "being deleted", H_TERMINATING;
    const char *av = node_get_str(obj, "apiVersion", NULL), *kind = node_get_str(obj, "kind", NULL);
    if (!av || !kind) return H_READY;
    const char *sl = strrchr(av, '/');
    const char *group = sl ? arena_strndup(a, av, (size_t)(sl - av)) : "";
    const node *og = node_get(obj, "status", "observedGeneration", NULL);
    const char *gen = node_get_str(obj, "metadata", "generation", NULL);
    if (!gen) gen = node_text(node_get(obj, "metadata", "generation", NULL));
    if (node_text(og) && gen && strcmp(node_text(og), gen))
        return *why = arena_printf(a, "generation %s not observed yet (at %s)", gen, node_text(og)), H_PROGRESS;
    if (cond_is(obj, "Stalled", "True")) return *why = cond_why(a, obj, "Stalled"), H_FAILED;
    if (cond_is(obj, "Reconciling", "True")) return *why = cond_why(a, obj, "Reconciling"), H_PROGRESS;
    return by_kind(a, group, kind, obj, why);
}

int health_trivial(const char *group, const char *kind, const node *obj)
{
    static const char *const core[] = {"ConfigMap", "Secret", "ServiceAccount", "Namespace", "Endpoints",
                                       "LimitRange", "ResourceQuota", "PodTemplate", NULL};
    if (!*group) {
        for (int i = 0; core[i]; i++)
            if (!strcmp(kind, core[i])) return 1;
        const char *type = node_get_str(obj, "spec", "type", NULL);
        return !strcmp(kind, "Service") && (!type || strcmp(type, "LoadBalancer"));
    }
    static const char *const groups[] = {"rbac.authorization.k8s.io", "scheduling.k8s.io", "storage.k8s.io",
                                         "admissionregistration.k8s.io", "policy", "networking.k8s.io",
                                         "node.k8s.io", "coordination.k8s.io", "discovery.k8s.io", NULL};
    for (int i = 0; groups[i]; i++)
        if (!strcmp(group, groups[i])) return 1;
    return 0;
}

/* ---- one look at live objects (kgrender plugins --live) ------------------------------ */

typedef struct probe {
    uint8_t *state;
    const char **why;
    arena *a;
} probe;

static void on_probe(cluster *c, const cluster_result *res, void *ud)
{
    probe *p = ud;
    int h = H_UNKNOWN;
    if (res->status == 404) h = H_MISSING, *p->why = "not found";
    else if (res->error) *p->why = arena_strdup(p->a, res->error);
    else if (res->json) h = health_eval(p->a, res->json, p->why);
    *p->state = (uint8_t)h;
    (void)c;
}

void health_live(cluster *c, node *const *objs, size_t n, arena *a, uint8_t *states, const char **whys)
{
    probe *p = arena_alloc(a, (n ? n : 1) * sizeof *p);
    for (size_t i = 0; i < n; i++) {
        cluster_ref ref;
        states[i] = H_UNKNOWN;
        whys[i] = NULL;
        p[i] = (probe){&states[i], &whys[i], a};
        if (cluster_ref_of(c, objs[i], &ref) < 0) /* the server has no such kind: nothing of it is there */
            states[i] = H_MISSING, whys[i] = arena_strdup(a, err_msg());
        else if (cluster_get(c, &ref, a, on_probe, &p[i]) < 0)
            whys[i] = arena_strdup(a, err_msg());
    }
    cluster_run(c);
}

/* ---- watches ------------------------------------------------------------------- */

typedef struct watch {
    engine *e;
    const cluster_resource *res;
    const char *ns;               /* NULL: cluster-scoped */
    cluster_watch *w;
    char rv[64];                  /* resume point */
    size_t waiting;               /* objects waiting on it */
    int running, failures;
} watch;

struct watchset {
    watch **v;
    size_t n, cap;
    keymap idx;                   /* "group/resource/ns" -> index */
    int stopping;
};

static uint64_t rv_num(const char *rv)
{
    return rv ? strtoull(rv, NULL, 10) : 0;
}

/* Records an observed state of object i (kept only when not older). */
static void observe(engine *e, aobj *o, const node *obj, int deleted)
{
    const char *rv = node_get_str(obj, "metadata", "resourceVersion", NULL);
    uint64_t n = rv_num(rv);
    if (n && n < o->seen_rv) return;
    o->seen_rv = n;
    const char *why = NULL;
    o->health = deleted ? H_MISSING : (uint8_t)health_eval(e->a, obj, &why);
    o->msg = deleted ? "deleted" : why;
}

static void finish(engine *e, watch *w, uint32_t i, int ok)
{
    e->objs[i].watched = 0;
    w->waiting--;
    engine_obj_done(e, i, ok);
}

static void check(engine *e, watch *w, uint32_t i)
{
    aobj *o = &e->objs[i];
    if (!o->watched) return;
    if (o->health == H_READY) finish(e, w, i, 1);
    else if (o->health == H_FAILED) finish(e, w, i, 0);
}

static int on_event(cluster *c, const char *type, node *obj, void *ud)
{
    watch *w = ud;
    engine *e = w->e;
    const char *rv = node_get_str(obj, "metadata", "resourceVersion", NULL);
    if (!strcmp(type, "ERROR")) {
        const char *code = node_text(map_get(obj, "code"));
        if (code && !strcmp(code, "410")) w->rv[0] = 0; /* too old: start again from now */
        return 1;
    }
    if (rv && strlen(rv) < sizeof w->rv) strcpy(w->rv, rv);
    if (!strcmp(type, "BOOKMARK")) return 0;
    const char *name = node_get_str(obj, "metadata", "name", NULL);
    const char *ns = node_get_str(obj, "metadata", "namespace", NULL);
    uint32_t i;
    if (name && keymap_get(&e->bykey, obj_key(e->a, w->res->group, w->res->kind, w->res->namespaced && ns ? ns : "", name), &i)) {
        observe(e, &e->objs[i], obj, !strcmp(type, "DELETED"));
        check(e, w, i);
    }
    (void)c;
    return w->waiting == 0;
}

static void start(engine *e, watch *w);

static void on_end(cluster *c, const cluster_result *res, void *ud)
{
    watch *w = ud;
    engine *e = w->e;
    w->running = 0;
    w->w = NULL;
    if (e->ws->stopping || !w->waiting) return;
    if (res->error) {
        if (++w->failures > 5) {
            /* the server keeps refusing the watch: the waiting objects cannot be checked */
            const char *why = arena_printf(e->a, "cannot watch: %s", redact(e->a, res->error));
            for (uint32_t i = 0; i < e->n && w->waiting; i++) {
                aobj *o = &e->objs[i];
                if (o->watched && o->res == w->res && (!w->ns || !strcmp(o->ns, w->ns))) {
                    o->msg = why;
                    finish(e, w, i, 0);
                }
            }
            return;
        }
    } else {
        w->failures = 0;
    }
    (void)c;
    start(e, w);
}

static void start(engine *e, watch *w)
{
    w->w = cluster_watch_start(e->c, w->res, w->ns, NULL, NULL, w->rv, 290, on_event, on_end, w);
    w->running = w->w != NULL;
    if (!w->running) warnf("watching %s: %s", w->res->name, err_msg());
}

static watch *watch_for(engine *e, const cluster_resource *res, const char *ns)
{
    if (!e->ws) e->ws = calloc(1, sizeof *e->ws);
    watchset *ws = e->ws;
    const char *key = arena_printf(e->a, "%s/%s/%s", res->group, res->name, ns ? ns : "");
    uint32_t i;
    if (keymap_get(&ws->idx, key, &i)) return ws->v[i];
    if (ws->n == ws->cap) {
        ws->cap = ws->cap ? ws->cap * 2 : 8;
        ws->v = realloc(ws->v, ws->cap * sizeof *ws->v);
        if (!ws->v) abort();
    }
    watch *w = calloc(1, sizeof *w);
    if (!w) abort();
    w->e = e;
    w->res = res;
    w->ns = ns;
    ws->v[ws->n] = w;
    keymap_put(&ws->idx, key, (uint32_t)ws->n++);
    return w;
}

void health_observe(engine *e, uint32_t i, const node *obj)
{
    observe(e, &e->objs[i], obj, 0);
}

void health_watch(engine *e, uint32_t i)
{
    aobj *o = &e->objs[i];
    watch *w = watch_for(e, o->res, o->res->namespaced ? o->ns : NULL);
    o->watched = 1;
    w->waiting++;
    check(e, w, i);
    if (o->watched && !w->running) start(e, w);
}

void health_stop(engine *e)
{
    watchset *ws = e->ws;
    if (!ws) return;
    ws->stopping = 1;
    for (size_t i = 0; i < ws->n; i++)
        if (ws->v[i]->running) cluster_watch_stop(e->c, ws->v[i]->w);
}

void health_free(engine *e)
{
    watchset *ws = e->ws;
    if (!ws) return;
    for (size_t i = 0; i < ws->n; i++) free(ws->v[i]);
    free(ws->v);
    keymap_free(&ws->idx);
    free(ws);
    e->ws = NULL;
}

void health_abort(engine *e, const char *why)
{
    (void)why; /* the run's stop reason is printed once, by the summary */
    watchset *ws = e->ws;
    if (!ws) return;
    for (uint32_t i = 0; i < e->n; i++) {
        aobj *o = &e->objs[i];
        if (!o->watched) continue;
        if (!o->msg) o->msg = "no status seen yet";
        finish(e, watch_for(e, o->res, o->res->namespaced ? o->ns : NULL), i, 0);
    }
}
