/* The controller's work queue (dedup, re-queue of a key added while it is
 * processed, per-key exponential backoff, shutdown) and its metrics text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "controller.h"

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_queue_dedup(void **state)
{
    workqueue *q = wq_new(0.01, 1);
    wq_add(q, "ns/a");
    wq_add(q, "ns/a");
    wq_add(q, "ns/b");
    assert_int_equal(wq_len(q), 2);
    char *k1 = wq_get(q), *k2 = wq_get(q);
    assert_int_not_equal(strcmp(k1, k2), 0);
    assert_int_equal(wq_len(q), 0);
    wq_done(q, k1);
    wq_done(q, k2);
    free(k1);
    free(k2);
    wq_free(q);
}

static void test_queue_readd_while_processing(void **state)
{
    workqueue *q = wq_new(0.01, 1);
    wq_add(q, "ns/a");
    char *k = wq_get(q);
    wq_add(q, "ns/a"); /* an event while it reconciles: not handed to a second worker */
    assert_int_equal(wq_len(q), 0);
    wq_done(q, k);
    assert_int_equal(wq_len(q), 1); /* ...but queued again once the first is done */
    char *again = wq_get(q);
    assert_string_equal(again, "ns/a");
    wq_done(q, again);
    free(k);
    free(again);
    wq_free(q);
}

static void test_queue_backoff(void **state)
{
    workqueue *q = wq_new(0.05, 0.2);
    wq_add_rate_limited(q, "ns/a"); /* 0.05 s */
    assert_int_equal(wq_len(q), 0);
    double t0 = mono();
    char *k = wq_get(q);
    double waited = mono() - t0;
    assert_true(waited >= 0.04);
    wq_done(q, k);
    free(k);
    wq_add_rate_limited(q, "ns/a"); /* 0.1 s */
    wq_add_rate_limited(q, "ns/a"); /* 0.2 s (capped): the earlier due time stays */
    assert_int_equal(wq_failures(q, "ns/a"), 3);
    wq_forget(q, "ns/a");
    assert_int_equal(wq_failures(q, "ns/a"), 0);
    k = wq_get(q);
    assert_string_equal(k, "ns/a");
    wq_done(q, k);
    free(k);
    wq_free(q);
}

static void *shutdown_later(void *q)
{
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
    wq_shutdown(q);
    return NULL;
}

static void test_queue_shutdown_wakes(void **state)
{
    workqueue *q = wq_new(0.01, 1);
    pthread_t t;
    pthread_create(&t, NULL, shutdown_later, q);
    assert_null(wq_get(q)); /* blocked, then woken with nothing */
    pthread_join(t, NULL);
    wq_free(q);
}

static void test_metrics_text(void **state)
{
    metric_add(M_RECONCILES, 2);
    metric_set(M_LEADER, 1);
    metric_observe_reconcile(0.3);
    size_t len;
    char *text = metrics_render(&len);
    assert_non_null(strstr(text, "# TYPE kgrender_reconciles_total counter\nkgrender_reconciles_total 2\n"));
    assert_non_null(strstr(text, "kgrender_leader 1\n"));
    assert_non_null(strstr(text, "kgrender_reconcile_duration_seconds_bucket{le=\"0.25\"} 0\n"));
    assert_non_null(strstr(text, "kgrender_reconcile_duration_seconds_bucket{le=\"0.5\"} 1\n"));
    assert_non_null(strstr(text, "kgrender_reconcile_duration_seconds_count 1\n"));
    assert_int_equal(strlen(text), len);
    free(text);
}

int run_controller_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_dedup),
        cmocka_unit_test(test_queue_readd_while_processing),
        cmocka_unit_test(test_queue_backoff),
        cmocka_unit_test(test_queue_shutdown_wakes),
        cmocka_unit_test(test_metrics_text),
    };
    return cmocka_run_group_tests_name("controller", tests, NULL, NULL);
}
