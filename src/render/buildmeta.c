/* buildMetadata (managedByLabel, originAnnotations, transformerAnnotations)
 * and removal of the build's own bookkeeping before output. As kustomize,
 * the top-level kustomization's buildMetadata governs every level. */
#include "buildmeta.h"
#include "meta.h"
#include "err.h"
#include "scalar.h"
#include "builtins.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* What `kubectl kustomize` (kustomize v5.5.0 built into kubectl, without
 * release version stamping) writes; the standalone binary says kustomize-v5.5.0. */
#define MANAGED_BY_VALUE "kustomize-(devel)"
#define ORIGIN_KEY "config.kubernetes.io/origin"
#define TRANSFORMATIONS_KEY "alpha.config.kubernetes.io/transformations"
#define INTERNAL "internal.config.kubernetes.io/"

/* Annotations kustomize and kyaml use as bookkeeping, always removed from
 * the output (resource.BuildAnnotations in kustomize). */
static const char *const build_annotations[] = {
    "internal.config.kubernetes.io/previousKinds", "internal.config.kubernetes.io/previousNames",
    "internal.config.kubernetes.io/prefixes", "internal.config.kubernetes.io/suffixes",
    "internal.config.kubernetes.io/previousNamespaces", "internal.config.kubernetes.io/allowNameChange",
    "internal.config.kubernetes.io/allowKindChange", "internal.config.kubernetes.io/refBy",
    "internal.config.kubernetes.io/generatorBehavior", "internal.config.kubernetes.io/needsHashSuffix",
    "internal.config.kubernetes.io/path", "config.kubernetes.io/path", "internal.config.kubernetes.io/index",
    "config.kubernetes.io/index", "internal.config.kubernetes.io/seqindent", "internal.config.kubernetes.io/id",
    "config.k8s.io/id", "internal.config.kubernetes.io/annotations-migration-resource-id", NULL};

static int has_option(const node *bm, const char *opt)
{
    for (uint32_t i = 0; bm && bm->kind == N_SEQ && i < bm->u.seq.n; i++) {
        const char *s = node_text(bm->u.seq.items[i]);
        if (s && !strcmp(s, opt)) return 1;
    }
    return 0;
}

/* Path of file relative to dir, both made canonical. */
static const char *relative_path(arena *a, const char *dir, const char *file)
{
    char d[PATH_MAX], f[PATH_MAX];
    if (!realpath(dir, d) || !realpath(file, f)) return file;
    size_t common = 0, i = 0;
    while (d[i] && d[i] == f[i]) {
        if (d[i] == '/') common = i;
        i++;
    }
    if (!d[i] && f[i] == '/') common = i;
    strbuf sb = STRBUF_INIT;
    for (const char *p = d + common; *p; p++)
        if (*p == '/') sb_adds(&sb, "../");
    sb_adds(&sb, f + common + 1);
    const char *r = arena_strdup(a, sb.buf ? sb.buf : "");
    sb_release(&sb);
    return r;
}

/* kustomize tracks origins whenever buildMetadata has any option. */
static int buildmeta_on(kust *k)
{
    node *bm = map_get(k->b->top_kustomization, "buildMetadata");
    return bm && bm->kind == N_SEQ && bm->u.seq.n;
}

/* The origin annotation's text for r ("" when it has none). */
static void origin_text(kust *k, const resource *r, strbuf *sb)
{
    arena *a = k->b->a;
    if (r->generated && r->configured_by_kind) {
        sb_addf(sb, "configuredIn: %s\nconfiguredBy:\n  apiVersion: builtin\n  kind: %s\n",
                relative_path(a, k->b->top_dir, r->configured_in), r->configured_by_kind);
        if (r->configured_by_name) sb_addf(sb, "  name: %s\n", r->configured_by_name);
    } else if (r->origin && r->origin[0] != '(') {
        sb_addf(sb, "path: %s\n", relative_path(a, k->b->top_dir, r->origin));
    }
}

static void add_origin(kust *k, resource *r)
{
    arena *a = k->b->a;
    strbuf sb = STRBUF_INIT;
    origin_text(k, r, &sb);
    if (sb.len) {
        node *anns = map_ensure_map(a, map_ensure_map(a, r->obj, "metadata"), "annotations");
        map_set(a, anns, ORIGIN_KEY, node_new_strn(a, sb.buf, sb.len));
    }
    sb_release(&sb);
}

/* The internal annotations kustomize would have on r now. */
static void internal_annotations(kust *k, const resource *r, bookkeeping *bk)
{
    arena *a = k->b->a;
    static const char *const prev_keys[3] = {INTERNAL "previousKinds", INTERNAL "previousNames",
                                             INTERNAL "previousNamespaces"};
    for (int f = 0; f < 3 && r->nprev; f++) {
        strbuf sb = STRBUF_INIT;
        for (uint32_t i = 0; i < r->nprev; i++) {
            const resid *id = &r->prev[i];
            const char *ns = resid_effective_ns(id); /* StorePreviousId: EffectiveNamespace */
            const char *v = f == 0 ? id->kind : f == 1 ? id->name : *ns ? ns : "_non_namespaceable_";
            sb_addf(&sb, "%s%s", i ? "," : "", v);
        }
        bk->keys[bk->n] = prev_keys[f];
        bk->vals[bk->n++] = arena_strdup(a, sb.buf ? sb.buf : "");
        sb_release(&sb);
    }
    const strlist *affixes[2] = {&r->prefixes, &r->suffixes};
    for (int f = 0; f < 2; f++) {
        if (!affixes[f]->n) continue;
        strbuf sb = STRBUF_INIT;
        for (uint32_t i = 0; i < affixes[f]->n; i++) sb_addf(&sb, "%s%s", i ? "," : "", affixes[f]->v[i]);
        bk->keys[bk->n] = f ? INTERNAL "suffixes" : INTERNAL "prefixes";
        bk->vals[bk->n++] = arena_strdup(a, sb.buf ? sb.buf : "");
        sb_release(&sb);
    }
    const char *gk = r->generated ? r->configured_by_kind : NULL;
    if (gk && (!strcmp(gk, "ConfigMapGenerator") || !strcmp(gk, "SecretGenerator"))) {
        static const char *const behaviors[] = {"unspecified", "create", "merge", "replace"};
        bk->keys[bk->n] = INTERNAL "generatorBehavior";
        bk->vals[bk->n++] = behaviors[r->behavior];
    }
    if (r->needs_hash) {
        bk->keys[bk->n] = INTERNAL "needsHashSuffix";
        bk->vals[bk->n++] = "enabled";
    }
}

void buildmeta_enter(kust *k, resource *r, bookkeeping *bk)
{
    arena *a = k->b->a;
    memset(bk, 0, sizeof *bk);
    node *md = map_get(r->obj, "metadata");
    if (!md || md->kind != N_MAP) return;
    bk->made = !map_get(md, "annotations");
    if (buildmeta_on(k) && !r->origin_in_tree) {
        add_origin(k, r);
        r->origin_in_tree = 1;
    }
    internal_annotations(k, r, bk);
    if (!bk->n) return;
    node *anns = map_ensure_map(a, md, "annotations"); /* kustomize's SetAnnotations replaces a non-map */
    for (int i = 0; i < bk->n; i++) map_set(a, anns, bk->keys[i], node_new_str(a, bk->vals[i]));
}

static const char *ann_text(const node *anns, const char *key)
{
    return node_strval(map_get(anns, key));
}

static int changed(const node *anns, const bookkeeping *bk, const char *key)
{
    const char *now = ann_text(anns, key), *was = NULL;
    for (int i = 0; i < bk->n; i++)
        if (!strcmp(bk->keys[i], key)) was = bk->vals[i];
    return !now != !was || (now && strcmp(now, was));
}

/* kustomize's comma-separated annotation lists (getCsvAnnotation). */
static uint32_t split_csv(arena *a, const char *s, const char ***out)
{
    uint32_t n = 1;
    for (const char *p = s; *p; p++) n += *p == ',';
    *out = arena_alloc(a, n * sizeof **out);
    uint32_t i = 0;
    for (const char *p = s;; p++) {
        const char *e = strchr(p, ',');
        (*out)[i++] = arena_strndup(a, p, e ? (size_t)(e - p) : strlen(p));
        if (!e) break;
        p = e;
    }
    return n;
}

/* kustomize's PrevIds: the current group and version with the recorded
 * kinds, names and namespaces (lists of different lengths: none). */
static void read_prev_ids(kust *k, resource *r, const node *anns)
{
    arena *a = k->b->a;
    const char *kinds = ann_text(anns, INTERNAL "previousKinds"), *names = ann_text(anns, INTERNAL "previousNames"),
               *nss = ann_text(anns, INTERNAL "previousNamespaces");
    r->nprev = 0;
    if (!kinds || !names || !nss) return;
    const char **kv, **nv, **sv;
    uint32_t n = split_csv(a, kinds, &kv);
    if (split_csv(a, names, &nv) != n || split_csv(a, nss, &sv) != n) return;
    for (uint32_t i = 0; i < n; i++) {
        resid id = r->id;
        id.kind = kv[i];
        id.name = nv[i];
        id.ns = strcmp(sv[i], "_non_namespaceable_") ? sv[i] : "";
        resource_push_prev(a, r, &id);
    }
}

static void read_affixes(kust *k, strlist *l, const char *text)
{
    memset(l, 0, sizeof *l);
    if (!text) return;
    const char **v;
    uint32_t n = split_csv(k->b->a, text, &v);
    for (uint32_t i = 0; i < n; i++) strlist_push(k->b->a, l, v[i]);
}

static void read_back(kust *k, resource *r, const node *anns, const bookkeeping *bk)
{
    if (changed(anns, bk, INTERNAL "previousKinds") || changed(anns, bk, INTERNAL "previousNames") ||
        changed(anns, bk, INTERNAL "previousNamespaces"))
        read_prev_ids(k, r, anns);
    if (changed(anns, bk, INTERNAL "prefixes")) read_affixes(k, &r->prefixes, ann_text(anns, INTERNAL "prefixes"));
    if (changed(anns, bk, INTERNAL "suffixes")) read_affixes(k, &r->suffixes, ann_text(anns, INTERNAL "suffixes"));
    if (changed(anns, bk, INTERNAL "needsHashSuffix")) {
        const char *v = ann_text(anns, INTERNAL "needsHashSuffix");
        r->needs_hash = v && !strcmp(v, "enabled");
    }
    if (changed(anns, bk, INTERNAL "generatorBehavior")) {
        const char *v = ann_text(anns, INTERNAL "generatorBehavior");
        r->behavior = !v ? BEHAVIOR_NONE : !strcmp(v, "create") ? BEHAVIOR_CREATE : !strcmp(v, "merge") ? BEHAVIOR_MERGE
                    : !strcmp(v, "replace") ? BEHAVIOR_REPLACE : BEHAVIOR_NONE;
    }
}

void buildmeta_leave(kust *k, resource *r, bookkeeping *bk, int flags)
{
    node *md = r->obj ? map_get(r->obj, "metadata") : NULL;
    node *anns = map_get(md, "annotations");
    if (anns && anns->kind != N_MAP) anns = NULL;
    if (flags & BK_READBACK) read_back(k, r, anns, bk);
    for (int i = 0; anns && i < bk->n; i++) map_del(anns, bk->keys[i]);
    if (anns && !anns->u.map.n && (bk->made || (flags & BK_DROP_EMPTY))) map_del(md, "annotations");
}

/* kustomize's SetAnnotations: the annotations go through a
 * map[string]string and back, so values become new string nodes (mappings
 * and lists empty ones) in NewStringRNode's style (scalar_new_string), no longer shared
 * with labels or selectors (NF_ALIASED), a !!binary one as its base64 text, in a block
 * mapping, and keys are written plain (a "3" key then makes kustomize fail). */
static void annotations_as_strings(arena *a, node *anns)
{
    anns->flags &= ~(unsigned)NF_FLOW;
    for (uint32_t i = 0; i < anns->u.map.n; i++) {
        node **v = &anns->u.map.items[i].val, *key = anns->u.map.items[i].key;
        if (scalar_plain_key_not_str(a, key->u.str.s, key->u.str.len)) key->flags |= NF_KEY_NOT_STR;
        if (scalar_is_new_string(*v) && !((*v)->flags & NF_BINARY)) continue;
        node *s = node_text(*v) ? scalar_new_string(a, (*v)->u.str.s, (*v)->u.str.len) : scalar_new_string(a, "", 0);
        node_set_pos(s, *v);
        *v = s;
    }
}

/* Drops bookkeeping annotations (and origin/transformation records unless
 * asked for). kustomize rewrites every object's annotations on the way out
 * (annotations_as_strings); an annotations field left empty disappears. */
static void strip_annotations(arena *a, resource *r, int origins, int transformations)
{
    node *md = map_get(r->obj, "metadata");
    node *anns = map_get(md, "annotations");
    if (anns && anns->kind == N_MAP) {
        for (const char *const *key = build_annotations; *key; key++) map_del(anns, *key);
        if (!origins) map_del(anns, ORIGIN_KEY);
        if (!transformations) map_del(anns, TRANSFORMATIONS_KEY);
        annotations_as_strings(a, anns);
    }
    if (anns && (anns->kind != N_MAP || anns->u.map.n == 0)) map_del(md, "annotations");
}

int finish_build_metadata(kust *k, resmap *rm)
{
    arena *a = k->b->a;
    node *bm = map_get(k->k, "buildMetadata");
    int managed = has_option(bm, "managedByLabel");
    int origins = has_option(bm, "originAnnotations");
    int transformations = has_option(bm, "transformerAnnotations");
    for (size_t i = 0; i < rm->n; i++) {
        resource *r = rm->v[i];
        strip_annotations(a, r, origins, transformations);
        if (managed) {
            node *labels = map_ensure_map(a, map_ensure_map(a, r->obj, "metadata"), "labels");
            map_set(a, labels, "app.kubernetes.io/managed-by", node_new_str(a, MANAGED_BY_VALUE));
        }
        if (origins && !r->origin_in_tree) add_origin(k, r);
    }
    return 0;
}

/* After each transformer, kustomize's AddTransformerAnnotation: an object
 * without an origin annotation (a patch removed it) takes the transformer
 * as its origin; the others record it as a YAML list item appended to the
 * transformations annotation. */
int buildmeta_transformed(kust *k, const node *config, int builtin, resmap *rm)
{
    arena *a = k->b->a;
    if (!buildmeta_on(k)) return 0;
    const char *file = !builtin && config->file ? config->file : k->file;
    strbuf sb = STRBUF_INIT, item = STRBUF_INIT;
    sb_addf(&sb, "configuredIn: %s\nconfiguredBy:\n", relative_path(a, k->b->top_dir, file));
    const char *av = node_get_str(config, "apiVersion", NULL), *kind = node_get_str(config, "kind", NULL);
    if (av && *av) sb_addf(&sb, "  apiVersion: %s\n", av);
    if (kind && *kind) sb_addf(&sb, "  kind: %s\n", kind);
    const char *name = node_get_str(config, "metadata", "name", NULL);
    const char *ns = node_get_str(config, "metadata", "namespace", NULL);
    if (!builtin && name && *name) sb_addf(&sb, "  name: %s\n", name);
    if (!builtin && ns && *ns) sb_addf(&sb, "  namespace: %s\n", ns);
    for (const char *p = sb.buf; *p; p++) { /* the same origin as a list item */
        if (p == sb.buf || p[-1] == '\n') sb_adds(&item, p == sb.buf ? "- " : "  ");
        sb_addc(&item, *p);
    }
    for (size_t i = 0; i < rm->n; i++) {
        resource *r = rm->v[i];
        node *md = map_ensure_map(a, r->obj, "metadata");
        /* SetOrigin and AddTransformation rewrite all annotations (SetAnnotations) */
        if (meta_rebuild_string_map(a, md, "annotations", 1) < 0) return -1;
        node *anns = map_ensure_map(a, md, "annotations");
        if (r->origin_in_tree && !map_get(anns, ORIGIN_KEY)) {
            map_set(a, anns, ORIGIN_KEY, node_new_strn(a, sb.buf, sb.len));
        } else {
            const char *old = node_text(map_get(anns, TRANSFORMATIONS_KEY));
            map_set(a, anns, TRANSFORMATIONS_KEY, node_new_str(a, arena_printf(a, "%s%s", old ? old : "", item.buf)));
        }
        annotations_as_strings(a, anns); /* both through SetAnnotations */
    }
    sb_release(&sb);
    sb_release(&item);
    return 0;
}
