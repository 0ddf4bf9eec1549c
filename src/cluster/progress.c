/* What apply tells: a progress line on a terminal (stage, a bar, counts, the
 * rate; only when stderr is one), a line per changed object on stdout (or,
 * with -o json, one JSON event per line), errors on stderr, and always the
 * summary line last. Messages come redacted (Secret values) from the engine;
 * nothing here prints an object's content. */
#include "apply.h"
#include "jsonout.h"
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct progress {
    int tty;
    int shown;                    /* a progress line is on the terminal */
    double last;
    const char *stage;
};

double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct progress *progress_new(engine *e)
{
    struct progress *p = calloc(1, sizeof *p);
    p->tty = e->o->progress < 0 ? isatty(2) : e->o->progress;
    p->stage = "start";
    e->pg = p;
    return p;
}

void progress_free(engine *e)
{
    free(e->pg);
    e->pg = NULL;
}

static void clear_line(engine *e)
{
    if (e->pg->shown) {
        fputs("\r\033[K", stderr);
        e->pg->shown = 0;
    }
}

static void json_field(strbuf *sb, const char *key, const char *val)
{
    if (!val) return;
    sb_addc(sb, ',');
    json_string(sb, key, strlen(key));
    sb_addc(sb, ':');
    json_string(sb, val, strlen(val));
}

static void emit_json(strbuf *sb)
{
    sb_adds(sb, "}\n");
    fwrite(sb->buf, 1, sb->len, stdout);
    fflush(stdout);
    sb_release(sb);
}

void progress_stage(engine *e, const char *stage)
{
    e->pg->stage = stage;
    if (e->o->quiet) return;
    if (e->o->json) {
        strbuf sb = STRBUF_INIT;
        sb_addf(&sb, "{\"event\":\"stage\",\"time\":%.3f", now_s() - e->t0);
        json_field(&sb, "stage", stage);
        emit_json(&sb);
    }
    progress_tick(e, 1);
}

void progress_tick(engine *e, int force)
{
    struct progress *p = e->pg;
    if (!p->tty || e->o->quiet) return;
    double t = now_s();
    if (!force && t - p->last < 0.1) return;
    p->last = t;
    size_t total = e->n ? e->n : 1, done = e->ndone, width = 24, fill = done * width / total;
    char bar[32];
    for (size_t i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    double el = t - e->t0;
    fprintf(stderr, "\r\033[K%-16s [%s] %zu/%zu  applied %zu  unchanged %zu  failed %zu  %.0f/s", p->stage, bar, done,
            e->n, e->napplied, e->nunchanged, e->nfailed, el > 0 ? done / el : 0.0);
    p->shown = 1;
    fflush(stderr);
}

/* A message that names its object already is printed as is. */
static void human_error(const char *what, const char *msg)
{
    size_t wl = strlen(what);
    if (!strncmp(msg, what, wl) && msg[wl] == ':') fprintf(stderr, "error: %s\n", msg);
    else fprintf(stderr, "error: %s: %s\n", what, msg);
}

static void event(engine *e, const char *what, const aobj *o, const char *result, const char *msg)
{
    if (e->o->quiet) return;
    if (e->o->json) {
        strbuf sb = STRBUF_INIT;
        sb_addf(&sb, "{\"event\":\"object\",\"time\":%.3f", now_s() - e->t0);
        json_field(&sb, "object", what);
        if (o) {
            json_field(&sb, "apiVersion", o->api_version);
            json_field(&sb, "kind", o->kind);
            json_field(&sb, "namespace", *o->ns ? o->ns : NULL);
            json_field(&sb, "name", o->name);
        }
        json_field(&sb, "result", result);
        json_field(&sb, "message", msg);
        emit_json(&sb);
        return;
    }
    if (!strcmp(result, "unchanged")) return; /* counted in the summary */
    clear_line(e);
    if (!strcmp(result, "failed") || !strcmp(result, "prune-failed") || !strcmp(result, "not-ready")) {
        human_error(what, msg ? msg : result);
    } else if (!strcmp(result, "not-applied")) {
        /* after a stop, one line in the summary says how many */
        if (!e->stop) fprintf(stderr, "%s %s\n", what, msg ? msg : result);
    } else {
        printf("%s %s%s%s\n", what, result, msg ? ": " : "", msg ? msg : "");
        fflush(stdout);
    }
}

void progress_event(engine *e, const aobj *o, const char *result, const char *msg)
{
    event(e, o->what, o, result, msg);
}

void progress_event_raw(engine *e, const char *what, const char *result, const char *msg)
{
    event(e, what, NULL, result, msg);
}

static void summary_line(engine *e, FILE *f)
{
    fprintf(f, "applied %zu, unchanged %zu, failed %zu, pruned %zu in %.2f s\n", e->napplied, e->nunchanged,
            e->nfailed, e->npruned, now_s() - e->t0);
    fflush(f);
}

static void json_summary(engine *e, const char *error)
{
    strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "{\"event\":\"summary\",\"time\":%.3f,\"objects\":%zu,\"applied\":%zu,\"unchanged\":%zu,"
                 "\"failed\":%zu,\"pruned\":%zu", now_s() - e->t0, e->n, e->napplied, e->nunchanged, e->nfailed,
            e->npruned);
    json_field(&sb, "error", error);
    if (e->c) {
        static const char *const verbs[] = {"GET", "LIST", "WATCH", "PATCH", "DELETE", "POST", "PUT"};
        sb_adds(&sb, ",\"requests\":{");
        for (int i = 0; i < 7; i++) sb_addf(&sb, "%s\"%s\":%zu", i ? "," : "", verbs[i], cluster_requests(e->c, verbs[i]));
        sb_addc(&sb, '}');
    }
    if (e->set_id) json_field(&sb, "applyset", e->set_id);
    emit_json(&sb);
}

void progress_summary(engine *e)
{
    if (e->o->quiet) return;
    clear_line(e);
    if (e->stop) {
        size_t nb = 0;
        for (size_t i = 0; i < e->n; i++) nb += e->objs[i].state == OS_BLOCKED;
        fprintf(stderr, "error: %s\n", e->stop_why);
        if (nb)
            fprintf(stderr, "error: %zu object(s) not applied (or not confirmed); run kgrender apply again to converge\n", nb);
    }
    /* the objects that are not ready, each with why, again at the end */
    size_t nr = 0;
    for (size_t i = 0; i < e->n; i++) {
        const aobj *o = &e->objs[i];
        if (o->needs_ready && o->done && (o->state == OS_APPLIED || o->state == OS_UNCHANGED) &&
            o->health != H_READY && !e->o->dry_run) {
            if (!nr++ && !e->o->json) fputs("not ready:\n", stderr);
            if (!e->o->json) fprintf(stderr, "  %s: %s\n", o->what, o->msg ? o->msg : "not ready");
        }
    }
    if (e->o->json) json_summary(e, e->stop ? e->stop_why : NULL);
    summary_line(e, e->o->json ? stderr : stdout);
}

void progress_fatal(engine *e, const char *msg)
{
    if (e->o->quiet) return;
    clear_line(e);
    fprintf(stderr, "error: %s\n", msg);
    if (e->o->json) json_summary(e, msg);
    summary_line(e, e->o->json ? stderr : stdout);
}
