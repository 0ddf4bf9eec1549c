/* Hash suffixes of generated objects: the two values checked against
 * kustomize v5.5.0 in shared/reference/kustomize.md, plus the encodings
 * the hash input depends on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "generator.h"
#include "kyaml.h"

static void expect_hash(const char *yaml, const char *want)
{
    arena *a = arena_new();
    node *doc = NULL;
    assert_int_equal(yaml_load_one(a, "test.yaml", yaml, strlen(yaml), &doc), 0);
    char h[11];
    assert_int_equal(hash_suffix_compute(doc, h), 0);
    assert_string_equal(h, want);
    arena_free(a);
}

static void test_configmap_html_escapes(void **state)
{
    (void)state;
    expect_hash("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: \"<b>&\"\n", "988gf96f87");
}

static void test_secret_opaque(void **state)
{
    (void)state;
    expect_hash("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: Opaque\ndata:\n  k: dg==\n", "ftgtgc4t9f");
}

/* Name, namespace and labels are not part of the hash. */
static void test_name_not_hashed(void **state)
{
    (void)state;
    expect_hash("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: other\n  namespace: ns\n  labels: {a: b}\n"
                "data:\n  a: \"<b>&\"\n", "988gf96f87");
}

static void test_base64_lines(void **state)
{
    (void)state;
    strbuf sb = STRBUF_INIT;
    gen_base64_lines(&sb, "apple", 5);
    assert_string_equal(sb.buf, "YXBwbGU=");
    sb_reset(&sb);
    char in[60];
    memset(in, 'a', sizeof in);
    gen_base64_lines(&sb, in, sizeof in); /* 80 characters: two lines, each ending in a newline */
    assert_int_equal(sb.len, 82);
    assert_int_equal(sb.buf[70], '\n');
    assert_int_equal(sb.buf[81], '\n');
    sb_release(&sb);
}

static void test_utf8(void **state)
{
    (void)state;
    assert_true(gen_utf8_valid("h\xC3\xA9", 3));
    assert_false(gen_utf8_valid("\xFF" "hello", 6));
    assert_false(gen_utf8_valid("\xED\xA0\x80", 3)); /* surrogate */
    assert_false(gen_utf8_valid("\xC0\xAF", 2));     /* overlong */
}

int run_hash_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_configmap_html_escapes),
        cmocka_unit_test(test_secret_opaque),
        cmocka_unit_test(test_name_not_hashed),
        cmocka_unit_test(test_base64_lines),
        cmocka_unit_test(test_utf8),
    };
    return cmocka_run_group_tests_name("hash", tests, NULL, NULL);
}
