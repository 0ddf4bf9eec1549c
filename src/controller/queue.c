/* The controller's work queue. Keys are plugin names ("namespace/name");
 * the number of plugins is small (tens), so plain arrays scanned linearly
 * keep this obvious. */
#include "controller.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct wq_item {
    char *key;
    double due;         /* monotonic seconds when it becomes ready */
    int queued, processing, dirty;
    int failures;
} wq_item;

struct workqueue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    wq_item *v;
    size_t n, cap;
    double base, max;
    int shutdown;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

workqueue *wq_new(double base_delay_s, double max_delay_s)
{
    workqueue *q = calloc(1, sizeof *q);
    if (!q) abort();
    pthread_mutex_init(&q->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&q->cv, &ca);
    pthread_condattr_destroy(&ca);
    q->base = base_delay_s;
    q->max = max_delay_s;
    return q;
}

void wq_free(workqueue *q)
{
    if (!q) return;
    for (size_t i = 0; i < q->n; i++) free(q->v[i].key);
    free(q->v);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    free(q);
}

static wq_item *item(workqueue *q, const char *key, int create)
{
    for (size_t i = 0; i < q->n; i++)
        if (!strcmp(q->v[i].key, key)) return &q->v[i];
    if (!create) return NULL;
    if (q->n == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 16;
        q->v = realloc(q->v, q->cap * sizeof *q->v);
        if (!q->v) abort();
    }
    wq_item *it = &q->v[q->n++];
    memset(it, 0, sizeof *it);
    it->key = strdup(key);
    if (!it->key) abort();
    return it;
}

/* Queues key at due, or moves an already queued key earlier (never later). */
static void enqueue(workqueue *q, const char *key, double due)
{
    pthread_mutex_lock(&q->mu);
    if (!q->shutdown) {
        wq_item *it = item(q, key, 1);
        if (it->processing) {
            it->dirty = 1; /* queued again when its worker is done */
            if (!it->queued || due < it->due) it->due = due;
        } else if (!it->queued || due < it->due) {
            it->queued = 1;
            it->due = due;
        }
        pthread_cond_broadcast(&q->cv);
    }
    pthread_mutex_unlock(&q->mu);
}

void wq_add(workqueue *q, const char *key) { enqueue(q, key, now_s()); }
void wq_add_after(workqueue *q, const char *key, double delay_s) { enqueue(q, key, now_s() + delay_s); }

void wq_add_rate_limited(workqueue *q, const char *key)
{
    pthread_mutex_lock(&q->mu);
    wq_item *it = item(q, key, 1);
    double d = q->base * pow(2, it->failures);
    if (d > q->max) d = q->max;
    it->failures++;
    pthread_mutex_unlock(&q->mu);
    wq_add_after(q, key, d);
}

void wq_forget(workqueue *q, const char *key)
{
    pthread_mutex_lock(&q->mu);
    wq_item *it = item(q, key, 0);
    if (it) it->failures = 0;
    pthread_mutex_unlock(&q->mu);
}

int wq_failures(workqueue *q, const char *key)
{
    pthread_mutex_lock(&q->mu);
    wq_item *it = item(q, key, 0);
    int f = it ? it->failures : 0;
    pthread_mutex_unlock(&q->mu);
    return f;
}

char *wq_get(workqueue *q)
{
    pthread_mutex_lock(&q->mu);
    for (;;) {
        if (q->shutdown) break;
        double t = now_s(), next = INFINITY;
        wq_item *best = NULL;
        for (size_t i = 0; i < q->n; i++) {
            wq_item *it = &q->v[i];
            if (!it->queued || it->processing) continue;
            if (it->due <= t && (!best || it->due < best->due)) best = it;
            if (it->due < next) next = it->due;
        }
        if (best) {
            best->queued = 0;
            best->processing = 1;
            char *key = strdup(best->key);
            pthread_mutex_unlock(&q->mu);
            return key;
        }
        if (next == INFINITY) {
            pthread_cond_wait(&q->cv, &q->mu);
        } else {
            struct timespec ts;
            double whole;
            double frac = modf(next, &whole);
            ts.tv_sec = (time_t)whole;
            ts.tv_nsec = (long)(frac * 1e9);
            pthread_cond_timedwait(&q->cv, &q->mu, &ts);
        }
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

void wq_done(workqueue *q, const char *key)
{
    pthread_mutex_lock(&q->mu);
    wq_item *it = item(q, key, 0);
    if (it) {
        it->processing = 0;
        if (it->dirty) {
            it->dirty = 0;
            it->queued = 1; /* at the due time enqueue recorded */
        }
        pthread_cond_broadcast(&q->cv);
    }
    pthread_mutex_unlock(&q->mu);
}

size_t wq_len(workqueue *q)
{
    pthread_mutex_lock(&q->mu);
    size_t n = 0;
    double t = now_s();
    for (size_t i = 0; i < q->n; i++)
        if (q->v[i].queued && q->v[i].due <= t) n++;
    pthread_mutex_unlock(&q->mu);
    return n;
}

void wq_shutdown(workqueue *q)
{
    pthread_mutex_lock(&q->mu);
    q->shutdown = 1;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}
