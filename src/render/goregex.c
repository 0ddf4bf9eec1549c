/* A recognizer for Go's regexp/syntax (Perl flags, as regexp.Compile uses):
 * it parses the pattern only to find what Go refuses, never to match.
 * Each piece's "repeat need" follows Go's repeatIsValid: nested {n,m}
 * counts may not multiply past 1000. */
#include "goregex.h"
#include <stdio.h>
#include <string.h>

#define MAX_REPEAT 1000
#define MAX_NESTING 1000 /* Go's maxHeight: deeper groups "nest too deeply" */

typedef struct gp {
    const char *s;
    char err[192];
    int bad;
} gp;

static long fail(gp *p, const char *what, const char *from, size_t n)
{
    if (!p->bad) snprintf(p->err, sizeof p->err, "error parsing regexp: %s: `%.*s`", what, (int)n, from);
    p->bad = 1;
    return -1;
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

/* One UTF-8 character at s (a lone byte when invalid); advances *s. */
static long rune_at(const char **s)
{
    const unsigned char *u = (const unsigned char *)*s;
    int n = u[0] < 0x80 ? 1 : (u[0] & 0xe0) == 0xc0 ? 2 : (u[0] & 0xf0) == 0xe0 ? 3 : (u[0] & 0xf8) == 0xf0 ? 4 : 1;
    long r = n == 1 ? u[0] : u[0] & (0x7f >> n);
    for (int i = 1; i < n; i++) {
        if ((u[i] & 0xc0) != 0x80) {
            n = 1;
            r = u[0];
            break;
        }
        r = (r << 6) | (u[i] & 0x3f);
    }
    *s += n;
    return r;
}

/* \p{Name} or \pX after the backslash (at 'p' or 'P'). */
static int unicode_class(gp *p, const char *from)
{
    p->s++;
    if (*p->s == '{') {
        const char *end = strchr(p->s, '}');
        if (!end) return (int)fail(p, "invalid character class range", from, strlen(from));
        p->s = end + 1;
    } else if (*p->s) {
        rune_at(&p->s);
    } else {
        return (int)fail(p, "invalid character class range", from, strlen(from));
    }
    return 0;
}

/* Go's parseEscape, after the backslash: octal, \x, control letters and
 * escaped punctuation; anything else is an error. *r gets the character. */
static int escape(gp *p, const char *from, long *r)
{
    char c = *p->s;
    if (!c) return (int)fail(p, "trailing backslash at end of expression", "", 0);
    if (c >= '1' && c <= '7' && !(p->s[1] >= '0' && p->s[1] <= '7'))
        return (int)fail(p, "invalid escape sequence", from, (size_t)(p->s + 1 - from));
    if (c >= '0' && c <= '7') {
        *r = 0;
        for (int i = 0; i < 3 && *p->s >= '0' && *p->s <= '7'; i++) *r = *r * 8 + (*p->s++ - '0');
        return 0;
    }
    if (c == 'x') {
        p->s++;
        if (*p->s == '{') {
            const char *q = p->s + 1;
            *r = 0;
            while (is_hex(*q) && *r <= 0x10ffff) *r = *r * 16 + (is_digit(*q) ? *q - '0' : (*q | 0x20) - 'a' + 10), q++;
            if (q == p->s + 1 || *q != '}' || *r > 0x10ffff)
                return (int)fail(p, "invalid escape sequence", from, (size_t)(q - from));
            p->s = q + 1;
            return 0;
        }
        if (!is_hex(p->s[0]) || !is_hex(p->s[1]))
            return (int)fail(p, "invalid escape sequence", from, strnlen(from, 4));
        p->s += 2;
        *r = 0;
        return 0;
    }
    if (strchr("afnrtv", c) || ((unsigned char)c < 0x80 && !is_alnum(c))) {
        *r = (unsigned char)c;
        p->s++;
        return 0;
    }
    return (int)fail(p, "invalid escape sequence", from, (size_t)(p->s + 1 - from));
}

static const char *const posix_classes[] = {"alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph",
                                            "lower", "print", "punct", "space", "upper", "word",  "xdigit"};

/* [:name:] inside a class; 1 when there was one, 0 when '[' is a plain character. */
static int named_class(gp *p)
{
    const char *end = strstr(p->s + 2, ":]");
    if (!end) return 0;
    const char *name = p->s + 2 + (p->s[2] == '^');
    for (size_t i = 0; i < sizeof posix_classes / sizeof *posix_classes; i++)
        if ((size_t)(end - name) == strlen(posix_classes[i]) && !strncmp(name, posix_classes[i], (size_t)(end - name))) {
            p->s = end + 2;
            return 1;
        }
    fail(p, "invalid character class range", p->s, (size_t)(end + 2 - p->s));
    return 1;
}

/* One character of a class; with sets, a perl or unicode class may stand
 * there instead (*r = -1), as at the start of an item but not after '-'. */
static int class_char(gp *p, const char *whole, long *r, int sets)
{
    if (!*p->s) return (int)fail(p, "missing closing ]", whole, strlen(whole));
    if (*p->s != '\\') {
        *r = rune_at(&p->s);
        return 0;
    }
    const char *from = p->s++;
    if (!sets) return escape(p, from, r);
    if (strchr("dDsSwW", *p->s) && *p->s) {
        p->s++;
        *r = -1;
        return 0;
    }
    if (*p->s == 'p' || *p->s == 'P') {
        *r = -1;
        return unicode_class(p, from);
    }
    return escape(p, from, r);
}

/* After '[': up to and past the closing ']'. */
static int char_class(gp *p)
{
    const char *whole = p->s - 1;
    if (*p->s == '^') p->s++;
    int first = 1;
    while (p->bad == 0 && (*p->s != ']' || first)) {
        first = 0;
        if (p->s[0] == '[' && p->s[1] == ':' && named_class(p)) continue;
        const char *rng = p->s;
        long lo, hi;
        if (class_char(p, whole, &lo, 1) < 0) return -1;
        if (lo >= 0 && p->s[0] == '-' && p->s[1] && p->s[1] != ']') {
            p->s++;
            if (class_char(p, whole, &hi, 0) < 0) return -1;
            if (hi < lo)
                return (int)fail(p, "invalid character class range", rng, (size_t)(p->s - rng));
        }
    }
    if (p->bad) return -1;
    p->s++;
    return 0;
}

static long alternation(gp *p, int depth);

/* After "(?": a named group, or flags alone ("(?i)") or with a group
 * ("(?i:x)"); returns 1 when a group follows (its ')' still to parse). */
static int perl_group(gp *p, const char *from)
{
    const char *s = p->s;
    if (s[0] == '<' || (s[0] == 'P' && s[1] == '<')) {
        const char *name = s + (s[0] == 'P' ? 2 : 1), *q = name;
        while (is_alnum(*q) || *q == '_') q++;
        if (q == name || *q != '>') return (int)fail(p, "invalid named capture", from, strlen(from));
        p->s = q + 1;
        return 1;
    }
    int negated = 0, saw = 0;
    for (; *s; s++) {
        if (strchr("imsU", *s)) {
            saw = 1;
        } else if (*s == '-' && !negated) {
            negated = 1; /* at least one flag must follow */
            saw = 0;
        } else if ((*s == ':' || *s == ')') && (!negated || saw)) {
            p->s = s + 1;
            return *s == ':';
        } else {
            break;
        }
    }
    return (int)fail(p, "invalid or unsupported Perl syntax", from, (size_t)(s + (*s != 0) - from));
}

/* Go's parseInt: no leading zeros; a count past 10^8 becomes -1. */
static int repeat_int(const char **s, long *v)
{
    const char *t = *s;
    if (!is_digit(*t) || (t[0] == '0' && is_digit(t[1]))) return 0;
    long n = 0;
    for (; is_digit(*t); t++)
        if (n >= 0) n = n >= 100000000 ? -1 : n * 10 + (*t - '0');
    *v = n;
    *s = t;
    return 1;
}

/* {n}, {n,} or {n,m} at s: 1 with the counts (max -1: no maximum), 0 when
 * '{' is a plain character (Go's parseRepeat). */
static int repeat_counts(const char *s, const char **end, long *min, long *max)
{
    s++;
    if (!repeat_int(&s, min)) return 0;
    *max = *min;
    if (*s == ',') {
        s++;
        if (*s == '}') *max = -1;
        else if (!repeat_int(&s, max)) return 0;
        else if (*max < 0) *min = -1; /* too big a maximum: an invalid count */
    }
    if (*s != '}') return 0;
    *end = s + 1;
    return 1;
}

/* A repetition operator at p->s applied to an operand whose need is sub:
 * returns the need of the repetition, -1 on error, -2 when there is none. */
static long repetition(gp *p, long sub)
{
    const char *from = p->s;
    long min = -1, max = -1;
    const char *end;
    int counted = 0;
    if (*p->s == '*' || *p->s == '+' || *p->s == '?') {
        p->s++;
    } else if (*p->s == '{' && repeat_counts(p->s, &end, &min, &max)) {
        p->s = end;
        counted = 1;
        if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max))
            return fail(p, "invalid repeat count", from, (size_t)(p->s - from));
    } else {
        return -2;
    }
    if (*p->s == '?') p->s++; /* non-greedy */
    if (!counted) return sub;
    if (max == 0) return 0;
    long m = max < 0 ? min : max;
    if (m == 0) return sub;
    long need = sub > MAX_REPEAT ? MAX_REPEAT + 1 : m * sub > m ? m * sub : m;
    if ((min >= 2 || max >= 2) && need > MAX_REPEAT)
        return fail(p, "invalid repeat count", from, (size_t)(p->s - from));
    return need;
}

/* One operand: a group, class, escape or character. Returns its need, or
 * -2 at the end of a branch ('|', ')' or the end of the pattern). */
static long operand(gp *p, int depth)
{
    const char *from = p->s;
    char c = *p->s;
    if (!c || c == '|' || c == ')') return -2;
    p->s++;
    if (c == '(') {
        if (depth >= MAX_NESTING) return fail(p, "expression nests too deeply", from, strnlen(from, 16));
        if (*p->s == '?') {
            p->s++;
            int g = perl_group(p, from);
            if (g < 0) return -1;
            if (!g) return 0;
        }
        long need = alternation(p, depth + 1);
        if (need < 0) return -1;
        if (*p->s != ')') return fail(p, "missing closing )", from, strlen(from));
        p->s++;
        return need;
    }
    if (c == '[') return char_class(p) < 0 ? -1 : 0;
    if (c == '\\') {
        long r;
        c = *p->s;
        if (c && strchr("AbBzdDsSwW", c)) {
            p->s++;
            return 0;
        }
        if (c == 'p' || c == 'P') return unicode_class(p, from) < 0 ? -1 : 0;
        if (c == 'Q') {
            const char *e = strstr(p->s + 1, "\\E");
            p->s = e ? e + 2 : p->s + strlen(p->s);
            return 0;
        }
        return escape(p, from, &r) < 0 ? -1 : 0;
    }
    long lo, hi;
    const char *end;
    if (c == '*' || c == '+' || c == '?' || (c == '{' && repeat_counts(from, &end, &lo, &hi)))
        return fail(p, "missing argument to repetition operator", from, 1);
    p->s = from;
    rune_at(&p->s);
    return 0;
}

/* A sequence of operands, each with at most one repetition operator. */
static long concatenation(gp *p, int depth)
{
    long need = 0;
    for (;;) {
        long sub = operand(p, depth);
        if (sub == -2) return need;
        if (sub < 0) return -1;
        const char *op = p->s;
        long r = repetition(p, sub);
        if (r == -1) return -1;
        if (r != -2) {
            sub = r;
            if (repetition(p, sub) != -2)
                return fail(p, "invalid nested repetition operator", op, (size_t)(p->s - op));
        }
        if (sub > need) need = sub;
    }
}

static long alternation(gp *p, int depth)
{
    long need = 0;
    for (;;) {
        long n = concatenation(p, depth);
        if (n < 0) return -1;
        if (n > need) need = n;
        if (*p->s != '|') return need;
        p->s++;
    }
}

const char *goregex_error(const char *re)
{
    static _Thread_local gp p;
    p.s = re;
    p.bad = 0;
    p.err[0] = 0;
    if (alternation(&p, 0) >= 0 && *p.s == ')') fail(&p, "unexpected )", re, strlen(re));
    return p.bad ? p.err : NULL;
}
