/* Rendering plugins into objects: helm and template kinds through the helm
 * binary (helm template, release = plugin name, namespace = install
 * namespace, CRDs included, tests skipped as helm install skips them), all
 * helm runs of one nesting level in parallel; kustomize kinds with the build
 * code; native kinds as every *.yaml / *.yml file of the directory (sorted by
 * name) or one YAML file. Objects go to p->out unsorted, Plugins included. */
#include "plugin_impl.h"
#include "err.h"
#include "kyaml.h"
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_HELM_THREADS 8

typedef struct helm_job {
    plugin *p;
    helm_run run;               /* the shared runner with this plugin's message context */
    const char *args[64];
    strbuf out;
    char *err;                  /* heap: the message when helm failed */
} helm_job;

typedef struct job_queue {
    helm_job *jobs;
    size_t n;
    atomic_size_t next;
} job_queue;

/* Parses text into p's objects (kind: List expanded, origin = file). */
static int load_text(expander *x, plugin *p, const char *file, const char *buf, size_t len)
{
    kust k = {.b = x->b};
    return kust_load_objects(&k, file, buf ? buf : "", len, &p->out);
}

static int yaml_name(const char *n)
{
    size_t l = strlen(n);
    return (l > 5 && !strcasecmp(n + l - 5, ".yaml")) || (l > 4 && !strcasecmp(n + l - 4, ".yml"));
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int load_file(expander *x, plugin *p, const char *file)
{
    strbuf sb = STRBUF_INIT;
    int rc = sb_read_file(&sb, file) < 0 ? err_set("%s: plugin %s: %s: cannot read", p->where, p->name, file)
                                         : load_text(x, p, file, sb.buf, sb.len);
    sb_release(&sb);
    return rc;
}

static int render_native(expander *x, plugin *p)
{
    arena *a = x->b->a;
    struct stat st;
    if (stat(p->source, &st) == 0 && S_ISREG(st.st_mode)) return load_file(x, p, p->source);
    DIR *d = opendir(p->source);
    if (!d) return err_set("%s: plugin %s: cannot read directory %s", p->where, p->name, p->source);
    strlist names = {0};
    for (struct dirent *e; (e = readdir(d));)
        if (yaml_name(e->d_name)) strlist_push(a, &names, arena_strdup(a, e->d_name));
    closedir(d);
    qsort(names.v, names.n, sizeof *names.v, cmp_str);
    for (uint32_t i = 0; i < names.n; i++)
        if (load_file(x, p, arena_printf(a, "%s/%s", p->source, names.v[i])) < 0) return -1;
    return 0;
}

static int render_kustomize(expander *x, plugin *p)
{
    struct stat st;
    if (stat(p->source, &st) == 0 && S_ISREG(st.st_mode)) return load_file(x, p, p->source);
    /* Its own build, sharing the arena; Plugins in its output come back to the expander. */
    build sub = {.a = x->b->a, .opt = x->b->opt};
    sub.opt.expand = NULL;
    sub.opt.post_build = NULL; /* the image pass runs once, over the whole top-level output */
    if (build_objects(&sub, p->source, &p->out) < 0) return err_prefix("%s: plugin %s", p->where, p->name);
    return 0;
}

/* The values file and the helm template command line. */
static int prepare_helm(expander *x, plugin *p, helm_job *j)
{
    arena *a = x->b->a;
    const char *dir = plugin_scratch(x, p->name);
    if (!dir) return -1;
    const char *values = arena_printf(a, "%s/values.yaml", dir);
    strbuf sb = STRBUF_INIT;
    int rc = yaml_emit(&sb, p->merged);
    if (rc == 0 && write_file_atomic(values, sb.buf ? sb.buf : "", sb.len) < 0)
        rc = err_set("%s: plugin %s: writing %s", p->where, p->name, values);
    sb_release(&sb);
    if (rc < 0) return -1;
    j->p = p;
    j->run = x->helm;
    j->run.what = arena_printf(a, "%s: plugin %s", p->where, p->name);
    size_t n = 0;
    const char **v = j->args;
    v[n++] = "template", v[n++] = p->name, v[n++] = p->source, v[n++] = "--namespace", v[n++] = p->install_ns;
    v[n++] = "--include-crds", v[n++] = "--skip-tests", v[n++] = "-f", v[n++] = values;
    if (x->po->kube_version) v[n++] = "--kube-version", v[n++] = x->po->kube_version;
    for (size_t i = 0; i < x->po->napi_versions && n < 60; i++) v[n++] = "--api-versions", v[n++] = x->po->api_versions[i];
    v[n] = NULL;
    return 0;
}

static void *helm_worker(void *arg)
{
    job_queue *q = arg;
    for (size_t i; (i = atomic_fetch_add(&q->next, 1)) < q->n;) {
        helm_job *j = &q->jobs[i];
        if (helm_exec(&j->run, j->args, &j->out) < 0) j->err = strdup(err_msg());
    }
    return NULL;
}

/* Runs the jobs on up to MAX_HELM_THREADS threads (helm is single-threaded and slow to start). */
static void run_jobs(helm_job *jobs, size_t n)
{
    job_queue q = {.jobs = jobs, .n = n};
    atomic_init(&q.next, 0);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nt = cpus > 1 ? (size_t)cpus : 1;
    if (nt > MAX_HELM_THREADS) nt = MAX_HELM_THREADS;
    if (nt > n) nt = n;
    pthread_t th[MAX_HELM_THREADS];
    int started[MAX_HELM_THREADS] = {0};
    for (size_t t = 1; t < nt; t++) started[t] = pthread_create(&th[t], NULL, helm_worker, &q) == 0;
    helm_worker(&q);
    for (size_t t = 1; t < nt; t++)
        if (started[t]) pthread_join(th[t], NULL);
}

/* Source, chart annotations and values: everything a render needs. */
static int prepare(expander *x, plugin *p)
{
    if (plugin_resolve_source(x, p) < 0 || plugin_apply_chart_annotations(x, p) < 0) return -1;
    if (plugin_merged_values(x, p) < 0) return -1;
    if ((p->kind == PK_KUSTOMIZE || p->kind == PK_NATIVE) && p->values && p->values->u.map.n)
        warnf("%s: plugin %s: spec.values are not used by kind %s", p->where, p->name, plugin_kind_names[p->kind]);
    return 0;
}

static int start_helm(expander *x)
{
    if (!x->helm_ready) {
        const char *what = "plugins";
        if (helm_run_init(x->b->a, &x->helm, x->b->opt.helm_command, NULL, what) < 0) return -1;
        x->helm_ready = 1;
    }
    return 0;
}

int plugin_render_all(expander *x, plugin **list, size_t n)
{
    helm_job *jobs = calloc(n ? n : 1, sizeof *jobs);
    size_t nj = 0;
    int rc = start_helm(x);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        plugin *p = list[i];
        rc = prepare(x, p);
        if (rc == 0 && (p->kind == PK_HELM || p->kind == PK_TEMPLATE)) rc = prepare_helm(x, p, &jobs[nj++]);
        else if (rc == 0) rc = p->kind == PK_KUSTOMIZE ? render_kustomize(x, p) : render_native(x, p);
    }
    if (rc == 0 && nj) {
        jobs[0].run.what = arena_printf(x->b->a, "%s: plugin %s", jobs[0].p->where, jobs[0].p->name);
        rc = helm_check_v3(&jobs[0].run);
    }
    if (rc == 0) run_jobs(jobs, nj);
    for (size_t i = 0; i < nj; i++) {
        helm_job *j = &jobs[i];
        if (rc == 0 && j->err) rc = err_set("%s", j->err);
        if (rc == 0)
            rc = load_text(x, j->p, arena_printf(x->b->a, "helm template of plugin %s", j->p->name), j->out.buf, j->out.len);
        free(j->err);
        sb_release(&j->out);
    }
    free(jobs);
    return rc;
}
