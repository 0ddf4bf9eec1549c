#include "resource.h"
#include "embed.h"
#include "err.h"
#include "kyaml.h"
#include "scalar.h"
#include <stdio.h>
#include <stdlib.h>
#include <pthread.h>
#include <string.h>
#include <xxhash.h>

void strlist_push(arena *a, strlist *l, const char *s)
{
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 4;
        l->v = arena_grow(a, l->v, l->n * sizeof *l->v, cap * sizeof *l->v);
        l->cap = cap;
    }
    l->v[l->n++] = s;
}

void split_apiversion(arena *a, const char *apiversion, const char **group, const char **version)
{
    const char *slash = apiversion ? strrchr(apiversion, '/') : NULL;
    if (!apiversion) {
        *group = *version = "";
    } else if (slash) {
        *group = arena_strndup(a, apiversion, (size_t)(slash - apiversion));
        *version = slash + 1;
    } else {
        *group = "";
        *version = apiversion;
    }
}

/* The group string is cached per distinct apiVersion text to avoid an
 * allocation per object (most objects share a handful of apiVersions). */
static const char *group_of(const char *apiversion, const char **version)
{
    static struct { const char *av; const char *group; } cache[64];
    static arena *keep;
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER; /* builds may run on several threads */
    const char *slash = strrchr(apiversion, '/');
    if (!slash) {
        *version = apiversion;
        return "";
    }
    *version = slash + 1;
    size_t glen = (size_t)(slash - apiversion);
    unsigned h = (unsigned)(XXH3_64bits(apiversion, glen) & 63);
    pthread_mutex_lock(&mu);
    if (!(cache[h].group && strlen(cache[h].group) == glen && !memcmp(cache[h].group, apiversion, glen))) {
        if (!keep) keep = arena_new(); /* process lifetime: group names are few */
        cache[h].group = arena_strndup(keep, apiversion, glen);
        cache[h].av = apiversion;
    }
    const char *g = cache[h].group;
    pthread_mutex_unlock(&mu);
    return g;
}

void resource_refresh_id(resource *r)
{
    const char *av = node_get_str(r->obj, "apiVersion", NULL);
    r->id.group = group_of(av ? av : "", &r->id.version);
    const char *s = node_get_str(r->obj, "kind", NULL);
    r->id.kind = s ? s : "";
    node *md = map_get(r->obj, "metadata");
    s = node_get_str(md, "name", NULL);
    r->id.name = s ? s : "";
    s = node_get_str(md, "namespace", NULL);
    r->id.ns = s && map_get(md, "namespace")->kind != N_NULL ? s : "";
    r->idhash = resid_hash(&r->id);
}

int resource_new(arena *a, node *obj, resource **out)
{
    if (obj->kind != N_MAP)
        return err_set("%s: expected a YAML mapping (a Kubernetes object)", node_pos(a, obj));
    resource *r = arena_zalloc(a, sizeof *r);
    r->obj = obj;
    resource_refresh_id(r);
    if (!*r->id.kind) return err_set("%s: object has no 'kind'", node_pos(a, obj));
    r->origin = obj->file;
    *out = r;
    return 0;
}

/* kyaml's IsNilOrEmpty: absent, null, {} or []. */
static int nil_or_empty(const node *n)
{
    return !n || n->kind == N_NULL || (n->kind == N_MAP && !n->u.map.n) || (n->kind == N_SEQ && !n->u.seq.n);
}

/* kyaml's GetValue: a scalar's text, "" for null, maps and sequences. */
static const char *field_value(const node *n)
{
    return nil_or_empty(n) || n->kind >= N_MAP ? "" : n->u.str.s;
}

static int ends_with_list(const char *kind)
{
    size_t n = strlen(kind);
    return n >= 4 && !strcmp(kind + n - 4, "List");
}

/* kyaml's GetValidatedMetadata, as kustomize's resource factory applies it. */
static int check_meta(arena *a, const node *obj)
{
    if (obj->kind != N_MAP) return err_set("%s: expected a YAML mapping (a Kubernetes object)", node_pos(a, obj));
    const node *av = map_get(obj, "apiVersion"), *kind = map_get(obj, "kind"), *md = map_get(obj, "metadata");
    if (nil_or_empty(av) && nil_or_empty(kind) && nil_or_empty(md))
        return err_set("%s: missing Resource metadata (an object needs apiVersion, kind and metadata)", node_pos(a, obj));
    const char *k = field_value(kind);
    if (!*k) return err_set("%s: missing kind in object", node_pos(a, kind ? kind : obj));
    if (ends_with_list(k)) return 0;
    if (!*field_value(md && md->kind == N_MAP ? map_get(md, "name") : NULL))
        return err_set("%s: missing metadata.name in %s object", node_pos(a, md ? md : obj), k);
    return 0;
}

static const char *list_kind(const node *obj)
{
    const char *kind = obj->kind == N_MAP ? node_get_str(obj, "kind", NULL) : NULL;
    return kind && ends_with_list(kind) ? kind : NULL;
}

int resource_check_meta(arena *a, const resource *r, const char *after)
{
    if (check_meta(a, r->obj) == 0) return 0;
    return err_prefix("%s: after %s", resid_display(a, &r->id), after);
}

/* A *List kind with an items field (kustomize's inlineAnyEmbeddedLists). */
static int is_list(const node *obj)
{
    return list_kind(obj) && map_get(obj, "items");
}

/* kustomize decodes any *List object whole (RNode.Map) before it looks
 * for items: whatever yaml.v3 cannot decode fails, outside items too. */
static int list_decodes(arena *a, const node *obj)
{
    const char *kind = list_kind(obj);
    if (kind && yaml_v3_decodes(a, obj, kind) < 0) return err_prefix("trouble expanding list of %s", kind);
    return 0;
}

/* Appends a List's items to q, a List among them replaced by its own items
 * (kustomize re-reads each item on its own, expanding it in place).
 * kustomize's factory turns the items into Go values and back through JSON. */
static int flatten_list(arena *a, const node *list, node_list *q)
{
    node *items = map_get(list, "items");
    const char *kind = node_get_str(list, "kind", NULL);
    if (list_decodes(a, list) < 0) return -1;
    if (items->kind == N_SEQ)
        for (uint32_t j = 0; j < items->u.seq.n; j++)
            if (yaml_json_decoded(a, items->u.seq.items[j], kind) < 0)
                return err_prefix("trouble expanding list of %s", kind);
    if (items->kind == N_NULL) return 0;
    if (items->kind != N_SEQ)
        return err_set("%s: expected array in %s/items, but found a %s", node_pos(a, items),
                       node_get_str(list, "kind", NULL), items->kind == N_MAP ? "mapping" : "scalar");
    for (uint32_t j = 0; j < items->u.seq.n; j++) {
        node *item = items->u.seq.items[j];
        if (!is_list(item)) list_push(q, item);
        else if (flatten_list(a, item, q) < 0) return -1;
    }
    return 0;
}

/* kustomize decodes every object into a map[string]interface{}: a
 * top-level key yaml.v3 reads as a number, bool or timestamp, tagged or
 * not, becomes the string it is written as (only a null key fails, later). */
static void top_keys_as_strings(arena *a, node *obj)
{
    for (uint32_t i = 0; i < obj->u.map.n; i++) {
        node *k = obj->u.map.items[i].key;
        int kind;
        size_t len;
        if (!(k->flags & (NF_KEY_NOT_STR | NF_BAD_TAG))) continue;
        scalar_resolve_plain(a, k->u.str.s, k->u.str.len, &kind, &len);
        if (kind != N_NULL) k->flags &= ~(unsigned)(NF_KEY_NOT_STR | NF_BAD_TAG);
    }
}

/* kyaml's reader unwraps a List or ResourceList itself, items as written,
 * when the stream is one piece (quirk_kio_values). */
static const node *kio_wrapped_items(const node_list *docs, int nvalues)
{
    if (nvalues != 1 || docs->n != 1 || docs->v[0]->kind != N_MAP) return NULL;
    const node *d = docs->v[0];
    const char *kind = field_value(map_get(d, "kind"));
    if (strcmp(kind, "List") && strcmp(kind, "ResourceList")) return NULL;
    const node *items = map_get(d, "items");
    if (items) return items;
    static const node none = {.kind = N_NULL};
    return map_get(d, "functionConfig") ? &none : NULL;
}

int objects_from_docs(arena *a, const node_list *docs, int nvalues, node_list *out)
{
    node_list q = {0};
    int rc = 0;
    const node *items = kio_wrapped_items(docs, nvalues);
    if (items && items->kind == N_MAP)
        return err_set("%s: missing Resource metadata (the items of a %s must be a list)", node_pos(a, items),
                       node_get_str(docs->v[0], "kind", NULL));
    size_t n = items ? (items->kind == N_SEQ ? items->u.seq.n : 0) : docs->n;
    node *const *v = items ? items->u.seq.items : docs->v;
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (!nil_or_empty(v[i])) rc = check_meta(a, v[i]), list_push(&q, v[i]);
    /* the documents form a queue: a List's items join its end, after the file's later documents */
    for (size_t i = 0; rc == 0 && i < q.n; i++) {
        if (is_list(q.v[i])) rc = flatten_list(a, q.v[i], &q);
        else if (!nil_or_empty(q.v[i]) && (rc = check_meta(a, q.v[i])) == 0 && (rc = list_decodes(a, q.v[i])) == 0) {
            top_keys_as_strings(a, q.v[i]);
            list_push(out, q.v[i]);
        }
    }
    list_free(&q);
    return rc;
}

resource *resource_clone(arena *a, const resource *r)
{
    resource *c = arena_alloc(a, sizeof *c);
    *c = *r;
    c->obj = node_clone(a, r->obj);
    resource_refresh_id(c);
    if (r->nprev) {
        c->prev = arena_alloc(a, r->nprev * sizeof *c->prev);
        memcpy(c->prev, r->prev, r->nprev * sizeof *c->prev);
        c->capprev = r->nprev;
    }
    return c;
}

void resource_push_prev(arena *a, resource *r, const resid *id)
{
    if (r->nprev == r->capprev) {
        uint32_t cap = r->capprev ? r->capprev * 2 : 2;
        r->prev = arena_grow(a, r->prev, r->nprev * sizeof *r->prev, cap * sizeof *r->prev);
        r->capprev = cap;
    }
    r->prev[r->nprev++] = *id;
}

void resource_remember_id(arena *a, resource *r)
{
    resource_push_prev(a, r, &r->id);
}

/* kustomize's scope table (apiVersion, kind, scope), loaded once from
 * embedded data and searched kind first (the hot path asks it for every
 * identity hash). */
struct scoped_kind {
    char *group, *version, *kind;
    int cluster;
};
static struct scoped_kind *scoped;
static size_t nscoped;

static pthread_once_t scoped_once = PTHREAD_ONCE_INIT;

static void load_scoped(void)
{
    const struct embedded_file *f = embedded_find("scopes.txt");
    char *copy = strdup(f ? f->data : "");
    size_t cap = 128;
    scoped = malloc(cap * sizeof *scoped);
    for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
        char *kind = strchr(line, ' '), *scope = kind ? strchr(kind + 1, ' ') : NULL;
        if (*line == '#' || !scope) continue;
        if (nscoped == cap) scoped = realloc(scoped, (cap *= 2) * sizeof *scoped);
        *kind++ = 0;
        *scope++ = 0;
        char *slash = strchr(line, '/');
        if (slash) *slash = 0;
        scoped[nscoped].group = slash ? line : "";
        scoped[nscoped].version = slash ? slash + 1 : line;
        scoped[nscoped].kind = kind;
        scoped[nscoped].cluster = !strcmp(scope, "cluster");
        nscoped++;
    }
}

/* The table's entry for id's apiVersion and kind, or NULL. */
static const struct scoped_kind *scope_entry(const resid *id)
{
    pthread_once(&scoped_once, load_scoped); /* builds may run on several threads */
    for (size_t i = 0; i < nscoped; i++)
        if (scoped[i].kind[0] == id->kind[0] && !strcmp(scoped[i].kind, id->kind) &&
            !strcmp(scoped[i].group, id->group) && !strcmp(scoped[i].version, id->version))
            return &scoped[i];
    return NULL;
}

int resid_is_cluster_scoped(const resid *id)
{
    const struct scoped_kind *e = scope_entry(id);
    return e && e->cluster;
}

int resid_scope_known(const resid *id)
{
    return scope_entry(id) != NULL;
}

const char *resid_effective_ns(const resid *id)
{
    if (resid_is_cluster_scoped(id)) return "";
    return *id->ns ? id->ns : "default";
}

uint64_t resid_hash(const resid *id)
{
    char buf[1024];
    size_t n = 0;
    const char *parts[5] = {id->group, id->version, id->kind, resid_effective_ns(id), id->name};
    for (int i = 0; i < 5; i++) {
        size_t len = strlen(parts[i]) + 1; /* keep the NUL as a separator */
        if (n + len > sizeof buf) len = sizeof buf - n;
        memcpy(buf + n, parts[i], len);
        n += len;
    }
    return XXH3_64bits(buf, n);
}

int resid_equal(const resid *a, const resid *b)
{
    return !strcmp(a->kind, b->kind) && !strcmp(a->name, b->name) && !strcmp(a->group, b->group) &&
           !strcmp(a->version, b->version) && !strcmp(resid_effective_ns(a), resid_effective_ns(b));
}

int resid_same(const resid *a, const resid *b)
{
    return resid_equal(a, b) && !strcmp(a->ns, b->ns);
}

const char *resid_string(arena *a, const resid *id)
{
    return arena_printf(a, "%s_%s_%s|%s|%s", *id->group ? id->group : "~G", *id->version ? id->version : "~V",
                        *id->kind ? id->kind : "~K", *id->ns ? id->ns : "~X", *id->name ? id->name : "~N");
}

const char *resid_display(arena *a, const resid *id)
{
    return arena_printf(a, "%s%s%s/%s%s%s", *id->group ? id->group : "", *id->group ? "/" : "", id->kind, id->name,
                        *id->ns ? " in namespace " : "", id->ns);
}

static void index_insert(resmap *m, size_t pos)
{
    size_t mask = m->nslots - 1;
    size_t i = m->v[pos]->idhash & mask;
    while (m->slots[i]) i = (i + 1) & mask;
    m->slots[i] = (uint32_t)pos + 1;
}

void resmap_reindex(resmap *m)
{
    size_t want = 64;
    while (want < m->n * 2 + 2) want *= 2;
    if (want != m->nslots) {
        free(m->slots);
        m->slots = malloc(want * sizeof *m->slots);
        if (!m->slots) abort();
        m->nslots = want;
    }
    memset(m->slots, 0, m->nslots * sizeof *m->slots);
    for (size_t i = 0; i < m->n; i++) index_insert(m, i);
}

long resmap_match_at(const resmap *m, const resid *id, size_t *step)
{
    if (!m->nslots) return -1;
    uint64_t h = resid_hash(id);
    size_t mask = m->nslots - 1;
    for (size_t i = (h + *step) & mask; m->slots[i]; i = (i + 1) & mask) {
        ++*step;
        long pos = (long)m->slots[i] - 1;
        if (m->v[pos]->idhash == h && resid_equal(&m->v[pos]->id, id)) return pos;
    }
    return -1;
}

resource *resmap_find(const resmap *m, const resid *id)
{
    size_t step = 0;
    long pos = resmap_match_at(m, id, &step);
    return pos < 0 ? NULL : m->v[pos];
}

void resmap_push(resmap *m, resource *r)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 64;
        m->v = realloc(m->v, m->cap * sizeof *m->v);
        if (!m->v) abort();
    }
    m->v[m->n++] = r;
    if (m->nslots < m->n * 2 + 2) resmap_reindex(m);
    else index_insert(m, m->n - 1);
}

int resmap_append(arena *a, resmap *m, resource *r)
{
    resource *old = resmap_find(m, &r->id);
    if (old)
        return err_set("may not add resource with an already registered id: %s (from %s; first from %s)",
                       resid_display(a, &r->id), r->origin ? r->origin : "generated",
                       old->origin ? old->origin : "generated");
    resmap_push(m, r);
    return 0;
}

int resmap_check_unique(arena *a, resmap *m)
{
    for (size_t i = 0; i < m->n; i++) resource_refresh_id(m->v[i]);
    resmap_reindex(m);
    for (size_t i = 0; i < m->n; i++) {
        const resource *r = m->v[i], *old = resmap_find(m, &r->id);
        if (old != r)
            return err_set("may not add resource with an already registered id: %s (two objects end up with this id; "
                           "from %s and from %s)",
                           resid_display(a, &r->id), old->origin ? old->origin : "generated",
                           r->origin ? r->origin : "generated");
    }
    return 0;
}

void resmap_remove_at(resmap *m, size_t i)
{
    memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof *m->v);
    m->n--;
    resmap_reindex(m);
}

void resmap_free(resmap *m)
{
    free(m->v);
    free(m->slots);
    memset(m, 0, sizeof *m);
}
