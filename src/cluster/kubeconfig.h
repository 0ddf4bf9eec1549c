/* Private to src/cluster: the access configuration resolved from kubeconfig
 * files, flags or the in-cluster service account (kubeconfig.c), and the
 * credentials it yields per request (auth.c). */
#ifndef KG_KUBECONFIG_H
#define KG_KUBECONFIG_H
#include <stddef.h>
#include <time.h>
#include "arena.h"
#include "cluster.h"
#include "strbuf.h"

/* A user's exec credential plugin (client.authentication.k8s.io). */
typedef struct kube_exec {
    const char *api_version;    /* client.authentication.k8s.io/v1 or v1beta1 */
    const char *command;        /* resolved against the kubeconfig's directory when it has a '/' */
    const char **args;          /* NULL-terminated */
    const char **env;           /* "NAME=value", NULL-terminated */
    const char *interactive_mode; /* Never, IfAvailable, Always */
    const char *install_hint;
    int provide_cluster_info;
    const char *where;          /* "FILE: users[NAME].user.exec", for messages */
} kube_exec;

/* Everything lives in the arena given to kube_config_load. */
typedef struct kube_config {
    const char *server;         /* scheme://host[:port][/prefix], no trailing '/' */
    const char *context;        /* "" without one */
    const char *cluster_name, *user_name;
    const char *ns;             /* never NULL */
    int ns_from_flag;
    const char *ca_pem;         /* trust (PEM bytes), NULL: the system's */
    size_t ca_len;
    int insecure;
    const char *tls_server_name;
    const char *proxy_url;
    int no_compression;
    const char *cert_pem, *key_pem;  /* client certificate (PEM bytes) or NULL */
    size_t cert_len, key_len;
    const char *token;          /* static bearer token, or NULL */
    const char *token_file;     /* re-read bearer token file, or NULL */
    kube_exec *exec;
    const char *as_user;        /* impersonation */
    const char **as_groups;     /* NULL-terminated or NULL */
    int in_cluster;
    const char *origin;         /* where the user came from, for messages ("FILE" or "in-cluster") */
} kube_config;

/* Resolves the configuration as kubectl does:
 * files: --kubeconfig (must exist), else $KUBECONFIG (':'-separated; missing
 * files skipped; for every name and for current-context the first file that
 * sets it wins), else ~/.kube/config; with none of them, the in-cluster
 * service account ($KUBERNETES_SERVICE_HOST/PORT and the directory
 * $KGR_SERVICEACCOUNT_DIR, default /var/run/secrets/kubernetes.io/serviceaccount),
 * else the flags alone (--server). Flags override the selected context.
 * -1 with err_set() naming the file and field. */
int kube_config_load(arena *a, const cluster_flags *f, kube_config *out);


/* ---- credentials (auth.c) ---- */
typedef struct kube_auth kube_auth;
kube_auth *kube_auth_new(const kube_config *cfg);
void kube_auth_free(kube_auth *k);
/* http_auth_fn: appends "Authorization: Bearer ..." and impersonation
 * headers; runs the exec plugin when its credential is missing or expired
 * (refresh: after a 401). Returns 1 when the credential can be refreshed. */
int kube_auth_headers(void *k, strbuf *hdrs, int refresh);
/* The client whose connections use a client certificate the exec plugin
 * returns (set before each send, so a refreshed one takes effect). */
struct http_multi;
void kube_auth_bind(kube_auth *k, struct http_multi *m);
/* Times the exec plugin ran (for tests and messages). */
int kube_auth_exec_runs(const kube_auth *k);

#endif

/* ---- between client.c and discovery.c ---- */
struct cluster_disc;
struct cluster_disc **cluster_disc_slot(cluster *c);
void cluster_disc_free(struct cluster_disc *d);
/* Performs n calls concurrently and waits for all (usable inside a
 * callback). res[i] and body[i] (may be NULL) get each outcome; res[i].body
 * is NULL after return. Returns the number of calls that failed. */
int cluster_do_all(cluster *c, const cluster_call *calls, size_t n, cluster_result *res, strbuf *bodies);
/* Percent-encodes s for a URL path segment or query value. */
void cluster_escape(strbuf *out, const char *s);
