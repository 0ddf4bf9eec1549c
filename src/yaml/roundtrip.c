/* kustomize's JSON round trip of an object, as its JSON patch filter does
 * it: RNode.MarshalJSON (yaml.v3 re-emits the object, reads it back into Go
 * values, encoding/json writes them), then RNode.UnmarshalJSON (the JSON
 * read into Go values, numbers as float64, written by yaml.v3 and parsed).
 * Whatever the object was written like, it comes back as plain JSON data. */
#include "kyaml.h"
#include "err.h"
#include "quirks.h"
#include "scalar.h"
#include <stdlib.h>
#include <string.h>

static void set_text(arena *a, node *n, const char *s, size_t len)
{
    n->u.str.s = arena_strndup(a, s, len);
    n->u.str.len = (uint32_t)len;
}

/* A string as MarshalJSON gives it: folded text as yaml.v3 reads it back,
 * a timestamp in RFC 3339 (time.Time's JSON), unless yaml.v3 had to quote
 * it inside a flow collection. */
/* view modes: how the data reached encoding/json */
#define V_DIRECT 1 /* decoded from the node itself, no yaml.v3 re-emit */
#define V_JSON 2   /* decoded by go-yaml v2 or as JSON: numbers are JSON text already */

static void view_string(arena *a, node *n, int flow, int direct)
{
    char out[64];
    size_t len;
    if ((n->flags & NF_FOLDED) && !flow && !(direct & V_DIRECT)) {
        char *folded = quirk_v3_folded_reread(n->u.str.s, n->u.str.len, &len);
        if (folded) set_text(a, n, folded, len);
        free(folded);
    }
    if ((n->flags & NF_TIMESTAMP) && !(flow && scalar_v3_flow_requotes(n)) &&
        scalar_output_text(n->u.str.s, n->u.str.len, out))
        set_text(a, n, out, strlen(out));
}

/* A !!binary string's bytes (heap), or the error yaml.v3 decodes it with. */
static char *binary_bytes(arena *a, const node *n, const char *what, size_t *len)
{
    char *text = scalar_binary_text(n->u.str.s, n->u.str.len, len);
    if (!text) err_set("%s: %s: yaml: !!binary value contains invalid base64 data", node_pos(a, n), what);
    return text;
}

/* A !!binary string: its decoded bytes (yaml.v3 decodes it either way). */
static int view_binary(arena *a, node *n, const char *what)
{
    size_t len;
    char *text = binary_bytes(a, n, what, &len);
    if (!text) return -1;
    set_text(a, n, text, len);
    free(text);
    n->flags &= ~(unsigned)(NF_BINARY | NF_FOLDED | NF_LITERAL);
    return 0;
}

/* The scalars yaml.v3 fails to decode into Go values: a tag its text does
 * not fit, and !!binary that is not base64. */
static int decode_scalar(arena *a, const node *n, const char *what)
{
    if (n->flags & NF_BAD_TAG) {
        char msg[160];
        scalar_bad_tag_msg(n, msg, sizeof msg);
        return err_set("%s: %s: yaml: %s", node_pos(a, n), what, msg);
    }
    size_t len;
    char *text = n->flags & NF_BINARY ? binary_bytes(a, n, what, &len) : NULL;
    free(text);
    return n->flags & NF_BINARY && !text ? -1 : 0;
}

int yaml_v3_decodes(arena *a, const node *n, const char *what)
{
    if (n->kind < N_MAP) return decode_scalar(a, n, what);
    if (n->kind == N_SEQ) {
        for (uint32_t i = 0; i < n->u.seq.n; i++)
            if (yaml_v3_decodes(a, n->u.seq.items[i], what) < 0) return -1;
        return 0;
    }
    for (uint32_t i = 0; i < n->u.map.n; i++)
        if (decode_scalar(a, n->u.map.items[i].key, what) < 0 || yaml_v3_decodes(a, n->u.map.items[i].val, what) < 0)
            return -1;
    return 0;
}

static int view_scalar(arena *a, node *n, int flow, int direct, const char *what)
{
    char out[64];
    if (n->flags & NF_BAD_TAG) return decode_scalar(a, n, what); /* yaml.v3 fails before encoding/json sees it */
    if (n->flags & NF_BINARY) return view_binary(a, n, what);
    if (flow && scalar_v3_flow_requotes(n)) {
        n->kind = N_STR; /* read back from quotes: its text, as a string */
        n->flags &= ~(unsigned)(NF_TIMESTAMP | NF_EMPTY_NULL);
    }
    switch (n->kind) {
    case N_STR: view_string(a, n, flow, direct); break;
    case N_BOOL: set_text(a, n, node_is_true(n) ? "true" : "false", node_is_true(n) ? 4 : 5); break;
    case N_NULL: set_text(a, n, "null", 4); break;
    default: { /* numbers: JSON's text; encoding/json has no NaN or infinities */
        const char *t = n->u.str.s;
        if (!strpbrk(t, "0123456789"))
            return err_set("%s: %s: json: unsupported value: %s", node_pos(a, n), what,
                           t[0] == '-' ? "-Inf" : strpbrk(t, "nN") && strpbrk(t, "aA") ? "NaN" : "+Inf");
        if (!((direct & V_JSON) && scalar_is_json_number(t, n->u.str.len)) && scalar_json_text(t, n->u.str.len, out))
            set_text(a, n, out, strlen(out));
    }
    }
    return 0;
}

/* A mapping key on its way into encoding/json, which takes string keys
 * only, each once. yaml.v3's re-emission quotes some keys it reads as
 * non-strings (scalar_v3_requotes_key), so they come back as strings: a copy
 * without the flag (keys are shared between clones). */
static int view_key(arena *a, node_pair *p, int flow, int direct, const char *what)
{
    const node *k = p->key;
    if (k->flags & NF_KEY_DUP)
        return err_set("%s: %s: mapping key \"%s\" already defined", node_pos(a, k), what, k->u.str.s);
    if (k->flags & NF_FOLDED) { /* read back like a value; JSON keeps that text */
        node *c = node_clone(a, k);
        view_string(a, c, flow, direct);
        c->flags &= ~(unsigned)NF_FOLDED;
        p->key = c;
        k = c;
    }
    if (!(k->flags & NF_KEY_NOT_STR)) return 0;
    if ((direct & V_DIRECT) || !scalar_v3_requotes_key(k, flow))
        return err_set("%s: %s: json: unsupported type: map[interface {}]interface {} (key %s is not a string)",
                       node_pos(a, k), what, k->u.str.s);
    node *c = node_clone(a, k);
    c->flags &= ~(unsigned)NF_KEY_NOT_STR;
    p->key = c;
    return 0;
}

static int view_node(arena *a, node *n, int flow, int direct, const char *what)
{
    if (n->kind < N_MAP) return view_scalar(a, n, flow, direct, what);
    flow |= !(direct & V_DIRECT) && (n->flags & NF_FLOW);
    if (n->kind == N_SEQ) {
        for (uint32_t i = 0; i < n->u.seq.n; i++)
            if (view_node(a, n->u.seq.items[i], flow, direct, what) < 0) return -1;
        return 0;
    }
    for (uint32_t i = 0; i < n->u.map.n;) {
        const node *k = n->u.map.items[i].key;
        if (k->u.str.len == 2 && !memcmp(k->u.str.s, "<<", 2)) { /* merged already; yaml.v3 drops the key */
            map_del_at(n, i);
            continue;
        }
        if (view_key(a, &n->u.map.items[i], flow, direct, what) < 0 || view_node(a, n->u.map.items[i].val, flow, direct, what) < 0)
            return -1;
        i++;
    }
    return 0;
}

int yaml_json_view(arena *a, node *n, int flow, const char *what)
{
    return view_node(a, n, flow, 0, what);
}

int yaml_json_view_v2(arena *a, node *n, const char *what)
{
    return view_node(a, n, 0, V_JSON, what);
}

/* JSON text as kyaml.Parse reads it: collections in flow style (what is
 * later added into them is written in flow style too), strings
 * double-quoted, numbers typed by their JSON text. */
static void as_parsed_json(node *n)
{
    if (n->kind >= N_MAP) {
        n->flags |= NF_FLOW;
        uint32_t len = n->kind == N_SEQ ? n->u.seq.n : n->u.map.n;
        for (uint32_t i = 0; i < len; i++) as_parsed_json(n->kind == N_SEQ ? n->u.seq.items[i] : n->u.map.items[i].val);
        return;
    }
    n->flags = n->kind == N_STR ? NF_QUOTED : 0;
    if (n->kind == N_INT || n->kind == N_FLOAT)
        n->kind = strpbrk(n->u.str.s, ".eE") ? N_FLOAT : N_INT;
}

int yaml_json_decoded(arena *a, node *n, const char *what)
{
    if (view_node(a, n, 0, V_DIRECT, what) < 0) return -1;
    as_parsed_json(n);
    return 0;
}

/* A scalar of JSON data as yaml.v3 writes and reads it back: numbers in
 * float64's shortest form, strings quoted or literal where yaml.v3 writes
 * them so (quirk_v3_marshal_style; kyaml keeps those styles, and a value a
 * strategic merge later sets there takes them). */
static void from_json_scalar(arena *a, node *n)
{
    unsigned keep = n->flags & NF_KEY_NOT_STR;
    if (n->kind == N_INT || n->kind == N_FLOAT) {
        char out[64];
        int kind = scalar_from_json_number(n->u.str.s, n->u.str.len, out);
        if (kind >= 0) {
            n->kind = (unsigned)kind;
            set_text(a, n, out, strlen(out));
        }
        n->flags = keep;
        return;
    }
    n->flags = keep;
    if (n->kind != N_STR) return;
    const char *s = n->u.str.s;
    size_t len = n->u.str.len;
    switch (quirk_v3_marshal_style(s, len, !memchr(s, '\n', len) && scalar_v2_needs_quotes(s, len))) {
    case V3_STYLE_LITERAL: n->flags |= NF_QUOTED | NF_LITERAL; break;
    case V3_STYLE_QUOTED: n->flags |= NF_QUOTED; break;
    }
}

void yaml_from_json(arena *a, node *n)
{
    if (n->kind < N_MAP) {
        from_json_scalar(a, n);
        return;
    }
    n->flags &= ~(unsigned)NF_FLOW;
    if (n->kind == N_SEQ)
        for (uint32_t i = 0; i < n->u.seq.n; i++) yaml_from_json(a, n->u.seq.items[i]);
    else
        for (uint32_t i = 0; i < n->u.map.n; i++) yaml_from_json(a, n->u.map.items[i].val);
}
