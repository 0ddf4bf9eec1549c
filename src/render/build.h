/* The build: a kustomization directory in, an ordered list of objects out.
 *
 * Per kustomization level (kustomize's order): accumulate resources (each
 * base fully built first), load configurations and crds, run generators,
 * apply components, then the built-in transformers in the order of the
 * table in builtins.c, then custom transformers and validators.
 * At the top level only: hash suffixes, name-reference fix-ups, vars,
 * dropping local-config objects, sorting, stripping bookkeeping. */
#ifndef KG_BUILD_H
#define KG_BUILD_H
#include "arena.h"
#include "node.h"
#include "resource.h"
#include "strbuf.h"

/* Field-spec categories (kustomize's transformer configuration). */
enum fs_category {
    FS_NAMEPREFIX, FS_NAMESUFFIX, FS_NAMESPACE, FS_COMMONLABELS, FS_TEMPLATELABELS,
    FS_COMMONANNOTATIONS, FS_IMAGES, FS_REPLICAS, FS_NAMEREFERENCE, FS_VARREFERENCE,
    FS_LABELS, /* `labels:` in configurations files: extra specs for `labels` entries (none built in) */
    FS_NCATEGORIES
};

/* Transformer configuration: one sequence node of field specs per category
 * (nameReference entries keep kustomize's {kind, fieldSpecs} shape). */
typedef struct tconfig {
    node *cat[FS_NCATEGORIES];
} tconfig;

struct build;
struct kust;
typedef struct build_options {
    int load_restrict_none;    /* --load-restrictor LoadRestrictionsNone */
    int enable_helm;           /* --enable-helm */
    const char *helm_command;  /* --helm-command */
    /* Runs on the built, sorted top-level objects before buildMetadata and
     * output: Plugin resources are expanded here (src/plugins); NULL keeps them. */
    int (*expand)(struct build *b, struct kust *top, struct resmap *rm, void *ctx);
    void *expand_ctx;
    /* Runs on the final objects before they are written (src/images: registry
     * rewrite, image lists); no_emit: the command wants only that. */
    int (*post_build)(void *ctx, struct kust *k, resmap *rm);
    void *post_build_ctx;
    int no_emit;
} build_options;

/* What the image pass (src/images) cannot see in the objects, noted by the
 * plugin expansion: an image the output carries and the source it was
 * rewritten from (global.imageRegistry), or, with r set (the Plugin), an
 * image its chart declares in Chart.yaml annotations. */
typedef struct image_note {
    struct resource *r;        /* NULL: only where image came from */
    const char *field;         /* r's: "Chart.yaml annotations['helm.sh/images'][0].image" */
    const char *image;         /* as the output names it */
    const char *source;        /* as the chart wrote it */
} image_note;

typedef struct build {
    arena *a;
    build_options opt;
    strlist visiting;          /* kustomization roots being built, for cycle errors */
    node *top_kustomization;
    const char *top_dir;
    tconfig *defaults;         /* built-in field specs, parsed once (tconfig_default) */
    const char *remote_root;   /* clone dir while building inside a git clone: bases stay inside */
    struct smp_schema *smp_schema; /* merge schema in force (smp_schema.c), like kyaml's global */
    image_note *image_notes;   /* in the arena */
    size_t nimage_notes, capimage_notes;
} build;

/* One kustomization level being built. */
typedef struct kust {
    build *b;
    const char *dir;           /* its directory (as a path usable with open) */
    const char *realdir;       /* canonical directory, for the load restrictor */
    const char *file;          /* the kustomization file */
    node *k;                   /* the parsed kustomization */
    int is_component;
    tconfig *tc;               /* field specs in force at this level */
    node_list *vars;           /* vars declared at this level and below */
} kust;

/* A built-in transformer or generator: the same shape as kustomize's
 * builtin configs (PrefixSuffixTransformer, LabelTransformer, ...),
 * so kustomization fields and `transformers:` entries share one code path. */
typedef int (*builtin_fn)(kust *k, node *config, resmap *rm);

struct builtin {
    const char *kind;
    builtin_fn fn;
    int is_generator;
};
const struct builtin *builtin_find(const char *kind);

/* Builds the kustomization in dir; output in kustomize's format into out. */
int build_run(const char *dir, const build_options *opt, strbuf *out);
/* Builds into rm (unsorted bookkeeping kept); for subcommands that need objects. */
int build_resmap(build *b, const char *dir, resmap *rm);
/* Everything build_run does but printing: the objects it would print, in
 * order, in rm, allocated in b->a (set b->a and b->opt; the caller frees). */
int build_objects(build *b, const char *dir, resmap *rm);
/* Appends a note for the image pass. */
void build_note_image(build *b, image_note n);
/* Removes objects annotated config.kubernetes.io/local-config: "true". */
void drop_local_config(resmap *rm);

/* rel resolved against the kustomization's directory (absolute paths kept). */
const char *kust_path(kust *k, const char *rel);
/* Loads a file relative to the kustomization, honouring the load restrictor. */
int kust_read_file(kust *k, const char *rel, const node *where, strbuf *out, const char **fullpath);
/* The same file read as kustomize reads its configuration files (sigs.k8s.io/yaml:
 * yaml_load_one_v2): *doc (NULL when empty) and the full path. */
int kust_read_yaml_v2(kust *k, const char *rel, const node *where, node **doc, const char **fullpath);
/* Parses objects (expanding kind: List) from YAML text into resources appended to rm. */
int kust_load_objects(kust *k, const char *file, const char *buf, size_t len, resmap *rm);

/* Field specs */
tconfig *tconfig_new(arena *a);      /* empty */
tconfig *tconfig_default(build *b); /* kustomize's built-in tables, parsed once per build; never modify */
/* Merges a configurations-file mapping (or a CRD-derived one) into tc. */
int tconfig_merge_node(arena *a, tconfig *tc, const node *config, const char *file);
/* kustomize's FsSlice.MergeAll: appends src's field specs that dst does not
 * already cover ("conflicting fieldspecs" when only `create` differs). */
int fieldspecs_merge(arena *a, node *dst, const node *src);
/* kustomize's TransformerConfig.Merge: src's specs that dst does not already cover. */
int tconfig_merge(arena *a, tconfig *dst, const tconfig *src);

/* Sorting (sort.c) */
int sort_resources(arena *a, resmap *rm, const node *sort_options);
/* kyaml's typeOrders rank of a kind (Gvk.IsLessThan's first key): negative
 * for the kinds ordered first, positive for those ordered last, else 0. */
int sort_kind_rank(const char *kind);

/* Top-level steps implemented by later modules. */
int hash_suffix_apply(kust *k, resmap *rm);
int namereference_fix(kust *k, resmap *rm);
int vars_resolve(kust *k, resmap *rm);

#endif
