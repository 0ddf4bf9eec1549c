/* The project's one HTTP client (libcurl): remote resources now, the API
 * server client later. Generic: a request with headers, TLS trust and
 * client-certificate options and timeouts; the status and body come back,
 * whatever the status. Headers and URL credentials are never printed. */
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
} http_request;

/* Performs the request. Any HTTP response: 0 with *status and the body
 * appended to body. Transport failure (DNS, refused, TLS, timeout): -1 with
 * err_set("<url>: <reason>"), the URL shown without credentials. */
int http_do(const http_request *req, long *status, strbuf *body);
/* GET url with default options. */
int http_get(const char *url, long *status, strbuf *body);
/* Appends url to out with any user:password@ removed, for messages. */
void http_redact_url(const char *url, strbuf *out);

#endif
