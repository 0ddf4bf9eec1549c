#include "selector.h"
#include "err.h"
#include <stdlib.h>
#include <string.h>

enum label_op { OP_EXISTS, OP_NOT_EXISTS, OP_EQ, OP_NEQ, OP_IN, OP_NOTIN, OP_GT, OP_LT };

struct label_req {
    const char *key;
    int op;
    const char **vals;
    uint32_t nvals;
};

/* A small lexer for Kubernetes' selector syntax (k8s.io/apimachinery labels.Parse). */
struct lex {
    arena *a;
    const char *p;
    const char *text;
    const node *where;
};

static int is_special(char c)
{
    return c == ',' || c == '(' || c == ')' || c == '=' || c == '!' || c == '<' || c == '>';
}

static void skip_ws(struct lex *l)
{
    while (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r') l->p++;
}

static const char *lex_ident(struct lex *l)
{
    skip_ws(l);
    const char *s = l->p;
    while (*l->p && !is_special(*l->p) && *l->p != ' ' && *l->p != '\t') l->p++;
    return arena_strndup(l->a, s, (size_t)(l->p - s));
}

static int lex_fail(struct lex *l, const char *what)
{
    return err_set("%s: unable to parse requirement: %s in selector '%s'", node_pos(l->a, l->where), what, l->text);
}

static int parse_values(struct lex *l, struct label_req *r)
{
    skip_ws(l);
    if (*l->p != '(') return lex_fail(l, "found no '(' after in/notin");
    l->p++;
    uint32_t cap = 4;
    r->vals = arena_alloc(l->a, cap * sizeof *r->vals);
    for (;;) {
        const char *v = lex_ident(l);
        if (r->nvals == cap) {
            r->vals = arena_grow(l->a, r->vals, cap * sizeof *r->vals, cap * 2 * sizeof *r->vals);
            cap *= 2;
        }
        r->vals[r->nvals++] = v;
        skip_ws(l);
        if (*l->p == ',') { l->p++; continue; }
        if (*l->p == ')') { l->p++; return 0; }
        return lex_fail(l, "expected ',' or ')' in a value list");
    }
}

static int parse_op(struct lex *l, struct label_req *r)
{
    skip_ws(l);
    const char *p = l->p;
    if (!*p || *p == ',') { r->op = OP_EXISTS; return 0; }
    if (p[0] == '=' && p[1] == '=') { r->op = OP_EQ; l->p += 2; }
    else if (p[0] == '=') { r->op = OP_EQ; l->p += 1; }
    else if (p[0] == '!' && p[1] == '=') { r->op = OP_NEQ; l->p += 2; }
    else if (p[0] == '>') { r->op = OP_GT; l->p += 1; }
    else if (p[0] == '<') { r->op = OP_LT; l->p += 1; }
    else {
        const char *w = lex_ident(l);
        if (!strcmp(w, "in")) r->op = OP_IN;
        else if (!strcmp(w, "notin")) r->op = OP_NOTIN;
        else return lex_fail(l, "expected an operator");
        return parse_values(l, r);
    }
    r->vals = arena_alloc(l->a, sizeof *r->vals);
    r->vals[0] = lex_ident(l);
    r->nvals = 1;
    if ((r->op == OP_GT || r->op == OP_LT) && !*r->vals[0]) return lex_fail(l, "expected an integer");
    return 0;
}

int labelsel_parse(arena *a, const char *text, const node *where, labelsel *out)
{
    memset(out, 0, sizeof *out);
    if (!text) return 0;
    struct lex l = {a, text, text, where};
    uint32_t cap = 0;
    for (;;) {
        skip_ws(&l);
        if (!*l.p) break;
        struct label_req r = {0};
        int neg = *l.p == '!';
        if (neg) l.p++;
        r.key = lex_ident(&l);
        if (!*r.key) return lex_fail(&l, "expected a key");
        if (neg) r.op = OP_NOT_EXISTS;
        else if (parse_op(&l, &r) < 0) return -1;
        if (out->n == cap) {
            uint32_t ncap = cap ? cap * 2 : 4;
            out->reqs = arena_grow(a, out->reqs, cap * sizeof *out->reqs, ncap * sizeof *out->reqs);
            cap = ncap;
        }
        out->reqs[out->n++] = r;
        skip_ws(&l);
        if (*l.p == ',') { l.p++; continue; }
        if (*l.p) return lex_fail(&l, "expected ','");
    }
    return 0;
}

static int in_vals(const struct label_req *r, const char *v)
{
    for (uint32_t i = 0; i < r->nvals; i++)
        if (!strcmp(r->vals[i], v)) return 1;
    return 0;
}

static int req_match(const struct label_req *r, const node *labels)
{
    node *vn = map_get(labels, r->key);
    const char *v = vn ? node_text(vn) : NULL;
    switch (r->op) {
    case OP_EXISTS: return vn != NULL;
    case OP_NOT_EXISTS: return vn == NULL;
    case OP_EQ:
    case OP_IN: return v && in_vals(r, v);
    case OP_NEQ:
    case OP_NOTIN: return !v || !in_vals(r, v);
    case OP_GT:
    case OP_LT: {
        if (!v) return 0;
        char *end;
        long long have = strtoll(v, &end, 10), want = strtoll(r->vals[0], NULL, 10);
        if (*end || !*v) return 0;
        return r->op == OP_GT ? have > want : have < want;
    }
    }
    return 0;
}

int labelsel_match(const labelsel *ls, const node *labels)
{
    for (uint32_t i = 0; i < ls->n; i++)
        if (!req_match(&ls->reqs[i], labels)) return 0;
    return 1;
}

static const char *opt_field(const node *m, const char *key)
{
    const char *s = node_get_str(m, key, NULL);
    return s ? s : "";
}

static int compile_re(arena *a, const char *pat, const node *where, regex_t **out)
{
    *out = NULL;
    if (!*pat) return 0;
    regex_t *re = arena_alloc(a, sizeof *re);
    const char *anchored = arena_printf(a, "^(%s)$", pat);
    if (regcomp(re, anchored, REG_EXTENDED | REG_NOSUB) != 0)
        return err_set("%s: invalid regular expression '%s'", node_pos(a, where), pat);
    *out = re;
    return 0;
}

int selector_parse(arena *a, const node *m, int mode, selector *out)
{
    memset(out, 0, sizeof *out);
    out->mode = mode;
    out->src = m;
    if (m && m->kind != N_MAP && m->kind != N_NULL)
        return err_set("%s: a selector must be a mapping", node_pos(a, m));
    out->id = (resid){opt_field(m, "group"), opt_field(m, "version"), opt_field(m, "kind"),
                      opt_field(m, "namespace"), opt_field(m, "name")};
    out->label_text = opt_field(m, "labelSelector");
    out->anno_text = opt_field(m, "annotationSelector");
    if (labelsel_parse(a, out->label_text, map_get(m, "labelSelector"), &out->labels) < 0) return -1;
    if (labelsel_parse(a, out->anno_text, map_get(m, "annotationSelector"), &out->annos) < 0) return -1;
    if (mode == SEL_REGEX) {
        const char *f[5] = {out->id.group, out->id.version, out->id.kind, out->id.name, out->id.ns};
        for (int i = 0; i < 5; i++)
            if (compile_re(a, f[i], m, &out->re[i]) < 0) {
                selector_free(out);
                return -1;
            }
    }
    return 0;
}

void selector_free(selector *s)
{
    for (int i = 0; i < 5; i++)
        if (s->re[i]) regfree(s->re[i]);
    memset(s->re, 0, sizeof s->re);
}

int selector_id_empty(const selector *s)
{
    return !*s->id.group && !*s->id.version && !*s->id.kind && !*s->id.name && !*s->id.ns;
}

static int sel_re_match(const regex_t *re, const char *s)
{
    return !re || regexec(re, s, 0, NULL, 0) == 0;
}

int selector_match_id(const selector *s, const resid *id)
{
    if (s->mode == SEL_REGEX)
        return sel_re_match(s->re[0], id->group) && sel_re_match(s->re[1], id->version) && sel_re_match(s->re[2], id->kind) &&
               sel_re_match(s->re[3], id->name) && sel_re_match(s->re[4], resid_effective_ns(id));
    if (*s->id.group && strcmp(s->id.group, id->group)) return 0;
    if (*s->id.version && strcmp(s->id.version, id->version)) return 0;
    if (*s->id.kind && strcmp(s->id.kind, id->kind)) return 0;
    if (*s->id.name && strcmp(s->id.name, id->name)) return 0;
    /* kustomize compares effective namespaces: "" is "default", cluster-scoped kinds have none. */
    if (*s->id.ns && strcmp(resid_effective_ns(&s->id), resid_effective_ns(id))) return 0;
    return 1;
}

int selector_match_meta(const selector *s, const node *obj)
{
    node *md = map_get(obj, "metadata");
    return labelsel_match(&s->labels, map_get(md, "labels")) && labelsel_match(&s->annos, map_get(md, "annotations"));
}

const char *kgvk_string(arena *a, const char *group, const char *version, const char *kind)
{
    return arena_printf(a, "%s.%s.%s", *kind ? kind : "[noKind]", *version ? version : "[noVer]",
                        *group ? group : "[noGrp]");
}

const char *kid_string(arena *a, const resid *id)
{
    return arena_printf(a, "%s/%s.%s", kgvk_string(a, id->group, id->version, id->kind),
                        *id->name ? id->name : "[noName]", *id->ns ? id->ns : "[noNs]");
}
