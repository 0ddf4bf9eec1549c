#include "kyaml.h"
#include "err.h"
#include "scalar.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Private to the YAML module (loader sets it, emitter checks it): a mapping
 * key whose plain text yaml.v3 resolves to something other than a string. */

struct anchor {
    const char *name;
    node *n;
};

struct frame {
    node *coll;
    node *key; /* a mapping's key waiting for its value */
    int has_merge;
    int flow; /* written [..] or {..} */
};

struct loader {
    arena *a;
    const char *file;
    struct frame *stack;
    size_t depth, cap;
    struct anchor *anchors;
    size_t nanchors, acap;
    node *root;
    enum { DUP_FAIL, DUP_LAST_WINS, DUP_KEEP } dup;
    int yaml11; /* go-yaml v2's typing of plain scalars and keys (yaml_load_v2) */
    int first_only; /* go-yaml's Unmarshal: the first document, the rest not even parsed */
    size_t line_base; /* lines before the part being parsed (see next_chunk) */
    size_t aliased; /* nodes of this document copied by aliases */
    int flow; /* open flow collections */
    size_t colon_at; /* 1 + offset of a ':' libyaml refused in a flow plain scalar (see load_stream) */
    char ph; /* the byte standing in for such colons, 0 for none */
};

/* The key node of an entry already in mapping m. */
static node *existing_key(node *m, const node *key)
{
    for (uint32_t i = 0; i < m->u.map.n; i++)
        if (!strcmp(m->u.map.items[i].key->u.str.s, key->u.str.s)) return m->u.map.items[i].key;
    return NULL;
}

/* Limits that keep hostile input from exhausting the stack (every pass over
 * the tree recurses) or memory (aliases are expanded into copies). The depth
 * is yaml.v3's, so kustomize fails there too. kustomize expands aliases
 * without a limit (kyaml de-anchors documents): a million copied nodes take
 * it 18 s and 1.4 GB, a "billion laughs" document hangs it; kgrender refuses
 * a document past two million. */
#define MAX_DEPTH 10000
#define MAX_ALIAS_NODES 2000000

static void set_pos(struct loader *L, node *n, const yaml_mark_t *m)
{
    n->file = L->file;
    n->line = (uint32_t)(L->line_base + m->line + 1);
    n->col = (uint16_t)(m->column + 1 > 65535 ? 65535 : m->column + 1);
}

static void add_anchor(struct loader *L, const yaml_char_t *name, node *n)
{
    if (!name) return;
    if (L->nanchors == L->acap) {
        L->acap = L->acap ? L->acap * 2 : 8;
        L->anchors = realloc(L->anchors, L->acap * sizeof *L->anchors);
        if (!L->anchors) abort();
    }
    L->anchors[L->nanchors].name = arena_strdup(L->a, (const char *)name);
    L->anchors[L->nanchors].n = n;
    L->nanchors++;
}

static node *find_anchor(struct loader *L, const char *name)
{
    for (size_t i = L->nanchors; i-- > 0;)
        if (!strcmp(L->anchors[i].name, name)) return L->anchors[i].n;
    return NULL;
}

/* Places a finished value into its parent (or makes it the root). */
static int attach(struct loader *L, node *n)
{
    if (!L->depth) {
        L->root = n;
        return 0;
    }
    struct frame *f = &L->stack[L->depth - 1];
    if (f->coll->kind == N_SEQ) {
        seq_push(L->a, f->coll, n);
        return 0;
    }
    if (!f->key) {
        if (n->kind >= N_MAP) return err_set("%s:%u:%u: complex mapping keys are not supported", L->file, n->line, n->col);
        node *k = n;
        k->kind = N_STR;
        f->key = k;
        return 0;
    }
    node *key = f->key;
    f->key = NULL;
    if (!(key->flags & NF_QUOTED) && !strcmp(key->u.str.s, "<<")) {
        f->has_merge = 1;
        /* Kept as an entry for now; merged when the mapping ends. */
    } else if (map_getn(f->coll, key->u.str.s, key->u.str.len)) {
        node *prev = existing_key(f->coll, key);
        if (L->dup == DUP_LAST_WINS) {
            map_set(L->a, f->coll, key->u.str.s, n);
            return 0;
        }
        if (L->dup != DUP_KEEP)
            return err_set("%s:%u:%u: mapping key \"%s\" already defined at line %u", L->file, key->line, key->col,
                           key->u.str.s, prev->line);
        key->flags |= NF_KEY_DUP;
    }
    node *m = f->coll;
    if (m->u.map.n == m->u.map.cap) {
        uint32_t cap = m->u.map.cap ? m->u.map.cap * 2 : 4;
        m->u.map.items = arena_grow(L->a, m->u.map.items, m->u.map.n * sizeof(node_pair), cap * sizeof(node_pair));
        m->u.map.cap = cap;
    }
    m->u.map.items[m->u.map.n].key = key;
    m->u.map.items[m->u.map.n].val = n;
    m->u.map.n++;
    return 0;
}

/* YAML merge keys: entries of the merged maps that the mapping lacks are added. */
static void apply_merges(struct loader *L, node *m)
{
    node_pair *items = m->u.map.items;
    uint32_t n = m->u.map.n;
    node *out = node_new(L->a, N_MAP);
    node_set_pos(out, m);
    node_list sources = {0};
    for (uint32_t i = 0; i < n; i++) {
        if (strcmp(items[i].key->u.str.s, "<<") || (items[i].key->flags & NF_QUOTED)) {
            map_set(L->a, out, items[i].key->u.str.s, items[i].val);
            out->u.map.items[out->u.map.n - 1].key = items[i].key;
            continue;
        }
        node *v = items[i].val;
        if (v->kind == N_MAP) list_push(&sources, v);
        else if (v->kind == N_SEQ)
            for (uint32_t j = 0; j < v->u.seq.n; j++)
                if (v->u.seq.items[j]->kind == N_MAP) list_push(&sources, v->u.seq.items[j]);
    }
    for (size_t s = 0; s < sources.n; s++) {
        node *src = sources.v[s];
        for (uint32_t j = 0; j < src->u.map.n; j++)
            if (!map_get(out, src->u.map.items[j].key->u.str.s))
                map_set(L->a, out, src->u.map.items[j].key->u.str.s, node_clone(L->a, src->u.map.items[j].val));
    }
    list_free(&sources);
    m->u.map = out->u.map;
}

static int push(struct loader *L, node *coll, int flow)
{
    if (L->depth >= MAX_DEPTH)
        return err_set("%s:%u:%u: invalid YAML: exceeded max depth of %d", L->file, coll->line, coll->col, MAX_DEPTH);
    if (L->depth == L->cap) {
        L->cap = L->cap ? L->cap * 2 : 16;
        L->stack = realloc(L->stack, L->cap * sizeof *L->stack);
        if (!L->stack) abort();
    }
    L->stack[L->depth].coll = coll;
    L->stack[L->depth].key = NULL;
    L->stack[L->depth].has_merge = 0;
    L->stack[L->depth].flow = flow;
    L->flow += flow;
    L->depth++;
    return 0;
}

/* A plain untagged scalar as go-yaml v2 decodes it into interface{} and
 * sigs.k8s.io/yaml turns it into JSON: typed values carry their JSON text,
 * keys become the strings JSON needs (NULL: a key it refuses). */
static node *make_scalar_v2(struct loader *L, node *n, const char *text, size_t len, int is_key)
{
    char out[64];
    if (is_key) {
        int rc = scalar_v2_key(text, len, out);
        if (rc == -1) {
            err_set("%s:%u:%u: unsupported map key %.*s (sigs.k8s.io/yaml turns only strings, numbers and bools "
                    "into JSON keys)", L->file, n->line, n->col, (int)len, text);
            return NULL;
        }
        if (rc == 0) text = out, len = strlen(out);
    } else {
        int kind;
        if (scalar_resolve_v2(text, len, &kind, out)) text = out, len = strlen(out);
        n->kind = (uint8_t)kind;
    }
    n->u.str.s = arena_strndup(L->a, text, len);
    n->u.str.len = (uint32_t)len;
    return n;
}

static size_t node_count(const node *n)
{
    size_t c = 1;
    if (n->kind == N_MAP)
        for (uint32_t i = 0; i < n->u.map.n; i++) c += node_count(n->u.map.items[i].val);
    else if (n->kind == N_SEQ)
        for (uint32_t i = 0; i < n->u.seq.n; i++) c += node_count(n->u.seq.items[i]);
    return c;
}

/* An alias is a copy of its anchor's node (so that later steps may change
 * either): refused before the copies grow too many ("billion laughs"). */
static int expand_alias(struct loader *L, yaml_event_t *ev, node **out)
{
    node *target = find_anchor(L, (const char *)ev->data.alias.anchor);
    size_t line = L->line_base + ev->start_mark.line + 1, col = ev->start_mark.column + 1;
    if (!target)
        return err_set("%s:%zu:%zu: unknown anchor '%s' referenced", L->file, line, col, ev->data.alias.anchor);
    L->aliased += node_count(target);
    if (L->aliased > MAX_ALIAS_NODES)
        return err_set("%s:%zu:%zu: invalid YAML: document contains excessive aliasing (over %d nodes copied "
                       "by aliases)", L->file, line, col, MAX_ALIAS_NODES);
    *out = node_clone(L->a, target);
    return 0;
}

/* Puts back the colons load_stream stood in for (all in plain scalars). */
static void restore_colons(struct loader *L, yaml_event_t *ev)
{
    if (!L->ph || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return;
    for (size_t i = 0; i < ev->data.scalar.length; i++)
        if (ev->data.scalar.value[i] == (unsigned char)L->ph) ev->data.scalar.value[i] = ':';
}

/* go-yaml's scanner (v2 and v3) ends a plain scalar inside a flow
 * collection at '?', where libyaml 0.2.5 reads on; the key indicator it
 * reads there can follow no scalar, so kustomize fails ("did not find
 * expected ',' or '}'") on `{url: https://x/a?b=c}`. ('?' cannot start a
 * plain scalar in flow: any '?' in its text is one go-yaml stops at.) */
static int flow_plain_refused(struct loader *L, const yaml_event_t *ev, const node *n)
{
    if (!L->flow || ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
        !memchr(ev->data.scalar.value, '?', ev->data.scalar.length))
        return 0;
    return err_set("%s:%u:%u: invalid YAML: did not find expected ',' (go-yaml ends a plain scalar in a flow "
                   "collection at '?': quote '%s')", L->file, n->line, n->col, ev->data.scalar.value);
}

/* A scalar with an explicit tag that is neither !!str nor one of the types
 * make_scalar types by (null, bool, int, float): a key or a !!binary string
 * (NULL: error set), or the text as a string (yaml.v3 decodes an unknown
 * tag's scalar as one). */
static node *make_tagged(struct loader *L, node *n, const char *tag, int is_key)
{
    const char *text = n->u.str.s;
    int binary = !strcmp(tag, "tag:yaml.org,2002:binary");
    if (binary && L->yaml11) { /* go-yaml v2 decodes it as sigs.k8s.io/yaml reads the file */
        size_t len;
        char *bytes = scalar_binary_text(text, n->u.str.len, &len);
        if (!bytes) {
            err_set("%s:%u:%u: yaml: !!binary value contains invalid base64 data", L->file, n->line, n->col);
            return NULL;
        }
        n->u.str.s = arena_strndup(L->a, bytes, len);
        n->u.str.len = (uint32_t)len;
        free(bytes);
    } else if (is_key && !L->yaml11 && strcmp(tag, "tag:yaml.org,2002:merge")) {
        /* yaml.v3 writes the tag back, so the key is read back tagged: no string */
        n->flags |= NF_KEY_NOT_STR | NF_BAD_TAG;
    } else if (binary && !is_key) {
        n->flags |= NF_BINARY;
    }
    return n;
}

/* An explicit !!timestamp: yaml.v3 decodes it to a time, which reaches the
 * output in RFC 3339 (quoted or in a flow collection too: the tag goes with
 * it), when its text is one; else kustomize fails converting the object
 * ("cannot decode !!str `x` as a !!timestamp"). */
static node *make_timestamp(struct loader *L, node *n, const char *text, size_t len)
{
    node *p = scalar_new_plain(L->a, text, len);
    char out[64];
    if (p->flags & NF_TIMESTAMP) {
        if (!scalar_output_text(text, len, out)) snprintf(out, sizeof out, "%.*s", (int)len, text);
        n->u.str.s = arena_strdup(L->a, out);
        n->u.str.len = (uint32_t)strlen(out);
        n->flags |= NF_QUOTED;
        return n;
    }
    n->u.str.s = arena_strndup(L->a, text, len);
    n->u.str.len = (uint32_t)len;
    n->flags |= NF_TIMESTAMP | NF_BAD_TAG;
    return n;
}

static node *make_scalar(struct loader *L, yaml_event_t *ev)
{
    restore_colons(L, ev);
    const char *text = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    int kind = N_STR;
    const char *tag = (const char *)ev->data.scalar.tag;
    if (tag && !strcmp(tag, "!") && !L->yaml11) tag = NULL; /* non-specific: yaml.v3 types it as if untagged */
    int tagkind = scalar_kind_for_tag(tag);
    node *n = node_new(L->a, N_STR);
    set_pos(L, n, &ev->start_mark);
    if (flow_plain_refused(L, ev, n)) return NULL;
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) n->flags |= NF_QUOTED;
    /* styles matter to yaml.v3's re-emission, not to go-yaml v2's JSON */
    if (ev->data.scalar.style == YAML_FOLDED_SCALAR_STYLE && !L->yaml11) n->flags |= NF_FOLDED;
    if (ev->data.scalar.style == YAML_LITERAL_SCALAR_STYLE && !L->yaml11) n->flags |= NF_LITERAL;
    struct frame *top = L->depth ? &L->stack[L->depth - 1] : NULL;
    int is_key = top && top->coll->kind == N_MAP && !top->key;
    if (tag && !strcmp(tag, "tag:yaml.org,2002:timestamp") && !L->yaml11 && !is_key)
        return make_timestamp(L, n, text, len);
    if (tagkind == N_STR || (tagkind < 0 && ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) || (tag && tagkind < 0)) {
        n->u.str.s = arena_strndup(L->a, text, len);
        n->u.str.len = (uint32_t)len;
        return tag && tagkind < 0 ? make_tagged(L, n, tag, is_key) : n;
    }
    if (L->yaml11) return make_scalar_v2(L, n, text, len, is_key);
    if (is_key) { /* keys keep their text */
        n->u.str.s = arena_strndup(L->a, text, len);
        n->u.str.len = (uint32_t)len;
        /* A plain key that yaml.v3 reads as a number, bool, null or timestamp
         * makes kustomize fail when it writes the object out (json cannot
         * marshal map[interface{}]interface{}); the emitter reports it. A
         * tag (!!int, !!null, ...) stays on the key when yaml.v3 writes it. */
        if (tagkind >= 0) n->flags |= NF_KEY_NOT_STR | NF_BAD_TAG;
        else if (scalar_plain_key_not_str(L->a, text, len)) n->flags |= NF_KEY_NOT_STR;
        return n;
    }
    node *p = scalar_new_plain(L->a, text, len);
    p->flags |= n->flags;
    node_set_pos(p, n);
    kind = p->kind;
    if (tagkind >= 0 && tagkind != kind && !(tagkind == N_FLOAT && kind == N_INT)) {
        /* yaml.v3 cannot decode such a scalar: kustomize fails when it
         * converts the object for output; the emitter reports it. */
        p->kind = (uint8_t)tagkind;
        p->flags |= NF_BAD_TAG;
    }
    return p;
}

/* The byte offset in s of a libyaml mark, whose index counts characters
 * (after a byte order mark, which libyaml's reader drops). */
static size_t mark_offset(const char *s, size_t len, size_t index)
{
    size_t i = len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3) ? 3 : 0;
    for (; index && i < len; index--)
        for (i++; i < len && ((unsigned char)s[i] & 0xC0) == 0x80;) i++;
    return i;
}

/* buf: the part being parsed, at offset base of the stream. */
static int parse_error(struct loader *L, yaml_parser_t *p, const char *buf, size_t len, size_t base)
{
    const yaml_mark_t *m = p->problem_mark.line || p->problem_mark.column ? &p->problem_mark : &p->context_mark;
    if (p->problem && !strcmp(p->problem, "found unexpected ':'"))
        L->colon_at = 1 + base + mark_offset(buf + base, len - base, p->problem_mark.index);
    return err_set("%s:%zu:%zu: invalid YAML: %s%s%s", L->file, L->line_base + m->line + 1, m->column + 1,
                   p->problem ? p->problem : "syntax error", p->context ? " " : "", p->context ? p->context : "");
}

/* kyaml splits a stream at "---" lines and decodes one document from each
 * part, ignoring whatever follows an explicit document end ("...") up to
 * the next "---" line. Returns that line's offset after from, or len. */
static size_t next_chunk(const char *buf, size_t len, size_t from)
{
    const char *sep = from < len ? memmem(buf + from, len - from, "\n---", 4) : NULL;
    return sep ? (size_t)(sep - buf) + 1 : len;
}

static size_t count_lines(const char *s, size_t n)
{
    size_t lines = 0;
    for (const char *p = s; (p = memchr(p, '\n', (size_t)(s + n - p))); p++) lines++;
    return lines;
}

static int parse_stream(struct loader *L, const char *buf, size_t len, node_list *out)
{
    yaml_parser_t p;
    yaml_event_t ev;
    int rc = 0, done = 0;
    size_t base = 0; /* offset of the part being parsed */
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    while (!done && rc == 0) {
        if (!yaml_parser_parse(&p, &ev)) {
            rc = parse_error(L, &p, buf, len, base);
            break;
        }
        node *n = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            L->root = NULL;
            L->nanchors = 0;
            L->aliased = 0;
            break;
        case YAML_DOCUMENT_END_EVENT:
            if (L->root && L->root->kind != N_NULL) list_push(out, L->root);
            L->root = NULL;
            if (L->first_only) {
                done = 1;
                break;
            }
            if (!ev.data.document_end.implicit) { /* "...": parse again from the next "---" line */
                size_t next = next_chunk(buf, len, base + ev.end_mark.index);
                L->line_base += count_lines(buf + base, next - base);
                base = next;
                yaml_parser_delete(&p);
                yaml_parser_initialize(&p);
                yaml_parser_set_input_string(&p, (const unsigned char *)buf + base, len - base);
            }
            break;
        case YAML_SCALAR_EVENT:
            n = make_scalar(L, &ev);
            if (!n) {
                rc = -1;
                break;
            }
            add_anchor(L, ev.data.scalar.anchor, n);
            rc = attach(L, n);
            break;
        case YAML_ALIAS_EVENT:
            rc = expand_alias(L, &ev, &n);
            if (rc == 0) rc = attach(L, n);
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            n = node_new(L->a, ev.type == YAML_SEQUENCE_START_EVENT ? N_SEQ : N_MAP);
            set_pos(L, n, &ev.start_mark);
            int flow = ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
                                                            : ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
            if (flow && !L->yaml11) n->flags |= NF_FLOW;
            add_anchor(L, ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor
                                                             : ev.data.mapping_start.anchor, n);
            rc = push(L, n, flow);
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
            struct frame f = L->stack[--L->depth];
            L->flow -= f.flow;
            if (f.has_merge) apply_merges(L, f.coll);
            rc = attach(L, f.coll);
            break;
        }
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return rc;
}

/* A printable byte absent from buf that libyaml reads as part of a plain
 * scalar wherever a colon stood in one (no indicator there: the colon was
 * inside the scalar, maybe after a blank or at a line's start). */
static char stand_in_byte(const char *buf, size_t len)
{
    static const char cands[] = "^~`=;$%&*()+<>|_/\\!@'\"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (const char *c = cands; *c; c++)
        if (!memchr(buf, *c, len)) return *c;
    return 0;
}

/* libyaml 0.2.5 refuses a ':' followed by one of ",?[]{}" in a plain scalar
 * inside a flow collection ("found unexpected ':'"); go-yaml's scanner
 * (v2 and v3) keeps it in the scalar: {a: b:} is {a: "b:"}, [a:, b] is
 * ["a:", b]. Each such colon is given to libyaml as a byte it reads the same
 * way go-yaml reads the colon, and put back in the scalar (restore_colons). */
static int load_stream(struct loader *L, const char *buf, size_t len, node_list *out)
{
    size_t n0 = out->n;
    char *patched = NULL;
    int rc;
    while ((rc = parse_stream(L, patched ? patched : buf, len, out)) < 0 && L->colon_at) {
        if (!patched) {
            if (!(L->ph = stand_in_byte(buf, len))) break;
            if (!(patched = malloc(len))) abort();
            memcpy(patched, buf, len);
        }
        if (patched[L->colon_at - 1] != ':') break; /* not where it was expected: keep the error */
        patched[L->colon_at - 1] = L->ph;
        /* parse again from the start */
        out->n = n0;
        L->depth = L->flow = 0;
        L->root = NULL;
        L->nanchors = L->aliased = L->line_base = L->colon_at = 0;
    }
    free(patched);
    return rc;
}

int yaml_load(arena *a, const char *file, const char *buf, size_t len, node_list *out)
{
    struct loader L = {.a = a, .file = file};
    int rc = load_stream(&L, buf, len, out);
    free(L.stack);
    free(L.anchors);
    return rc;
}

int yaml_load_file(arena *a, const char *path, node_list *out)
{
    strbuf sb = STRBUF_INIT;
    if (sb_read_file(&sb, path) < 0) {
        int e = errno;
        sb_release(&sb);
        return err_set("%s: %s", path, strerror(e));
    }
    int rc = yaml_load(a, arena_strdup(a, path), sb.buf, sb.len, out);
    sb_release(&sb);
    return rc;
}

static int load_one(struct loader *L, const char *buf, size_t len, node **out)
{
    node_list docs = {0};
    int rc = load_stream(L, buf, len, &docs);
    free(L->stack);
    free(L->anchors);
    *out = NULL;
    if (rc == 0 && docs.n > 1) rc = err_set("%s: expected one YAML document, found %zu", L->file, docs.n);
    if (rc == 0 && docs.n == 1) *out = docs.v[0];
    list_free(&docs);
    return rc;
}

int yaml_load_one(arena *a, const char *file, const char *buf, size_t len, node **out)
{
    struct loader L = {.a = a, .file = file};
    return load_one(&L, buf, len, out);
}

int yaml_load_one_v2(arena *a, const char *file, const char *buf, size_t len, node **out)
{
    struct loader L = {.a = a, .file = file, .dup = DUP_LAST_WINS, .yaml11 = 1, .first_only = 1};
    return load_one(&L, buf, len, out);
}

int yaml_load_dup_keys(arena *a, const char *file, const char *buf, size_t len, node_list *out)
{
    struct loader L = {.a = a, .file = file, .dup = DUP_KEEP};
    int rc = load_stream(&L, buf, len, out);
    free(L.stack);
    free(L.anchors);
    return rc;
}

int yaml_load_v2(arena *a, const char *file, const char *buf, size_t len, node **out)
{
    struct loader L = {.a = a, .file = file, .dup = DUP_LAST_WINS, .yaml11 = 1, .first_only = 1};
    node_list docs = {0};
    int rc = load_stream(&L, buf, len, &docs);
    free(L.stack);
    free(L.anchors);
    *out = rc == 0 && docs.n ? docs.v[0] : NULL;
    list_free(&docs);
    return rc;
}
