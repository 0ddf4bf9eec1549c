/* kgrender controller: reconciles Plugin resources in a cluster with the
 * same render (src/plugins) and apply (src/cluster) engines as the CLI.
 *
 * Threads: the main thread owns one cluster connection; it runs leader
 * election, the watches of Plugins, ConfigMaps and Secrets, the resync timer
 * and feeds the work queue. Each worker thread takes plugin keys from the
 * queue and reconciles one at a time on a connection of its own, so
 * independent plugins reconcile in parallel and a slow or failing one holds
 * nobody else. The health/metrics server runs on libmicrohttpd's thread. */
#ifndef KG_CONTROLLER_H
#define KG_CONTROLLER_H
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* ---- work queue (queue.c): client-go's rate-limited workqueue semantics --
 * A key is queued at most once; a key being processed that is added again is
 * queued once more when its worker calls wq_done. Failed keys come back after
 * an exponential per-key delay (wq_add_rate_limited), reset by wq_forget. */
typedef struct workqueue workqueue;
workqueue *wq_new(double base_delay_s, double max_delay_s);
void wq_free(workqueue *q);
void wq_add(workqueue *q, const char *key);
void wq_add_after(workqueue *q, const char *key, double delay_s);
/* Adds after the key's next backoff delay (base * 2^failures, capped). */
void wq_add_rate_limited(workqueue *q, const char *key);
void wq_forget(workqueue *q, const char *key);
int wq_failures(workqueue *q, const char *key);
/* Blocks for the next key (a heap string the caller frees); NULL once shut down. */
char *wq_get(workqueue *q);
void wq_done(workqueue *q, const char *key);
size_t wq_len(workqueue *q);      /* keys ready now (the queue depth metric) */
void wq_shutdown(workqueue *q);

/* ---- metrics (metrics.c): Prometheus text exposition ------------------- */
enum metric {
    M_RECONCILES, M_RECONCILE_ERRORS, M_OBJECTS_APPLIED, M_OBJECTS_UNCHANGED, M_OBJECTS_PRUNED,
    M_WATCH_RESTARTS, M_LEADER, M_QUEUE_DEPTH, M_NMETRICS
};
void metric_add(enum metric m, double v);
void metric_set(enum metric m, double v);
/* Records one reconcile's duration (histogram kgrender_reconcile_duration_seconds). */
void metric_observe_reconcile(double seconds);
/* Appends every metric in the text format (the caller frees *out). */
char *metrics_render(size_t *len);

/* ---- health and metrics endpoint (serve.c) ------------------------------ */
/* Serves /healthz (the process lives), /readyz (ready() returns nonzero) and
 * /metrics on addr "HOST:PORT" (port 0: disabled). -1 with err_set(). */
int serve_start(const char *addr, int (*ready)(void));
void serve_stop(void);

/* ---- structured logs (log.c) ------------------------------------------- */
/* One line per event on stderr: `time level msg key=value ...` or, with
 * json set, one JSON object. Pairs are key, value strings ending in NULL. */
void ctl_log_init(int json);
void ctl_log(const char *level, const char *msg, ...) __attribute__((sentinel));

/* ---- the controller (controller.c: main loop; reconcile.c: one plugin) -- */
#include "build.h"
#include "cluster.h"
#include "plugins.h"

#define CTL_FINALIZER "plugins.kubegems.io/finalizer"
#define CTL_INSTALLER_NS "kubegems-installer"

typedef struct ctl_config {
    cluster_flags cf;
    build_options build;          /* render flags (plugin expansion wired in) */
    const plugin_options *plugins; /* their plugin flags: each reconcile works on a copy */
    const char *field_manager;    /* default kgrender-controller */
    long apply_timeout_ms;        /* how long one apply waits for readiness */
    int workers;
    int leader_elect;
    const char *lease_ns, *lease_name;
    long lease_duration_ms, renew_deadline_ms, retry_period_ms;
    long resync_ms;
    const char *health_addr;
    workqueue *q;
} ctl_config;

/* Runs the controller until it loses its lease (exit status 1) or fails. */
int controller_run(ctl_config *cfg);

/* Reconciles the plugin "namespace/name" on connection c. Returns 0 when
 * done (*requeue_s > 0: look again after that many seconds), -1 on a
 * failure to retry with backoff (err_msg says why). */
int reconcile(const ctl_config *cfg, cluster *c, const char *key, double *requeue_s);

#endif
