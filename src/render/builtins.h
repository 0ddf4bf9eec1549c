/* kustomize's built-in transformers and generators ("builtins"; kustomize
 * calls them builtin plugins, a word kgrender keeps for Plugin resources).
 * Each lives in its own file as a pair: configure_X turns this level's
 * kustomization fields into builtin configs (kustomize's builtin plugin
 * shapes), builtin_X applies one config to the objects. builtins.c holds the
 * one table that orders them. */
#ifndef KG_BUILTINS_H
#define KG_BUILTINS_H
#include "build.h"

typedef int (*configure_fn)(kust *k, node_list *configs);

/* Runs this level's generators (fields, then `generators:`). */
int run_generators(kust *k, resmap *rm);
/* Runs this level's built-in transformers in kustomize's order, then
 * `transformers:` and `validators:`. */
int run_transformers(kust *k, resmap *rm);
/* Loads the builtin configs named by a generators/transformers/validators list
 * (files, directories built as kustomizations, or inline objects). */
int load_builtin_configs(kust *k, node *list, node_list *configs);

/* Top-level finishing: managed-by label, origin annotations, bookkeeping removal. */
int finish_build_metadata(kust *k, resmap *rm);
/* After a transformer config ran (builtin: from this level's fields, else a
 * `transformers:` entry): buildMetadata transformerAnnotations records it on every object. */
int buildmeta_transformed(kust *k, const node *config, int builtin, resmap *rm);
/* crds: field (name references from x-kubernetes-object-ref annotations). */
int crds_load(kust *k);
/* vars: collect this level's declarations (resolved at the top). */
int vars_collect(kust *k, resmap *rm);

/* Helper for configure functions: a new config map with apiVersion/kind/metadata.name set. */
node *builtin_config_new(kust *k, const char *kind, const char *name);

#define DECLARE_BUILTIN(x) \
    int configure_##x(kust *k, node_list *configs); \
    int builtin_##x(kust *k, node *config, resmap *rm);

DECLARE_BUILTIN(patches_sm)        /* PatchStrategicMergeTransformer: patchesStrategicMerge */
DECLARE_BUILTIN(patches)           /* PatchTransformer: patches */
DECLARE_BUILTIN(namespace)         /* NamespaceTransformer: namespace */
DECLARE_BUILTIN(prefix)            /* PrefixTransformer: namePrefix */
DECLARE_BUILTIN(suffix)            /* SuffixTransformer: nameSuffix */
DECLARE_BUILTIN(labels)            /* LabelTransformer: commonLabels, labels */
DECLARE_BUILTIN(annotations)       /* AnnotationsTransformer: commonAnnotations */
DECLARE_BUILTIN(patches_json6902)  /* PatchJson6902Transformer: patchesJson6902 */
DECLARE_BUILTIN(replicas)          /* ReplicaCountTransformer: replicas */
DECLARE_BUILTIN(images)            /* ImageTagTransformer: images */
DECLARE_BUILTIN(replacements)      /* ReplacementTransformer: replacements */
DECLARE_BUILTIN(configmaps)        /* ConfigMapGenerator: configMapGenerator */
DECLARE_BUILTIN(secrets)           /* SecretGenerator: secretGenerator */
DECLARE_BUILTIN(helm)              /* HelmChartInflationGenerator: helmCharts */

int builtin_prefix_suffix(kust *k, node *config, resmap *rm); /* PrefixSuffixTransformer */
int builtin_iampolicy(kust *k, node *config, resmap *rm);     /* IAMPolicyGenerator (g_iampolicy.c) */
int builtin_valueadd(kust *k, node *config, resmap *rm);      /* ValueAddTransformer (t_valueadd.c) */
int builtin_hash(kust *k, node *config, resmap *rm);          /* HashTransformer (hashsuffix.c) */

/* kustomize's namespace filter with no field specs (metadata.namespace unless
 * cluster-scoped, default RoleBinding subjects), as ValueAddTransformer runs
 * it for a metadata/namespace target. The caller refreshes r's id. */
int namespace_filter(arena *a, resource *r, const char *ns);

#endif
