/* The merge schema and kyaml's rules for which schema is in force.
 *
 * kyaml keeps one global schema. SetSchema (run for the top kustomization
 * with reset, before anything else, then for every base and component right
 * after it is loaded, without reset) records either a built-in version or a
 * custom document; only the first setting sticks unless the top level resets
 * it. The schema is parsed lazily on first use (initSchema): the custom
 * document alone when one is set, else the built-in one. Definitions
 * accumulate and never go away. One quirk matters in practice: loading an
 * object whose apiVersion and kind are not in kyaml's scope table before a
 * base or component sets a custom schema makes kyaml parse its built-in
 * schema too, and that one then wins over the custom one (golden cases
 * patch-openapi-*); objects loaded after the setting do not, so a custom
 * schema leaves the built-in kinds without merge keys. */
#include "smp_schema.h"
#include "embed.h"
#include "err.h"
#include "kyaml.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define BUILTIN_VERSION "v1.21.2"

/* String-keyed hash table (open addressing) of schema nodes. */
typedef struct strtab {
    const char **keys;
    sch **vals;
    size_t n, cap;
} strtab;

static size_t tab_slot(const strtab *t, const char *key)
{
    size_t mask = t->cap - 1, i = XXH3_64bits(key, strlen(key)) & mask;
    while (t->keys[i] && strcmp(t->keys[i], key)) i = (i + 1) & mask;
    return i;
}

static sch *tab_get(const strtab *t, const char *key)
{
    if (!t->cap || !key) return NULL;
    size_t i = tab_slot(t, key);
    return t->keys[i] ? t->vals[i] : NULL;
}

static void tab_put(arena *a, strtab *t, const char *key, sch *val)
{
    if (t->n * 2 + 2 > t->cap) {
        strtab old = *t;
        t->cap = old.cap ? old.cap * 2 : 256;
        t->keys = arena_zalloc(a, t->cap * sizeof *t->keys);
        t->vals = arena_zalloc(a, t->cap * sizeof *t->vals);
        t->n = 0;
        for (size_t i = 0; i < old.cap; i++)
            if (old.keys[i]) tab_put(a, t, old.keys[i], old.vals[i]);
    }
    size_t i = tab_slot(t, key);
    if (!t->keys[i]) t->n++;
    t->keys[i] = key;
    t->vals[i] = val;
}

static const char *gvk_key(arena *a, const char *apiversion, const char *kind)
{
    return arena_printf(a, "%s %s", apiversion, kind);
}

static void add_prop(arena *a, sch *s, const char *name, sch *val)
{
    uint32_t n = s->nprops;
    if ((n & (n - 1)) == 0) /* capacity doubles at powers of two */
        s->props = arena_grow(a, s->props, n * sizeof *s->props, (n ? n * 2 : 4) * sizeof *s->props);
    s->props[n].name = name;
    s->props[n].s = val;
    s->nprops++;
}

/* ---- built-in schema (embedded merge-schema.txt), parsed once per process ---- */

static struct {
    arena *a;
    strtab defs, gvks;
} builtin;

static sch *builtin_def(const char *name)
{
    sch *s = tab_get(&builtin.defs, name);
    if (!s) {
        s = arena_zalloc(builtin.a, sizeof *s);
        tab_put(builtin.a, &builtin.defs, arena_strdup(builtin.a, name), s);
    }
    return s;
}

static sch *ref_to(arena *a, const char *def)
{
    if (!strcmp(def, "-")) return NULL;
    sch *s = arena_zalloc(a, sizeof *s);
    s->ref = arena_strdup(a, def);
    builtin_def(def); /* every referenced definition exists, even without fields */
    return s;
}

static void split_keys(arena *a, const char *text, sch *s)
{
    if (!strcmp(text, "-")) return;
    uint32_t n = 1;
    for (const char *p = text; *p; p++) n += *p == ',';
    s->keys = arena_alloc(a, n * sizeof *s->keys);
    const char *p = text;
    for (uint32_t i = 0; i < n; i++) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        s->keys[i] = arena_strndup(a, p, len);
        p += len + 1;
    }
    s->nkeys = n;
}

static int has_merge(const char *strategy)
{
    for (const char *p = strategy; p && *p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (len == 5 && !strncmp(p, "merge", 5)) return 1;
        p += len + (e ? 1 : 0);
    }
    return 0;
}

/* "field DEF FIELD KIND ELEMENT KEYS STRATEGY" */
static void builtin_field(char **w)
{
    arena *a = builtin.a;
    sch *def = builtin_def(w[1]), *f;
    if (!strcmp(w[3], "object")) {
        f = ref_to(a, w[4]);
        if (!f) return;
    } else {
        f = arena_zalloc(a, sizeof *f);
        if (!strcmp(w[3], "list")) {
            f->is_array = 1;
            f->items = ref_to(a, w[4]);
        } else if (!strcmp(w[3], "map")) {
            f->addl = ref_to(a, w[4]);
            if (!f->addl) f->addl = arena_zalloc(a, sizeof *f->addl);
        }
        f->merge = (uint8_t)has_merge(w[6]);
        split_keys(a, w[5], f);
    }
    add_prop(a, def, arena_strdup(a, w[2]), f);
}

static void builtin_load(void)
{
    if (builtin.a) return;
    builtin.a = arena_new(); /* process lifetime */
    const struct embedded_file *ef = embedded_find("merge-schema.txt");
    char *text = arena_strdup(builtin.a, ef ? ef->data : "");
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *w[8] = {0};
        int n = 0;
        for (char *p = line; *p && n < 8;) {
            while (*p == ' ') *p++ = 0;
            if (!*p) break;
            w[n++] = p;
            while (*p && *p != ' ') p++;
        }
        if (n == 4 && !strcmp(w[0], "gvk"))
            tab_put(builtin.a, &builtin.gvks, gvk_key(builtin.a, w[1], w[2]), builtin_def(w[3]));
        else if (n == 7 && !strcmp(w[0], "field"))
            builtin_field(w);
    }
}

/* ---- custom schema documents (kustomization `openapi: {path: ...}`) ---- */

static sch *sch_from_node(arena *a, const node *n)
{
    sch *s = arena_zalloc(a, sizeof *s);
    if (!n || n->kind != N_MAP) return s;
    const char *ref = node_get_str(n, "$ref", NULL);
    if (ref) s->ref = !strncmp(ref, "#/definitions/", 14) ? ref + 14 : ref;
    node *type = map_get(n, "type");
    const char *t = node_text(type);
    if (type && type->kind == N_SEQ && type->u.seq.n == 1) t = node_text(type->u.seq.items[0]);
    s->is_array = t && !strcmp(t, "array");
    const char *strategy = node_get_str(n, "x-kubernetes-patch-strategy", NULL);
    if (strategy) {
        s->merge = (uint8_t)has_merge(strategy);
        node *lk = map_get(n, "x-kubernetes-list-map-keys");
        const char *mk = node_get_str(n, "x-kubernetes-patch-merge-key", NULL);
        if (lk && lk->kind == N_SEQ) {
            s->keys = arena_alloc(a, (lk->u.seq.n + 1) * sizeof *s->keys);
            for (uint32_t i = 0; i < lk->u.seq.n; i++)
                if (node_text(lk->u.seq.items[i])) s->keys[s->nkeys++] = node_text(lk->u.seq.items[i]);
        } else if (mk) {
            s->keys = arena_alloc(a, sizeof *s->keys);
            s->keys[s->nkeys++] = mk;
        }
    }
    node *props = map_get(n, "properties");
    for (uint32_t i = 0; props && props->kind == N_MAP && i < props->u.map.n; i++)
        add_prop(a, s, props->u.map.items[i].key->u.str.s, sch_from_node(a, props->u.map.items[i].val));
    node *addl = map_get(n, "additionalProperties");
    if (addl && addl->kind == N_MAP) s->addl = sch_from_node(a, addl);
    node *items = map_get(n, "items");
    if (items && items->kind == N_MAP) s->items = sch_from_node(a, items);
    return s;
}

struct smp_schema {
    arena *a;
    int set;                  /* a version or a custom document was recorded */
    node *custom;             /* the custom document in force, or NULL */
    int builtin_seen;         /* an object outside the scope table was loaded before any setting */
    int init;                 /* parsed since the last setting */
    int builtin_on;           /* built-in definitions loaded */
    int custom_wins;          /* custom definitions loaded after the built-in ones */
    strtab cdefs, cgvks;
    const node **seen;        /* kustomizations whose openapi field was applied */
    uint32_t nseen;
};

static void custom_load(smp_schema *ss)
{
    node *defs = map_get(ss->custom, "definitions");
    for (uint32_t i = 0; defs && defs->kind == N_MAP && i < defs->u.map.n; i++) {
        const char *name = defs->u.map.items[i].key->u.str.s;
        node *d = defs->u.map.items[i].val;
        sch *s = sch_from_node(ss->a, d);
        tab_put(ss->a, &ss->cdefs, name, s);
        node *gvks = map_get(d, "x-kubernetes-group-version-kind");
        for (uint32_t j = 0; gvks && gvks->kind == N_SEQ && j < gvks->u.seq.n; j++) {
            node *g = gvks->u.seq.items[j];
            const char *group = node_get_str(g, "group", NULL), *version = node_get_str(g, "version", NULL);
            const char *kind = node_get_str(g, "kind", NULL);
            if (!version || !kind) continue;
            const char *av = group && *group ? arena_printf(ss->a, "%s/%s", group, version) : version;
            tab_put(ss->a, &ss->cgvks, gvk_key(ss->a, av, kind), s);
        }
    }
}

void smp_schema_note_object(kust *k, const resid *id)
{
    smp_schema *ss = smp_schema_get(k);
    if (!ss->set && !ss->builtin_seen && !resid_scope_known(id)) ss->builtin_seen = 1;
}

void smp_schema_init(smp_schema *ss)
{
    if (ss->init) return;
    ss->init = 1;
    if (!ss->custom) {
        ss->builtin_on = 1;
        ss->custom_wins = 0;
        return;
    }
    custom_load(ss);
    ss->custom_wins = 1;
    if (!ss->builtin_on && ss->builtin_seen) {
        ss->builtin_on = 1;
        ss->custom_wins = 0;
    }
}

/* kyaml's SetSchema for one kustomization level. */
static int set_schema(smp_schema *ss, kust *k, int reset)
{
    arena *a = k->b->a;
    node *oa = map_get(k->k, "openapi");
    if (!oa || oa->kind != N_MAP) return 0;
    const char *path = node_get_str(oa, "path", NULL), *version = node_get_str(oa, "version", NULL);
    node *doc = NULL;
    if (path) {
        strbuf sb = STRBUF_INIT;
        const char *full;
        int rc = kust_read_file(k, path, map_get(oa, "path"), &sb, &full);
        if (rc == 0) rc = yaml_load_one(a, full, sb.buf, sb.len, &doc);
        sb_release(&sb);
        if (rc < 0) return err_prefix("%s: openapi", node_pos(a, oa));
    }
    if (ss->set && !reset) return 0;
    if (path) {
        if (version)
            return err_set("%s: openapi: builtin version and custom schema provided, cannot use both",
                           node_pos(a, oa));
        ss->custom = doc ? doc : node_new(a, N_MAP);
        ss->set = 1;
        ss->init = 0;
        return 0;
    }
    if (!version || !*version) return 0;
    if (strcmp(version, BUILTIN_VERSION))
        return err_set("%s: openapi: the specified OpenAPI version is not built in (only %s is)",
                       node_pos(a, map_get(oa, "version")), BUILTIN_VERSION);
    ss->custom = NULL;
    ss->set = 1;
    ss->init = 0;
    return 0;
}

static int seen(smp_schema *ss, const node *kn)
{
    for (uint32_t i = 0; i < ss->nseen; i++)
        if (ss->seen[i] == kn) return 1;
    uint32_t n = ss->nseen;
    if ((n & (n - 1)) == 0)
        ss->seen = arena_grow(ss->a, ss->seen, n * sizeof *ss->seen, (n ? n * 2 : 4) * sizeof *ss->seen);
    ss->seen[ss->nseen++] = kn;
    return 0;
}

smp_schema *smp_schema_get(kust *k)
{
    builtin_load();
    build *b = k->b;
    if (b->smp_schema) return b->smp_schema;
    smp_schema *ss = arena_zalloc(b->a, sizeof *ss);
    ss->a = b->a;
    b->smp_schema = ss;
    /* kustomize applies the top kustomization's field first, with reset. */
    if (b->top_kustomization && !seen(ss, b->top_kustomization)) {
        char buf[PATH_MAX];
        kust top = {.b = b, .dir = b->top_dir, .k = b->top_kustomization};
        top.realdir = realpath(b->top_dir, buf) ? arena_strdup(ss->a, buf) : b->top_dir;
        if (set_schema(ss, &top, 1) < 0) ss->nseen = 0; /* reported again by the top level's own call */
    }
    return ss;
}

int smp_schema_configure(kust *k)
{
    smp_schema *ss = smp_schema_get(k);
    if (seen(ss, k->k)) return 0;
    return set_schema(ss, k, k->k == k->b->top_kustomization);
}

static const sch *def_lookup(const smp_schema *ss, const strtab *btab, const strtab *ctab, const char *key)
{
    const sch *s = NULL;
    if (ss->custom_wins || !ss->builtin_on) {
        s = tab_get(ctab, key);
        if (!s && ss->builtin_on) s = tab_get(btab, key);
    } else {
        s = tab_get(btab, key);
        if (!s) s = tab_get(ctab, key);
    }
    return s;
}

static const sch *resolve(const smp_schema *ss, const sch *s)
{
    for (int i = 0; s && s->ref && i < 64; i++) s = def_lookup(ss, &builtin.defs, &ss->cdefs, s->ref);
    return s && s->ref ? NULL : s;
}

const sch *sch_for_type(const smp_schema *ss, const char *apiversion, const char *kind)
{
    if (!apiversion || !*apiversion || !kind || !*kind) return NULL;
    char key[512];
    snprintf(key, sizeof key, "%s %s", apiversion, kind);
    return def_lookup(ss, &builtin.gvks, &ss->cgvks, key);
}

const sch *sch_field(const smp_schema *ss, const sch *s, const char *name)
{
    s = resolve(ss, s);
    if (!s) return NULL;
    for (uint32_t i = 0; i < s->nprops; i++)
        if (!strcmp(s->props[i].name, name)) return resolve(ss, s->props[i].s);
    return s->addl ? resolve(ss, s->addl) : NULL;
}

const sch *sch_elements(const smp_schema *ss, const sch *s)
{
    s = resolve(ss, s);
    if (!s || !s->is_array || !s->items) return NULL;
    return resolve(ss, s->items);
}
