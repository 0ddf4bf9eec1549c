/* Transformer configuration: the field-spec tables in force at a level.
 * Defaults are kustomize's built-in tables (embedded from src/data);
 * `configurations:` files and bases' configurations add to them. */
#include "build.h"
#include "embed.h"
#include "err.h"
#include "yaml.h"
#include <string.h>

static const char *const category_keys[FS_NCATEGORIES] = {
    [FS_NAMEPREFIX] = "namePrefix",           [FS_NAMESUFFIX] = "nameSuffix",
    [FS_NAMESPACE] = "namespace",             [FS_COMMONLABELS] = "commonLabels",
    [FS_TEMPLATELABELS] = "templateLabels",   [FS_COMMONANNOTATIONS] = "commonAnnotations",
    [FS_IMAGES] = "images",                   [FS_REPLICAS] = "replicas",
    [FS_NAMEREFERENCE] = "nameReference",     [FS_VARREFERENCE] = "varReference",
    [FS_LABELS] = "labels",
};

static const char *const category_files[FS_NCATEGORIES] = {
    [FS_NAMEPREFIX] = "fieldspecs/nameprefix.yaml",         [FS_NAMESUFFIX] = "fieldspecs/namesuffix.yaml",
    [FS_NAMESPACE] = "fieldspecs/namespace.yaml",           [FS_COMMONLABELS] = "fieldspecs/commonlabels.yaml",
    [FS_TEMPLATELABELS] = "fieldspecs/templatelabels.yaml", [FS_COMMONANNOTATIONS] = "fieldspecs/commonannotations.yaml",
    [FS_IMAGES] = "fieldspecs/images.yaml",                 [FS_REPLICAS] = "fieldspecs/replicas.yaml",
    [FS_NAMEREFERENCE] = "fieldspecs/namereference.yaml",   [FS_VARREFERENCE] = "fieldspecs/varreference.yaml",
};

static int seq_contains(const node *seq, const node *v)
{
    for (uint32_t i = 0; i < seq->u.seq.n; i++)
        if (node_equal(seq->u.seq.items[i], v)) return 1;
    return 0;
}

/* nameReference entries merge by target kind: their fieldSpecs are unioned. */
static node *find_nameref_entry(const node *seq, const node *entry)
{
    const char *kind = node_get_str(entry, "kind", NULL);
    const char *group = node_get_str(entry, "group", NULL);
    const char *version = node_get_str(entry, "version", NULL);
    for (uint32_t i = 0; i < seq->u.seq.n; i++) {
        node *e = seq->u.seq.items[i];
        const char *k2 = node_get_str(e, "kind", NULL), *g2 = node_get_str(e, "group", NULL),
                   *v2 = node_get_str(e, "version", NULL);
        if (!strcmp(kind ? kind : "", k2 ? k2 : "") && !strcmp(group ? group : "", g2 ? g2 : "") &&
            !strcmp(version ? version : "", v2 ? v2 : ""))
            return e;
    }
    return NULL;
}

static void merge_category(arena *a, int cat, node *dst, const node *src)
{
    for (uint32_t i = 0; i < src->u.seq.n; i++) {
        node *e = src->u.seq.items[i];
        if (cat == FS_NAMEREFERENCE) {
            node *have = find_nameref_entry(dst, e);
            if (have) {
                node *fs = map_get(have, "fieldSpecs");
                node *add = map_get(e, "fieldSpecs");
                if (!fs || fs->kind != N_SEQ) {
                    fs = node_new(a, N_SEQ);
                    map_set(a, have, "fieldSpecs", fs);
                }
                for (uint32_t j = 0; add && add->kind == N_SEQ && j < add->u.seq.n; j++)
                    if (!seq_contains(fs, add->u.seq.items[j])) seq_push(a, fs, add->u.seq.items[j]);
                continue;
            }
            seq_push(a, dst, node_clone(a, e));
            continue;
        }
        if (!seq_contains(dst, e)) seq_push(a, dst, e);
    }
}

int tconfig_merge_node(arena *a, tconfig *tc, const node *config, const char *file)
{
    if (config->kind != N_MAP) return err_set("%s: a configurations file must be a YAML mapping", file);
    for (uint32_t i = 0; i < config->u.map.n; i++) {
        const char *key = config->u.map.items[i].key->u.str.s;
        node *val = config->u.map.items[i].val;
        int cat = -1;
        for (int c = 0; c < FS_NCATEGORIES; c++)
            if (!strcmp(key, category_keys[c])) cat = c;
        if (cat < 0) {
            /* kustomize accepts (and ignores) unknown sections, e.g. custom plugin configs. */
            continue;
        }
        if (val->kind == N_NULL) continue;
        if (val->kind != N_SEQ)
            return err_set("%s: '%s' must be a list of field specs", node_pos(a, val), key);
        merge_category(a, cat, tc->cat[cat], val);
    }
    return 0;
}

/* Parsed once per arena: every level clones it. */
tconfig *tconfig_default(arena *a)
{
    static arena *cached_for;
    static tconfig *cached;
    if (cached_for == a && cached) return cached;
    tconfig *tc = arena_zalloc(a, sizeof *tc);
    for (int c = 0; c < FS_NCATEGORIES; c++) {
        tc->cat[c] = node_new(a, N_SEQ);
        const struct embedded_file *f = category_files[c] ? embedded_find(category_files[c]) : NULL;
        node *doc = NULL;
        if (f && yaml_load_one(a, category_files[c], f->data, f->size, &doc) == 0 && doc)
            tconfig_merge_node(a, tc, doc, category_files[c]);
    }
    cached_for = a;
    cached = tc;
    return tc;
}

tconfig *tconfig_clone(arena *a, const tconfig *tc)
{
    tconfig *c = arena_zalloc(a, sizeof *c);
    for (int i = 0; i < FS_NCATEGORIES; i++) c->cat[i] = node_clone(a, tc->cat[i]);
    return c;
}

void tconfig_merge(arena *a, tconfig *dst, const tconfig *src)
{
    for (int c = 0; c < FS_NCATEGORIES; c++) merge_category(a, c, dst->cat[c], src->cat[c]);
}
