#include "fieldpath.h"
#include "err.h"
#include "scalar.h"
#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

static void push_seg(arena *a, const char ***v, uint32_t *n, uint32_t *cap, const char *s, size_t len)
{
    if (*n == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 8;
        *v = arena_grow(a, *v, *cap * sizeof **v, ncap * sizeof **v);
        *cap = ncap;
    }
    (*v)[(*n)++] = arena_strndup(a, s, len);
}

/* kyaml's PathSplitter: split on '.', a piece ending in '\' joins the next. */
static void split_escaped(arena *a, const char *text, const char ***segs, uint32_t *n)
{
    uint32_t cap = 0;
    *segs = NULL;
    *n = 0;
    strbuf cur = STRBUF_INIT;
    for (const char *p = text;; p++) {
        if (*p == '.' && cur.len && cur.buf[cur.len - 1] == '\\') {
            cur.buf[cur.len - 1] = '.';
            continue;
        }
        if (*p == '.' || !*p) {
            push_seg(a, segs, n, &cap, cur.buf ? cur.buf : "", cur.len);
            sb_reset(&cur);
            if (!*p) break;
            continue;
        }
        sb_addc(&cur, *p);
    }
    sb_release(&cur);
    /* "allow path to start with forward slash": one leading empty part goes */
    if (*n > 1 && !(*segs)[0][0]) {
        (*segs)++;
        (*n)--;
    }
}

static int has_suffix(const char *s, char c)
{
    size_t n = strlen(s);
    return n && s[n - 1] == c;
}

void fieldpath_split_dotted(arena *a, const char *text, const char ***segs, uint32_t *n)
{
    const char **raw;
    uint32_t nraw, cap = 0;
    split_escaped(a, text, &raw, &nraw);
    *segs = NULL;
    *n = 0;
    for (uint32_t i = 0; i < nraw; i++) {
        if (raw[i][0] != '[' || has_suffix(raw[i], ']')) {
            push_seg(a, segs, n, &cap, raw[i], strlen(raw[i]));
            continue;
        }
        /* "[a.b.c]" was split on its dots: join up to the closing bracket. */
        strbuf sb = STRBUF_INIT;
        sb_adds(&sb, raw[i]);
        while (i + 1 < nraw) {
            sb_addc(&sb, '.');
            sb_adds(&sb, raw[++i]);
            if (has_suffix(raw[i], ']')) break;
        }
        const char *s = sb.buf;
        size_t len = sb.len;
        if (!strchr(s, '=')) { /* a map key written in brackets: strings.Trim(s, "[]") */
            while (len && (*s == '[' || *s == ']')) s++, len--;
            while (len && (s[len - 1] == '[' || s[len - 1] == ']')) len--;
        }
        push_seg(a, segs, n, &cap, s, len);
        sb_release(&sb);
    }
}

static void classify(arena *a, fp_seg *s)
{
    const char *t = s->text;
    size_t len = strlen(t);
    if (len >= 2 && t[0] == '[' && t[len - 1] == ']') {
        s->is_list = 1;
        const char *eq = memchr(t + 1, '=', len - 2);
        if (eq) {
            s->key = arena_strndup(a, t + 1, (size_t)(eq - t - 1));
            s->val = arena_strndup(a, eq + 1, (size_t)(t + len - 1 - eq - 1));
        }
        return;
    }
    const char *d = t + (*t == '+' || *t == '-');
    if (!*d) return;
    for (const char *p = d; *p; p++)
        if (*p < '0' || *p > '9') return;
    errno = 0;
    s->num = strtol(t, NULL, 10);
    s->is_num = errno == 0;
}

/* clean: kyaml's cleanPath, which its PathGetter (Lookup) applies and its
 * PathMatcher does not: surrounding spaces are trimmed, empty parts dropped. */
static void from_parts(arena *a, const char *text, const char **segs, uint32_t n, int clean, fieldpath *out)
{
    out->text = text;
    out->v = arena_zalloc(a, (n + 1) * sizeof *out->v);
    out->n = 0;
    for (uint32_t i = 0; i < n; i++) {
        const char *s = segs[i];
        size_t len = strlen(s);
        while (clean && len && (*s == ' ' || *s == '\t')) s++, len--;
        while (clean && len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
        if (clean && !len) continue;
        fp_seg *seg = &out->v[out->n++];
        seg->text = arena_strndup(a, s, len);
        classify(a, seg);
    }
}

static void parse(arena *a, const char *text, int clean, fieldpath *out)
{
    const char **segs;
    uint32_t n;
    fieldpath_split_dotted(a, text, &segs, &n);
    from_parts(a, text, segs, n, clean, out);
}

void fieldpath_from_parts(arena *a, const char *text, const char **parts, uint32_t n, fieldpath *out)
{
    from_parts(a, text, parts, n, 1, out);
}

void fieldpath_parse(arena *a, const char *text, fieldpath *out)
{
    parse(a, text, 1, out);
}

void fieldpath_parse_matcher(arena *a, const char *text, fieldpath *out)
{
    parse(a, text, 0, out);
}

static const char *kind_name(const node *n)
{
    return n->kind == N_MAP ? "MappingNode" : n->kind == N_SEQ ? "SequenceNode" : "ScalarNode";
}

static int wrong_kind(arena *a, const fieldpath *fp, uint32_t depth, const node *n, const char *want)
{
    return err_set("%s: wrong node kind at '%s' of field path '%s': expected %s, was %s", node_pos(a, n),
                   depth ? fp->v[depth - 1].text : "(root)", fp->text, want, kind_name(n));
}

static int bad_list_seg(const fieldpath *fp, const fp_seg *s)
{
    return err_set("field path '%s': list path element '%s' must contain fieldName=fieldValue for element to match",
                   fp->text, s->text);
}

/* The element of seq whose field key (or, key "", whose own text) equals val exactly. */
static int find_elem(const node *seq, const fp_seg *s)
{
    for (uint32_t i = 0; i < seq->u.seq.n; i++) {
        const node *e = seq->u.seq.items[i];
        const char *t = *s->key ? (e->kind == N_MAP ? node_text(map_get(e, s->key)) : NULL) : node_text(e);
        if (t && !strcmp(t, s->val)) return (int)i;
    }
    return -1;
}

/* kyaml's PathGetter with Create: a missing field is added (a sequence
 * before a [k=v] part, a map before any other, the leaf of create_kind,
 * untagged as kyaml makes it); a missing [k=v] element is appended. */
static node **create_step(arena *a, const fieldpath *fp, uint32_t i, node *n, int create_kind)
{
    const fp_seg *s = &fp->v[i];
    if (s->is_list) {
        node *val = scalar_new_plain(a, s->val, strlen(s->val)), *elem = val; /* kyaml's NewScalarRNode */
        val->flags |= NF_UNTAGGED;
        if (*s->key) {
            elem = node_new(a, N_MAP);
            map_set(a, elem, s->key, val);
        }
        seq_push(a, n, elem);
        return &n->u.seq.items[n->u.seq.n - 1];
    }
    int kind = i + 1 == fp->n ? create_kind : fp->v[i + 1].is_list ? N_SEQ : N_MAP;
    node *made = kind < N_MAP ? scalar_new_plain(a, "", 0) : node_new(a, kind);
    if (kind < N_MAP) made->flags |= NF_UNTAGGED;
    map_set(a, n, s->text, made);
    return &n->u.map.items[n->u.map.n - 1].val;
}

/* PathGetter's steps (kyaml's Lookup, LookupCreate with create_kind >= 0):
 * *slot = NULL when the path stops (a null on the way, an index past the end). */
static int get_step(arena *a, const fieldpath *fp, uint32_t i, node *n, int create_kind, node ***slot)
{
    const fp_seg *s = &fp->v[i];
    *slot = NULL;
    if (s->is_num || !strcmp(s->text, "-")) { /* never created */
        if (s->is_num && s->num < 0)
            return err_set("field path '%s': array index %ld cannot be negative", fp->text, s->num);
        if (n->kind == N_NULL) return 0;
        if (n->kind != N_SEQ) return wrong_kind(a, fp, i, n, "SequenceNode");
        long idx = s->is_num ? s->num : (long)n->u.seq.n - 1;
        if (idx >= 0 && idx < (long)n->u.seq.n) *slot = &n->u.seq.items[idx];
        return 0;
    }
    if (s->is_list) {
        if (!s->key) return bad_list_seg(fp, s);
        if (n->kind == N_NULL) return 0;
        if (n->kind != N_SEQ) return wrong_kind(a, fp, i, n, "SequenceNode");
        int idx = find_elem(n, s);
        if (idx >= 0) *slot = &n->u.seq.items[idx];
        else if (create_kind >= 0) *slot = create_step(a, fp, i, n, create_kind);
        return 0;
    }
    if (n->kind == N_NULL) return 0;
    if (n->kind != N_MAP) return wrong_kind(a, fp, i, n, "MappingNode");
    int idx = map_index(n, s->text);
    if (idx >= 0) *slot = &n->u.map.items[idx].val;
    else if (create_kind >= 0) *slot = create_step(a, fp, i, n, create_kind);
    return 0;
}

int fieldpath_lookup_create(arena *a, node **root, const fieldpath *fp, int create_kind, node ***out)
{
    node **slot = root;
    *out = NULL;
    for (uint32_t i = 0; i < fp->n; i++) {
        node **next;
        if (get_step(a, fp, i, *slot, create_kind, &next) < 0) return -1;
        if (!next) return 0;
        slot = next;
    }
    *out = slot;
    return 0;
}

int fieldpath_lookup(arena *a, node *root, const fieldpath *fp, node **out)
{
    node **slot;
    *out = NULL;
    if (fieldpath_lookup_create(a, &root, fp, -1, &slot) < 0) return -1;
    if (slot) *out = *slot;
    return 0;
}

static void slot_push(slot_list *l, node **s)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v) abort();
    }
    l->v[l->n++] = s;
}

void slot_list_free(slot_list *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

struct matcher {
    arena *a;
    const fieldpath *fp;
    int create;        /* kind of a created leaf, or -1 */
    slot_list *out;
};

static int match_at(struct matcher *m, node **slot, uint32_t i);

/* kyaml's getPathPartKind: what to create for the part before `next` (the
 * leaf's kind at the end of the path or before an empty part). */
static int part_kind(const struct matcher *m, uint32_t next)
{
    if (next == m->fp->n || !*m->fp->v[next].text) return m->create;
    const fp_seg *s = &m->fp->v[next];
    return s->is_list || (s->is_num && s->num >= 0) ? N_SEQ : N_MAP;
}

/* A new node for part i+1. kyaml creates it without a tag, so a scalar
 * reads as whatever text it is given later (NF_UNTAGGED). */
static node *new_part(struct matcher *m, uint32_t i)
{
    int kind = part_kind(m, i + 1);
    node *n = kind < N_MAP ? scalar_new_plain(m->a, "", 0) : node_new(m->a, kind);
    if (kind < N_MAP) n->flags |= NF_UNTAGGED;
    return n;
}

/* With create, kyaml writes into a null it meets on the way, where the
 * writes are lost: a detached node stands in for it. */
static node **phantom(struct matcher *m, node *n)
{
    node **slot = arena_alloc(m->a, sizeof *slot);
    *slot = n;
    return slot;
}

/* [key=regex]: kyaml matches the element's field (or the element) with an
 * unanchored regex; with create, a missing element is appended. */
static int match_list(struct matcher *m, node *n, uint32_t i)
{
    const fp_seg *s = &m->fp->v[i];
    if (!s->key) return bad_list_seg(m->fp, s);
    if (n->kind == N_NULL && m->create >= 0) n = *phantom(m, node_new(m->a, N_SEQ));
    if (n->kind == N_NULL) return 0;
    if (n->kind != N_SEQ) return wrong_kind(m->a, m->fp, i, n, "SequenceNode");
    regex_t re;
    if (regcomp(&re, s->val, REG_EXTENDED | REG_NOSUB) != 0)
        return err_set("field path '%s': invalid regular expression '%s'", m->fp->text, s->val);
    int rc = 0;
    size_t before = m->out->n;
    for (uint32_t j = 0; rc == 0 && j < n->u.seq.n; j++) {
        node *e = n->u.seq.items[j];
        const char *t = *s->key ? (e->kind == N_MAP ? node_text(map_get(e, s->key)) : NULL) : node_text(e);
        if (t && regexec(&re, t, 0, NULL, 0) == 0) rc = match_at(m, &n->u.seq.items[j], i + 1);
    }
    regfree(&re);
    if (rc < 0 || m->create < 0 || m->out->n > before) return rc;
    /* kyaml's NewScalarRNode: the matched value, untagged */
    node *val = scalar_new_plain(m->a, s->val, strlen(s->val)), *elem = val;
    val->flags |= NF_UNTAGGED;
    if (*s->key) {
        elem = node_new(m->a, N_MAP);
        map_set(m->a, elem, s->key, val);
    }
    seq_push(m->a, n, elem);
    return match_at(m, &n->u.seq.items[n->u.seq.n - 1], i + 1);
}

static int match_index(struct matcher *m, node *n, uint32_t i)
{
    const fp_seg *s = &m->fp->v[i];
    if (n->kind == N_NULL && m->create >= 0) n = *phantom(m, node_new(m->a, N_SEQ));
    if (n->kind != N_SEQ && n->kind != N_NULL) return wrong_kind(m->a, m->fp, i, n, "SequenceNode");
    uint32_t have = n->kind == N_SEQ ? n->u.seq.n : 0;
    if ((unsigned long)s->num == have && m->create >= 0) {
        seq_push(m->a, n, new_part(m, i));
        have++;
    }
    if ((unsigned long)s->num >= have)
        return err_set("index %ld specified but only %u elements found", s->num, have);
    return match_at(m, &n->u.seq.items[s->num], i + 1);
}

/* An empty part (as in "data..x") is kyaml's FieldMatcher without a name:
 * it matches the node itself when that is a scalar with empty text, and
 * fails on a collection. With create, a null or other scalar is replaced
 * by the new part, and the rest of the path goes into a detached copy. */
static int match_empty(struct matcher *m, node **slot, uint32_t i)
{
    node *n = *slot;
    if (n->kind >= N_MAP) return wrong_kind(m->a, m->fp, i, n, "ScalarNode");
    int null = n->kind == N_NULL && !(n->flags & NF_UNTAGGED); /* kyaml's IsMissingOrNull: tagged !!null */
    if (!null && !n->u.str.len) return match_at(m, slot, i + 1);
    if (m->create < 0) return 0;
    node *made = new_part(m, i);
    if (made->kind < N_MAP && (n->flags & NF_QUOTED)) { /* FieldSetter keeps the style: quoted reads as a string */
        made = node_new_str(m->a, "");
        made->flags |= NF_QUOTED | NF_UNTAGGED;
    }
    node_set_pos(made, n);
    *slot = made;
    return match_at(m, phantom(m, node_clone(m->a, made)), i + 1);
}

static int match_field(struct matcher *m, node *n, uint32_t i)
{
    const fp_seg *s = &m->fp->v[i];
    if (n->kind == N_NULL && m->create >= 0) n = *phantom(m, node_new(m->a, N_MAP));
    if (n->kind == N_NULL) return 0;
    if (n->kind != N_MAP) return wrong_kind(m->a, m->fp, i, n, "MappingNode");
    int idx = map_index(n, s->text);
    if (idx < 0 && m->create < 0) return 0;
    if (idx < 0) {
        map_set(m->a, n, s->text, new_part(m, i));
        idx = (int)n->u.map.n - 1;
    }
    return match_at(m, &n->u.map.items[idx].val, i + 1);
}

static int match_at(struct matcher *m, node **slot, uint32_t i)
{
    if (i == m->fp->n) {
        slot_push(m->out, slot);
        return 0;
    }
    const fp_seg *s = &m->fp->v[i];
    node *n = *slot;
    if (s->is_num && s->num >= 0) return match_index(m, n, i);
    if (s->is_list) return match_list(m, n, i);
    if (!*s->text) return match_empty(m, slot, i);
    if (!strcmp(s->text, "*")) {
        if (n->kind == N_NULL) return 0;
        if (n->kind != N_SEQ) return wrong_kind(m->a, m->fp, i, n, "SequenceNode");
        for (uint32_t j = 0; j < n->u.seq.n; j++)
            if (match_at(m, &n->u.seq.items[j], i + 1) < 0) return -1;
        return 0;
    }
    return match_field(m, n, i);
}

int fieldpath_match(arena *a, node **root, const fieldpath *fp, int create_kind, slot_list *out)
{
    struct matcher m = {a, fp, create_kind, out};
    return match_at(&m, root, 0);
}
