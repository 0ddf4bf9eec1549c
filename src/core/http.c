#include "http.h"
#include "err.h"
#define CURL_DISABLE_TYPECHECK /* calls go through the pointers below */
#include <curl/curl.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* libcurl is loaded on first use rather than linked: its dependency tree
 * costs every run about 3 ms of dynamic loading (measured: a program that
 * only links it starts in 4.4 ms instead of 1.3 ms), and most builds never
 * fetch anything. */
static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    void (*easy_reset)(CURL *);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned, int, int *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    CURLMcode (*multi_cleanup)(CURLM *);
} lc;

#undef curl_easy_setopt /* curl.h's own wrappers for these three */
#undef curl_easy_getinfo
#undef curl_multi_setopt
#define curl_global_init lc.global_init
#define curl_easy_init lc.easy_init
#define curl_easy_setopt lc.easy_setopt
#define curl_easy_perform lc.easy_perform
#define curl_easy_getinfo lc.easy_getinfo
#define curl_easy_cleanup lc.easy_cleanup
#define curl_easy_strerror lc.easy_strerror
#define curl_slist_append lc.slist_append
#define curl_slist_free_all lc.slist_free_all
#define curl_easy_reset lc.easy_reset
#define curl_multi_init lc.multi_init
#define curl_multi_setopt lc.multi_setopt
#define curl_multi_add_handle lc.multi_add_handle
#define curl_multi_remove_handle lc.multi_remove_handle
#define curl_multi_perform lc.multi_perform
#define curl_multi_poll lc.multi_poll
#define curl_multi_info_read lc.multi_info_read
#define curl_multi_cleanup lc.multi_cleanup

static int curl_load(void)
{
    void *h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!h) return -1;
    static const char *const names[] = {
        "curl_global_init",   "curl_easy_init",      "curl_easy_setopt",        "curl_easy_perform",
        "curl_easy_getinfo",  "curl_easy_cleanup",   "curl_easy_strerror",      "curl_slist_append",
        "curl_slist_free_all", "curl_easy_reset",    "curl_multi_init",         "curl_multi_setopt",
        "curl_multi_add_handle", "curl_multi_remove_handle", "curl_multi_perform", "curl_multi_poll",
        "curl_multi_info_read", "curl_multi_cleanup"};
    void **slots[] = {(void **)&lc.global_init,      (void **)&lc.easy_init,          (void **)&lc.easy_setopt,
                      (void **)&lc.easy_perform,     (void **)&lc.easy_getinfo,       (void **)&lc.easy_cleanup,
                      (void **)&lc.easy_strerror,    (void **)&lc.slist_append,       (void **)&lc.slist_free_all,
                      (void **)&lc.easy_reset,       (void **)&lc.multi_init,         (void **)&lc.multi_setopt,
                      (void **)&lc.multi_add_handle, (void **)&lc.multi_remove_handle, (void **)&lc.multi_perform,
                      (void **)&lc.multi_poll,       (void **)&lc.multi_info_read,    (void **)&lc.multi_cleanup};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!(*slots[i] = dlsym(h, names[i]))) return -1;
    return 0;
}

struct sink {
    strbuf *body;
    size_t max, got;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    struct sink *s = ud;
    size_t len = size * n;
    s->got += len;
    if (s->got > s->max) return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    sb_add(s->body, p, len);
    return len;
}

void http_redact_url(const char *url, strbuf *out)
{
    const char *scheme = strstr(url, "://");
    const char *host = scheme ? scheme + 3 : url;
    size_t hostlen = strcspn(host, "/?#");
    const char *at = memchr(host, '@', hostlen);
    if (!at) {
        sb_adds(out, url);
        return;
    }
    sb_add(out, url, (size_t)(host - url));
    sb_adds(out, at + 1);
}

static int curl_ready(void)
{
    static int done, rc;
    if (!done) {
        rc = curl_load() == 0 && curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
        done = 1;
    }
    return rc;
}

static void set_blob(CURL *c, CURLoption opt, const char *data, size_t len)
{
    struct curl_blob b = {.data = (void *)data, .len = len ? len : strlen(data), .flags = CURL_BLOB_COPY};
    curl_easy_setopt(c, opt, &b);
}

static void set_tls(CURL *c, const http_request *r)
{
    if (r->ca_file) curl_easy_setopt(c, CURLOPT_CAINFO, r->ca_file);
    if (r->ca_pem) set_blob(c, CURLOPT_CAINFO_BLOB, r->ca_pem, r->ca_pem_len);
    if (r->cert_file) curl_easy_setopt(c, CURLOPT_SSLCERT, r->cert_file);
    if (r->key_file) curl_easy_setopt(c, CURLOPT_SSLKEY, r->key_file);
    if (r->cert_pem) {
        curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
        set_blob(c, CURLOPT_SSLCERT_BLOB, r->cert_pem, r->cert_pem_len);
    }
    if (r->key_pem) {
        curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
        set_blob(c, CURLOPT_SSLKEY_BLOB, r->key_pem, r->key_pem_len);
    }
    if (r->insecure) {
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (r->proxy) curl_easy_setopt(c, CURLOPT_PROXY, r->proxy);
}

/* The connect-to list lives as long as the handle's request: *list is freed by the caller. */
static void set_connect_to(CURL *c, const http_request *r, struct curl_slist **list)
{
    if (!r->connect_to) return;
    *list = curl_slist_append(*list, r->connect_to);
    curl_easy_setopt(c, CURLOPT_CONNECT_TO, *list);
}

static void set_request(CURL *c, const http_request *r, struct curl_slist **hdrs)
{
    curl_easy_setopt(c, CURLOPT_URL, r->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, r->no_redirects ? 0L : 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, r->no_compression ? NULL : "");
    curl_easy_setopt(c, CURLOPT_USERAGENT, "kgrender");
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, r->connect_timeout_ms ? r->connect_timeout_ms : 10000L);
    if (r->timeout_ms) curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, r->timeout_ms);
    if (r->method && strcmp(r->method, "GET")) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r->method);
    if (r->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
    }
    for (const char *const *h = r->headers; h && *h; h++) *hdrs = curl_slist_append(*hdrs, *h);
    if (*hdrs) curl_easy_setopt(c, CURLOPT_HTTPHEADER, *hdrs);
}

int http_do(const http_request *r, long *status, strbuf *body)
{
    strbuf shown = STRBUF_INIT;
    http_redact_url(r->url, &shown);
    if (curl_ready() < 0) {
        err_set("%s: cannot load or initialise libcurl (libcurl.so.4)", shown.buf);
        sb_release(&shown);
        return -1;
    }
    CURL *c = curl_easy_init();
    struct curl_slist *hdrs = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    struct sink s = {body, r->max_body ? r->max_body : (size_t)1 << 30, 0};
    struct curl_slist *connect_to = NULL;
    set_request(c, r, &hdrs);
    set_tls(c, r);
    set_connect_to(c, r, &connect_to);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    CURLcode rc = curl_easy_perform(c);
    int ret = 0;
    if (rc == CURLE_WRITE_ERROR && s.got > s.max) {
        ret = err_set("%s: response larger than %zu bytes", shown.buf, s.max);
    } else if (rc != CURLE_OK) {
        ret = err_set("%s: %s", shown.buf, errbuf[0] ? errbuf : curl_easy_strerror(rc));
    } else {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    }
    curl_slist_free_all(hdrs);
    curl_slist_free_all(connect_to);
    curl_easy_cleanup(c);
    sb_release(&shown);
    return ret;
}

int http_get(const char *url, long *status, strbuf *body)
{
    http_request r = {.url = url, .timeout_ms = 120000};
    return http_do(&r, status, body);
}

/* ---- many requests in flight ------------------------------------------- */

enum xstate { X_QUEUED, X_ACTIVE, X_DELAYED, X_FINISHED };

struct xlist {
    http_xfer *head, *tail;
    size_t n;
};

struct http_xfer {
    http_multi *m;
    http_xfer *prev, *next;     /* in the list of its state */
    enum xstate state;
    CURL *easy;
    struct curl_slist *hdrs, *connect_to;
    char *method, *url;
    char **headers;
    char *body;
    size_t body_len;
    long timeout_ms;
    int idempotent;
    http_data_fn on_data;
    http_done_fn done;
    void *ud;
    strbuf resp;                /* the body, or streamed data not delivered yet */
    size_t got;
    double due;                 /* X_DELAYED: when to start again */
    long retry_after_ms;        /* from the last response's Retry-After */
    int attempts, refreshable, refreshed, stop, cancelled, too_big, not_sent, auth_failed;
    unsigned auth_gen;          /* the credential generation this attempt used */
    long status;
    CURLcode rc;
    char *error;
    char errbuf[CURL_ERROR_SIZE];
};

struct http_multi {
    CURLM *cm;
    http_request conn;          /* owned copies of the shared options */
    int limit;
    http_auth_fn auth;
    void *auth_ud;
    struct xlist queued, active, delayed, finished;
    int depth;                  /* > 0 inside http_multi_wait: callbacks are held back */
    unsigned auth_gen;          /* bumped when a 401 shows the credential is stale */
    int auth_refresh;           /* the next send refreshes the credential */
    CURL **pool;                /* reusable easy handles */
    size_t npool, cappool;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void xl_push(struct xlist *l, http_xfer *x)
{
    x->prev = l->tail;
    x->next = NULL;
    if (l->tail) l->tail->next = x;
    else l->head = x;
    l->tail = x;
    l->n++;
}

static void xl_unlink(struct xlist *l, http_xfer *x)
{
    if (x->prev) x->prev->next = x->next;
    else l->head = x->next;
    if (x->next) x->next->prev = x->prev;
    else l->tail = x->prev;
    x->prev = x->next = NULL;
    l->n--;
}

static struct xlist *xl_of(http_multi *m, enum xstate st)
{
    switch (st) {
    case X_QUEUED: return &m->queued;
    case X_ACTIVE: return &m->active;
    case X_DELAYED: return &m->delayed;
    default: return &m->finished;
    }
}

static void x_move(http_xfer *x, enum xstate st)
{
    xl_unlink(xl_of(x->m, x->state), x);
    x->state = st;
    xl_push(xl_of(x->m, st), x);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static char *dup_mem(const char *p, size_t n)
{
    if (!p) return NULL;
    if (!n) n = strlen(p);
    char *d = malloc(n + 1);
    memcpy(d, p, n);
    d[n] = 0;
    return d;
}

http_multi *http_multi_new(const http_request *conn, int max_inflight, http_auth_fn auth, void *auth_ud)
{
    if (curl_ready() < 0) {
        err_set("cannot load or initialise libcurl (libcurl.so.4)");
        return NULL;
    }
    http_multi *m = calloc(1, sizeof *m);
    m->cm = curl_multi_init();
    m->limit = max_inflight > 0 ? max_inflight : 1;
    m->auth = auth;
    m->auth_ud = auth_ud;
    m->conn.ca_file = dup_or_null(conn->ca_file);
    m->conn.ca_pem = dup_mem(conn->ca_pem, conn->ca_pem_len);
    m->conn.ca_pem_len = conn->ca_pem ? strlen(m->conn.ca_pem) : 0;
    m->conn.cert_file = dup_or_null(conn->cert_file);
    m->conn.key_file = dup_or_null(conn->key_file);
    m->conn.insecure = conn->insecure;
    m->conn.connect_timeout_ms = conn->connect_timeout_ms;
    m->conn.max_body = conn->max_body ? conn->max_body : (size_t)1 << 30;
    m->conn.proxy = dup_or_null(conn->proxy);
    m->conn.connect_to = dup_or_null(conn->connect_to);
    m->conn.no_compression = conn->no_compression;
    m->conn.no_redirects = conn->no_redirects;
    http_multi_set_client_cert(m, conn->cert_pem, conn->cert_pem_len, conn->key_pem, conn->key_pem_len);
    /* Many streams over few connections: a new request waits for a
     * connection that can multiplex rather than opening its own. */
    curl_multi_setopt(m->cm, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
    curl_multi_setopt(m->cm, CURLMOPT_MAX_HOST_CONNECTIONS, 4L);
    curl_multi_setopt(m->cm, CURLMOPT_MAX_CONCURRENT_STREAMS, 250L);
    return m;
}

void http_multi_set_client_cert(http_multi *m, const char *cert_pem, size_t cert_len, const char *key_pem,
                                size_t key_len)
{
    free((char *)m->conn.cert_pem);
    free((char *)m->conn.key_pem);
    m->conn.cert_pem = dup_mem(cert_pem, cert_len);
    m->conn.cert_pem_len = cert_pem ? (cert_len ? cert_len : strlen(cert_pem)) : 0;
    m->conn.key_pem = dup_mem(key_pem, key_len);
    m->conn.key_pem_len = key_pem ? (key_len ? key_len : strlen(key_pem)) : 0;
}

void http_multi_set_limit(http_multi *m, int max_inflight)
{
    m->limit = max_inflight > 0 ? max_inflight : 1;
}

size_t http_multi_pending(const http_multi *m)
{
    return m->queued.n + m->active.n + m->delayed.n + m->finished.n;
}

static void x_release_easy(http_xfer *x)
{
    http_multi *m = x->m;
    if (!x->easy) return;
    if (x->state == X_ACTIVE) curl_multi_remove_handle(m->cm, x->easy);
    if (m->npool == m->cappool) {
        m->cappool = m->cappool ? m->cappool * 2 : 16;
        m->pool = realloc(m->pool, m->cappool * sizeof *m->pool);
    }
    curl_easy_reset(x->easy);
    m->pool[m->npool++] = x->easy;
    x->easy = NULL;
    curl_slist_free_all(x->hdrs);
    curl_slist_free_all(x->connect_to);
    x->hdrs = x->connect_to = NULL;
}

static void x_free(http_xfer *x)
{
    x_release_easy(x);
    free(x->method);
    free(x->url);
    for (char **h = x->headers; h && *h; h++) free(*h);
    free(x->headers);
    free(x->body);
    free(x->error);
    sb_release(&x->resp);
    free(x);
}

void http_multi_free(http_multi *m)
{
    if (!m) return;
    struct xlist *lists[] = {&m->queued, &m->active, &m->delayed, &m->finished};
    for (size_t i = 0; i < 4; i++)
        while (lists[i]->head) {
            http_xfer *x = lists[i]->head;
            xl_unlink(lists[i], x);
            x_free(x);
        }
    for (size_t i = 0; i < m->npool; i++) curl_easy_cleanup(m->pool[i]);
    free(m->pool);
    curl_multi_cleanup(m->cm);
    free((char *)m->conn.ca_file);
    free((char *)m->conn.ca_pem);
    free((char *)m->conn.cert_file);
    free((char *)m->conn.key_file);
    free((char *)m->conn.cert_pem);
    free((char *)m->conn.key_pem);
    free((char *)m->conn.proxy);
    free((char *)m->conn.connect_to);
    free(m);
}

http_xfer *http_multi_add(http_multi *m, const http_call *call)
{
    http_xfer *x = calloc(1, sizeof *x);
    x->m = m;
    x->method = strdup(call->method ? call->method : "GET");
    x->url = strdup(call->url);
    size_t nh = 0;
    while (call->headers && call->headers[nh]) nh++;
    x->headers = calloc(nh + 1, sizeof *x->headers);
    for (size_t i = 0; i < nh; i++) x->headers[i] = strdup(call->headers[i]);
    if (call->body) {
        x->body = malloc(call->body_len + 1);
        memcpy(x->body, call->body, call->body_len);
        x->body_len = call->body_len;
    }
    x->timeout_ms = call->timeout_ms;
    x->idempotent = call->idempotent;
    x->on_data = call->on_data;
    x->done = call->done;
    x->ud = call->ud;
    x->state = X_QUEUED;
    xl_push(&m->queued, x);
    return x;
}

static size_t x_write(char *p, size_t size, size_t n, void *ud)
{
    http_xfer *x = ud;
    size_t len = size * n;
    if (x->stop || x->cancelled) return 0;
    x->got += len;
    if (!x->on_data && x->got > x->m->conn.max_body) {
        x->too_big = 1;
        return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
    }
    sb_add(&x->resp, p, len);
    return len;
}

/* Keeps Retry-After (seconds; the API server's form) of the last response. */
static size_t x_header(char *p, size_t size, size_t n, void *ud)
{
    http_xfer *x = ud;
    size_t len = size * n;
    if (len > 5 && !strncmp(p, "HTTP/", 5)) x->retry_after_ms = -1;
    if (len > 12 && !strncasecmp(p, "retry-after:", 12)) {
        char *end;
        long v = strtol(p + 12, &end, 10);
        if (end != p + 12 && v >= 0) x->retry_after_ms = (v > 60 ? 60 : v) * 1000;
    }
    return len;
}

static void x_fail(http_xfer *x, const char *msg)
{
    free(x->error);
    x->error = strdup(msg);
    x_release_easy(x);
    x_move(x, X_FINISHED);
}

/* Appends the authorization lines (one per '\n'-separated line of ah). */
static void add_lines(struct curl_slist **hdrs, const strbuf *ah)
{
    const char *p = ah->buf, *end = ah->buf + ah->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n) {
            char *line = dup_mem(p, n);
            *hdrs = curl_slist_append(*hdrs, line);
            free(line);
        }
        p += n + 1;
    }
}

static void x_start(http_xfer *x)
{
    http_multi *m = x->m;
    sb_reset(&x->resp);
    x->got = 0;
    x->retry_after_ms = -1;
    x->status = 0;
    x->errbuf[0] = 0;
    x->attempts++;
    strbuf ah = STRBUF_INIT;
    if (m->auth) {
        /* One refresh per stale credential, however many calls saw the 401. */
        int r = m->auth(m->auth_ud, &ah, m->auth_refresh);
        m->auth_refresh = 0;
        x->auth_gen = m->auth_gen;
        if (r < 0) {
            sb_release(&ah);
            x->auth_failed = 1;
            x_fail(x, err_msg());
            return;
        }
        x->refreshable = r == 1;
    }
    CURL *c = x->easy = m->npool ? m->pool[--m->npool] : curl_easy_init();
    http_request r = m->conn;
    r.url = x->url;
    r.method = x->method;
    r.headers = (const char *const *)x->headers;
    r.body = x->body;
    r.body_len = x->body_len;
    r.timeout_ms = x->timeout_ms;
    set_request(c, &r, &x->hdrs);
    add_lines(&x->hdrs, &ah);
    sb_release(&ah);
    if (x->hdrs) curl_easy_setopt(c, CURLOPT_HTTPHEADER, x->hdrs);
    set_tls(c, &m->conn);
    set_connect_to(c, &m->conn, &x->connect_to);
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(c, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, x_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, x_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(c, CURLOPT_PRIVATE, x);
    curl_multi_add_handle(m->cm, c);
    x_move(x, X_ACTIVE);
}

/* Transport failures after which the server may not have seen the request
 * complete: repeated only for idempotent calls. */
static int transport_retryable(CURLcode rc)
{
    return rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING || rc == CURLE_HTTP2 ||
           rc == CURLE_HTTP2_STREAM || rc == CURLE_PARTIAL_FILE;
}

enum { MAX_ATTEMPTS = 6, MAX_ATTEMPTS_REFUSED = 3, MAX_ATTEMPTS_429 = 10 };

/* Exponential backoff with jitter: 0.2 s, 0.4 s, ... capped at 5 s. */
static double backoff_s(int attempts)
{
    double d = 0.2;
    for (int i = 1; i < attempts && d < 5; i++) d *= 2;
    if (d > 5) d = 5;
    return d * (0.8 + 0.4 * ((double)rand() / RAND_MAX));
}

/* -1: no retry; else the delay in seconds before the next attempt. */
static double retry_delay(http_xfer *x, long reqsize)
{
    if (x->cancelled || x->stop || x->too_big) return -1;
    if (x->rc == CURLE_OK) {
        if (x->status == 429 && x->attempts < MAX_ATTEMPTS_429)
            return x->retry_after_ms >= 0 ? x->retry_after_ms / 1000.0 : backoff_s(x->attempts);
        if ((x->status == 500 || x->status == 502 || x->status == 503 || x->status == 504) && x->idempotent &&
            x->attempts < MAX_ATTEMPTS)
            return x->retry_after_ms >= 0 ? x->retry_after_ms / 1000.0 : backoff_s(x->attempts);
        if (x->status == 401 && x->refreshable && !x->refreshed) {
            x->refreshed = 1;
            if (x->auth_gen == x->m->auth_gen) {
                x->m->auth_gen++;
                x->m->auth_refresh = 1;
            }
            return 0;
        }
        return -1;
    }
    if (x->on_data && x->got) return -1; /* part of a stream was delivered */
    int never_sent = reqsize == 0;
    if (x->rc == CURLE_COULDNT_CONNECT) return x->attempts < MAX_ATTEMPTS_REFUSED ? backoff_s(x->attempts) : -1;
    if ((never_sent || x->idempotent) && transport_retryable(x->rc) && x->attempts < MAX_ATTEMPTS)
        return backoff_s(x->attempts);
    return -1;
}

static void x_complete(http_xfer *x, CURLcode rc)
{
    long reqsize = 0;
    x->rc = rc;
    curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &x->status);
    curl_easy_getinfo(x->easy, CURLINFO_REQUEST_SIZE, &reqsize);
    x_release_easy(x);
    x->not_sent = reqsize == 0;
    double delay = retry_delay(x, reqsize);
    if (delay >= 0) {
        x->due = now_s() + delay;
        x_move(x, X_DELAYED);
        return;
    }
    if (rc != CURLE_OK && !x->cancelled && !x->stop) {
        char msg[CURL_ERROR_SIZE + 64];
        if (x->too_big)
            snprintf(msg, sizeof msg, "response larger than %zu bytes", x->m->conn.max_body);
        else
            snprintf(msg, sizeof msg, "%s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
        free(x->error);
        x->error = strdup(msg);
    }
    x_move(x, X_FINISHED);
}

void http_multi_cancel(http_multi *m, http_xfer *x)
{
    if (x->state == X_FINISHED) return;
    x->cancelled = 1;
    x_release_easy(x);
    x_move(x, X_FINISHED);
}

/* Starts what may start and lets libcurl work; runs no user callback. */
static void pump(http_multi *m)
{
    double t = now_s();
    for (http_xfer *x = m->delayed.head, *next; x; x = next) {
        next = x->next;
        if (x->due <= t) x_move(x, X_QUEUED);
    }
    while (m->active.n < (size_t)m->limit && m->queued.head) x_start(m->queued.head);
    int running;
    curl_multi_perform(m->cm, &running);
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(m->cm, &left))) {
        if (msg->msg != CURLMSG_DONE) continue;
        http_xfer *x = NULL;
        CURLcode rc = msg->data.result;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        x_complete(x, rc);
    }
    while (m->active.n < (size_t)m->limit && m->queued.head) x_start(m->queued.head);
}

/* Hands streamed data over; nonzero from the callback stops the stream. */
static void x_stream(http_xfer *x)
{
    if (!x->resp.len || x->cancelled || x->stop) return;
    strbuf data = x->resp;
    x->resp = (strbuf)STRBUF_INIT;
    if (x->on_data(x->ud, data.buf, data.len)) {
        x->stop = 1;
        http_multi_cancel(x->m, x);
    }
    sb_release(&data);
}

static void x_deliver(http_xfer *x)
{
    if (x->on_data) x_stream(x);
    http_result r = {
        .status = x->rc == CURLE_OK ? x->status : 0,
        .body = x->on_data ? NULL : x->resp.buf,
        .body_len = x->on_data ? 0 : x->resp.len,
        .error = x->error,
        .attempts = x->attempts,
        .cancelled = x->cancelled,
        .not_sent = x->auth_failed || (x->rc != CURLE_OK && x->not_sent),
        .auth_failed = x->auth_failed,
    };
    if (x->cancelled) r.error = NULL;
    xl_unlink(&x->m->finished, x);
    x->state = X_QUEUED; /* out of every list now; x_free must not touch the multi */
    if (x->done) x->done(x->ud, &r);
    x_free(x);
}

/* Runs the callbacks due (top level only); returns how many ran. */
static int deliver(http_multi *m)
{
    int ran = 0;
    size_t n = 0, cap = m->active.n;
    http_xfer **streams = cap ? malloc(cap * sizeof *streams) : NULL;
    for (http_xfer *x = m->active.head; x && n < cap; x = x->next)
        if (x->on_data && x->resp.len) streams[n++] = x;
    for (size_t i = 0; i < n; i++)
        if (streams[i]->state == X_ACTIVE) {
            x_stream(streams[i]);
            ran++;
        }
    free(streams);
    while (m->finished.head) {
        x_deliver(m->finished.head);
        ran++;
    }
    return ran;
}

/* How long poll may sleep: until the deadline or the next delayed retry. */
static long wait_ms(http_multi *m, double deadline)
{
    double t = now_s(), until = deadline;
    if (m->queued.n && m->active.n < (size_t)m->limit) return 0;
    for (http_xfer *x = m->delayed.head; x; x = x->next)
        if (x->due < until) until = x->due;
    double ms = (until - t) * 1000;
    if (ms < 0) return 0;
    return ms > 1000 ? 1000 : (long)ms + 1;
}

size_t http_multi_step(http_multi *m, long timeout_ms)
{
    double deadline = timeout_ms < 0 ? 1e300 : now_s() + timeout_ms / 1000.0;
    for (;;) {
        pump(m);
        if (m->depth == 0 && deliver(m)) break;
        if (!http_multi_pending(m) || now_s() >= deadline) break;
        int nfds;
        curl_multi_poll(m->cm, NULL, 0, (int)wait_ms(m, deadline), &nfds);
    }
    return http_multi_pending(m);
}

void http_multi_wait(http_multi *m, http_xfer *x)
{
    m->depth++;
    for (;;) {
        pump(m);
        if (x->state == X_FINISHED) break;
        int nfds;
        curl_multi_poll(m->cm, NULL, 0, (int)wait_ms(m, 1e300), &nfds);
    }
    m->depth--;
    x_deliver(x);
}
