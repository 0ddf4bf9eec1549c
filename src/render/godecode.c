/* Go's encoding/json (and its two YAML front ends) over the document tree;
 * see godecode.h. */
#include "godecode.h"
#include "err.h"
#include "gostrconv.h"
#include "scalar.h"
#include "strbuf.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

struct dec {
    arena *a;
    int mode;
    const char *what;             /* what is decoded, for messages */
    const char *strct;            /* innermost struct type, for messages */
    const char *path[MAX_DEPTH];  /* JSON names of the fields being decoded */
    int depth;
    int noconv;                   /* inside a promoted field: no number or bool becomes a string */
};

static const char *json_kind(const node *n)
{
    static const char *const names[] = {"null", "bool", "number", "number", "string", "object", "array"};
    return names[n->kind];
}

/* encoding/json's UnmarshalTypeError: "cannot unmarshal number into Go
 * struct field Label.labels.includeSelectors of type bool". */
static int mismatch(struct dec *d, const node *src, const gotype *t, const char *number)
{
    strbuf sb = STRBUF_INIT;
    for (int i = 0; i < d->depth; i++) sb_addf(&sb, "%s%s", i ? "." : "", d->path[i]);
    const char *what = number ? arena_printf(d->a, "number %s", number) : json_kind(src);
    int rc = d->depth
                 ? err_set("%s: %s: json: cannot unmarshal %s into Go struct field %s.%s of type %s",
                           node_pos(d->a, src), d->what, what, d->strct, sb.buf, t->name)
                 : err_set("%s: %s: json: cannot unmarshal %s into Go value of type %s", node_pos(d->a, src), d->what,
                           what, t->name);
    sb_release(&sb);
    return rc;
}

static node *scalar_atn(struct dec *d, int kind, const char *text, size_t len, const node *src)
{
    node *n = node_new_scalar(d->a, kind, text, len);
    node_set_pos(n, src);
    return n;
}

static node *scalar_at(struct dec *d, int kind, const char *text, const node *src)
{
    return scalar_atn(d, kind, text, strlen(text), src);
}

/* A number's text after kustomize's JSON round trip (0x1F -> 31, 1e3 -> 1000). */
static const char *json_number(struct dec *d, const node *src)
{
    char out[64];
    if (!strpbrk(src->u.str.s, "0123456789")) return NULL; /* .inf, .nan: json.Marshal refuses them */
    return scalar_output_text(src->u.str.s, src->u.str.len, out) ? arena_strdup(d->a, out) : src->u.str.s;
}

/* A number or bool where a string is wanted: sigs.k8s.io/yaml converts it
 * (floats through float32 formatting), yaml.v3 takes its text. */
static int number_to_string(struct dec *d, const node *src, const char **out)
{
    if (d->mode == GD_YAML3) {
        *out = src->u.str.s;
        return 0;
    }
    if (src->kind == N_BOOL) {
        *out = node_is_true(src) ? "true" : "false";
        return 0;
    }
    const char *j = json_number(d, src);
    if (!j) return err_set("%s: %s: json: unsupported value: %s", node_pos(d->a, src), d->what, src->u.str.s);
    if (strpbrk(j, ".eE")) {
        char buf[64];
        go_format_float(strtod(j, NULL), 'g', 32, buf, sizeof buf);
        j = arena_strdup(d->a, buf);
    }
    *out = j;
    return 0;
}

static int dec_string(struct dec *d, const node *src, const gotype *t, node **slot)
{
    const char *text = src->u.str.s;
    if (src->kind == N_STR) {
        char out[64];
        if (d->mode == GD_JSON && (src->flags & NF_TIMESTAMP) && scalar_output_text(text, src->u.str.len, out))
            text = arena_strdup(d->a, out); /* a timestamp's JSON form */
    } else if (src->kind < N_MAP && d->mode != GD_STRICT && !d->noconv) {
        if (number_to_string(d, src, &text) < 0) return -1;
    } else {
        return mismatch(d, src, t, NULL);
    }
    /* a string keeps its length (NUL bytes included) */
    *slot = scalar_atn(d, N_STR, text, text == src->u.str.s ? src->u.str.len : strlen(text), src);
    return 0;
}

static int dec_bool(struct dec *d, const node *src, const gotype *t, node **slot)
{
    if (src->kind != N_BOOL) return mismatch(d, src, t, NULL);
    *slot = scalar_at(d, N_BOOL, node_is_true(src) ? "true" : "false", src);
    return 0;
}

/* Go's int and int64: a JSON number that is an integer within int64. */
static int dec_int(struct dec *d, const node *src, const gotype *t, node **slot)
{
    if (src->kind != N_INT && src->kind != N_FLOAT) return mismatch(d, src, t, NULL);
    const char *j = json_number(d, src);
    if (!j) return err_set("%s: %s: json: unsupported value: %s", node_pos(d->a, src), d->what, src->u.str.s);
    long long v;
    if (!go_atoi(j, &v)) return mismatch(d, src, t, j);
    *slot = scalar_at(d, N_INT, arena_printf(d->a, "%lld", v), src);
    return 0;
}

static int dec(struct dec *d, const node *src, const gotype *t, node **slot);

/* The zero value a null map or list element decodes to. */
static node *zero_of(struct dec *d, const gotype *t, const node *src)
{
    switch (t->kind) {
    case GO_STRING: return scalar_at(d, N_STR, "", src);
    case GO_BOOL: return scalar_at(d, N_BOOL, "false", src);
    case GO_INT: return scalar_at(d, N_INT, "0", src);
    case GO_STRUCT: {
        node *m = node_new(d->a, N_MAP);
        node_set_pos(m, src);
        return m;
    }
    default: return scalar_at(d, N_NULL, "null", src);
    }
}

static int dec_map(struct dec *d, const node *src, const gotype *t, node **slot)
{
    static const gotype str = {GO_STRING, "string", NULL, NULL}, boolean = {GO_BOOL, "bool", NULL, NULL};
    if (src->kind != N_MAP) return mismatch(d, src, t, NULL);
    node *m = node_new(d->a, N_MAP);
    node_set_pos(m, src);
    for (uint32_t i = 0; *slot && (*slot)->kind == N_MAP && i < (*slot)->u.map.n; i++) /* json merges into a map */
        map_set(d->a, m, (*slot)->u.map.items[i].key->u.str.s, (*slot)->u.map.items[i].val);
    const gotype *elem = t->kind == GO_STRMAP ? &str : t->kind == GO_BOOLMAP ? &boolean : NULL;
    for (uint32_t i = 0; i < src->u.map.n; i++) {
        const node *key = src->u.map.items[i].key, *v = src->u.map.items[i].val;
        if (key->flags & NF_KEY_NOT_STR)
            return err_set("%s: %s: json: unsupported type: map[interface {}]interface {} (the key '%s' is not a "
                           "string)", node_pos(d->a, key), d->what, key->u.str.s);
        node *cur = NULL;
        if (!elem) cur = (node *)v; /* interface{} values stay as they are */
        else if (v->kind == N_NULL) cur = zero_of(d, elem, v);
        else if (dec(d, v, elem, &cur) < 0) return -1;
        map_set(d->a, m, key->u.str.s, cur);
    }
    *slot = m;
    return 0;
}

static int dec_list(struct dec *d, const node *src, const gotype *t, node **slot)
{
    if (src->kind != N_SEQ) return mismatch(d, src, t, NULL);
    node *old = *slot && (*slot)->kind == N_SEQ ? *slot : NULL;
    node *l = node_new(d->a, N_SEQ);
    node_set_pos(l, src);
    for (uint32_t i = 0; i < src->u.seq.n; i++) {
        /* json decodes into the element already there (a repeated key's list) */
        node *cur = old && i < old->u.seq.n ? old->u.seq.items[i] : NULL;
        const node *v = src->u.seq.items[i];
        if (v->kind == N_NULL) {
            if (t->elem->kind == GO_PTR || !cur) cur = zero_of(d, t->elem, v);
        } else if (dec(d, v, t->elem, &cur) < 0) {
            return -1;
        }
        seq_push(d->a, l, cur);
    }
    *slot = l;
    return 0;
}

/* bytes.EqualFold against an ASCII field name: U+212A (Kelvin sign) and
 * U+017F (long s) are the only other code points folding to ASCII letters. */
static int fold_equal(const char *key, const char *name)
{
    const unsigned char *p = (const unsigned char *)key;
    for (; *p && *name; name++) {
        int c;
        if (*p < 0x80) c = *p >= 'A' && *p <= 'Z' ? *p++ + 32 : *p++;
        else if (p[0] == 0xE2 && p[1] == 0x84 && p[2] == 0xAA) c = 'k', p += 3;
        else if (p[0] == 0xC5 && p[1] == 0xBF) c = 's', p += 2;
        else return 0;
        int n = *name >= 'A' && *name <= 'Z' ? *name + 32 : *name;
        if (c != n) return 0;
    }
    return !*p && !*name;
}

/* encoding/json's field lookup: the exact name, else the first that folds
 * equal (yaml.v3 only knows exact names). */
static const gofield *find_field(const gotype *t, const char *key, int exact_only)
{
    for (const gofield *f = t->fields; f->name; f++)
        if (!strcmp(f->name, key)) return f;
    for (const gofield *f = t->fields; !exact_only && f->name; f++)
        if (fold_equal(key, f->name)) return f;
    return NULL;
}

static int key_cmp(const void *x, const void *y, void *m)
{
    const node *src = m;
    uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
    int c = strcmp(src->u.map.items[i].key->u.str.s, src->u.map.items[j].key->u.str.s);
    return c ? c : (i > j) - (i < j);
}

/* The mapping's keys in the order json.Marshal writes them (sorted). */
static uint32_t *sorted_keys(const node *m)
{
    uint32_t *idx = malloc((m->u.map.n + 1) * sizeof *idx);
    if (!idx) abort();
    for (uint32_t i = 0; i < m->u.map.n; i++) idx[i] = i;
    qsort_r(idx, m->u.map.n, sizeof *idx, key_cmp, (void *)m);
    return idx;
}

static int dec_field(struct dec *d, const node *key, const node *v, const gofield *f, node *m)
{
    if (d->depth == MAX_DEPTH) return err_set("%s: nested too deeply", node_pos(d->a, v));
    node *cur = map_get(m, f->name);
    const char *saved = d->strct;
    d->path[d->depth++] = f->name;
    int noconv = d->noconv;
    if (f->promoted && d->mode == GD_JSON) d->noconv = 1;
    int rc = dec(d, v, f->type, &cur);
    d->noconv = noconv;
    d->depth--;
    d->strct = saved;
    if (rc < 0) return -1;
    if (!cur) {
        map_del(m, f->name);
        return 0;
    }
    map_set(d->a, m, f->name, cur);
    node_set_pos(m->u.map.items[map_index(m, f->name)].key, key); /* for messages about the field */
    return 0;
}

static int dec_struct(struct dec *d, const node *src, const gotype *t, node **slot)
{
    if (src->kind != N_MAP) return mismatch(d, src, t, NULL);
    node *m = *slot && (*slot)->kind == N_MAP ? *slot : node_new(d->a, N_MAP);
    if (m != *slot) node_set_pos(m, src);
    const char *dot = strrchr(t->name, '.');
    uint32_t *idx = sorted_keys(src);
    int rc = 0;
    for (uint32_t n = 0; rc == 0 && n < src->u.map.n; n++) {
        const node *key = src->u.map.items[idx[n]].key, *v = src->u.map.items[idx[n]].val;
        const gofield *f = find_field(t, key->u.str.s, d->mode == GD_YAML3);
        d->strct = dot ? dot + 1 : t->name;
        if (f) rc = dec_field(d, key, v, f, m);
        else if (d->mode == GD_STRICT)
            rc = err_set("%s: %s: json: unknown field \"%s\"", node_pos(d->a, key), d->what, key->u.str.s);
        else
            map_set(d->a, m, key->u.str.s, (node *)v); /* not the config's: kept for whoever reads it */
    }
    free(idx);
    if (rc == 0) *slot = m;
    return rc;
}

static int dec(struct dec *d, const node *src, const gotype *t, node **slot)
{
    if (src->kind == N_NULL) {
        /* null clears maps, lists and pointers and leaves anything else alone */
        if (t->kind == GO_STRMAP || t->kind == GO_BOOLMAP || t->kind == GO_ANYMAP || t->kind == GO_LIST ||
            t->kind == GO_PTR)
            *slot = NULL;
        return 0;
    }
    switch (t->kind) {
    case GO_STRING: return dec_string(d, src, t, slot);
    case GO_BOOL: return dec_bool(d, src, t, slot);
    case GO_INT: return dec_int(d, src, t, slot);
    case GO_STRMAP:
    case GO_BOOLMAP:
    case GO_ANYMAP: return dec_map(d, src, t, slot);
    case GO_LIST: return dec_list(d, src, t, slot);
    case GO_PTR: return dec_struct(d, src, t->elem, slot);
    default: return dec_struct(d, src, t, slot);
    }
}

int go_decode(arena *a, const node *in, const gotype *t, int mode, const char *what, node **out)
{
    struct dec d = {.a = a, .mode = mode, .what = what, .strct = t->name};
    *out = NULL;
    return dec(&d, in, t, out);
}

int go_kustomization_empty(const node *k)
{
    for (uint32_t i = 0; k && i < k->u.map.n; i++) {
        const char *key = k->u.map.items[i].key->u.str.s;
        const node *v = k->u.map.items[i].val;
        if (!strcmp(key, "kind") || !strcmp(key, "apiVersion")) continue; /* TypeMeta does not count */
        if (v->kind == N_STR && !v->u.str.len) continue;
        /* FixKustomization moves these lists into others: an empty one leaves nil behind */
        if (v->kind == N_SEQ && !v->u.seq.n &&
            (!strcmp(key, "bases") || !strcmp(key, "imageTags") || !strcmp(key, "helmChartInflationGenerator")))
            continue;
        return 0;
    }
    return 1;
}
