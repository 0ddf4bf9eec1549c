/* Credentials per request: a static bearer token, a token file (re-read
 * every minute and after a 401, as client-go does for rotated service
 * account tokens), or an exec credential plugin (client.authentication.k8s.io
 * ExecCredential: run with KUBERNETES_EXEC_INFO, its token or client
 * certificate cached until expirationTimestamp or a 401). Impersonation
 * headers. Nothing here is ever printed. */
#include "err.h"
#include "http.h"
#include "jsonout.h"
#include "kubeconfig.h"
#include "kyaml.h"
#include "runcmd.h"
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { TOKEN_FILE_TTL_S = 60, EXEC_TIMEOUT_S = 300 };

struct kube_auth {
    const kube_config *cfg;
    http_multi *m;
    strbuf token;               /* the current bearer token (file or exec) */
    time_t read_at;             /* token file: when read */
    time_t expiry;              /* exec: 0 = no expiry given */
    int have;                   /* exec: a credential is cached */
    int runs;
    strbuf cert, key;           /* exec: client certificate */
    strbuf failure;             /* exec: why the plugin failed; not run again in this process */
};

kube_auth *kube_auth_new(const kube_config *cfg)
{
    kube_auth *k = calloc(1, sizeof *k);
    k->cfg = cfg;
    return k;
}

static void wipe(strbuf *sb)
{
    if (sb->cap) memset(sb->buf, 0, sb->cap);
    sb_release(sb);
}

void kube_auth_free(kube_auth *k)
{
    if (!k) return;
    wipe(&k->token);
    wipe(&k->cert);
    wipe(&k->key);
    sb_release(&k->failure);
    free(k);
}

void kube_auth_bind(kube_auth *k, struct http_multi *m)
{
    k->m = m;
}

int kube_auth_exec_runs(const kube_auth *k)
{
    return k->runs;
}

/* ---- token file ---------------------------------------------------------- */

static int read_token_file(kube_auth *k, int refresh)
{
    time_t now = time(NULL);
    if (k->token.len && !refresh && now - k->read_at < TOKEN_FILE_TTL_S) return 0;
    strbuf sb = STRBUF_INIT;
    if (sb_read_file(&sb, k->cfg->token_file) < 0) {
        sb_release(&sb);
        if (k->token.len) return 0; /* keep the last one, as client-go does */
        return err_set("reading the token file %s failed", k->cfg->token_file);
    }
    while (sb.len && (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == '\r' || sb.buf[sb.len - 1] == ' '))
        sb.len--;
    wipe(&k->token);
    sb_add(&k->token, sb.buf, sb.len);
    wipe(&sb);
    k->read_at = now;
    if (!k->token.len) return err_set("the token file %s is empty", k->cfg->token_file);
    return 0;
}

/* ---- exec plugin ---------------------------------------------------------- */

/* KUBERNETES_EXEC_INFO: the ExecCredential spec (and the cluster when the
 * plugin asked for it with provideClusterInfo). */
static void exec_info(const kube_config *c, const kube_exec *x, int interactive, strbuf *out)
{
    sb_adds(out, "KUBERNETES_EXEC_INFO={\"apiVersion\":");
    json_string(out, x->api_version, strlen(x->api_version));
    sb_addf(out, ",\"kind\":\"ExecCredential\",\"spec\":{\"interactive\":%s", interactive ? "true" : "false");
    if (x->provide_cluster_info) {
        sb_adds(out, ",\"cluster\":{\"server\":");
        json_string(out, c->server, strlen(c->server));
        if (c->tls_server_name) {
            sb_adds(out, ",\"tls-server-name\":");
            json_string(out, c->tls_server_name, strlen(c->tls_server_name));
        }
        if (c->insecure) sb_adds(out, ",\"insecure-skip-tls-verify\":true");
        if (c->ca_pem) {
            unsigned char *b = malloc(4 * ((c->ca_len + 2) / 3) + 1);
            EVP_EncodeBlock(b, (const unsigned char *)c->ca_pem, (int)c->ca_len);
            sb_adds(out, ",\"certificate-authority-data\":");
            json_string(out, (const char *)b, strlen((const char *)b));
            free(b);
        }
        if (c->proxy_url) {
            sb_adds(out, ",\"proxy-url\":");
            json_string(out, c->proxy_url, strlen(c->proxy_url));
        }
        if (c->no_compression) sb_adds(out, ",\"disable-compression\":true");
        sb_adds(out, "}");
    }
    sb_adds(out, "}}");
}

/* RFC 3339 ("2006-01-02T15:04:05Z", fraction and offset allowed) to time_t. */
static int parse_rfc3339(const char *s, time_t *out)
{
    struct tm tm = {0};
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec, &n) != 6)
        return -1;
    const char *p = s + n;
    if (*p == '.')
        for (p++; *p >= '0' && *p <= '9'; p++) {}
    long off = 0;
    if (*p == '+' || *p == '-') {
        int hh, mm;
        if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2) return -1;
        off = (hh * 3600L + mm * 60L) * (*p == '-' ? -1 : 1);
    } else if (*p != 'Z' && *p != 'z') {
        return -1;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = timegm(&tm) - off;
    return 0;
}

static int exec_failed(const kube_exec *x, int rc, int why, const strbuf *err)
{
    if (why == RUNCMD_NOTFOUND)
        return err_set("%s: executable %s not found%s%s", x->where, x->command, x->install_hint ? "\n\n" : "",
                       x->install_hint ? x->install_hint : "");
    if (rc < 0) return err_prefix("%s: running %s", x->where, x->command);
    strbuf last = STRBUF_INIT;
    runcmd_last_line(err, &last);
    err_set("%s: %s failed with exit status %d%s%s", x->where, x->command, rc, last.len ? ": " : "",
            last.len ? last.buf : "");
    sb_release(&last);
    return -1;
}

/* Takes status.token / clientCertificateData+clientKeyData / expirationTimestamp. */
static int exec_parse(kube_auth *k, const kube_exec *x, const strbuf *out)
{
    arena *a = arena_new();
    node *doc = NULL;
    int rc = -1;
    if (yaml_load_one(a, "exec plugin output", out->buf, out->len, &doc) < 0 || !doc || doc->kind != N_MAP) {
        err_set("%s: %s did not print an ExecCredential (JSON)", x->where, x->command);
        goto done;
    }
    const char *kind = node_get_str(doc, "kind", NULL), *av = node_get_str(doc, "apiVersion", NULL);
    node *st = map_get(doc, "status");
    const char *tok = node_text(node_get(st, "token", NULL));
    const char *cert = node_text(node_get(st, "clientCertificateData", NULL));
    const char *key = node_text(node_get(st, "clientKeyData", NULL));
    const char *exp = node_text(node_get(st, "expirationTimestamp", NULL));
    if (!kind || strcmp(kind, "ExecCredential")) {
        err_set("%s: %s printed kind \"%s\", not ExecCredential", x->where, x->command, kind ? kind : "");
    } else if (!av || strcmp(av, x->api_version)) {
        err_set("%s: %s returned apiVersion \"%s\", but the kubeconfig asks for %s", x->where, x->command,
                av ? av : "", x->api_version);
    } else if (!st || st->kind != N_MAP) {
        err_set("%s: %s returned no status", x->where, x->command);
    } else if ((!tok || !*tok) && (!cert || !*cert || !key || !*key)) {
        err_set("%s: %s returned neither status.token nor status.clientCertificateData and clientKeyData",
                x->where, x->command);
    } else if (exp && *exp && parse_rfc3339(exp, &k->expiry) < 0) {
        err_set("%s: %s returned an invalid status.expirationTimestamp \"%s\"", x->where, x->command, exp);
    } else {
        if (!exp || !*exp) k->expiry = 0;
        wipe(&k->token);
        wipe(&k->cert);
        wipe(&k->key);
        if (tok) sb_adds(&k->token, tok);
        if (cert && *cert && key && *key) {
            sb_adds(&k->cert, cert);
            sb_adds(&k->key, key);
            if (k->m) http_multi_set_client_cert(k->m, k->cert.buf, k->cert.len, k->key.buf, k->key.len);
        }
        k->have = 1;
        rc = 0;
    }
done:
    arena_free(a);
    return rc;
}

static int run_exec(kube_auth *k)
{
    const kube_exec *x = k->cfg->exec;
    int tty = isatty(0);
    const char *mode = x->interactive_mode ? x->interactive_mode : "IfAvailable";
    if (!strcmp(mode, "Always") && !tty)
        return err_set("%s: %s needs an interactive terminal (interactiveMode: Always), and stdin is not one",
                       x->where, x->command);
    size_t na = 0, ne = 0;
    while (x->args[na]) na++;
    while (x->env[ne]) ne++;
    const char **argv = calloc(na + 2, sizeof *argv), **env = calloc(ne + 2, sizeof *env);
    argv[0] = x->command;
    memcpy(argv + 1, x->args, na * sizeof *argv);
    memcpy(env, x->env, ne * sizeof *env);
    strbuf info = STRBUF_INIT, out = STRBUF_INIT, errout = STRBUF_INIT;
    /* stdin is /dev/null (runcmd): the plugin is never interactive. */
    exec_info(k->cfg, x, 0, &info);
    env[ne] = info.buf;
    runcmd c = {.argv = argv, .env = env, .timeout_s = EXEC_TIMEOUT_S, .out = &out, .err = &errout};
    int why = RUNCMD_OK;
    int rc = runcmd_run(&c, &why);
    k->runs++;
    /* The plugin's own messages (login hints) reach the user, as with kubectl. */
    if (errout.len) fwrite(errout.buf, 1, errout.len, stderr);
    int ret = rc != 0 ? exec_failed(x, rc, why, &errout) : exec_parse(k, x, &out);
    free(argv);
    free(env);
    wipe(&info);
    wipe(&out);
    sb_release(&errout);
    return ret;
}

/* A failed plugin is not run again for every queued request: they all fail
 * with its message. */
static int exec_credential(kube_auth *k, int refresh)
{
    if (k->failure.len) return err_set("%s", k->failure.buf);
    if (k->have && !refresh && (!k->expiry || time(NULL) < k->expiry)) return 0;
    k->have = 0;
    if (run_exec(k) == 0) return 0;
    sb_adds(&k->failure, err_msg());
    return -1;
}

/* ---- headers -------------------------------------------------------------- */

int kube_auth_headers(void *ud, strbuf *hdrs, int refresh)
{
    kube_auth *k = ud;
    const kube_config *c = k->cfg;
    int refreshable = 0;
    const char *bearer = NULL;
    if (c->token) {
        bearer = c->token;
    } else if (c->token_file) {
        if (read_token_file(k, refresh) < 0) return -1;
        bearer = k->token.buf;
        refreshable = 1;
    } else if (c->exec) {
        if (exec_credential(k, refresh) < 0) return -1;
        if (k->token.len) bearer = k->token.buf;
        refreshable = 1;
    }
    if (bearer) sb_addf(hdrs, "Authorization: Bearer %s\n", bearer);
    if (c->as_user) sb_addf(hdrs, "Impersonate-User: %s\n", c->as_user);
    for (const char *const *g = c->as_groups; g && *g; g++) sb_addf(hdrs, "Impersonate-Group: %s\n", *g);
    return refreshable;
}
