/* Where objects carry images: the field specs of src/data/image-fields.yaml
 * (every container list of every workload kind, the common operators'
 * custom resources, images in operator arguments), a kustomization's own
 * `configurations` images specs, and with any_field every string field named
 * `image`. Each use keeps its object and field path for messages and
 * `images -o json`, which is why this walks paths itself instead of through
 * fieldspec_walk (which hands out slots, not paths). CRDs are skipped, as
 * kustomize's images transformer skips them. */
#include "images.h"
#include "embed.h"
#include "err.h"
#include "fieldspec.h"
#include "kyaml.h"
#include <stdlib.h>
#include <string.h>

struct finder {
    arena *a;
    image_uses *out;
    resource *r;
    int deployed;
    strbuf path;
    /* slots already seen in this object (several specs may reach the same field;
     * objects may share subtrees, so the set starts empty for each) */
    node ***seen;
    size_t nseen_slots, nseen;
};

static int seen_before(struct finder *f, node **slot)
{
    if (2 * (f->nseen + 1) > f->nseen_slots) {
        size_t n = f->nseen_slots ? f->nseen_slots * 2 : 256;
        node ***v = calloc(n, sizeof *v);
        for (size_t i = 0; i < f->nseen_slots; i++) {
            if (!f->seen[i]) continue;
            size_t h = ((uintptr_t)f->seen[i] >> 3) & (n - 1);
            while (v[h]) h = (h + 1) & (n - 1);
            v[h] = f->seen[i];
        }
        free(f->seen);
        f->seen = v;
        f->nseen_slots = n;
    }
    size_t h = ((uintptr_t)slot >> 3) & (f->nseen_slots - 1);
    for (; f->seen[h]; h = (h + 1) & (f->nseen_slots - 1))
        if (f->seen[h] == slot) return 1;
    f->seen[h] = slot;
    f->nseen++;
    return 0;
}

static void push_use(struct finder *f, const image_use *u)
{
    image_uses *l = f->out;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        l->v = arena_grow(f->a, l->v, l->cap * sizeof *l->v, cap * sizeof *l->v);
        l->cap = cap;
    }
    l->v[l->n++] = *u;
}

static int visit(struct finder *f, node **slot, const char *arg_prefix)
{
    const char *text = node_text(*slot);
    if (!text || (*slot)->kind == N_NULL) return 0;
    if (arg_prefix && strncmp(text, arg_prefix, strlen(arg_prefix))) return 0;
    if (seen_before(f, slot)) return 0;
    image_use u = {.r = f->r, .slot = slot, .arg_prefix = arg_prefix, .deployed = (unsigned)f->deployed};
    u.field = arena_strndup(f->a, f->path.buf, f->path.len);
    u.original = arg_prefix ? text + strlen(arg_prefix) : text;
    u.rewritten = u.original;
    if (imageref_normalize(f->a, u.original, &u.ref) < 0)
        return err_prefix("%s: %s (%s)", resid_display(f->a, &f->r->id), u.field, node_pos(f->a, *slot));
    u.mirror = u.ref;
    push_use(f, &u);
    return 0;
}

/* Appends ".key" (or ['key'] when the key holds '.' or '/'); returns the old length. */
static size_t path_push_key(strbuf *p, const char *key)
{
    size_t old = p->len;
    if (strpbrk(key, "./")) sb_addf(p, "['%s']", key);
    else sb_addf(p, "%s%s", p->len ? "." : "", key);
    return old;
}

static void path_pop(strbuf *p, size_t len)
{
    p->len = len;
    if (p->buf) p->buf[len] = 0;
}

static int walk(struct finder *f, const fieldspec *fs, const char *arg_prefix, node **slot, uint32_t depth)
{
    node *cur = *slot;
    if (depth == fs->npath && cur->kind != N_SEQ) return visit(f, slot, arg_prefix);
    if (cur->kind == N_SEQ) {
        /* sequences on the way (and a list of values at the end) are walked element by element */
        for (uint32_t i = 0; i < cur->u.seq.n; i++) {
            size_t old = f->path.len;
            sb_addf(&f->path, "[%u]", i);
            int rc = walk(f, fs, arg_prefix, &cur->u.seq.items[i], depth);
            path_pop(&f->path, old);
            if (rc < 0) return -1;
        }
        return 0;
    }
    if (cur->kind != N_MAP) return 0;
    int idx = map_index(cur, fs->path[depth]);
    if (idx < 0) return 0;
    size_t old = path_push_key(&f->path, fs->path[depth]);
    int rc = walk(f, fs, arg_prefix, &cur->u.map.items[idx].val, depth + 1);
    path_pop(&f->path, old);
    return rc;
}

/* ---- hubs: HUB/NAME:TAG images of a resource that names only hub and tag ---- */

/* The slot at a plain a/b/c path of mappings, or NULL. */
static node **slot_at(arena *a, node **slot, const char *path)
{
    for (const char *p = path ? path : ""; slot && *p;) {
        size_t n = strcspn(p, "/");
        int idx = (*slot)->kind == N_MAP ? map_index(*slot, arena_strndup(a, p, n)) : -1;
        slot = idx < 0 ? NULL : &(*slot)->u.map.items[idx].val;
        p += n + (p[n] == '/');
    }
    return slot;
}

static int hub_image(struct finder *f, const node *spec, node **hub, const char *tag, const char *name)
{
    image_use u = {.r = f->r, .slot = hub, .deployed = (unsigned)f->deployed};
    u.hub_suffix = arena_printf(f->a, "/%s:%s", name, tag);
    char *field = arena_printf(f->a, "%s (+%s)", node_get_str(spec, "hub", NULL), u.hub_suffix);
    for (char *c = field; *c && *c != ' '; c++)
        if (*c == '/') *c = '.';
    u.field = field;
    u.original = u.rewritten = arena_printf(f->a, "%s%s", node_text(*hub), u.hub_suffix);
    if (imageref_normalize(f->a, u.original, &u.ref) < 0)
        return err_prefix("%s: %s (%s)", resid_display(f->a, &f->r->id), u.field, node_pos(f->a, *hub));
    u.mirror = u.ref;
    push_use(f, &u);
    return 0;
}

static int find_hubs(struct finder *f, const node *hubs)
{
    for (uint32_t i = 0; hubs && hubs->kind == N_SEQ && i < hubs->u.seq.n; i++) {
        const node *h = hubs->u.seq.items[i];
        const char *kind = node_get_str(h, "kind", NULL), *group = node_get_str(h, "group", NULL);
        if (!kind || strcmp(kind, f->r->id.kind) || strcmp(group ? group : "", f->r->id.group)) continue;
        node **hub = slot_at(f->a, &f->r->obj, node_get_str(h, "hub", NULL));
        node **tag = slot_at(f->a, &f->r->obj, node_get_str(h, "tag", NULL));
        if (!hub || !tag || !node_text(*hub) || !node_text(*tag) || (*hub)->kind == N_NULL) continue;
        const node *names = map_get(h, "images"), *when = map_get(h, "when");
        for (uint32_t j = 0; names && j < names->u.seq.n; j++)
            if (hub_image(f, h, hub, node_text(*tag), node_text(names->u.seq.items[j])) < 0) return -1;
        for (uint32_t j = 0; when && j < when->u.seq.n; j++) {
            node **on = slot_at(f->a, &f->r->obj, node_get_str(when->u.seq.items[j], "path", NULL));
            if (on && node_is_true(*on) &&
                hub_image(f, h, hub, node_text(*tag), node_get_str(when->u.seq.items[j], "image", NULL)) < 0)
                return -1;
        }
    }
    return 0;
}

/* --any-image-field: every string named image, anywhere in the object. */
static int walk_any(struct finder *f, node **slot)
{
    node *cur = *slot;
    if (cur->kind == N_SEQ) {
        for (uint32_t i = 0; i < cur->u.seq.n; i++) {
            size_t old = f->path.len;
            sb_addf(&f->path, "[%u]", i);
            int rc = walk_any(f, &cur->u.seq.items[i]);
            path_pop(&f->path, old);
            if (rc < 0) return -1;
        }
        return 0;
    }
    for (uint32_t i = 0; cur->kind == N_MAP && i < cur->u.map.n; i++) {
        node_pair *p = &cur->u.map.items[i];
        size_t old = path_push_key(&f->path, p->key->u.str.s);
        int rc = !strcmp(p->key->u.str.s, "image") && p->val->kind == N_STR ? visit(f, &p->val, NULL)
                                                                            : walk_any(f, &p->val);
        path_pop(&f->path, old);
        if (rc < 0) return -1;
    }
    return 0;
}

/* Helm never installs test hooks (helm.sh/hook: test, test-success, test-failure). */
static int is_helm_test(const resource *r)
{
    const char *hook = node_get_str(r->obj, "metadata", "annotations", "helm.sh/hook", NULL);
    for (const char *p = hook; p && *p;) {
        while (*p == ' ' || *p == ',') p++;
        size_t n = strcspn(p, ",");
        while (n && p[n - 1] == ' ') n--;
        if (n >= 4 && !strncmp(p, "test", 4)) return 1;
        p += strcspn(p, ",");
    }
    return 0;
}

static int load_specs(arena *a, const node *extra, fieldspecs *builtin, fieldspecs *more, const node **hubs)
{
    const struct embedded_file *ef = embedded_find("image-fields.yaml");
    node *doc = NULL;
    if (!ef) return err_set("image-fields.yaml is not embedded");
    if (yaml_load_one(a, "image-fields.yaml", ef->data, ef->size, &doc) < 0) return -1;
    if (fieldspecs_compile(a, map_get(doc, "images"), builtin) < 0) return -1;
    *hubs = map_get(doc, "hubs");
    return fieldspecs_compile(a, extra, more);
}

static int find_in(struct finder *f, const fieldspecs *fss)
{
    for (size_t i = 0; i < fss->n; i++) {
        const fieldspec *fs = &fss->v[i];
        if (!fs->npath || !fieldspec_selects(fs, &f->r->id)) continue;
        const char *prefix = node_get_str(fs->src, "argPrefix", NULL);
        if (walk(f, fs, prefix && *prefix ? prefix : NULL, &f->r->obj, 0) < 0) return -1;
    }
    return 0;
}

int images_find(arena *a, resmap *rm, const node *extra, int any_field, image_uses *out)
{
    fieldspecs builtin, more;
    const node *hubs = NULL;
    if (load_specs(a, extra, &builtin, &more, &hubs) < 0) return -1;
    struct finder f = {.a = a, .out = out};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < rm->n; i++) {
        f.r = rm->v[i];
        if (!strcmp(f.r->id.kind, "CustomResourceDefinition")) continue;
        f.deployed = !is_helm_test(f.r);
        if (f.seen) memset(f.seen, 0, f.nseen_slots * sizeof *f.seen);
        f.nseen = 0;
        rc = find_in(&f, &builtin);
        if (rc == 0) rc = find_in(&f, &more);
        if (rc == 0) rc = find_hubs(&f, hubs);
        if (rc == 0 && any_field) rc = walk_any(&f, &f.r->obj);
    }
    free(f.seen);
    sb_release(&f.path);
    return rc;
}
