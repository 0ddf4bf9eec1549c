/* Shared ConfigMap/Secret generator logic; see generator.h. Semantics follow
 * kustomize v5.5.0: api/kv (sources), api/internal/generators (objects),
 * api/types/generatoroptions.go (options) and resmap's appendReplaceOrMerge
 * (behavior). */
#include "generator.h"
#include "err.h"
#include "scalar.h"
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* ---- bytes ---- */

/* Decodes one UTF-8 sequence as Go does (no overlongs, surrogates or values
 * past U+10FFFF); returns its length, or 0 when invalid. */
static size_t utf8_decode(const unsigned char *s, size_t n, unsigned *cp)
{
    unsigned c = s[0];
    if (c < 0x80) return *cp = c, 1;
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (!len || len > n || c > 0xF4) return 0;
    unsigned v = c & (0xFF >> (len + 1));
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

int gen_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        unsigned cp;
        size_t l = utf8_decode(p + i, n - i, &cp);
        if (!l) return 0;
        i += l;
    }
    return 1;
}

void gen_base64_lines(strbuf *out, const char *s, size_t n)
{
    enum { LINE = 70 };
    size_t enclen = 4 * ((n + 2) / 3);
    unsigned char *enc = malloc(enclen + 1);
    if (!enc) abort();
    EVP_EncodeBlock(enc, (const unsigned char *)s, (int)n);
    int wrap = enclen / LINE + 1 > 1;
    for (size_t i = 0; i < enclen; i += LINE) {
        size_t j = i + LINE < enclen ? i + LINE : enclen;
        sb_add(out, enc + i, j - i);
        if (wrap) sb_addc(out, '\n');
    }
    free(enc);
}

/* unicode.IsSpace for the code point at s (length in *len). */
static int is_unicode_space(const char *s, size_t n, size_t *len)
{
    unsigned cp;
    *len = utf8_decode((const unsigned char *)s, n, &cp);
    if (!*len) return 0;
    switch (cp) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xA0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
        return 1;
    default:
        return cp >= 0x2000 && cp <= 0x200A;
    }
}

/* ---- sources ---- */

typedef struct pairs {
    gen_pair *v;
    size_t n, cap;
} pairs;

static void pairs_push(arena *a, pairs *p, const char *key, const char *val, size_t len)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        p->v = arena_grow(a, p->v, p->n * sizeof *p->v, cap * sizeof *p->v);
        p->cap = cap;
    }
    p->v[p->n++] = (gen_pair){key, val, len};
}

/* One line of an env file (kv.keyValuesFromLine); blank, # and "=..." lines add nothing. */
static int env_line(kust *k, const node *where, const char *file, const char *line, size_t n, int lineno, pairs *out)
{
    arena *a = k->b->a;
    if (!gen_utf8_valid(line, n))
        return err_set("%s: env file '%s': line %d has invalid utf8 bytes", node_pos(a, where), file, lineno + 1);
    if (lineno == 0 && n >= 3 && !memcmp(line, "\xEF\xBB\xBF", 3)) line += 3, n -= 3;
    size_t sl;
    while (n && is_unicode_space(line, n, &sl)) line += sl, n -= sl;
    if (!n || line[0] == '#') return 0;
    /* Keys are not validated: kubectl's kustomize runs with a permissive validator. */
    const char *eq = memchr(line, '=', n);
    size_t klen = eq ? (size_t)(eq - line) : n;
    if (!klen) return 0; /* kustomize takes an empty key for a blank line */
    const char *val = eq ? eq + 1 : ""; /* no '=': kubectl's kustomize reads no environment */
    size_t vlen = eq ? n - klen - 1 : 0;
    pairs_push(a, out, arena_strndup(a, line, klen), arena_strndup(a, val, vlen), vlen);
    return 0;
}

/* An env file, split into lines as Go's bufio.ScanLines does (a final \r dropped). */
static int env_file(kust *k, const node *where, pairs *out)
{
    const char *rel = node_text(where);
    strbuf sb = STRBUF_INIT;
    int rc = kust_read_file(k, rel ? rel : "", where, &sb, NULL);
    const char *p = sb.buf, *end = sb.buf + sb.len;
    for (int lineno = 0; rc == 0 && p < end; lineno++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        size_t n = (size_t)(le - p);
        if (n && p[n - 1] == '\r') n--;
        rc = env_line(k, where, rel, p, n, lineno, out);
        p = nl ? nl + 1 : end;
    }
    sb_release(&sb);
    return rc;
}

/* kv.parseLiteralSource: key=value, value unquoted when quoted on both ends. */
static int literal(kust *k, const node *where, pairs *out)
{
    arena *a = k->b->a;
    const char *s = node_text(where);
    const char *eq = s ? memchr(s, '=', where->u.str.len) : NULL;
    if (!eq || eq == s)
        return err_set("%s: invalid literal source %s, expected key=value", node_pos(a, where), s ? s : "");
    const char *v = eq + 1;
    size_t vlen = where->u.str.len - (size_t)(v - s); /* the value may hold NUL */
    if (vlen >= 2 && v[0] == v[vlen - 1] && (v[0] == '"' || v[0] == '\'')) v++, vlen -= 2;
    pairs_push(a, out, arena_strndup(a, s, (size_t)(eq - s)), arena_strndup(a, v, vlen), vlen);
    return 0;
}

/* Go's path.Base. */
static const char *path_base(arena *a, const char *p)
{
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/') n--;
    if (!n) return ".";
    size_t i = n;
    while (i > 0 && p[i - 1] != '/') i--;
    if (i == n) return "/";
    return arena_strndup(a, p + i, n - i);
}

/* generators.ParseFileSource: "path" (key is its base name) or "key=path". */
static int file_source(kust *k, const node *where, pairs *out)
{
    arena *a = k->b->a;
    const char *s = node_text(where);
    if (!s) return err_set("%s: a file source must be a string", node_pos(a, where));
    const char *eq = strchr(s, '='), *key, *path;
    if (!eq) {
        key = path_base(a, s);
        path = s;
    } else if (eq == s) {
        return err_set("%s: missing key name for file path \"%s\" in source \"%s\"", node_pos(a, where), s + 1, s);
    } else {
        key = arena_strndup(a, s, (size_t)(eq - s));
        path = eq + 1;
        if (strchr(path, '='))
            return err_set("%s: source \"%s\" key name or file path contains '='", node_pos(a, where), s);
        if (!*path)
            return err_set("%s: missing file path for key name \"%s\" in source \"%s\"", node_pos(a, where), key, s);
    }
    strbuf sb = STRBUF_INIT;
    int rc = kust_read_file(k, path, where, &sb, NULL);
    if (rc == 0) pairs_push(a, out, key, arena_strndup(a, sb.buf, sb.len), sb.len);
    sb_release(&sb);
    return rc;
}

typedef int (*source_fn)(kust *k, const node *where, pairs *out);

/* Runs fn on a field holding one string or a list of them. */
static int each_source(kust *k, const node *config, const char *field, source_fn fn, pairs *out)
{
    node *v = map_get(config, field);
    if (!v || v->kind == N_NULL) return 0;
    if (v->kind != N_SEQ) return fn(k, v, out);
    for (uint32_t i = 0; i < v->u.seq.n; i++)
        if (fn(k, v->u.seq.items[i], out) < 0) return -1;
    return 0;
}

static int pair_cmp(const void *x, const void *y)
{
    return strcmp(((const gen_pair *)x)->key, ((const gen_pair *)y)->key);
}

/* kv.Load order (env files, literals, files), then makeValidatedDataMap's checks. */
static int load_pairs(kust *k, const node *config, const char *name, pairs *out)
{
    arena *a = k->b->a;
    if (each_source(k, config, "envs", env_file, out) < 0 || each_source(k, config, "env", env_file, out) < 0 ||
        each_source(k, config, "literals", literal, out) < 0 || each_source(k, config, "files", file_source, out) < 0)
        return -1;
    if (out->n) qsort(out->v, out->n, sizeof *out->v, pair_cmp);
    for (size_t i = 1; i < out->n; i++)
        if (!strcmp(out->v[i].key, out->v[i - 1].key))
            return err_set("%s: configmap %s illegally repeats the key `%s`", node_pos(a, config), name,
                           out->v[i].key);
    return 0;
}

/* ---- options ---- */

static int opt_true(const node *opts, const char *key)
{
    const node *v = map_get(opts, key);
    return node_is_true(v);
}

/* Local keys win; the global map only adds keys the local one lacks. */
static void merge_string_map(arena *a, node *dst, const char *key, const node *global)
{
    const node *g = map_get(global, key);
    if (!g || g->kind != N_MAP) return;
    node *l = map_get(dst, key);
    if (!l || l->kind != N_MAP) {
        l = node_new(a, N_MAP);
        map_set(a, dst, key, l);
    }
    for (uint32_t i = 0; i < g->u.map.n; i++)
        if (!map_get(l, g->u.map.items[i].key->u.str.s))
            map_set(a, l, g->u.map.items[i].key->u.str.s, g->u.map.items[i].val);
}

/* types.MergeGlobalOptionsIntoLocal. */
static node *merge_options(arena *a, const node *local, const node *global)
{
    if (!global || global->kind != N_MAP) return (node *)local;
    node *o = local && local->kind == N_MAP ? node_clone(a, local) : node_new(a, N_MAP);
    merge_string_map(a, o, "labels", global);
    merge_string_map(a, o, "annotations", global);
    if (opt_true(global, "disableNameSuffixHash")) map_set(a, o, "disableNameSuffixHash", map_get(global, "disableNameSuffixHash"));
    if (opt_true(global, "immutable")) map_set(a, o, "immutable", map_get(global, "immutable"));
    return o;
}

int generator_configure(kust *k, const gen_kind *gk, node_list *configs)
{
    arena *a = k->b->a;
    node *list = map_get(k->k, gk->field);
    if (!list || list->kind == N_NULL) return 0;
    if (list->kind != N_SEQ) return err_set("%s: '%s' must be a list", node_pos(a, list), gk->field);
    node *global = map_get(k->k, "generatorOptions");
    for (uint32_t i = 0; i < list->u.seq.n; i++) {
        node *e = list->u.seq.items[i];
        if (e->kind != N_MAP) return err_set("%s: a %s entry must be a mapping", node_pos(a, e), gk->field);
        node *c = node_clone(a, e);
        map_set(a, c, "apiVersion", node_new_str(a, "builtin"));
        map_set(a, c, "kind", node_new_str(a, gk->builtin_kind));
        node *opts = merge_options(a, map_get(e, "options"), global);
        if (opts) map_set(a, c, "options", opts);
        list_push(configs, c);
    }
    return 0;
}

/* ---- the object ---- */

/* A scalar's text as a new string node ("" for a collection), NUL bytes included. */
static node *as_string_node(arena *a, const node *v)
{
    return node_text(v) ? node_new_strn(a, v->u.str.s, v->u.str.len) : node_new_str(a, "");
}

/* Copies a string map's entries as strings (labels and annotations are map[string]string). */
static void set_string_map(arena *a, node *md, const char *key, const node *src)
{
    if (!src || src->kind != N_MAP || !src->u.map.n) return;
    node *dst = map_ensure_map(a, md, key);
    for (uint32_t i = 0; i < src->u.map.n; i++) {
        map_set_plain_key(a, dst, src->u.map.items[i].key->u.str.s, as_string_node(a, src->u.map.items[i].val));
    }
}

/* kyaml's SetLabels and SetAnnotations set each entry with a FieldSetter,
 * which for an empty key sets the map itself as a scalar and fails. */
static int meta_keys_ok(arena *a, const node *md, const node *where)
{
    static const char *const fields[] = {"labels", "annotations"};
    for (int f = 0; f < 2; f++) {
        const node *m = map_get(md, fields[f]);
        for (uint32_t i = 0; m && m->kind == N_MAP && i < m->u.map.n; i++)
            if (!m->u.map.items[i].key->u.str.len)
                return err_set("%s: wrong node kind: expected ScalarNode but got MappingNode (an empty key in %s)",
                               node_pos(a, where), fields[f]);
    }
    return 0;
}

static const char *config_str(const node *config, const char *key)
{
    const char *s = node_get_str(config, key, NULL);
    if (s && *s) return s;
    s = node_get_str(config, "metadata", key, NULL);
    return s && *s ? s : NULL;
}

static int make_object(kust *k, const gen_kind *gk, const node *config, node **out)
{
    arena *a = k->b->a;
    const char *name = config_str(config, "name");
    const char *ns = config_str(config, "namespace");
    if (!name) return err_set("%s: %s: a %s must have a name", node_pos(a, config), gk->builtin_kind, gk->kind);
    pairs p = {0};
    if (load_pairs(k, config, name, &p) < 0)
        return err_prefix("%s: %s '%s': loading KV pairs", node_pos(a, config), gk->builtin_kind, name);
    node *obj = node_new(a, N_MAP);
    node_set_pos(obj, config);
    map_set(a, obj, "apiVersion", node_new_str(a, "v1"));
    map_set(a, obj, "kind", node_new_str(a, gk->kind));
    node *md = node_new(a, N_MAP);
    map_set(a, md, "name", node_new_str(a, name));
    if (ns) map_set(a, md, "namespace", node_new_str(a, ns));
    map_set(a, obj, "metadata", md);
    if (gk->fill(k, obj, config, p.v, p.n) < 0) return -1;
    const node *opts = map_get(config, "options");
    set_string_map(a, md, "labels", map_get(opts, "labels"));
    set_string_map(a, md, "annotations", map_get(opts, "annotations"));
    if (meta_keys_ok(a, md, config) < 0) return -1;
    if (opt_true(opts, "immutable")) map_set(a, obj, "immutable", node_new_scalar(a, N_BOOL, "true", 4));
    *out = obj;
    return 0;
}

/* ---- behavior: create, merge, replace (resmap.appendReplaceOrMerge) ---- */

static int behavior_of(const char *s)
{
    if (!s) return BEHAVIOR_NONE;
    if (!strcmp(s, "create")) return BEHAVIOR_CREATE;
    if (!strcmp(s, "merge")) return BEHAVIOR_MERGE;
    if (!strcmp(s, "replace")) return BEHAVIOR_REPLACE;
    return BEHAVIOR_NONE;
}

/* Names are compared first: resid_equal is dearer and rarely needed. */
static int id_matches(const resource *r, const resid *id)
{
    if (!strcmp(r->id.name, id->name) && resid_equal(&r->id, id)) return 1;
    for (uint32_t i = 0; i < r->nprev; i++)
        if (!strcmp(r->prev[i].name, id->name) && resid_equal(&r->prev[i], id)) return 1;
    return 0;
}

/* The one object whose current or earlier id is id (-1: none, -2: several).
 * A scan per generator entry (not per object): entries are few, and a
 * rename elsewhere would make any index kept between calls stale. */
static long find_target(const resmap *rm, const resid *id)
{
    long found = -1;
    for (size_t i = 0; i < rm->n; i++) {
        if (!id_matches(rm->v[i], id)) continue;
        if (found >= 0) return -2;
        found = (long)i;
    }
    return found;
}

/* new's map field becomes old's entries overridden by new's (mergeStringMaps);
 * an empty result removes the field, as kyaml's SetDataMap does. */
static void merge_field(arena *a, node *nobj, const node *oobj, const char *key)
{
    const node *o = map_get(oobj, key), *n = map_get(nobj, key);
    const node *srcs[2] = {o, n};
    node *m = node_new(a, N_MAP);
    for (int s = 0; s < 2; s++)
        for (uint32_t i = 0; srcs[s] && srcs[s]->kind == N_MAP && i < srcs[s]->u.map.n; i++)
            map_set_plain_key(a, m, srcs[s]->u.map.items[i].key->u.str.s, as_string_node(a, srcs[s]->u.map.items[i].val));
    map_del(nobj, key);
    if (m->u.map.n) map_set(a, nobj, key, m);
}

static int has_empty_key(const node *m)
{
    for (uint32_t i = 0; m && m->kind == N_MAP && i < m->u.map.n; i++)
        if (!m->u.map.items[i].key->u.str.len) return 1;
    return 0;
}

/* Resource.CopyMergeMetaDataFieldsFrom: labels and annotations merged (new
 * wins), name and namespace and the build history taken from old. */
static void copy_merge_metadata(arena *a, resource *nr, const resource *old)
{
    node *nmd = map_ensure_map(a, nr->obj, "metadata");
    const node *omd = map_get(old->obj, "metadata");
    merge_field(a, nmd, omd, "labels");
    if (has_empty_key(map_get(nmd, "labels"))) {
        /* SetLabels sets the sorted keys one by one and fails at "" (meta_keys_ok),
         * first, leaving the map empty; kustomize ignores the error, but the
         * rest of the copy is skipped: nr keeps its own. */
        map_set(a, nmd, "labels", node_new(a, N_MAP));
        return;
    }
    merge_field(a, nmd, omd, "annotations");
    if (has_empty_key(map_get(nmd, "annotations"))) {
        /* SetAnnotations fails the same way: no annotations are left, the
         * hash marker among them, and the rest is skipped. */
        map_del(nmd, "annotations");
        nr->needs_hash = 0;
        return;
    }
    const char *name = node_get_str(omd, "name", NULL), *ns = node_get_str(omd, "namespace", NULL);
    map_set(a, nmd, "name", node_new_str(a, name ? name : ""));
    map_del(nmd, "namespace");
    if (ns && *ns) map_set(a, nmd, "namespace", node_new_str(a, ns));
    resource_refresh_id(nr);
    nr->prev = old->prev;
    nr->nprev = old->nprev;
    nr->capprev = old->capprev;
    nr->prefixes = old->prefixes;
    nr->suffixes = old->suffixes;
    /* copyKustomizeSpecificFields: vars an earlier level matched to the old
     * object now resolve against the merged/replaced one. */
    nr->refvars = old->refvars;
    nr->needs_hash = nr->needs_hash && old->needs_hash; /* hash marker comes from old, kept only if new has it */
    nr->behavior = old->behavior;
    nr->origin_in_tree = old->origin_in_tree; /* merge_field kept its origin annotation */
}

static int absorb(kust *k, const gen_kind *gk, resource *r, resmap *rm, const node *config)
{
    arena *a = k->b->a;
    long i = find_target(rm, &r->id);
    if (r->behavior != BEHAVIOR_MERGE && r->behavior != BEHAVIOR_REPLACE) {
        if (i == -1) return resmap_append(a, rm, r);
        return err_set("%s: %s: %s already exists (possibly under an earlier name); behavior must be merge or "
                       "replace", node_pos(a, config), gk->builtin_kind, resid_display(a, &r->id));
    }
    if (i == -1)
        return err_set("%s: %s: %s does not exist; cannot merge or replace", node_pos(a, config), gk->builtin_kind,
                       resid_display(a, &r->id));
    if (i == -2)
        return err_set("%s: %s: found multiple objects that could accept merge of %s", node_pos(a, config),
                       gk->builtin_kind, resid_display(a, &r->id));
    resource *old = rm->v[i];
    int merge = r->behavior == BEHAVIOR_MERGE;
    copy_merge_metadata(a, r, old);
    if (merge) {
        merge_field(a, r->obj, old->obj, "data");
        merge_field(a, r->obj, old->obj, "binaryData");
        if (has_empty_key(map_get(r->obj, "data")) || has_empty_key(map_get(r->obj, "binaryData")))
            return err_set("%s: %s: merging into %s: wrong node kind: expected ScalarNode but got MappingNode (an "
                           "empty data key)", node_pos(a, config), gk->builtin_kind, resid_display(a, &r->id));
        /* A merge keeps the original's origin. */
        r->origin = old->origin;
        r->generated = old->generated;
        r->configured_in = old->configured_in;
        r->configured_by_kind = old->configured_by_kind;
        r->configured_by_name = old->configured_by_name;
    }
    /* Same identity as old, so the index slot stays valid. */
    rm->v[i] = r;
    return 0;
}

int generator_run(kust *k, const gen_kind *gk, node *config, resmap *rm)
{
    arena *a = k->b->a;
    node *obj = NULL;
    if (make_object(k, gk, config, &obj) < 0) return -1;
    resource *r;
    if (resource_new(a, obj, &r) < 0) return -1;
    const node *opts = map_get(config, "options");
    r->generated = 1;
    r->needs_hash = !opt_true(opts, "disableNameSuffixHash");
    r->behavior = (unsigned)behavior_of(node_get_str(config, "behavior", NULL));
    r->configured_in = config->file ? config->file : k->file;
    r->origin = r->configured_in;
    r->configured_by_kind = gk->builtin_kind;
    r->configured_by_name = node_get_str(config, "metadata", "name", NULL);
    return absorb(k, gk, r, rm, config);
}
