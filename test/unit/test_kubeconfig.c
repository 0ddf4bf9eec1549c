/* Cluster access configuration as kubectl resolves it: KUBECONFIG merging
 * (first file wins), context/cluster/user selection and flag overrides,
 * paths relative to their file, inline data, in-cluster configuration,
 * refusals (basic auth, auth providers) and errors that name file and field;
 * the access flags; exec plugin credentials cached until they expire. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "base64.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "err.h"
#include "kubeconfig.h"

static char dir[64];

static const char *path_in(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static void write_in(const char *name, const char *text)
{
    FILE *f = fopen(path_in(name), "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/kgr-unit-kcfg.XXXXXX");
    assert_non_null(mkdtemp(dir));
    unsetenv("KUBECONFIG");
    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
    unsetenv("KGR_SERVICEACCOUNT_DIR");
    setenv("HOME", path_in("home"), 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* Loads with flags; on error returns -1 and leaves err_msg(). */
static int load(const cluster_flags *f, kube_config *c, arena **a)
{
    *a = arena_new();
    err_clear();
    return kube_config_load(*a, f, c);
}

static void expect_error(const cluster_flags *f, const char *part1, const char *part2)
{
    kube_config c;
    arena *a;
    assert_int_equal(load(f, &c, &a), -1);
    if (!strstr(err_msg(), part1) || (part2 && !strstr(err_msg(), part2)))
        fail_msg("error \"%s\" lacks \"%s\" / \"%s\"", err_msg(), part1, part2 ? part2 : "");
    arena_free(a);
}

static const char one[] = "apiVersion: v1\nkind: Config\n"
                          "clusters:\n"
                          "- name: c1\n  cluster: {server: 'https://one.example:6443'}\n"
                          "- name: shared\n  cluster: {server: 'https://first.example'}\n"
                          "contexts:\n"
                          "- name: ctx1\n  context: {cluster: c1, user: u1, namespace: team}\n"
                          "current-context: ctx1\n"
                          "users:\n- name: u1\n  user: {token: tok1}\n";
static const char two[] = "clusters:\n"
                          "- name: shared\n  cluster: {server: 'https://second.example/'}\n"
                          "- name: c2\n  cluster: {server: 'c2.example:443'}\n"
                          "contexts:\n"
                          "- name: ctx2\n  context: {cluster: shared, user: u2}\n"
                          "- name: ctx1\n  context: {cluster: c2, user: u2}\n"
                          "current-context: ctx2\n"
                          "users:\n- name: u2\n  user: {tokenFile: tok.txt}\n- name: u1\n  user: {token: other}\n";

static void set_two_files(void)
{
    write_in("one", one);
    write_in("two", two);
    write_in("tok.txt", "filetoken\n");
    char env[600];
    snprintf(env, sizeof env, "%s::%s:%s", path_in("one"), path_in("missing"), path_in("two"));
    setenv("KUBECONFIG", env, 1);
}

static void test_merge_first_wins(void **state)
{
    (void)state;
    set_two_files();
    cluster_flags f = {0};
    kube_config c;
    arena *a;
    assert_int_equal(load(&f, &c, &a), 0);
    assert_string_equal(c.context, "ctx1"); /* current-context of the first file */
    assert_string_equal(c.server, "https://one.example:6443");
    assert_string_equal(c.token, "tok1"); /* u1 of the first file */
    assert_string_equal(c.ns, "team");
    assert_int_equal(c.ns_from_flag, 0);
    arena_free(a);
    /* ctx2 exists only in the second file; "shared" is taken from the first. */
    f.context = "ctx2";
    assert_int_equal(load(&f, &c, &a), 0);
    assert_string_equal(c.server, "https://first.example");
    assert_null(c.token);
    assert_string_equal(c.token_file, path_in("tok.txt")); /* relative to its file */
    assert_string_equal(c.ns, "default");
    arena_free(a);
}

static void test_flag_overrides(void **state)
{
    (void)state;
    set_two_files();
    cluster_flags f = {.cluster = "c2", .user = "u2", .namespace_ = "other"};
    kube_config c;
    arena *a;
    assert_int_equal(load(&f, &c, &a), 0);
    assert_string_equal(c.server, "https://c2.example:443"); /* scheme implied */
    assert_non_null(c.token_file);
    assert_string_equal(c.ns, "other");
    assert_int_equal(c.ns_from_flag, 1);
    arena_free(a);
    cluster_flags g = {.server = "https://flag.example/", .token = "flagtoken"};
    assert_int_equal(load(&g, &c, &a), 0);
    assert_string_equal(c.server, "https://flag.example");
    assert_string_equal(c.token, "flagtoken");
    assert_null(c.token_file);
    arena_free(a);
}

static void test_selection_errors(void **state)
{
    (void)state;
    set_two_files();
    cluster_flags f = {.context = "nope"};
    expect_error(&f, "context \"nope\" not found", path_in("two"));
    cluster_flags g = {.cluster = "nocluster"};
    expect_error(&g, "cluster \"nocluster\"", "not found");
    cluster_flags h = {.user = "nouser"};
    expect_error(&h, "user \"nouser\"", "not found");
    cluster_flags k = {.kubeconfig = path_in("absent")};
    expect_error(&k, path_in("absent"), "No such file");
    write_in("nocur", "clusters:\n- name: a\n  cluster: {server: 'https://a'}\n");
    cluster_flags m = {.kubeconfig = path_in("nocur")};
    expect_error(&m, "no current-context", "--context");
    write_in("bad", "clusters: [\n");
    cluster_flags n = {.kubeconfig = path_in("bad")};
    expect_error(&n, path_in("bad"), "invalid YAML");
}

static void test_home_and_nothing(void **state)
{
    (void)state;
    cluster_flags f = {0};
    expect_error(&f, "no cluster configured", "KUBERNETES_SERVICE_HOST");
    mkdir(path_in("home"), 0700);
    mkdir(path_in("home/.kube"), 0700);
    write_in("home/.kube/config", one);
    kube_config c;
    arena *a;
    assert_int_equal(load(&f, &c, &a), 0);
    assert_string_equal(c.context, "ctx1");
    arena_free(a);
}

static void test_inline_data_and_files(void **state)
{
    (void)state;
    /* "Y2VydA==" is "cert"; certificate files are relative to the kubeconfig. */
    write_in("key.pem", "KEY");
    write_in("cfg", "clusters:\n- name: c\n  cluster:\n    server: https://s\n    certificate-authority-data: Q0E=\n"
                    "users:\n- name: u\n  user:\n    client-certificate-data: Y2VydA==\n    client-key: key.pem\n"
                    "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n");
    cluster_flags f = {.kubeconfig = path_in("cfg")};
    kube_config c;
    arena *a;
    assert_int_equal(load(&f, &c, &a), 0);
    assert_int_equal(c.ca_len, 2);
    assert_memory_equal(c.ca_pem, "CA", 2);
    assert_int_equal(c.cert_len, 4);
    assert_memory_equal(c.cert_pem, "cert", 4);
    assert_int_equal(c.key_len, 3);
    assert_memory_equal(c.key_pem, "KEY", 3);
    arena_free(a);
}

static void test_field_errors(void **state)
{
    (void)state;
    static const struct {
        const char *user, *want1, *want2;
    } cases[] = {
        {"    client-certificate-data: '%%%'\n    client-key-data: a2V5\n", "cfg:7:", "client-certificate-data: not valid base64"},
        {"    client-certificate: nofile.pem\n    client-key: k\n", "users[u].user.client-certificate", "nofile.pem"},
        {"    client-certificate-data: Y2VydA==\n", "users[u].user.client-certificate", "needs client-key"},
        {"    username: admin\n    password: secret\n", "users[u].user.username", "basic authentication"},
        {"    password: secret\n", "users[u].user.password", "not supported"},
        {"    auth-provider: {name: gcp}\n", "auth-provider \"gcp\"", "exec plugin"},
        {"    tokenFile: /nonexistent/token\n", "users[u].user.tokenFile", "/nonexistent/token"},
        {"    exec: {command: x}\n", "users[u].user.exec.apiVersion", "missing"},
        {"    exec: {command: x, apiVersion: client.authentication.k8s.io/v1alpha1}\n", "exec.apiVersion", "v1beta1"},
        {"    exec: {apiVersion: client.authentication.k8s.io/v1}\n", "exec.command", "missing"},
        {"    exec: {command: x, apiVersion: client.authentication.k8s.io/v1, interactiveMode: Sometimes}\n",
         "exec.interactiveMode", "Never"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[1024];
        snprintf(text, sizeof text,
                 "clusters:\n- name: c\n  cluster: {server: https://s}\nusers:\n- name: u\n  user:\n%s"
                 "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n",
                 cases[i].user);
        /* the user's first field is on line 7 */
        write_in("cfg", text);
        cluster_flags f = {.kubeconfig = path_in("cfg")};
        expect_error(&f, cases[i].want1, cases[i].want2);
    }
    write_in("cfg", "clusters:\n- name: c\n  cluster: {server: https://s, insecure-skip-tls-verify: true, "
                    "certificate-authority-data: Q0E=}\ncontexts:\n- name: x\n  context: {cluster: c}\n"
                    "current-context: x\n");
    cluster_flags f = {.kubeconfig = path_in("cfg")};
    expect_error(&f, "clusters[c].cluster.insecure-skip-tls-verify", "not allowed");
    write_in("cfg", "clusters:\n- name: c\n  cluster: {}\ncontexts:\n- name: x\n  context: {cluster: c}\n"
                    "current-context: x\n");
    expect_error(&f, "clusters[c].cluster", "no server");
}

static void test_insecure_flag(void **state)
{
    (void)state;
    write_in("cfg", "clusters:\n- name: c\n  cluster: {server: https://s, certificate-authority-data: Q0E=}\n"
                    "contexts:\n- name: x\n  context: {cluster: c}\ncurrent-context: x\n");
    cluster_flags f = {.kubeconfig = path_in("cfg"), .insecure = 1};
    kube_config c;
    arena *a;
    assert_int_equal(load(&f, &c, &a), 0);
    assert_int_equal(c.insecure, 1);
    assert_null(c.ca_pem); /* the flag drops the authority, as kubectl's does */
    arena_free(a);
}

static void test_exec_config(void **state)
{
    (void)state;
    write_in("cfg", "clusters:\n- name: c\n  cluster: {server: https://s}\nusers:\n- name: u\n  user:\n    exec:\n"
                    "      apiVersion: client.authentication.k8s.io/v1\n      command: ./bin/plugin\n"
                    "      args: [get-token, --x]\n      env: [{name: A, value: b}]\n      interactiveMode: Never\n"
                    "contexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n");
    cluster_flags f = {.kubeconfig = path_in("cfg")};
    kube_config c;
    arena *a;
    assert_int_equal(load(&f, &c, &a), 0);
    assert_non_null(c.exec);
    assert_string_equal(c.exec->command, path_in("./bin/plugin"));
    assert_string_equal(c.exec->args[0], "get-token");
    assert_string_equal(c.exec->args[1], "--x");
    assert_null(c.exec->args[2]);
    assert_string_equal(c.exec->env[0], "A=b");
    arena_free(a);
    f.token = "t"; /* --token replaces the plugin */
    assert_int_equal(load(&f, &c, &a), 0);
    assert_null(c.exec);
    arena_free(a);
}

static void test_in_cluster(void **state)
{
    (void)state;
    mkdir(path_in("sa"), 0700);
    write_in("sa/token", "satoken\n");
    write_in("sa/ca.crt", "PEM");
    write_in("sa/namespace", "apps\n");
    setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    setenv("KGR_SERVICEACCOUNT_DIR", path_in("sa"), 1);
    cluster_flags f = {0};
    kube_config c;
    arena *a;
    assert_int_equal(load(&f, &c, &a), 0);
    assert_int_equal(c.in_cluster, 1);
    assert_string_equal(c.server, "https://10.96.0.1:443");
    assert_string_equal(c.token_file, path_in("sa/token"));
    assert_memory_equal(c.ca_pem, "PEM", 3);
    assert_string_equal(c.ns, "apps");
    arena_free(a);
    setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
    assert_int_equal(load(&f, &c, &a), 0);
    assert_string_equal(c.server, "https://[fd00::1]:443");
    arena_free(a);
    unlink(path_in("sa/token"));
    expect_error(&f, "in-cluster configuration", path_in("sa/token"));
    /* A kubeconfig, when there is one, wins over the service account. */
    write_in("one", one);
    setenv("KUBECONFIG", path_in("one"), 1);
    assert_int_equal(load(&f, &c, &a), 0);
    assert_int_equal(c.in_cluster, 0);
    arena_free(a);
    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
    unsetenv("KGR_SERVICEACCOUNT_DIR");
}

static int parse_all(cluster_flags *f, int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        int r = cluster_flag_parse(f, argc, argv, &i);
        if (r <= 0) return r < 0 ? -1 : i;
    }
    return argc;
}

static void test_flags(void **state)
{
    (void)state;
    cluster_flags f = {0};
    char *argv[] = {"-n", "a", "--context=c", "--kubeconfig", "k", "--request-timeout=1m30s", "--concurrency",
                    "8", "-s", "https://x", "--insecure-skip-tls-verify", "--token=t", "--user", "u",
                    "--cluster=cl", "--certificate-authority", "ca"};
    assert_int_equal(parse_all(&f, 17, argv), 17);
    assert_string_equal(f.namespace_, "a");
    assert_string_equal(f.context, "c");
    assert_string_equal(f.kubeconfig, "k");
    assert_int_equal(f.request_timeout_ms, 90000);
    assert_int_equal(f.concurrency, 8);
    assert_string_equal(f.server, "https://x");
    assert_int_equal(f.insecure, 1);
    assert_string_equal(f.token, "t");
    assert_string_equal(f.user, "u");
    assert_string_equal(f.cluster, "cl");
    assert_string_equal(f.ca_file, "ca");
    char *argv2[] = {"-nfoo", "--namespace=bar", "--other"};
    cluster_flags g = {0};
    assert_int_equal(parse_all(&g, 3, argv2), 2); /* stops at --other */
    assert_string_equal(g.namespace_, "bar");
    char *bad[][2] = {{"--concurrency", "0"}, {"--request-timeout", "soon"}, {"--context", NULL}};
    for (size_t i = 0; i < 3; i++) {
        cluster_flags h = {0};
        int k = 0;
        assert_int_equal(cluster_flag_parse(&h, bad[i][1] ? 2 : 1, bad[i], &k), -1);
    }
}

static void test_duration(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        long ms;
    } ok[] = {{"30", 30000}, {"0", 0}, {"500ms", 500}, {"1.5s", 1500}, {"1m30s", 90000}, {"2h", 7200000}};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        long ms = -5;
        assert_int_equal(cluster_parse_duration(ok[i].s, &ms), 0);
        assert_int_equal(ms, ok[i].ms);
    }
    const char *bad[] = {"", "5x", "-1s", "s", "1m-"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        long ms;
        if (cluster_parse_duration(bad[i], &ms) != -1) fail_msg("\"%s\" accepted", bad[i]);
    }
}

static void test_base64(void **state)
{
    (void)state;
    strbuf sb = STRBUF_INIT;
    assert_int_equal(base64_decode("aGVs\nbG8=", 9, &sb), 0);
    assert_string_equal(sb.buf, "hello");
    sb_reset(&sb);
    assert_int_equal(base64_decode("a=b", 3, &sb), -1);
    assert_int_equal(base64_decode("a!", 2, &sb), -1);
    sb_release(&sb);
}

/* An exec plugin that counts its runs and returns a token expiring at EXP. */
static void write_plugin(const char *exp)
{
    char text[1024];
    snprintf(text, sizeof text,
             "#!/bin/sh\necho run >> '%s'\n"
             "case \"$KUBERNETES_EXEC_INFO\" in *'\"kind\":\"ExecCredential\"'*) ;; *) exit 3;; esac\n"
             "echo '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
             "\"status\":{\"token\":\"tok-'$A'\"%s%s%s}}'\n",
             path_in("runs"), exp ? ",\"expirationTimestamp\":\"" : "", exp ? exp : "", exp ? "\"" : "");
    write_in("plugin", text);
    chmod(path_in("plugin"), 0755);
}

static int exec_runs(const char *exp, int calls, int refresh_last, char *hdr_out)
{
    write_plugin(exp);
    unlink(path_in("runs"));
    kube_exec x = {.api_version = "client.authentication.k8s.io/v1", .command = path_in("plugin"),
                   .where = "test"};
    const char *args[] = {NULL}, *env[] = {"A=b", NULL};
    x.args = args;
    x.env = env;
    kube_config c = {.server = "https://s", .exec = &x};
    kube_auth *k = kube_auth_new(&c);
    for (int i = 0; i < calls; i++) {
        strbuf h = STRBUF_INIT;
        if (kube_auth_headers(k, &h, refresh_last && i == calls - 1) != 1) fail_msg("%s", err_msg());
        strcpy(hdr_out, h.buf);
        sb_release(&h);
    }
    int runs = kube_auth_exec_runs(k);
    kube_auth_free(k);
    return runs;
}

static void test_exec_plugin_cache(void **state)
{
    (void)state;
    char hdr[256];
    assert_int_equal(exec_runs("2999-01-01T00:00:00Z", 3, 0, hdr), 1);
    assert_string_equal(hdr, "Authorization: Bearer tok-b\n");
    assert_int_equal(exec_runs("2000-01-01T00:00:00+02:00", 3, 0, hdr), 3); /* expired: every time */
    assert_int_equal(exec_runs(NULL, 3, 0, hdr), 1);                      /* no expiry: cached */
    assert_int_equal(exec_runs(NULL, 2, 1, hdr), 2);                      /* refreshed after a 401 */
}

int run_kubeconfig_tests(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_merge_first_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_flag_overrides, setup, teardown),
        cmocka_unit_test_setup_teardown(test_selection_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_home_and_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_inline_data_and_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_field_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insecure_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exec_config, setup, teardown),
        cmocka_unit_test_setup_teardown(test_in_cluster, setup, teardown),
        cmocka_unit_test(test_flags),
        cmocka_unit_test(test_duration),
        cmocka_unit_test(test_base64),
        cmocka_unit_test_setup_teardown(test_exec_plugin_cache, setup, teardown),
    };
    return cmocka_run_group_tests_name("kubeconfig", tests, NULL, NULL);
}
