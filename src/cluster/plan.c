/* The order of an apply, as a dependency graph.
 *
 * Groups: objects are grouped by (wave, stage) and groups run in order: a
 * barrier node after each group depends on all its objects, and every object
 * of the next group depends on the barrier (O(n) edges rather than n*m).
 * Barrier edges are soft: a failed object still lets the next group start.
 * Explicit edges (kgrender.io/depends-on, plugin:NAME) and implicit ones (an
 * object after its Namespace, a custom resource after its CRD, when those are
 * applied by the same run) are hard: a failed dependency blocks the object.
 * A dependency that points into a later group closes a cycle with the
 * barriers, and is reported as one. */
#include "apply.h"
#include "err.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int plan_stage(const char *group, const char *kind)
{
    if ((!*group && !strcmp(kind, "Namespace")) ||
        (!strcmp(group, "apiextensions.k8s.io") && !strcmp(kind, "CustomResourceDefinition")))
        return 0;
    size_t n = strlen(kind);
    if ((!strcmp(group, "rbac.authorization.k8s.io") && !strcmp(kind, "ClusterRole")) ||
        (n > 5 && !strcmp(kind + n - 5, "Class")))
        return 1;
    return 2;
}

static void add_edge(pnode *from, uint32_t to, int hard)
{
    if (from->nout == from->capout) {
        from->capout = from->capout ? from->capout * 2 : 4;
        from->out = realloc(from->out, from->capout * sizeof *from->out);
        from->hard = realloc(from->hard, from->capout);
        if (!from->out || !from->hard) abort();
    }
    from->out[from->nout] = to;
    from->hard[from->nout++] = (uint8_t)hard;
}

/* dep must be complete before obj */
static void depend(plan *p, uint32_t obj, uint32_t dep, int hard)
{
    if (obj == dep) return;
    add_edge(&p->v[dep], obj, hard);
    p->v[obj].pending++;
}

static int group_cmp(const void *x, const void *y)
{
    const int64_t *a = x, *b = y;
    return (*a > *b) - (*a < *b);
}

static int64_t group_of(const aobj *o)
{
    return (int64_t)o->wave * 4 + o->stage;
}

/* ---- references in kgrender.io/depends-on ------------------------------------ */

typedef struct refmaps {
    keymap nogroup;               /* "Kind/ns/name" -> index, or UINT32_MAX when ambiguous */
} refmaps;

static int is_upper(const char *s)
{
    return isupper((unsigned char)*s);
}

/* Finds the object a REF names: KIND/NS/NAME, KIND/NAME, group/KIND/NS/NAME or
 * group/KIND/NAME (a group is told from a namespace by the Kind after it,
 * which starts with a capital letter). KIND/NAME of a namespaced kind means
 * the dependent's namespace. */
static int resolve_ref(arena *a, const aobj *objs, const keymap *bykey, const refmaps *rm, const aobj *from,
                       const char *ref, uint32_t *out)
{
    char *parts[5];
    int n = 0;
    char *s = arena_strdup(a, ref);
    for (char *t = s; n < 5; n++) {
        parts[n] = t;
        char *sl = strchr(t, '/');
        if (!sl) {
            n++;
            break;
        }
        *sl = 0;
        t = sl + 1;
    }
    const char *group = NULL, *kind, *ns, *name;
    if (n == 4) group = parts[0], kind = parts[1], ns = parts[2], name = parts[3];
    else if (n == 3 && !is_upper(parts[0]) && is_upper(parts[1])) group = parts[0], kind = parts[1], ns = NULL, name = parts[2];
    else if (n == 3) kind = parts[0], ns = parts[1], name = parts[2];
    else if (n == 2) kind = parts[0], ns = NULL, name = parts[1];
    else return err_set("%s: %s: bad reference \"%s\" (want KIND/NAMESPACE/NAME, KIND/NAME or plugin:NAME)",
                        from->what, ANN_DEPENDS, ref);
    if (!*kind || !*name) return err_set("%s: %s: bad reference \"%s\"", from->what, ANN_DEPENDS, ref);
    /* cluster-scoped first, then the given or the dependent's namespace */
    const char *tries[2] = {ns ? ns : "", ns ? NULL : from->ns};
    for (int t = 0; t < 2; t++) {
        if (!tries[t]) continue;
        uint32_t i;
        if (group) {
            if (keymap_get(bykey, obj_key(a, group, kind, tries[t], name), &i)) return *out = i, 0;
        } else if (keymap_get(&rm->nogroup, arena_printf(a, "%s/%s/%s", kind, tries[t], name), &i)) {
            if (i == UINT32_MAX)
                return err_set("%s: %s: \"%s\" matches objects of several API groups; write GROUP/%s/...",
                               from->what, ANN_DEPENDS, ref, kind);
            return *out = i, 0;
        }
    }
    (void)objs;
    return 1; /* not part of this apply */
}

static int add_annotation_deps(arena *a, plan *p, aobj *objs, size_t n, const keymap *bykey, const refmaps *rm,
                               uint32_t i)
{
    const char *v = node_get_str(objs[i].obj, "metadata", "annotations", ANN_DEPENDS, NULL);
    if (!v) return 0;
    char *list = arena_strdup(a, v);
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        while (isspace((unsigned char)*tok)) tok++;
        char *end = tok + strlen(tok);
        while (end > tok && isspace((unsigned char)end[-1])) *--end = 0;
        if (!*tok) continue;
        if (!strncmp(tok, "plugin:", 7)) {
            int found = 0;
            for (uint32_t j = 0; j < n; j++) {
                const char *pl = node_get_str(objs[j].obj, "metadata", "annotations", ANN_PLUGIN, NULL);
                if (pl && !strcmp(pl, tok + 7) && j != i) depend(p, i, j, 1), found = 1;
            }
            if (!found) warnf("%s: %s: no object of plugin \"%s\" in this apply", objs[i].what, ANN_DEPENDS, tok + 7);
            continue;
        }
        uint32_t j = 0;
        int r = resolve_ref(a, objs, bykey, rm, &objs[i], tok, &j);
        if (r < 0) return -1;
        if (r > 0) warnf("%s: %s: %s is not part of this apply; not waiting for it", objs[i].what, ANN_DEPENDS, tok);
        else depend(p, i, j, 1);
    }
    return 0;
}

static int parse_wave(aobj *o)
{
    const char *v = node_get_str(o->obj, "metadata", "annotations", ANN_WAVE, NULL);
    o->wave = 0;
    if (!v) return 0;
    char *end;
    long w = strtol(v, &end, 10);
    if (!*v || *end || w < -1000000 || w > 1000000)
        return err_set("%s: %s: \"%s\" is not an integer", o->what, ANN_WAVE, v);
    o->wave = (int)w;
    return 0;
}

/* Implicit edges: after the Namespace it lives in, after the CRD of its kind.
 * Such a Namespace or CRD moves to the earliest wave of what needs it (an
 * object of wave -1 in a Namespace of wave 0 would otherwise wait forever). */
static void implicit_deps(arena *a, aobj *objs, size_t n, const keymap *bykey, plan *p)
{
    keymap crds = {0};
    for (uint32_t j = 0; j < n; j++) {
        if (!objs[j].is_crd) continue;
        const char *g = node_get_str(objs[j].obj, "spec", "group", NULL);
        const char *k = node_get_str(objs[j].obj, "spec", "names", "kind", NULL);
        if (g && k) keymap_put(&crds, arena_printf(a, "%s/%s", g, k), j);
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t d[2];
        int nd = 0;
        if (*objs[i].ns && keymap_get(bykey, obj_key(a, "", "Namespace", "", objs[i].ns), &d[nd])) nd++;
        if (crds.n && keymap_get(&crds, arena_printf(a, "%s/%s", objs[i].group, objs[i].kind), &d[nd])) nd++;
        for (int k = 0; k < nd; k++) {
            if (!p) {
                if (objs[i].wave < objs[d[k]].wave) objs[d[k]].wave = objs[i].wave;
            } else {
                depend(p, i, d[k], 1);
            }
        }
    }
    keymap_free(&crds);
}

static void add_group_barriers(plan *p, aobj *objs, size_t n)
{
    int64_t *gs = malloc((n ? n : 1) * sizeof *gs);
    if (!gs) abort();
    for (size_t i = 0; i < n; i++) gs[i] = group_of(&objs[i]);
    qsort(gs, n, sizeof *gs, group_cmp);
    size_t ng = 0;
    for (size_t i = 0; i < n; i++)
        if (!ng || gs[ng - 1] != gs[i]) gs[ng++] = gs[i];
    p->ngroups = ng;
    /* barrier g closes group g; objects of group g+1 wait for it */
    for (size_t g = 0; g + 1 < ng; g++) {
        pnode *b = &p->v[p->nobj + g];
        b->barrier = 1;
        b->wave = (int)(gs[g] >= 0 ? gs[g] / 4 : -((-gs[g] + 3) / 4));
        b->stage = (uint8_t)(gs[g] - (int64_t)b->wave * 4);
    }
    for (uint32_t i = 0; i < n; i++) {
        int64_t g = group_of(&objs[i]);
        size_t lo = 0, hi = ng;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (gs[mid] < g) lo = mid + 1;
            else hi = mid;
        }
        if (lo + 1 < ng) depend(p, (uint32_t)(p->nobj + lo), i, 0);
        if (lo > 0) depend(p, i, (uint32_t)(p->nobj + lo - 1), 0);
    }
    p->n = p->nobj + (ng ? ng - 1 : 0);
    free(gs);
}

/* ---- cycles ---------------------------------------------------------------- */

static void describe(strbuf *sb, const plan *p, const aobj *objs, uint32_t i)
{
    if (i < p->nobj) sb_adds(sb, objs[i].what);
    else sb_addf(sb, "(everything of wave %d, stage %d)", p->v[i].wave, p->v[i].stage);
}

/* Kahn's algorithm; on leftovers, walks dependencies backwards from one of
 * them until a node repeats, and names that cycle. */
static int check_cycles(plan *p, const aobj *objs)
{
    uint32_t *pend = malloc((p->n + 1) * sizeof *pend), *q = malloc((p->n + 1) * sizeof *q);
    if (!pend || !q) abort();
    size_t qh = 0, qt = 0, seen = 0;
    for (uint32_t i = 0; i < p->n; i++)
        if (!(pend[i] = p->v[i].pending)) q[qt++] = i;
    while (qh < qt) {
        uint32_t i = q[qh++];
        seen++;
        for (uint32_t e = 0; e < p->v[i].nout; e++)
            if (!--pend[p->v[i].out[e]]) q[qt++] = p->v[i].out[e];
    }
    int rc = 0;
    if (seen < p->n) {
        /* a dependency of each stuck node that is stuck too */
        uint32_t *dep = malloc(p->n * sizeof *dep);
        if (!dep) abort();
        for (uint32_t i = 0; i < p->n; i++) dep[i] = UINT32_MAX;
        for (uint32_t i = 0; i < p->n; i++)
            for (uint32_t e = 0; pend[i] && e < p->v[i].nout; e++)
                if (pend[p->v[i].out[e]]) dep[p->v[i].out[e]] = i;
        uint32_t start = 0;
        while (!pend[start]) start++;
        uint8_t *mark = calloc(p->n, 1);
        uint32_t x = start;
        while (!mark[x]) mark[x] = 1, x = dep[x];
        strbuf sb = STRBUF_INIT;
        uint32_t y = x;
        do {
            describe(&sb, p, objs, y);
            sb_adds(&sb, " depends on ");
            y = dep[y];
        } while (y != x);
        describe(&sb, p, objs, x);
        rc = err_set("dependency cycle: %s", sb.buf);
        sb_release(&sb);
        free(mark);
        free(dep);
    }
    free(pend);
    free(q);
    return rc;
}

int plan_build(arena *a, aobj *objs, size_t n, plan *p)
{
    memset(p, 0, sizeof *p);
    p->nobj = n;
    p->v = calloc(2 * n + 1, sizeof *p->v); /* objects + at most n-1 barriers */
    if (!p->v) abort();
    keymap bykey = {0};
    refmaps rm = {0};
    for (uint32_t i = 0; i < n; i++) {
        if (parse_wave(&objs[i]) < 0) goto fail;
        objs[i].stage = (uint8_t)plan_stage(objs[i].group, objs[i].kind);
        keymap_put(&bykey, objs[i].key, i);
        const char *k = arena_printf(a, "%s/%s/%s", objs[i].kind, objs[i].ns, objs[i].name);
        uint32_t old;
        keymap_put(&rm.nogroup, k, keymap_get(&rm.nogroup, k, &old) ? UINT32_MAX : i);
    }
    implicit_deps(a, objs, n, &bykey, NULL); /* waves first: groups depend on them */
    add_group_barriers(p, objs, n);
    implicit_deps(a, objs, n, &bykey, p);
    for (uint32_t i = 0; i < n; i++)
        if (add_annotation_deps(a, p, objs, n, &bykey, &rm, i) < 0) goto fail;
    if (check_cycles(p, objs) < 0) goto fail;
    keymap_free(&bykey);
    keymap_free(&rm.nogroup);
    return 0;
fail:
    keymap_free(&bykey);
    keymap_free(&rm.nogroup);
    plan_free(p);
    return -1;
}

/* ---- running it ---------------------------------------------------------------- */

static void push(plan *p, uint32_t i)
{
    if (p->nstack == p->capstack) {
        p->capstack = p->capstack ? p->capstack * 2 : 64;
        p->stack = realloc(p->stack, p->capstack * sizeof *p->stack);
        if (!p->stack) abort();
    }
    p->stack[p->nstack++] = i;
}

void plan_start(plan *p, void (*ready)(void *, uint32_t), void *ud)
{
    p->ready = ready;
    p->ud = ud;
    /* collected first: a ready callback may complete objects, which releases others */
    uint32_t *first = malloc((p->nobj + 1) * sizeof *first);
    size_t n = 0;
    if (!first) abort();
    for (uint32_t i = 0; i < p->nobj; i++)
        if (!p->v[i].pending) first[n++] = i;
    for (size_t k = 0; k < n; k++) ready(ud, first[k]);
    free(first);
}

/* Completion runs from a worklist: the ready callback may complete objects
 * itself (blocked ones), which only queues them here. */
void plan_done(plan *p, uint32_t i, int ok)
{
    if (p->v[i].done) return;
    p->v[i].done = 1;
    p->v[i].blocked = p->v[i].blocked || !ok;
    push(p, i);
    if (p->running) return;
    p->running = 1;
    while (p->nstack) {
        uint32_t x = p->stack[--p->nstack];
        pnode *nx = &p->v[x];
        for (uint32_t e = 0; e < nx->nout; e++) {
            pnode *d = &p->v[nx->out[e]];
            if (nx->hard[e] && nx->blocked && !d->blocked) d->blocked = 1, d->blocker = x;
            if (--d->pending) continue;
            if (d->barrier) {
                d->done = 1;
                push(p, nx->out[e]);
            } else {
                p->ready(p->ud, nx->out[e]);
            }
        }
    }
    p->running = 0;
}

void plan_free(plan *p)
{
    for (size_t i = 0; i < p->nobj * 2 + 1 && p->v; i++) {
        free(p->v[i].out);
        free(p->v[i].hard);
    }
    free(p->v);
    free(p->stack);
    memset(p, 0, sizeof *p);
}
