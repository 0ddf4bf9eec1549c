/* kgrender api-resources: the kinds the server serves, as `kubectl
 * api-resources` prints them (preferred versions; NAME SHORTNAMES APIVERSION
 * NAMESPACED KIND). It exercises cluster access and discovery. */
#include "cluster.h"
#include "commands.h"
#include "err.h"
#include "strbuf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help_head[] =
    "Print the supported API resources on the server.\n\n"
    "Examples:\n"
    "  # Print the supported API resources\n"
    "  kgrender api-resources\n\n"
    "  # Print the supported namespaced resources of the apps group, with more information\n"
    "  kgrender api-resources --namespaced=true --api-group=apps -o wide\n\n"
    "Usage:\n  kgrender api-resources [flags]\n\n"
    "Flags:\n"
    "      --api-group string               Limit to resources in the specified API group\n"
    "  -h, --help                           help for api-resources\n"
    "      --namespaced                     If false, non-namespaced resources will be returned, otherwise\n"
    "                                       namespaced resources (default: both)\n"
    "      --no-headers                     When using the default or custom-column output format, don't\n"
    "                                       print headers\n"
    "  -o, --output string                  Output format: wide or name\n"
    "      --sort-by string                 If non-empty, sort list of resources using specified field:\n"
    "                                       name or kind\n"
    "      --verbs strings                  Limit to resources that support the specified verbs\n";

struct opts {
    const char *group, *output, *sort_by, *verbs;
    int namespaced; /* -1: both */
    int no_headers;
};

/* Columns padded like kubectl's tabwriter: width of the widest cell + 3. */
struct table {
    char **cells;
    size_t ncols, nrows, cap;
};

static void table_add(struct table *t, const char *const *row)
{
    if ((t->nrows + 1) * t->ncols > t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64 * t->ncols;
        t->cells = realloc(t->cells, t->cap * sizeof *t->cells);
    }
    for (size_t i = 0; i < t->ncols; i++) t->cells[t->nrows * t->ncols + i] = strdup(row[i]);
    t->nrows++;
}

static void table_print(struct table *t)
{
    size_t *w = calloc(t->ncols, sizeof *w);
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t i = 0; i < t->ncols; i++) {
            size_t n = strlen(t->cells[r * t->ncols + i]);
            if (n > w[i]) w[i] = n;
        }
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t i = 0; i < t->ncols; i++) {
            const char *s = t->cells[r * t->ncols + i];
            if (i + 1 < t->ncols) printf("%-*s", (int)(w[i] + 3 < 6 ? 6 : w[i] + 3), s);
            else printf("%s\n", s);
            free(t->cells[r * t->ncols + i]);
        }
    }
    free(t->cells);
    free(w);
}

static void join(strbuf *out, const char *const *v, const char *sep)
{
    for (size_t i = 0; v && v[i]; i++) sb_addf(out, "%s%s", i ? sep : "", v[i]);
}

static int has_verbs(const cluster_resource *r, const char *want)
{
    if (!want || !*want) return 1;
    char *list = strdup(want), *save = NULL;
    int ok = 1;
    for (char *v = strtok_r(list, ",", &save); v && ok; v = strtok_r(NULL, ",", &save)) {
        int found = 0;
        for (size_t i = 0; r->verbs[i] && !found; i++) found = !strcmp(r->verbs[i], v);
        ok = found;
    }
    free(list);
    return ok;
}

static int wanted(const cluster_resource *r, const struct opts *o)
{
    if (!r->preferred || !r->verbs[0]) return 0; /* as kubectl: preferred versions, resources with verbs */
    if (o->group && strcmp(o->group, r->group)) return 0;
    if (o->namespaced >= 0 && o->namespaced != r->namespaced) return 0;
    return has_verbs(r, o->verbs);
}

/* Without --sort-by kubectl orders by group, then by name. */
static int cmp(const cluster_resource *a, const cluster_resource *b, const char *field)
{
    if (!field) {
        int g = strcmp(a->group, b->group);
        return g ? g : strcmp(a->name, b->name);
    }
    return !strcmp(field, "kind") ? strcmp(a->kind, b->kind) : strcmp(a->name, b->name);
}

/* Stable, as kubectl's sort.Stable: equal keys keep discovery order. */
static void sort_by(const cluster_resource **v, size_t n, const char *field)
{
    for (size_t i = 1; i < n; i++) {
        const cluster_resource *r = v[i];
        size_t j = i;
        while (j && cmp(v[j - 1], r, field) > 0) {
            v[j] = v[j - 1];
            j--;
        }
        v[j] = r;
    }
}

static void print(const cluster_resource **v, size_t n, const struct opts *o)
{
    int wide = o->output && !strcmp(o->output, "wide");
    if (o->output && !strcmp(o->output, "name")) {
        for (size_t i = 0; i < n; i++) printf("%s%s%s\n", v[i]->name, *v[i]->group ? "." : "", v[i]->group);
        return;
    }
    struct table t = {.ncols = wide ? 7 : 5};
    static const char *const head[] = {"NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND", "VERBS", "CATEGORIES"};
    if (!o->no_headers) table_add(&t, head);
    for (size_t i = 0; i < n; i++) {
        strbuf sn = STRBUF_INIT, gv = STRBUF_INIT, verbs = STRBUF_INIT, cats = STRBUF_INIT;
        join(&sn, v[i]->short_names, ",");
        sb_addf(&gv, "%s%s%s", v[i]->group, *v[i]->group ? "/" : "", v[i]->version);
        join(&verbs, v[i]->verbs, ",");
        join(&cats, v[i]->categories, ",");
        const char *row[] = {v[i]->name, sn.len ? sn.buf : "", gv.buf, v[i]->namespaced ? "true" : "false",
                             v[i]->kind, verbs.buf, cats.len ? cats.buf : ""};
        table_add(&t, row);
        sb_release(&sn);
        sb_release(&gv);
        sb_release(&verbs);
        sb_release(&cats);
    }
    table_print(&t);
}

static int parse(int argc, char **argv, cluster_flags *f, struct opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int r = cluster_flag_parse(f, argc, argv, &i);
        if (r < 0) return -1;
        if (r) continue;
        if (!strncmp(a, "--api-group=", 12)) o->group = a + 12;
        else if (!strcmp(a, "--api-group") && i + 1 < argc) o->group = argv[++i];
        else if (!strcmp(a, "--namespaced") || !strcmp(a, "--namespaced=true")) o->namespaced = 1;
        else if (!strcmp(a, "--namespaced=false")) o->namespaced = 0;
        else if (!strcmp(a, "--no-headers")) o->no_headers = 1;
        else if (!strncmp(a, "--output=", 9)) o->output = a + 9;
        else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && i + 1 < argc) o->output = argv[++i];
        else if (!strncmp(a, "-o", 2) && a[2]) o->output = a + 2 + (a[2] == '=');
        else if (!strncmp(a, "--sort-by=", 10)) o->sort_by = a + 10;
        else if (!strcmp(a, "--sort-by") && i + 1 < argc) o->sort_by = argv[++i];
        else if (!strncmp(a, "--verbs=", 8)) o->verbs = a + 8;
        else if (!strcmp(a, "--verbs") && i + 1 < argc) o->verbs = argv[++i];
        else if (!strcmp(a, "--cached")) continue; /* nothing is cached */
        else return err_set("unknown flag or argument: %s\nRun 'kgrender api-resources --help' for usage.", a);
    }
    if (o->output && strcmp(o->output, "wide") && strcmp(o->output, "name"))
        return err_set("--output %s is not available in api-resources (wide or name)", o->output);
    if (o->sort_by && strcmp(o->sort_by, "name") && strcmp(o->sort_by, "kind"))
        return err_set("--sort-by accepts only name or kind");
    return 0;
}

int cmd_api_resources(int argc, char **argv)
{
    cluster_flags f = {0};
    struct opts o = {.namespaced = -1};
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(help_head, stdout);
            fputs("\nCluster access flags:\n", stdout);
            fputs(cluster_flags_help, stdout);
            return 0;
        }
    if (parse(argc, argv, &f, &o) < 0) {
        fprintf(stderr, "error: %s\n", err_msg());
        return 1;
    }
    cluster *c = cluster_open(&f);
    if (!c || cluster_discover(c) < 0) {
        fprintf(stderr, "error: %s\n", err_msg());
        cluster_close(c);
        return 1;
    }
    const cluster_resource *const *all;
    size_t n = cluster_resources(c, &all), m = 0;
    const cluster_resource **v = calloc(n ? n : 1, sizeof *v);
    for (size_t i = 0; i < n; i++)
        if (wanted(all[i], &o)) v[m++] = all[i];
    sort_by(v, m, o.sort_by);
    print(v, m, &o);
    free(v);
    cluster_close(c);
    return fflush(stdout) == 0 ? 0 : 1;
}
