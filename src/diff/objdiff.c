/* Loading two rendered streams into object sets and pairing them. */
#include "diff.h"
#include "err.h"
#include "fieldpath.h"
#include "kyaml.h"
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

/* Secret values become "<hidden XXXXXXXX>": a 32-bit keyed hash, equal for
 * equal values within one run, so a reviewer sees which keys changed and the
 * value itself can be neither read nor guessed from any output form. */
static node *hidden_value(arena *a, const node *v, uint64_t seed)
{
    const char *t = node_text(v);
    uint64_t h = t ? XXH3_64bits_withSeed(t, v->u.str.len, seed) : seed;
    return node_new_str(a, arena_printf(a, "<hidden %08x>", (unsigned)(h >> 32)));
}

static void mask_map_values(arena *a, node *m, uint64_t seed)
{
    if (!m || m->kind != N_MAP) return;
    for (uint32_t i = 0; i < m->u.map.n; i++) m->u.map.items[i].val = hidden_value(a, m->u.map.items[i].val, seed);
}

static void mask_secret(arena *a, const resid *id, node *obj, uint64_t seed)
{
    if (strcmp(id->kind, "Secret") || *id->group) return;
    mask_map_values(a, map_get(obj, "data"), seed);
    mask_map_values(a, map_get(obj, "stringData"), seed);
    /* kubectl's client-side apply keeps a copy of the whole object here */
    node *ann = node_get(obj, "metadata", "annotations", NULL);
    if (ann && ann->kind == N_MAP) {
        int i = map_index(ann, "kubectl.kubernetes.io/last-applied-configuration");
        if (i >= 0) ann->u.map.items[i].val = hidden_value(a, ann->u.map.items[i].val, seed);
    }
}

/* Removes what the last segment of fp names from every parent the rest matches. */
static void drop_last(node *parent, const fp_seg *s)
{
    if (!parent) return;
    if (parent->kind == N_MAP && !s->is_list) {
        map_del(parent, s->text);
    } else if (parent->kind == N_SEQ && s->is_num && s->num >= 0 && (uint32_t)s->num < parent->u.seq.n) {
        seq_del(parent, (size_t)s->num);
    } else if (parent->kind == N_SEQ && s->is_list && s->key) {
        for (uint32_t i = parent->u.seq.n; i-- > 0;) {
            const char *v = node_text(map_get(parent->u.seq.items[i], s->key));
            if (v && !strcmp(v, s->val)) seq_del(parent, i);
        }
    }
}

static int drop_path(arena *a, node **root, const char *path)
{
    fieldpath fp;
    fieldpath_parse(a, path, &fp);
    if (!fp.n) return 0;
    const fp_seg *last = &fp.v[fp.n - 1];
    if (fp.n == 1) {
        drop_last(*root, last);
        return 0;
    }
    fieldpath parent = fp;
    parent.n--;
    slot_list sl = {0};
    if (fieldpath_match(a, root, &parent, -1, &sl) < 0) {
        err_clear(); /* a path that does not fit this object's shape ignores nothing in it */
        slot_list_free(&sl);
        return 0;
    }
    for (size_t i = 0; i < sl.n; i++) drop_last(*sl.v[i], last);
    slot_list_free(&sl);
    return 0;
}

static int wanted(const diff_options *opt, const resid *id)
{
    if (opt->kind && strcasecmp(opt->kind, id->kind)) return 0;
    if (opt->name && strcmp(opt->name, id->name)) return 0;
    return 1;
}

int diff_load_docs(arena *a, node **docs, size_t n, const diff_options *opt, diff_side *out)
{
    out->v = arena_zalloc(a, (n ? n : 1) * sizeof *out->v);
    out->n = 0;
    node **kept = arena_alloc(a, (n ? n : 1) * sizeof *kept);
    for (size_t i = 0; i < n; i++) {
        node *obj = docs[i];
        if (obj->kind != N_MAP) return err_set("%s: document %zu is not an object", node_pos(a, obj), i + 1);
        resource *r;
        if (resource_new(a, obj, &r) < 0) return -1;
        if (!wanted(opt, &r->id)) continue;
        mask_secret(a, &r->id, obj, opt->secret_seed);
        for (size_t k = 0; k < opt->nignore; k++) drop_path(a, &obj, opt->ignore[k]);
        out->v[out->n].id = r->id;
        out->v[out->n].obj = obj;
        kept[out->n++] = obj;
    }
    /* one emit of the whole side (on all cores), then each object's slice */
    strbuf sb = STRBUF_INIT;
    size_t *starts = malloc((out->n + 1) * sizeof *starts);
    if (!starts) abort();
    int rc = yaml_emit_stream_at(&sb, kept, out->n, starts);
    if (rc == 0 && out->n) {
        char *text = arena_strndup(a, sb.buf, sb.len);
        for (size_t i = 0; i < out->n; i++) {
            diff_obj *d = &out->v[i];
            size_t end = i + 1 < out->n ? starts[i + 1] - 4 : starts[out->n]; /* minus "---\n" */
            d->text = text + starts[i];
            d->len = end - starts[i];
            d->hash = XXH3_64bits(d->text, d->len);
        }
    }
    free(starts);
    sb_release(&sb);
    return rc;
}

int diff_load(arena *a, const char *file, const char *buf, size_t len, const diff_options *opt, diff_side *out)
{
    node_list docs = {0};
    int rc = yaml_load(a, file, buf, len, &docs);
    if (rc == 0) rc = diff_load_docs(a, docs.v, docs.n, opt, out);
    free(docs.v);
    return rc;
}

/* ---- changed field paths ---- */

typedef struct path_list {
    const char **v;
    size_t n, cap;
} path_list;

static void path_add(arena *a, path_list *pl, const char *p)
{
    if (pl->n == pl->cap) {
        size_t cap = pl->cap ? pl->cap * 2 : 8;
        pl->v = arena_grow(a, pl->v, pl->cap * sizeof *pl->v, cap * sizeof *pl->v);
        pl->cap = cap;
    }
    pl->v[pl->n++] = p;
}

/* A path segment as kustomize's field paths write it: keys with dots or
 * slashes in brackets, so a reported path can be given back to --ignore. */
static const char *join_key(arena *a, const char *prefix, const char *key)
{
    int bracket = strpbrk(key, "./[]") != NULL;
    if (!*prefix) return bracket ? arena_printf(a, "[%s]", key) : key;
    return bracket ? arena_printf(a, "%s.[%s]", prefix, key) : arena_printf(a, "%s.%s", prefix, key);
}

static void compare_nodes(arena *a, const char *path, const node *x, const node *y, path_list *pl);

/* Lists of maps that all carry a name (containers, ports, env) pair by name. */
static int named_items(const node *s)
{
    if (!s->u.seq.n) return 0;
    for (uint32_t i = 0; i < s->u.seq.n; i++)
        if (!node_strval(map_get(s->u.seq.items[i], "name"))) return 0;
    return 1;
}

static const node *find_named(const node *s, const char *name)
{
    for (uint32_t i = 0; i < s->u.seq.n; i++) {
        const char *n = node_strval(map_get(s->u.seq.items[i], "name"));
        if (n && !strcmp(n, name)) return s->u.seq.items[i];
    }
    return NULL;
}

static void compare_seqs(arena *a, const char *path, const node *x, const node *y, path_list *pl)
{
    if (named_items(x) && named_items(y)) {
        for (uint32_t i = 0; i < y->u.seq.n; i++) {
            const char *name = node_strval(map_get(y->u.seq.items[i], "name"));
            const node *old = find_named(x, name);
            const char *p = arena_printf(a, "%s%s[name=%s]", path, *path ? "." : "", name);
            if (!old) path_add(a, pl, p);
            else compare_nodes(a, p, old, y->u.seq.items[i], pl);
        }
        for (uint32_t i = 0; i < x->u.seq.n; i++) {
            const char *name = node_strval(map_get(x->u.seq.items[i], "name"));
            if (!find_named(y, name)) path_add(a, pl, arena_printf(a, "%s%s[name=%s]", path, *path ? "." : "", name));
        }
        return;
    }
    uint32_t n = x->u.seq.n > y->u.seq.n ? x->u.seq.n : y->u.seq.n;
    for (uint32_t i = 0; i < n; i++) {
        const char *p = arena_printf(a, "%s%s%u", path, *path ? "." : "", i);
        if (i >= x->u.seq.n || i >= y->u.seq.n) path_add(a, pl, p);
        else compare_nodes(a, p, x->u.seq.items[i], y->u.seq.items[i], pl);
    }
}

static void compare_maps(arena *a, const char *path, const node *x, const node *y, path_list *pl)
{
    for (uint32_t i = 0; i < y->u.map.n; i++) {
        const char *k = y->u.map.items[i].key->u.str.s;
        const node *old = map_get(x, k);
        const char *p = join_key(a, path, k);
        if (!old) path_add(a, pl, p);
        else compare_nodes(a, p, old, y->u.map.items[i].val, pl);
    }
    for (uint32_t i = 0; i < x->u.map.n; i++) {
        const char *k = x->u.map.items[i].key->u.str.s;
        if (!map_get(y, k)) path_add(a, pl, join_key(a, path, k));
    }
}

static void compare_nodes(arena *a, const char *path, const node *x, const node *y, path_list *pl)
{
    if (x->kind == N_MAP && y->kind == N_MAP) {
        compare_maps(a, path, x, y, pl);
    } else if (x->kind == N_SEQ && y->kind == N_SEQ) {
        compare_seqs(a, path, x, y, pl);
    } else if (x->kind != y->kind || x->kind >= N_MAP || x->u.str.len != y->u.str.len ||
               memcmp(x->u.str.s, y->u.str.s, x->u.str.len)) {
        path_add(a, pl, *path ? path : ".");
    }
}

/* ---- pairing ---- */

static uint64_t pair_key(const resid *id)
{
    resid k = *id;
    k.version = ""; /* a version change is a change of the same object */
    return resid_hash(&k);
}

static int same_object(const resid *x, const resid *y)
{
    return !strcmp(x->group, y->group) && !strcmp(x->kind, y->kind) && !strcmp(x->name, y->name) &&
           !strcmp(resid_effective_ns(x), resid_effective_ns(y));
}

int diff_compare(arena *a, const diff_side *sa, const diff_side *sb, const diff_options *opt, diff_result *out)
{
    memset(out, 0, sizeof *out);
    size_t nslots = 16;
    while (nslots < 2 * (sa->n + 1)) nslots *= 2;
    uint32_t *slots = calloc(nslots, sizeof *slots); /* index into sa->v, +1 */
    unsigned char *matched = calloc(sa->n + 1, 1);
    if (!slots || !matched) abort();
    for (size_t i = 0; i < sa->n; i++) {
        size_t s = pair_key(&sa->v[i].id) & (nslots - 1);
        while (slots[s]) s = (s + 1) & (nslots - 1);
        slots[s] = (uint32_t)i + 1;
    }
    out->v = arena_zalloc(a, (sa->n + sb->n + 1) * sizeof *out->v);
    for (size_t j = 0; j < sb->n; j++) {
        const diff_obj *b = &sb->v[j], *match = NULL;
        for (size_t s = pair_key(&b->id) & (nslots - 1); slots[s]; s = (s + 1) & (nslots - 1)) {
            const diff_obj *c = &sa->v[slots[s] - 1];
            if (!matched[slots[s] - 1] && same_object(&c->id, &b->id)) {
                match = c;
                matched[slots[s] - 1] = 1;
                break;
            }
        }
        diff_entry *e = &out->v[out->n++];
        e->a = match;
        e->b = b;
        if (!match) {
            e->change = DIFF_ADDED;
            out->added++;
        } else if (match->hash == b->hash && match->len == b->len && !memcmp(match->text, b->text, b->len)) {
            e->change = DIFF_SAME;
            out->same++;
        } else {
            e->change = DIFF_CHANGED;
            out->changed++;
            path_list pl = {0};
            compare_nodes(a, "", match->obj, b->obj, &pl);
            e->paths = pl.v;
            e->npaths = pl.n;
        }
    }
    for (size_t i = 0; i < sa->n; i++) {
        if (matched[i]) continue;
        diff_entry *e = &out->v[out->n++];
        e->change = DIFF_REMOVED;
        e->a = &sa->v[i];
        out->removed++;
    }
    free(slots);
    free(matched);
    return 0;
}
