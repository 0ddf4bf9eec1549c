/* /healthz, /readyz and /metrics over HTTP, served by libmicrohttpd on its
 * own thread (an HTTP server is not something to write by hand). Loaded with
 * dlopen when the controller starts, like libcurl (src/core/http.c): linking
 * it (and GnuTLS behind it) would slow every `kgrender build`. */
#include "controller.h"
#include "err.h"
#include <dlfcn.h>
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

static struct {
    struct MHD_Daemon *(*start_daemon)(unsigned int, uint16_t, MHD_AcceptPolicyCallback, void *,
                                       MHD_AccessHandlerCallback, void *, ...);
    void (*stop_daemon)(struct MHD_Daemon *);
    struct MHD_Response *(*create_response_from_buffer)(size_t, void *, enum MHD_ResponseMemoryMode);
    enum MHD_Result (*add_response_header)(struct MHD_Response *, const char *, const char *);
    enum MHD_Result (*queue_response)(struct MHD_Connection *, unsigned int, struct MHD_Response *);
    void (*destroy_response)(struct MHD_Response *);
} mhd;

static int mhd_load(void)
{
    void *h = dlopen("libmicrohttpd.so.12", RTLD_NOW | RTLD_LOCAL);
    if (!h) return err_set("the health and metrics server needs libmicrohttpd (Debian libmicrohttpd12): %s", dlerror());
    static const char *const names[] = {"MHD_start_daemon", "MHD_stop_daemon", "MHD_create_response_from_buffer",
                                        "MHD_add_response_header", "MHD_queue_response", "MHD_destroy_response"};
    void **slots[] = {(void **)&mhd.start_daemon, (void **)&mhd.stop_daemon, (void **)&mhd.create_response_from_buffer,
                      (void **)&mhd.add_response_header, (void **)&mhd.queue_response, (void **)&mhd.destroy_response};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!(*slots[i] = dlsym(h, names[i]))) return err_set("libmicrohttpd: missing symbol %s", names[i]);
    return 0;
}

static struct MHD_Daemon *daemon_;
static int (*ready_fn)(void);

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned code, const char *type, char *body, size_t len,
                             enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = mhd.create_response_from_buffer(len, body, mode);
    if (!r) return MHD_NO;
    mhd.add_response_header(r, "Content-Type", type);
    enum MHD_Result rc = mhd.queue_response(conn, code, r);
    mhd.destroy_response(r);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload, size_t *upload_size, void **state)
{
    if (strcmp(method, "GET") && strcmp(method, "HEAD"))
        return reply(conn, 405, "text/plain", "method not allowed\n", 19, MHD_RESPMEM_PERSISTENT);
    if (!strcmp(url, "/healthz")) return reply(conn, 200, "text/plain", "ok\n", 3, MHD_RESPMEM_PERSISTENT);
    if (!strcmp(url, "/readyz")) {
        if (ready_fn && ready_fn()) return reply(conn, 200, "text/plain", "ok\n", 3, MHD_RESPMEM_PERSISTENT);
        return reply(conn, 503, "text/plain", "not ready\n", 10, MHD_RESPMEM_PERSISTENT);
    }
    if (!strcmp(url, "/metrics")) {
        size_t len;
        char *body = metrics_render(&len);
        return reply(conn, 200, "text/plain; version=0.0.4", body, len, MHD_RESPMEM_MUST_FREE);
    }
    return reply(conn, 404, "text/plain", "not found\n", 10, MHD_RESPMEM_PERSISTENT);
}

int serve_start(const char *addr, int (*ready)(void))
{
    const char *colon = strrchr(addr, ':');
    char *end;
    long port = strtol(colon ? colon + 1 : addr, &end, 10);
    if (*end || port < 0 || port > 65535) return err_set("invalid address %s: want HOST:PORT", addr);
    if (port == 0) return 0;
    if (mhd_load() < 0) return -1;
    ready_fn = ready;
    daemon_ = mhd.start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL,
                               on_request, NULL, MHD_OPTION_END);
    return daemon_ ? 0 : err_set("cannot serve health and metrics on %s (port in use?)", addr);
}

void serve_stop(void)
{
    if (daemon_) mhd.stop_daemon(daemon_);
    daemon_ = NULL;
}
