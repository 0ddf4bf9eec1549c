/* Leader election on a coordination.k8s.io/v1 Lease, as client-go's
 * leaderelection package does it: a replica takes the lease when it is
 * missing or its holder has not renewed it for leaseDuration (measured on
 * this replica's own clock from when it last saw the record change, so
 * clock skew between nodes does not matter), renews it every retryPeriod
 * while leading, and stops leading when it could not renew for
 * renewDeadline. Updates carry the resourceVersion read, so two replicas
 * racing for the lease cannot both win. */
#include "leader.h"
#include "err.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* metav1.MicroTime: RFC 3339 with microseconds, UTC. */
static void micro_time(char *buf, size_t n)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    snprintf(buf, n, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (long)tv.tv_usec);
}

void leader_init(leader *l, const char *ns, const char *name, const char *identity)
{
    memset(l, 0, sizeof *l);
    l->ns = ns;
    l->name = name;
    snprintf(l->identity, sizeof l->identity, "%s", identity);
    l->lease_duration_s = 15;
    l->renew_deadline_s = 10;
    l->retry_period_s = 2;
}

static void lease_path(const leader *l, strbuf *sb, int with_name)
{
    sb_addf(sb, "/apis/coordination.k8s.io/v1/namespaces/%s/leases", l->ns);
    if (with_name) sb_addf(sb, "/%s", l->name);
}

/* The lease body: holder is us; acquire_time and transitions are kept
 * unless we are taking the lease over. */
static void lease_body(const leader *l, strbuf *sb, const char *rv, const char *acquire, long transitions)
{
    char now[64];
    micro_time(now, sizeof now);
    sb_addf(sb,
            "{\"apiVersion\":\"coordination.k8s.io/v1\",\"kind\":\"Lease\",\"metadata\":{\"name\":\"%s\","
            "\"namespace\":\"%s\"%s%s%s},\"spec\":{\"holderIdentity\":\"%s\",\"leaseDurationSeconds\":%d,"
            "\"acquireTime\":\"%s\",\"renewTime\":\"%s\",\"leaseTransitions\":%ld}}",
            l->name, l->ns, rv ? ",\"resourceVersion\":\"" : "", rv ? rv : "", rv ? "\"" : "", l->identity,
            l->lease_duration_s, acquire ? acquire : now, now, transitions);
}

/* One try: 1 when we hold the lease afterwards, 0 when someone else does,
 * -1 on an API error (err_msg). */
static int try_acquire_or_renew(leader *l, cluster *c)
{
    arena *a = arena_new();
    strbuf path = STRBUF_INIT, body = STRBUF_INIT;
    cluster_result res;
    int rc;
    lease_path(l, &path, 1);
    cluster_call get = {.method = "GET", .path = path.buf, .what = "Lease", .idempotent = 1, .arena = a};
    int got = cluster_do(c, &get, &res, NULL);
    if (got < 0 && res.status != 404) {
        rc = -1;
        goto out;
    }
    if (got < 0) { /* no lease yet: create it */
        err_clear();
        sb_reset(&path);
        lease_path(l, &path, 0);
        lease_body(l, &body, NULL, NULL, 0);
        cluster_call post = {.method = "POST", .path = path.buf, .content_type = "application/json",
                             .body = body.buf, .body_len = body.len, .what = "Lease", .arena = a};
        rc = cluster_do(c, &post, &res, NULL) < 0 ? (res.status == 409 ? (err_clear(), 0) : -1) : 1;
        goto out;
    }
    const char *holder = node_get_str(res.json, "spec", "holderIdentity", NULL);
    const char *renew = node_get_str(res.json, "spec", "renewTime", NULL);
    const char *acquire = node_get_str(res.json, "spec", "acquireTime", NULL);
    const char *rv = node_get_str(res.json, "metadata", "resourceVersion", NULL);
    const char *dur = node_text(node_get(res.json, "spec", "leaseDurationSeconds", NULL));
    const char *tr = node_text(node_get(res.json, "spec", "leaseTransitions", NULL));
    long transitions = tr ? atol(tr) : 0;
    int duration = dur ? atoi(dur) : l->lease_duration_s;
    /* the record changed since we last looked: restart its expiry clock */
    char seen[sizeof l->observed];
    snprintf(seen, sizeof seen, "%s|%s", holder ? holder : "", renew ? renew : "");
    if (strcmp(seen, l->observed)) {
        snprintf(l->observed, sizeof l->observed, "%s", seen);
        l->observed_at = mono_s();
    }
    int ours = holder && !strcmp(holder, l->identity);
    if (!ours && holder && *holder && mono_s() < l->observed_at + duration) {
        rc = 0; /* held by another replica that is still renewing */
        goto out;
    }
    lease_body(l, &body, rv, ours ? acquire : NULL, ours ? transitions : transitions + 1);
    cluster_call put = {.method = "PUT", .path = path.buf, .content_type = "application/json", .body = body.buf,
                        .body_len = body.len, .what = "Lease", .arena = a};
    if (cluster_do(c, &put, &res, NULL) < 0) {
        /* 409: another replica updated it first; we simply lost this round */
        rc = res.status == 409 ? (err_clear(), 0) : -1;
        goto out;
    }
    rc = 1;
out:
    sb_release(&path);
    sb_release(&body);
    arena_free(a);
    return rc;
}

int leader_tick(leader *l, cluster *c)
{
    double t = mono_s();
    if (t < l->next_try) return l->leading;
    int r = try_acquire_or_renew(l, c);
    if (r == 1) {
        l->leading = 1;
        l->last_renew = t;
    } else if (l->leading && t - l->last_renew > l->renew_deadline_s) {
        l->leading = 0; /* could not renew in time: another replica may take over now */
        l->lost = 1;
    }
    if (r < 0) l->last_error_logged = 1;
    l->next_try = t + l->retry_period_s;
    return l->leading;
}
