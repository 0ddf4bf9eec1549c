/* The apply engine: `kgrender apply` (cmd_apply.c) renders or reads objects
 * and hands them to apply_main, which
 *   - plans the order (plan.c): waves, then stages within a wave (Namespaces
 *     and CRDs, then cluster prerequisites, then everything else), explicit
 *     kgrender.io/depends-on edges and implicit ones (a namespaced object
 *     after its Namespace, a custom resource after its CRD), cycles refused;
 *   - reads what is live (inventory.c): the ApplySet parent (KEP-3659) and one
 *     metadata-only LIST per resource type and namespace, which gives the
 *     stored content hashes and the members to prune;
 *   - applies what changed (apply.c) by server-side apply, many requests in
 *     flight, each object as soon as what it depends on is done;
 *   - waits for readiness (health.c: kstatus rules, by WATCH);
 *   - prunes, then reports (progress.c: terminal progress, -o json events,
 *     the summary line).
 * Everything runs on one thread, driven by the cluster client's callbacks. */
#ifndef KG_APPLY_H
#define KG_APPLY_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "build.h"
#include "cluster.h"

enum { DRY_NONE, DRY_SERVER, DRY_CLIENT };

/* What one run did, for callers that are not a terminal (the controller):
 * counts, the first error (heap string or NULL) and every object rendered as
 * a JSON array of {apiVersion, kind, namespace, name} (heap string). Free
 * with apply_result_free. */
typedef struct apply_result {
    size_t objects, applied, unchanged, failed, pruned;
    char *error;
    char *resources;
} apply_result;
void apply_result_free(apply_result *r);

typedef struct apply_opts {
    const char *dir;              /* render this kustomization (NULL: files) */
    build_options build;          /* every `build` flag */
    const char **files;           /* -f FILE... ("-": stdin) */
    size_t nfiles;
    cluster_flags cf;
    cluster *client;              /* an open client to use (kept by the caller, its default namespace
                                   * set from cf.namespace_); NULL: one is opened from cf */
    const char *field_manager;    /* --field-manager (default "kgrender") */
    const char *applyset;         /* --applyset [RESOURCE/]NAME; NULL: default for DIR, none for -f */
    int force_conflicts, fail_fast, force, check_drift, prune, prune_crds, wait;
    int dry_run;                  /* DRY_* */
    long timeout_ms;              /* --timeout, for --wait */
    int json;                     /* -o json: events on stdout */
    int progress;                 /* 1 on, 0 off, -1 when stderr is a terminal */
    int quiet;                    /* print nothing (the caller reads result) */
    apply_result *result;         /* filled when given */
} apply_opts;

/* Runs the whole apply; returns the exit status (0, or 1 when anything failed). */
int apply_main(const apply_opts *o);

/* What an apply of o would do, without doing it (kgrender diff --live;
 * preview.c): everything apply does before its first write, then for each
 * object a GET and a server-side dry-run apply (forced, o->field_manager),
 * and a GET of each ApplySet member --prune would delete. live gets the live
 * objects (rendered ones that exist, then the prune candidates); after gets
 * what each rendered object would become (the rendered body when it cannot
 * be asked: its Namespace or CRD is made by this apply). Both sides without
 * what the server manages (strip_server_fields), in a. -1 with err_set() when
 * rendering, connecting or any request fails (Secret values redacted). */
int apply_preview(const apply_opts *o, arena *a, node_list *live, node_list *after);

/* ---- small shared tools (canon.c) ---------------------------------------- */

/* A string -> index map (open addressing, xxHash), for object keys. */
typedef struct keymap {
    const char **keys;
    uint32_t *vals;
    size_t n, cap;
} keymap;
void keymap_put(keymap *m, const char *key, uint32_t val);  /* key is borrowed */
int keymap_get(const keymap *m, const char *key, uint32_t *val);
void keymap_free(keymap *m);

/* "group/Kind/namespace/name" (namespace "" for cluster-scoped), in the arena:
 * one key per object whatever version it is written in. */
const char *obj_key(arena *a, const char *group, const char *kind, const char *ns, const char *name);
/* XXH3-128 of the object's canonical bytes (json.h's compact, key-sorted JSON,
 * without the content-hash annotation) as 32 hex digits. */
void content_hash(const node *obj, char out[33]);
/* Secret values (data, stringData) are never printed: redact() replaces each
 * remembered value, plain or base64, in a message with "[redacted]". */
void secret_remember(arena *a, const node *obj);
const char *redact(arena *a, const char *msg);
void secret_forget(void); /* before the arena of the remembered values is freed */
/* Drops what the server manages (managedFields, resourceVersion, uid,
 * generation, creationTimestamp, selfLink, status) and the apply tools' own
 * annotations (content hash, last-applied-configuration). */
void strip_server_fields(node *obj);

#define ANN_HASH "kgrender.io/content-hash"
#define ANN_DEPENDS "kgrender.io/depends-on"
#define ANN_WAVE "kgrender.io/apply-wave"
#define ANN_PLUGIN "kgrender.io/plugin"
#define ANN_PRUNE "kgrender.io/prune"
#define ANN_KUBEGEMS_IGNORE "bundle.kubegems.io/ignore-options"
#define LABEL_PART_OF "applyset.kubernetes.io/part-of"
#define LABEL_SET_ID "applyset.kubernetes.io/id"
#define ANN_SET_TOOLING "applyset.kubernetes.io/tooling"
#define ANN_SET_GKS "applyset.kubernetes.io/contains-group-kinds"
#define ANN_SET_NS "applyset.kubernetes.io/additional-namespaces"

/* ---- objects --------------------------------------------------------------- */

enum obj_state {
    OS_WAITING,    /* dependencies not done */
    OS_QUEUED,     /* ready to send */
    OS_SENT,       /* PATCH in flight */
    OS_APPLIED,    /* applied (or dry-run applied) */
    OS_UNCHANGED,  /* live hash equal: nothing sent */
    OS_FAILED,     /* the server refused it, or it could not be sent */
    OS_BLOCKED,    /* not applied: a dependency failed or the run stopped */
};
enum health { H_UNKNOWN, H_READY, H_PROGRESS, H_FAILED, H_TERMINATING, H_MISSING };

typedef struct aobj {
    node *obj;
    const char *api_version, *group, *kind, *name;
    const char *ns;               /* effective namespace; "" for cluster-scoped */
    const char *what;             /* "Deployment prod/web" for messages */
    const char *key;              /* obj_key() */
    cluster_ref ref;
    const cluster_resource *res;  /* NULL until resolved (kinds from a CRD of this apply) */
    int wave;
    uint8_t stage;                /* 0 Namespaces+CRDs, 1 cluster prerequisites, 2 the rest */
    uint8_t state, health;
    unsigned namespaced : 1, from_crd : 1, is_crd : 1, needs_ready : 1, done : 1, watched : 1;
    unsigned drifted : 1, verb_dry : 1;
    char hash[33];
    uint64_t seen_rv;             /* resourceVersion of the state in health/msg */
    char *body;                   /* the JSON sent (hash annotation, part-of label) */
    size_t body_len;
    const char *msg;              /* why it failed / is not ready */
} aobj;

/* ---- the plan (plan.c) ------------------------------------------------------ */

typedef struct pnode {
    uint32_t *out;                /* dependents */
    uint8_t *hard;                /* per edge: 1 = a failure blocks the dependent */
    uint32_t nout, capout;
    uint32_t pending;             /* dependencies not yet complete */
    uint32_t blocker;             /* a failed dependency (valid when blocked) */
    uint8_t barrier, done, blocked;
    int wave;                     /* barriers: the group they close */
    uint8_t stage;
} pnode;

typedef struct plan {
    pnode *v;
    size_t n, nobj;               /* nodes: objects first, then group barriers */
    size_t ngroups;
    uint32_t *stack;              /* completion worklist */
    size_t nstack, capstack;
    int running;
    void (*ready)(void *ud, uint32_t obj);
    void *ud;
} plan;

/* Stage of a kind (0, 1 or 2). */
int plan_stage(const char *group, const char *kind);
/* Builds the graph over objs (waves, stages, annotations, implicit edges).
 * -1 with err_set() on a bad annotation or a cycle (naming its objects). */
int plan_build(arena *a, aobj *objs, size_t n, plan *p);
/* Calls ready(ud, i) for every object whose dependencies are complete. */
void plan_start(plan *p, void (*ready)(void *ud, uint32_t), void *ud);
/* Object i is complete (ok: applied and, where required, ready). Releases its
 * dependents; blocked ones learn their blocker through pnode.blocker. */
void plan_done(plan *p, uint32_t i, int ok);
void plan_free(plan *p);

/* ---- readiness (health.c) --------------------------------------------------- */

/* kstatus: the object's readiness; *why gets a reason when not ready. */
int health_eval(arena *a, const node *obj, const char **why);
/* Objects whose readiness is their existence (no status worth watching). */
int health_trivial(const char *group, const char *kind, const node *obj);
/* One GET of each object, judged by health_eval: states[i] (enum health;
 * H_MISSING when absent or its kind is not served) and whys[i] (NULL when
 * ready), both in a. */
void health_live(cluster *c, node *const *objs, size_t n, arena *a, uint8_t *states, const char **whys);

/* ---- the engine --------------------------------------------------------------- */

typedef struct live_obj {
    const cluster_resource *res;
    const char *ns, *name, *key;
    const char *hash;             /* its content-hash annotation, or NULL */
    node *meta;                   /* metadata (labels, annotations) */
    int rendered;                 /* an object of this apply has this key */
    int kept;                     /* a member not rendered that prune must keep */
} live_obj;

typedef struct watchset watchset;

typedef struct engine {
    const apply_opts *o;
    arena *a;
    cluster *c;
    aobj *objs;
    size_t n;
    keymap bykey;
    plan plan;
    /* the ApplySet (inventory.c) */
    const char *set_id;           /* NULL: no ApplySet */
    const char *parent_name, *parent_ns, *parent_kind;
    const cluster_resource *parent_res;
    node *parent_live;            /* the parent as it was (NULL: missing) */
    const char *prev_gks, *prev_ns; /* its annotations before this run */
    /* what is live */
    live_obj *live;
    size_t nlive, caplive;
    keymap livemap;
    int listing_failed;
    /* the run */
    uint32_t *queue;              /* objects ready to send */
    size_t qhead, qtail, qcap;
    size_t inflight, window;
    size_t napplied, nunchanged, nfailed, npruned, nready, ndone;
    int stop;                     /* --fail-fast tripped, the server went away, or the timeout */
    const char *stop_why;
    int timed_out, prune_failed;
    int parent_pending;           /* the parent waits for its Namespace (applied by this run) */
    int crds_new;                 /* CRDs established since discovery was loaded */
    uint32_t *late;               /* custom resources waiting for discovery to serve their kind */
    size_t nlate, caplate;
    double late_since, late_next;
    double t0, deadline;
    watchset *ws;
    struct progress *pg;
} engine;

/* inventory.c */
int inv_setup(engine *e);                 /* parent ref, id, GET the parent */
int inv_parent_apply(engine *e, int final); /* superset before, exact set after */
int inv_list_live(engine *e);             /* LIST metadata: live hashes, members */
int inv_prune(engine *e);                 /* delete members not rendered */
const char *inv_keep_reason(engine *e, const live_obj *l); /* why prune keeps a member, or NULL */
const char *applyset_id(arena *a, const char *name, const char *ns, const char *kind, const char *group);

/* health.c: the latest state of object i (a PATCH or GET response) */
void health_observe(engine *e, uint32_t i, const node *obj);
/* Waits (by WATCH) until object i is ready or failed, then engine_obj_done. */
void health_watch(engine *e, uint32_t i);
/* Gives up on every object still waiting: not ready, because why. */
void health_abort(engine *e, const char *why);
void health_stop(engine *e);
void health_free(engine *e);
/* apply.c: object i is complete (ready when required) */
void engine_obj_done(engine *e, uint32_t i, int ok);
/* apply.c: everything before the first write: render and connect, objects,
 * plan, the ApplySet parent (read only), the bodies, what is live. */
int engine_prepare(engine *e);
/* apply.c: frees what the engine holds, except its arena. */
void engine_release(engine *e);

/* progress.c */
struct progress *progress_new(engine *e);
void progress_stage(engine *e, const char *stage);
void progress_tick(engine *e, int force);
void progress_event(engine *e, const aobj *o, const char *result, const char *msg);
void progress_event_raw(engine *e, const char *what, const char *result, const char *msg);
void progress_summary(engine *e);
/* An error that ends the run before anything was applied. */
void progress_fatal(engine *e, const char *msg);
void progress_free(engine *e);
double now_s(void);

#endif
