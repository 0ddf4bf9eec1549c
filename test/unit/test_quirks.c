/* go-yaml quirks (quirks.c), scalar typing helpers added with them
 * (scalar.c) and the JSON round trip (roundtrip.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include "kyaml.h"
#include "quirks.h"
#include "scalar.h"

static char *escaped(const char *s, size_t len)
{
    strbuf out = STRBUF_INIT;
    quirk_v2_escape_all(s, len, &out);
    return out.buf;
}

static void test_v2_escapes_every_character_after_a_bom(void **state)
{
    (void)state;
    char *e = escaped("\xEF\xBB\xBF" "bom", 6);
    assert_string_equal(e, "\\uFEFF\\x62\\x6F\\x6D");
    free(e);
    static const char mixed[] = "\xEF\xBB\xBF" "\xC3\xA9\xE6\x97\xA5 \"\\\n\t\xC2\x85\xC2\xA0\xF0\x9F\x98\x80";
    e = escaped(mixed, sizeof mixed - 1);
    assert_string_equal(e, "\\uFEFF\\xE9\\u65E5\\x20\\\"\\\\\\n\\t\\N\\_\\U0001F600");
    free(e);
    e = escaped("\0", 1);
    assert_string_equal(e, "\\0");
    free(e);
}

/* The stand-in has the string's byte length and line breaks, and libyaml's
 * writing of it is exactly as long as go-yaml v2's escaping. */
static void check_stand_in(const char *s, size_t len)
{
    strbuf stand_in = STRBUF_INIT, written = STRBUF_INIT, real = STRBUF_INIT;
    quirk_bom_stand_in(s, len, &stand_in, &written);
    quirk_v2_escape_all(s, len, &real);
    assert_int_equal(stand_in.len, len);
    assert_int_equal(written.len, real.len);
    assert_int_equal(memchr(stand_in.buf, '\n', stand_in.len) != NULL, memchr(s, '\n', len) != NULL);
    assert_memory_equal(stand_in.buf, "\xEF\xBB\xBF", 3);
    sb_release(&stand_in);
    sb_release(&written);
    sb_release(&real);
}

static void test_bom_stand_in_has_the_same_shape(void **state)
{
    (void)state;
    check_stand_in("\xEF\xBB\xBF", 3);
    check_stand_in("\xEF\xBB\xBF" "a", 4);
    check_stand_in("\xEF\xBB\xBF" "\xC4\x80", 5);                     /* U+0100: 2 bytes, \u0100 */
    check_stand_in("\xEF\xBB\xBF" "\xC2\xA0\xC3\xA9x", 8);             /* \_ and \xE9 */
    check_stand_in("\xEF\xBB\xBF" "line\nnext\r\n\xE2\x80\xA8 \"q\"", 21);
    check_stand_in("\xEF\xBB\xBF" "\xF0\x9F\x98\x80\xEF\xBB\xBF", 10);
}

static void test_nel_folds_like_a_line_break(void **state)
{
    (void)state;
    size_t n;
    assert_null(quirk_v2_fold_nel("plain", 5, &n));
    char *f = quirk_v2_fold_nel("a\xC2\x85" "b", 4, &n);
    assert_string_equal(f, "a b");
    free(f);
    f = quirk_v2_fold_nel("a \xC2\x85 \xC2\x85  b", 10, &n);
    assert_string_equal(f, "a\nb");
    free(f);
}

static void test_forbidden_characters(void **state)
{
    (void)state;
    assert_false(quirk_v2_forbidden_char("ok \xC2\x85 \xC3\xA9", 7));
    assert_true(quirk_v2_forbidden_char("x\x7Fy", 3));
    assert_true(quirk_v2_forbidden_char("x\xC2\x9Fy", 4));
    assert_true(quirk_v2_forbidden_char("\xEF\xBF\xBE", 3));
}

static node *str_node(arena *a, const char *s, uint8_t flags)
{
    node *n = node_new_str(a, s);
    n->flags = flags;
    return n;
}

static void test_v3_cannot_read_back_a_leading_tab_block(void **state)
{
    (void)state;
    arena *a = arena_new();
    assert_true(quirk_v3_unreadable_block(str_node(a, "\tx\ny", 0)));                      /* a new node */
    assert_true(quirk_v3_unreadable_block(str_node(a, "\tx", NF_QUOTED | NF_LITERAL)));     /* written | */
    assert_false(quirk_v3_unreadable_block(str_node(a, "\tx\ny", NF_QUOTED)));              /* "..." stays */
    assert_false(quirk_v3_unreadable_block(str_node(a, "x\n\ty", 0)));                      /* tab later */
    assert_false(quirk_v3_unreadable_block(str_node(a, "\tx \ny", 0)));                     /* no block */
    assert_false(quirk_v3_unreadable_block(str_node(a, "\tx\ny ", 0)));
    assert_false(quirk_v3_unreadable_block(str_node(a, "\tx\ny\r", 0)));
    arena_free(a);
}

static void check_folded(const char *in, const char *want)
{
    size_t n;
    char *out = quirk_v3_folded_reread(in, strlen(in), &n);
    if (!want) {
        assert_null(out);
        return;
    }
    assert_non_null(out);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
    free(out);
}

static void test_v3_folded_writer_tests_the_first_line(void **state)
{
    (void)state;
    check_folded("one line", NULL);
    check_folded("x\ny\n", NULL);
    check_folded("x\n  y\n", "x\n\n  y\n");           /* gains an empty line */
    check_folded("  first\nb\nc\n", "  first\nb c\n"); /* loses a break */
    check_folded("x\n\n", "x\n\n\n");                 /* keep: one more break */
    check_folded("x\n  indented", "x\n\n  indented");
    check_folded("\nx\n  y", "\nx\n\n  y");
    check_folded("  a\n  b", NULL);                   /* more-indented lines only */
}

static void test_flow_requoting(void **state)
{
    (void)state;
    arena *a = arena_new();
    assert_true(scalar_v3_flow_requotes(scalar_new_plain(a, "", 0)));
    assert_true(scalar_v3_flow_requotes(scalar_new_plain(a, "2001-12-14 21:59:43.10", 22)));
    assert_false(scalar_v3_flow_requotes(scalar_new_plain(a, "2001-12-14", 10)));
    assert_false(scalar_v3_flow_requotes(scalar_new_plain(a, "null", 4)));
    assert_false(scalar_v3_flow_requotes(scalar_new_plain(a, "a:b", 3)));
    node *ts = node_new_str(a, "2001-12-14t21:59:43Z"), *num = node_new_str(a, "12"), *empty = node_new_str(a, "");
    assert_true(scalar_v3_requotes_key(ts, 1));
    assert_false(scalar_v3_requotes_key(ts, 0));
    assert_false(scalar_v3_requotes_key(num, 1));
    assert_true(scalar_v3_requotes_key(empty, 0)); /* '? ' with no key: written '' */
    empty->flags |= NF_BAD_TAG;                    /* !!null: written with its tag */
    assert_false(scalar_v3_requotes_key(empty, 1));
    arena_free(a);
}

/* Go's base64.StdEncoding.DecodeString, as yaml.v3 decodes !!binary. */
static void check_binary(const char *in, const char *want, size_t wantlen)
{
    size_t len;
    char *got = scalar_binary_text(in, strlen(in), &len);
    if (!want) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_int_equal(len, wantlen);
    assert_memory_equal(got, want, wantlen);
    free(got);
}

static void test_binary_decodes_as_go(void **state)
{
    (void)state;
    check_binary("aGVsbG8=", "hello", 5);
    check_binary("aGVs\nbG8=\n", "hello", 5); /* line breaks are skipped */
    check_binary("aGVs\r\nbG8=", "hello", 5);
    check_binary("", "", 0);
    check_binary("YR==", "a", 1);        /* unused bits set: Go's StdEncoding is not strict */
    check_binary("AA==", "\0", 1);       /* NUL kept */
    check_binary("/w==", "\xEF\xBF\xBD", 3); /* invalid UTF-8 as encoding/json writes it */
    check_binary("aGVsbG8", NULL, 0);    /* padding required */
    check_binary("YQ=", NULL, 0);
    check_binary("YQ==YQ==", NULL, 0);   /* nothing after padding */
    check_binary("aGVs bG8=", NULL, 0);  /* spaces are no line breaks */
    check_binary("%%%", NULL, 0);
    check_binary("12", NULL, 0);
}

static void test_invalid_dates_are_strings(void **state)
{
    (void)state;
    arena *a = arena_new();
    const char *bad[] = {"2023-02-29", "2024-04-31", "1900-02-29", "2024-02-30T10:00:00Z", "2024-13-01"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        node *n = scalar_new_plain(a, bad[i], strlen(bad[i]));
        assert_int_equal(n->kind, N_STR);
        assert_false(n->flags & NF_TIMESTAMP);
        assert_false(scalar_v2_needs_quotes(bad[i], strlen(bad[i])));
    }
    assert_true(scalar_new_plain(a, "2024-02-29", 10)->flags & NF_TIMESTAMP);
    assert_true(scalar_new_plain(a, "2000-02-29", 10)->flags & NF_TIMESTAMP);
    arena_free(a);
}

static void test_take_style(void **state)
{
    (void)state;
    arena *a = arena_new();
    node *quoted = str_node(a, "3", NF_QUOTED), *plain = str_node(a, "abc", 0);
    node *five = scalar_new_plain(a, "5", 1);
    node *r = scalar_take_style(a, five, quoted);
    assert_int_equal(r->kind, N_STR);
    assert_string_equal(r->u.str.s, "5");
    assert_int_equal(five->kind, N_INT); /* the patch's node is left alone */
    assert_ptr_equal(scalar_take_style(a, five, plain), five);
    node *lit = str_node(a, "x", NF_QUOTED | NF_LITERAL);
    assert_true(scalar_take_style(a, scalar_new_plain(a, "true", 4), lit)->flags & NF_LITERAL);
    node *dq = str_node(a, "y", NF_QUOTED);
    assert_ptr_equal(scalar_take_style(a, dq, quoted), dq); /* the same style: nothing to change */
    /* the old value's style wins over the new one's (kyaml's FieldSetter) */
    node *folded = str_node(a, "a\n  b\n", NF_QUOTED | NF_FOLDED);
    r = scalar_take_style(a, folded, plain);
    assert_false(r->flags & (NF_QUOTED | NF_FOLDED));
    assert_int_equal(r->kind, N_STR);
    assert_true(folded->flags & NF_FOLDED); /* the patch's node is left alone */
    assert_true(scalar_take_style(a, dq, folded)->flags & NF_FOLDED);
    assert_false(scalar_take_style(a, folded, lit)->flags & NF_FOLDED);
    arena_free(a);
}

static void test_numbers_after_the_json_round_trip(void **state)
{
    (void)state;
    char out[64];
    scalar_from_json_number("0x50", 4, out);
    assert_string_equal(out, "80");
    scalar_from_json_number("1000000", 7, out);
    assert_string_equal(out, "1e+06");
    scalar_from_json_number("1234567", 7, out);
    assert_string_equal(out, "1.234567e+06");
    scalar_from_json_number("1.50", 4, out);
    assert_string_equal(out, "1.5");
    assert_true(scalar_output_text("1.2345678901234567e19", 21, out));
    assert_string_equal(out, "12345678901234567000");
    assert_true(scalar_output_text("-9223372036854775809", 20, out));
    assert_string_equal(out, "-9.223372036854776e+18");
}

static void test_json_round_trip_of_a_tree(void **state)
{
    (void)state;
    arena *a = arena_new();
    const char *src = "port: 0x50\nt: 2024-01-01\nflow: {t: 2001-12-14 1:2:3, e: }\nf: >\n  x\n    y\n"
                      "q: \"true\"\nm: \"a\\nb\"\nbig: 1000000\nn: ~\n";
    node *doc;
    assert_int_equal(yaml_load_one(a, "t.yaml", src, strlen(src), &doc), 0);
    assert_int_equal(yaml_json_view(a, doc, 0, "t"), 0);
    assert_string_equal(node_get_str(doc, "t", NULL), "2024-01-01T00:00:00Z");
    assert_string_equal(node_get_str(doc, "flow", "t", NULL), "2001-12-14 1:2:3");
    assert_string_equal(node_get_str(doc, "flow", "e", NULL), "");
    assert_string_equal(node_get_str(doc, "f", NULL), "x\n\n  y\n");
    yaml_from_json(a, doc);
    assert_string_equal(node_text(map_get(doc, "port")), "80");
    assert_string_equal(node_text(map_get(doc, "big")), "1e+06");
    assert_string_equal(node_text(map_get(doc, "n")), "null");
    assert_true(map_get(doc, "q")->flags & NF_QUOTED);
    assert_true(map_get(doc, "m")->flags & NF_LITERAL);
    assert_false(map_get(doc, "f")->flags & NF_FOLDED);
    assert_false(map_get(doc, "flow")->flags & NF_FLOW);
    arena_free(a);
}

/* yaml_json_view fails where encoding/json does; a key yaml.v3 quotes in a
 * flow collection is a string key after the trip. */
static void test_json_view_refuses_what_json_cannot_hold(void **state)
{
    (void)state;
    static const char *const bad[] = {"a: .nan\n", "a: [1, -.inf]\n", "m: {x: {5: v}}\n", "m:\n  true: v\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        arena *a = arena_new();
        node *doc;
        assert_int_equal(yaml_load_one(a, "t.yaml", bad[i], strlen(bad[i]), &doc), 0);
        assert_int_equal(yaml_json_view(a, doc, 0, "t"), -1);
        arena_free(a);
    }
    arena *a = arena_new();
    const char *src = "m: {2001-12-14 1:2:3: v}\n";
    node *doc;
    assert_int_equal(yaml_load_one(a, "t.yaml", src, strlen(src), &doc), 0);
    assert_true(map_get(doc, "m")->u.map.items[0].key->flags & NF_KEY_NOT_STR);
    assert_int_equal(yaml_json_view(a, doc, 0, "t"), 0);
    assert_false(map_get(doc, "m")->u.map.items[0].key->flags & NF_KEY_NOT_STR);
    char out[64];
    assert_int_equal(scalar_from_json_number(".nan", 4, out), -1);
    assert_int_equal(scalar_from_json_number("0x50", 4, out), N_INT);
    assert_int_equal(scalar_from_json_number("1234567", 7, out), N_FLOAT);
    arena_free(a);
}

static char *emit(const char *src)
{
    arena *a = arena_new();
    node *doc;
    assert_int_equal(yaml_load_one(a, "t.yaml", src, strlen(src), &doc), 0);
    strbuf out = STRBUF_INIT;
    assert_int_equal(yaml_emit(&out, doc), 0);
    arena_free(a);
    return out.buf;
}

static void test_emitter_writes_what_go_yaml_v2_writes(void **state)
{
    (void)state;
    char *o = emit("a: |+\n  x\n\nb: c\n");
    assert_string_equal(o, "a: |+\n  x\n\nb: c\n"); /* no "..." */
    free(o);
    o = emit("z: |+\n  x\n\n");
    assert_string_equal(o, "z: |+\n  x\n\n");
    free(o);
    o = emit("\"\\ufeffk\": \"\\ufeffv w\"\nl:\n- \"\\ufeff\"\n");
    assert_string_equal(o, "\"\\uFEFF\\x6B\": \"\\uFEFF\\x76\\x20\\x77\"\nl:\n- \"\\uFEFF\"\n");
    free(o);
    o = emit("f: {t: 2001-12-14 1:2:3, d: 2001-12-14, e: }\n"); /* the fast path declines these */
    assert_string_equal(o, "f:\n  d: \"2001-12-14T00:00:00Z\"\n  e: \"\"\n  t: \"2001-12-14 1:2:3\"\n");
    free(o);
}

int run_quirks_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v2_escapes_every_character_after_a_bom),
        cmocka_unit_test(test_bom_stand_in_has_the_same_shape),
        cmocka_unit_test(test_nel_folds_like_a_line_break),
        cmocka_unit_test(test_forbidden_characters),
        cmocka_unit_test(test_v3_cannot_read_back_a_leading_tab_block),
        cmocka_unit_test(test_v3_folded_writer_tests_the_first_line),
        cmocka_unit_test(test_flow_requoting),
        cmocka_unit_test(test_invalid_dates_are_strings),
        cmocka_unit_test(test_take_style),
        cmocka_unit_test(test_numbers_after_the_json_round_trip),
        cmocka_unit_test(test_json_round_trip_of_a_tree),
        cmocka_unit_test(test_binary_decodes_as_go),
        cmocka_unit_test(test_json_view_refuses_what_json_cannot_hold),
        cmocka_unit_test(test_emitter_writes_what_go_yaml_v2_writes),
    };
    return cmocka_run_group_tests_name("quirks", tests, NULL, NULL);
}
