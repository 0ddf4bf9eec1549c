/* The apply engine's driver: objects in, a plan, what is live, then every
 * object applied as soon as what it depends on is complete, with up to
 * `window` PATCH requests in flight; readiness, prune and the summary last.
 * See apply.h for the whole picture. */
#include "apply.h"
#include "err.h"
#include "jsonout.h"
#include "kyaml.h"
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* callbacks find the engine here: one apply per thread (the controller runs
 * one per worker thread) */
static _Thread_local engine *E;

/* ---- input --------------------------------------------------------------------- */

/* Appends the objects of a loaded document, expanding kind: *List. */
static int collect(engine *e, node *doc, node_list *out)
{
    if (!doc || doc->kind == N_NULL) return 0;
    if (doc->kind != N_MAP)
        return err_set("%s: an object must be a mapping", node_pos(e->a, doc));
    const char *kind = node_get_str(doc, "kind", NULL);
    const node *items = map_get(doc, "items");
    size_t kl = kind ? strlen(kind) : 0;
    if (kind && kl > 4 && !strcmp(kind + kl - 4, "List") && items && items->kind == N_SEQ) {
        for (uint32_t i = 0; i < items->u.seq.n; i++)
            if (collect(e, items->u.seq.items[i], out) < 0) return -1;
        return 0;
    }
    const char *av = node_get_str(doc, "apiVersion", NULL), *name = node_get_str(doc, "metadata", "name", NULL);
    if (!av || !*av || !kind || !*kind || !name || !*name)
        return err_set("%s: object without %s", node_pos(e->a, doc),
                       !av || !*av ? "apiVersion" : !kind || !*kind ? "kind" : "metadata.name");
    list_push(out, doc);
    return 0;
}

static int load_stream(engine *e, const char *name, const char *buf, size_t len, node_list *out)
{
    node_list docs = {0};
    int rc = yaml_load(e->a, arena_strdup(e->a, name), buf, len, &docs);
    for (size_t i = 0; rc == 0 && i < docs.n; i++) rc = collect(e, docs.v[i], out);
    list_free(&docs);
    return rc;
}

static int load_input(engine *e, node_list *out)
{
    const apply_opts *o = e->o;
    strbuf sb = STRBUF_INIT;
    int rc = 0;
    if (o->dir) {
        rc = build_run(o->dir, &o->build, &sb);
        if (rc == 0) rc = load_stream(e, o->dir, sb.buf ? sb.buf : "", sb.len, out);
    }
    for (size_t i = 0; rc == 0 && i < o->nfiles; i++) {
        sb_reset(&sb);
        const char *f = o->files[i];
        if (!strcmp(f, "-")) {
            char chunk[65536];
            ssize_t n;
            while ((n = read(0, chunk, sizeof chunk)) > 0) sb_add(&sb, chunk, (size_t)n);
            if (n < 0) rc = err_set("reading standard input: %m");
        } else if (sb_read_file(&sb, f) < 0) {
            rc = err_set("%s: %m", f);
        }
        if (rc == 0) rc = load_stream(e, strcmp(f, "-") ? f : "<stdin>", sb.buf ? sb.buf : "", sb.len, out);
    }
    sb_release(&sb);
    return rc;
}

/* ---- objects ------------------------------------------------------------------------ */

static const char *display(arena *a, const char *kind, const char *ns, const char *name)
{
    return *ns ? arena_printf(a, "%s %s/%s", kind, ns, name) : arena_printf(a, "%s %s", kind, name);
}

/* The CRD of this apply that defines group/kind, if any. */
static const node *crd_for(node_list *docs, const char *group, const char *kind)
{
    for (size_t i = 0; i < docs->n; i++) {
        const node *d = docs->v[i];
        const char *k = node_get_str(d, "kind", NULL), *av = node_get_str(d, "apiVersion", NULL);
        if (!k || strcmp(k, "CustomResourceDefinition") || !av || strncmp(av, "apiextensions.k8s.io/", 21)) continue;
        const char *g = node_get_str(d, "spec", "group", NULL), *nk = node_get_str(d, "spec", "names", "kind", NULL);
        if (g && nk && !strcmp(g, group) && !strcmp(nk, kind)) return d;
    }
    return NULL;
}

static void fail_obj(engine *e, aobj *o, const char *msg)
{
    o->state = OS_FAILED;
    o->msg = redact(e->a, msg);
}

/* Fills identity, kind resolution and namespace of one object. */
static int init_obj(engine *e, node_list *docs, node *doc, aobj *o)
{
    o->obj = doc;
    o->api_version = node_get_str(doc, "apiVersion", NULL);
    o->kind = node_get_str(doc, "kind", NULL);
    o->name = node_get_str(doc, "metadata", "name", NULL);
    if (!o->api_version || !o->kind || !o->name || !*o->name)
        return err_set("%s: object without %s", node_pos(e->a, doc),
                       !o->api_version ? "apiVersion" : !o->kind ? "kind" : "metadata.name");
    const char *sl = strrchr(o->api_version, '/');
    o->group = sl ? arena_strndup(e->a, o->api_version, (size_t)(sl - o->api_version)) : "";
    o->is_crd = !strcmp(o->group, "apiextensions.k8s.io") && !strcmp(o->kind, "CustomResourceDefinition");
    const char *ns = node_get_str(doc, "metadata", "namespace", NULL);
    o->res = cluster_find(e->c, o->api_version, o->kind);
    const node *crd = o->res ? NULL : crd_for(docs, o->group, o->kind);
    if (o->res) {
        o->namespaced = o->res->namespaced != 0;
    } else if (crd) {
        const char *scope = node_get_str(crd, "spec", "scope", NULL);
        o->from_crd = 1;
        o->namespaced = !scope || strcmp(scope, "Cluster") != 0;
    }
    if (o->namespaced && (!ns || !*ns)) {
        ns = cluster_namespace(e->c);
        map_set(e->a, map_ensure_map(e->a, doc, "metadata"), "namespace", node_new_str(e->a, ns));
    } else if (!o->namespaced && ns && (o->res || crd)) {
        map_del(map_get(doc, "metadata"), "namespace"); /* kubectl ignores it too */
        ns = NULL;
    }
    o->ns = o->namespaced ? ns : "";
    o->key = obj_key(e->a, o->group, o->kind, o->ns, o->name);
    int unknown = !o->res && !crd; /* named as written */
    o->what = display(e->a, o->kind, ns && (o->namespaced || unknown) ? ns : "", o->name);
    if (unknown)
        fail_obj(e, o, arena_printf(e->a, "%s: unknown kind: the server has no %s in %s (is its CRD installed?)",
                                    o->what, o->kind, o->api_version));
    return 0;
}

/* The body: the rendered object, labelled as an ApplySet member, with the
 * hash of everything else stored in an annotation. */
static void make_body(engine *e, aobj *o)
{
    node *meta = map_ensure_map(e->a, o->obj, "metadata");
    map_del(meta, "managedFields"); /* the server refuses it in an apply */
    node *ann = map_get(meta, "annotations");
    if (ann && ann->kind == N_MAP) map_del(ann, ANN_HASH);
    if (e->set_id) map_set(e->a, map_ensure_map(e->a, meta, "labels"), LABEL_PART_OF, node_new_str(e->a, e->set_id));
    content_hash(o->obj, o->hash);
    map_set(e->a, map_ensure_map(e->a, meta, "annotations"), ANN_HASH, node_new_str(e->a, o->hash));
    strbuf sb = STRBUF_INIT;
    json_value(&sb, o->obj);
    o->body = arena_strndup(e->a, sb.buf, sb.len);
    o->body_len = sb.len;
    sb_release(&sb);
}

/* Identity, kind and namespace of every loaded document (needs discovery). */
static int init_objects(engine *e, node_list *docs)
{
    e->objs = arena_zalloc(e->a, (docs->n + 1) * sizeof *e->objs);
    e->n = docs->n;
    for (size_t i = 0; i < docs->n; i++) {
        secret_remember(e->a, docs->v[i]);
        if (init_obj(e, docs, docs->v[i], &e->objs[i]) < 0) return -1;
        uint32_t j;
        if (keymap_get(&e->bykey, e->objs[i].key, &j))
            return err_set("%s is given twice (%s and %s)", e->objs[i].what, node_pos(e->a, e->objs[j].obj),
                           node_pos(e->a, docs->v[i]));
        keymap_put(&e->bykey, e->objs[i].key, (uint32_t)i);
    }
    return 0;
}

/* ---- completion ------------------------------------------------------------------------ */

static void count_state(engine *e, aobj *o, int ok)
{
    if (o->state == OS_APPLIED && ok) e->napplied++;
    else if (o->state == OS_UNCHANGED && ok) e->nunchanged++;
    else e->nfailed++;
}

void engine_obj_done(engine *e, uint32_t i, int ok)
{
    aobj *o = &e->objs[i];
    if (o->done) return;
    o->done = 1;
    e->ndone++;
    if (o->needs_ready && (o->state == OS_APPLIED || o->state == OS_UNCHANGED)) {
        if (ok) {
            o->health = H_READY;
            e->nready++;
            if (o->is_crd) e->crds_new = 1;
        } else {
            o->msg = redact(e->a, o->msg ? o->msg : "no status seen yet");
            progress_event(e, o, "not-ready", arena_printf(e->a, "not ready: %s", o->msg));
        }
    }
    count_state(e, o, ok);
    if (e->parent_pending && !strcmp(o->kind, "Namespace") && !*o->group && !strcmp(o->name, e->parent_ns) && ok)
        inv_parent_apply(e, 0);
    plan_done(&e->plan, i, ok);
    progress_tick(e, 0);
}

/* After it is applied (or found unchanged): complete now, or once ready. */
static void after_apply(engine *e, uint32_t i, const node *live)
{
    aobj *o = &e->objs[i];
    if (live) health_observe(e, i, live);
    if (!o->needs_ready || e->o->dry_run) {
        engine_obj_done(e, i, 1);
    } else if (health_trivial(o->group, o->kind, o->obj) && !o->is_crd) {
        engine_obj_done(e, i, 1);
    } else {
        health_watch(e, i);
    }
}

static void stop_run(engine *e, const char *why)
{
    if (e->stop) return;
    e->stop = 1;
    e->stop_why = arena_strdup(e->a, why);
}

static void pump(engine *e);

static void block(engine *e, uint32_t i, const char *why)
{
    aobj *o = &e->objs[i];
    o->state = OS_BLOCKED;
    o->msg = why;
    progress_event(e, o, "not-applied", why);
    engine_obj_done(e, i, 0);
}

static void on_applied(cluster *c, const cluster_result *res, void *ud)
{
    engine *e = E;
    uint32_t i = (uint32_t)(uintptr_t)ud;
    aobj *o = &e->objs[i];
    e->inflight--;
    if (!res->error) {
        o->state = OS_APPLIED;
        progress_event(e, o, e->o->dry_run ? "applied (server dry run)" : o->drifted ? "applied (drift)" : "applied",
                       NULL);
        after_apply(e, i, res->json);
    } else if (!res->status) {
        /* no answer: the server is gone (the client retried already); the
         * rest is not sent, and the summary tells how many wait for a rerun */
        stop_run(e, arena_printf(e->a, "lost the API server: %s", res->error));
        block(e, i, arena_printf(e->a, "not applied: %s", e->stop_why));
    } else {
        const char *msg = res->error;
        if (res->status == 409)
            msg = arena_printf(e->a, "%s (use --force-conflicts to take these fields over)", msg);
        fail_obj(e, o, msg);
        progress_event(e, o, "failed", o->msg);
        if (e->o->fail_fast) stop_run(e, "stopped at the first failure (--fail-fast)");
        engine_obj_done(e, i, 0);
    }
    (void)c;
    pump(e);
}

static void send_obj(engine *e, uint32_t i)
{
    aobj *o = &e->objs[i];
    unsigned flags = 0;
    if (e->o->force_conflicts || o->drifted) flags |= CLUSTER_FORCE;
    if (e->o->dry_run == DRY_SERVER) flags |= CLUSTER_DRY_RUN;
    o->state = OS_SENT;
    e->inflight++;
    /* the response is parsed only when readiness is judged from it */
    arena *a = o->needs_ready && !e->o->dry_run ? e->a : NULL;
    if (cluster_apply(e->c, &o->ref, e->o->field_manager, o->body, o->body_len, flags, a, on_applied,
                      (void *)(uintptr_t)i) < 0) {
        e->inflight--;
        fail_obj(e, o, arena_printf(e->a, "%s: %s", o->what, err_msg()));
        progress_event(e, o, "failed", o->msg);
        engine_obj_done(e, i, 0);
    }
}

static void queue_push(engine *e, uint32_t i)
{
    if (e->qtail == e->qcap) {
        e->qcap = e->qcap ? e->qcap * 2 : 256;
        e->queue = realloc(e->queue, e->qcap * sizeof *e->queue);
        if (!e->queue) abort();
    }
    e->queue[e->qtail++] = i;
}

static void pump(engine *e)
{
    while (e->qhead < e->qtail && (e->stop || e->inflight < e->window)) {
        uint32_t i = e->queue[e->qhead++];
        if (e->stop) block(e, i, arena_printf(e->a, "not applied: %s", e->stop_why));
        else send_obj(e, i);
    }
    if (e->qhead == e->qtail) e->qhead = e->qtail = 0;
}

/* A custom resource whose CRD this apply made: resolvable once discovery
 * knows the CRD. Aggregated discovery is updated a moment after the CRD is
 * Established, so objects that do not resolve yet wait in e->late and are
 * tried again every 200 ms (discovery reloaded once per round), for 30 s. */
static int resolve(engine *e, aobj *o)
{
    o->res = cluster_find(e->c, o->api_version, o->kind);
    if (!o->res) return -1;
    o->ref = (cluster_ref){o->res, o->namespaced ? o->ns : NULL, o->name};
    return 0;
}

static void late_push(engine *e, uint32_t i)
{
    if (e->nlate == e->caplate) {
        e->caplate = e->caplate ? e->caplate * 2 : 16;
        e->late = realloc(e->late, e->caplate * sizeof *e->late);
        if (!e->late) abort();
    }
    if (!e->nlate) e->late_since = now_s();
    e->late[e->nlate++] = i;
}

static void late_retry(engine *e)
{
    double t = now_s();
    if (!e->nlate || t < e->late_next) return;
    e->late_next = t + 0.2;
    e->crds_new = 0;
    int refreshed = cluster_refresh(e->c) == 0;
    size_t w = 0;
    for (size_t k = 0; k < e->nlate; k++) {
        uint32_t i = e->late[k];
        aobj *o = &e->objs[i];
        if (refreshed && resolve(e, o) == 0) {
            queue_push(e, i);
        } else if (e->stop || t - e->late_since > 30) {
            fail_obj(e, o, arena_printf(e->a, "%s: the server does not serve %s %s (its CRD was applied %.0f s ago)",
                                        o->what, o->api_version, o->kind, t - e->late_since));
            progress_event(e, o, "failed", o->msg);
            engine_obj_done(e, i, 0);
        } else {
            e->late[w++] = i;
        }
    }
    e->nlate = w;
}

/* plan callback: every dependency of object i is complete */
static void on_ready(void *ud, uint32_t i)
{
    engine *e = ud;
    aobj *o = &e->objs[i];
    pnode *p = &e->plan.v[i];
    if (o->state == OS_FAILED) {
        progress_event(e, o, "failed", o->msg);
        engine_obj_done(e, i, 0);
    } else if (p->blocked) {
        block(e, i, arena_printf(e->a, "not applied: it depends on %s, which %s", e->objs[p->blocker].what,
                                 e->objs[p->blocker].state == OS_FAILED ? "failed" : "is not ready"));
    } else if (e->stop) {
        block(e, i, arena_printf(e->a, "not applied: %s", e->stop_why));
    } else if (o->state == OS_UNCHANGED) {
        progress_event(e, o, "unchanged", NULL);
        after_apply(e, i, NULL);
    } else if (o->from_crd && !o->res && e->o->dry_run) {
        o->state = OS_UNCHANGED;
        progress_event(e, o, "skipped", "its CustomResourceDefinition is created by this apply (dry run)");
        engine_obj_done(e, i, 1);
    } else if (o->from_crd && !o->res && (e->crds_new || resolve(e, o) < 0)) {
        late_push(e, i); /* discovery is reloaded by the run loop */
    } else if (e->o->dry_run == DRY_CLIENT) {
        o->state = OS_APPLIED;
        progress_event(e, o, "applied (client dry run)", NULL);
        engine_obj_done(e, i, 1);
    } else {
        queue_push(e, i);
    }
}

/* ---- drift (--check-drift) --------------------------------------------------------------- */

typedef struct drift_check {
    uint32_t i;
    arena *a;
    node *live;
} drift_check;

static void on_dry(cluster *c, const cluster_result *res, void *ud)
{
    drift_check *d = ud;
    engine *e = E;
    aobj *o = &e->objs[d->i];
    if (res->error) {
        warnf("%s: drift check failed, applying it: %s", o->what, redact(e->a, res->error));
        o->drifted = 1;
    } else if (res->json && d->live) {
        strip_server_fields(res->json);
        strip_server_fields(d->live);
        if (!node_equal(res->json, d->live)) o->drifted = 1;
    }
    if (o->drifted) o->state = OS_WAITING;
    arena_free(d->a);
    free(d);
    (void)c;
}

static void on_live(cluster *c, const cluster_result *res, void *ud)
{
    drift_check *d = ud;
    engine *e = E;
    aobj *o = &e->objs[d->i];
    if (res->error || !res->json) { /* gone or unreadable: apply it */
        o->drifted = 1;
        o->state = OS_WAITING;
        arena_free(d->a);
        free(d);
        return;
    }
    d->live = res->json;
    unsigned flags = CLUSTER_DRY_RUN | CLUSTER_FORCE;
    if (cluster_apply(c, &o->ref, e->o->field_manager, o->body, o->body_len, flags, d->a, on_dry, d) < 0) {
        o->drifted = 1;
        o->state = OS_WAITING;
        arena_free(d->a);
        free(d);
    }
}

/* Objects whose stored hash matches are compared with what a server-side dry
 * run of their apply would make of them: a difference is drift by someone
 * else, and the object is applied again (taking its fields back). */
static void check_drift(engine *e)
{
    progress_stage(e, "drift check");
    for (uint32_t i = 0; i < e->n; i++) {
        if (e->objs[i].state != OS_UNCHANGED) continue;
        drift_check *d = calloc(1, sizeof *d);
        d->i = i;
        d->a = arena_new();
        if (cluster_get(e->c, &e->objs[i].ref, d->a, on_live, d) < 0) {
            arena_free(d->a);
            free(d);
        }
    }
    cluster_run(e->c);
    size_t n = 0;
    for (uint32_t i = 0; i < e->n; i++) n += e->objs[i].drifted;
    if (n || !e->o->json) progress_event_raw(e, "drift", "checked", arena_printf(e->a, "%zu drifted", n));
}

/* ---- the run ---------------------------------------------------------------------------------- */

static void prepare(engine *e)
{
    for (uint32_t i = 0; i < e->n; i++) {
        aobj *o = &e->objs[i];
        if (o->state == OS_FAILED) continue;
        make_body(e, o);
        if (o->res) o->ref = (cluster_ref){o->res, o->namespaced ? o->ns : NULL, o->name};
        o->needs_ready = e->o->wait || o->is_crd;
    }
}

/* Unchanged: the live object carries the same content hash. */
static void decide(engine *e)
{
    for (uint32_t i = 0; i < e->n; i++) {
        aobj *o = &e->objs[i];
        if (o->state == OS_FAILED || e->o->force) continue;
        uint32_t j;
        if (keymap_get(&e->livemap, o->key, &j) && e->live[j].hash && !strcmp(e->live[j].hash, o->hash))
            o->state = OS_UNCHANGED;
    }
}

static void timeout_check(engine *e)
{
    if (now_s() < e->deadline || e->timed_out) return;
    e->timed_out = 1;
    stop_run(e, arena_printf(e->a, "timed out after %.0f s waiting for readiness", e->o->timeout_ms / 1000.0));
    health_abort(e, e->stop_why);
}

static void run_plan(engine *e)
{
    progress_stage(e, e->o->dry_run ? "apply (dry run)" : "apply");
    e->window = (size_t)(e->o->cf.concurrency > 0 ? e->o->cf.concurrency : CLUSTER_DEFAULT_CONCURRENCY) * 2;
    e->deadline = now_s() + (e->o->timeout_ms > 0 ? e->o->timeout_ms : 300000) / 1000.0;
    plan_start(&e->plan, on_ready, e);
    pump(e);
    while (e->ndone < e->n) {
        late_retry(e);
        pump(e);
        if (!cluster_pending(e->c) && e->qhead == e->qtail && !e->nlate) {
            /* nothing in flight and nothing queued, yet objects wait: a bug, not a hang */
            stop_run(e, "internal error: the plan stalled");
            health_abort(e, e->stop_why);
            for (uint32_t i = 0; i < e->n; i++)
                if (!e->objs[i].done) block(e, i, "not applied: the plan stalled");
            break;
        }
        cluster_step(e->c, e->nlate ? 20 : 100);
        if (e->stop && !e->timed_out) health_abort(e, e->stop_why);
        timeout_check(e);
        pump(e);
        progress_tick(e, 0);
    }
    health_stop(e);
    cluster_run(e->c);
}

/* Rendering and connecting overlap: the input is loaded on a thread (into
 * e->a, which nothing else touches meanwhile) while discovery runs. An input
 * error is reported before a cluster error. */
typedef struct loader {
    engine *e;
    node_list docs;
    int rc;
    char *err;
} loader;

static void *load_thread(void *p)
{
    loader *l = p;
    l->rc = load_input(l->e, &l->docs);
    if (l->rc < 0) l->err = strdup(err_msg()); /* err_msg is per thread */
    return NULL;
}

static int load_and_connect(engine *e, node_list *docs)
{
    loader l = {.e = e};
    pthread_t t;
    progress_stage(e, e->o->dir ? "render" : "read");
    int threaded = pthread_create(&t, NULL, load_thread, &l) == 0;
    if (!threaded) load_thread(&l);
    char *cerr = NULL;
    if (e->o->client && e->o->cf.namespace_) cluster_set_namespace(e->o->client, e->o->cf.namespace_);
    e->c = e->o->client ? e->o->client : cluster_open(&e->o->cf);
    if (!e->c || cluster_discover(e->c) < 0) cerr = strdup(err_msg());
    if (threaded) pthread_join(t, NULL);
    *docs = l.docs;
    int rc = 0;
    if (l.err) rc = err_set("%s", l.err);
    else if (cerr) rc = err_set("%s", cerr);
    free(l.err);
    free(cerr);
    return rc;
}

int engine_prepare(engine *e)
{
    node_list docs = {0};
    int rc = load_and_connect(e, &docs);
    if (rc == 0) rc = init_objects(e, &docs);
    list_free(&docs);
    if (rc < 0) return -1;
    if (plan_build(e->a, e->objs, e->n, &e->plan) < 0) return -1;
    if (inv_setup(e) < 0) return -1;
    prepare(e);
    progress_stage(e, "read live state");
    return inv_list_live(e);
}

static int setup(engine *e)
{
    if (engine_prepare(e) < 0) return -1;
    decide(e);
    if (e->o->check_drift && !e->o->force) check_drift(e);
    if (e->set_id && inv_parent_apply(e, 0) < 0) return -1;
    return 0;
}

void engine_release(engine *e)
{
    health_free(e);
    progress_free(e);
    plan_free(&e->plan);
    keymap_free(&e->bykey);
    keymap_free(&e->livemap);
    free(e->live);
    free(e->queue);
    free(e->late);
    if (e->c && e->c != e->o->client) cluster_close(e->c);
    e->c = NULL;
    secret_forget();
}

void apply_result_free(apply_result *r)
{
    free(r->error);
    free(r->resources);
    memset(r, 0, sizeof *r);
}

/* The first thing that went wrong, for apply_result.error. */
static const char *first_error(const engine *e, int rc)
{
    if (rc < 0) return err_msg();
    if (e->stop) return e->stop_why;
    for (size_t i = 0; i < e->n; i++) {
        const aobj *o = &e->objs[i];
        if (o->state == OS_FAILED || o->state == OS_BLOCKED) return o->msg ? o->msg : o->what;
        if (o->needs_ready && o->done && o->health != H_READY && !e->o->dry_run)
            return arena_printf(e->a, "%s not ready: %s", o->what, o->msg ? o->msg : "no status seen yet");
    }
    return e->prune_failed ? "prune failed" : NULL;
}

static void fill_result(const engine *e, int rc, apply_result *r)
{
    r->objects = e->n;
    r->applied = e->napplied;
    r->unchanged = e->nunchanged;
    r->failed = e->nfailed;
    r->pruned = e->npruned;
    const char *err = first_error(e, rc);
    r->error = err ? strdup(err) : NULL;
    strbuf sb = STRBUF_INIT;
    sb_addc(&sb, '[');
    for (size_t i = 0; i < e->n; i++) {
        const aobj *o = &e->objs[i];
        const char *f[][2] = {{"apiVersion", o->api_version}, {"kind", o->kind}, {"namespace", o->ns}, {"name", o->name}};
        sb_adds(&sb, i ? ",{" : "{");
        for (int k = 0; k < 4; k++) {
            if (k) sb_addc(&sb, ',');
            json_string(&sb, f[k][0], strlen(f[k][0]));
            sb_addc(&sb, ':');
            json_string(&sb, f[k][1] ? f[k][1] : "", f[k][1] ? strlen(f[k][1]) : 0);
        }
        sb_addc(&sb, '}');
    }
    sb_addc(&sb, ']');
    r->resources = strndup(sb.buf, sb.len);
    sb_release(&sb);
}

int apply_main(const apply_opts *o)
{
    engine e = {.o = o, .a = arena_new(), .t0 = now_s()};
    E = &e;
    progress_new(&e);
    int rc = setup(&e);
    if (rc < 0) {
        progress_fatal(&e, err_msg());
    } else {
        run_plan(&e);
        if (o->prune) inv_prune(&e);
        progress_summary(&e);
        rc = e.nfailed || e.stop || e.prune_failed ? 1 : 0;
    }
    if (o->result) fill_result(&e, rc, o->result);
    engine_release(&e);
    arena_free(e.a);
    E = NULL;
    return rc < 0 ? 1 : rc;
}
