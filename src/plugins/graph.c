/* The dependency graph: every dependency (spec.dependencies, the chart's
 * requirements annotation, the parent of a nested plugin) must name a plugin
 * of the build, an enabled plugin's dependencies must be enabled, required
 * versions must match, and there must be no cycle. The order is a
 * depth-first walk in discovery order: dependencies first, otherwise the order
 * the plugins were found in, so it is deterministic. */
#include "plugin_impl.h"
#include "err.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- versions ---- */

typedef struct semver {
    long part[3];
    int pre; /* has a pre-release part (sorts before the release) */
} semver;

static int parse_semver(const char *s, semver *v)
{
    memset(v, 0, sizeof *v);
    if (*s == 'v' || *s == 'V') s++;
    for (int i = 0; i < 3; i++) {
        char *end;
        if (*s < '0' || *s > '9') return i ? 0 : -1;
        v->part[i] = strtol(s, &end, 10);
        s = end;
        if (*s != '.') break;
        s++;
    }
    v->pre = *s == '-';
    return *s && *s != '-' && *s != '+' ? -1 : 0;
}

static int semver_cmp(const semver *a, const semver *b)
{
    for (int i = 0; i < 3; i++)
        if (a->part[i] != b->part[i]) return a->part[i] < b->part[i] ? -1 : 1;
    return b->pre - a->pre;
}

/* 1 satisfied, 0 not, -1 unreadable. */
int semver_satisfies(const char *version, const char *op, const char *want)
{
    semver v, w;
    if (!*op) return 1;
    if (parse_semver(version, &v) < 0 || parse_semver(want, &w) < 0) return -1;
    int c = semver_cmp(&v, &w);
    if (!strcmp(op, "=") || !strcmp(op, "==")) return c == 0;
    if (!strcmp(op, "!=")) return c != 0;
    if (!strcmp(op, ">")) return c > 0;
    if (!strcmp(op, ">=")) return c >= 0;
    if (!strcmp(op, "<")) return c < 0;
    if (!strcmp(op, "<=")) return c <= 0;
    if (!strcmp(op, "~")) return c >= 0 && v.part[0] == w.part[0] && v.part[1] == w.part[1];
    if (!strcmp(op, "^"))
        return c >= 0 && v.part[0] == w.part[0] && (w.part[0] || v.part[1] == w.part[1]);
    return -1;
}

/* ---- the walk ---- */

typedef struct walk {
    expander *x;
    int all;            /* disabled plugins too (the table) */
    plugin **order;
    size_t n;
    plugin **stack;
    size_t depth;
} walk;

static const char *plugin_version(const plugin *p)
{
    return p->chart_version && *p->chart_version ? p->chart_version : p->version;
}

static int cycle_error(walk *w, const plugin *d)
{
    arena *a = w->x->b->a;
    size_t from = 0;
    while (from < w->depth && w->stack[from] != d) from++;
    const char *path = d->name;
    for (size_t i = from + 1; i < w->depth; i++) path = arena_printf(a, "%s -> %s", path, w->stack[i]->name);
    return err_set("plugin dependency cycle: %s -> %s", path, d->name);
}

static int check_version(const plugin *p, const plugin_dep *dep, const char *v)
{
    int ok = semver_satisfies(v && *v ? v : "0.0.0", dep->op, dep->version);
    if (ok < 0)
        return err_set("%s: plugin %s requires %s %s %s: cannot compare with version '%s'", p->where, p->name,
                       dep->name, dep->op, dep->version, v);
    if (!ok)
        return err_set("%s: plugin %s requires %s %s %s, but %s is version %s", p->where, p->name, dep->name, dep->op,
                       dep->version, dep->name, v && *v ? v : "(none)");
    return 0;
}

/* A dependency outside the build (plugin_options.outside). */
static int check_outside(walk *w, const plugin *p, const plugin_dep *dep)
{
    plugin_options *po = w->x->po;
    const char *ns = *dep->ns ? dep->ns : p->ns;
    const plugin_ref *d = NULL;
    for (size_t i = 0; i < po->noutside && !d; i++)
        if (!strcmp(po->outside[i].name, dep->name) && !strcmp(po->outside[i].ns, ns)) d = &po->outside[i];
    if (!d || !d->installed) {
        snprintf(po->waiting_on, sizeof po->waiting_on, "%s/%s (%s)", ns, dep->name, d ? "not installed" : "not found");
        return err_set("%s: plugin %s depends on Plugin %s (%s), which is %s", p->where, p->name, po->waiting_on,
                       dep->from, d ? "not installed" : "not found");
    }
    return p->enabled && *dep->op ? check_version(p, dep, d->version) : 0;
}

/* Whether p's dependency d may be used; errors name both plugins. */
static int check_dep(walk *w, const plugin *p, const plugin_dep *dep, const plugin *d)
{
    if (!d && w->x->po->outside) return check_outside(w, p, dep);
    if (!d)
        return err_set("%s: plugin %s depends on %s (%s), which is not in the build", p->where, p->name, dep->name,
                       dep->from);
    if (*dep->ns && strcmp(dep->ns, d->ns))
        return err_set("%s: plugin %s depends on Plugin %s/%s, but %s is in namespace %s", p->where, p->name,
                       dep->ns, dep->name, d->name, d->ns);
    if (p->enabled && !d->enabled)
        return err_set("%s: plugin %s is enabled but depends on %s (%s), which is disabled", p->where, p->name,
                       d->name, dep->from);
    if (!p->enabled || !*dep->op) return 0;
    (void)w;
    return check_version(p, dep, plugin_version(d));
}

static int visit(walk *w, plugin *p)
{
    if (p->visit == 2) return 0;
    if (p->visit == 1) return cycle_error(w, p);
    p->visit = 1;
    w->stack[w->depth++] = p;
    for (size_t i = 0; i < p->ndeps; i++) {
        plugin *d = plugin_find(w->x, p->deps[i].name);
        if (!p->enabled && !d) continue; /* a disabled plugin's missing dependency harms nobody */
        if (check_dep(w, p, &p->deps[i], d) < 0) return -1;
        if (d && visit(w, d) < 0) return -1;
    }
    w->depth--;
    p->visit = 2;
    if (p->enabled || w->all) w->order[w->n++] = p;
    return 0;
}

int plugin_graph_order(expander *x, int all, plugin ***order, size_t *n)
{
    walk w = {.x = x, .all = all};
    w.order = arena_alloc(x->b->a, (x->n ? x->n : 1) * sizeof *w.order);
    w.stack = arena_alloc(x->b->a, (x->n ? x->n : 1) * sizeof *w.stack);
    for (size_t i = 0; i < x->n; i++) x->all[i]->visit = 0;
    for (size_t i = 0; i < x->n; i++) {
        if (!x->all[i]->enabled && !all) continue;
        if (visit(&w, x->all[i]) < 0) return -1;
    }
    *order = w.order;
    *n = w.n;
    return 0;
}
