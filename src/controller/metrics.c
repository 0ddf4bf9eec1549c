/* The controller's Prometheus metrics: a few counters and gauges and one
 * histogram, updated from every thread under one mutex (updates are rare:
 * per reconcile, not per object). */
#include "controller.h"
#include "strbuf.h"
#include <stdio.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static double values[M_NMETRICS];

static const struct {
    const char *name, *type, *help;
} meta[M_NMETRICS] = {
    [M_RECONCILES] = {"kgrender_reconciles_total", "counter", "Plugin reconciles run."},
    [M_RECONCILE_ERRORS] = {"kgrender_reconcile_errors_total", "counter", "Plugin reconciles that failed."},
    [M_OBJECTS_APPLIED] = {"kgrender_objects_applied_total", "counter", "Objects sent to the API server by server-side apply."},
    [M_OBJECTS_UNCHANGED] = {"kgrender_objects_unchanged_total", "counter", "Objects skipped because their content hash was unchanged."},
    [M_OBJECTS_PRUNED] = {"kgrender_objects_pruned_total", "counter", "Objects deleted because no plugin renders them any more."},
    [M_WATCH_RESTARTS] = {"kgrender_watch_restarts_total", "counter", "Watches restarted after they ended or failed."},
    [M_LEADER] = {"kgrender_leader", "gauge", "1 while this replica holds the leader lease."},
    [M_QUEUE_DEPTH] = {"kgrender_queue_depth", "gauge", "Plugins waiting to be reconciled."},
};

/* Reconcile durations: Prometheus' default buckets. */
static const double bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NB (sizeof bounds / sizeof *bounds)
static unsigned long long buckets[NB];
static unsigned long long count;
static double sum;

void metric_add(enum metric m, double v)
{
    pthread_mutex_lock(&mu);
    values[m] += v;
    pthread_mutex_unlock(&mu);
}

void metric_set(enum metric m, double v)
{
    pthread_mutex_lock(&mu);
    values[m] = v;
    pthread_mutex_unlock(&mu);
}

void metric_observe_reconcile(double seconds)
{
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < NB; i++)
        if (seconds <= bounds[i]) buckets[i]++;
    count++;
    sum += seconds;
    pthread_mutex_unlock(&mu);
}

char *metrics_render(size_t *len)
{
    strbuf sb = STRBUF_INIT;
    pthread_mutex_lock(&mu);
    for (int m = 0; m < M_NMETRICS; m++)
        sb_addf(&sb, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", meta[m].name, meta[m].help, meta[m].name,
                meta[m].type, meta[m].name, values[m]);
    const char *h = "kgrender_reconcile_duration_seconds";
    sb_addf(&sb, "# HELP %s Time one plugin reconcile took.\n# TYPE %s histogram\n", h, h);
    for (size_t i = 0; i < NB; i++) sb_addf(&sb, "%s_bucket{le=\"%g\"} %llu\n", h, bounds[i], buckets[i]);
    sb_addf(&sb, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.17g\n%s_count %llu\n", h, count, h, sum, h, count);
    pthread_mutex_unlock(&mu);
    return sb_detach(&sb, len);
}
