#include "http.h"
#include "err.h"
#include <curl/curl.h>
#include <string.h>

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
        rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
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
}

static void set_request(CURL *c, const http_request *r, struct curl_slist **hdrs)
{
    curl_easy_setopt(c, CURLOPT_URL, r->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, r->no_redirects ? 0L : 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
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
        err_set("%s: cannot initialise libcurl", shown.buf);
        sb_release(&shown);
        return -1;
    }
    CURL *c = curl_easy_init();
    struct curl_slist *hdrs = NULL;
    char errbuf[CURL_ERROR_SIZE] = "";
    struct sink s = {body, r->max_body ? r->max_body : (size_t)1 << 30, 0};
    set_request(c, r, &hdrs);
    set_tls(c, r);
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
    curl_easy_cleanup(c);
    sb_release(&shown);
    return ret;
}

int http_get(const char *url, long *status, strbuf *body)
{
    http_request r = {.url = url, .timeout_ms = 120000};
    return http_do(&r, status, body);
}
