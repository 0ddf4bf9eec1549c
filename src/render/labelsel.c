/* Label and annotation selector expressions ("app=web,tier in (a,b),!old"),
 * parsed as kustomize parses them: kyaml's copy of k8s.io/apimachinery
 * v0.17.0 labels.Parse (lexer, parser, NewRequirement and the label key and
 * value validation), with its error messages. Values are taken verbatim:
 * quotes are characters like any other, and fail the label value check. */
#include "selector.h"
#include "err.h"
#include "gostrconv.h"
#include "strbuf.h"
#include <stdlib.h>
#include <string.h>

enum label_op { OP_EXISTS, OP_NOT_EXISTS, OP_EQ, OP_NEQ, OP_IN, OP_NOTIN, OP_GT, OP_LT };

struct label_req {
    const char *key;
    int op;
    const char **vals; /* sorted, without duplicates (a sets.String's List) */
    uint32_t nvals;
};

enum tok { T_EOS = 1, T_CLOSE, T_COMMA, T_NOT, T_DEQ, T_EQ, T_GT, T_ID, T_IN, T_LT, T_NEQ, T_NOTIN, T_OPEN };

struct item {
    int tok;
    const char *lit;
};

struct parser {
    arena *a;
    struct item *items;
    size_t n, pos;
    strbuf err; /* the first error, as labels.Parse words it */
};

static const struct {
    const char *s;
    int tok;
} keywords[] = {{")", T_CLOSE}, {",", T_COMMA}, {"!", T_NOT}, {"==", T_DEQ}, {"=", T_EQ},      {">", T_GT},
                {"in", T_IN},   {"<", T_LT},    {"!=", T_NEQ}, {"notin", T_NOTIN}, {"(", T_OPEN}};

static int keyword(const char *s, size_t len)
{
    for (size_t i = 0; i < sizeof keywords / sizeof *keywords; i++)
        if (strlen(keywords[i].s) == len && !memcmp(keywords[i].s, s, len)) return keywords[i].tok;
    return 0;
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_special(char c)
{
    return c && strchr("=!(),><", c) != NULL;
}

/* Lexer.Lex: a run of special symbols gives its longest leading token
 * ("!==" is "!=" then "="); anything else up to a blank or special symbol
 * is an identifier, or the keyword "in"/"notin". */
static struct item lex_one(arena *a, const char **pp)
{
    const char *p = *pp;
    while (is_ws(*p)) p++;
    struct item it = {T_EOS, ""};
    size_t len = 0;
    if (is_special(*p)) {
        size_t n = 0;
        while (is_special(p[n]) && keyword(p, n + 1)) n++;
        len = n;
        it.tok = keyword(p, len);
    } else if (*p) {
        while (p[len] && !is_special(p[len]) && !is_ws(p[len])) len++;
        it.tok = keyword(p, len);
        if (!it.tok) it.tok = T_ID;
    }
    it.lit = arena_strndup(a, p, len);
    *pp = p + len;
    return it;
}

static void scan(struct parser *ps, const char *text)
{
    size_t cap = 0;
    for (;;) {
        if (ps->n == cap) {
            size_t ncap = cap ? cap * 2 : 8;
            ps->items = arena_grow(ps->a, ps->items, cap * sizeof *ps->items, ncap * sizeof *ps->items);
            cap = ncap;
        }
        struct item it = lex_one(ps->a, &text);
        ps->items[ps->n++] = it;
        if (it.tok == T_EOS) break;
    }
}

/* lookahead/consume; in the Values context "in" and "notin" are identifiers. */
static struct item peek(const struct parser *ps, int values)
{
    struct item it = ps->items[ps->pos];
    if (values && (it.tok == T_IN || it.tok == T_NOTIN)) it.tok = T_ID;
    return it;
}

static struct item take(struct parser *ps, int values)
{
    struct item it = peek(ps, values);
    if (it.tok != T_EOS) ps->pos++;
    return it;
}

static int fail(struct parser *ps, const char *fmt, const char *lit)
{
    sb_addf(&ps->err, fmt, lit);
    return -1;
}

/* Go's %q for a string of bytes. */
static void go_quote(strbuf *sb, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    sb_addc(sb, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *esc = *p == '"' ? "\\\"" : *p == '\\' ? "\\\\" : *p == '\n' ? "\\n" : *p == '\t' ? "\\t"
                        : *p == '\r' ? "\\r" : NULL;
        if (esc) sb_adds(sb, esc);
        else if (*p < 0x20 || *p == 0x7f) sb_adds(sb, "\\x"), sb_addc(sb, hex[*p >> 4]), sb_addc(sb, hex[*p & 15]);
        else sb_addc(sb, (char)*p);
    }
    sb_addc(sb, '"');
}

static int is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] */
static int qname_ok(const char *s, size_t n)
{
    if (!n || !is_alnum(s[0]) || !is_alnum(s[n - 1])) return 0;
    for (size_t i = 1; i + 1 < n; i++)
        if (!is_alnum(s[i]) && !strchr("-_.", s[i])) return 0;
    return 1;
}

/* [a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)* */
static int dns1123_subdomain_ok(const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.') {
            if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-')) return 0;
            continue;
        }
        if (i == start || s[start] == '-' || s[i - 1] == '-') return 0;
        start = i + 1;
    }
    return 1;
}

#define QNAME_MSG                                                                                              \
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric " \
    "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "                   \
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define DNS1123_MSG                                                                                              \
    "a DNS-1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and " \
    "end with an alphanumeric character (e.g. 'example.com', regex used for validation is "                     \
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define VALUE_MSG                                                                                                \
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must " \
    "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "    \
    "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

static void add_err(strbuf *sb, int *n, const char *prefix, const char *msg)
{
    sb_adds(sb, (*n)++ ? "; " : "");
    sb_adds(sb, prefix);
    sb_adds(sb, msg);
}

/* validateLabelKey: validation.IsQualifiedName, an optional DNS-1123
 * subdomain prefix before one '/'. */
static int check_key(struct parser *ps, const char *k)
{
    strbuf e = STRBUF_INIT;
    int n = 0;
    const char *slash = strchr(k, '/'), *name = slash ? slash + 1 : k;
    if (slash && strchr(name, '/')) {
        add_err(&e, &n, "a qualified name ", QNAME_MSG " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
    } else {
        size_t plen = slash ? (size_t)(slash - k) : 0, nlen = strlen(name);
        if (slash && !plen) add_err(&e, &n, "prefix part ", "must be non-empty");
        if (plen > 253) add_err(&e, &n, "prefix part ", "must be no more than 253 characters");
        if (plen && !dns1123_subdomain_ok(k, plen)) add_err(&e, &n, "prefix part ", DNS1123_MSG);
        if (!nlen) add_err(&e, &n, "name part ", "must be non-empty");
        else if (nlen > 63) add_err(&e, &n, "name part ", "must be no more than 63 characters");
        if (!qname_ok(name, nlen)) add_err(&e, &n, "name part ", QNAME_MSG);
    }
    if (n) {
        sb_adds(&ps->err, "invalid label key ");
        go_quote(&ps->err, k);
        sb_addf(&ps->err, ": %s", e.buf);
    }
    sb_release(&e);
    return n ? -1 : 0;
}

/* validateLabelValue: validation.IsValidLabelValue. */
static int check_value(struct parser *ps, const char *key, const char *v)
{
    size_t len = strlen(v);
    int too_long = len > 63, bad = len && !qname_ok(v, len);
    if (!too_long && !bad) return 0;
    sb_adds(&ps->err, "invalid label value: ");
    go_quote(&ps->err, v);
    sb_adds(&ps->err, ": at key: ");
    go_quote(&ps->err, key);
    sb_adds(&ps->err, ": ");
    if (too_long) sb_adds(&ps->err, bad ? "must be no more than 63 characters; " : "must be no more than 63 characters");
    if (bad) sb_adds(&ps->err, VALUE_MSG);
    return -1;
}

static void add_value(arena *a, struct label_req *r, const char *v)
{
    uint32_t i = 0;
    while (i < r->nvals && strcmp(r->vals[i], v) < 0) i++;
    if (i < r->nvals && !strcmp(r->vals[i], v)) return;
    r->vals = arena_grow(a, r->vals, r->nvals * sizeof *r->vals, (r->nvals + 1) * sizeof *r->vals);
    memmove(r->vals + i + 1, r->vals + i, (r->nvals - i) * sizeof *r->vals);
    r->vals[i] = v;
    r->nvals++;
}

/* parseIdentifiersList: "(a,b)", with empty values for "(,", ",," and ",)". */
static int parse_ident_list(struct parser *ps, struct label_req *r)
{
    for (;;) {
        struct item it = take(ps, 1);
        if (it.tok == T_ID) {
            add_value(ps->a, r, it.lit);
            struct item nx = peek(ps, 1);
            if (nx.tok == T_COMMA) continue;
            if (nx.tok == T_CLOSE) return 0;
            return fail(ps, "found '%s', expected: ',' or ')'", nx.lit);
        }
        if (it.tok != T_COMMA) return fail(ps, "found '%s', expected: ',', or identifier", it.lit);
        if (!r->nvals) add_value(ps->a, r, "");
        struct item nx = peek(ps, 1);
        if (nx.tok == T_CLOSE) {
            add_value(ps->a, r, "");
            return 0;
        }
        if (nx.tok == T_COMMA) {
            take(ps, 1);
            add_value(ps->a, r, "");
        }
    }
}

static int parse_values(struct parser *ps, struct label_req *r)
{
    struct item it = take(ps, 1);
    if (it.tok != T_OPEN) return fail(ps, "found '%s' expected: '('", it.lit);
    it = peek(ps, 1);
    if (it.tok == T_CLOSE) {
        take(ps, 1);
        add_value(ps->a, r, "");
        return 0;
    }
    if (it.tok != T_ID && it.tok != T_COMMA) return fail(ps, "found '%s', expected: ',', ')' or identifier", it.lit);
    if (parse_ident_list(ps, r) < 0) return -1;
    if (take(ps, 1).tok != T_CLOSE) return fail(ps, "found '%s', expected: ')'", it.lit);
    return 0;
}

static int parse_exact_value(struct parser *ps, struct label_req *r)
{
    struct item it = peek(ps, 1);
    if (it.tok == T_EOS || it.tok == T_COMMA) {
        add_value(ps->a, r, "");
        return 0;
    }
    it = take(ps, 1);
    if (it.tok != T_ID) return fail(ps, "found '%s', expected: identifier", it.lit);
    add_value(ps->a, r, it.lit);
    return 0;
}

static int parse_operator(struct parser *ps, struct label_req *r)
{
    struct item it = take(ps, 0);
    switch (it.tok) {
    case T_IN: r->op = OP_IN; return parse_values(ps, r);
    case T_NOTIN: r->op = OP_NOTIN; return parse_values(ps, r);
    case T_EQ: case T_DEQ: r->op = OP_EQ; break;
    case T_NEQ: r->op = OP_NEQ; break;
    case T_GT: r->op = OP_GT; break;
    case T_LT: r->op = OP_LT; break;
    default: return fail(ps, "found '%s', expected: '=', '!=', '==', 'in', notin'", it.lit);
    }
    return parse_exact_value(ps, r);
}

/* parseRequirement, then NewRequirement's checks. */
static int parse_requirement(struct parser *ps, struct label_req *r)
{
    struct item it = take(ps, 1);
    int not = it.tok == T_NOT;
    if (not) it = take(ps, 1);
    if (it.tok != T_ID) return fail(ps, "found '%s', expected: identifier", it.lit);
    r->key = it.lit;
    if (check_key(ps, r->key) < 0) return -1;
    int next = peek(ps, 1).tok;
    if (not || next == T_EOS || next == T_COMMA) {
        r->op = not ? OP_NOT_EXISTS : OP_EXISTS;
        return 0;
    }
    if (parse_operator(ps, r) < 0) return -1;
    if (r->op == OP_GT || r->op == OP_LT) {
        long long v;
        if (!go_atoi(r->vals[0], &v)) {
            sb_adds(&ps->err, "for 'Gt', 'Lt' operators, the value must be an integer");
            return -1;
        }
    }
    for (uint32_t i = 0; i < r->nvals; i++)
        if (check_value(ps, r->key, r->vals[i]) < 0) return -1;
    return 0;
}

static int parse_all(struct parser *ps, labelsel *out)
{
    uint32_t cap = 0;
    for (;;) {
        struct item it = peek(ps, 1);
        if (it.tok == T_EOS) return 0;
        if (it.tok != T_ID && it.tok != T_NOT)
            return fail(ps, "found '%s', expected: !, identifier, or 'end of string'", it.lit);
        struct label_req r = {0};
        sb_adds(&ps->err, "unable to parse requirement: ");
        if (parse_requirement(ps, &r) < 0) return -1;
        sb_reset(&ps->err);
        if (out->n == cap) {
            uint32_t ncap = cap ? cap * 2 : 4;
            out->reqs = arena_grow(ps->a, out->reqs, cap * sizeof *out->reqs, ncap * sizeof *out->reqs);
            cap = ncap;
        }
        out->reqs[out->n++] = r;
        it = take(ps, 1);
        if (it.tok == T_EOS) return 0;
        if (it.tok != T_COMMA) return fail(ps, "found '%s', expected: ',' or 'end of string'", it.lit);
        it = peek(ps, 1);
        if (it.tok != T_ID && it.tok != T_NOT) return fail(ps, "found '%s', expected: identifier after ','", it.lit);
    }
}

int labelsel_parse(arena *a, const char *text, const node *where, labelsel *out)
{
    memset(out, 0, sizeof *out);
    if (!text) return 0;
    struct parser ps = {a, NULL, 0, 0, STRBUF_INIT};
    scan(&ps, text);
    int rc = parse_all(&ps, out);
    if (rc < 0) {
        out->err = arena_printf(a, "%s: %s", node_pos(a, where), ps.err.buf);
        err_set("%s", out->err);
    }
    sb_release(&ps.err);
    return rc;
}

static int has_value(const struct label_req *r, const char *v)
{
    for (uint32_t i = 0; i < r->nvals; i++)
        if (!strcmp(r->vals[i], v)) return 1;
    return 0;
}

/* Requirement.Matches; Gt and Lt compare base-10 int64s, a label that is
 * none never matches. */
static int req_match(const struct label_req *r, const node *labels)
{
    node *vn = map_get(labels, r->key);
    const char *v = vn ? node_text(vn) : NULL;
    long long have, want;
    switch (r->op) {
    case OP_EXISTS: return vn != NULL;
    case OP_NOT_EXISTS: return vn == NULL;
    case OP_EQ:
    case OP_IN: return v && has_value(r, v);
    case OP_NEQ:
    case OP_NOTIN: return !v || !has_value(r, v);
    case OP_GT:
    case OP_LT:
        if (!v || !go_atoi(v, &have) || !go_atoi(r->vals[0], &want)) return 0;
        return r->op == OP_GT ? have > want : have < want;
    }
    return 0;
}

int labelsel_match(const labelsel *ls, const node *labels)
{
    if (ls->err) return err_set("%s", ls->err);
    for (uint32_t i = 0; i < ls->n; i++)
        if (!req_match(&ls->reqs[i], labels)) return 0;
    return 1;
}
