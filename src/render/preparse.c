#include "preparse.h"
#include "err.h"
#include "remote.h"
#include "kyaml.h"
#include "quirks.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Below this much YAML a thread costs more than it saves. */
#define PREPARSE_MIN_BYTES (256 * 1024)
#define PREPARSE_MAX_THREADS 4

struct job {
    preparsed *out;
    strbuf text;
};

struct worker {
    struct job *jobs;
    size_t first, n, stride;
    arena *a;
};

static void *parse_share(void *arg)
{
    struct worker *w = arg;
    for (size_t i = w->first; i < w->n; i += w->stride) {
        struct job *j = &w->jobs[i];
        j->out->nvalues = quirk_kio_values(j->out->file, j->text.buf, j->text.len);
        j->out->ok = j->out->nvalues >= 0 && yaml_load(w->a, j->out->file, j->text.buf, j->text.len, &j->out->docs) == 0;
        if (!j->out->ok) list_free(&j->out->docs); /* parsed again in order, so the error is reported there */
    }
    return NULL;
}

static int is_regular_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Reads the entries that are plain local files; returns how many bytes. */
static size_t read_files(kust *k, node **entries, size_t n, preparsed *out, struct job *jobs, size_t *njobs)
{
    size_t bytes = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rel = node_text(entries[i]);
        if (!rel || entries[i]->kind != N_STR || remote_is_url(rel)) continue;
        const char *path = kust_path(k, rel);
        if (!is_regular_file(path)) continue;
        struct job *j = &jobs[*njobs];
        j->text = (strbuf)STRBUF_INIT;
        if (kust_read_file(k, rel, entries[i], &j->text, &out[i].file) < 0) {
            err_clear();
            sb_release(&j->text);
            continue;
        }
        j->out = &out[i];
        bytes += j->text.len;
        (*njobs)++;
    }
    return bytes;
}

void preparse_files(kust *k, node **entries, size_t n, preparsed *out)
{
    memset(out, 0, n * sizeof *out);
    struct job *jobs = malloc((n ? n : 1) * sizeof *jobs);
    size_t njobs = 0, bytes = read_files(k, entries, n, out, jobs, &njobs);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nt = cpus > 1 ? (size_t)cpus : 1;
    if (nt > PREPARSE_MAX_THREADS) nt = PREPARSE_MAX_THREADS;
    if (nt > njobs) nt = njobs;
    if (bytes < PREPARSE_MIN_BYTES) nt = njobs ? 1 : 0;
    struct worker w[PREPARSE_MAX_THREADS];
    pthread_t th[PREPARSE_MAX_THREADS];
    int started[PREPARSE_MAX_THREADS] = {0};
    for (size_t t = 0; t < nt; t++) {
        w[t] = (struct worker){jobs, t, njobs, nt, t ? arena_new() : k->b->a};
        if (t) started[t] = pthread_create(&th[t], NULL, parse_share, &w[t]) == 0;
    }
    if (nt) parse_share(&w[0]);
    for (size_t t = 1; t < nt; t++) {
        if (started[t]) pthread_join(th[t], NULL);
        else parse_share(&w[t]);
        arena_adopt(k->b->a, w[t].a);
    }
    for (size_t i = 0; i < njobs; i++) sb_release(&jobs[i].text);
    free(jobs);
}

void preparsed_free(preparsed *p, size_t n)
{
    for (size_t i = 0; i < n; i++) list_free(&p[i].docs);
}
