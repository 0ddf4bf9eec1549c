/* Core unit tests: arena, strbuf, node operations, YAML load positions,
 * scalar resolution and quoting, natural key order, emitter output, resource
 * ids and the resmap index. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "err.h"
#include "node.h"
#include "resource.h"
#include "scalar.h"
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

/* ---- arena ---- */

static void test_arena_alloc(void **state)
{
    arena *a = *state;
    size_t before = arena_used(a);
    char *p = arena_alloc(a, 3);
    char *q = arena_alloc(a, 5);
    assert_non_null(p);
    assert_non_null(q);
    assert_int_equal((uintptr_t)p % 8, 0);
    assert_int_equal((uintptr_t)q % 8, 0);
    assert_true(q != p);
    assert_true(arena_used(a) > before);
    unsigned char *z = arena_zalloc(a, 100);
    for (int i = 0; i < 100; i++) assert_int_equal(z[i], 0);
    /* bigger than a chunk */
    size_t big = 3u << 20;
    char *b = arena_alloc(a, big);
    memset(b, 'x', big);
    assert_int_equal(b[big - 1], 'x');
    /* earlier allocations are untouched */
    memcpy(p, "ab", 3);
    char *after = arena_alloc(a, 16);
    assert_non_null(after);
    assert_string_equal(p, "ab");
}

static void test_arena_strings(void **state)
{
    arena *a = *state;
    assert_string_equal(arena_strdup(a, "hello"), "hello");
    assert_string_equal(arena_strndup(a, "hello world", 5), "hello");
    assert_string_equal(arena_printf(a, "%s-%d", "x", 42), "x-42");
    char *grown = arena_alloc(a, 4);
    memcpy(grown, "abc", 4);
    grown = arena_grow(a, grown, 4, 4096);
    assert_string_equal(grown, "abc");
    grown[4095] = 1;
    /* many small allocations across chunks */
    for (int i = 0; i < 100000; i++) {
        char *s = arena_printf(a, "%d", i);
        if (i == 99999) assert_string_equal(s, "99999");
    }
}

/* ---- strbuf ---- */

static void test_strbuf(void **state)
{
    (void)state;
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "abc");
    sb_addc(&sb, '-');
    sb_add(&sb, "xyz", 2);
    sb_addf(&sb, "%d/%s", 7, "q");
    assert_string_equal(sb.buf, "abc-xy7/q");
    assert_int_equal(sb.len, 9);
    for (int i = 0; i < 10000; i++) sb_addc(&sb, 'z');
    assert_int_equal(sb.len, 10009);
    assert_int_equal(sb.buf[sb.len], 0);
    sb_reset(&sb);
    assert_int_equal(sb.len, 0);
    assert_string_equal(sb.buf, "");
    sb_adds(&sb, "kept");
    size_t len;
    char *d = sb_detach(&sb, &len);
    assert_string_equal(d, "kept");
    assert_int_equal(len, 4);
    free(d);
    sb_release(&sb);
}

static void test_strbuf_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/kgr-unit-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/f.txt", dir);
    assert_int_equal(write_file_atomic(path, "one\ntwo\n", 8), 0);
    strbuf sb = STRBUF_INIT;
    assert_int_equal(sb_read_file(&sb, path), 0);
    assert_string_equal(sb.buf, "one\ntwo\n");
    assert_int_equal(write_file_atomic(path, "new", 3), 0);
    sb_reset(&sb);
    assert_int_equal(sb_read_file(&sb, path), 0);
    assert_string_equal(sb.buf, "new");
    sb_release(&sb);
    char missing[300];
    snprintf(missing, sizeof missing, "%s/none", dir);
    strbuf sb2 = STRBUF_INIT;
    assert_int_equal(sb_read_file(&sb2, missing), -1);
    sb_release(&sb2);
    unlink(path);
    rmdir(dir);
}

/* ---- node ---- */

static void test_node_map_ops(void **state)
{
    arena *a = *state;
    node *m = node_new(a, N_MAP);
    map_set(a, m, "b", node_new_str(a, "2"));
    map_set(a, m, "a", node_new_int(a, 1));
    assert_int_equal(m->u.map.n, 2);
    assert_string_equal(node_strval(map_get(m, "b")), "2");
    assert_int_equal(map_get(m, "a")->kind, N_INT);
    assert_string_equal(node_text(map_get(m, "a")), "1");
    assert_null(map_get(m, "c"));
    assert_int_equal(map_index(m, "a"), 1);
    assert_int_equal(map_index(m, "zz"), -1);
    /* replace in place keeps the position */
    map_set(a, m, "b", node_new_str(a, "3"));
    assert_int_equal(map_index(m, "b"), 0);
    assert_string_equal(node_strval(map_get(m, "b")), "3");
    node *inner = map_ensure_map(a, m, "meta");
    assert_int_equal(inner->kind, N_MAP);
    assert_ptr_equal(map_ensure_map(a, m, "meta"), inner);
    map_set(a, inner, "name", node_new_str(a, "x"));
    assert_string_equal(node_get_str(m, "meta", "name", NULL), "x");
    assert_null(node_get(m, "meta", "nope", NULL));
    assert_string_equal(node_get_str(m, "a", NULL), "1"); /* any scalar's text */
    assert_int_equal(map_del(m, "a"), 1);
    assert_null(map_get(m, "a"));
    assert_int_equal(map_del(m, "a"), 0);
    /* many keys */
    for (int i = 0; i < 1000; i++) map_set(a, m, arena_printf(a, "k%d", i), node_new_int(a, i));
    assert_string_equal(node_text(map_get(m, "k999")), "999");
    assert_string_equal(node_text(map_getn(m, "k12345", 3)), "12");
}

static void test_node_seq_ops(void **state)
{
    arena *a = *state;
    node *s = node_new(a, N_SEQ);
    seq_push(a, s, node_new_str(a, "a"));
    seq_push(a, s, node_new_str(a, "c"));
    seq_insert(a, s, 1, node_new_str(a, "b"));
    seq_insert(a, s, 0, node_new_str(a, "0"));
    assert_int_equal(s->u.seq.n, 4);
    const char *want[] = {"0", "a", "b", "c"};
    for (int i = 0; i < 4; i++) assert_string_equal(node_strval(s->u.seq.items[i]), want[i]);
    seq_del(s, 0);
    seq_del(s, 2);
    assert_int_equal(s->u.seq.n, 2);
    assert_string_equal(node_strval(s->u.seq.items[0]), "a");
    assert_string_equal(node_strval(s->u.seq.items[1]), "b");
    for (int i = 0; i < 500; i++) seq_push(a, s, node_new_int(a, i));
    assert_int_equal(s->u.seq.n, 502);
}

static void test_node_clone_equal(void **state)
{
    arena *a = *state;
    node *m = node_new(a, N_MAP);
    node *s = node_new(a, N_SEQ);
    seq_push(a, s, node_new_str(a, "x"));
    seq_push(a, s, node_new_int(a, 5));
    map_set(a, m, "list", s);
    map_set(a, m, "name", node_new_str(a, "n"));
    node *c = node_clone(a, m);
    assert_ptr_not_equal(c, m);
    assert_true(node_equal(c, m));
    /* the clone is independent */
    seq_push(a, node_get(c, "list", NULL), node_new_str(a, "more"));
    assert_int_equal(s->u.seq.n, 2);
    assert_false(node_equal(c, m));
    map_set(a, c, "name", node_new_str(a, "other"));
    assert_string_equal(node_get_str(m, "name", NULL), "n");
    /* kinds matter: "5" the string is not 5 the int */
    assert_false(node_equal(node_new_str(a, "5"), node_new_int(a, 5)));
    assert_true(node_equal(node_new_int(a, 5), node_new_int(a, 5)));
    assert_null(node_clone(a, NULL));
}

/* ---- YAML loading ---- */

static void test_yaml_load_positions(void **state)
{
    arena *a = *state;
    const char *src = "a: 1\nb:\n  c: [x, y]\n  d: hello\n---\n---\nkind: Two\n";
    node_list docs = {0};
    assert_int_equal(yaml_load(a, "f.yaml", src, strlen(src), &docs), 0);
    assert_int_equal(docs.n, 2); /* the empty document is dropped */
    node *d = node_get(docs.v[0], "b", "d", NULL);
    assert_non_null(d);
    assert_string_equal(d->file, "f.yaml");
    assert_int_equal(d->line, 4);
    assert_int_equal(d->col, 6);
    assert_string_equal(node_pos(a, d), "f.yaml:4:6");
    node *c = node_get(docs.v[0], "b", "c", NULL);
    assert_int_equal(c->kind, N_SEQ);
    assert_int_equal(c->u.seq.items[1]->line, 3);
    assert_int_equal(c->u.seq.items[1]->col, 10);
    assert_string_equal(node_get_str(docs.v[1], "kind", NULL), "Two");
    assert_int_equal(node_get(docs.v[1], "kind", NULL)->line, 7);
    list_free(&docs);
}

static void test_yaml_load_errors(void **state)
{
    arena *a = *state;
    node_list docs = {0};
    const char *bad = "a: 1\nb: [1, 2\nc: 3\n";
    assert_int_equal(yaml_load(a, "bad.yaml", bad, strlen(bad), &docs), -1);
    assert_non_null(strstr(err_msg(), "bad.yaml:"));
    list_free(&docs);
    node_list d2 = {0};
    const char *dup = "a: 1\na: 2\n";
    assert_int_equal(yaml_load(a, "dup.yaml", dup, strlen(dup), &d2), -1);
    assert_non_null(strstr(err_msg(), "dup.yaml:2:1"));
    list_free(&d2);
    node *one;
    const char *two = "a: 1\n---\nb: 2\n";
    assert_int_equal(yaml_load_one(a, "two.yaml", two, strlen(two), &one), -1);
    assert_int_equal(yaml_load_one(a, "empty.yaml", "", 0, &one), 0);
    assert_null(one);
}

/* "[[[...]]]" nested depth deep, as a value of key a. */
static char *nested(int depth)
{
    char *s = malloc((size_t)depth * 2 + 8);
    strcpy(s, "a: ");
    memset(s + 3, '[', (size_t)depth);
    memset(s + 3 + depth, ']', (size_t)depth);
    strcpy(s + 3 + 2 * depth, "\n");
    return s;
}

/* Found by test/fuzz: hostile documents crashed the loader's users (stack
 * overflow from deep nesting) or hung it (exponential alias copies). */
static void test_yaml_load_limits(void **state)
{
    arena *a = *state;
    node *doc;
    char *ok = nested(9999), *deep = nested(10000); /* with the root mapping: 10000 and 10001 levels */
    assert_int_equal(yaml_load_one(a, "ok.yaml", ok, strlen(ok), &doc), 0);
    assert_int_equal(yaml_load_one(a, "deep.yaml", deep, strlen(deep), &doc), -1);
    assert_non_null(strstr(err_msg(), "deep.yaml:1:10003: invalid YAML: exceeded max depth of 10000"));
    free(ok);
    free(deep);
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i <= 9; i++) {
        sb_addf(&sb, "l%d: &l%d [", i, i);
        for (int j = 0; j < 10; j++) sb_addf(&sb, "%s*l%d", j ? ", " : "", i - 1);
        sb_adds(&sb, "]\n");
    }
    assert_int_equal(yaml_load_one(a, "laughs.yaml", sb.buf, sb.len, &doc), -1);
    assert_non_null(strstr(err_msg(), "laughs.yaml:7:")); /* l6: its first alias passes two million */
    assert_non_null(strstr(err_msg(), "excessive aliasing"));
    /* a million copied nodes (kustomize still builds that) load */
    sb.len = 0;
    sb_adds(&sb, "l0: &l0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i <= 5; i++) {
        sb_addf(&sb, "l%d: &l%d [", i, i);
        for (int j = 0; j < 10; j++) sb_addf(&sb, "%s*l%d", j ? ", " : "", i - 1);
        sb_adds(&sb, "]\n");
    }
    assert_int_equal(yaml_load_one(a, "many.yaml", sb.buf, sb.len, &doc), 0);
    sb_release(&sb);
}

static void test_yaml_load_types(void **state)
{
    arena *a = *state;
    const char *src = "i: 0x1F\nf: 1.50\ns: \"12\"\nb: True\nn: ~\nt: 2024-01-01\nq: 'yes'\nbig: 123456789012345678901234\n"
                      "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n";
    node *doc;
    assert_int_equal(yaml_load_one(a, "t.yaml", src, strlen(src), &doc), 0);
    node *n;
    char out[64];
    /* numbers and timestamps keep their text (as kyaml does); output normalises them */
    n = map_get(doc, "i"); assert_int_equal(n->kind, N_INT); assert_string_equal(n->u.str.s, "0x1F");
    assert_true(scalar_output_text(n->u.str.s, n->u.str.len, out)); assert_string_equal(out, "31");
    n = map_get(doc, "f"); assert_int_equal(n->kind, N_FLOAT); assert_string_equal(n->u.str.s, "1.50");
    assert_true(scalar_output_text(n->u.str.s, n->u.str.len, out)); assert_string_equal(out, "1.5");
    n = map_get(doc, "s"); assert_int_equal(n->kind, N_STR); assert_string_equal(n->u.str.s, "12");
    assert_true(n->flags & NF_QUOTED);
    n = map_get(doc, "b"); assert_int_equal(n->kind, N_BOOL); assert_string_equal(n->u.str.s, "True");
    assert_true(node_is_true(n)); assert_false(node_is_false(n));
    n = map_get(doc, "n"); assert_int_equal(n->kind, N_NULL);
    n = map_get(doc, "t"); assert_int_equal(n->kind, N_STR); assert_string_equal(n->u.str.s, "2024-01-01");
    assert_true(n->flags & NF_TIMESTAMP);
    assert_true(scalar_output_text(n->u.str.s, n->u.str.len, out)); assert_string_equal(out, "2024-01-01T00:00:00Z");
    n = map_get(doc, "q"); assert_int_equal(n->kind, N_STR); assert_string_equal(n->u.str.s, "yes");
    n = map_get(doc, "big"); assert_int_equal(n->kind, N_FLOAT);
    assert_true(scalar_output_text(n->u.str.s, n->u.str.len, out)); assert_string_equal(out, "1.2345678901234569e+23");
    assert_false(scalar_output_text("8080", 4, out)); /* plain decimals print as written */
    n = map_get(doc, "m");
    assert_string_equal(node_text(map_get(n, "x")), "1");
    assert_string_equal(node_text(map_get(n, "y")), "2");
    assert_null(map_get(n, "<<"));
}

/* ---- scalars ---- */

static void test_scalar_resolve_plain(void **state)
{
    arena *a = *state;
    static const struct { const char *in; int kind; const char *out; } cases[] = {
        {"", N_NULL, "null"}, {"~", N_NULL, "null"}, {"null", N_NULL, "null"}, {"Null", N_NULL, "null"},
        {"true", N_BOOL, "true"}, {"FALSE", N_BOOL, "false"}, {"True", N_BOOL, "true"},
        {"yes", N_STR, "yes"}, {"on", N_STR, "on"}, {"y", N_STR, "y"}, /* YAML 1.2 (yaml.v3) */
        {"1", N_INT, "1"}, {"-1", N_INT, "-1"}, {"+12", N_INT, "12"}, {"-0", N_INT, "0"},
        {"0x1F", N_INT, "31"}, {"0o17", N_INT, "15"}, {"012", N_INT, "10"}, {"0b11", N_INT, "3"},
        {"1_000", N_INT, "1000"}, {"9223372036854775807", N_INT, "9223372036854775807"},
        {"18446744073709551615", N_INT, "18446744073709551615"},
        {"18446744073709551616", N_FLOAT, "1.8446744073709552e+19"},
        {"1.5", N_FLOAT, "1.5"}, {"1.0", N_FLOAT, "1"}, {"1.50", N_FLOAT, "1.5"}, {".5", N_FLOAT, "0.5"},
        {"1e3", N_FLOAT, "1000"}, {"1E-3", N_FLOAT, "0.001"}, {"6.02e23", N_FLOAT, "6.02e+23"},
        {"1e21", N_FLOAT, "1e+21"}, {"1e20", N_FLOAT, "1e+20"}, {"0.00001", N_FLOAT, "1e-05"},
        {"1e-400", N_FLOAT, "0"}, {"1e400", N_STR, "1e400"},
        {".inf", N_FLOAT, ".inf"}, {"-.Inf", N_FLOAT, "-.Inf"}, {".nan", N_FLOAT, ".nan"},
        {"2024-01-01", N_STR, "2024-01-01T00:00:00Z"},
        {"2001-12-14t21:59:43.10-05:00", N_STR, "2001-12-14T21:59:43.1-05:00"},
        {"2001-13-14", N_STR, "2001-13-14"},
        {"12:30:45", N_STR, "12:30:45"}, {"1.2.3", N_STR, "1.2.3"}, {"abc", N_STR, "abc"},
        {"0xZZ", N_STR, "0xZZ"}, {"09", N_FLOAT, "9"}, {"-", N_STR, "-"}, {".", N_STR, "."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int kind = -1;
        size_t outlen;
        const char *out = scalar_resolve_plain(a, cases[i].in, strlen(cases[i].in), &kind, &outlen);
        if (kind != cases[i].kind || strcmp(out, cases[i].out) || outlen != strlen(out))
            fail_msg("resolve(\"%s\") = kind %d \"%s\", want kind %d \"%s\"", cases[i].in, kind, out,
                     cases[i].kind, cases[i].out);
    }
}

/* go-yaml v2's reading on the way to JSON (kustomization files). */
static void test_scalar_v2(void **state)
{
    arena *a = *state;
    assert_int_equal(scalar_v2_bool("yes", 3), 1);
    assert_int_equal(scalar_v2_bool("Off", 3), 0);
    assert_int_equal(scalar_v2_bool("TRUE", 4), 1);
    assert_int_equal(scalar_v2_bool("yess", 4), -1);
    struct { const char *in; int rc; const char *key; } keys[] = {
        {"on", 0, "true"}, {"0x1F", 0, "31"}, {"1.5", 0, "1.5"}, {"1e10", 0, "1e+10"}, {"0.1", 0, "0.1"},
        {"-.inf", 0, "-.inf"}, {"~", -1, NULL}, {"18446744073709551615", -1, NULL},
        {"2001-01-01", 0, "2001-01-01"}, /* timestamps stay strings */
        {"name", 0, "name"},
    };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        char out[64];
        assert_int_equal(scalar_v2_key(keys[i].in, strlen(keys[i].in), out), keys[i].rc);
        if (keys[i].key) assert_string_equal(out, keys[i].key);
    }
    struct { const char *in; int kind; const char *json; } vals[] = {
        {"yes", N_BOOL, "true"}, {"off", N_BOOL, "false"}, {"0x1F", N_INT, "31"}, {"1.50", N_FLOAT, "1.5"},
        {"1e3", N_INT, "1000"}, {"~", N_NULL, "null"},
    };
    for (size_t i = 0; i < sizeof vals / sizeof *vals; i++) {
        char out[64];
        int kind;
        assert_int_equal(scalar_resolve_v2(vals[i].in, strlen(vals[i].in), &kind, out), 1);
        assert_int_equal(kind, vals[i].kind);
        assert_string_equal(out, vals[i].json);
    }
    int kind;
    char out[64];
    assert_int_equal(scalar_resolve_v2("2001-12-14", 10, &kind, out), 0); /* a timestamp stays a string */
    assert_int_equal(kind, N_STR);
    (void)a;
}

static void test_scalar_kind_for_tag(void **state)
{
    (void)state;
    assert_int_equal(scalar_kind_for_tag("tag:yaml.org,2002:str"), N_STR);
    assert_int_equal(scalar_kind_for_tag("tag:yaml.org,2002:int"), N_INT);
    assert_int_equal(scalar_kind_for_tag("tag:yaml.org,2002:bool"), N_BOOL);
    assert_int_equal(scalar_kind_for_tag("!custom"), -1);
    assert_int_equal(scalar_kind_for_tag(NULL), -1);
}

static void test_scalar_v2_quoting(void **state)
{
    (void)state;
    static const char *const quoted[] = {
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "NO", "on", "On", "ON",
        "off", "OFF", "true", "True", "false", "FALSE", "012", "0x1F", "0o17", "0b101", "1e3", "1E3", "1_000",
        "1_000.5", ".5", "1.", "+1", "-1", "-0", "+.5", ".inf", ".Inf", "-.inf", "+.INF", ".nan", ".NaN",
        "2001-12-14", "2001-1-2", "2001-12-14t21:59:43.10-05:00", "12:30:45", "190:20:30.15", "1:20",
        "123456789012345678901234567890", "1e-400", "12", "3.14", "09", "1e+20",
    };
    static const char *const plain[] = {
        "<<", "a", "yes please", "truex", "nulls", "~x", "-", "--", "+x", "e", "e3", "0xZZ", "0o9", "_",
        "_1", "1..2", "1/2", "50%", "1.2.3", "10.0.0.1", "v1.0", "inf", "nan", "2001-13-14", "1:60", "1e400",
        "nginx:1.25", "hello world", "日本",
    };
    for (size_t i = 0; i < sizeof quoted / sizeof *quoted; i++)
        if (!scalar_v2_needs_quotes(quoted[i], strlen(quoted[i]))) fail_msg("\"%s\" should be quoted", quoted[i]);
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
        if (scalar_v2_needs_quotes(plain[i], strlen(plain[i]))) fail_msg("\"%s\" should be plain", plain[i]);
}

static int nl(const char *a, const char *b) { return natural_less(a, strlen(a), b, strlen(b)); }

static void test_natural_less(void **state)
{
    (void)state;
    /* each list is in go-yaml v2's order */
    static const char *const ordered[][8] = {
        {"a1", "a9", "a10", "a100", NULL},
        {"A", "B", "Z", "a", "b", "z", NULL},
        {"1", "2", "10", "a", NULL},
        {"a0", "a00", "a1", "a01", "a001", "a9", "a10", NULL},
        {"-x", ".x", "_x", "a", NULL},
        {"a", "a b", "a-b", "a.b", "a/b", "a_b", "aB", "ab"},
        {"apiVersion", "data", "kind", "metadata", "spec", "status", NULL},
        {"x", "xx", "xxx", NULL},
    };
    for (size_t l = 0; l < sizeof ordered / sizeof *ordered; l++) {
        for (size_t i = 0; i < 8 && ordered[l][i]; i++) {
            for (size_t j = 0; j < 8 && ordered[l][j]; j++) {
                int want = i < j;
                if (nl(ordered[l][i], ordered[l][j]) != want)
                    fail_msg("natural_less(\"%s\", \"%s\") != %d", ordered[l][i], ordered[l][j], want);
            }
        }
    }
    /* long keys take the heap path */
    char longa[300], longb[300];
    memset(longa, 'k', 299);
    longa[299] = 0;
    memcpy(longb, longa, 300);
    longb[298] = 'l';
    assert_true(nl(longa, longb));
    assert_false(nl(longb, longa));
    assert_false(nl(longa, longa));
}

/* ---- emitter ---- */

static const char *emit(arena *a, const char *yaml_src)
{
    node *doc;
    if (yaml_load_one(a, "e.yaml", yaml_src, strlen(yaml_src), &doc) < 0) return err_msg();
    strbuf sb = STRBUF_INIT;
    if (yaml_emit(&sb, doc) < 0) {
        sb_release(&sb);
        return arena_printf(a, "ERROR %s", err_msg());
    }
    const char *r = arena_strdup(a, sb.buf ? sb.buf : "");
    sb_release(&sb);
    return r;
}

static void test_emit_small_trees(void **state)
{
    arena *a = *state;
    static const struct { const char *in, *out; } cases[] = {
        {"b: 1\na: x\n", "a: x\nb: 1\n"},
        {"k: [a, b]\n", "k:\n- a\n- b\n"},
        {"k: {}\nl: []\n", "k: {}\nl: []\n"},
        {"s: \"yes\"\nt: \"012\"\nu: \"\"\nv: '1e3'\n", "s: \"yes\"\nt: \"012\"\nu: \"\"\nv: \"1e3\"\n"},
        {"m: \"a\\nb\\n\"\no: \"a\\nb\"\n", "m: |\n  a\n  b\no: |-\n  a\n  b\n"},
        {"x: '- item'\nw: 'a: b'\nz: '&a'\n", "w: 'a: b'\nx: '- item'\nz: '&a'\n"},
        {"e: \"\\U0001F680\"\n", "e: \"\\U0001F680\"\n"},
        {"a10: 1\na9: 2\nB: 3\n", "B: 3\na9: 2\na10: 1\n"},
        {"z: null\nb: true\nf: 1.50\ni: 0x10\n", "b: true\nf: 1.5\ni: 16\nz: null\n"},
        {"seq:\n- a: 1\n  b: [x]\n", "seq:\n- a: 1\n  b:\n  - x\n"},
        {"t: 2024-01-01\n", "t: \"2024-01-01T00:00:00Z\"\n"},
        {"l: aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq\n",
         "l: aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp\n  qqqq\n"},
        {"m: \"<<\"\n\"<<\": gone\n", "m: <<\n"},
        {"x: .inf\n", NULL}, /* NULL: must fail */
        {"1: x\n", NULL},
        {"d: \"a\\x7fb\"\n", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *got = emit(a, cases[i].in);
        if (!cases[i].out) {
            if (strncmp(got, "ERROR ", 6)) fail_msg("emit(%s) should fail, got:\n%s", cases[i].in, got);
        } else if (strcmp(got, cases[i].out)) {
            fail_msg("emit(%s):\n--- got\n%s--- want\n%s", cases[i].in, got, cases[i].out);
        }
    }
}

static void test_emit_appends(void **state)
{
    arena *a = *state;
    node *d1, *d2;
    assert_int_equal(yaml_load_one(a, "1", "a: 1\n", 5, &d1), 0);
    assert_int_equal(yaml_load_one(a, "2", "b: 2\n", 5, &d2), 0);
    strbuf sb = STRBUF_INIT;
    sb_adds(&sb, "# head\n");
    assert_int_equal(yaml_emit(&sb, d1), 0);
    assert_int_equal(yaml_emit(&sb, d2), 0);
    assert_string_equal(sb.buf, "# head\na: 1\nb: 2\n");
    sb_release(&sb);
}

/* ---- resource ids and the resmap ---- */

static resource *mkres(arena *a, const char *yaml_src)
{
    node *doc;
    if (yaml_load_one(a, "r.yaml", yaml_src, strlen(yaml_src), &doc) < 0) fail_msg("%s", err_msg());
    resource *r;
    if (resource_new(a, doc, &r) < 0) fail_msg("%s", err_msg());
    return r;
}

static void test_resid(void **state)
{
    arena *a = *state;
    resource *r = mkres(a, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n");
    assert_string_equal(r->id.group, "apps");
    assert_string_equal(r->id.version, "v1");
    assert_string_equal(r->id.kind, "Deployment");
    assert_string_equal(r->id.name, "web");
    assert_string_equal(r->id.ns, "");
    assert_string_equal(resid_effective_ns(&r->id), "default");
    resource *r2 = mkres(a, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: default\n");
    assert_true(resid_equal(&r->id, &r2->id));
    assert_int_equal(resid_hash(&r->id), resid_hash(&r2->id));
    resource *r3 = mkres(a, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: prod\n");
    assert_false(resid_equal(&r->id, &r3->id));
    assert_true(resid_hash(&r->id) != resid_hash(&r3->id));
    /* cluster-scoped kinds ignore the namespace */
    resource *n1 = mkres(a, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n");
    resource *n2 = mkres(a, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n  namespace: x\n");
    assert_true(resid_is_cluster_scoped(&n1->id));
    assert_true(resid_is_cluster_scoped(&(resid){"rbac.authorization.k8s.io", "v1", "ClusterRole", "", "x"}));
    assert_false(resid_is_cluster_scoped(&r->id));
    /* by version too: kustomize knows flowcontrol v1beta1 only */
    assert_true(resid_is_cluster_scoped(&(resid){"flowcontrol.apiserver.k8s.io", "v1beta1", "FlowSchema", "", "x"}));
    assert_false(resid_is_cluster_scoped(&(resid){"flowcontrol.apiserver.k8s.io", "v1", "FlowSchema", "", "x"}));
    assert_true(resid_equal(&n1->id, &n2->id));
    assert_int_equal(resid_hash(&n1->id), resid_hash(&n2->id));
    assert_string_equal(resid_effective_ns(&n1->id), "");
    assert_string_equal(resid_string(a, &r->id), "apps_v1_Deployment|~X|web");
    assert_string_equal(resid_string(a, &n1->id), "~G_v1_Namespace|~X|prod");
    const char *g, *v;
    split_apiversion(a, "rbac.authorization.k8s.io/v1", &g, &v);
    assert_string_equal(g, "rbac.authorization.k8s.io");
    assert_string_equal(v, "v1");
    split_apiversion(a, "v1", &g, &v);
    assert_string_equal(g, "");
    assert_string_equal(v, "v1");
    /* an object without kind is refused */
    node *doc;
    assert_int_equal(yaml_load_one(a, "nk.yaml", "metadata:\n  name: x\n", 20, &doc), 0);
    resource *bad;
    assert_int_equal(resource_new(a, doc, &bad), -1);
    assert_non_null(strstr(err_msg(), "kind"));
}

static void test_resmap_index(void **state)
{
    arena *a = *state;
    resmap rm = {0};
    enum { N = 300 };
    for (int i = 0; i < N; i++) {
        resource *r = mkres(a, arena_printf(a, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n", i));
        assert_int_equal(resmap_append(a, &rm, r), 0);
    }
    assert_int_equal(rm.n, N);
    for (int i = 0; i < N; i += 37) {
        resid id = {"", "v1", "ConfigMap", "", arena_printf(a, "cm-%d", i)};
        resource *f = resmap_find(&rm, &id);
        assert_non_null(f);
        assert_ptr_equal(f, rm.v[i]);
        id.ns = "default"; /* same object */
        assert_ptr_equal(resmap_find(&rm, &id), rm.v[i]);
        id.ns = "other";
        assert_null(resmap_find(&rm, &id));
    }
    /* duplicate */
    resource *dup = mkres(a, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-7\n  namespace: default\n");
    assert_int_equal(resmap_append(a, &rm, dup), -1);
    assert_non_null(strstr(err_msg(), "already registered"));
    assert_int_equal(rm.n, N);
    /* rename, refresh, reindex */
    resource *r = rm.v[5];
    resource_remember_id(a, r);
    map_set(a, map_get(r->obj, "metadata"), "name", node_new_str(a, "renamed"));
    resource_refresh_id(r);
    resmap_reindex(&rm);
    resid old = {"", "v1", "ConfigMap", "", "cm-5"}, now = {"", "v1", "ConfigMap", "", "renamed"};
    assert_null(resmap_find(&rm, &old));
    assert_ptr_equal(resmap_find(&rm, &now), r);
    assert_int_equal(r->nprev, 1);
    assert_string_equal(r->prev[0].name, "cm-5");
    /* remove */
    resmap_remove_at(&rm, 5);
    assert_int_equal(rm.n, N - 1);
    assert_null(resmap_find(&rm, &now));
    resid six = {"", "v1", "ConfigMap", "", "cm-6"};
    assert_ptr_equal(resmap_find(&rm, &six), rm.v[5]);
    /* clone is deep */
    resource *c = resource_clone(a, rm.v[0]);
    assert_true(resid_equal(&c->id, &rm.v[0]->id));
    assert_ptr_not_equal(c->obj, rm.v[0]->obj);
    assert_true(node_equal(c->obj, rm.v[0]->obj));
    resmap_free(&rm);
    assert_int_equal(rm.n, 0);
}

int run_core_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_arena_alloc, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_arena_strings, setup_arena, teardown_arena),
        cmocka_unit_test(test_strbuf),
        cmocka_unit_test(test_strbuf_files),
        cmocka_unit_test_setup_teardown(test_node_map_ops, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_node_seq_ops, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_node_clone_equal, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_yaml_load_positions, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_yaml_load_errors, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_yaml_load_limits, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_yaml_load_types, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_scalar_resolve_plain, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_scalar_v2, setup_arena, teardown_arena),
        cmocka_unit_test(test_scalar_kind_for_tag),
        cmocka_unit_test(test_scalar_v2_quoting),
        cmocka_unit_test(test_natural_less),
        cmocka_unit_test_setup_teardown(test_emit_small_trees, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_emit_appends, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_resid, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_resmap_index, setup_arena, teardown_arena),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
