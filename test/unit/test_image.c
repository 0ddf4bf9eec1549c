/* Unit tests of image references (src/render/image.c) and of the Go regexp
 * recognizer the images matcher checks names with (src/render/goregex.c).
 * Which patterns Go refuses was checked against kubectl kustomize v5.5.0
 * (it panics on an images name Go cannot compile). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <locale.h>
#include <string.h>
#include "goregex.h"
#include "image.h"

static void test_goregex_valid(void **state)
{
    (void)state;
    static const char *const ok[] = {
        "nginx", "a{1000}", "x{2}?", "x??", "x*?", "^*", "()", "(?)", "(?:a)", "(?i)a", "(?-i)a", "(?P<n>a)",
        "(?<n>a)", "a]", "[]a]", "[^]a]+", "[a-]", "[--/]", "[\\d-z]", "[[:alpha:]]+", "\\d", "\\z", "\\pL+",
        "\\p{Greek}", "\\x41", "\\x{41}", "\\Q*\\E", "\\12", "\\0", "a{01}", "a{,3}", "a{3", "a{1000,}",
        "(a{10}){100}", "(a*){1000}", "\xc3\xa9", "a$*",
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        const char *err = goregex_error(ok[i]);
        if (err) fail_msg("%s: %s", ok[i], err);
    }
}

static void test_goregex_invalid(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"a++", "invalid nested repetition operator: `++`"},
        {"1++++++++++++++++++++++++++++++++", "invalid nested repetition operator"}, /* regcomp took gigabytes */
        {"a{2}{3}", "invalid nested repetition operator: `{2}{3}`"},
        {"x+?+", "invalid nested repetition operator: `+?+`"},
        {"a{0}{2}", "invalid nested repetition operator"},
        {"(a", "missing closing )"},
        {"a)", "unexpected )"},
        {"[a", "missing closing ]"},
        {"a|*", "missing argument to repetition operator: `*`"},
        {"*a", "missing argument to repetition operator"},
        {"a{1001}", "invalid repeat count: `{1001}`"},
        {"a{2,1}", "invalid repeat count"},
        {"a{2,99999999999}", "invalid repeat count"},
        {"(a{10}){101}", "invalid repeat count: `{101}`"},
        {"((a{2}){2}){251}", "invalid repeat count"},
        {"\\y", "invalid escape sequence: `\\y`"},
        {"\\Z", "invalid escape sequence"},
        {"\\1", "invalid escape sequence"},
        {"\\8", "invalid escape sequence"},
        {"\\x4", "invalid escape sequence"},
        {"[\\b]", "invalid escape sequence"},
        {"[a-\\d]", "invalid escape sequence"},
        {"[[:foo:]]", "invalid character class range: `[:foo:]`"},
        {"[z-a]", "invalid character class range: `z-a`"},
        {"(?z)a", "invalid or unsupported Perl syntax"},
        {"(?i-)a", "invalid or unsupported Perl syntax"},
        {"(?P<>a)", "invalid named capture"},
        {"a\\", "trailing backslash"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *err = goregex_error(bad[i][0]);
        if (!err || !strstr(err, bad[i][1])) fail_msg("%s: got %s, want %s", bad[i][0], err ? err : "(valid)", bad[i][1]);
    }
    char deep[2100];
    memset(deep, '(', 1001);
    memset(deep + 1001, ')', 1001);
    deep[2002] = 0;
    assert_non_null(strstr(goregex_error(deep), "nests too deeply"));
}

/* The matcher's fast path decides as the regex would (found by test/fuzz/fuzz_kustomize_image). */
static void test_image_match(void **state)
{
    (void)state;
    setlocale(LC_CTYPE, "C.UTF-8");
    arena *a = arena_new();
    static const struct {
        const char *name, *img;
        int want;
    } cases[] = {
        {"nginx", "nginx:1.19", 1}, {"nginx", "nginx@sha256:ab", 1}, {"nginx", "nginxx", 0},
        {"my-app-?", "my-app:1", 1},   {".!*", "x:y", 1},              {"ngin.", "ngin\xc3\xa9:1", 1},
        {"a++", "aaa:1", -1},          {"(a", "b", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        image_matcher m;
        image_matcher_init(&m, a, cases[i].name);
        int got = image_matcher_match(&m, cases[i].img);
        if (got != cases[i].want) fail_msg("%s ~ %s: got %d, want %d", cases[i].name, cases[i].img, got, cases[i].want);
        image_matcher_free(&m);
    }
    arena_free(a);
}

static void test_image_split(void **state)
{
    (void)state;
    arena *a = arena_new();
    const char *n, *t, *d;
    image_split(a, "registry:5000/team/app:v1@sha256:ab", &n, &t, &d);
    assert_string_equal(n, "registry:5000/team/app");
    assert_string_equal(t, "v1");
    assert_string_equal(d, "sha256:ab");
    image_split(a, "app@sha256:cd", &n, &t, &d);
    assert_string_equal(n, "app");
    assert_string_equal(t, "");
    assert_string_equal(d, "sha256:cd");
    arena_free(a);
}

int run_image_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_goregex_valid),
        cmocka_unit_test(test_goregex_invalid),
        cmocka_unit_test(test_image_match),
        cmocka_unit_test(test_image_split),
    };
    return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}
