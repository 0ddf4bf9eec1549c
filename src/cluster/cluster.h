/* Talking to a Kubernetes API server: access configured the way kubectl
 * configures it (kubeconfig.c), one HTTP/2 client with many requests in
 * flight (core/http.c's multi interface), discovery of kinds (discovery.c)
 * and the calls apply needs (client.c).
 *
 * Model: single-threaded and callback driven. Submitting a call queues it
 * and returns at once; cluster_step()/cluster_run() perform the I/O and call
 * each call's callback exactly once, on the caller's thread, outside any
 * libcurl callback, so a callback may submit more calls (that is how the apply
 * engine keeps N requests in flight). Transient failures (429 with
 * Retry-After, 5xx for idempotent calls, dropped connections) are retried
 * inside; the callback sees the final outcome only. A call that never reached
 * the server is never reported as a success.
 *
 * Secrets (tokens, keys, exec plugin output) are never printed. */
#ifndef KG_CLUSTER_H
#define KG_CLUSTER_H
#include <stddef.h>
#include "arena.h"
#include "node.h"
#include "strbuf.h"

/* ---- access: kubectl's flags ------------------------------------------- */

typedef struct cluster_flags {
    const char *kubeconfig;     /* --kubeconfig (else $KUBECONFIG, else ~/.kube/config, else in-cluster) */
    const char *context;        /* --context */
    const char *cluster;        /* --cluster: overrides the context's cluster */
    const char *user;           /* --user: overrides the context's user */
    const char *namespace_;     /* -n/--namespace */
    const char *server;         /* -s/--server: overrides the cluster's server */
    const char *token;          /* --token: bearer token, overrides the user's credentials */
    const char *ca_file;        /* --certificate-authority */
    int insecure;               /* --insecure-skip-tls-verify */
    long request_timeout_ms;    /* --request-timeout (0: none for the whole call; connect 10 s) */
    int concurrency;            /* --concurrency: requests in flight at most; 0: CLUSTER_DEFAULT_CONCURRENCY */
} cluster_flags;

/* Requests in flight by default, all multiplexed on one HTTP/2 connection.
 * Measured on tools/testenv (2 cores shared by client and server), 1,000
 * objects (500 Deployments + 500 Services) by server-side apply, first apply /
 * unchanged re-apply: 4: 6.8 s / 3.1 s, 8: 4.8 / 2.5, 16: 3.6 / 1.6,
 * 32: 4.0 / 1.8, 64: 6.1 / 3.1 (the quietest of several runs; on a busier
 * machine 8-32 stay close together and 4 and 64 are slower). The API server
 * is the bottleneck: more streams only queue there. */
#define CLUSTER_DEFAULT_CONCURRENCY 16

/* Consumes the access flag at argv[*i] (--flag=value or --flag value; -n
 * value, -nvalue) and returns 1; 0 when argv[*i] is not an access flag;
 * -1 with err_set() when its value is missing or malformed. */
int cluster_flag_parse(cluster_flags *f, int argc, char **argv, int *i);
/* The flags' lines for a command's --help. */
extern const char cluster_flags_help[];
/* A Go duration as kubectl's flags take it ("30s", "1m30s", "500ms", "2h", or
 * bare seconds "30") in milliseconds. -1 when malformed or negative. */
int cluster_parse_duration(const char *s, long *ms);

/* ---- a connection to one API server ------------------------------------ */

typedef struct cluster cluster;

/* Resolves the configuration (kubeconfig files, context, in-cluster) and
 * sets up the client. No request is made yet. NULL with err_msg() naming the
 * file and field on bad configuration. */
cluster *cluster_open(const cluster_flags *f);
/* Frees everything. Calls still queued or in flight are dropped without
 * their callbacks being called. */
void cluster_close(cluster *c);

const char *cluster_server(const cluster *c);      /* "https://host:port" */
const char *cluster_context(const cluster *c);     /* context name, or "" (in-cluster, flags only) */
/* The namespace for objects that name none: -n, else the context's, else "default". */
const char *cluster_namespace(const cluster *c);
int cluster_namespace_from_flag(const cluster *c); /* 1 when -n/--namespace set it */
/* Sets the default namespace as -n would: one client serves several
 * applies in turn (a controller worker reconciles Plugins of many namespaces). */
void cluster_set_namespace(cluster *c, const char *ns);

/* ---- discovery: kinds -> resources ------------------------------------- */

typedef struct cluster_resource {
    const char *group;          /* "" for the core group */
    const char *version;        /* "v1" */
    const char *kind;           /* "Deployment" */
    const char *name;           /* plural resource name: "deployments" */
    const char *singular;       /* "deployment" (may be "") */
    int namespaced;
    const char *const *short_names;  /* NULL-terminated (maybe empty) */
    const char *const *verbs;        /* NULL-terminated */
    const char *const *categories;   /* NULL-terminated */
    int preferred;              /* the group's preferred version */
} cluster_resource;

/* Loads discovery if not loaded yet: aggregated discovery (two requests,
 * /api and /apis), or per group/version when the server lacks it. Synchronous;
 * may be called from a callback (other calls' completions are held back until
 * the top-level loop resumes). */
int cluster_discover(cluster *c);
/* Forgets and reloads discovery: after CRDs became Established. */
int cluster_refresh(cluster *c);
/* Every resource served (all versions; subresources excluded), grouped by group. */
size_t cluster_resources(cluster *c, const cluster_resource *const **out);
/* The resource for apiVersion ("v1", "apps/v1") and kind. NULL with err_set()
 * ("no matches for kind \"K\" in version \"G/V\"") when the server has none. */
const cluster_resource *cluster_find(cluster *c, const char *api_version, const char *kind);

/* Where an object lives. Strings are borrowed from the object or the cluster. */
typedef struct cluster_ref {
    const cluster_resource *res;
    const char *ns;             /* NULL for cluster-scoped kinds */
    const char *name;
} cluster_ref;

/* Fills ref from an object's apiVersion, kind, metadata.name and
 * metadata.namespace (defaulted to cluster_namespace() for namespaced kinds;
 * a namespace on a cluster-scoped object is ignored as kubectl does).
 * -1 with err_set() naming the object on an unknown kind or missing field.
 * Loads discovery when needed. */
int cluster_ref_of(cluster *c, const node *obj, cluster_ref *out);
/* Appends "/api/v1/namespaces/NS/PLURAL/NAME" (core) or
 * "/apis/G/V/[namespaces/NS/]PLURAL[/NAME]". ns NULL on a namespaced
 * resource: every namespace; name NULL: the collection. Escapes as needed. */
void cluster_path(strbuf *out, const cluster_resource *res, const char *ns, const char *name);
/* Appends "Kind ns/name" (or "Kind name") for messages. */
void cluster_ref_str(strbuf *out, const cluster_ref *ref);

/* ---- calls -------------------------------------------------------------- */

typedef struct cluster_result {
    long status;                /* HTTP status; 0: no response (transport failure after retries) */
    const char *body;           /* raw response body, valid during the callback only */
    size_t body_len;
    node *json;                 /* the parsed body when the call had an arena and the body is
                                 * JSON (success or Status), else NULL */
    const char *reason;         /* on failure: Status.reason ("Conflict", "NotFound", "Invalid",
                                 * "AlreadyExists", ...) or "" */
    const char *error;          /* NULL on 2xx; else one line naming the object: "Deployment ns/web:
                                 * 409 Conflict: Apply failed with 1 conflict: ...; spec.replicas: ..." */
    int attempts;               /* sends made (1 + retries) */
} cluster_result;

typedef void (*cluster_cb)(cluster *c, const cluster_result *res, void *ud);

/* A raw call, for what the helpers below do not cover. Every pointer is
 * copied at submission. */
typedef struct cluster_call {
    const char *method;         /* "GET", "PATCH", "DELETE", "POST", "PUT" */
    const char *path;           /* "/apis/apps/v1/...?query" (already escaped) */
    const char *accept;         /* NULL: application/json */
    const char *content_type;   /* with a body */
    const void *body;
    size_t body_len;
    const char *what;           /* names the object in error texts ("Deployment ns/web"); NULL: path */
    int idempotent;             /* retry 5xx and errors after sending (GET, DELETE, SSA PATCH: set by helpers) */
    arena *arena;               /* parse the JSON response into it (res->json); NULL: don't parse */
    long timeout_ms;            /* 0: the cluster's --request-timeout */
} cluster_call;

/* Queues a call; cb(ud) gets its outcome later. 0, or -1 with err_set(). */
int cluster_submit(cluster *c, const cluster_call *call, cluster_cb cb, void *ud);
/* Performs one call synchronously (usable inside a callback): the same as
 * submit + wait. Copies the body to body_out when given. Returns 0 on 2xx;
 * -1 with err_set(res->error) otherwise (res filled either way when given;
 * res->body is NULL after return: use body_out). */
int cluster_do(cluster *c, const cluster_call *call, cluster_result *res, strbuf *body_out);

/* Server-side apply: PATCH the object's path with
 * application/apply-patch+yaml, fieldManager=field_manager. The body is the
 * object (JSON or YAML). Idempotent: retried on 5xx. */
enum { CLUSTER_FORCE = 1, CLUSTER_DRY_RUN = 2, CLUSTER_STRICT = 4 /* fieldValidation=Strict */ };
int cluster_apply(cluster *c, const cluster_ref *ref, const char *field_manager, const void *body, size_t len,
                  unsigned flags, arena *a, cluster_cb cb, void *ud);
int cluster_get(cluster *c, const cluster_ref *ref, arena *a, cluster_cb cb, void *ud);
/* propagation: "Background", "Foreground", "Orphan" or NULL (server default). */
int cluster_delete(cluster *c, const cluster_ref *ref, const char *propagation, unsigned flags, arena *a,
                   cluster_cb cb, void *ud);

/* Metadata-only LIST (PartialObjectMetadataList: apiVersion, kind, metadata
 * of each item) of a resource in ns (NULL: all namespaces or cluster-scoped),
 * with an optional label selector. Pages are fetched with limit/continue:
 * cb is called once per page with res->json (a PartialObjectMetadataList in
 * a; `items` holds that page) and more = 1 while pages follow; an error ends
 * the list (more = 0). A 410 Gone on a continue restarts nothing: it is
 * reported as the error. */
typedef void (*cluster_page_cb)(cluster *c, const cluster_result *res, int more, void *ud);
int cluster_list_meta(cluster *c, const cluster_resource *res, const char *ns, const char *label_selector,
                      arena *a, cluster_page_cb cb, void *ud);

/* WATCH of a resource (ns NULL: all namespaces), from resource_version ("" or
 * NULL: current state first, as ADDED events), optionally one object
 * (field_name) or a label selector, ending after timeout_s on the server
 * side (0: 300 s). It runs in the same loop as every other call, and counts
 * in the concurrency limit.
 * on_event(type, object) for each line: type "ADDED", "MODIFIED", "DELETED",
 * "BOOKMARK" or "ERROR" (object is then the Status); object lives in a
 * scratch arena freed after the callback returns (node_clone what you keep).
 * Return nonzero from on_event to stop the watch. done(res) is called once
 * when the stream ends (server timeout, stop, or error: res->error). */
typedef int (*cluster_event_cb)(cluster *c, const char *type, node *object, void *ud);
typedef struct cluster_watch cluster_watch;
cluster_watch *cluster_watch_start(cluster *c, const cluster_resource *res, const char *ns,
                                   const char *field_name, const char *label_selector,
                                   const char *resource_version, int timeout_s, cluster_event_cb on_event,
                                   cluster_cb done, void *ud);
/* Stops a watch; its done callback is called (res->error NULL). */
void cluster_watch_stop(cluster *c, cluster_watch *w);

/* ---- the loop ----------------------------------------------------------- */

/* Performs I/O for at most timeout_ms (-1: until at least one call finished)
 * and calls the callbacks of the calls that finished. Returns the number of
 * calls still queued or in flight (watches included). */
size_t cluster_step(cluster *c, long timeout_ms);
/* Steps until no call is queued or in flight. */
void cluster_run(cluster *c);
size_t cluster_pending(const cluster *c);

/* HTTP requests sent so far (retries included) for a verb: "GET", "LIST",
 * "WATCH", "PATCH", "DELETE", "POST", "PUT"; NULL: all of them. */
size_t cluster_requests(const cluster *c, const char *verb);

/* Parses a JSON (or YAML) response body into a; what names it in errors.
 * -1 with err_set() on malformed input. To write JSON: json.h (json_value). */
int cluster_parse_json(arena *a, const char *what, const char *body, size_t len, node **out);

#endif
