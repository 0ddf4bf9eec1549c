/* vars (deprecated, still common): `$(NAME)` in the fields listed by the
 * varReference field specs is replaced by a field of the object the var's
 * objref names. As in kustomize, each level matches its vars against the
 * original ids of its objects (so names written before any prefix or suffix
 * work), remembers the match on the object, and the values are read and
 * substituted once, at the top, after every rename. */
#include "builtins.h"
#include "err.h"
#include "fieldspec.h"
#include "fieldpath.h"
#include "selector.h"
#include "gostrconv.h"
#include <stdlib.h>
#include <string.h>

#define DEFAULT_FIELD_PATH "metadata.name"

struct var {
    const char *name;
    resid target;         /* group/version from objref's apiVersion when given */
    const char *raw_gvk;  /* objref's own group/version/kind fields, as kustomize prints them */
    const char *fieldpath;
    const node *src;
};

static void var_parse(arena *a, const node *v, struct var *out)
{
    const node *ref = map_get(v, "objref");
    const char *s;
    out->src = v;
    out->name = (s = node_get_str(v, "name", NULL)) ? s : "";
    const char *group = (s = node_get_str(ref, "group", NULL)) ? s : "";
    const char *version = (s = node_get_str(ref, "version", NULL)) ? s : "";
    const char *kind = (s = node_get_str(ref, "kind", NULL)) ? s : "";
    out->raw_gvk = kgvk_string(a, group, version, kind);
    const char *apiv = node_get_str(ref, "apiVersion", NULL);
    if (apiv && *apiv) split_apiversion(a, apiv, &group, &version);
    const char *ns = node_get_str(ref, "namespace", NULL), *name = node_get_str(ref, "name", NULL);
    out->target = (resid){group, version, kind, ns ? ns : "", name ? name : ""};
    s = node_get_str(v, "fieldref", "fieldPath", NULL);
    out->fieldpath = s && *s ? s : DEFAULT_FIELD_PATH;
}

/* kustomize's %v of a Var: {NAME Kind.version.group {fieldpath}} */
static const char *var_string(arena *a, const struct var *v, int defaulted)
{
    const char *gvk = defaulted ? kgvk_string(a, v->target.group, v->target.version, v->target.kind) : v->raw_gvk;
    return arena_printf(a, "{%s %s {%s}}", v->name, gvk, v->fieldpath);
}

static const char *vars_list_string(arena *a, const node *list)
{
    strbuf sb = STRBUF_INIT;
    sb_addc(&sb, '[');
    for (uint32_t i = 0; i < list->u.seq.n; i++) {
        struct var v;
        var_parse(a, list->u.seq.items[i], &v);
        sb_addf(&sb, "%s%s", i ? " " : "", var_string(a, &v, 0));
    }
    sb_addc(&sb, ']');
    const char *s = arena_strdup(a, sb.buf);
    sb_release(&sb);
    return s;
}

/* GvknEquals, or Equals (effective namespaces too) when the var names a
 * namespace or a cluster-scoped kind. */
static int var_matches(const struct var *v, const resid *id)
{
    const resid *t = &v->target;
    if (strcmp(t->name, id->name) || strcmp(t->kind, id->kind) || strcmp(t->group, id->group) ||
        strcmp(t->version, id->version))
        return 0;
    if (!*t->ns && !resid_is_cluster_scoped(t)) return 1;
    return !strcmp(resid_effective_ns(t), resid_effective_ns(id));
}

/* k->vars lives as long as the build: grown in the arena, never freed by hand
 * (so an error anywhere in the build leaks nothing). */
static void vars_push(arena *a, node_list *l, node *v)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        l->v = arena_grow(a, l->v, l->cap * sizeof *l->v, cap * sizeof *l->v);
        l->cap = cap;
    }
    l->v[l->n++] = v;
}

static int already_declared(const node_list *vars, const char *name)
{
    for (size_t i = 0; i < vars->n; i++) {
        const char *n = node_get_str(vars->v[i], "name", NULL);
        if (n && !strcmp(n, name)) return 1;
    }
    return 0;
}

int vars_collect(kust *k, resmap *rm)
{
    arena *a = k->b->a;
    node *list = map_get(k->k, "vars");
    if (!list || list->kind == N_NULL) return 0;
    if (list->kind != N_SEQ) return err_set("%s: 'vars' must be a list", node_pos(a, list));
    for (uint32_t i = 0; i < list->u.seq.n; i++) {
        node *e = list->u.seq.items[i];
        if (e->kind != N_MAP) return err_set("%s: a var must be a mapping", node_pos(a, e));
        struct var v;
        var_parse(a, e, &v);
        resource *match = NULL;
        size_t count = 0;
        for (size_t j = 0; j < rm->n; j++)
            if (var_matches(&v, resource_org_id(rm->v[j]))) count++, match = match ? match : rm->v[j];
        if (count > 1)
            return err_set("%s: merging vars %s: found %zu resId matches for var %s (unable to disambiguate)",
                           node_pos(a, e), vars_list_string(a, list), count, var_string(a, &v, 1));
        if (match) strlist_push(a, &match->refvars, v.name);
    }
    for (uint32_t i = 0; i < list->u.seq.n; i++) {
        node *e = list->u.seq.items[i];
        const char *name = node_get_str(e, "name", NULL);
        if (already_declared(k->vars, name ? name : ""))
            return err_set("%s: var '%s' already encountered", node_pos(a, e), name ? name : "");
        vars_push(a, k->vars, e);
    }
    return 0;
}

/* A resolved var: its value when it is a scalar kustomize can substitute. */
struct value {
    struct var v;
    int ok;             /* 0: not a primitive, left as $(NAME) */
    int kind;           /* N_STR, N_INT, N_FLOAT or N_BOOL: the Go type of the value */
    const char *whole;  /* text replacing a field that is exactly $(NAME) (typed by kind) */
    const char *part;   /* text inside a longer string (Go's fmt.Sprint of the value) */
    int used;
};

struct resolver {
    arena *a;
    struct value *vals;
    size_t n;
    const char *path;   /* field spec being applied, for messages */
};

static int value_cmp(const void *x, const void *y)
{
    return strcmp(((const struct value *)x)->v.name, ((const struct value *)y)->v.name);
}

static struct value *find_value(struct resolver *rs, const char *name, size_t len)
{
    size_t lo = 0, hi = rs->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strncmp(rs->vals[mid].v.name, name, len);
        if (c == 0 && rs->vals[mid].v.name[len]) c = 1;
        if (c == 0) return &rs->vals[mid];
        if (c < 0) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

/* RNode.GetFieldValue: "ports[0].port" means ports.0.port. */
static const char *var_field_path(arena *a, const char *path)
{
    strbuf sb = STRBUF_INIT;
    for (const char *p = path; *p; p++) {
        if (*p == '[' && p[1] >= '0' && p[1] <= '9') {
            const char *q = p + 1;
            while (*q >= '0' && *q <= '9') q++;
            if (*q == ']' && (q[1] == '.' || !q[1])) {
                sb_addc(&sb, '.');
                sb_add(&sb, p + 1, (size_t)(q - p - 1));
                p = q;
                continue;
            }
        }
        sb_addc(&sb, *p);
    }
    const char *s = arena_strdup(a, sb.buf ? sb.buf : "");
    sb_release(&sb);
    return s;
}

/* kustomize's GetFieldValue on a scalar: ints through strconv.Atoi, floats
 * through ParseFloat, bools through ParseBool, anything else (null and
 * timestamps included) its text; then the substitution's formatting of that
 * Go value. Returns 0 when the text does not parse (0x1F, 1_000, .inf). */
static int scalar_value(arena *a, const node *n, struct value *val)
{
    const char *t = n->u.str.s;
    char buf[64];
    val->ok = 1;
    val->kind = n->kind == N_INT || n->kind == N_FLOAT || n->kind == N_BOOL ? n->kind : N_STR;
    if (n->kind == N_INT) {
        long long v;
        if (!go_atoi(t, &v)) return 0;
        val->whole = val->part = arena_printf(a, "%lld", v);
    } else if (n->kind == N_FLOAT) {
        double f;
        if (!go_parse_float(t, &f)) return 0;
        go_format_float(f, 'f', 64, buf, sizeof buf);
        val->whole = arena_strdup(a, buf);
        go_format_float(f, 'g', 64, buf, sizeof buf);
        val->part = arena_strdup(a, buf);
    } else if (n->kind == N_BOOL) {
        static const char *const go_true[] = {"1", "t", "T", "TRUE", "true", "True", NULL};
        static const char *const go_false[] = {"0", "f", "F", "FALSE", "false", "False", NULL};
        int v = -1;
        for (int i = 0; go_true[i]; i++)
            if (!strcmp(t, go_true[i])) v = 1;
            else if (!strcmp(t, go_false[i])) v = 0;
        if (v < 0) return 0;
        val->whole = val->part = v ? "true" : "false";
    } else {
        val->whole = val->part = t;
    }
    return 1;
}

static int read_value(arena *a, resource *r, struct value *val)
{
    fieldpath fp;
    fieldpath_parse(a, var_field_path(a, val->v.fieldpath), &fp);
    node *n;
    if (fieldpath_lookup(a, r->obj, &fp, &n) < 0 || !n || (node_is_scalar(n) && !scalar_value(a, n, val)))
        return err_set("%s: field specified in var '%s' not found in corresponding resource", node_pos(a, val->v.src),
                       var_string(a, &val->v, 1));
    return 0;
}

/* Finds, for every declared var, the first object that its objref matched. */
static int resolve_values(kust *k, resmap *rm, struct resolver *rs)
{
    arena *a = k->b->a;
    rs->n = k->vars->n;
    rs->vals = arena_zalloc(a, (rs->n + 1) * sizeof *rs->vals);
    for (size_t i = 0; i < rs->n; i++) var_parse(a, k->vars->v[i], &rs->vals[i].v);
    qsort(rs->vals, rs->n, sizeof *rs->vals, value_cmp);
    resource **owner = arena_zalloc(a, (rs->n + 1) * sizeof *owner);
    for (size_t i = 0; i < rm->n; i++)
        for (uint32_t j = 0; j < rm->v[i]->refvars.n; j++) {
            const char *name = rm->v[i]->refvars.v[j];
            struct value *val = find_value(rs, name, strlen(name));
            if (val && !owner[val - rs->vals]) owner[val - rs->vals] = rm->v[i];
        }
    for (size_t i = 0; i < rs->n; i++) {
        if (!owner[i])
            return err_set("%s: var '%s' cannot be mapped to a field in the set of known resources",
                           node_pos(a, rs->vals[i].v.src), var_string(a, &rs->vals[i].v, 1));
        if (read_value(a, owner[i], &rs->vals[i]) < 0) return -1;
    }
    return 0;
}

/* kustomize's DoReplacements: $(NAME) replaced, $$ escapes a '$', unknown
 * or non-scalar vars left as written. A value that is exactly one var
 * keeps the var's type. */
static node *expand(struct resolver *rs, const node *in)
{
    const char *s = in->u.str.s;
    size_t len = in->u.str.len;
    strbuf sb = STRBUF_INIT;
    size_t checkpoint = 0;
    for (size_t c = 0; c < len; c++) {
        if (s[c] != '$' || c + 1 >= len) continue;
        sb_add(&sb, s + checkpoint, c - checkpoint);
        const char *rest = s + c + 1;
        size_t advance = 1;
        if (*rest == '$') {
            sb_addc(&sb, '$');
        } else if (*rest == '(' && memchr(rest, ')', len - c - 1)) {
            const char *close = memchr(rest, ')', len - c - 1);
            size_t nlen = (size_t)(close - rest - 1);
            struct value *v = find_value(rs, rest + 1, nlen);
            if (v && v->ok) v->used = 1;
            if (v && v->ok && c == 0 && (size_t)(close - s) == len - 1) {
                sb_release(&sb);
                node *n = node_new_scalar(rs->a, v->kind, v->whole, strlen(v->whole));
                node_set_pos(n, in);
                return n;
            }
            if (v && v->ok) sb_adds(&sb, v->part);
            else sb_add(&sb, rest - 1, nlen + 3);
            advance = nlen + 2;
        } else {
            sb_addc(&sb, '$');
            sb_addc(&sb, *rest);
        }
        c += advance;
        checkpoint = c + 1;
    }
    if (checkpoint < len) sb_add(&sb, s + checkpoint, len - checkpoint);
    node *n = node_new_strn(rs->a, sb.buf ? sb.buf : "", sb.len);
    node_set_pos(n, in);
    sb_release(&sb);
    return n;
}

/* kustomize's updateNodeValue: every string it visits gets its new text
 * (the same when nothing is replaced) with style 0, so a quoted or block
 * (folded) style is gone; timestamps are no strings to it. */
static void update(struct resolver *rs, node **slot)
{
    node *n = *slot;
    if (n->kind != N_STR || (n->flags & NF_TIMESTAMP)) return;
    if (memchr(n->u.str.s, '$', n->u.str.len)) {
        node_write(slot, expand(rs, n));
    } else if (n->flags & (NF_QUOTED | NF_FOLDED | NF_LITERAL)) {
        node *c = node_clone(rs->a, n);
        c->flags &= ~(unsigned)(NF_QUOTED | NF_FOLDED | NF_LITERAL);
        node_write(slot, c);
    }
}

static int visit(void *ctx, resource *r, node **slot)
{
    struct resolver *rs = ctx;
    node *n = *slot;
    /* kustomize updates the nodes in place (node_write) */
    if (n->kind == N_STR) {
        update(rs, slot);
    } else if (n->kind == N_MAP) {
        for (uint32_t i = 0; i < n->u.map.n; i++) update(rs, &n->u.map.items[i].val);
    } else if (n->kind == N_SEQ) {
        for (uint32_t i = 0; i < n->u.seq.n; i++) {
            node *e = n->u.seq.items[i];
            if (e->kind != N_STR || (e->flags & NF_TIMESTAMP)) /* kyaml's tag test: a timestamp is no string */
                return err_set("%s: considering field '%s' of object %s: invalid value type expect a string",
                               node_pos(rs->a, e), rs->path, kid_string(rs->a, &r->id));
            update(rs, &n->u.seq.items[i]);
        }
    }
    return 0;
}

static void warn_unused(struct resolver *rs)
{
    strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < rs->n; i++)
        if (!rs->vals[i].used) sb_addf(&sb, "%s%s", sb.len ? "," : "", rs->vals[i].v.name);
    if (sb.len) warnf("well-defined vars that were never replaced: %s", sb.buf);
    sb_release(&sb);
}

int vars_resolve(kust *k, resmap *rm)
{
    arena *a = k->b->a;
    if (!k->vars || !k->vars->n) return 0;
    struct resolver rs = {a, NULL, 0, NULL};
    if (resolve_values(k, rm, &rs) < 0) return -1;
    fieldspecs fss;
    if (fieldspecs_compile(a, k->tc->cat[FS_VARREFERENCE], &fss) < 0) return -1;
    for (size_t i = 0; i < rm->n; i++)
        for (size_t j = 0; j < fss.n; j++) {
            if (!fieldspec_selects(&fss.v[j], &rm->v[i]->id)) continue;
            rs.path = node_get_str(fss.v[j].src, "path", NULL);
            if (fieldspec_walk(a, &fss.v[j], rm->v[i], -1, visit, &rs) < 0) return -1;
        }
    warn_unused(&rs);
    return 0;
}
