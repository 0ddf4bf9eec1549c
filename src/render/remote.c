#include "remote.h"
#include "cache.h"
#include "err.h"
#include "http.h"
#include "runcmd.h"
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* A git URL split the way kustomize's RepoSpec does (api/internal/git/repospec.go). */
typedef struct repospec {
    const char *clone;      /* what git fetches: host + repo path */
    const char *path;       /* kustomization root inside the repo ("" for its top) */
    const char *ref;        /* "" for the default branch */
    int timeout_s;
    int submodules;
} repospec;

static int has_prefix_ci(const char *s, const char *p)
{
    return !strncasecmp(s, p, strlen(p));
}

int remote_is_url(const char *s)
{
    static const char *const prefixes[] = {"https://", "http://", "git@", "ssh://", "file://",
                                           "github.com/", "github.com:", "git::", NULL};
    for (const char *const *p = prefixes; *p; p++)
        if (has_prefix_ci(s, *p)) return 1;
    return 0;
}

/* ---- parsing git URLs ---- */

static char *url_decode(arena *a, const char *s, size_t n)
{
    char *out = arena_alloc(a, n + 1), *w = out;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) && isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            *w++ = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            *w++ = s[i] == '+' ? ' ' : s[i];
        }
    }
    *w = 0;
    return out;
}

/* A Go duration's common forms: "61", "61s", "2m", "1m30s". */
static int parse_timeout(const char *v)
{
    char *end;
    long n = strtol(v, &end, 10);
    if (!*end) return n > 0 ? (int)n : 0;
    long total = 0;
    for (const char *p = v; *p;) {
        n = strtol(p, &end, 10);
        if (end == p) return 0;
        if (*end == 'h') total += n * 3600;
        else if (*end == 'm' && end[1] != 's') total += n * 60;
        else if (*end == 's') total += n;
        else return 0;
        p = end + 1;
    }
    return total > 0 ? (int)total : 0;
}

static void parse_query(arena *a, const char *q, repospec *rs)
{
    const char *ref = "", *version = "";
    while (q && *q) {
        size_t n = strcspn(q, "&");
        const char *eq = memchr(q, '=', n);
        size_t klen = eq ? (size_t)(eq - q) : n;
        const char *v = eq ? url_decode(a, eq + 1, n - klen - 1) : "";
        if (klen == 3 && !strncmp(q, "ref", 3) && !*ref) ref = v;
        else if (klen == 7 && !strncmp(q, "version", 7) && !*version) version = v;
        else if (klen == 7 && !strncmp(q, "timeout", 7) && parse_timeout(v)) rs->timeout_s = parse_timeout(v);
        else if (klen == 10 && !strncmp(q, "submodules", 10)) {
            if (!strcmp(v, "false") || !strcmp(v, "0") || !strcasecmp(v, "f")) rs->submodules = 0;
            else if (!strcmp(v, "true") || !strcmp(v, "1") || !strcasecmp(v, "t")) rs->submodules = 1;
        }
        q += n + (q[n] == '&');
    }
    rs->ref = *ref ? ref : version;
}

/* Splits "scheme user@ host/" from the path; sets *host (with scheme) and returns the rest. */
static const char *parse_host(arena *a, const char *n, const char **host, int *file_scheme)
{
    static const char *const schemes[] = {"ssh://", "https://", "http://", "file://", NULL};
    const char *scheme = "";
    for (const char *const *p = schemes; *p; p++)
        if (has_prefix_ci(n, *p)) {
            scheme = *p;
            n += strlen(*p);
            break;
        }
    const char *user = "";
    if (isalpha((unsigned char)*n)) {
        size_t i = 1;
        while (isalnum((unsigned char)n[i]) || n[i] == '-') i++;
        if (n[i] == '@') {
            user = arena_strndup(a, n, i + 1);
            n += i + 1;
        }
    }
    int github = has_prefix_ci(n, "github.com/") || has_prefix_ci(n, "github.com:");
    int scp = !*scheme && (*user || github);
    if (!*scheme && !scp) return NULL;
    *file_scheme = !strcmp(scheme, "file://");
    if (*file_scheme) {
        *host = scheme;
        return arena_printf(a, "%s%s", user, n);
    }
    const char *slash = strchr(n, '/'), *colon = scp ? strchr(n, ':') : NULL;
    const char *sep = slash;
    if (colon && colon > n && (!slash || colon < slash)) sep = colon;
    const char *h = sep ? arena_strndup(a, n, (size_t)(sep - n + 1)) : n, *rest = sep ? sep + 1 : "";
    if (github) {
        if (!strncmp(scheme, "ssh://", 6) || *user) scheme = "", h = "github.com:";
        else scheme = "https://", user = "", h = "github.com/";
    }
    if (!*h) return NULL;
    *host = arena_printf(a, "%s%s%s", scheme, user, h);
    return rest;
}

/* The repo path / kustomization path split: "_git/", "//" or ".git" markers, else org/repo. */
static int split_path(arena *a, const char *n, int all, const char **repo, const char **path)
{
    const char *m;
    if ((m = strstr(n, "_git/"))) {
        size_t seg = strcspn(m + 5, "/");
        *repo = arena_strndup(a, n, (size_t)(m + 5 - n) + seg);
        *path = m[5 + seg] ? m + 5 + seg + 1 : "";
    } else if ((m = strstr(n, "//"))) {
        *repo = arena_strndup(a, n, (size_t)(m - n));
        *path = m + 2;
    } else if ((m = strstr(n, ".git"))) {
        *repo = arena_strndup(a, n, (size_t)(m + 4 - n));
        *path = m + 4;
    } else if (all) {
        *repo = n, *path = "";
    } else {
        const char *s1 = strchr(n, '/');
        if (!s1) return -1;
        const char *s2 = strchr(s1 + 1, '/');
        *repo = s2 ? arena_strndup(a, n, (size_t)(s2 - n)) : n;
        *path = s2 ? s2 + 1 : "";
    }
    while (**path == '/') (*path)++;
    if (!**repo) return -1;
    /* A root path that climbs out of the repo ("../x") is refused. */
    return !strcmp(*path, "..") || !strncmp(*path, "../", 3) ? -2 : 0;
}

/* 0, or -1 with a reason in *why. */
static int repospec_parse(arena *a, const char *url, repospec *rs, const char **why)
{
    memset(rs, 0, sizeof *rs);
    rs->timeout_s = 27, rs->submodules = 1; /* kustomize's defaults */
    const char *q = strchr(url, '?');
    const char *n = q ? arena_strndup(a, url, (size_t)(q - url)) : url;
    parse_query(a, q ? q + 1 : NULL, rs);
    if (has_prefix_ci(n, "git::")) n += 5;
    const char *host;
    int file_scheme = 0;
    const char *rest = parse_host(a, n, &host, &file_scheme);
    if (!rest) return *why = "failed to parse scheme or host", -1;
    const char *repo, *path;
    int rc = split_path(a, rest, file_scheme, &repo, &path);
    if (rc == -2) return *why = "url path exits repo", -1;
    if (rc < 0) return *why = "failed to parse repo path segment", -1;
    rs->clone = arena_printf(a, "%s%s", host, repo);
    rs->path = path;
    return 0;
}

/* http(s) URLs that say they are git repositories: a "_git/", "//" or ".git"
 * marker, a ref, or GitHub (whose pages are not files). Others are fetched
 * as files first, as kustomize tries them. */
static int http_url_is_git(const char *url)
{
    const char *host = strstr(url, "://") + 3;
    const char *path = host + strcspn(host, "/?");
    const char *q = strchr(url, '?');
    size_t plen = q ? (size_t)(q - path) : strlen(path);
    if (memmem(path, plen, "_git/", 5) || memmem(path, plen, "//", 2) || memmem(path, plen, ".git", 4)) return 1;
    if (q && (strstr(q, "?ref=") || strstr(q, "&ref=") || strstr(q, "?version=") || strstr(q, "&version="))) return 1;
    return (size_t)(path - host) == 10 && has_prefix_ci(host, "github.com");
}

/* ---- http(s) files ---- */

static const char *shown_url(arena *a, const char *url)
{
    strbuf sb = STRBUF_INIT;
    http_redact_url(url, &sb);
    const char *s = arena_strdup(a, sb.buf);
    sb_release(&sb);
    return s;
}

/* Reads the cached copy of url into body; 0 when there is one. */
static int cached_file(arena *a, const char *url, strbuf *body, const char **path)
{
    const char *dir = cache_dir(a, "remote");
    if (!dir) return -1;
    char key[65];
    cache_key(url, key);
    *path = arena_printf(a, "%s/%s", dir, key);
    sb_reset(body);
    return sb_read_file(body, *path);
}

static void store_file(arena *a, const char *url, const strbuf *body)
{
    const char *dir = cache_dir(a, "remote");
    char key[65];
    cache_key(url, key);
    if (!dir) {
        warnf("not caching %s: %s", shown_url(a, url), err_msg());
        return;
    }
    const char *path = arena_printf(a, "%s/%s", dir, key);
    if (write_file_atomic(path, body->buf, body->len) < 0)
        warnf("not caching %s: %s: %s", shown_url(a, url), path, strerror(errno));
}

enum fetch_result { FETCHED, NOT_A_FILE, FAILED };

int remote_offline;

/* GETs url; on failure falls back to the cache. FAILED has err_set. */
static enum fetch_result fetch_file(kust *k, const char *url, const node *where, strbuf *body, int may_be_git)
{
    arena *a = k->b->a;
    long status = 0;
    const char *why;
    if (remote_offline) {
        const char *path = "no cache directory";
        if (cached_file(a, url, body, &path) == 0) return FETCHED;
        if (may_be_git) return NOT_A_FILE;
        err_set("%s: offline: remote resource '%s' is not in the cache (%s)", node_pos(a, where), shown_url(a, url), path);
        return FAILED;
    }
    if (http_get(url, &status, body) == 0 && status >= 200 && status <= 299) {
        store_file(a, url, body);
        return FETCHED;
    }
    if (status) {
        /* The server answered: a git repository's URL is no file (kustomize's order). */
        if (may_be_git) return NOT_A_FILE;
        why = arena_printf(a, "HTTP status %ld", status);
    } else {
        /* http.c's message starts with the URL, which the messages below name already. */
        why = arena_strdup(a, err_msg());
        const char *shown = shown_url(a, url);
        size_t n = strlen(shown);
        if (!strncmp(why, shown, n) && !strncmp(why + n, ": ", 2)) why += n + 2;
    }
    const char *path;
    if (cached_file(a, url, body, &path) == 0) {
        warnf("%s: fetching %s failed (%s); using the cached copy %s", node_pos(a, where), shown_url(a, url), why, path);
        return FETCHED;
    }
    if (may_be_git && !status) return NOT_A_FILE;
    err_set("%s: cannot fetch remote resource '%s': %s, and there is no cached copy", node_pos(a, where),
            shown_url(a, url), why);
    return FAILED;
}

/* ---- git repositories ---- */

static int is_full_sha(const char *ref)
{
    size_t n = strlen(ref);
    return n == 40 && strspn(ref, "0123456789abcdef") == n;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int git_missing;

/* Runs one git step in dir; -1 with err_set naming the step and git's last words. */
static int git(const char *dir, int timeout_s, const char *const *args)
{
    const char *argv[16] = {"git"};
    size_t n = 1;
    for (; args[n - 1] && n < 15; n++) argv[n] = args[n - 1];
    argv[n] = NULL;
    const char *env[4] = {"GIT_TERMINAL_PROMPT=0", NULL, NULL};
    /* Never wait for a password or a host-key prompt: fail and let the cache answer. */
    if (!getenv("GIT_SSH_COMMAND")) env[1] = "GIT_SSH_COMMAND=ssh -o BatchMode=yes";
    strbuf err = STRBUF_INIT;
    runcmd c = {.argv = argv, .env = env, .cwd = dir, .timeout_s = timeout_s, .err = &err};
    int why, rc = runcmd_run(&c, &why);
    if (rc < 0 && why == RUNCMD_NOTFOUND) {
        git_missing = 1;
        err_set("git is not installed (not found in PATH)");
    } else if (rc > 0) {
        /* git's "fatal:" line says what went wrong; hints and advice follow it. */
        const char *f = strstr(err.buf ? err.buf : "", "fatal: ");
        strbuf last = STRBUF_INIT;
        if (f) sb_add(&last, f, strcspn(f, "\n"));
        else runcmd_last_line(&err, &last);
        err_set("git %s failed: %s", args[0], last.len ? last.buf : "(no message)");
        sb_release(&last);
        rc = -1;
    }
    sb_release(&err);
    return rc;
}

/* kustomize's clone: init, fetch --depth=1 the ref, check out, submodules. */
static int git_clone(const repospec *rs, const char *dir)
{
    const char *ref = *rs->ref ? rs->ref : "HEAD";
    if (git(dir, rs->timeout_s, (const char *[]){"init", "--quiet", NULL}) < 0) return -1;
    if (git(dir, rs->timeout_s, (const char *[]){"remote", "add", "origin", rs->clone, NULL}) < 0) return -1;
    if (git(dir, rs->timeout_s, (const char *[]){"fetch", "--depth=1", "origin", ref, NULL}) < 0) return -1;
    if (git(dir, rs->timeout_s, (const char *[]){"checkout", "--quiet", "FETCH_HEAD", NULL}) < 0) return -1;
    if (rs->submodules &&
        git(dir, rs->timeout_s, (const char *[]){"submodule", "update", "--init", "--recursive", NULL}) < 0)
        return -1;
    return 0;
}

/* Clones into the cache (fresh each build unless the ref is a commit id);
 * when the clone fails, an earlier clone is used with a warning. */
static int fetch_repo(kust *k, const char *url, const repospec *rs, const node *where, const char **clone_dir)
{
    arena *a = k->b->a;
    const char *dir = cache_dir(a, "git");
    if (!dir) return err_prefix("%s: remote resource '%s'", node_pos(a, where), shown_url(a, url));
    char key[65];
    cache_key(arena_printf(a, "%s\n%s\n%d", rs->clone, rs->ref, rs->submodules), key);
    const char *final = arena_printf(a, "%s/%s", dir, key);
    *clone_dir = final;
    if (is_full_sha(rs->ref) && is_dir(final)) return 0; /* a commit never changes */
    if (remote_offline)
        return is_dir(final) ? 0 : err_set("%s: offline: git repository '%s' is not in the cache (%s)",
                                           node_pos(a, where), shown_url(a, url), final);
    char *tmp = arena_printf(a, "%s/%s.tmpXXXXXX", dir, key);
    int rc = mkdtemp(tmp) ? git_clone(rs, tmp) : err_set("%s: %s", tmp, strerror(errno));
    if (rc == 0 && replace_dir(tmp, final) == 0) return 0;
    if (rc == 0) err_set("%s: %s", final, strerror(errno));
    remove_tree(tmp);
    if (is_dir(final)) {
        warnf("%s: cloning %s failed (%s); using the cached clone %s", node_pos(a, where), shown_url(a, url),
              err_msg(), final);
        return 0;
    }
    return err_prefix("%s: cannot clone remote resource '%s'%s, and there is no cached clone", node_pos(a, where),
                      shown_url(a, url), git_missing ? "" : " (offline?)");
}

/* The kustomization root inside the clone: a directory that stays inside it. */
static int repo_root_dir(kust *k, const char *clone, const repospec *rs, const node *where, const char **local_dir)
{
    arena *a = k->b->a;
    const char *p = *rs->path ? arena_printf(a, "%s/%s", clone, rs->path) : clone;
    char rclone[PATH_MAX], rp[PATH_MAX];
    if (!realpath(clone, rclone) || !realpath(p, rp))
        return err_set("%s: remote resource: '%s' does not exist in %s", node_pos(a, where), rs->path, rs->clone);
    size_t n = strlen(rclone);
    if (strncmp(rp, rclone, n) || (rp[n] && rp[n] != '/'))
        return err_set("%s: remote resource: '%s' refers to a directory outside the repo %s", node_pos(a, where),
                       rs->path, rs->clone);
    if (!is_dir(rp))
        return err_set("%s: remote resource: '%s' refers to file '%s'; expecting directory", node_pos(a, where),
                       rs->clone, rs->path);
    *local_dir = arena_strdup(a, rp);
    return 0;
}

static int fetch_git(kust *k, const char *url, const repospec *rs, const node *where, const char **local_dir)
{
    const char *clone = NULL;
    if (fetch_repo(k, url, rs, where, &clone) < 0) return -1;
    return repo_root_dir(k, clone, rs, where, local_dir);
}

int remote_fetch(kust *k, const char *url, const node *where, strbuf *body, const char **local_dir)
{
    arena *a = k->b->a;
    repospec rs;
    const char *why = NULL;
    int is_repo = repospec_parse(a, url, &rs, &why) == 0;
    int http = has_prefix_ci(url, "http://") || has_prefix_ci(url, "https://");
    *local_dir = NULL;
    if (has_prefix_ci(url, "git::"))
        warnf("Forcing the git protocol using the 'git::' URL prefix is not supported. Kustomize currently strips "
              "this invalid prefix, but will stop doing so in a future release. Please remove the 'git::' prefix "
              "from your configuration.");
    if (http && !(is_repo && http_url_is_git(url))) {
        enum fetch_result r = fetch_file(k, url, where, body, is_repo);
        if (r != NOT_A_FILE) return r == FETCHED ? 0 : -1;
    }
    if (!is_repo)
        return err_set("%s: remote resource '%s' is not a git repository URL: %s", node_pos(a, where),
                       shown_url(a, url), why);
    return fetch_git(k, url, &rs, where, local_dir);
}

const char *remote_repo_root(arena *a, const char *local_dir)
{
    const char *dir = cache_dir(a, "git");
    char rdir[PATH_MAX];
    if (!dir || !realpath(dir, rdir)) return NULL;
    size_t n = strlen(rdir);
    if (strncmp(local_dir, rdir, n) || local_dir[n] != '/') return NULL;
    size_t keylen = strcspn(local_dir + n + 1, "/");
    return arena_strndup(a, local_dir, n + 1 + keylen);
}
