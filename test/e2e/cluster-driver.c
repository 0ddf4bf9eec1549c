/* Test driver for the cluster client (src/cluster/cluster.h), linked with
 * kgrender's objects by test/e2e/cluster-client.sh: exercises server-side
 * apply, get, delete, paged metadata lists and watches on a real API server,
 * and times applies at a given concurrency.
 *
 *   cluster-driver [access flags] apply FILE [--force] [--dry-run]
 *   cluster-driver [access flags] get APIVERSION KIND NAMESPACE NAME
 *   cluster-driver [access flags] delete FILE
 *   cluster-driver [access flags] list APIVERSION KIND NAMESPACE SELECTOR
 *   cluster-driver [access flags] watch APIVERSION KIND NAMESPACE NAME EVENTS
 *   cluster-driver [access flags] discover-twice
 *   cluster-driver [access flags] raw METHOD PATH     (not idempotent)
 *   cluster-driver [access flags] nested NAMESPACE NAME
 *       (a GET whose callback refreshes discovery synchronously and stops a
 *       watch; then a close with calls still pending)
 *
 * Prints one result line per command (and errors on stderr); exit 1 on error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cluster.h"
#include "err.h"
#include "json.h"
#include "kyaml.h"

static int failures;
static size_t done_n;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void on_result(cluster *c, const cluster_result *res, void *ud)
{
    (void)c;
    (void)ud;
    done_n++;
    if (res->error) {
        failures++;
        fprintf(stderr, "%s [reason=%s attempts=%d]\n", res->error, res->reason, res->attempts);
    }
}

static int load_docs(arena *a, const char *file, node_list *docs)
{
    if (yaml_load_file(a, file, docs) < 0) {
        fprintf(stderr, "error: %s\n", err_msg());
        return -1;
    }
    return 0;
}

/* Namespaces first (synchronously), then everything else at once. */
static int cmd_apply(cluster *c, const char *file, unsigned flags, int del)
{
    arena *a = arena_new();
    node_list docs = {0};
    if (load_docs(a, file, &docs) < 0) return 1;
    double t0 = now_s();
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < docs.n; i++) {
            const char *kind = node_get_str(docs.v[i], "kind", NULL);
            int is_ns = kind && !strcmp(kind, "Namespace");
            if (is_ns != (pass == (del ? 1 : 0))) continue;
            cluster_ref ref;
            if (cluster_ref_of(c, docs.v[i], &ref) < 0) {
                fprintf(stderr, "error: %s\n", err_msg());
                failures++;
                continue;
            }
            if (del) {
                cluster_delete(c, &ref, "Background", 0, NULL, on_result, NULL);
            } else {
                strbuf body = STRBUF_INIT;
                json_value(&body, docs.v[i]);
                cluster_apply(c, &ref, "kgrender-test", body.buf, body.len, flags, NULL, on_result, NULL);
                sb_release(&body);
            }
            if (is_ns) cluster_run(c);
        }
    cluster_run(c);
    double t = now_s() - t0;
    printf("%s %zu objects in %.2fs (%.0f/s), %zu %s requests, %d failed\n", del ? "deleted" : "applied", done_n, t,
           done_n / t, cluster_requests(c, del ? "DELETE" : "PATCH"), del ? "DELETE" : "PATCH", failures);
    list_free(&docs);
    arena_free(a);
    return failures != 0;
}

static const cluster_resource *find(cluster *c, const char *av, const char *kind)
{
    const cluster_resource *r = cluster_find(c, av, kind);
    if (!r) fprintf(stderr, "error: %s\n", err_msg());
    return r;
}

static void on_get(cluster *c, const cluster_result *res, void *ud)
{
    (void)c;
    (void)ud;
    if (res->error) {
        on_result(c, res, ud);
        return;
    }
    printf("got %s rv=%s attempts=%d\n", node_get_str(res->json, "metadata", "name", NULL),
           node_get_str(res->json, "metadata", "resourceVersion", NULL), res->attempts);
}

static int cmd_get(cluster *c, char **argv)
{
    const cluster_resource *r = find(c, argv[0], argv[1]);
    if (!r) return 1;
    cluster_ref ref = {r, r->namespaced ? argv[2] : NULL, argv[3]};
    arena *a = arena_new();
    cluster_get(c, &ref, a, on_get, NULL);
    cluster_run(c);
    arena_free(a);
    return failures != 0;
}

static size_t items, pages;
static void on_page(cluster *c, const cluster_result *res, int more, void *ud)
{
    (void)c;
    (void)ud;
    if (res->error) {
        on_result(c, res, ud);
        return;
    }
    const node *it = map_get(res->json, "items");
    pages++;
    items += it && it->kind == N_SEQ ? it->u.seq.n : 0;
    const char *kind = node_get_str(res->json, "kind", NULL);
    if (!more) printf("listed %zu items in %zu pages (%s)\n", items, pages, kind ? kind : "?");
}

static int cmd_list(cluster *c, char **argv)
{
    const cluster_resource *r = find(c, argv[0], argv[1]);
    if (!r) return 1;
    arena *a = arena_new();
    double t0 = now_s();
    cluster_list_meta(c, r, *argv[2] ? argv[2] : NULL, argv[3], a, on_page, NULL);
    cluster_run(c);
    fprintf(stderr, "list took %.3fs, arena %zu bytes\n", now_s() - t0, arena_used(a));
    arena_free(a);
    return failures != 0;
}

static int want_events, seen_events;
static int on_event(cluster *c, const char *type, node *obj, void *ud)
{
    (void)c;
    (void)ud;
    if (!strcmp(type, "BOOKMARK")) return 0; /* progress marks, not changes */
    printf("event %s %s\n", type, node_get_str(obj, "metadata", "name", NULL));
    fflush(stdout);
    return ++seen_events >= want_events;
}

static void on_watch_done(cluster *c, const cluster_result *res, void *ud)
{
    if (res->error) on_result(c, res, ud);
    printf("watch ended after %d events\n", seen_events);
}

static int cmd_watch(cluster *c, char **argv)
{
    const cluster_resource *r = find(c, argv[0], argv[1]);
    if (!r) return 1;
    want_events = atoi(argv[4]);
    cluster_watch_start(c, r, argv[2], argv[3], NULL, NULL, 60, on_event, on_watch_done, NULL);
    cluster_run(c);
    return failures != 0 || seen_events < want_events;
}

static void on_raw(cluster *c, const cluster_result *res, void *ud)
{
    printf("status=%ld attempts=%d%s%s\n", res->status, res->attempts, res->error ? " error=" : "",
           res->error ? res->error : "");
    if (res->error) failures++;
}

static int cmd_raw(cluster *c, char **argv)
{
    cluster_call call = {.method = argv[0], .path = argv[1], .content_type = "application/json", .body = "{}",
                         .body_len = 2};
    cluster_submit(c, &call, on_raw, NULL);
    cluster_run(c);
    return failures != 0;
}

static cluster_watch *nested_watch;
static int nested_watch_done;
static void on_nested_watch_done(cluster *c, const cluster_result *res, void *ud)
{
    printf("watch done error=%s\n", res->error ? res->error : "none");
    nested_watch_done = 1;
}

static int ignore_event(cluster *c, const char *type, node *obj, void *ud)
{
    return 0;
}

static void on_nested_get(cluster *c, const cluster_result *res, void *ud)
{
    on_get(c, res, ud);
    int rc = cluster_refresh(c); /* synchronous, inside a callback */
    printf("refresh in callback: %s, watch still pending: %s\n", rc == 0 ? "ok" : err_msg(),
           nested_watch_done ? "no" : "yes");
    cluster_watch_stop(c, nested_watch);
}

static int cmd_nested(cluster *c, char **argv)
{
    const cluster_resource *r = find(c, "v1", "ConfigMap");
    if (!r) return 1;
    cluster_ref ref = {r, argv[0], argv[1]};
    arena *a = arena_new();
    nested_watch = cluster_watch_start(c, r, argv[0], NULL, NULL, NULL, 60, ignore_event, on_nested_watch_done, NULL);
    cluster_get(c, &ref, a, on_nested_get, NULL);
    cluster_run(c);
    /* left pending on purpose: cluster_close drops them without callbacks */
    cluster_get(c, &ref, a, on_nested_get, NULL);
    cluster_watch_start(c, r, argv[0], NULL, NULL, NULL, 60, ignore_event, on_nested_watch_done, NULL);
    cluster_step(c, 0);
    printf("pending at close: %zu\n", cluster_pending(c));
    arena_free(a);
    return failures != 0 || !nested_watch_done;
}

int main(int argc, char **argv)
{
    cluster_flags f = {0};
    int i = 1;
    for (; i < argc; i++) {
        int r = cluster_flag_parse(&f, argc, argv, &i);
        if (r < 0) {
            fprintf(stderr, "error: %s\n", err_msg());
            return 2;
        }
        if (!r) break;
    }
    if (i >= argc) return 2;
    cluster *c = cluster_open(&f);
    if (!c) {
        fprintf(stderr, "error: %s\n", err_msg());
        return 1;
    }
    const char *cmd = argv[i++];
    int rc = 2, n = argc - i;
    unsigned flags = 0;
    for (int k = i; k < argc; k++) {
        if (!strcmp(argv[k], "--force")) flags |= CLUSTER_FORCE;
        if (!strcmp(argv[k], "--dry-run")) flags |= CLUSTER_DRY_RUN;
    }
    if (!strcmp(cmd, "apply") && n >= 1) rc = cmd_apply(c, argv[i], flags, 0);
    else if (!strcmp(cmd, "delete") && n >= 1) rc = cmd_apply(c, argv[i], 0, 1);
    else if (!strcmp(cmd, "get") && n == 4) rc = cmd_get(c, argv + i);
    else if (!strcmp(cmd, "list") && n == 4) rc = cmd_list(c, argv + i);
    else if (!strcmp(cmd, "watch") && n == 5) rc = cmd_watch(c, argv + i);
    else if (!strcmp(cmd, "raw") && n == 2) rc = cmd_raw(c, argv + i);
    else if (!strcmp(cmd, "nested") && n == 2) rc = cmd_nested(c, argv + i);
    else if (!strcmp(cmd, "discover-twice")) {
        rc = cluster_discover(c) < 0 || cluster_refresh(c) < 0;
        if (rc) fprintf(stderr, "error: %s\n", err_msg());
        else printf("discovered, %zu GET requests\n", cluster_requests(c, "GET"));
    }
    cluster_close(c);
    return rc;
}
