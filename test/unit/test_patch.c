/* Unit tests of the patch engine: strategic merge (smp.c with the embedded
 * merge schema) and JSON patch (jsonpatch.c), on small documents compared
 * through the emitter. Expected outputs follow what kubectl kustomize
 * v5.5.0 prints for the same patches. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "build.h"
#include "err.h"
#include "jsonpatch.h"
#include "node.h"
#include "smp.h"
#include "smp_schema.h"
#include "strbuf.h"
#include "kyaml.h"

static int setup_arena(void **state)
{
    *state = arena_new();
    return *state ? 0 : -1;
}

static int teardown_arena(void **state)
{
    arena_free(*state);
    return 0;
}

static node *load(arena *a, const char *text)
{
    node *n = NULL;
    assert_int_equal(yaml_load_one(a, "test", text, strlen(text), &n), 0);
    return n;
}

static void assert_yaml(node *n, const char *want)
{
    strbuf sb = STRBUF_INIT;
    assert_int_equal(yaml_emit(&sb, n), 0);
    if (strcmp(sb.buf, want)) fprintf(stderr, "got:\n%s\nwant:\n%s\n", sb.buf, want);
    assert_string_equal(sb.buf, want);
    sb_release(&sb);
}

/* Merges with the built-in schema, as for a kustomization without `openapi:`. */
static int merge(arena *a, const char *obj, const char *patch, node **out)
{
    build b = {.a = a};
    kust k = {.b = &b};
    smp_schema *ss = smp_schema_get(&k);
    smp_schema_init(ss);
    return smp_merge(a, ss, load(a, obj), load(a, patch), out);
}

static const char *deploy =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n"
    "      containers:\n      - name: a\n        image: aa\n        env:\n        - {name: X, value: x}\n"
    "        - {name: Y, value: y}\n";

static void test_smp_prepend_and_merge_by_key(void **state)
{
    arena *a = *state;
    node *out;
    assert_int_equal(merge(a, deploy,
                           "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n"
                           "    spec:\n      containers:\n      - name: b\n        image: bb\n      - name: a\n"
                           "        env:\n        - {name: Y, value: changed}\n",
                           &out),
                     0);
    assert_yaml(out, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n"
                     "      containers:\n      - image: bb\n        name: b\n      - env:\n        - name: \"Y\"\n"
                     "          value: changed\n        - name: X\n          value: x\n        image: aa\n"
                     "        name: a\n");
}

static void test_smp_delete_and_replace(void **state)
{
    arena *a = *state;
    node *out;
    assert_int_equal(merge(a, deploy,
                           "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n"
                           "    spec:\n      containers:\n      - name: a\n        env:\n        - name: X\n"
                           "          $patch: delete\n",
                           &out),
                     0);
    assert_yaml(out, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec:\n"
                     "      containers:\n      - env:\n        - name: \"Y\"\n          value: \"y\"\n"
                     "        image: aa\n        name: a\n");
    assert_int_equal(merge(a, deploy,
                           "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n"
                           "  template:\n    $patch: replace\n    spec: {}\n",
                           &out),
                     0);
    assert_yaml(out, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n    spec: {}\n");
    assert_int_equal(merge(a, deploy, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n$patch: delete\n",
                           &out),
                     0);
    assert_null(out);
}

static void test_smp_nulls(void **state)
{
    arena *a = *state;
    node *out;
    assert_int_equal(merge(a, "kind: X\nkeep: null\nempty:\ngone: 1\nstay: 2\n", "kind: X\ngone: null\n", &out), 0);
    assert_yaml(out, "keep: null\nkind: X\nstay: 2\n");
}

static void test_smp_lists_without_schema_are_replaced(void **state)
{
    arena *a = *state;
    node *out;
    assert_int_equal(merge(a, "apiVersion: x.io/v1\nkind: W\nitems:\n- name: a\n- name: b\nm: {a: 1}\n",
                           "apiVersion: x.io/v1\nkind: W\nitems:\n- name: c\nm: {b: 2}\n", &out),
                     0);
    assert_yaml(out, "apiVersion: x.io/v1\nitems:\n- name: c\nkind: W\nm:\n  a: 1\n  b: 2\n");
}

static void test_smp_primitive_merge_list(void **state)
{
    arena *a = *state;
    node *out;
    assert_int_equal(merge(a, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  finalizers: [a, c]\n",
                           "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  finalizers: [b, a]\n", &out),
                     0);
    assert_yaml(out, "apiVersion: v1\nkind: Pod\nmetadata:\n  finalizers:\n  - b\n  - a\n  - c\n  name: p\n");
}

static void test_smp_unknown_directive(void **state)
{
    arena *a = *state;
    node *out;
    assert_int_equal(merge(a, deploy, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n"
                                      "  $patch: bogus\n",
                           &out),
                     -1);
    assert_non_null(strstr(err_msg(), "unknown patch strategy"));
}

static int jp(arena *a, node *doc, const char *ops)
{
    node *o;
    assert_int_equal(jsonpatch_parse(a, "ops", ops, strlen(ops), &o), 0);
    return jsonpatch_apply(a, doc, o, "test");
}

static void test_jsonpatch_ops(void **state)
{
    arena *a = *state;
    node *doc = load(a, "a: {b/c: 1, t~x: 2}\nl: [x, y, z]\n");
    assert_int_equal(jp(a, doc,
                        "[{\"op\": \"add\", \"path\": \"/l/-\", \"value\": \"w\"},"
                        " {\"op\": \"add\", \"path\": \"/l/0\", \"value\": \"v\"},"
                        " {\"op\": \"remove\", \"path\": \"/l/-1\"},"
                        " {\"op\": \"replace\", \"path\": \"/a/b~1c\", \"value\": 10},"
                        " {\"op\": \"move\", \"from\": \"/a/t~0x\", \"path\": \"/moved\"},"
                        " {\"op\": \"copy\", \"from\": \"/l\", \"path\": \"/a/copy\"},"
                        " {\"op\": \"replace\", \"path\": \"/new\", \"value\": {\"k\": \"v\"}},"
                        " {\"op\": \"test\", \"path\": \"/moved\", \"value\": 2.0}]"),
                     0);
    assert_yaml(doc, "a:\n  b/c: 10\n  copy:\n  - v\n  - x\n  - \"y\"\n  - z\nl:\n- v\n- x\n- \"y\"\n- z\nmoved: 2\n"
                     "new:\n  k: v\n");
}

static void test_jsonpatch_errors(void **state)
{
    arena *a = *state;
    node *doc = load(a, "a: {b: 1}\nl: [x]\n");
    assert_int_equal(jp(a, doc, "- {op: add, path: /missing/x, value: 1}\n"), -1);
    assert_non_null(strstr(err_msg(), "doc is missing path"));
    assert_int_equal(jp(a, doc, "- {op: add, path: /l/5, value: 1}\n"), -1);
    assert_int_equal(jp(a, doc, "- {op: remove, path: /a/nope}\n"), -1);
    assert_int_equal(jp(a, doc, "- {op: test, path: /a/b, value: 2}\n"), -1);
    assert_int_equal(jp(a, doc, "- {op: frobnicate, path: /a}\n"), -1);
    node *o;
    assert_int_equal(jsonpatch_parse(a, "ops", "a: b\n", 5, &o), -1);
    /* text starting with '[' is JSON: YAML flow style is not */
    const char *yflow = "[{op: add}]", *y11 = "- {op: add, path: /x, value: [yes, 0777, 1e3]}\n",
               *nan = "- {op: add, path: /x, value: .nan}\n";
    assert_int_equal(jsonpatch_parse(a, "ops", yflow, strlen(yflow), &o), -1);
    /* YAML is read as go-yaml v2 does, and values come back from JSON */
    assert_int_equal(jsonpatch_parse(a, "ops", y11, strlen(y11), &o), 0);
    assert_yaml(map_get(o->u.seq.items[0], "value"), "- true\n- 511\n- 1000\n");
    assert_int_equal(jsonpatch_parse(a, "ops", nan, strlen(nan), &o), -1);
}

int run_patch_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_smp_prepend_and_merge_by_key, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_smp_delete_and_replace, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_smp_nulls, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_smp_lists_without_schema_are_replaced, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_smp_primitive_merge_list, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_smp_unknown_directive, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_jsonpatch_ops, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_jsonpatch_errors, setup_arena, teardown_arena),
    };
    return cmocka_run_group_tests_name("patch", tests, NULL, NULL);
}
