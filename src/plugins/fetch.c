/* Remote plugin sources, through the one HTTP client (http.c) into the cache
 * (cache.c, or --cache-dir): helm repositories over http(s) (index.yaml,
 * then the chart archive, its sha256 digest checked), OCI registries
 * (oci://: manifest, then the chart layer, digest checked), archives and
 * YAML files by URL, and git repositories at a revision (remote.c's clone).
 * A chart of a given version is never fetched twice: the cache copy answers,
 * as kubegems' installer does. With --offline only the cache is used, and a
 * miss names the source and the cache path it needed. Credentials for http(s)
 * repositories come from helm's repositories file where it has the URL. */
#include "plugin_impl.h"
#include "cache.h"
#include "err.h"
#include "http.h"
#include "kyaml.h"
#include "remote.h"
#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

typedef struct creds {
    const char *user, *pass, *ca_file, *cert_file, *key_file;
    int insecure;
} creds;

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int has_prefix_ci(const char *s, const char *p)
{
    return !strncasecmp(s, p, strlen(p));
}

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

/* ---- what kind of URL ---- */

int fetch_is_git(const char *u)
{
    if (has_prefix_ci(u, "git@") || has_prefix_ci(u, "ssh://") || has_prefix_ci(u, "git::") ||
        has_prefix_ci(u, "github.com/"))
        return 1;
    if (!has_prefix_ci(u, "http://") && !has_prefix_ci(u, "https://") && !has_prefix_ci(u, "file://")) return 0;
    return ends_with_ci(u, ".git") || strstr(u, ".git/") || strstr(u, "_git/") || strstr(u, "://github.com/");
}

static int is_archive_or_file(const char *u)
{
    return ends_with_ci(u, ".tgz") || ends_with_ci(u, ".tar.gz") || ends_with_ci(u, ".zip") ||
           ends_with_ci(u, ".yaml") || ends_with_ci(u, ".yml");
}

/* ---- cache paths ---- */

/* <cache>/plugins/<kind>/<host>/<path> of a URL: readable, credentials and odd characters left out. */
static const char *cache_path_for(arena *a, const char *kind, const char *url)
{
    const char *dir = cache_dir(a, arena_printf(a, "plugins/%s", kind));
    if (!dir) return NULL;
    const char *s = strstr(url, "://");
    s = s ? s + 3 : url;
    const char *at = strchr(s, '@'), *slash = strchr(s, '/');
    if (at && (!slash || at < slash)) s = at + 1;
    char *p = arena_strdup(a, s);
    for (char *c = p; *c; c++)
        if (!(*c >= 'a' && *c <= 'z') && !(*c >= 'A' && *c <= 'Z') && !(*c >= '0' && *c <= '9') && !strchr("._-/", *c))
            *c = '_';
    /* no "." or ".." segments, no empty ones */
    strbuf sb = STRBUF_INIT;
    for (char *seg = strtok(p, "/"); seg; seg = strtok(NULL, "/"))
        if (strcmp(seg, ".") && strcmp(seg, "..")) sb_addf(&sb, "/%s", seg);
    const char *out = arena_printf(a, "%s%s", dir, sb.len ? sb.buf : "/_");
    sb_release(&sb);
    return out;
}

static int store(const char *path, const strbuf *body)
{
    char *dir = strdup(path), *slash = strrchr(dir, '/');
    if (slash) *slash = 0;
    int rc = mkdir_p(dir) < 0 || write_file_atomic(path, body->buf ? body->buf : "", body->len) < 0;
    free(dir);
    return rc ? err_set("cache: writing %s: %s", path, strerror(errno)) : 0;
}

static void sha256_hex(const void *data, size_t n, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data, n, md, &len, EVP_sha256(), NULL);
    for (unsigned int i = 0; i < len && i < 32; i++) sprintf(out + 2 * i, "%02x", md[i]);
    out[64] = 0;
}

/* ---- credentials: helm's repositories file ---- */

static const char *repositories_file(arena *a)
{
    const char *v = getenv("HELM_REPOSITORY_CONFIG");
    if (v && *v) return v;
    v = getenv("XDG_CONFIG_HOME");
    if (v && *v) return arena_printf(a, "%s/helm/repositories.yaml", v);
    v = getenv("HOME");
    return v && *v ? arena_printf(a, "%s/.config/helm/repositories.yaml", v) : NULL;
}

static int same_url(const char *x, const char *y)
{
    size_t n = strlen(x), m = strlen(y);
    while (n && x[n - 1] == '/') n--;
    while (m && y[m - 1] == '/') m--;
    return n == m && !strncasecmp(x, y, n);
}

static void find_creds(arena *a, const char *url, creds *c)
{
    memset(c, 0, sizeof *c);
    const char *file = repositories_file(a);
    node_list docs = {0};
    if (!file || !is_file(file) || yaml_load_file(a, file, &docs) < 0 || !docs.n) {
        err_clear();
        list_free(&docs);
        return;
    }
    node *repos = map_get(docs.v[0], "repositories");
    for (uint32_t i = 0; repos && repos->kind == N_SEQ && i < repos->u.seq.n; i++) {
        node *r = repos->u.seq.items[i];
        const char *u = node_get_str(r, "url", NULL);
        if (!u || !same_url(u, url)) continue;
        c->user = node_get_str(r, "username", NULL), c->pass = node_get_str(r, "password", NULL);
        c->ca_file = node_get_str(r, "caFile", NULL), c->cert_file = node_get_str(r, "certFile", NULL);
        c->key_file = node_get_str(r, "keyFile", NULL);
        c->insecure = node_is_true(map_get(r, "insecure_skip_tls_verify"));
        break;
    }
    list_free(&docs);
}

/* GET url; 0 with a 2xx body, else -1 naming the URL (credentials never shown). */
static int get(arena *a, const char *url, const creds *c, const char *accept, strbuf *body)
{
    const char *headers[3] = {NULL, NULL, NULL};
    int nh = 0;
    if (accept) headers[nh++] = arena_printf(a, "Accept: %s", accept);
    if (c && c->user && *c->user) {
        const char *up = arena_printf(a, "%s:%s", c->user, c->pass ? c->pass : "");
        size_t n = strlen(up);
        unsigned char *enc = arena_alloc(a, 4 * ((n + 2) / 3) + 1);
        EVP_EncodeBlock(enc, (const unsigned char *)up, (int)n);
        headers[nh++] = arena_printf(a, "Authorization: Basic %s", enc);
    }
    http_request req = {.url = url, .headers = headers, .timeout_ms = 300000};
    if (c) req.ca_file = c->ca_file, req.cert_file = c->cert_file, req.key_file = c->key_file, req.insecure = c->insecure;
    long status = 0;
    sb_reset(body);
    if (http_do(&req, &status, body) < 0) return -1;
    if (status >= 200 && status <= 299) return 0;
    strbuf shown = STRBUF_INIT;
    http_redact_url(url, &shown);
    err_set("%s: HTTP status %ld", shown.buf, status);
    sb_release(&shown);
    return -1;
}

/* ---- helm repositories ---- */

static const char *repo_base(arena *a, const char *url)
{
    size_t n = strlen(url);
    while (n && url[n - 1] == '/') n--;
    return arena_strndup(a, url, n);
}

/* The entry of chart in the index: the version asked for, else the highest release. */
static node *index_entry(const node *index, const char *chart, const char *version)
{
    node *list = node_get(index, "entries", chart, NULL), *best = NULL;
    for (uint32_t i = 0; list && list->kind == N_SEQ && i < list->u.seq.n; i++) {
        node *e = list->u.seq.items[i];
        const char *v = node_text(map_get(e, "version"));
        if (!v) continue;
        if (*version) {
            if (!strcmp(v, version) || (v[0] == 'v' && !strcmp(v + 1, version))) return e;
            continue;
        }
        if (strchr(v, '-')) continue; /* pre-releases only when asked for */
        const char *bv = best ? node_text(map_get(best, "version")) : NULL;
        if (!bv || semver_satisfies(v, ">", bv) == 1) best = e;
    }
    return best;
}

static const char *versions_of(arena *a, const node *index, const char *chart)
{
    node *list = node_get(index, "entries", chart, NULL);
    const char *s = "";
    for (uint32_t i = 0; list && list->kind == N_SEQ && i < list->u.seq.n && i < 10; i++)
        s = arena_printf(a, "%s%s%s", s, i ? ", " : "", node_text(map_get(list->u.seq.items[i], "version")));
    return *s ? s : "none";
}

static int load_index(expander *x, plugin *p, const char *dir, const creds *c, node **index)
{
    arena *a = x->b->a;
    const char *file = arena_printf(a, "%s/index.yaml", dir), *url = arena_printf(a, "%s/index.yaml", repo_base(a, p->url));
    strbuf body = STRBUF_INIT;
    int rc = -1;
    if (!x->po->offline) {
        rc = get(a, url, c, NULL, &body);
        if (rc == 0) rc = store(file, &body);
        else if (is_file(file)) warnf("%s: plugin %s: %s; using the cached index %s", p->where, p->name, err_msg(), file);
    }
    if (rc < 0 && is_file(file)) {
        sb_reset(&body);
        rc = sb_read_file(&body, file) < 0 ? err_set("%s: %s", file, strerror(errno)) : 0;
    } else if (rc < 0 && x->po->offline) {
        rc = err_set("offline: the index of %s is not in the cache (%s); run kgrender pull", p->url, file);
    }
    if (rc == 0) rc = yaml_load_one(a, file, body.buf ? body.buf : "", body.len, index);
    sb_release(&body);
    if (rc == 0 && (!*index || (*index)->kind != N_MAP)) rc = err_set("%s is not a helm repository index", url);
    return rc < 0 ? err_prefix("%s: plugin %s", p->where, p->name) : 0;
}

/* Downloads url into path, checking a "sha256:HEX" or "HEX" digest when there is one. */
static int download(arena *a, const char *url, const creds *c, const char *accept, const char *digest, const char *path)
{
    strbuf body = STRBUF_INIT;
    int rc = get(a, url, c, accept, &body);
    if (rc == 0 && digest && *digest) {
        char hex[65];
        sha256_hex(body.buf ? body.buf : "", body.len, hex);
        const char *want = has_prefix_ci(digest, "sha256:") ? digest + 7 : digest;
        if (strcasecmp(hex, want)) rc = err_set("%s: digest mismatch: got sha256:%s, want sha256:%s", url, hex, want);
    }
    if (rc == 0) rc = store(path, &body);
    sb_release(&body);
    return rc;
}

static int fetch_helm_repo(expander *x, plugin *p, const char **tgz)
{
    arena *a = x->b->a;
    const char *dir = cache_path_for(a, "charts", p->url);
    if (!dir) return err_prefix("%s: plugin %s", p->where, p->name);
    if (*p->version) {
        *tgz = arena_printf(a, "%s/%s-%s.tgz", dir, p->chart, p->version);
        if (is_file(*tgz)) return 0; /* a released chart version never changes */
    }
    creds c;
    find_creds(a, p->url, &c);
    node *index;
    if (load_index(x, p, dir, &c, &index) < 0) return -1;
    node *e = index_entry(index, p->chart, p->version);
    if (!e)
        return err_set("%s: plugin %s: chart %s%s%s is not in %s (versions: %s)", p->where, p->name, p->chart,
                       *p->version ? " version " : "", p->version, p->url, versions_of(a, index, p->chart));
    const char *version = node_text(map_get(e, "version"));
    *tgz = arena_printf(a, "%s/%s-%s.tgz", dir, p->chart, version);
    if (is_file(*tgz)) return 0;
    if (x->po->offline)
        return err_set("%s: plugin %s: offline: chart %s %s from %s is not in the cache (%s); run kgrender pull",
                       p->where, p->name, p->chart, version, p->url, *tgz);
    node *urls = map_get(e, "urls");
    const char *u = urls && urls->kind == N_SEQ && urls->u.seq.n ? node_text(urls->u.seq.items[0]) : NULL;
    if (!u) return err_set("%s: plugin %s: the index of %s has no URL for %s %s", p->where, p->name, p->url, p->chart, version);
    if (!strstr(u, "://")) u = arena_printf(a, "%s/%s", repo_base(a, p->url), u);
    /* credentials go only to the repository's own host */
    const creds *cu = !strncmp(u, repo_base(a, p->url), strlen(repo_base(a, p->url))) ? &c : NULL;
    if (download(a, u, cu, NULL, node_get_str(e, "digest", NULL), *tgz) < 0)
        return err_prefix("%s: plugin %s: chart %s %s", p->where, p->name, p->chart, version);
    return 0;
}

/* ---- OCI registries ---- */

#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define HELM_LAYER "application/vnd.cncf.helm.chart.content.v1.tar+gzip"

typedef struct oci_ref {
    const char *host;
    const char *base;  /* scheme://host[:port]/v2/ */
    const char *repo;  /* path/name */
} oci_ref;

static int is_loopback(const char *host)
{
    return has_prefix_ci(host, "localhost") || has_prefix_ci(host, "127.") || has_prefix_ci(host, "[::1]");
}

/* oci://host/path + chart (unless the path already ends with it). Loopback registries are plain HTTP. */
static void oci_parse(arena *a, const plugin *p, oci_ref *r)
{
    const char *s = p->url + 6;
    size_t hl = strcspn(s, "/");
    const char *host = arena_strndup(a, s, hl), *path = s[hl] ? s + hl + 1 : "";
    size_t pl = strlen(path);
    while (pl && path[pl - 1] == '/') pl--;
    path = arena_strndup(a, path, pl);
    const char *last = strrchr(path, '/');
    last = last ? last + 1 : path;
    r->repo = !strcmp(last, p->chart) ? path : *path ? arena_printf(a, "%s/%s", path, p->chart) : p->chart;
    r->host = host;
    r->base = arena_printf(a, "%s://%s/v2/", is_loopback(host) ? "http" : "https", host);
}

/* The highest release tag (helm writes "+" in versions as "_"). */
static int oci_latest(expander *x, plugin *p, const oci_ref *r, const char *dir, const char **version)
{
    arena *a = x->b->a;
    const char *file = arena_printf(a, "%s/%s.tags.json", dir, p->chart);
    strbuf body = STRBUF_INIT;
    int rc = x->po->offline ? -1 : get(a, arena_printf(a, "%s%s/tags/list", r->base, r->repo), NULL, NULL, &body);
    if (rc == 0) rc = store(file, &body);
    else if (is_file(file)) rc = sb_read_file(&body, file) < 0 ? -1 : 0;
    else if (x->po->offline) err_set("offline: the tags of %s are not in the cache (%s); run kgrender pull", p->url, file);
    node *doc = NULL;
    if (rc == 0) rc = yaml_load_one(a, file, body.buf ? body.buf : "", body.len, &doc);
    sb_release(&body);
    if (rc < 0) return err_prefix("%s: plugin %s", p->where, p->name);
    node *tags = map_get(doc, "tags");
    *version = NULL;
    for (uint32_t i = 0; tags && tags->kind == N_SEQ && i < tags->u.seq.n; i++) {
        const char *t = node_text(tags->u.seq.items[i]);
        if (t && !strchr(t, '-') && semver_satisfies(t, ">=", "0.0.0") == 1 &&
            (!*version || semver_satisfies(t, ">", *version) == 1))
            *version = t;
    }
    if (!*version) return err_set("%s: plugin %s: %s has no release tags", p->where, p->name, p->url);
    return 0;
}

static int fetch_oci(expander *x, plugin *p, const char **tgz)
{
    arena *a = x->b->a;
    oci_ref r;
    oci_parse(a, p, &r);
    const char *dir = cache_path_for(a, "oci", arena_printf(a, "%s/%s", r.host, r.repo));
    if (!dir) return err_prefix("%s: plugin %s", p->where, p->name);
    const char *version = p->version;
    if (!*version && oci_latest(x, p, &r, dir, &version) < 0) return -1;
    *tgz = arena_printf(a, "%s/%s-%s.tgz", dir, p->chart, version);
    if (is_file(*tgz)) return 0;
    if (x->po->offline)
        return err_set("%s: plugin %s: offline: chart %s %s from %s is not in the cache (%s); run kgrender pull",
                       p->where, p->name, p->chart, version, p->url, *tgz);
    char *tag = arena_strdup(a, version);
    for (char *c = tag; *c; c++)
        if (*c == '+') *c = '_';
    strbuf body = STRBUF_INIT;
    node *m = NULL;
    const char *murl = arena_printf(a, "%s%s/manifests/%s", r.base, r.repo, tag);
    int rc = get(a, murl, NULL, OCI_MANIFEST, &body);
    if (rc == 0) rc = yaml_load_one(a, murl, body.buf ? body.buf : "", body.len, &m);
    sb_release(&body);
    if (rc < 0) return err_prefix("%s: plugin %s: chart %s %s", p->where, p->name, p->chart, version);
    node *layers = map_get(m, "layers");
    const char *digest = NULL;
    for (uint32_t i = 0; layers && layers->kind == N_SEQ && i < layers->u.seq.n && !digest; i++)
        if (!strcmp(node_get_str(layers->u.seq.items[i], "mediaType", NULL) ?: "", HELM_LAYER))
            digest = node_get_str(layers->u.seq.items[i], "digest", NULL);
    if (!digest) return err_set("%s: plugin %s: %s is not a helm chart (no %s layer)", p->where, p->name, murl, HELM_LAYER);
    if (download(a, arena_printf(a, "%s%s/blobs/%s", r.base, r.repo, digest), NULL, NULL, digest, *tgz) < 0)
        return err_prefix("%s: plugin %s: chart %s %s", p->where, p->name, p->chart, version);
    return 0;
}

/* ---- archives and files by URL, git ---- */

static int fetch_url_file(expander *x, plugin *p, const char **path)
{
    arena *a = x->b->a;
    const char *name = strrchr(p->url, '/') + 1;
    const char *dir = cache_path_for(a, "files", arena_strndup(a, p->url, (size_t)(name - p->url)));
    if (!dir) return err_prefix("%s: plugin %s", p->where, p->name);
    *path = arena_printf(a, "%s/%s", dir, *name ? name : "source");
    /* a versioned source is kept; an unversioned one is fetched again (the cache answers when that fails) */
    if (is_file(*path) && (*p->version || x->po->offline)) return 0;
    if (x->po->offline)
        return err_set("%s: plugin %s: offline: %s is not in the cache (%s); run kgrender pull", p->where, p->name,
                       p->url, *path);
    creds c;
    find_creds(a, p->url, &c);
    if (download(a, p->url, &c, NULL, NULL, *path) == 0) return 0;
    if (is_file(*path)) {
        warnf("%s: plugin %s: %s; using the cached copy %s", p->where, p->name, err_msg(), *path);
        return 0;
    }
    return err_prefix("%s: plugin %s", p->where, p->name);
}

static int fetch_git(expander *x, plugin *p, const char **dir)
{
    arena *a = x->b->a;
    kust k = {.b = x->b};
    const char *url = *p->version ? arena_printf(a, "%s%sref=%s", p->url, strchr(p->url, '?') ? "&" : "?", p->version) : p->url;
    strbuf body = STRBUF_INIT;
    int rc = remote_fetch(&k, url, p->r->obj, &body, dir);
    sb_release(&body);
    if (rc == 0 && !*dir) rc = err_set("%s is not a git repository", url);
    return rc < 0 ? err_prefix("%s: plugin %s", p->where, p->name) : 0;
}

int plugin_fetch(expander *x, plugin *p, const char **local)
{
    int rc;
    if (has_prefix_ci(p->url, "oci://")) rc = fetch_oci(x, p, local);
    else if (fetch_is_git(p->url)) rc = fetch_git(x, p, local);
    else if (is_archive_or_file(p->url)) rc = fetch_url_file(x, p, local);
    else rc = fetch_helm_repo(x, p, local);
    if (rc == 0) p->fetched = *local;
    return rc;
}
