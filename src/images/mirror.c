/* Copying images with skopeo, registry to registry (or into an OCI layout
 * bundle and out of it again), without pulling layers to this machine:
 *
 *   skopeo copy --all --preserve-digests SRC DST
 *
 * run without a shell (runcmd.c), p->jobs at a time. An image whose manifest
 * the destination already serves byte for byte (`skopeo inspect --raw` on
 * both sides: the same bytes are the same digest) is skipped; transient
 * failures are retried with backoff. A registry shows a tag only once its
 * manifest is pushed, after every blob, so an interrupted copy leaves at
 * most unreferenced blobs, and a rerun copies that image again. */
#include "images.h"
#include "err.h"
#include "runcmd.h"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* ---- the plan ---- */

/* skopeo takes a tag or a digest, not both: pull by the digest when pinned. */
static const char *pull_form(arena *a, const imageref *r)
{
    const char *name = imageref_name(a, r);
    if (*r->digest) return arena_printf(a, "%s@%s", name, r->digest);
    return *r->tag ? arena_printf(a, "%s:%s", name, r->tag) : name;
}

/* ... and push under the tag when there is one (--preserve-digests keeps the digest). */
static const char *push_form(arena *a, const imageref *r)
{
    const char *name = imageref_name(a, r);
    if (*r->tag) return arena_printf(a, "%s:%s", name, r->tag);
    return *r->digest ? arena_printf(a, "%s@%s", name, r->digest) : name;
}

static int insecure(const mirror_plan *p, const char *domain)
{
    const char *colon = strrchr(domain, ':');
    size_t hostlen = colon && !strchr(colon, ']') ? (size_t)(colon - domain) : strlen(domain);
    for (size_t i = 0; i < p->ninsecure; i++) {
        const char *v = p->insecure[i];
        if (!strcmp(v, domain)) return 1;
        if (!strchr(v, ':') && strlen(v) == hostlen && !strncmp(v, domain, hostlen)) return 1; /* any port */
    }
    return 0;
}

void mirror_plan_add(mirror_plan *p, const imageref *src, const imageref *dst)
{
    arena *a = p->a;
    const char *full = imageref_string(a, src);
    mirror_item it = {0};
    imageref from = *src;
    if (!p->from_dir && p->sources.nmaps && image_mirror(a, &p->sources, src, &from) < 0) from = *src;
    it.src = p->from_dir ? arena_printf(a, "oci:%s:%s", p->from_dir, full)
                         : arena_printf(a, "docker://%s", pull_form(a, &from));
    if (p->dest == MIRROR_REGISTRY) {
        it.dst = arena_printf(a, "docker://%s", push_form(a, dst));
        it.label = arena_printf(a, "%s -> %s", p->from_dir ? full : pull_form(a, &from), push_form(a, dst));
    } else {
        it.dst = arena_printf(a, "oci:%s:%s", p->dir, full);
        it.label = arena_printf(a, "%s -> %s", pull_form(a, &from), p->archive ? p->archive : p->dir);
    }
    if (!strcmp(it.src, it.dst)) return;
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->v[i].src, it.src) && !strcmp(p->v[i].dst, it.dst)) return;
    it.src_insecure = !p->from_dir && insecure(p, from.domain);
    it.dst_insecure = p->dest == MIRROR_REGISTRY && insecure(p, dst->domain);
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 32;
        p->v = arena_grow(a, p->v, p->cap * sizeof *p->v, cap * sizeof *p->v);
        p->cap = cap;
    }
    p->v[p->n++] = it;
}

/* ---- running skopeo ---- */

static int policy_missing(void)
{
    const char *home = getenv("HOME");
    char path[4096];
    if (!access("/etc/containers/policy.json", R_OK)) return 0;
    snprintf(path, sizeof path, "%s/.config/containers/policy.json", home ? home : "");
    return access(path, R_OK) != 0;
}

struct run {
    mirror_plan *p;
    pthread_mutex_t mu;
    size_t next, done, copied, there, failed;
    int tty, no_policy;
    const char *authfile;
};

/* skopeo logs `time="..." level=fatal msg="..."`: keep the message. */
static void tidy_message(strbuf *why)
{
    const char *m = why->buf ? strstr(why->buf, "msg=\"") : NULL;
    if (!m) return;
    strbuf t = STRBUF_INIT;
    for (m += 5; *m && *m != '"'; m++) {
        if (*m == '\\' && m[1]) m++;
        sb_addc(&t, *m);
    }
    sb_reset(why);
    sb_add(why, t.buf ? t.buf : "", t.len);
    sb_release(&t);
}

/* Runs skopeo with args; out gets stdout, why the last stderr line on failure. */
static int skopeo(struct run *r, const char **args, strbuf *out, strbuf *why)
{
    const char *argv[24];
    int n = 0;
    argv[n++] = "skopeo";
    if (r->no_policy) argv[n++] = "--insecure-policy";
    for (int i = 0; args[i] && n < 21; i++) argv[n++] = args[i];
    argv[n] = NULL;
    strbuf err = STRBUF_INIT;
    runcmd c = {.argv = argv, .out = out, .err = &err, .cancel = &interrupted, .timeout_s = 3600};
    int how, rc = runcmd_run(&c, &how);
    if (rc != 0 && why) {
        sb_reset(why);
        if (rc < 0) sb_adds(why, err_msg());
        else runcmd_last_line(&err, why), tidy_message(why);
        if (!why->len) sb_addf(why, "skopeo exited %d", rc);
    }
    sb_release(&err);
    return how == RUNCMD_CANCELLED ? -2 : rc;
}

/* Errors no retry fixes: the image or the permission is not there. */
static int permanent(const char *why)
{
    static const char *const words[] = {"manifest unknown", "name unknown", "unauthorized", "denied",
                                        "not found", "no such", "invalid", "authentication required", NULL};
    for (int i = 0; words[i]; i++)
        if (strcasestr(why, words[i])) return 1;
    return 0;
}

static void sleep_ms(long ms)
{
    for (; ms > 0 && !interrupted; ms -= 100) {
        struct timespec ts = {0, (ms > 100 ? 100 : ms) * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* skopeo with retries of transient failures (0.5 s, 1 s, 2 s, ... apart). */
static int skopeo_retry(struct run *r, const char **args, strbuf *out, strbuf *why)
{
    for (int attempt = 0;; attempt++) {
        if (out) sb_reset(out);
        int rc = skopeo(r, args, out, why);
        if (rc == 0 || rc == -2 || interrupted) return rc;
        if (attempt >= r->p->retries || permanent(why->buf)) return rc;
        sleep_ms(500L << attempt);
    }
}

static int inspect(struct run *r, const char *ref, int insecure_tls, int retry, strbuf *raw, strbuf *why)
{
    const char *args[8] = {"inspect", "--raw"};
    int n = 2;
    if (insecure_tls) args[n++] = "--tls-verify=false";
    if (r->authfile) args[n++] = "--authfile", args[n++] = r->authfile;
    args[n++] = ref;
    args[n] = NULL;
    return retry ? skopeo_retry(r, args, raw, why) : skopeo(r, args, raw, why);
}

static int copy(struct run *r, const mirror_item *it, strbuf *why)
{
    const char *args[12] = {"copy", "--all", "--preserve-digests", "-q"};
    int n = 4;
    if (it->src_insecure) args[n++] = "--src-tls-verify=false";
    if (it->dst_insecure) args[n++] = "--dest-tls-verify=false";
    if (r->authfile) args[n++] = "--authfile", args[n++] = r->authfile;
    args[n++] = it->src, args[n++] = it->dst;
    args[n] = NULL;
    return skopeo_retry(r, args, NULL, why);
}

static int same(const strbuf *x, const strbuf *y)
{
    return x->len && x->len == y->len && !memcmp(x->buf, y->buf, x->len);
}

enum { COPIED, THERE, FAILED, CANCELLED };

static int process(struct run *r, const mirror_item *it, strbuf *why)
{
    strbuf src = STRBUF_INIT, dst = STRBUF_INIT, ignored = STRBUF_INIT;
    int res, rc = inspect(r, it->src, it->src_insecure, 1, &src, why);
    if (rc == 0 && inspect(r, it->dst, it->dst_insecure, 0, &dst, &ignored) == 0 && same(&src, &dst)) res = THERE;
    else if (rc == 0 && (rc = copy(r, it, why)) == 0) {
        /* the destination must now serve the source's manifest (the same digest) */
        rc = inspect(r, it->dst, it->dst_insecure, 1, &dst, why);
        if (rc == 0 && !same(&src, &dst)) rc = 1, sb_reset(why), sb_adds(why, "digest differs after the copy");
        res = rc == 0 ? COPIED : FAILED;
    } else res = FAILED;
    if (rc == -2 || interrupted) res = res == FAILED ? CANCELLED : res;
    sb_release(&src), sb_release(&dst), sb_release(&ignored);
    return res;
}

static void show(struct run *r, const char *what, const mirror_item *it, const char *why)
{
    /* on a tty the progress line is redrawn below every finished image */
    if (r->tty) fputs("\r\033[K", stderr);
    if (what) fprintf(stderr, "%s: %s%s%s\n", what, it->label, why ? ": " : "", why ? why : "");
    if (r->tty && r->done < r->p->n)
        fprintf(stderr, "[%zu/%zu] copied %zu, already there %zu, failed %zu", r->done, r->p->n, r->copied, r->there,
                r->failed);
    fflush(stderr);
}

static void *worker(void *arg)
{
    struct run *r = arg;
    strbuf why = STRBUF_INIT;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        size_t i = interrupted ? r->p->n : r->next++;
        pthread_mutex_unlock(&r->mu);
        if (i >= r->p->n) break;
        const mirror_item *it = &r->p->v[i];
        int res = process(r, it, &why);
        pthread_mutex_lock(&r->mu);
        if (res != CANCELLED) r->done++;
        if (res == COPIED) r->copied++;
        if (res == THERE) r->there++;
        if (res == FAILED) r->failed++;
        static const char *const words[] = {"copied", "already there", "failed", NULL};
        if (res != CANCELLED && (res == FAILED || !r->tty)) show(r, words[res], it, res == FAILED ? why.buf : NULL);
        else if (res != CANCELLED) show(r, NULL, it, NULL);
        pthread_mutex_unlock(&r->mu);
    }
    sb_release(&why);
    err_release();
    return NULL;
}

/* Runs the workers with SIGINT/SIGTERM caught, so that they stop their skopeo children. */
static void run_workers(struct run *r, int jobs)
{
    struct sigaction sa = {.sa_handler = on_signal}, old_int, old_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    pthread_t th[64];
    int started = 0;
    for (; started < jobs && started < 64; started++)
        if (pthread_create(&th[started], NULL, worker, r) != 0) break;
    if (!started) worker(r);
    for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
}

static int cmp_item(const void *x, const void *y)
{
    return strcmp(((const mirror_item *)x)->label, ((const mirror_item *)y)->label);
}

int mirror_run(mirror_plan *p)
{
    if (p->n) qsort(p->v, p->n, sizeof *p->v, cmp_item); /* the same order every run */
    if (p->dry_run) {
        for (size_t i = 0; i < p->n; i++) printf("%s -> %s\n", p->v[i].src, p->v[i].dst);
        printf("plan: %zu image%s to copy\n", p->n, p->n == 1 ? "" : "s");
        return 0;
    }
    struct run r = {.p = p, .tty = isatty(2), .no_policy = policy_missing(), .authfile = getenv("REGISTRY_AUTH_FILE")};
    if (r.authfile && !*r.authfile) r.authfile = NULL;
    if (r.no_policy) warnf("no containers policy.json found; running skopeo with --insecure-policy");
    pthread_mutex_init(&r.mu, NULL);
    /* one writer at a time into an OCI layout: its index.json is rewritten by every copy */
    int jobs = p->dest == MIRROR_REGISTRY ? (p->jobs > 0 ? p->jobs : 4) : 1;
    if (r.tty) show(&r, NULL, NULL, NULL);
    run_workers(&r, jobs);
    pthread_mutex_destroy(&r.mu);
    if (r.tty) fputs("\r\033[K", stderr);
    int rc = 0;
    if (interrupted) {
        fprintf(stderr, "interrupted: %zu of %zu images done; run the same command again to finish\n", r.done, p->n);
        rc = 130;
    } else if (p->dest == MIRROR_OCI_ARCHIVE && !r.failed && mirror_finish_archive(p) < 0) {
        fprintf(stderr, "Error: %s\n", err_msg());
        rc = 1;
    }
    printf("copied %zu, already there %zu, failed %zu\n", r.copied, r.there, r.failed);
    fflush(stdout);
    return rc ? rc : r.failed ? 1 : 0;
}
