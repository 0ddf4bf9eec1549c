/* The apply engine's parts that need no cluster: stages and the plan
 * (waves, depends-on, implicit edges, cycles, completion), the content hash,
 * kstatus readiness, the ApplySet id and the redaction of Secret values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "apply.h"
#include "err.h"
#include "jsonout.h"
#include "kyaml.h"
#define XXH_INLINE_ALL
#include <xxhash.h>

static node *load(arena *a, const char *yaml)
{
    node *doc = NULL;
    assert_int_equal(yaml_load_one(a, "test.yaml", yaml, strlen(yaml), &doc), 0);
    return doc;
}

/* objects from a stream, with the identity fields plan.c reads */
static size_t objects(arena *a, const char *yaml, aobj **out)
{
    node_list docs = {0};
    assert_int_equal(yaml_load(a, "test.yaml", yaml, strlen(yaml), &docs), 0);
    aobj *o = arena_zalloc(a, (docs.n + 1) * sizeof *o);
    for (size_t i = 0; i < docs.n; i++) {
        o[i].obj = docs.v[i];
        o[i].api_version = node_get_str(docs.v[i], "apiVersion", NULL);
        const char *sl = strrchr(o[i].api_version, '/');
        o[i].group = sl ? arena_strndup(a, o[i].api_version, (size_t)(sl - o[i].api_version)) : "";
        o[i].kind = node_get_str(docs.v[i], "kind", NULL);
        o[i].name = node_get_str(docs.v[i], "metadata", "name", NULL);
        const char *ns = node_get_str(docs.v[i], "metadata", "namespace", NULL);
        o[i].ns = ns ? ns : "";
        o[i].is_crd = !strcmp(o[i].kind, "CustomResourceDefinition");
        o[i].key = obj_key(a, o[i].group, o[i].kind, o[i].ns, o[i].name);
        o[i].what = arena_printf(a, "%s %s", o[i].kind, o[i].name);
    }
    size_t n = docs.n;
    list_free(&docs);
    *out = o;
    return n;
}

/* The order in which a plan releases objects when each completes at once. */
struct order {
    plan *p;
    aobj *objs;
    char buf[512];
    const char *failing;       /* name of an object that fails, or NULL */
};

static void on_ready(void *ud, uint32_t i)
{
    struct order *o = ud;
    if (o->buf[0]) strcat(o->buf, " ");
    strcat(o->buf, o->objs[i].name);
    if (o->p->v[i].blocked) strcat(o->buf, "(blocked)");
    plan_done(o->p, i, !(o->failing && !strcmp(o->objs[i].name, o->failing)) && !o->p->v[i].blocked);
}

static const char *run_order(const char *yaml, const char *failing)
{
    static char result[512];
    arena *a = arena_new();
    aobj *objs;
    size_t n = objects(a, yaml, &objs);
    plan p;
    struct order o = {.p = &p, .objs = objs, .failing = failing};
    if (plan_build(a, objs, n, &p) < 0) {
        snprintf(result, sizeof result, "error: %s", err_msg());
    } else {
        plan_start(&p, on_ready, &o);
        snprintf(result, sizeof result, "%s", o.buf);
        plan_free(&p);
    }
    arena_free(a);
    return result;
}

#define CM(name, ann) "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: " name ", namespace: ns" ann "}\n"

static void test_stages(void **state)
{
    (void)state;
    assert_int_equal(plan_stage("", "Namespace"), 0);
    assert_int_equal(plan_stage("apiextensions.k8s.io", "CustomResourceDefinition"), 0);
    assert_int_equal(plan_stage("rbac.authorization.k8s.io", "ClusterRole"), 1);
    assert_int_equal(plan_stage("storage.k8s.io", "StorageClass"), 1);
    assert_int_equal(plan_stage("scheduling.k8s.io", "PriorityClass"), 1);
    assert_int_equal(plan_stage("gateway.networking.k8s.io", "GatewayClass"), 1);
    assert_int_equal(plan_stage("", "Class"), 2); /* not "ends in Class": is Class */
    assert_int_equal(plan_stage("apps", "Deployment"), 2);
    assert_int_equal(plan_stage("rbac.authorization.k8s.io", "ClusterRoleBinding"), 2);
}

static void test_order_stages_and_waves(void **state)
{
    (void)state;
    const char *yaml = CM("app", "") "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n"
                       "---\napiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fast}\n"
                       CM("late", ", annotations: {kgrender.io/apply-wave: '1'}")
                       CM("early", ", annotations: {kgrender.io/apply-wave: '-1'}");
    /* the Namespace moves to the earliest wave of what lives in it */
    assert_string_equal(run_order(yaml, NULL), "ns early fast app late");
}

static void test_depends_on(void **state)
{
    (void)state;
    const char *yaml = CM("c", ", annotations: {kgrender.io/depends-on: 'ConfigMap/ns/b'}")
                       CM("b", ", annotations: {kgrender.io/depends-on: 'ConfigMap/a, apps/Deployment/ns/d'}")
                       CM("a", "")
                       "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: ns}\n";
    assert_string_equal(run_order(yaml, NULL), "a d b c");
}

static void test_plugin_ref(void **state)
{
    (void)state;
    const char *yaml = CM("user", ", annotations: {kgrender.io/depends-on: 'plugin:db'}")
                       CM("db1", ", annotations: {kgrender.io/plugin: db}")
                       CM("db2", ", annotations: {kgrender.io/plugin: db}");
    assert_string_equal(run_order(yaml, NULL), "db1 db2 user");
}

/* A failed dependency blocks its dependents (and theirs); a barrier does not. */
static void test_failure_blocks(void **state)
{
    (void)state;
    const char *yaml = CM("a", "") CM("b", ", annotations: {kgrender.io/depends-on: ConfigMap/ns/a}")
                       CM("c", ", annotations: {kgrender.io/depends-on: ConfigMap/ns/b}")
                       CM("d", ", annotations: {kgrender.io/apply-wave: '1'}");
    assert_string_equal(run_order(yaml, "a"), "a b(blocked) c(blocked) d");
}

static void test_cycles(void **state)
{
    (void)state;
    const char *yaml = CM("hen", ", annotations: {kgrender.io/depends-on: ConfigMap/ns/egg}")
                       CM("egg", ", annotations: {kgrender.io/depends-on: ConfigMap/ns/hen}") CM("free", "");
    const char *r = run_order(yaml, NULL);
    assert_non_null(strstr(r, "error: dependency cycle: "));
    assert_non_null(strstr(r, "ConfigMap hen"));
    assert_non_null(strstr(r, "ConfigMap egg"));
    assert_null(strstr(r, "free"));
    /* a dependency in a later wave closes a cycle through the wave order */
    r = run_order(CM("a", ", annotations: {kgrender.io/depends-on: ConfigMap/ns/b}")
                  CM("b", ", annotations: {kgrender.io/apply-wave: '1'}"), NULL);
    assert_non_null(strstr(r, "error: dependency cycle: "));
    assert_non_null(strstr(r, "wave"));
}

static void test_bad_annotations(void **state)
{
    (void)state;
    assert_non_null(strstr(run_order(CM("a", ", annotations: {kgrender.io/apply-wave: soon}"), NULL),
                           "kgrender.io/apply-wave: \"soon\" is not an integer"));
    assert_non_null(strstr(run_order(CM("a", ", annotations: {kgrender.io/depends-on: 'a/b/c/d/e'}"), NULL),
                           "bad reference"));
}

/* Implicit: after the Namespace it lives in and after the CRD of its kind,
 * even when waves would put it first. */
static void test_implicit_edges(void **state)
{
    (void)state;
    const char *yaml = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: ns}\n"
                       "---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
                       "metadata: {name: widgets.example.com}\nspec: {group: example.com, names: {kind: Widget}}\n"
                       "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: ns}\n";
    assert_string_equal(run_order(yaml, NULL), "widgets.example.com ns w");
}

static void test_content_hash(void **state)
{
    (void)state;
    arena *a = arena_new();
    node *x = load(a, "kind: ConfigMap\napiVersion: v1\nmetadata: {name: x}\ndata: {b: '2', a: '1'}\n");
    node *y = load(a, "apiVersion: v1\ndata:\n  a: \"1\"\n  b: \"2\"\nkind: ConfigMap\nmetadata:\n  name: x\n");
    node *z = load(a, "apiVersion: v1\ndata: {a: '1', b: '3'}\nkind: ConfigMap\nmetadata: {name: x}\n");
    char hx[33], hy[33], hz[33];
    content_hash(x, hx);
    content_hash(y, hy);
    content_hash(z, hz);
    assert_string_equal(hx, hy); /* formatting and key order do not matter */
    assert_string_not_equal(hx, hz);
    /* XXH3-128 (canonical big-endian hex) of the compact, key-sorted JSON */
    const char *canon = "{\"apiVersion\":\"v1\",\"data\":{\"a\":\"1\",\"b\":\"2\"},\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"}}";
    XXH128_canonical_t c;
    XXH128_canonicalFromHash(&c, XXH3_128bits(canon, strlen(canon)));
    char want[33];
    for (int i = 0; i < 16; i++) sprintf(want + 2 * i, "%02x", c.digest[i]);
    assert_string_equal(hx, want);
    arena_free(a);
}

static arena *ha; /* the test's arena: why points into it */

static int health(const char *yaml, const char **why)
{
    return health_eval(ha, load(ha, yaml), why);
}

static void test_health(void **state)
{
    (void)state;
    const char *why;
    ha = arena_new();
    const char *dep = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, generation: 2}\nspec: {replicas: 2}\n";
    char buf[1024];
    snprintf(buf, sizeof buf, "%sstatus: {observedGeneration: 1}\n", dep);
    assert_int_equal(health(buf, &why), H_PROGRESS);
    assert_non_null(strstr(why, "generation 2 not observed"));
    snprintf(buf, sizeof buf, "%sstatus: {observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 1, "
                              "availableReplicas: 1, conditions: [{type: Available, status: 'False', reason: "
                              "MinimumReplicasUnavailable, message: 'Deployment does not have minimum availability.'}]}\n", dep);
    assert_int_equal(health(buf, &why), H_PROGRESS);
    assert_non_null(strstr(why, "Available=False (MinimumReplicasUnavailable): Deployment does not have minimum availability."));
    snprintf(buf, sizeof buf, "%sstatus: {observedGeneration: 2, replicas: 2, updatedReplicas: 2, readyReplicas: 2, "
                              "availableReplicas: 2, conditions: [{type: Available, status: 'True'}, {type: Progressing, "
                              "status: 'True', reason: NewReplicaSetAvailable}]}\n", dep);
    assert_int_equal(health(buf, &why), H_READY);
    snprintf(buf, sizeof buf, "%sstatus: {conditions: [{type: Progressing, status: 'False', reason: ProgressDeadlineExceeded}]}\n", dep);
    assert_int_equal(health(buf, &why), H_FAILED);
    assert_int_equal(health("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x}\n"
                            "status: {conditions: [{type: Established, status: 'True'}]}\n", &why), H_READY);
    assert_int_equal(health("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x}\n"
                            "status: {conditions: [{type: NamesAccepted, status: 'False', message: taken}]}\n", &why), H_FAILED);
    assert_int_equal(health("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n"
                            "status: {conditions: [{type: Failed, status: 'True', message: BackoffLimitExceeded}]}\n", &why), H_FAILED);
    assert_int_equal(health("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\n"
                            "spec: {replicas: 3, updateStrategy: {type: OnDelete}}\n", &why), H_READY);
    assert_int_equal(health("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec: {replicas: 3}\n"
                            "status: {readyReplicas: 3, updatedReplicas: 3, currentRevision: a, updateRevision: b}\n", &why), H_PROGRESS);
    assert_int_equal(health("apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\n"
                            "status: {conditions: [{type: Ready, status: 'False', message: waiting for db}]}\n", &why), H_PROGRESS);
    assert_non_null(strstr(why, "waiting for db"));
    assert_int_equal(health("apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\n"
                            "status: {conditions: [{type: Stalled, status: 'True'}]}\n", &why), H_FAILED);
    assert_int_equal(health("apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\n", &why), H_READY);
    assert_int_equal(health("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, deletionTimestamp: '2024-01-01T00:00:00Z'}\n", &why),
                     H_TERMINATING);
    arena_free(ha);
}

static void test_applyset_id(void **state)
{
    (void)state;
    arena *a = arena_new();
    /* base64url(sha256("my-set.prod.Secret.")), as kubectl computes it */
    assert_string_equal(applyset_id(a, "my-set", "prod", "Secret", ""),
                        "applyset-33jb7s1fLYA5Aiyr0Q3erXIf_pqlOUTv9GxRUYFRzNA-v1");
    arena_free(a);
}

static void test_redact(void **state)
{
    (void)state;
    arena *a = arena_new();
    secret_remember(a, load(a, "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"
                               "stringData: {pw: hunter2-secret}\ndata: {tok: dG9rZW4tdmFsdWU=}\n"));
    assert_string_equal(redact(a, "bad: hunter2-secret and token-value and dG9rZW4tdmFsdWU="),
                        "bad: [redacted] and [redacted] and [redacted]");
    assert_string_equal(redact(a, "aHVudGVyMi1zZWNyZXQ= too"), "[redacted] too");
    assert_string_equal(redact(a, "nothing here"), "nothing here");
    secret_forget();
    assert_string_equal(redact(a, "hunter2-secret"), "hunter2-secret");
    arena_free(a);
}

int run_apply_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stages),         cmocka_unit_test(test_order_stages_and_waves),
        cmocka_unit_test(test_depends_on),     cmocka_unit_test(test_plugin_ref),
        cmocka_unit_test(test_failure_blocks), cmocka_unit_test(test_cycles),
        cmocka_unit_test(test_bad_annotations), cmocka_unit_test(test_implicit_edges),
        cmocka_unit_test(test_content_hash),   cmocka_unit_test(test_health),
        cmocka_unit_test(test_applyset_id),    cmocka_unit_test(test_redact),
    };
    return cmocka_run_group_tests_name("apply", tests, NULL, NULL);
}
