/* The project's one HTTP client (libcurl, loaded on first use): one request
 * at a time for remote resources (http_do), and many in flight over a few
 * HTTP/2 connections for the API server (http_multi). Generic: headers, TLS
 * trust and client-certificate options, proxy and timeouts; the status and
 * body come back, whatever the status. Headers and URL credentials are never
 * printed. */
#ifndef KG_HTTP_H
#define KG_HTTP_H
#include <stddef.h>
#include "strbuf.h"

typedef struct http_request {
    const char *url;
    const char *method;                 /* NULL: GET */
    const char *const *headers;         /* "Name: value" lines, NULL-terminated; may be NULL */
    const void *body;                   /* request body (with a method that takes one) */
    size_t body_len;
    /* TLS: trust these CAs instead of the system's (a PEM file, or PEM bytes) */
    const char *ca_file;
    const char *ca_pem;
    size_t ca_pem_len;
    /* TLS client certificate and key (files, or PEM bytes) */
    const char *cert_file, *key_file;
    const char *cert_pem, *key_pem;
    size_t cert_pem_len, key_pem_len;
    int insecure;                       /* skip server certificate verification */
    long connect_timeout_ms;            /* 0: 10 s */
    long timeout_ms;                    /* whole transfer; 0: none */
    size_t max_body;                    /* 0: 1 GiB */
    int no_redirects;                   /* redirects (http/https only) are followed unless set */
    const char *proxy;                  /* proxy URL (http, https, socks5); NULL: curl's environment rules */
    int no_compression;                 /* don't ask for gzip */
    const char *connect_to;             /* "HOST:PORT:CONNECT-HOST:CONNECT-PORT": the URL's host is used for
                                         * TLS (SNI, certificate check) while connecting elsewhere */
} http_request;

/* Performs the request. Any HTTP response: 0 with *status and the body
 * appended to body. Transport failure (DNS, refused, TLS, timeout): -1 with
 * err_set("<url>: <reason>"), the URL shown without credentials. */
int http_do(const http_request *req, long *status, strbuf *body);
/* GET url with default options. */
int http_get(const char *url, long *status, strbuf *body);
/* Appends url to out with any user:password@ removed, for messages. */
void http_redact_url(const char *url, strbuf *out);

/* ---- many requests in flight (libcurl's multi interface) ------------------
 * Requests are queued and started while fewer than max_inflight run; over
 * HTTP/2 they share connections (multiplexing, PIPEWAIT). Completion is
 * reported by callback from http_multi_step()/http_multi_wait(), never from
 * inside libcurl, so a callback may add requests. Retries, with exponential
 * backoff and jitter: 429 (after Retry-After when given), 500/502/503/504
 * and transport failures for idempotent calls, and any call that never
 * reached the server (connection refused, reset before sending). */

typedef struct http_multi http_multi;
typedef struct http_xfer http_xfer;

typedef struct http_result {
    long status;            /* HTTP status; 0: no response */
    const char *body;       /* the body (not for streamed calls); valid during the callback */
    size_t body_len;
    const char *error;      /* transport failure (libcurl's reason), NULL when a response came */
    int attempts;           /* sends made */
    int cancelled;          /* ended by http_multi_cancel() or the data callback */
    int not_sent;           /* a transport failure before the request was sent (connect, TLS) */
    int auth_failed;        /* not sent: the auth callback failed (error is its message) */
} http_result;

typedef void (*http_done_fn)(void *ud, const http_result *r);
/* Streamed body data, delivered outside libcurl; return nonzero to stop. */
typedef int (*http_data_fn)(void *ud, const char *data, size_t len);
/* Called before each send: appends "Name: value" header lines (e.g.
 * Authorization) to hdrs, one per strbuf line ('\n' separated). refresh is
 * set after a 401 when the previous call returned 1. Returns 0, 1 (the
 * credential can be refreshed: retry once on 401), or -1 with err_set(). */
typedef int (*http_auth_fn)(void *ud, strbuf *hdrs, int refresh);

typedef struct http_call {
    const char *method;         /* NULL: GET */
    const char *url;
    const char *const *headers; /* NULL-terminated "Name: value" lines; may be NULL */
    const void *body;
    size_t body_len;
    long timeout_ms;            /* whole transfer, per attempt; 0: none */
    int idempotent;             /* may be repeated after it reached the server */
    http_data_fn on_data;       /* stream the body to it instead of collecting it */
    http_done_fn done;          /* called exactly once */
    void *ud;
} http_call;

/* conn gives what every request shares: TLS options, proxy, connect
 * timeout, max_body (url, method, headers and body are ignored).
 * Its strings are copied. */
http_multi *http_multi_new(const http_request *conn, int max_inflight, http_auth_fn auth, void *auth_ud);
/* Drops every request without calling its callback. */
void http_multi_free(http_multi *m);
/* Queues a call (everything copied); NULL only when libcurl cannot be
 * loaded (err_set). The handle is valid until its done callback returns. */
http_xfer *http_multi_add(http_multi *m, const http_call *call);
/* Ends a call: its done callback gets cancelled = 1 (at the next step). */
void http_multi_cancel(http_multi *m, http_xfer *x);
/* Performs I/O for at most timeout_ms (-1: until some callback ran or
 * nothing is pending) and runs the callbacks due. Returns pending calls. */
size_t http_multi_step(http_multi *m, long timeout_ms);
/* Runs until x is done and its callback ran; other calls progress but their
 * callbacks (and streamed data) wait for the next http_multi_step(). */
void http_multi_wait(http_multi *m, http_xfer *x);
size_t http_multi_pending(const http_multi *m);
/* Changes the concurrency limit (>= 1). */
void http_multi_set_limit(http_multi *m, int max_inflight);
/* Replaces the client certificate and key (PEM bytes) for new connections. */
void http_multi_set_client_cert(http_multi *m, const char *cert_pem, size_t cert_len, const char *key_pem,
                                size_t key_len);

#endif
