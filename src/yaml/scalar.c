#include "scalar.h"
#include "node.h"
#include "gostrconv.h"
#include "base64.h"
#include "json.h"
#include "strbuf.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

static int digit(char c) { return c >= '0' && c <= '9'; }

static int eq(const char *s, size_t len, const char *lit)
{
    return strlen(lit) == len && memcmp(s, lit, len) == 0;
}

static int is_one_of(const char *s, size_t len, const char *const *words)
{
    for (; *words; words++)
        if (eq(s, len, *words)) return 1;
    return 0;
}

static const char *const null_words[] = {"~", "null", "Null", "NULL", NULL};
static const char *const v3_true[] = {"true", "True", "TRUE", NULL};
static const char *const v3_false[] = {"false", "False", "FALSE", NULL};
static const char *const special_floats[] = {".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf",
                                             "+.INF", "-.inf", "-.Inf", "-.INF", NULL};
static const char *const v2_bools[] = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
                                       "true", "True", "TRUE", "false", "False", "FALSE",
                                       "on", "On", "ON", "off", "Off", "OFF", NULL};

/* Copies s without underscores into buf (which holds at least len+1). */
static size_t strip_underscores(const char *s, size_t len, char *buf)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] != '_') buf[n++] = s[i];
    buf[n] = 0;
    return n;
}

/* ParseInt then ParseUint, as yaml.v2/v3 try them: returns 1 for a valid int64 or uint64. */
static int parse_yaml_int(const char *plain, char *out, size_t outsz)
{
    int neg;
    uint64_t mag;
    if (!go_parse_int(plain, 1, &neg, &mag)) return 0;
    if (neg) {
        if (mag > (uint64_t)INT64_MAX + 1) return 0;
        if (mag == 0) snprintf(out, outsz, "0");
        else snprintf(out, outsz, "-%llu", (unsigned long long)mag);
        return 1;
    }
    if (plain[0] == '+' && mag > (uint64_t)INT64_MAX) return 0; /* ParseUint takes no sign */
    snprintf(out, outsz, "%llu", (unsigned long long)mag);
    return 1;
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static int yaml_style_float(const char *s)
{
    if (*s == '+' || *s == '-') s++;
    if (*s == '.') {
        s++;
        if (!(*s >= '0' && *s <= '9')) return 0;
        while (*s >= '0' && *s <= '9') s++;
    } else {
        if (!(*s >= '0' && *s <= '9')) return 0;
        while (*s >= '0' && *s <= '9') s++;
        if (*s == '.') {
            s++;
            while (*s >= '0' && *s <= '9') s++;
        }
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-') s++;
        if (!(*s >= '0' && *s <= '9')) return 0;
        while (*s >= '0' && *s <= '9') s++;
    }
    return *s == 0;
}

/* Does decimal digit string d (no sign) fit below or at limit? */
static int digits_le(const char *d, const char *limit)
{
    size_t n = strlen(d), m = strlen(limit);
    return n != m ? n < m : strcmp(d, limit) <= 0;
}

/* A float after json.Marshal and yaml.v2's re-read: integral values below
 * 1e21 are written as integers, which v2 reads back as such when the text
 * fits an int64 or uint64; the rest come back in Go's shortest %g form. */
static void format_json_float(double f, char *out, size_t outsz)
{
    if (f == 0) {
        snprintf(out, outsz, "0"); /* -0 too: v2 reads "-0" as the integer 0 */
        return;
    }
    if (f == floor(f) && fabs(f) < 1e21) {
        char num[64];
        go_format_float(f, 'f', 64, out, outsz);
        if (parse_yaml_int(out, num, sizeof num)) return;
    }
    go_format_float(f, 'g', 64, out, outsz);
}

/* Go's time.Parse rejects days past the month's end (2023-02-29, 2024-04-31). */
static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

static int read_digits(const char **p, int min, int max, int *val)
{
    int n = 0, v = 0;
    while (n < max && digit(**p)) v = v * 10 + (*(*p)++ - '0'), n++;
    *val = v;
    return n >= min;
}

/* yaml's timestamp forms (2006-1-2, with optional [Tt ]15:4:5.999999999 and
 * a zone), normalised as Go's time.Time marshals to JSON (RFC 3339). */
static int parse_timestamp(const char *s, char *out, size_t outsz)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (!read_digits(&p, 4, 4, &y) || *p++ != '-') return 0;
    if (!read_digits(&p, 1, 2, &mo) || *p++ != '-') return 0;
    if (!read_digits(&p, 1, 2, &d)) return 0;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return 0;
    char frac[16] = "";
    char zone[8] = "Z";
    if (*p) {
        char sep = *p++;
        if (sep != 'T' && sep != 't' && sep != ' ') return 0;
        if (!read_digits(&p, 1, 2, &h) || *p++ != ':') return 0;
        if (!read_digits(&p, 1, 2, &mi) || *p++ != ':') return 0;
        if (!read_digits(&p, 1, 2, &sec)) return 0;
        if (h > 23 || mi > 59 || sec > 59) return 0;
        if (*p == '.') {
            p++;
            int n = 0;
            while (digit(*p) && n < 9) frac[n++] = *p++;
            if (!n || digit(*p)) return 0;
            while (n > 0 && frac[n - 1] == '0') n--;
            frac[n] = 0;
        }
        if (sep != ' ' && *p) {
            if (*p == 'Z') p++;
            else if (*p == '+' || *p == '-') {
                int zh, zm;
                char sign = *p++;
                if (!read_digits(&p, 2, 2, &zh) || *p++ != ':' || !read_digits(&p, 2, 2, &zm)) return 0;
                if (zh || zm) snprintf(zone, sizeof zone, "%c%02d:%02d", sign, zh, zm);
            } else return 0;
        } else if (sep != ' ' && !*p) {
            return 0; /* the T forms need a zone */
        }
        if (*p) return 0;
    }
    snprintf(out, outsz, "%04d-%02d-%02dT%02d:%02d:%02d%s%s%s", y, mo, d, h, mi, sec, frac[0] ? "." : "", frac, zone);
    return 1;
}

/* Resolves s; fills out (64 bytes) with the normalised text when it differs. */
/* Go's encoding/json float text: shortest digits, exponent form below 1e-6
 * and from 1e21 (e-09 written e-9), -0 kept. */
static void format_go_json_float(double f, char *out, size_t outsz)
{
    double abs = fabs(f);
    int e = abs != 0 && (abs < 1e-6 || abs >= 1e21);
    go_format_float(f, e ? 'g' : 'f', 64, out, outsz);
    size_t n = strlen(out);
    if (e && n >= 4 && out[n - 4] == 'e' && out[n - 3] == '-' && out[n - 2] == '0') out[n - 2] = out[n - 1], out[n - 1] = 0;
}

/* json_text: floats as encoding/json writes them, else as kustomize's
 * output prints them (json.Marshal, then read back by yaml.v2). */
static int resolve_core_as(const char *s, size_t len, int *kind, char *out, int json_text)
{
    if (len == 0 || is_one_of(s, len, null_words)) {
        *kind = N_NULL;
        strcpy(out, "null");
        return 1;
    }
    if (is_one_of(s, len, v3_true) || is_one_of(s, len, v3_false)) {
        *kind = N_BOOL;
        strcpy(out, s[0] == 't' || s[0] == 'T' ? "true" : "false");
        return 1;
    }
    *kind = N_STR;
    char c = s[0];
    if (!(digit(c) || c == '+' || c == '-' || c == '.') || len > 400) return 0;
    if (is_one_of(s, len, special_floats)) { /* yaml.v3 reads .inf/.nan as floats */
        *kind = N_FLOAT;
        return 0;
    }
    char buf[512];
    memcpy(buf, s, len);
    buf[len] = 0;
    if (c == '.') {
        double f;
        if (go_parse_float(buf, &f)) goto as_float;
        return 0;
    }
    if (digit(c) && parse_timestamp(buf, out, 64)) return 1;
    char plain[512];
    strip_underscores(buf, len, plain);
    if (parse_yaml_int(plain, out, 64)) {
        *kind = N_INT;
        return 1;
    }
    if (yaml_style_float(plain)) {
        double f;
        if (go_parse_float(plain, &f)) {
            strcpy(buf, plain);
            goto as_float;
        }
    }
    return 0;
as_float: /* yaml.v3's !!float, even when the JSON round trip prints an integer (1e3 -> 1000) */
    if (json_text) format_go_json_float(strtod(buf, NULL), out, 64);
    else format_json_float(strtod(buf, NULL), out, 64);
    *kind = N_FLOAT;
    return 1;
}

static int resolve_core(const char *s, size_t len, int *kind, char *out)
{
    return resolve_core_as(s, len, kind, out, 0);
}

const char *scalar_resolve_plain(arena *a, const char *s, size_t len, int *kind, size_t *outlen)
{
    char out[64];
    *outlen = len;
    if (!resolve_core(s, len, kind, out)) return s;
    *outlen = strlen(out);
    if (*outlen == len && memcmp(out, s, len) == 0) return s;
    return arena_strndup(a, out, *outlen);
}

node *scalar_new_plain(arena *a, const char *text, size_t len)
{
    int kind;
    char out[64];
    int typed = resolve_core(text, len, &kind, out);
    node *n = node_new(a, N_STR);
    n->kind = (uint8_t)kind;
    if (kind == N_NULL && len == 0) n->flags |= NF_EMPTY_NULL;
    /* A string that resolve_core still typed is a timestamp (even one already
     * in RFC 3339 form: its tag is not !!str). Every scalar keeps its text, as
     * kyaml's nodes do (an annotation written 1.50, True or ~ reads "1.50",
     * "True", "~"); the emitter prints the JSON round trip's form. */
    if (kind == N_STR && typed) n->flags |= NF_TIMESTAMP;
    n->u.str.s = arena_strndup(a, text, len);
    n->u.str.len = (uint32_t)len;
    return n;
}

void map_set_plain_key(arena *a, node *m, const char *key, node *val)
{
    map_set(a, m, key, val);
    node *k = m->u.map.items[map_index(m, key)].key;
    if (scalar_plain_key_not_str(a, k->u.str.s, k->u.str.len)) k->flags |= NF_KEY_NOT_STR;
}

int scalar_output_text(const char *s, size_t len, char out[64])
{
    int kind;
    size_t i = 0;
    while (i < len && digit(s[i])) i++;
    if (i == len && len && (s[0] != '0' || len == 1) && len < 19) return 0; /* plain decimal: as is */
    if (!resolve_core(s, len, &kind, out)) return 0;
    return strlen(out) != len || memcmp(out, s, len) != 0;
}

int scalar_json_text(const char *s, size_t len, char out[64])
{
    int kind;
    size_t i = 0;
    while (i < len && digit(s[i])) i++;
    if (i == len && len && (s[0] != '0' || len == 1) && len < 19) return 0;
    if (!resolve_core_as(s, len, &kind, out, 1)) return 0;
    return strlen(out) != len || memcmp(out, s, len) != 0;
}

void scalar_json_float64_text(const char *s, size_t len, char out[64])
{
    char json[64];
    if (len > 63 || !scalar_json_text(s, len, json)) snprintf(json, sizeof json, "%.*s", (int)(len < 63 ? len : 63), s);
    format_go_json_float(strtod(json, NULL), out, 64);
}

int scalar_v3_flow_requotes(const node *n)
{
    if (n->flags & NF_QUOTED) return 0;
    if (n->kind == N_NULL) return n->u.str.len == 0;
    return (n->flags & NF_TIMESTAMP) && memchr(n->u.str.s, ':', n->u.str.len);
}

int scalar_v3_requotes_key(const node *k, int flow)
{
    if (k->flags & NF_BAD_TAG) return 0; /* tagged: written with its tag */
    /* only timestamps among typed plain scalars hold ':' */
    return k->u.str.len == 0 || (flow && memchr(k->u.str.s, ':', k->u.str.len));
}

char *scalar_binary_text(const char *s, size_t len, size_t *outlen)
{
    strbuf raw = STRBUF_INIT, out = STRBUF_INIT;
    int rc = base64_decode_go(s, len, &raw);
    if (rc == 0) json_go_text(&out, raw.buf, raw.len);
    sb_release(&raw);
    char *text = sb_detach(&out, outlen);
    if (rc == 0) return text ? text : strdup(""); /* !!binary "": the empty string */
    free(text);
    return NULL;
}

#define STYLES (NF_QUOTED | NF_FOLDED | NF_LITERAL)

/* val in the given style. yaml.v3 writes a non-string quoted or in block
 * style without its tag, so it reads back as a string. */
static node *restyle(arena *a, node *val, unsigned styles)
{
    if ((val->flags & STYLES) == styles) return val;
    node *c = node_clone(a, val);
    c->flags = (c->flags & ~STYLES) | styles;
    if (styles) {
        c->kind = N_STR;
        c->flags &= ~(unsigned)(NF_TIMESTAMP | NF_EMPTY_NULL);
    }
    return c;
}

node *scalar_take_style(arena *a, node *val, const node *old)
{
    if (!old || !val || old->kind >= N_MAP || val->kind >= N_MAP) return val;
    if (val->kind == N_NULL && !(val->flags & NF_UNTAGGED)) return val; /* a tagged null clears the field */
    return restyle(a, val, old->flags & STYLES);
}

/* kyaml's IsYNodeString: tagged !!str, or untagged (typed by its text). */
static int kyaml_string_node(const node *n)
{
    return (n->kind == N_STR && !(n->flags & NF_TIMESTAMP)) || (n->flags & NF_UNTAGGED);
}

node *scalar_field_set(arena *a, node *val, const node *old)
{
    if (!val || val->kind >= N_MAP) return val;
    if (old && old != val) return scalar_take_style(a, val, old);
    if (kyaml_string_node(val) && !(val->flags & STYLES) && scalar_v1_1_non_string(val->u.str.s, val->u.str.len))
        return restyle(a, val, NF_QUOTED);
    return val;
}

node *scalar_new_string(arena *a, const char *s, size_t len)
{
    node *n = node_new_strn(a, s, len);
    if (memchr(s, '\n', len)) {
        n->flags |= NF_QUOTED | NF_LITERAL; /* yaml.v3's SetString */
        return n;
    }
    return scalar_field_set(a, n, NULL);
}

int scalar_is_new_string(const node *n)
{
    if (n->kind != N_STR || (n->flags & (NF_TIMESTAMP | NF_FOLDED | NF_ALIASED | NF_BINARY))) return 0;
    unsigned want = memchr(n->u.str.s, '\n', n->u.str.len) ? NF_QUOTED | NF_LITERAL
                    : scalar_v1_1_non_string(n->u.str.s, n->u.str.len) ? NF_QUOTED : 0;
    return (n->flags & (NF_QUOTED | NF_LITERAL)) == want;
}

void scalar_setter_style_in_place(node *val, const node *old)
{
    if (val->kind >= N_MAP) return;
    if (kyaml_string_node(val) && !(val->flags & STYLES) && scalar_v1_1_non_string(val->u.str.s, val->u.str.len))
        val->flags |= NF_QUOTED;
    if (!old) return;
    /* a collection's style (block, or flow) means nothing on a scalar */
    unsigned styles = old->kind < N_MAP ? old->flags & STYLES : 0;
    val->flags = (val->flags & ~(unsigned)STYLES) | styles;
}

node *scalar_set_untagged(arena *a, const char *text, const node *old)
{
    node *v = scalar_new_plain(a, text, strlen(text));
    v->flags |= NF_UNTAGGED;
    if (old) node_set_pos(v, old);
    return scalar_field_set(a, v, old);
}

/* The part of a plain scalar before a comment (" #..."). */
static size_t before_comment(const char *s, size_t len)
{
    for (size_t i = 1; i < len; i++)
        if (s[i] == '#' && (s[i - 1] == ' ' || s[i - 1] == '\t')) {
            while (i && (s[i - 1] == ' ' || s[i - 1] == '\t')) i--;
            return i;
        }
    return len;
}

/* Text go-yaml v2 reads as a collection or an empty document, not a scalar. */
static int v2_not_scalar(const char *s, size_t len)
{
    if (s[0] == '#' || (s[0] == '-' && (len == 1 || s[1] == ' ')) || (s[0] == '?' && (len == 1 || s[1] == ' ')))
        return 1;
    if (len >= 3 && (!memcmp(s, "---", 3) || !memcmp(s, "...", 3)) && (len == 3 || s[3] == ' ')) return 1;
    if ((s[0] == '[' && s[len - 1] == ']') || (s[0] == '{' && s[len - 1] == '}')) return 1;
    if (s[0] == '"' || s[0] == '\'') return 0;
    if (s[len - 1] == ':') return 1;
    for (size_t i = 0; i + 1 < len; i++)
        if (s[i] == ':' && (s[i + 1] == ' ' || s[i + 1] == '\t')) return 1;
    return 0;
}

static int is_base60_float(const char *s);

int scalar_v1_1_non_string(const char *s, size_t len)
{
    char out[64];
    if (!len || memchr(s, '\n', len)) return 0;
    if (v2_not_scalar(s, len)) return 1;
    size_t n = before_comment(s, len);
    if (n < len) return scalar_v1_1_non_string(s, n);
    if (len < sizeof out && digit(s[0])) { /* a timestamp decodes into interface{} as its string */
        char buf[64];
        memcpy(buf, s, len);
        buf[len] = 0;
        if (parse_timestamp(buf, out, sizeof out)) return 0;
        if (is_base60_float(buf)) return 0; /* v2 quotes 1:20 when writing, yet reads it as a string */
    }
    return scalar_v2_needs_quotes(s, len);
}

int scalar_is_json_number(const char *s, size_t len)
{
    size_t i = s[0] == '-', d;
    for (d = i; i < len && digit(s[i]); i++) {}
    if (i == d || (s[d] == '0' && i - d > 1)) return 0;
    if (i < len && s[i] == '.') {
        for (d = ++i; i < len && digit(s[i]); i++) {}
        if (i == d) return 0;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i += i + 1 < len && (s[i + 1] == '+' || s[i + 1] == '-');
        for (d = ++i; i < len && digit(s[i]); i++) {}
        if (i == d) return 0;
    }
    return i == len;
}

int scalar_from_json_number(const char *s, size_t len, char out[64])
{
    char json[64], *end;
    /* JSON text is read as encoding/json reads it (-0 stays negative);
     * anything else (0x1F) is first written as JSON */
    if (len > 63 || scalar_is_json_number(s, len) || !scalar_json_text(s, len, json))
        snprintf(json, sizeof json, "%.*s", (int)(len < 63 ? len : 63), s);
    double f = strtod(json, &end);
    if (*end || !isfinite(f)) return -1; /* .nan, .inf, or text a tag forced to a number */
    go_format_float(f, 'g', 64, out, 64);
    return strpbrk(out, ".eE") ? N_FLOAT : N_INT;
}

int scalar_kind_for_tag(const char *tag)
{
    if (!tag) return -1;
    if (!strcmp(tag, "tag:yaml.org,2002:str")) return N_STR;
    if (!strcmp(tag, "tag:yaml.org,2002:int")) return N_INT;
    if (!strcmp(tag, "tag:yaml.org,2002:float")) return N_FLOAT;
    if (!strcmp(tag, "tag:yaml.org,2002:bool")) return N_BOOL;
    if (!strcmp(tag, "tag:yaml.org,2002:null")) return N_NULL;
    return -1;
}

/* ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
static int is_base60_float(const char *s)
{
    if (*s == '+' || *s == '-') s++;
    if (!digit(*s)) return 0;
    while (digit(*s) || *s == '_') s++;
    int groups = 0;
    while (*s == ':') {
        s++;
        if (!digit(*s)) return 0;
        if (digit(s[1])) {
            if (*s > '5') return 0;
            s += 2;
        } else s++;
        groups++;
    }
    if (!groups) return 0;
    if (*s == '.') {
        s++;
        while (digit(*s) || *s == '_') s++;
    }
    return *s == 0;
}

int scalar_v2_needs_quotes(const char *s, size_t len)
{
    /* Fast path for the common case: every non-string word is at most 6
     * characters, and every number starts with a digit, sign or dot. */
    int numeric_start = digit(s[0]) || s[0] == '+' || s[0] == '-' || s[0] == '.';
    if (len > 6 && !numeric_start) return 0;
    /* Every special word starts with one of these. */
    if (len && !numeric_start && !strchr("~nNyYtTfFoO<", s[0])) return 0;
    if (len == 0 || is_one_of(s, len, null_words) || is_one_of(s, len, v2_bools) ||
        is_one_of(s, len, special_floats))
        return 1;
    /* "<<" is not quoted: kubectl kustomize writes a "<<" string value plain
     * (golden case fmt-ambiguous). */
    char c = s[0];
    if (!(digit(c) || c == '+' || c == '-' || c == '.') || len > 400) return 0;
    char buf[512], plain[512], out[64];
    memcpy(buf, s, len);
    buf[len] = 0;
    double f;
    if (c == '.') return go_parse_float(buf, &f);
    if (digit(c) && parse_timestamp(buf, out, sizeof out)) return 1;
    strip_underscores(buf, len, plain);
    if (parse_yaml_int(plain, out, sizeof out)) return 1;
    if (yaml_style_float(plain) && go_parse_float(plain, &f)) return 1;
    return is_base60_float(buf);
}

int scalar_plain_key_not_str(arena *a, const char *s, size_t len)
{
    size_t klen;
    int kind;
    const char *norm = scalar_resolve_plain(a, s, len, &kind, &klen);
    return kind != N_STR || norm != s || (len >= 10 && s[4] == '-' && scalar_v2_needs_quotes(s, len));
}

int scalar_v2_bool(const char *s, size_t len)
{
    static const char *const v2_true[] = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", NULL};
    if (is_one_of(s, len, v2_true)) return 1;
    return is_one_of(s, len, v2_bools) ? 0 : -1;
}

int scalar_resolve_v2(const char *s, size_t len, int *kind, char out[64])
{
    int b = scalar_v2_bool(s, len);
    if (b >= 0) {
        *kind = N_BOOL;
        strcpy(out, b ? "true" : "false");
        return 1;
    }
    int r = resolve_core_as(s, len, kind, out, 1); /* encoding/json's text: -0.0 stays -0 */
    if (*kind == N_STR) return 0; /* a timestamp stays the string it was written as */
    /* go-yaml v2 gives a float64, which the JSON round trip writes as an integer when integral */
    if (r && *kind == N_FLOAT && !strpbrk(out, ".eE")) *kind = N_INT;
    return r;
}

int scalar_v2_key(const char *s, size_t len, char out[64])
{
    int kind;
    char json[64], buf[512], plain[512];
    if (len > 400) kind = N_STR; /* as resolve_core: no number is that long */
    else scalar_resolve_v2(s, len, &kind, json);
    if (kind == N_NULL) return -1;
    if (kind == N_BOOL) {
        strcpy(out, json);
        return 0;
    }
    if (kind == N_STR) {
        snprintf(out, 64, "%.*s", (int)len, s);
        return len < 64 ? 0 : -2;
    }
    memcpy(buf, s, len);
    buf[len] = 0;
    strip_underscores(buf, len, plain);
    if (parse_yaml_int(plain, out, 64)) /* a uint64 beyond int64 is no key it converts */
        return out[0] == '-' || digits_le(out, "9223372036854775807") ? 0 : -1;
    if (is_one_of(s, len, special_floats)) /* float32 %g, then go-yaml's spelling */
        strcpy(out, s[0] == '-' ? "-.inf" : (s[1] == 'n' || s[1] == 'N') ? ".nan" : ".inf");
    else
        go_format_float(strtod(plain, NULL), 'g', 32, out, 64);
    return 0;
}

/* Decodes one UTF-8 code point (invalid bytes come back as themselves). */
static uint32_t utf8_next(const unsigned char **p, const unsigned char *end)
{
    const unsigned char *s = *p;
    uint32_t c = *s;
    int n = c < 0x80 ? 0 : c < 0xE0 ? 1 : c < 0xF0 ? 2 : 3;
    if (n && s + n < end + 0) {
        c &= 0x3F >> n;
        for (int i = 1; i <= n; i++) c = (c << 6) | (s[i] & 0x3F);
    } else n = 0;
    *p = s + n + 1;
    return c;
}

static int is_letter(uint32_t c)
{
    if (c < 0x80) return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    return iswalpha((wint_t)c);
}

int natural_less(const char *a, size_t alen, const char *b, size_t blen)
{
    /* Decode to code points first: the comparison looks back at earlier digits. */
    uint32_t ar_small[128], br_small[128];
    uint32_t *ar = alen <= 128 ? ar_small : malloc(alen * sizeof *ar);
    uint32_t *br = blen <= 128 ? br_small : malloc(blen * sizeof *br);
    size_t an_ = 0, bn_ = 0;
    const unsigned char *p = (const unsigned char *)a, *pe = p + alen;
    while (p < pe) ar[an_++] = utf8_next(&p, pe);
    p = (const unsigned char *)b, pe = p + blen;
    while (p < pe) br[bn_++] = utf8_next(&p, pe);
    int result = -1;
    for (size_t i = 0; i < an_ && i < bn_ && result < 0; i++) {
        if (ar[i] == br[i]) continue;
        int al = is_letter(ar[i]), bl = is_letter(br[i]);
        if (al && bl) { result = ar[i] < br[i]; break; }
        if (al || bl) { result = bl; break; }
        /* Go's int64 arithmetic wraps on long digit runs; do the same without
         * signed overflow (undefined in C): compute unsigned, compare signed. */
        uint64_t av = 0, bv = 0;
        if (ar[i] == '0' || br[i] == '0') {
            for (size_t j = i; j-- > 0 && ar[j] >= '0' && ar[j] <= '9';) {
                if (ar[j] != '0') { av = 1; bv = 1; break; }
            }
        }
        size_t ai, bi;
        for (ai = i; ai < an_ && ar[ai] >= '0' && ar[ai] <= '9'; ai++) av = av * 10 + (ar[ai] - '0');
        for (bi = i; bi < bn_ && br[bi] >= '0' && br[bi] <= '9'; bi++) bv = bv * 10 + (br[bi] - '0');
        if (av != bv) result = (int64_t)av < (int64_t)bv;
        else if (ai != bi) result = ai < bi;
        else result = ar[i] < br[i];
    }
    if (result < 0) result = an_ < bn_;
    if (ar != ar_small) free(ar);
    if (br != br_small) free(br);
    return result;
}

void scalar_bad_tag_msg(const node *n, char *out, size_t size)
{
    static const char *const tags[] = {"null", "bool", "int", "float", "str"};
    int rkind;
    size_t len;
    arena *a = arena_new();
    scalar_resolve_plain(a, n->u.str.s, n->u.str.len, &rkind, &len);
    arena_free(a);
    const char *tag = n->flags & NF_TIMESTAMP ? "timestamp" : tags[n->kind]; /* a replaced timestamp (t_replacements.c) */
    snprintf(out, size, "cannot decode !!%s `%s` as a !!%s", tags[rkind], n->u.str.s, tag);
}
