/* Transformer configuration: the field-spec tables in force at a level.
 * As in kustomize, a level's own configuration is its `configurations:`
 * files with the built-in tables (embedded from src/data) merged in after
 * them (so a custom spec shadows a built-in one it covers), and what a
 * level uses is its bases' configurations merged with its own. */
#include "build.h"
#include "embed.h"
#include "err.h"
#include "gosort.h"
#include "kyaml.h"
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

static const char *gvk_field(const node *spec, const char *key)
{
    const char *v = node_get_str(spec, key, NULL);
    return v ? v : "";
}

static int spec_create(const node *spec)
{
    const node *c = map_get(spec, "create");
    return node_is_true(c);
}

/* kustomize's FieldSpec.effectivelyEquals: same path, and the incoming
 * spec's group/version/kind (empty = any) select the existing one's. */
static int effectively_equal(const node *existing, const node *incoming)
{
    /* path first: it tells most specs apart */
    static const char *const keys[] = {"path", "kind", "group", "version"};
    for (int i = 0; i < 4; i++) {
        const char *in = gvk_field(incoming, keys[i]);
        if ((*in || i == 0) && strcmp(gvk_field(existing, keys[i]), in)) return 0;
    }
    return 1;
}

/* FsSlice.MergeOne: a spec already covered is dropped; one that differs only
 * in `create` is a conflict. */
static int merge_spec(arena *a, node *dst, node *spec, uint32_t hint)
{
    /* Fast path: levels mostly merge the very same spec nodes in the same
     * order (the built-in tables), so look where it would be first. */
    if (hint < dst->u.seq.n && dst->u.seq.items[hint] == spec) return 0;
    for (uint32_t i = 0; i < dst->u.seq.n; i++) {
        if (!effectively_equal(dst->u.seq.items[i], spec)) continue;
        if (spec_create(dst->u.seq.items[i]) != spec_create(spec))
            return err_set("%s: conflicting fieldspecs for path '%s'", node_pos(a, spec), gvk_field(spec, "path"));
        return 0;
    }
    seq_push(a, dst, spec);
    return 0;
}

/* nameReference entries merge by exact target group/version/kind; their
 * referrer field specs merge like any other field specs. */
static node *find_nameref_entry(const node *seq, const node *entry)
{
    for (uint32_t i = 0; i < seq->u.seq.n; i++) {
        node *e = seq->u.seq.items[i];
        if (!strcmp(gvk_field(e, "kind"), gvk_field(entry, "kind")) &&
            !strcmp(gvk_field(e, "group"), gvk_field(entry, "group")) &&
            !strcmp(gvk_field(e, "version"), gvk_field(entry, "version")))
            return e;
    }
    return NULL;
}

/* A new seq holding the same item pointers (specs are never modified). */
static node *seq_copy(arena *a, const node *seq)
{
    node *c = node_new(a, N_SEQ);
    for (uint32_t i = 0; seq && seq->kind == N_SEQ && i < seq->u.seq.n; i++) seq_push(a, c, seq->u.seq.items[i]);
    return c;
}

/* premerged: entry comes from a tconfig, so its field specs are already
 * free of ones covering each other and can be taken as they are. */
static int merge_nameref(arena *a, node *dst, node *entry, int premerged)
{
    node *add = map_get(entry, "fieldSpecs");
    node *have = find_nameref_entry(dst, entry);
    if (!have) {
        have = node_new(a, N_MAP);
        for (uint32_t i = 0; i < entry->u.map.n; i++)
            if (strcmp(entry->u.map.items[i].key->u.str.s, "fieldSpecs"))
                map_set(a, have, entry->u.map.items[i].key->u.str.s, entry->u.map.items[i].val);
        node_set_pos(have, entry);
        map_set(a, have, "fieldSpecs", premerged ? seq_copy(a, add) : node_new(a, N_SEQ));
        seq_push(a, dst, have);
        if (premerged) return 0;
    }
    node *fs = map_get(have, "fieldSpecs");
    if (!fs || fs->kind != N_SEQ) {
        fs = node_new(a, N_SEQ);
        map_set(a, have, "fieldSpecs", fs);
    }
    for (uint32_t j = 0; add && add->kind == N_SEQ && j < add->u.seq.n; j++)
        if (merge_spec(a, fs, add->u.seq.items[j], j) < 0) return -1;
    return 0;
}

int fieldspecs_merge(arena *a, node *dst, const node *src)
{
    for (uint32_t i = 0; src && src->kind == N_SEQ && i < src->u.seq.n; i++)
        if (merge_spec(a, dst, src->u.seq.items[i], i) < 0) return -1;
    return 0;
}

static int merge_category(arena *a, int cat, node *dst, const node *src, int premerged)
{
    if (premerged && cat != FS_NAMEREFERENCE && dst->u.seq.n == 0) {
        /* Merging a merged list into nothing keeps it as it is. */
        for (uint32_t i = 0; i < src->u.seq.n; i++) seq_push(a, dst, src->u.seq.items[i]);
        return 0;
    }
    for (uint32_t i = 0; i < src->u.seq.n; i++) {
        node *e = src->u.seq.items[i];
        if (e->kind != N_MAP) return err_set("%s: a field spec must be a mapping", node_pos(a, e));
        if ((cat == FS_NAMEREFERENCE ? merge_nameref(a, dst, e, premerged) : merge_spec(a, dst, e, i)) < 0)
            return -1;
    }
    return 0;
}

struct spec_sort {
    node **items;
    int *rank;
    const char **gvk; /* group_version_kind with ~G ~V ~K for empty fields */
};

/* Gvk.IsLessThan: kinds ordered first or last by rank, the rest by their g_v_k. */
static int spec_less(void *ctx, int i, int j)
{
    struct spec_sort *s = ctx;
    if (s->rank[i] != s->rank[j]) return s->rank[i] < s->rank[j];
    return strcmp(s->gvk[i], s->gvk[j]) < 0;
}

static void spec_swap(void *ctx, int i, int j)
{
    struct spec_sort *s = ctx;
    node *n = s->items[i];
    int r = s->rank[i];
    const char *g = s->gvk[i];
    s->items[i] = s->items[j], s->rank[i] = s->rank[j], s->gvk[i] = s->gvk[j];
    s->items[j] = n, s->rank[j] = r, s->gvk[j] = g;
}

static const char *or_mark(const char *v, const char *mark)
{
    return *v ? v : mark;
}

/* TransformerConfig.sortFields, which kustomize runs on every table it
 * loads and after every merge: sort.Sort by the specs' (for nameReference:
 * the referenced kind's) Gvk.IsLessThan. Not a stable sort, so ties (the
 * specs of one kind) end up in the order Go's algorithm leaves them, which
 * decides which place a label transformer visits first. */
static void sort_category(arena *a, node *seq)
{
    int n = seq ? (int)seq->u.seq.n : 0; /* tconfig_default loads its tables one by one */
    if (n < 2) return;
    struct spec_sort s = {seq->u.seq.items, arena_alloc(a, n * sizeof(int)), arena_alloc(a, n * sizeof(char *))};
    for (int i = 0; i < n; i++) {
        const node *e = s.items[i];
        s.rank[i] = sort_kind_rank(gvk_field(e, "kind"));
        s.gvk[i] = arena_printf(a, "%s_%s_%s", or_mark(gvk_field(e, "group"), "~G"),
                                or_mark(gvk_field(e, "version"), "~V"), or_mark(gvk_field(e, "kind"), "~K"));
    }
    go_sort(&(go_sorter){&s, spec_less, spec_swap}, n);
}

static void sort_fields(arena *a, tconfig *tc)
{
    for (int c = 0; c < FS_NCATEGORIES; c++) sort_category(a, tc->cat[c]);
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
            /* kustomize accepts (and ignores) unknown sections, e.g. custom builtin configs. */
            continue;
        }
        if (val->kind == N_NULL) continue;
        if (val->kind != N_SEQ)
            return err_set("%s: '%s' must be a list of field specs", node_pos(a, val), key);
        if (merge_category(a, cat, tc->cat[cat], val, 0) < 0) return -1;
    }
    sort_fields(a, tc);
    return 0;
}

/* Parsed once per arena: every level clones it. */
tconfig *tconfig_default(build *b)
{
    if (b->defaults) return b->defaults;
    arena *a = b->a;
    tconfig *tc = arena_zalloc(a, sizeof *tc);
    for (int c = 0; c < FS_NCATEGORIES; c++) {
        tc->cat[c] = node_new(a, N_SEQ);
        const struct embedded_file *f = category_files[c] ? embedded_find(category_files[c]) : NULL;
        node *doc = NULL;
        if (f && yaml_load_one(a, category_files[c], f->data, f->size, &doc) == 0 && doc)
            tconfig_merge_node(a, tc, doc, category_files[c]);
    }
    b->defaults = tc;
    return tc;
}

tconfig *tconfig_new(arena *a)
{
    tconfig *tc = arena_zalloc(a, sizeof *tc);
    for (int c = 0; c < FS_NCATEGORIES; c++) tc->cat[c] = node_new(a, N_SEQ);
    return tc;
}

int tconfig_merge(arena *a, tconfig *dst, const tconfig *src)
{
    for (int c = 0; c < FS_NCATEGORIES; c++)
        if (merge_category(a, c, dst->cat[c], src->cat[c], 1) < 0) return -1;
    sort_fields(a, dst);
    return 0;
}
