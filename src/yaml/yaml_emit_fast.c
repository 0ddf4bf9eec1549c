/* The emitter's fast path. libyaml's emitter is the larger part of a
 * build's time (per scalar it copies, validates, queues and analyses an
 * event), yet most documents hold only short ASCII scalars whose layout is
 * fixed: block mappings indented by two, sequences not indented under their
 * key, plain scalars, double quotes for YAML 1.1-ambiguous strings. This
 * writes exactly what libyaml writes for such documents and declines
 * (returns 0, output untouched) on anything else: multi-line or non-ASCII
 * text, anything libyaml might quote differently, fold at 80 columns or
 * report as an error. yaml_emit then uses libyaml for the whole document.
 * KGR_EMIT_VERIFY=1 makes yaml_emit compare the two on every document. */
#include "kyaml.h"
#include "scalar.h"
#include <string.h>

#define WIDTH 80     /* libyaml's best_width, as go-yaml v2 sets it */
#define MAX_KEY 128  /* longer keys are not "simple" for libyaml */

static int printable_ascii(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e) return 0;
    return 1;
}

static int blank_at(const char *s, size_t len, size_t i)
{
    return i >= len || s[i] == ' ';
}

/* libyaml's block_plain_allowed (yaml_emitter_analyze_scalar) for printable ASCII. */
static int plain_allowed(const char *s, size_t len)
{
    if (!len || s[0] == ' ' || s[len - 1] == ' ') return 0;
    if (len >= 3 && (!memcmp(s, "---", 3) || !memcmp(s, "...", 3))) return 0;
    if (strchr("#,[]{}&*!|>'\"%@`", s[0])) return 0;
    if ((s[0] == '?' || s[0] == ':' || s[0] == '-') && blank_at(s, len, 1)) return 0;
    for (size_t i = 1; i < len; i++) {
        if (s[i] == ':' && blank_at(s, len, i + 1)) return 0;
        if (s[i] == '#' && s[i - 1] == ' ') return 0;
    }
    return 1;
}

/* Writes a string scalar starting at column col; breaks allowed (values)
 * or not (simple keys). Returns the bytes written, or 0 when libyaml must
 * do it (an empty string is written as "", so never 0 bytes). */
static size_t put_string(strbuf *o, const char *s, size_t len, size_t col, int is_key)
{
    if (!printable_ascii(s, len)) return 0;
    if (scalar_v2_needs_quotes(s, len)) {
        if (memchr(s, '"', len) || memchr(s, '\\', len)) return 0;
        if (!is_key && col + len + 2 > WIDTH && memchr(s, ' ', len)) return 0;
        sb_addc(o, '"');
        sb_add(o, s, len);
        sb_addc(o, '"');
        return len + 2;
    }
    if (!plain_allowed(s, len)) return 0;
    if (!is_key && col + len > WIDTH && memchr(s, ' ', len)) return 0; /* libyaml would fold it */
    sb_add(o, s, len);
    return len;
}

/* A scalar value (or an empty collection) at column col. */
static int put_scalar(strbuf *o, const node *n, size_t col, int flow)
{
    char out[64];
    if (n->flags & (NF_BAD_TAG | NF_BINARY)) return 0; /* libyaml's path reports the error or decodes */
    if (flow && scalar_v3_flow_requotes(n)) return 0; /* read back as a string: libyaml's path */
    if (n->flags & NF_FOLDED) return 0;                 /* yaml.v3's folded writer: libyaml's path */
    switch (n->kind) {
    case N_MAP: sb_adds(o, "{}"); return 1;
    case N_SEQ: sb_adds(o, "[]"); return 1;
    case N_NULL: sb_adds(o, "null"); return 1;
    case N_BOOL: sb_adds(o, node_is_true(n) ? "true" : "false"); return 1;
    case N_INT:
    case N_FLOAT:
        if (!strpbrk(n->u.str.s, "0123456789")) return 0; /* .inf/.nan: libyaml's path reports the error */
        if (scalar_output_text(n->u.str.s, n->u.str.len, out)) sb_adds(o, out);
        else sb_add(o, n->u.str.s, n->u.str.len);
        return 1;
    default:
        if ((n->flags & NF_TIMESTAMP) && scalar_output_text(n->u.str.s, n->u.str.len, out))
            return put_string(o, out, strlen(out), col, 0) > 0;
        return put_string(o, n->u.str.s, n->u.str.len, col, 0) > 0;
    }
}

static int is_block(const node *n)
{
    return (n->kind == N_MAP && n->u.map.n) || (n->kind == N_SEQ && n->u.seq.n);
}

static void indent(strbuf *o, size_t n)
{
    sb_grow(o, n);
    memset(o->buf + o->len, ' ', n);
    o->len += n;
    o->buf[o->len] = 0;
}

static int put_seq(strbuf *o, const node *s, size_t ind, int inline_first, int flow);

/* A block mapping at indentation ind; inline_first: its first key goes on
 * the current line (after "- "). */
static int put_map(strbuf *o, node *m, size_t ind, int inline_first, int flow)
{
    yaml_sort_keys(m);
    flow |= (m->flags & NF_FLOW) != 0;
    for (uint32_t i = 0; i < m->u.map.n; i++) {
        const node *k = m->u.map.items[i].key;
        node *v = m->u.map.items[i].val;
        if (k->flags & (NF_KEY_NOT_STR | NF_KEY_DUP | NF_FOLDED)) return 0;
        if (k->u.str.len > MAX_KEY || (k->u.str.len == 2 && !memcmp(k->u.str.s, "<<", 2))) return 0;
        if (i || !inline_first) indent(o, ind);
        size_t key_width = put_string(o, k->u.str.s, k->u.str.len, ind, 1);
        if (!key_width) return 0;
        sb_addc(o, ':');
        if (v->kind == N_MAP && v->u.map.n) {
            sb_addc(o, '\n');
            if (!put_map(o, v, ind + 2, 0, flow)) return 0;
        } else if (v->kind == N_SEQ && v->u.seq.n) {
            sb_addc(o, '\n');
            if (!put_seq(o, v, ind, 0, flow)) return 0; /* not indented under its key */
        } else {
            sb_addc(o, ' ');
            if (!put_scalar(o, v, ind + key_width + 2, flow)) return 0;
            sb_addc(o, '\n');
        }
    }
    return 1;
}

static int put_seq(strbuf *o, const node *s, size_t ind, int inline_first, int flow)
{
    flow |= (s->flags & NF_FLOW) != 0;
    for (uint32_t i = 0; i < s->u.seq.n; i++) {
        node *v = s->u.seq.items[i];
        if (i || !inline_first) indent(o, ind);
        sb_adds(o, "- ");
        if (v->kind == N_MAP && v->u.map.n) {
            if (!put_map(o, v, ind + 2, 1, flow)) return 0;
        } else if (v->kind == N_SEQ && v->u.seq.n) {
            if (!put_seq(o, v, ind + 2, 1, flow)) return 0;
        } else {
            if (!put_scalar(o, v, ind + 2, flow)) return 0;
            sb_addc(o, '\n');
        }
    }
    return 1;
}

int yaml_emit_fast(strbuf *out, node *doc)
{
    size_t start = out->len;
    if (is_block(doc) && doc->kind == N_MAP && put_map(out, doc, 0, 0, 0)) return 1;
    out->len = start;
    if (out->cap) out->buf[start] = 0;
    return 0;
}
