/* Plugin unit tests: value typing, helm --set parsing (paths, lists,
 * escapes, plugin scoping), the deep merge, base64 and version constraints. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "base64.h"
#include <string.h>

#include "kyaml.h"
#include "plugin_impl.h"

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

/* The tree as kgrender prints it. */
static void assert_yaml(node *n, const char *want)
{
    strbuf sb = STRBUF_INIT;
    assert_int_equal(yaml_emit(&sb, n), 0);
    assert_string_equal(sb.buf, want);
    sb_release(&sb);
}

static node *set(arena *a, const char *expr, const char *scope)
{
    node *root = node_new(a, N_MAP);
    const char *why = NULL;
    assert_int_equal(values_apply_set(a, root, expr, scope, &why), 0);
    return root;
}

static void test_scalar_types(void **state)
{
    arena *a = *state;
    static const struct { const char *text; int kind; } cases[] = {
        {"true", N_BOOL}, {"false", N_BOOL}, {"null", N_NULL}, {"0", N_INT}, {"12", N_INT}, {"-7", N_INT},
        {"0123", N_STR}, {"-0", N_STR}, {"+1", N_STR}, {"1.10", N_STR}, {"1e3", N_STR}, {"", N_STR},
        {"99999999999999999999", N_STR}, {"True", N_STR}, {"yes", N_STR}, {"~", N_STR},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        node *n = values_scalar(a, cases[i].text, strlen(cases[i].text));
        if (n->kind != cases[i].kind) fail_msg("'%s': kind %d, want %d", cases[i].text, n->kind, cases[i].kind);
    }
}

static void test_set_paths(void **state)
{
    arena *a = *state;
    assert_yaml(set(a, "a.b=1,a.c=x,d=true", NULL), "a:\n  b: 1\n  c: x\nd: true\n");
    assert_yaml(set(a, "l={a,b,3}", NULL), "l:\n- a\n- b\n- 3\n");
    assert_yaml(set(a, "e=a\\,b,k\\.dot=v", NULL), "e: a,b\nk.dot: v\n");
    assert_yaml(set(a, "arr[2]=z", NULL), "arr:\n- null\n- null\n- z\n");
    assert_yaml(set(a, "arr[0].name=n,arr[0].port=80", NULL), "arr:\n- name: \"n\"\n  port: 80\n");
    assert_yaml(set(a, "s=0123,eq=a=b", NULL), "eq: a=b\ns: \"0123\"\n");
    assert_yaml(set(a, "a.b=1,a=2", NULL), "a: 2\n");
}

static void test_set_errors(void **state)
{
    arena *a = *state;
    static const char *const bad[] = {"novalue", "a..b=1", ".a=1", "a.=1", "x[-1]=1", "x[a]=1", "x[99999999]=1",
                                      "x[0]y=1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        node *root = node_new(a, N_MAP);
        const char *why = NULL;
        if (values_apply_set(a, root, bad[i], NULL, &why) == 0) fail_msg("'%s' accepted", bad[i]);
        assert_non_null(why);
    }
}

static void test_set_scoped(void **state)
{
    arena *a = *state;
    assert_yaml(set(a, "p.x=1,global.g=2,q.y=3,pp.z=4", "p"), "global:\n  g: 2\nx: 1\n");
    strlist scopes = {0};
    values_set_scopes(a, "p.x=1,global.g=2,q.y=3", &scopes);
    assert_int_equal(scopes.n, 3);
    assert_string_equal(scopes.v[0], "p");
    assert_string_equal(scopes.v[1], "global");
    assert_string_equal(scopes.v[2], "q");
}

static void test_merge(void **state)
{
    arena *a = *state;
    node *dst = set(a, "m.a=1,m.b=2,l={x},s=keep,gone=1", NULL);
    node *src = set(a, "m.b=3,m.c=4,l={y,z},gone=null", NULL);
    values_merge(a, dst, src);
    assert_yaml(dst, "gone: null\nl:\n- \"y\"\n- z\nm:\n  a: 1\n  b: 3\n  c: 4\ns: keep\n");
    /* src is copied, not shared */
    map_set(a, map_get(src, "m"), "c", node_new_str(a, "changed"));
    assert_string_equal(node_get_str(dst, "m", "c", NULL), "4");
    assert_yaml(values_map_at(a, dst, "m.deep"), "{}\n");
    assert_non_null(node_get(dst, "m", "deep", NULL));
}

static void test_base64(void **state)
{
    (void)state;
    strbuf sb = STRBUF_INIT;
    assert_int_equal(base64_decode("aGVs\nbG8=", 9, &sb), 0);
    assert_string_equal(sb.buf, "hello");
    sb_reset(&sb);
    assert_int_equal(base64_decode("a$b", 3, &sb), -1);
    sb_release(&sb);
}

static void test_semver(void **state)
{
    (void)state;
    assert_int_equal(semver_satisfies("1.2.3", ">=", "1.2.0"), 1);
    assert_int_equal(semver_satisfies("v1.2.3", ">", "1.2.3"), 0);
    assert_int_equal(semver_satisfies("1.2", "=", "1.2.0"), 1);
    assert_int_equal(semver_satisfies("1.3.0", "~", "1.2.0"), 0);
    assert_int_equal(semver_satisfies("1.2.9", "~", "1.2.0"), 1);
    assert_int_equal(semver_satisfies("1.9.0", "^", "1.2.0"), 1);
    assert_int_equal(semver_satisfies("2.0.0", "^", "1.2.0"), 0);
    assert_int_equal(semver_satisfies("0.3.0", "^", "0.2.0"), 0);
    assert_int_equal(semver_satisfies("1.0.0-rc.1", "<", "1.0.0"), 1);
    assert_int_equal(semver_satisfies("abc", ">=", "1.0.0"), -1);
    assert_int_equal(semver_satisfies("anything", "", ""), 1);
}

int run_plugins_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scalar_types, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_set_paths, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_set_errors, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_set_scoped, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_merge, setup_arena, teardown_arena),
        cmocka_unit_test(test_base64),
        cmocka_unit_test(test_semver),
    };
    return cmocka_run_group_tests_name("plugins", tests, NULL, NULL);
}
