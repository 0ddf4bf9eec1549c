/* Access configuration the way kubectl (client-go's clientcmd) resolves it:
 * kubeconfig files merged (first file wins for every name and for
 * current-context), a context selected and overridden by flags, file
 * references resolved against the file that holds them, inline data
 * decoded; or the in-cluster service account. Every error names the file,
 * line and field. */
#include "kubeconfig.h"
#include "base64.h"
#include "err.h"
#include "kyaml.h"
#include "node.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

struct kfile {
    const char *path;
    node *doc;
};

struct kset {
    arena *a;
    struct kfile v[32];
    size_t n;
    const char *names; /* "FILE, FILE" for messages */
};

/* ---- flags --------------------------------------------------------------- */

const char cluster_flags_help[] =
    "      --certificate-authority string   Path to a cert file for the certificate authority\n"
    "      --cluster string                 The name of the kubeconfig cluster to use\n"
    "      --concurrency int                Requests in flight to the API server at most (default 16)\n"
    "      --context string                 The name of the kubeconfig context to use\n"
    "      --insecure-skip-tls-verify       If true, the server's certificate will not be checked for validity.\n"
    "                                       This will make your HTTPS connections insecure\n"
    "      --kubeconfig string              Path to the kubeconfig file to use for CLI requests.\n"
    "  -n, --namespace string               If present, the namespace scope for this CLI request\n"
    "      --request-timeout string         The length of time to wait before giving up on a single server\n"
    "                                       request (1s, 2m, 3h; 0: no timeout) (default \"0\")\n"
    "  -s, --server string                  The address and port of the Kubernetes API server\n"
    "      --token string                   Bearer token for authentication to the API server\n"
    "      --user string                    The name of the kubeconfig user to use\n";

/* "--name=value", "--name value"; for a short name also "-nvalue", "-n=value". */
static int flag_arg(int argc, char **argv, int *i, const char *name, const char *shortname, const char **out)
{
    const char *a = argv[*i];
    const char *names[2] = {name, shortname};
    for (int k = 0; k < 2; k++) {
        if (!names[k]) continue;
        size_t n = strlen(names[k]);
        if (strncmp(a, names[k], n)) continue;
        if (a[n] == '=') {
            *out = a + n + 1;
            return 1;
        }
        if (a[n] == 0) {
            if (*i + 1 >= argc) return err_set("flag needs an argument: %s", names[k]);
            *out = argv[++*i];
            return 1;
        }
        if (k == 1) { /* -nvalue */
            *out = a + n;
            return 1;
        }
    }
    return 0;
}

int cluster_parse_duration(const char *s, long *out)
{
    char *end;
    double total = 0;
    if (!*s) return -1;
    double v = strtod(s, &end);
    if (!*end) {
        *out = (long)(v * 1000);
        return v < 0 ? -1 : 0;
    }
    for (const char *p = s; *p;) {
        v = strtod(p, &end);
        if (end == p) return -1;
        p = end;
        if (!strncmp(p, "ms", 2)) total += v, p += 2;
        else if (*p == 's') total += v * 1000, p++;
        else if (*p == 'm') total += v * 60000, p++;
        else if (*p == 'h') total += v * 3600000, p++;
        else return -1;
    }
    *out = (long)total;
    return total < 0 ? -1 : 0;
}

int cluster_flag_parse(cluster_flags *f, int argc, char **argv, int *i)
{
    static const struct {
        const char *name, *shortname;
        size_t off;
    } strs[] = {
        {"--kubeconfig", NULL, offsetof(cluster_flags, kubeconfig)},
        {"--context", NULL, offsetof(cluster_flags, context)},
        {"--cluster", NULL, offsetof(cluster_flags, cluster)},
        {"--user", NULL, offsetof(cluster_flags, user)},
        {"--namespace", "-n", offsetof(cluster_flags, namespace_)},
        {"--server", "-s", offsetof(cluster_flags, server)},
        {"--token", NULL, offsetof(cluster_flags, token)},
        {"--certificate-authority", NULL, offsetof(cluster_flags, ca_file)},
    };
    const char *v;
    for (size_t k = 0; k < sizeof strs / sizeof *strs; k++) {
        int r = flag_arg(argc, argv, i, strs[k].name, strs[k].shortname, &v);
        if (r < 0) return -1;
        if (r) {
            *(const char **)((char *)f + strs[k].off) = v;
            return 1;
        }
    }
    const char *a = argv[*i];
    if (!strcmp(a, "--insecure-skip-tls-verify") || !strcmp(a, "--insecure-skip-tls-verify=true")) {
        f->insecure = 1;
        return 1;
    }
    if (!strcmp(a, "--insecure-skip-tls-verify=false")) {
        f->insecure = 0;
        return 1;
    }
    int r = flag_arg(argc, argv, i, "--request-timeout", NULL, &v);
    if (r < 0) return -1;
    if (r && cluster_parse_duration(v, &f->request_timeout_ms) < 0)
        return err_set("invalid argument \"%s\" for --request-timeout: a duration like 30s, 2m or 0", v);
    if (r) return 1;
    if ((r = flag_arg(argc, argv, i, "--concurrency", NULL, &v)) <= 0) return r;
    char *end;
    long n = strtol(v, &end, 10);
    if (*end || end == v || n < 1 || n > 1000)
        return err_set("invalid argument \"%s\" for --concurrency: a number of requests from 1 to 1000", v);
    f->concurrency = (int)n;
    return 1;
}

/* ---- loading files -------------------------------------------------------- */

static int load_file(struct kset *s, const char *path, int must_exist)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i].path, path)) return 0; /* listed twice: the first counts */
    strbuf sb = STRBUF_INIT;
    if (sb_read_file(&sb, path) < 0) {
        int e = errno;
        sb_release(&sb);
        if (e == ENOENT && !must_exist) return 0;
        return err_set("kubeconfig %s: %s", path, strerror(e));
    }
    if (s->n == sizeof s->v / sizeof *s->v) {
        sb_release(&sb);
        return err_set("kubeconfig %s: more than %zu files", path, sizeof s->v / sizeof *s->v);
    }
    const char *p = arena_strdup(s->a, path);
    node *doc = NULL;
    int rc = yaml_load_one(s->a, p, sb.buf, sb.len, &doc);
    sb_release(&sb);
    if (rc < 0) return err_prefix("kubeconfig");
    if (doc && doc->kind != N_MAP) return err_set("kubeconfig %s: not a kubeconfig (expected a mapping)", p);
    s->v[s->n].path = p;
    s->v[s->n].doc = doc;
    s->n++;
    s->names = s->names ? arena_printf(s->a, "%s, %s", s->names, p) : p;
    return 0;
}

static int load_files(struct kset *s, const cluster_flags *f)
{
    if (f->kubeconfig) return load_file(s, f->kubeconfig, 1);
    const char *env = getenv("KUBECONFIG");
    if (env && *env) {
        for (const char *p = env; *p;) {
            size_t n = strcspn(p, ":");
            if (n && load_file(s, arena_strndup(s->a, p, n), 0) < 0) return -1;
            p += n + (p[n] == ':');
        }
        return 0;
    }
    const char *home = getenv("HOME");
    if (home && *home) return load_file(s, arena_printf(s->a, "%s/.kube/config", home), 0);
    return 0;
}

/* The entry `name` of section (clusters, users, contexts) in the first file
 * that has it: its inner map (field) in *body (may be NULL), the file in *from. */
static int find_named(struct kset *s, const char *section, const char *field, const char *name, node **body,
                      struct kfile **from)
{
    for (size_t i = 0; i < s->n; i++) {
        node *list = map_get(s->v[i].doc, section);
        if (!list || list->kind != N_SEQ) continue;
        for (uint32_t j = 0; j < list->u.seq.n; j++) {
            node *item = list->u.seq.items[j];
            const char *n = node_text(map_get(item, "name"));
            if (!n || strcmp(n, name)) continue;
            *body = map_get(item, field);
            if (*body && (*body)->kind == N_NULL) *body = NULL;
            if (*body && (*body)->kind != N_MAP)
                return err_set("%s: %s[%s].%s: expected a mapping", node_pos(s->a, *body), section, name, field);
            *from = &s->v[i];
            return 1;
        }
    }
    return 0;
}

/* ---- reading fields ------------------------------------------------------- */

/* Where a field is, for messages: "FILE:LINE:COL: users[NAME].user.FIELD". */
struct at {
    struct kset *s;
    struct kfile *file;
    const char *prefix; /* "users[admin].user" */
    node *body;
};

static int field_err(const struct at *at, const char *key, const char *msg)
{
    node *v = map_get(at->body, key);
    const char *pos = v ? node_pos(at->s->a, v) : at->file->path;
    return err_set("kubeconfig %s: %s.%s: %s", pos, at->prefix, key, msg);
}

/* A string field: NULL when absent or empty; -1 when not a scalar. */
static int str_field(const struct at *at, const char *key, const char **out)
{
    node *v = map_get(at->body, key);
    *out = NULL;
    if (!v || v->kind == N_NULL) return 0;
    if (!node_is_scalar(v)) return field_err(at, key, "expected a string");
    if (*node_text(v)) *out = node_text(v);
    return 0;
}

static int bool_field(const struct at *at, const char *key, int *out)
{
    node *v = map_get(at->body, key);
    if (!v || v->kind == N_NULL) return 0;
    if (node_is_true(v)) *out = 1;
    else if (node_is_false(v)) *out = 0;
    else return field_err(at, key, "expected true or false");
    return 0;
}

static const char *resolve_path(arena *a, const char *base_file, const char *p)
{
    if (p[0] == '/' || !base_file) return p;
    const char *slash = strrchr(base_file, '/');
    if (!slash) return p;
    return arena_printf(a, "%.*s/%s", (int)(slash - base_file), base_file, p);
}

static int read_whole(arena *a, const char *path, const char **data, size_t *len)
{
    strbuf sb = STRBUF_INIT;
    if (sb_read_file(&sb, path) < 0) {
        int e = errno;
        sb_release(&sb);
        return err_set("%s: %s", path, strerror(e));
    }
    *data = arena_strndup(a, sb.buf, sb.len);
    *len = sb.len;
    sb_release(&sb);
    return 0;
}

/* PEM material from KEY-data (base64) or KEY (a file): data wins, as in client-go. */
static int pem_field(const struct at *at, const char *key, const char **pem, size_t *len)
{
    const char *file, *data;
    char datakey[64];
    snprintf(datakey, sizeof datakey, "%s-data", key);
    if (str_field(at, key, &file) < 0 || str_field(at, datakey, &data) < 0) return -1;
    if (data) {
        strbuf sb = STRBUF_INIT;
        if (base64_decode(data, strlen(data), &sb) < 0 || !sb.len) {
            sb_release(&sb);
            return field_err(at, datakey, "not valid base64");
        }
        *pem = arena_strndup(at->s->a, sb.buf, sb.len);
        *len = sb.len;
        sb_release(&sb);
        return 0;
    }
    if (!file) return 0;
    if (read_whole(at->s->a, resolve_path(at->s->a, at->file->path, file), pem, len) < 0) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s", err_msg());
        return field_err(at, key, msg);
    }
    return 0;
}

/* ---- the selected cluster, user and context ----------------------------- */

static int read_cluster(struct at *at, const cluster_flags *f, kube_config *c)
{
    const char *server, *ca_file;
    if (str_field(at, "server", &server) < 0 || bool_field(at, "insecure-skip-tls-verify", &c->insecure) < 0 ||
        str_field(at, "proxy-url", &c->proxy_url) < 0 || str_field(at, "tls-server-name", &c->tls_server_name) < 0 ||
        bool_field(at, "disable-compression", &c->no_compression) < 0 ||
        str_field(at, "certificate-authority", &ca_file) < 0)
        return -1;
    if (c->insecure && (ca_file || map_get(at->body, "certificate-authority-data")))
        return field_err(at, "insecure-skip-tls-verify",
                         "a certificate authority together with insecure-skip-tls-verify is not allowed");
    if (!f->insecure && !f->ca_file && pem_field(at, "certificate-authority", &c->ca_pem, &c->ca_len) < 0)
        return -1;
    c->server = server;
    if (!c->server && !f->server)
        return err_set("kubeconfig %s: %s: no server", node_pos(at->s->a, at->body), at->prefix);
    return 0;
}

static int read_exec(struct at *user, kube_config *c)
{
    node *e = map_get(user->body, "exec");
    if (!e || e->kind == N_NULL) return 0;
    struct at at = {user->s, user->file, arena_printf(user->s->a, "%s.exec", user->prefix), e};
    if (e->kind != N_MAP) return field_err(user, "exec", "expected a mapping");
    arena *a = user->s->a;
    kube_exec *x = arena_zalloc(a, sizeof *x);
    x->where = arena_printf(a, "kubeconfig %s: %s", node_pos(a, e), at.prefix);
    if (str_field(&at, "command", &x->command) < 0 || str_field(&at, "apiVersion", &x->api_version) < 0 ||
        str_field(&at, "interactiveMode", &x->interactive_mode) < 0 ||
        str_field(&at, "installHint", &x->install_hint) < 0 ||
        bool_field(&at, "provideClusterInfo", &x->provide_cluster_info) < 0)
        return -1;
    if (!x->command) return field_err(&at, "command", "missing");
    if (!x->api_version) return field_err(&at, "apiVersion", "missing");
    if (strcmp(x->api_version, "client.authentication.k8s.io/v1") &&
        strcmp(x->api_version, "client.authentication.k8s.io/v1beta1"))
        return field_err(&at, "apiVersion",
                         "must be client.authentication.k8s.io/v1 or v1beta1 (v1alpha1 is no longer supported)");
    if (x->interactive_mode && strcmp(x->interactive_mode, "Never") && strcmp(x->interactive_mode, "IfAvailable") &&
        strcmp(x->interactive_mode, "Always"))
        return field_err(&at, "interactiveMode", "must be Never, IfAvailable or Always");
    if (strchr(x->command, '/')) x->command = resolve_path(a, user->file->path, x->command);
    node *args = map_get(e, "args"), *env = map_get(e, "env");
    if (args && args->kind != N_SEQ && args->kind != N_NULL) return field_err(&at, "args", "expected a list");
    if (env && env->kind != N_SEQ && env->kind != N_NULL) return field_err(&at, "env", "expected a list");
    uint32_t na = args && args->kind == N_SEQ ? args->u.seq.n : 0, ne = env && env->kind == N_SEQ ? env->u.seq.n : 0;
    x->args = arena_zalloc(a, (na + 1) * sizeof *x->args);
    for (uint32_t i = 0; i < na; i++) {
        if (!node_is_scalar(args->u.seq.items[i])) return field_err(&at, "args", "expected strings");
        x->args[i] = node_text(args->u.seq.items[i]);
    }
    x->env = arena_zalloc(a, (ne + 1) * sizeof *x->env);
    for (uint32_t i = 0; i < ne; i++) {
        const char *n = node_text(map_get(env->u.seq.items[i], "name"));
        const char *v = node_text(map_get(env->u.seq.items[i], "value"));
        if (!n || !*n) return field_err(&at, "env", "every entry needs a name");
        x->env[i] = arena_printf(a, "%s=%s", n, v ? v : "");
    }
    c->exec = x;
    return 0;
}

static int read_groups(struct at *at, kube_config *c)
{
    node *g = map_get(at->body, "as-groups");
    if (!g || g->kind == N_NULL) return 0;
    if (g->kind != N_SEQ) return field_err(at, "as-groups", "expected a list");
    c->as_groups = arena_zalloc(at->s->a, (g->u.seq.n + 1) * sizeof *c->as_groups);
    for (uint32_t i = 0; i < g->u.seq.n; i++) c->as_groups[i] = node_text(g->u.seq.items[i]);
    return 0;
}

static int read_user(struct at *at, kube_config *c)
{
    const char *username, *password, *token_file;
    if (str_field(at, "username", &username) < 0 || str_field(at, "password", &password) < 0) return -1;
    if (username || password)
        return field_err(at, username ? "username" : "password",
                         "basic authentication (username/password) is not supported by kgrender (Kubernetes "
                         "removed it in 1.19): use a token, a client certificate or an exec plugin");
    node *ap = map_get(at->body, "auth-provider");
    if (ap && ap->kind != N_NULL) {
        const char *name = node_get_str(ap, "name", NULL);
        char msg[256];
        snprintf(msg, sizeof msg,
                 "auth-provider \"%s\" is not supported (kubectl removed auth providers in 1.26): use an exec "
                 "plugin such as gke-gcloud-auth-plugin or kubelogin",
                 name ? name : "");
        return field_err(at, "auth-provider", msg);
    }
    if (pem_field(at, "client-certificate", &c->cert_pem, &c->cert_len) < 0 ||
        pem_field(at, "client-key", &c->key_pem, &c->key_len) < 0 || str_field(at, "token", &c->token) < 0 ||
        str_field(at, "tokenFile", &token_file) < 0 || str_field(at, "as", &c->as_user) < 0 ||
        read_groups(at, c) < 0 || read_exec(at, c) < 0)
        return -1;
    if (!c->cert_pem != !c->key_pem)
        return field_err(at, c->cert_pem ? "client-certificate" : "client-key",
                         c->cert_pem ? "a client certificate needs client-key (or client-key-data) too"
                                     : "a client key needs client-certificate (or client-certificate-data) too");
    if (token_file) {
        c->token_file = resolve_path(at->s->a, at->file->path, token_file);
        if (access(c->token_file, R_OK) < 0) {
            char msg[1024];
            snprintf(msg, sizeof msg, "%s: %s", c->token_file, strerror(errno));
            return field_err(at, "tokenFile", msg);
        }
    }
    return 0;
}

static const char *context_name(struct kset *s, const cluster_flags *f)
{
    if (f->context) return f->context;
    for (size_t i = 0; i < s->n; i++) {
        const char *cur = node_text(map_get(s->v[i].doc, "current-context"));
        if (cur && *cur) return cur;
    }
    return NULL;
}

static int from_files(struct kset *s, const cluster_flags *f, kube_config *c)
{
    node *ctx = NULL, *body = NULL;
    struct kfile *from = NULL;
    const char *name = context_name(s, f);
    c->context = name ? name : "";
    if (name) {
        int r = find_named(s, "contexts", "context", name, &ctx, &from);
        if (r < 0) return -1;
        if (!r) return err_set("context \"%s\" not found in kubeconfig %s", name, s->names);
    } else if (!f->cluster && !f->server) {
        return err_set("kubeconfig %s sets no current-context: use --context NAME", s->names);
    }
    struct at cat = {s, from, arena_printf(s->a, "contexts[%s].context", c->context), ctx};
    const char *ns = NULL;
    if (ctx && (str_field(&cat, "cluster", &c->cluster_name) < 0 || str_field(&cat, "user", &c->user_name) < 0 ||
                str_field(&cat, "namespace", &ns) < 0))
        return -1;
    if (f->cluster) c->cluster_name = f->cluster;
    if (f->user) c->user_name = f->user;
    c->ns = ns;
    if (c->cluster_name) {
        int r = find_named(s, "clusters", "cluster", c->cluster_name, &body, &from);
        if (r < 0) return -1;
        if (!r)
            return err_set("cluster \"%s\"%s%s%s not found in kubeconfig %s", c->cluster_name,
                           *c->context ? " (of context \"" : "", c->context, *c->context ? "\")" : "", s->names);
        struct at at = {s, from, arena_printf(s->a, "clusters[%s].cluster", c->cluster_name), body};
        if (read_cluster(&at, f, c) < 0) return -1;
    } else if (!f->server) {
        return err_set("kubeconfig %s: context \"%s\" names no cluster", s->names, c->context);
    }
    if (c->user_name) {
        int r = find_named(s, "users", "user", c->user_name, &body, &from);
        if (r < 0) return -1;
        if (!r)
            return err_set("user \"%s\"%s%s%s not found in kubeconfig %s", c->user_name,
                           *c->context ? " (of context \"" : "", c->context, *c->context ? "\")" : "", s->names);
        struct at at = {s, from, arena_printf(s->a, "users[%s].user", c->user_name), body};
        if (read_user(&at, c) < 0) return -1;
        c->origin = from->path;
    }
    return 0;
}

/* The service account of a Pod: the API server's Service, its token and CA. */
static int in_cluster(arena *a, const cluster_flags *f, kube_config *c)
{
    const char *host = getenv("KUBERNETES_SERVICE_HOST"), *port = getenv("KUBERNETES_SERVICE_PORT");
    const char *dir = getenv("KGR_SERVICEACCOUNT_DIR");
    if (!dir || !*dir) dir = SA_DIR;
    c->in_cluster = 1;
    c->origin = "in-cluster configuration";
    c->server = arena_printf(a, strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host, port);
    c->token_file = arena_printf(a, "%s/token", dir);
    if (!f->token && access(c->token_file, R_OK) < 0)
        return err_set("in-cluster configuration: %s: %s", c->token_file, strerror(errno));
    if (!f->insecure && !f->ca_file && read_whole(a, arena_printf(a, "%s/ca.crt", dir), &c->ca_pem, &c->ca_len) < 0)
        return err_prefix("in-cluster configuration");
    const char *ns;
    size_t len;
    if (read_whole(a, arena_printf(a, "%s/namespace", dir), &ns, &len) == 0) {
        while (len && (ns[len - 1] == '\n' || ns[len - 1] == ' ')) len--;
        if (len) c->ns = arena_strndup(a, ns, len);
    }
    err_clear();
    return 0;
}

/* Flags over whatever the configuration said. */
static int apply_flags(arena *a, const cluster_flags *f, kube_config *c)
{
    if (f->server) c->server = f->server;
    if (f->token) {
        c->token = f->token;
        c->token_file = NULL;
        c->exec = NULL;
    }
    if (f->insecure) {
        c->insecure = 1;
        c->ca_pem = NULL;
    } else if (f->ca_file && read_whole(a, f->ca_file, &c->ca_pem, &c->ca_len) < 0) {
        return err_prefix("--certificate-authority");
    }
    if (f->namespace_) {
        c->ns = f->namespace_;
        c->ns_from_flag = 1;
    }
    if (!c->ns || !*c->ns) c->ns = "default";
    if (!c->context) c->context = "";
    return 0;
}

/* client-go accepts "host:port": https is implied. No trailing '/'. */
static int normalize_server(arena *a, kube_config *c)
{
    const char *s = c->server;
    if (!s || !*s) return err_set("no API server address configured");
    if (strncmp(s, "https://", 8) && strncmp(s, "http://", 7)) {
        if (strstr(s, "://")) return err_set("server \"%s\": only http and https are supported", s);
        s = arena_printf(a, "https://%s", s);
    }
    size_t n = strlen(s);
    while (n && s[n - 1] == '/') n--;
    c->server = arena_strndup(a, s, n);
    return 0;
}

int kube_config_load(arena *a, const cluster_flags *f, kube_config *out)
{
    struct kset s = {.a = a};
    memset(out, 0, sizeof *out);
    if (load_files(&s, f) < 0) return -1;
    if (s.n) {
        if (from_files(&s, f, out) < 0) return -1;
    } else if (!f->server && getenv("KUBERNETES_SERVICE_HOST") && getenv("KUBERNETES_SERVICE_PORT")) {
        if (in_cluster(a, f, out) < 0) return -1;
    } else if (!f->server) {
        return err_set("no cluster configured: no kubeconfig (use --kubeconfig, set KUBECONFIG or write "
                       "~/.kube/config) and not running in a cluster (KUBERNETES_SERVICE_HOST is unset)");
    }
    if (!out->origin) out->origin = s.n ? s.names : "flags";
    if (apply_flags(a, f, out) < 0 || normalize_server(a, out) < 0) return -1;
    if (out->insecure)
        warnf("TLS certificate verification is disabled for %s (insecure-skip-tls-verify): the connection is "
              "not secure",
              out->server);
    return 0;
}
