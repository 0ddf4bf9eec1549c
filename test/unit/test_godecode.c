/* The Go-struct decoder (godecode.c): name folding, sorted keys with later
 * ones decoding into earlier, null, type errors, and the three modes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "err.h"
#include "godecode.h"
#include "kyaml.h"

static int setup_arena(void **state)
{
    *state = arena_new();
    return 0;
}

static int teardown_arena(void **state)
{
    arena_free(*state);
    return 0;
}

/* Decodes a kustomization (read as kustomize reads one: go-yaml v2, strict). */
static node *kustomization(arena *a, const char *text)
{
    node *doc, *out = NULL;
    assert_int_equal(yaml_load_one_v2(a, "k.yaml", text, strlen(text), &doc), 0);
    if (go_decode(a, doc, &go_kustomization, GD_STRICT, "invalid Kustomization", &out) < 0) return NULL;
    return out;
}

static void test_names_fold(void **state)
{
    arena *a = *state;
    /* exact, any case, long s, Kelvin sign */
    node *k = kustomization(a, "NAMEPREFIX: p-\nnameſuffix: -s\nlabels: [{pairs: {a: b}, \xe2\x84\xaa: 1}]\n");
    assert_null(k); /* K alone folds to no field of Label: unknown */
    assert_non_null(strstr(err_msg(), "unknown field"));
    k = kustomization(a, "NAMEPREFIX: p-\nnameſuffix: -s\npatches: [{target: {\xe2\x84\xaaind: Service}}]\n");
    assert_non_null(k);
    assert_string_equal(node_get_str(k, "namePrefix", NULL), "p-");
    assert_string_equal(node_get_str(k, "nameSuffix", NULL), "-s");
    assert_string_equal(node_get_str(node_get(k, "patches", NULL)->u.seq.items[0], "target", "kind", NULL), "Service");
    assert_null(kustomization(a, "\xc4\xb1mages: []\n")); /* dotless i is no i */
}

static void test_sorted_keys_merge(void **state)
{
    arena *a = *state;
    /* json.Marshal sorts keys: "namePrefix" < "nameprefix", so the latter wins */
    node *k = kustomization(a, "nameprefix: b-\nnamePrefix: a-\ncommonlabels: {c: d}\ncommonLabels: {a: b}\n");
    assert_non_null(k);
    assert_string_equal(node_get_str(k, "namePrefix", NULL), "b-");
    node *cl = map_get(k, "commonLabels");
    assert_int_equal(cl->u.map.n, 2); /* maps merge */
    /* null leaves a string alone and clears a map */
    k = kustomization(a, "namePrefix: a-\nnameprefix: ~\ncommonLabels: {a: b}\ncommonlabels: null\n");
    assert_string_equal(node_get_str(k, "namePrefix", NULL), "a-");
    assert_null(map_get(k, "commonLabels"));
}

static void test_types(void **state)
{
    arena *a = *state;
    node *k = kustomization(a, "labels: [{pairs: {a: b}, includeSelectors: yes}]\nreplicas: [{name: d, count: 0x10}]\n");
    assert_non_null(k);
    assert_true(node_is_true(node_get(node_get(k, "labels", NULL)->u.seq.items[0], "includeSelectors", NULL)));
    assert_string_equal(node_get_str(node_get(k, "replicas", NULL)->u.seq.items[0], "count", NULL), "16");
    assert_null(kustomization(a, "namePrefix: yes\n"));
    assert_non_null(strstr(err_msg(), "cannot unmarshal bool into Go struct field Kustomization.namePrefix of type string"));
    assert_null(kustomization(a, "replicas: [{name: d, count: 1.5}]\n"));
    assert_non_null(strstr(err_msg(), "number 1.5 into Go struct field Replica.replicas.count of type int64"));
    assert_null(kustomization(a, "generatorOptions: {labels: {v: 1}}\n"));
    assert_non_null(strstr(err_msg(), "GeneratorOptions.generatorOptions.labels of type string"));
}

static void test_empty(void **state)
{
    arena *a = *state;
    assert_true(go_kustomization_empty(kustomization(a, "kind: Kustomization\nbases: []\nnamePrefix: \"\"\n")));
    assert_false(go_kustomization_empty(kustomization(a, "resources: []\n")));
    assert_false(go_kustomization_empty(kustomization(a, "metadata: {}\n")));
}

/* Builtin configs: unknown fields kept, numbers and bools into strings. */
static void test_config_modes(void **state)
{
    arena *a = *state;
    const char *text = "kind: LabelTransformer\nLabels: {a: 012, b: 1.1, c: true, d: 1e7}\nPrefix: x\n";
    node *doc, *out;
    assert_int_equal(yaml_load_one(a, "c.yaml", text, strlen(text), &doc), 0);
    int mode;
    const gotype *t = go_builtin_config("LabelTransformer", &mode);
    assert_int_equal(mode, GD_JSON);
    assert_int_equal(go_decode(a, doc, t, mode, "config", &out), 0);
    assert_string_equal(node_get_str(out, "labels", "a", NULL), "10");
    assert_string_equal(node_get_str(out, "labels", "b", NULL), "1.1");
    assert_string_equal(node_get_str(out, "labels", "c", NULL), "true");
    assert_string_equal(node_get_str(out, "labels", "d", NULL), "10000000");
    assert_string_equal(node_get_str(out, "kind", NULL), "LabelTransformer");
    /* the prefix/suffix configs go through yaml.v3: exact names, text */
    const char *ps = "prefix: 1\nPrefix: ignored\nsuffix: yes\n";
    assert_int_equal(yaml_load_one(a, "p.yaml", ps, strlen(ps), &doc), 0);
    t = go_builtin_config("PrefixSuffixTransformer", &mode);
    assert_int_equal(go_decode(a, doc, t, mode, "config", &out), 0);
    assert_string_equal(node_get_str(out, "prefix", NULL), "1");
    assert_string_equal(node_get_str(out, "suffix", NULL), "yes");
}

int run_godecode_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_names_fold, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_sorted_keys_merge, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_types, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_empty, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_config_modes, setup_arena, teardown_arena),
    };
    return cmocka_run_group_tests_name("godecode", tests, NULL, NULL);
}
