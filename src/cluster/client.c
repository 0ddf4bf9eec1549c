/* The API client: calls over core/http.c's multi interface, their outcomes
 * turned into results whose error text names the object and carries the
 * server's Status (reason, message, causes); server-side apply, get,
 * delete, paged metadata-only lists and watches on top. */
#include "cluster.h"
#include "json.h"
#include "err.h"
#include "http.h"
#include "kubeconfig.h"
#include "kyaml.h"
#include "version.h"
#include <stdlib.h>
#include <string.h>

struct cluster {
    arena *a;                   /* configuration and messages kept for cluster_do */
    kube_config cfg;
    kube_auth *auth;
    http_multi *m;
    long timeout_ms;
    const char *base;           /* URL prefix of requests (the server, or its tls-server-name) */
    struct cluster_disc *disc;
    struct call *calls;         /* every call alive, freed with the cluster */
    size_t sent[8];             /* requests sent, by verb (verbs[]) */
    char *ns_set;               /* cluster_set_namespace's copy */
};

static const char *const verbs[] = {"GET", "LIST", "WATCH", "PATCH", "DELETE", "POST", "PUT", "other"};

static int verb_index(const char *v)
{
    for (int i = 0; i < 7; i++)
        if (!strcmp(verbs[i], v)) return i;
    return 7;
}

size_t cluster_requests(const cluster *c, const char *verb)
{
    size_t n = 0;
    for (int i = 0; i < 8; i++)
        if (!verb || !strcmp(verb, verbs[i])) n += c->sent[i];
    return n;
}

enum call_kind { C_PLAIN, C_LIST, C_WATCH, C_SYNC };

/* One submitted call, alive until its last callback returned. */
struct call {
    struct call *prev, *next;   /* in cluster.calls */
    cluster *c;
    enum call_kind kind;
    int verb;                   /* index in verbs[] */
    char *what;
    arena *a;
    cluster_cb cb;
    cluster_page_cb page_cb;
    cluster_event_cb event_cb;
    void *ud;
    http_xfer *x;
    /* list: the request to repeat with the next continue token */
    char *path, *accept;
    /* watch: a partial line */
    strbuf line;
    /* sync: where the outcome goes */
    cluster_result *res_out;
    strbuf *body_out;
    int done;
};

struct cluster_disc **cluster_disc_slot(cluster *c)
{
    return &c->disc;
}

static void call_free(struct call *k);

/* ---- opening ------------------------------------------------------------ */

/* tls-server-name: requests name that host, so that TLS (SNI and the
 * certificate check) uses it, while libcurl connects to the server's host. */
static const char *tls_server_name(cluster *c, const char **connect_to)
{
    const char *s = c->cfg.server, *hp = strstr(s, "://") + 3;
    size_t n = strcspn(hp, "/");
    const char *close = hp[0] == '[' ? memchr(hp, ']', n) : NULL;
    const char *colon = close ? (close[1] == ':' ? close + 1 : NULL) : memchr(hp, ':', n);
    size_t hostlen = colon ? (size_t)(colon - hp) : n;
    const char *port = colon ? arena_strndup(c->a, colon + 1, (size_t)(hp + n - colon - 1))
                             : (!strncmp(s, "https", 5) ? "443" : "80");
    const char *name = c->cfg.tls_server_name;
    *connect_to = arena_printf(c->a, "%s:%s:%.*s:%s", name, port, (int)hostlen, hp, port);
    return arena_printf(c->a, "%.*s%s:%s%s", (int)(hp - s), s, name, port, hp + n);
}

cluster *cluster_open(const cluster_flags *f)
{
    cluster *c = calloc(1, sizeof *c);
    c->a = arena_new();
    if (kube_config_load(c->a, f, &c->cfg) < 0) {
        arena_free(c->a);
        free(c);
        return NULL;
    }
    c->timeout_ms = f->request_timeout_ms;
    c->auth = kube_auth_new(&c->cfg);
    const char *connect_to = NULL;
    c->base = c->cfg.tls_server_name ? tls_server_name(c, &connect_to) : c->cfg.server;
    http_request conn = {
        .ca_pem = c->cfg.ca_pem,
        .ca_pem_len = c->cfg.ca_len,
        .cert_pem = c->cfg.cert_pem,
        .cert_pem_len = c->cfg.cert_len,
        .key_pem = c->cfg.key_pem,
        .key_pem_len = c->cfg.key_len,
        .insecure = c->cfg.insecure,
        .proxy = c->cfg.proxy_url,
        .no_compression = c->cfg.no_compression,
        .no_redirects = 1,
        .connect_to = connect_to,
    };
    c->m = http_multi_new(&conn, f->concurrency > 0 ? f->concurrency : CLUSTER_DEFAULT_CONCURRENCY,
                          kube_auth_headers, c->auth);
    if (!c->m) {
        cluster_close(c);
        return NULL;
    }
    kube_auth_bind(c->auth, c->m);
    return c;
}

void cluster_close(cluster *c)
{
    if (!c) return;
    /* Calls still pending are dropped without their callbacks. */
    http_multi_free(c->m);
    while (c->calls) call_free(c->calls);
    kube_auth_free(c->auth);
    cluster_disc_free(c->disc);
    arena_free(c->a);
    free(c->ns_set);
    free(c);
}

const char *cluster_server(const cluster *c) { return c->cfg.server; }
const char *cluster_context(const cluster *c) { return c->cfg.context; }
const char *cluster_namespace(const cluster *c) { return c->cfg.ns; }
int cluster_namespace_from_flag(const cluster *c) { return c->cfg.ns_from_flag; }

void cluster_set_namespace(cluster *c, const char *ns)
{
    char *copy = strdup(ns);
    if (!copy) abort();
    free(c->ns_set);
    c->cfg.ns = c->ns_set = copy;
    c->cfg.ns_from_flag = 1;
}
size_t cluster_pending(const cluster *c) { return http_multi_pending(c->m); }

size_t cluster_step(cluster *c, long timeout_ms)
{
    return http_multi_step(c->m, timeout_ms);
}

void cluster_run(cluster *c)
{
    while (http_multi_step(c->m, -1)) {}
}

/* ---- results --------------------------------------------------------------- */

int cluster_parse_json(arena *a, const char *what, const char *body, size_t len, node **out)
{
    *out = NULL;
    /* The API server answers JSON: the project's encoding/json reader
     * (src/yaml/json.c, there for JSON patches) reads it several times
     * faster than libyaml's scanner; anything else (a proxy's text) goes
     * through the YAML loader. */
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t')) i++;
    int rc = i < len && (body[i] == '{' || body[i] == '[') ? json_load(a, arena_strdup(a, what), body, len, out)
                                                           : yaml_load_one(a, arena_strdup(a, what), body, len, out);
    return rc < 0 ? err_prefix("malformed response") : 0;
}

static const char *status_text(long code)
{
    switch (code) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
    }
}

/* Appends the causes the message does not already spell out. */
static void add_causes(strbuf *out, const node *status)
{
    const node *causes = node_get(status, "details", "causes", NULL);
    const char *msg = node_get_str(status, "message", NULL);
    if (!causes || causes->kind != N_SEQ) return;
    for (uint32_t i = 0; i < causes->u.seq.n; i++) {
        const char *field = node_get_str(causes->u.seq.items[i], "field", NULL);
        const char *m = node_get_str(causes->u.seq.items[i], "message", NULL);
        if (!m || (msg && strstr(msg, m))) continue;
        sb_addf(out, "; %s%s%s", field ? field : "", field ? ": " : "", m);
    }
}

/* "WHAT: 409 Conflict: MESSAGE; field: cause" from a Status (or any body). */
static void error_text(cluster *c, const char *what, long status, const node *st, const char *body, size_t len,
                       strbuf *out)
{
    const char *msg = node_get_str(st, "message", NULL);
    sb_addf(out, "%s: %ld %s", what, status, status_text(status));
    if (msg && *msg) {
        sb_addf(out, ": %s", msg);
        add_causes(out, st);
    } else if (len) { /* not a Status: the first line of whatever came */
        size_t n = strcspn(body, "\n");
        if (n > len) n = len;
        sb_addf(out, ": %.*s", (int)(n > 200 ? 200 : n), body);
    }
    if (status == 401)
        sb_addf(out, " (the server rejected the credentials of %s%s%s, from %s)",
                c->cfg.user_name ? "user \"" : "the configured user", c->cfg.user_name ? c->cfg.user_name : "",
                c->cfg.user_name ? "\"" : "", c->cfg.origin);
}

static void transport_text(cluster *c, const char *what, const http_result *r, strbuf *out)
{
    if (r->auth_failed)
        sb_addf(out, "%s: getting credentials: %s", what, r->error);
    else if (r->not_sent)
        sb_addf(out, "%s: cannot reach the API server %s: %s", what, c->cfg.server, r->error ? r->error : "");
    else /* sent, but no (complete) answer: it may or may not have been applied */
        sb_addf(out, "%s: no answer from the API server %s: %s", what, c->cfg.server, r->error ? r->error : "");
    if (r->attempts > 1) sb_addf(out, " (after %d attempts)", r->attempts);
    if (r->error && strstr(r->error, "SSL certificate problem"))
        sb_adds(out, " (the server's certificate is not trusted: check the cluster's certificate-authority)");
}

/* Fills res from the HTTP outcome; strings live in msgs and (json) in a. */
static void make_result(struct call *k, const http_result *r, arena *a, cluster_result *res, strbuf *msgs,
                        strbuf *reason)
{
    memset(res, 0, sizeof *res);
    res->status = r->status;
    res->body = r->body;
    res->body_len = r->body_len;
    res->attempts = r->attempts;
    res->reason = "";
    if (!r->status) {
        transport_text(k->c, k->what, r, msgs);
        res->error = msgs->buf;
        return;
    }
    node *doc = NULL;
    int ok = r->status >= 200 && r->status < 300;
    if (a && r->body_len && (r->body[0] == '{' || r->body[0] == '[')) {
        if (cluster_parse_json(a, k->what, r->body, r->body_len, &doc) == 0) res->json = doc;
        else if (ok) {
            sb_addf(msgs, "%s: %s", k->what, err_msg());
            res->error = msgs->buf;
            return;
        }
    }
    if (ok) return;
    arena *tmp = NULL;
    if (!doc && r->body_len && r->body[0] == '{') {
        tmp = arena_new();
        if (cluster_parse_json(tmp, k->what, r->body, r->body_len, &doc) < 0) doc = NULL;
    }
    const char *why = node_get_str(doc, "reason", NULL);
    if (why) sb_adds(reason, why);
    res->reason = reason->len ? reason->buf : "";
    error_text(k->c, k->what, r->status, doc, r->body, r->body_len, msgs);
    if (r->attempts > 1) sb_addf(msgs, " (after %d attempts)", r->attempts);
    res->error = msgs->buf;
    if (tmp) arena_free(tmp);
}

static void call_free(struct call *k)
{
    if (k->prev) k->prev->next = k->next;
    else k->c->calls = k->next;
    if (k->next) k->next->prev = k->prev;
    free(k->what);
    free(k->path);
    free(k->accept);
    sb_release(&k->line);
    free(k);
}

/* ---- submitting ------------------------------------------------------------ */

static void on_done(void *ud, const http_result *r);
static int on_stream(void *ud, const char *data, size_t len);

static http_xfer *send_call(struct call *k, const cluster_call *call)
{
    cluster *c = k->c;
    strbuf url = STRBUF_INIT, acc = STRBUF_INIT, ct = STRBUF_INIT;
    sb_addf(&url, "%s%s", c->base, call->path);
    sb_addf(&acc, "Accept: %s", call->accept ? call->accept : "application/json");
    if (call->content_type) sb_addf(&ct, "Content-Type: %s", call->content_type);
    const char *headers[] = {acc.buf, "User-Agent: kgrender/" KGRENDER_VERSION, ct.len ? ct.buf : NULL, NULL};
    http_call hc = {
        .method = call->method,
        .url = url.buf,
        .headers = headers,
        .body = call->body,
        .body_len = call->body_len,
        .timeout_ms = call->timeout_ms ? call->timeout_ms : c->timeout_ms,
        .idempotent = call->idempotent,
        .on_data = k->kind == C_WATCH ? on_stream : NULL,
        .done = on_done,
        .ud = k,
    };
    k->verb = k->kind == C_LIST ? 1 : k->kind == C_WATCH ? 2 : verb_index(call->method ? call->method : "GET");
    k->x = http_multi_add(c->m, &hc);
    sb_release(&url);
    sb_release(&acc);
    sb_release(&ct);
    return k->x;
}

static struct call *new_call(cluster *c, enum call_kind kind, const cluster_call *call)
{
    struct call *k = calloc(1, sizeof *k);
    k->c = c;
    k->kind = kind;
    k->what = strdup(call->what ? call->what : call->path);
    k->a = call->arena;
    k->next = c->calls;
    if (c->calls) c->calls->prev = k;
    c->calls = k;
    return k;
}

int cluster_submit(cluster *c, const cluster_call *call, cluster_cb cb, void *ud)
{
    struct call *k = new_call(c, C_PLAIN, call);
    k->cb = cb;
    k->ud = ud;
    send_call(k, call);
    return 0;
}

int cluster_do_all(cluster *c, const cluster_call *calls, size_t n, cluster_result *res, strbuf *bodies)
{
    struct call **ks = calloc(n ? n : 1, sizeof *ks);
    for (size_t i = 0; i < n; i++) {
        ks[i] = new_call(c, C_SYNC, &calls[i]);
        ks[i]->res_out = &res[i];
        ks[i]->body_out = bodies ? &bodies[i] : NULL;
        send_call(ks[i], &calls[i]);
    }
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        http_multi_wait(c->m, ks[i]->x);
        failed += res[i].error != NULL;
        call_free(ks[i]);
    }
    free(ks);
    return failed;
}

int cluster_do(cluster *c, const cluster_call *call, cluster_result *res, strbuf *body_out)
{
    cluster_result tmp;
    if (!res) res = &tmp;
    if (cluster_do_all(c, call, 1, res, body_out)) return err_set("%s", res->error);
    return 0;
}

/* ---- completions ------------------------------------------------------------ */

static void list_next(struct call *k, const cluster_result *res);

static void on_done(void *ud, const http_result *r)
{
    struct call *k = ud;
    strbuf msgs = STRBUF_INIT, reason = STRBUF_INIT;
    cluster_result res;
    arena *a = k->a;
    k->c->sent[k->verb] += (size_t)r->attempts;
    if (k->kind == C_LIST && !a) a = arena_new(); /* the continue token must be read */
    make_result(k, r, a, &res, &msgs, &reason);
    if (k->kind == C_WATCH && r->cancelled) res.error = NULL;
    switch (k->kind) {
    case C_SYNC:
        *k->res_out = res;
        k->res_out->body = NULL;
        if (k->body_out) sb_add(k->body_out, r->body ? r->body : "", r->body_len);
        if (res.error) k->res_out->error = arena_strdup(k->c->a, res.error);
        k->res_out->reason = arena_strdup(k->c->a, res.reason);
        break;
    case C_LIST:
        if (a != k->a) { /* list_next may free k */
            list_next(k, &res);
            arena_free(a);
        } else {
            list_next(k, &res);
        }
        sb_release(&msgs);
        sb_release(&reason);
        return; /* list_next frees k when the list ends */
    default:
        if (k->cb) k->cb(k->c, &res, k->ud);
        break;
    }
    sb_release(&msgs);
    sb_release(&reason);
    if (k->kind != C_SYNC) call_free(k);
}

/* ---- paths ------------------------------------------------------------------ */

void cluster_escape(strbuf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
            ch == '.' || ch == '_' || ch == '~')
            sb_addc(out, (char)ch);
        else
            sb_addc(out, '%'), sb_addc(out, hex[ch >> 4]), sb_addc(out, hex[ch & 15]);
    }
}

void cluster_path(strbuf *out, const cluster_resource *res, const char *ns, const char *name)
{
    if (!*res->group) sb_addf(out, "/api/%s", res->version);
    else sb_addf(out, "/apis/%s/%s", res->group, res->version);
    if (res->namespaced && ns) {
        sb_adds(out, "/namespaces/");
        cluster_escape(out, ns);
    }
    sb_addc(out, '/');
    sb_adds(out, res->name);
    if (name) {
        sb_addc(out, '/');
        cluster_escape(out, name);
    }
}

void cluster_ref_str(strbuf *out, const cluster_ref *ref)
{
    sb_adds(out, ref->res->kind);
    sb_addc(out, ' ');
    if (ref->ns) sb_addf(out, "%s/", ref->ns);
    sb_adds(out, ref->name);
}

/* ---- the calls apply needs --------------------------------------------------- */

static int ref_call(cluster *c, const cluster_ref *ref, const char *method, const char *query, const void *body,
                    size_t len, const char *ctype, arena *a, cluster_cb cb, void *ud)
{
    strbuf path = STRBUF_INIT, what = STRBUF_INIT;
    cluster_path(&path, ref->res, ref->ns, ref->name);
    if (query && *query) sb_addf(&path, "?%s", query);
    cluster_ref_str(&what, ref);
    cluster_call call = {
        .method = method,
        .path = path.buf,
        .content_type = ctype,
        .body = body,
        .body_len = len,
        .what = what.buf,
        .idempotent = 1,
        .arena = a,
    };
    int rc = cluster_submit(c, &call, cb, ud);
    sb_release(&path);
    sb_release(&what);
    return rc;
}

int cluster_apply(cluster *c, const cluster_ref *ref, const char *field_manager, const void *body, size_t len,
                  unsigned flags, arena *a, cluster_cb cb, void *ud)
{
    strbuf q = STRBUF_INIT;
    sb_adds(&q, "fieldManager=");
    cluster_escape(&q, field_manager && *field_manager ? field_manager : "kgrender");
    if (flags & CLUSTER_FORCE) sb_adds(&q, "&force=true");
    if (flags & CLUSTER_DRY_RUN) sb_adds(&q, "&dryRun=All");
    if (flags & CLUSTER_STRICT) sb_adds(&q, "&fieldValidation=Strict");
    /* Server-side apply is idempotent: the same patch gives the same object. */
    int rc = ref_call(c, ref, "PATCH", q.buf, body, len, "application/apply-patch+yaml", a, cb, ud);
    sb_release(&q);
    return rc;
}

int cluster_get(cluster *c, const cluster_ref *ref, arena *a, cluster_cb cb, void *ud)
{
    return ref_call(c, ref, "GET", NULL, NULL, 0, NULL, a, cb, ud);
}

int cluster_delete(cluster *c, const cluster_ref *ref, const char *propagation, unsigned flags, arena *a,
                   cluster_cb cb, void *ud)
{
    strbuf q = STRBUF_INIT;
    if (propagation) sb_addf(&q, "propagationPolicy=%s", propagation);
    if (flags & CLUSTER_DRY_RUN) sb_addf(&q, "%sdryRun=All", q.len ? "&" : "");
    int rc = ref_call(c, ref, "DELETE", q.buf, NULL, 0, NULL, a, cb, ud);
    sb_release(&q);
    return rc;
}

/* ---- paged metadata-only lists ----------------------------------------------- */

#define META_LIST_ACCEPT "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
enum { LIST_PAGE = 500 };

static void list_send(struct call *k, const char *cont)
{
    strbuf path = STRBUF_INIT;
    sb_adds(&path, k->path);
    if (cont && *cont) {
        sb_adds(&path, "&continue=");
        cluster_escape(&path, cont);
    }
    cluster_call call = {.method = "GET", .path = path.buf, .accept = k->accept, .idempotent = 1};
    send_call(k, &call);
    sb_release(&path);
}

static void list_next(struct call *k, const cluster_result *res)
{
    const char *cont = res->error ? NULL : node_get_str(res->json, "metadata", "continue", NULL);
    int more = cont && *cont;
    char *next = more ? strdup(cont) : NULL;
    k->page_cb(k->c, res, more, k->ud);
    if (more) list_send(k, next);
    else call_free(k);
    free(next);
}

int cluster_list_meta(cluster *c, const cluster_resource *res, const char *ns, const char *label_selector,
                      arena *a, cluster_page_cb cb, void *ud)
{
    strbuf path = STRBUF_INIT, what = STRBUF_INIT;
    cluster_path(&path, res, ns, NULL);
    sb_addf(&path, "?limit=%d", LIST_PAGE);
    if (label_selector && *label_selector) {
        sb_adds(&path, "&labelSelector=");
        cluster_escape(&path, label_selector);
    }
    sb_addf(&what, "%s list%s%s", res->name, ns && res->namespaced ? " in namespace " : "",
            ns && res->namespaced ? ns : "");
    cluster_call call = {.path = path.buf, .what = what.buf, .arena = a};
    struct call *k = new_call(c, C_LIST, &call);
    k->page_cb = cb;
    k->ud = ud;
    k->path = sb_detach(&path, NULL);
    k->accept = strdup(META_LIST_ACCEPT);
    list_send(k, NULL);
    sb_release(&what);
    return 0;
}

/* ---- watches --------------------------------------------------------------------- */

/* One event per line: {"type": "...", "object": {...}}. */
static int watch_line(struct call *k, const char *p, size_t n)
{
    if (!n) return 0;
    arena *a = arena_new();
    node *ev = NULL;
    int stop = 0;
    if (cluster_parse_json(a, k->what, p, n, &ev) < 0 || !ev || ev->kind != N_MAP) {
        warnf("%s: ignoring a malformed watch event", k->what);
    } else {
        const char *type = node_get_str(ev, "type", NULL);
        stop = k->event_cb(k->c, type ? type : "", map_get(ev, "object"), k->ud);
    }
    arena_free(a);
    return stop;
}

static int on_stream(void *ud, const char *data, size_t len)
{
    struct call *k = ud;
    sb_add(&k->line, data, len);
    size_t start = 0;
    int stop = 0;
    for (size_t i = 0; i < k->line.len && !stop; i++)
        if (k->line.buf[i] == '\n') {
            stop = watch_line(k, k->line.buf + start, i - start);
            start = i + 1;
        }
    memmove(k->line.buf, k->line.buf + start, k->line.len - start);
    k->line.len -= start;
    k->line.buf[k->line.len] = 0;
    return stop;
}

cluster_watch *cluster_watch_start(cluster *c, const cluster_resource *res, const char *ns,
                                   const char *field_name, const char *label_selector,
                                   const char *resource_version, int timeout_s, cluster_event_cb on_event,
                                   cluster_cb done, void *ud)
{
    strbuf path = STRBUF_INIT, what = STRBUF_INIT;
    if (timeout_s <= 0) timeout_s = 300;
    cluster_path(&path, res, ns, NULL);
    sb_addf(&path, "?watch=1&allowWatchBookmarks=true&timeoutSeconds=%d", timeout_s);
    if (resource_version && *resource_version) {
        sb_adds(&path, "&resourceVersion=");
        cluster_escape(&path, resource_version);
    }
    if (field_name && *field_name) {
        sb_adds(&path, "&fieldSelector=");
        strbuf sel = STRBUF_INIT;
        sb_addf(&sel, "metadata.name=%s", field_name);
        cluster_escape(&path, sel.buf);
        sb_release(&sel);
    }
    if (label_selector && *label_selector) {
        sb_adds(&path, "&labelSelector=");
        cluster_escape(&path, label_selector);
    }
    sb_addf(&what, "watch of %s%s%s", res->name, ns && res->namespaced ? " in namespace " : "",
            ns && res->namespaced ? ns : "");
    /* The server ends the stream after timeoutSeconds; the client allows a margin. */
    cluster_call call = {.path = path.buf, .what = what.buf, .idempotent = 1, .timeout_ms = (timeout_s + 30) * 1000L};
    struct call *k = new_call(c, C_WATCH, &call);
    k->event_cb = on_event;
    k->cb = done;
    k->ud = ud;
    send_call(k, &call);
    sb_release(&path);
    sb_release(&what);
    return (cluster_watch *)k;
}

void cluster_watch_stop(cluster *c, cluster_watch *w)
{
    struct call *k = (struct call *)w;
    http_multi_cancel(c->m, k->x);
}
