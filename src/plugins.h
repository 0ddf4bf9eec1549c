/* The built-in transformers and generators. Each lives in its own file as a
 * pair: configure_X turns this level's kustomization fields into plugin
 * configs (kustomize's builtin plugin shapes), plugin_X applies one config to
 * the objects. plugins.c holds the one table that orders them. */
#ifndef KG_PLUGINS_H
#define KG_PLUGINS_H
#include "build.h"

typedef int (*configure_fn)(kust *k, node_list *configs);

/* Runs this level's generators (fields, then `generators:`). */
int run_generators(kust *k, resmap *rm);
/* Runs this level's built-in transformers in kustomize's order, then
 * `transformers:` and `validators:`. */
int run_transformers(kust *k, resmap *rm);
/* Loads the plugin configs named by a generators/transformers/validators list
 * (files, directories built as kustomizations, or inline objects). */
int load_plugin_configs(kust *k, node *list, node_list *configs);

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
node *plugin_config_new(kust *k, const char *kind, const char *name);

#define DECLARE_PLUGIN(x) \
    int configure_##x(kust *k, node_list *configs); \
    int plugin_##x(kust *k, node *config, resmap *rm);

DECLARE_PLUGIN(patches_sm)        /* PatchStrategicMergeTransformer: patchesStrategicMerge */
DECLARE_PLUGIN(patches)           /* PatchTransformer: patches */
DECLARE_PLUGIN(namespace)         /* NamespaceTransformer: namespace */
DECLARE_PLUGIN(prefix)            /* PrefixTransformer: namePrefix */
DECLARE_PLUGIN(suffix)            /* SuffixTransformer: nameSuffix */
DECLARE_PLUGIN(labels)            /* LabelTransformer: commonLabels, labels */
DECLARE_PLUGIN(annotations)       /* AnnotationsTransformer: commonAnnotations */
DECLARE_PLUGIN(patches_json6902)  /* PatchJson6902Transformer: patchesJson6902 */
DECLARE_PLUGIN(replicas)          /* ReplicaCountTransformer: replicas */
DECLARE_PLUGIN(images)            /* ImageTagTransformer: images */
DECLARE_PLUGIN(replacements)      /* ReplacementTransformer: replacements */
DECLARE_PLUGIN(configmaps)        /* ConfigMapGenerator: configMapGenerator */
DECLARE_PLUGIN(secrets)           /* SecretGenerator: secretGenerator */
DECLARE_PLUGIN(helm)              /* HelmChartInflationGenerator: helmCharts */

int plugin_prefix_suffix(kust *k, node *config, resmap *rm); /* PrefixSuffixTransformer */
int plugin_iampolicy(kust *k, node *config, resmap *rm);     /* IAMPolicyGenerator (g_iampolicy.c) */

#endif
