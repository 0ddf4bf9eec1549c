/* The emitter's fast path against libyaml's emitter: for each document, the
 * fast path either declines or writes exactly what libyaml writes. The
 * inputs sit on the boundaries of the fast path's rules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "err.h"
#include "kyaml.h"

/* Builds one document and checks fast == libyaml whenever fast accepts;
 * returns whether the fast path accepted it. */
static int check_doc(const char *src)
{
    arena *a = arena_new();
    node *doc;
    assert_int_equal(yaml_load_one(a, "t.yaml", src, strlen(src), &doc), 0);
    strbuf fast = STRBUF_INIT, slow = STRBUF_INIT;
    int took = yaml_emit_fast(&fast, doc);
    if (took) {
        assert_int_equal(yaml_emit_libyaml(&slow, doc), 0);
        assert_string_equal(fast.buf, slow.buf);
    }
    sb_release(&fast);
    sb_release(&slow);
    arena_free(a);
    return took;
}

static void test_fast_path_declines_what_it_must(void **state)
{
    (void)state;
    /* multi-line, non-ASCII, tabs, quotes inside quoted strings, long keys,
     * strings libyaml would fold or single-quote, merge keys */
    assert_false(check_doc("a: |\n  x\n  y\n"));
    assert_false(check_doc("a: h\xc3\xa9llo\n"));
    assert_false(check_doc("a: \"x\\ty\"\n"));
    assert_false(check_doc("a: '- item'\n"));
    assert_false(check_doc("a: 'x: y'\n"));
    assert_false(check_doc("a: 'x #y'\n"));
    assert_false(check_doc("a: ' lead'\n"));
    assert_false(check_doc("a: '---x'\n"));
    assert_false(check_doc("a: '\"true\"'\n"));
    assert_false(check_doc("a: .inf\n"));
    assert_false(check_doc("a: aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg hhhhhhhhh\n"));
}

/* A scalar whose explicit tag its text does not fit (found by test/fuzz/fuzz_yaml:
 * the fast path wrote a long !!float text unfolded, libyaml folded it): both
 * paths refuse it with yaml.v3's message, as kustomize fails. */
static void test_bad_tag_is_an_error(void **state)
{
    (void)state;
    const char *src = "a: !!float x1 aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg hh\n";
    arena *a = arena_new();
    node *doc;
    assert_int_equal(yaml_load_one(a, "t.yaml", src, strlen(src), &doc), 0);
    strbuf out = STRBUF_INIT;
    assert_false(yaml_emit_fast(&out, doc));
    assert_int_equal(yaml_emit(&out, doc), -1);
    assert_non_null(strstr(err_msg(), "cannot decode !!str `x1 aaaaaaaaa"));
    assert_non_null(strstr(err_msg(), "as a !!float"));
    sb_release(&out);
    arena_free(a);
}

static void test_fast_path_accepts_common_documents(void **state)
{
    (void)state;
    assert_true(check_doc("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels: {a: b}\n"
                          "data:\n  on: 'yes'\n  n: \"012\"\n  e: ''\n  t: 2024-01-01\n  f: 1.50\n  h: 0x1F\n"));
    assert_true(check_doc("a:\n- - x\n  - y\n- {}\n- []\n- k: v\n  l:\n  - 1\n  m: null\nb: {}\nc: []\n"));
    /* exactly at the 80-column limit: no fold */
    assert_true(check_doc("key: aaaaaaaaa bbbbbbbbb ccccccccc ddddddddd eeeeeeeee fffffffff ggggggggg hhhh\n"));
    /* long words without spaces never fold */
    assert_true(check_doc("key: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"));
    assert_true(check_doc("\"y\": 1\nb9: x\nb10: y\nB: z\n-a: v\nx-: w\nurl: http://h:80/p?q=1#f\n"));
}

int run_emit_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fast_path_declines_what_it_must),
        cmocka_unit_test(test_fast_path_accepts_common_documents),
        cmocka_unit_test(test_bad_tag_is_an_error),
    };
    return cmocka_run_group_tests_name("emit", tests, NULL, NULL);
}
