/* buildMetadata (managedByLabel, originAnnotations, transformerAnnotations)
 * and removal of the build's own bookkeeping before output. As kustomize,
 * the top-level kustomization's buildMetadata governs every level. */
#include "build.h"
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
    const char *r = arena_strdup(a, sb.buf);
    sb_release(&sb);
    return r;
}

static void add_origin(kust *k, resource *r)
{
    arena *a = k->b->a;
    strbuf sb = STRBUF_INIT;
    if (r->generated && r->configured_by_kind) {
        sb_addf(&sb, "configuredIn: %s\nconfiguredBy:\n  apiVersion: builtin\n  kind: %s\n",
                relative_path(a, k->b->top_dir, r->configured_in), r->configured_by_kind);
        if (r->configured_by_name) sb_addf(&sb, "  name: %s\n", r->configured_by_name);
    } else if (r->origin && r->origin[0] != '(') {
        sb_addf(&sb, "path: %s\n", relative_path(a, k->b->top_dir, r->origin));
    }
    if (sb.len) {
        node *anns = map_ensure_map(a, map_ensure_map(a, r->obj, "metadata"), "annotations");
        map_set(a, anns, "config.kubernetes.io/origin", node_new_strn(a, sb.buf, sb.len));
    }
    sb_release(&sb);
}

/* Drops bookkeeping annotations (and origin/transformation records unless
 * asked for). kustomize rewrites every object's annotations through a
 * map[string]string on the way out, so values become strings (mappings and
 * lists empty ones), keys are written plain (a "3" key then makes kustomize
 * fail) and an annotations field left empty disappears. */
static void strip_annotations(arena *a, resource *r, int origins, int transformations)
{
    node *md = map_get(r->obj, "metadata");
    node *anns = map_get(md, "annotations");
    if (anns && anns->kind == N_MAP) {
        for (const char *const *key = build_annotations; *key; key++) map_del(anns, *key);
        if (!origins) map_del(anns, ORIGIN_KEY);
        if (!transformations) map_del(anns, TRANSFORMATIONS_KEY);
        for (uint32_t i = 0; i < anns->u.map.n; i++) {
            node **v = &anns->u.map.items[i].val, *key = anns->u.map.items[i].key;
            if (scalar_plain_key_not_str(a, key->u.str.s, key->u.str.len)) key->flags |= NF_KEY_NOT_STR;
            if ((*v)->kind == N_STR && !((*v)->flags & NF_TIMESTAMP)) continue;
            node *s = node_new_str(a, node_text(*v) ? node_text(*v) : "");
            node_set_pos(s, *v);
            *v = s;
        }
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
        if (origins) add_origin(k, r);
    }
    return 0;
}

/* kustomize records each transformer as a YAML list item appended to the
 * transformations annotation of every object, as soon as it has run. */
int buildmeta_transformed(kust *k, const node *config, int builtin, resmap *rm)
{
    arena *a = k->b->a;
    if (!has_option(map_get(k->b->top_kustomization, "buildMetadata"), "transformerAnnotations")) return 0;
    const char *file = !builtin && config->file ? config->file : k->file;
    strbuf sb = STRBUF_INIT;
    sb_addf(&sb, "- configuredIn: %s\n  configuredBy:\n", relative_path(a, k->b->top_dir, file));
    const char *av = node_get_str(config, "apiVersion", NULL), *kind = node_get_str(config, "kind", NULL);
    if (av && *av) sb_addf(&sb, "    apiVersion: %s\n", av);
    if (kind && *kind) sb_addf(&sb, "    kind: %s\n", kind);
    const char *name = node_get_str(config, "metadata", "name", NULL);
    const char *ns = node_get_str(config, "metadata", "namespace", NULL);
    if (!builtin && name && *name) sb_addf(&sb, "    name: %s\n", name);
    if (!builtin && ns && *ns) sb_addf(&sb, "    namespace: %s\n", ns);
    for (size_t i = 0; i < rm->n; i++) {
        node *anns = map_ensure_map(a, map_ensure_map(a, rm->v[i]->obj, "metadata"), "annotations");
        const char *old = node_text(map_get(anns, TRANSFORMATIONS_KEY));
        map_set(a, anns, TRANSFORMATIONS_KEY, node_new_str(a, arena_printf(a, "%s%s", old ? old : "", sb.buf)));
    }
    sb_release(&sb);
    return 0;
}
