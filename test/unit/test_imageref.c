/* Image reference unit tests: the test tables of github.com/distribution/reference
 * (reference_test.go TestReferenceParse, normalize_test.go TestValidateReferenceName,
 * TestValidateRemoteName, TestParseRepositoryInfo, TestNormalizedSplitHostname,
 * TestParseReferenceWithTagAndDigest, TestParseAnyReference's named cases),
 * plus the mirror-name rules of images.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "err.h"
#include "images.h"

#define F64 "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

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

struct parse_case {
    const char *input;
    const char *err;        /* substring of the expected error, or NULL */
    const char *repository; /* domain/path */
    const char *domain, *tag, *digest;
};

static const char *repeat_in(arena *a, const char *s, int n, const char *tail)
{
    size_t len = strlen(s), tl = strlen(tail);
    char *b = arena_alloc(a, len * (size_t)n + tl + 1);
    for (int i = 0; i < n; i++) memcpy(b + len * (size_t)i, s, len);
    memcpy(b + len * (size_t)n, tail, tl + 1);
    return b;
}
#define repeat(s, n, tail) repeat_in(a, s, n, tail)

static void test_reference_parse(void **state)
{
    arena *a = *state;
    const struct parse_case cases[] = {
        {"test_com", NULL, "test_com", "", "", ""},
        {"test.com:tag", NULL, "test.com", "", "tag", ""},
        {"test.com:5000", NULL, "test.com", "", "5000", ""},
        {"test.com/repo:tag", NULL, "test.com/repo", "test.com", "tag", ""},
        {"test:5000/repo", NULL, "test:5000/repo", "test:5000", "", ""},
        {"test:5000/repo:tag", NULL, "test:5000/repo", "test:5000", "tag", ""},
        {"test:5000/repo@sha256:" F64, NULL, "test:5000/repo", "test:5000", "", "sha256:" F64},
        {"test:5000/repo:tag@sha256:" F64, NULL, "test:5000/repo", "test:5000", "tag", "sha256:" F64},
        {"", "at least one component", NULL, NULL, NULL, NULL},
        {":justtag", "invalid reference format", NULL, NULL, NULL, NULL},
        {"@sha256:" F64, "invalid reference format", NULL, NULL, NULL, NULL},
        {"repo@sha256:ffffffffffffffffffffffffffffffffff", "invalid checksum digest length", NULL, NULL, NULL, NULL},
        {"validname@invaliddigest:" F64, "unsupported digest algorithm", NULL, NULL, NULL, NULL},
        {"Uppercase:tag", "must be lowercase", NULL, NULL, NULL, NULL},
        {"test:5000/Uppercase/lowercase:tag", "must be lowercase", NULL, NULL, NULL, NULL},
        {"lowercase:Uppercase", NULL, "lowercase", "", "Uppercase", ""},
        {repeat("a/", 128, "a:tag"), "not be more than 255 characters", NULL, NULL, NULL, NULL},
        {repeat("a/", 127, "a:tag-puts-this-over-max"), NULL, repeat("a/", 127, "a"), "a", "tag-puts-this-over-max", ""},
        {"aa/asdf$$^/aa", "invalid reference format", NULL, NULL, NULL, NULL},
        {"sub-dom1.foo.com/bar/baz/quux", NULL, "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com", "", ""},
        {"sub-dom1.foo.com/bar/baz/quux:some-long-tag", NULL, "sub-dom1.foo.com/bar/baz/quux", "sub-dom1.foo.com",
         "some-long-tag", ""},
        {"b.gcr.io/test.example.com/my-app:test.example.com", NULL, "b.gcr.io/test.example.com/my-app", "b.gcr.io",
         "test.example.com", ""},
        {"xn--n3h.com/myimage:xn--n3h.com", NULL, "xn--n3h.com/myimage", "xn--n3h.com", "xn--n3h.com", ""},
        {"xn--7o8h.com/myimage:xn--7o8h.com@sha512:" F64 F64, NULL, "xn--7o8h.com/myimage", "xn--7o8h.com",
         "xn--7o8h.com", "sha512:" F64 F64},
        {"foo_bar.com:8080", NULL, "foo_bar.com", "", "8080", ""},
        {"foo/foo_bar.com:8080", NULL, "foo/foo_bar.com", "foo", "8080", ""},
        {"192.168.1.1", NULL, "192.168.1.1", "", "", ""},
        {"192.168.1.1:tag", NULL, "192.168.1.1", "", "tag", ""},
        {"192.168.1.1:5000", NULL, "192.168.1.1", "", "5000", ""},
        {"192.168.1.1/repo", NULL, "192.168.1.1/repo", "192.168.1.1", "", ""},
        {"192.168.1.1:5000/repo", NULL, "192.168.1.1:5000/repo", "192.168.1.1:5000", "", ""},
        {"192.168.1.1:5000/repo:5050", NULL, "192.168.1.1:5000/repo", "192.168.1.1:5000", "5050", ""},
        {"[2001:db8::1]", "invalid reference format", NULL, NULL, NULL, NULL},
        {"[2001:db8::1]:5000", "invalid reference format", NULL, NULL, NULL, NULL},
        {"[2001:db8::1]:tag", "invalid reference format", NULL, NULL, NULL, NULL},
        {"[2001:db8::1]/repo", NULL, "[2001:db8::1]/repo", "[2001:db8::1]", "", ""},
        {"[2001:db8:1:2:3:4:5:6]/repo:tag", NULL, "[2001:db8:1:2:3:4:5:6]/repo", "[2001:db8:1:2:3:4:5:6]", "tag", ""},
        {"[2001:db8::1]:5000/repo", NULL, "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "", ""},
        {"[2001:db8::1]:5000/repo:tag", NULL, "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "tag", ""},
        {"[2001:db8::1]:5000/repo@sha256:" F64, NULL, "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "",
         "sha256:" F64},
        {"[2001:db8::1]:5000/repo:tag@sha256:" F64, NULL, "[2001:db8::1]:5000/repo", "[2001:db8::1]:5000", "tag",
         "sha256:" F64},
        {"[2001:db8::]:5000/repo", NULL, "[2001:db8::]:5000/repo", "[2001:db8::]:5000", "", ""},
        {"[::1]:5000/repo", NULL, "[::1]:5000/repo", "[::1]:5000", "", ""},
        {"[fe80::1%eth0]:5000/repo", "invalid reference format", NULL, NULL, NULL, NULL},
        {"[fe80::1%@invalidzone]:5000/repo", "invalid reference format", NULL, NULL, NULL, NULL},
        /* beyond the table: tag length, digest case, separators */
        {repeat("t", 128, ""), NULL, repeat("t", 128, ""), "", "", ""},
        {repeat("a", 1, ":"), "invalid reference format", NULL, NULL, NULL, NULL},
        {"nginx:-bad", "invalid reference format", NULL, NULL, NULL, NULL},
        {"repo@sha256:" "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "invalid checksum digest format",
         NULL, NULL, NULL, NULL},
        {"a__b/c---d/e.f_g", NULL, "a__b/c---d/e.f_g", "", "", ""},
        {"a___b", "invalid reference format", NULL, NULL, NULL, NULL},
        {"a/b@c@d", "invalid reference format", NULL, NULL, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const struct parse_case *c = &cases[i];
        imageref r;
        int rc = imageref_parse(a, c->input, &r);
        if (c->err) {
            if (rc == 0 || !strstr(err_msg(), c->err))
                fail_msg("%s: expected error '%s', got %s", c->input, c->err, rc ? err_msg() : "success");
            continue;
        }
        if (rc < 0) fail_msg("%s: %s", c->input, err_msg());
        assert_string_equal(imageref_string(a, &r), c->input);
        assert_string_equal(imageref_name(a, &r), c->repository);
        assert_string_equal(r.domain, c->domain);
        assert_string_equal(r.tag, c->tag);
        assert_string_equal(r.digest, c->digest);
    }
    /* a tag of 129 characters is too long */
    imageref r;
    assert_int_equal(imageref_parse(a, repeat("x", 1, repeat("y", 129, "")), &r), 0); /* (a 130-char name is fine) */
    assert_int_equal(imageref_parse(a, arena_printf(a, "repo:%s", repeat("t", 128, "")), &r), 0);
    assert_int_equal(imageref_parse(a, arena_printf(a, "repo:%s", repeat("t", 129, "")), &r), -1);
}

static void test_validate_names(void **state)
{
    arena *a = *state;
    const char *valid[] = {
        "docker/docker", "library/debian", "debian", "docker.io/docker/docker", "docker.io/library/debian",
        "docker.io/debian", "index.docker.io/docker/docker", "index.docker.io/library/debian",
        "index.docker.io/debian", "127.0.0.1:5000/docker/docker", "127.0.0.1:5000/library/debian",
        "127.0.0.1:5000/debian", "192.168.0.1", "192.168.0.1:80", "192.168.0.1:8/debian", "192.168.0.2:25000/debian",
        "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev", "[fc00::1]:5000/docker",
        "[fc00::1]:5000/docker/docker", "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
        "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a", "Docker/docker",
        "DOCKER/docker",
        /* TestValidateRemoteName */
        "docker-rules/docker", "docker---rules/docker", "doc/docker", "d/docker", "jess/t", "dock__er/docker",
    };
    const char *invalid[] = {
        "https://github.com/docker/docker", "docker/Docker", "-docker", "-docker/docker", "-docker.io/docker/docker",
        "docker///docker", "docker.io/docker/Docker", "docker.io/docker///docker", "[fc00::1]", "[fc00::1]:5000",
        "fc00::1:5000/debian", "[fe80::1%eth0]:5000/debian", "[2001:db8:3:4::192.0.2.33]:5000/debian",
        "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
        /* TestValidateRemoteName */
        "docker-/docker", "-docker-/docker", "____/____", "_docker/_docker", "dock..er/docker", "dock_.er/docker",
        "dock-.er/docker", "docker/",
        "this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_"
        "its_lenth_is_greater_than_255_this_is_not_a_valid_namespace_because_its_lenth_is_greater_than_255_this_is_"
        "not_a_valid_namespace_because_its_lenth_is_greater_than_255/docker",
        "", "nginx:", "nginx@", "Nginx:1.25",
    };
    imageref r;
    for (size_t i = 0; i < sizeof valid / sizeof *valid; i++)
        if (imageref_normalize(a, valid[i], &r) < 0) fail_msg("%s should be valid: %s", valid[i], err_msg());
    for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++)
        if (imageref_normalize(a, invalid[i], &r) == 0) fail_msg("%s should be invalid", invalid[i]);
}

struct repo_info {
    const char *remote, *familiar, *full, *ambiguous, *domain;
};

static void test_repository_info(void **state)
{
    arena *a = *state;
    const struct repo_info cases[] = {
        {"fooo/bar", "fooo/bar", "docker.io/fooo/bar", "index.docker.io/fooo/bar", "docker.io"},
        {"library/ubuntu", "ubuntu", "docker.io/library/ubuntu", "library/ubuntu", "docker.io"},
        {"nonlibrary/ubuntu", "nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu", NULL, "docker.io"},
        {"other/library", "other/library", "docker.io/other/library", NULL, "docker.io"},
        {"private/moonbase", "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase", NULL, "127.0.0.1:8000"},
        {"privatebase", "127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase", NULL, "127.0.0.1:8000"},
        {"private/moonbase", "example.com/private/moonbase", "example.com/private/moonbase", NULL, "example.com"},
        {"privatebase", "example.com/privatebase", "example.com/privatebase", NULL, "example.com"},
        {"private/moonbase", "example.com:8000/private/moonbase", "example.com:8000/private/moonbase", NULL,
         "example.com:8000"},
        {"privatebasee", "example.com:8000/privatebasee", "example.com:8000/privatebasee", NULL, "example.com:8000"},
        {"library/ubuntu-12.04-base", "ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base",
         "index.docker.io/library/ubuntu-12.04-base", "docker.io"},
        {"library/foo", "foo", "docker.io/library/foo", "docker.io/foo", "docker.io"},
        {"library/foo/bar", "library/foo/bar", "docker.io/library/foo/bar", NULL, "docker.io"},
        {"store/foo/bar", "store/foo/bar", "docker.io/store/foo/bar", NULL, "docker.io"},
        {"bar", "Foo/bar", "Foo/bar", NULL, "Foo"},
        {"bar", "FOO/bar", "FOO/bar", NULL, "FOO"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *inputs[] = {cases[i].familiar, cases[i].full, cases[i].ambiguous};
        for (int j = 0; j < 3 && inputs[j]; j++) {
            imageref r;
            if (imageref_normalize(a, inputs[j], &r) < 0) fail_msg("%s: %s", inputs[j], err_msg());
            assert_string_equal(imageref_familiar(a, &r), cases[i].familiar);
            assert_string_equal(imageref_string(a, &r), cases[i].full);
            assert_string_equal(r.domain, cases[i].domain);
            assert_string_equal(r.path, cases[i].remote);
        }
    }
}

static void test_normalized_split(void **state)
{
    arena *a = *state;
    const char *cases[][3] = {
        {"test.com/foo", "test.com", "foo"},
        {"test_com/foo", "docker.io", "test_com/foo"},
        {"docker/migrator", "docker.io", "docker/migrator"},
        {"test.com:8080/foo", "test.com:8080", "foo"},
        {"test-com:8080/foo", "test-com:8080", "foo"},
        {"foo", "docker.io", "library/foo"},
        {"xn--n3h.com/foo", "xn--n3h.com", "foo"},
        {"xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo"},
        {"docker.io/foo", "docker.io", "library/foo"},
        {"docker.io/library/foo", "docker.io", "library/foo"},
        {"docker.io/library/foo/bar", "docker.io", "library/foo/bar"},
        {"localhost/foo", "localhost", "foo"},
        {"localhost:5000/foo/bar:1", "localhost:5000", "foo/bar"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        imageref r;
        if (imageref_normalize(a, cases[i][0], &r) < 0) fail_msg("%s: %s", cases[i][0], err_msg());
        assert_string_equal(r.domain, cases[i][1]);
        assert_string_equal(r.path, cases[i][2]);
    }
}

static void test_tag_and_digest(void **state)
{
    arena *a = *state;
    const char *shortref = "busybox:latest@sha256:86e0e091d0da6bde2456dbb48306f3956bbeb2eae1b5b9a43045843f69fe4aaa";
    imageref r;
    assert_int_equal(imageref_normalize(a, shortref, &r), 0);
    assert_string_equal(imageref_string(a, &r), arena_printf(a, "docker.io/library/%s", shortref));
    assert_string_equal(r.tag, "latest");
    assert_string_equal(imageref_familiar(a, &r), shortref);
    const char *any[][2] = {
        {"redis", "docker.io/library/redis"},
        {"redis:latest", "docker.io/library/redis:latest"},
        {"docker.io/library/redis:latest", "docker.io/library/redis:latest"},
        {"redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c",
         "docker.io/library/redis@sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c"},
        {"dmcgowan/myapp", "docker.io/dmcgowan/myapp"},
        {"dmcgowan/myapp:latest", "docker.io/dmcgowan/myapp:latest"},
        {"docker.io/mcgowan/myapp:latest", "docker.io/mcgowan/myapp:latest"},
        {"dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9",
         "docker.io/library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9"},
        {"dbcc1", "docker.io/library/dbcc1"},
    };
    for (size_t i = 0; i < sizeof any / sizeof *any; i++) {
        if (imageref_normalize(a, any[i][0], &r) < 0) fail_msg("%s: %s", any[i][0], err_msg());
        assert_string_equal(imageref_string(a, &r), any[i][1]);
    }
}

static const char *mirror_of(arena *a, const image_rules *rules, const char *img)
{
    imageref in, out;
    if (imageref_normalize(a, img, &in) < 0) return err_msg();
    if (image_mirror(a, rules, &in, &out) < 0) return err_msg();
    return imageref_string(a, &out);
}

static void test_mirror_names(void **state)
{
    arena *a = *state;
    image_rules r = {0};
    assert_false(image_rules_rewrite(&r));
    assert_string_equal(mirror_of(a, &r, "nginx:1.25"), "docker.io/library/nginx:1.25");
    r.registry = "mirror.local:5000";
    assert_true(image_rules_rewrite(&r));
    assert_string_equal(mirror_of(a, &r, "nginx:1.25"), "mirror.local:5000/library/nginx:1.25");
    assert_string_equal(mirror_of(a, &r, "docker.io/library/nginx:1.25"), "mirror.local:5000/library/nginx:1.25");
    assert_string_equal(mirror_of(a, &r, "quay.io/prometheus/prometheus:v2.54.1@sha256:" F64),
                        "mirror.local:5000/prometheus/prometheus:v2.54.1@sha256:" F64);
    /* already at the mirror: unchanged, so a rewrite is idempotent */
    assert_string_equal(mirror_of(a, &r, "mirror.local:5000/library/nginx:1.25"), "mirror.local:5000/library/nginx:1.25");
    r.registry = "mirror.local/base";
    assert_string_equal(mirror_of(a, &r, "registry.k8s.io/pause:3.9"), "mirror.local/base/pause:3.9");
    r.maps[r.nmaps++] = (image_map){"quay.io", "mirror.local/quay"};
    r.maps[r.nmaps++] = (image_map){"quay.io/prometheus", "mirror.local/prom"};
    assert_string_equal(mirror_of(a, &r, "quay.io/jetstack/cert-manager-controller:v1.15.0"),
                        "mirror.local/quay/jetstack/cert-manager-controller:v1.15.0");
    assert_string_equal(mirror_of(a, &r, "quay.io/prometheus/alertmanager:v0.27.0"),
                        "mirror.local/prom/alertmanager:v0.27.0");
    assert_string_equal(mirror_of(a, &r, "quay.io/prometheusx/y:1"), "mirror.local/quay/prometheusx/y:1");
    assert_string_equal(mirror_of(a, &r, "busybox"), "mirror.local/base/library/busybox");
    /* --image-repository replaces the first path segment (prepends to a one-segment path) */
    image_rules k = {.repository = "kubegems"};
    assert_string_equal(mirror_of(a, &k, "bitnami/redis:7"), "docker.io/kubegems/redis:7");
    assert_string_equal(mirror_of(a, &k, "nginx"), "docker.io/kubegems/nginx");
    assert_string_equal(mirror_of(a, &k, "registry.k8s.io/pause:3.9"), "registry.k8s.io/kubegems/pause:3.9");
    k.registry = "registry.example.com";
    assert_string_equal(mirror_of(a, &k, "quay.io/a/b/c:1"), "registry.example.com/kubegems/b/c:1");
}

int run_imageref_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reference_parse, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_validate_names, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_repository_info, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_normalized_split, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_tag_and_digest, setup_arena, teardown_arena),
        cmocka_unit_test_setup_teardown(test_mirror_names, setup_arena, teardown_arena),
    };
    return cmocka_run_group_tests_name("imageref", tests, NULL, NULL);
}
