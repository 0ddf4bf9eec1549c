/* The Go types kustomize v5.5.0 decodes kustomization files and builtin
 * configs into (sigs.k8s.io/kustomize/api/types and the builtin plugins of
 * api/internal/builtins), as the decoder in godecode.c needs them: JSON
 * names in declaration order (embedded structs flattened, as encoding/json
 * sees them), Go types, and the type names Go's messages print. Checked
 * against `kubectl kustomize`'s "cannot unmarshal ... of type ..." and
 * "unknown field" errors field by field. */
#include "godecode.h"
#include <string.h>

#define SCALAR(id, kind, name) static const gotype id = {kind, name, NULL, NULL}
#define LIST(id, name, elem) static const gotype id = {GO_LIST, name, &elem, NULL}
#define PTR(id, elem) static const gotype id = {GO_PTR, NULL, &elem, NULL}
#define STRUCT_DEF(storage, id, name, ...) \
    static const gofield id##_fields[] = {__VA_ARGS__, {NULL, NULL}}; \
    storage const gotype id = {GO_STRUCT, name, NULL, id##_fields}
#define STRUCT(id, name, ...) STRUCT_DEF(static, id, name, __VA_ARGS__)
#define EXPORTED_STRUCT(id, name, ...) STRUCT_DEF(, id, name, __VA_ARGS__)

SCALAR(t_string, GO_STRING, "string");
SCALAR(t_bool, GO_BOOL, "bool");
SCALAR(t_int, GO_INT, "int");
SCALAR(t_int64, GO_INT, "int64");
SCALAR(t_strmap, GO_STRMAP, "map[string]string");
SCALAR(t_boolmap, GO_BOOLMAP, "map[string]bool");
SCALAR(t_anymap, GO_ANYMAP, "map[string]interface {}");
SCALAR(t_sortorder, GO_STRING, "types.SortOrder");
SCALAR(t_psm, GO_STRING, "types.PatchStrategicMerge");
SCALAR(t_rbsubjects, GO_STRING, "namespace.RoleBindingSubjectMode");
LIST(t_strings, "[]string", t_string);
LIST(t_psms, "[]types.PatchStrategicMerge", t_psm);

STRUCT(t_objectmeta, "types.ObjectMeta", {"name", &t_string}, {"namespace", &t_string}, {"labels", &t_strmap},
       {"annotations", &t_strmap});
PTR(t_objectmeta_ptr, t_objectmeta);

/* resid.Gvk, inline in many types */
#define GVK_FIELDS {"group", &t_string}, {"version", &t_string}, {"kind", &t_string}

STRUCT(t_fieldspec, "types.FieldSpec", GVK_FIELDS, {"path", &t_string}, {"create", &t_bool});
LIST(t_fieldspecs, "[]types.FieldSpec", t_fieldspec);

STRUCT(t_label, "types.Label", {"pairs", &t_strmap}, {"includeSelectors", &t_bool}, {"includeTemplates", &t_bool},
       {"fields", &t_fieldspecs});
LIST(t_labels, "[]types.Label", t_label);

STRUCT(t_selector, "types.Selector", GVK_FIELDS, {"name", &t_string}, {"namespace", &t_string},
       {"annotationSelector", &t_string}, {"labelSelector", &t_string});
PTR(t_selector_ptr, t_selector);
LIST(t_selector_ptrs, "[]*types.Selector", t_selector_ptr);

STRUCT(t_patch, "types.Patch", {"path", &t_string}, {"patch", &t_string}, {"target", &t_selector_ptr},
       {"options", &t_boolmap});
LIST(t_patches, "[]types.Patch", t_patch);

STRUCT(t_image, "types.Image", {"name", &t_string}, {"newName", &t_string}, {"tagSuffix", &t_string},
       {"newTag", &t_string}, {"digest", &t_string});
LIST(t_images, "[]types.Image", t_image);

STRUCT(t_fieldoptions, "types.FieldOptions", {"delimiter", &t_string}, {"index", &t_int}, {"encoding", &t_string},
       {"create", &t_bool});
PTR(t_fieldoptions_ptr, t_fieldoptions);
STRUCT(t_source, "types.SourceSelector", GVK_FIELDS, {"name", &t_string}, {"namespace", &t_string},
       {"fieldPath", &t_string}, {"options", &t_fieldoptions_ptr});
PTR(t_source_ptr, t_source);
STRUCT(t_target, "types.TargetSelector", {"select", &t_selector_ptr}, {"reject", &t_selector_ptrs},
       {"fieldPaths", &t_strings}, {"options", &t_fieldoptions_ptr});
PTR(t_target_ptr, t_target);
LIST(t_targets, "[]*types.TargetSelector", t_target_ptr);
STRUCT(t_replfield, "types.ReplacementField", {"source", &t_source_ptr}, {"targets", &t_targets},
       {"path", &t_string});
LIST(t_replfields, "[]types.ReplacementField", t_replfield);
EXPORTED_STRUCT(go_replacement, "types.Replacement", {"source", &t_source_ptr}, {"targets", &t_targets});
const gotype go_replacement_list = {GO_LIST, "[]types.Replacement", &go_replacement, NULL};

STRUCT(t_replica, "types.Replica", {"name", &t_string}, {"count", &t_int64});
LIST(t_replicas, "[]types.Replica", t_replica);

STRUCT(t_varobj, "types.Target", {"apiVersion", &t_string}, GVK_FIELDS, {"name", &t_string},
       {"namespace", &t_string});
STRUCT(t_fieldsel, "types.FieldSelector", {"fieldPath", &t_string});
STRUCT(t_var, "types.Var", {"name", &t_string}, {"objref", &t_varobj}, {"fieldref", &t_fieldsel});
LIST(t_vars, "[]types.Var", t_var);

STRUCT(t_legacysort, "types.LegacySortOptions", {"orderFirst", &t_strings}, {"orderLast", &t_strings});
PTR(t_legacysort_ptr, t_legacysort);
STRUCT(t_sortoptions, "types.SortOptions", {"order", &t_sortorder}, {"legacySortOptions", &t_legacysort_ptr});
PTR(t_sortoptions_ptr, t_sortoptions);

STRUCT(t_genoptions, "types.GeneratorOptions", {"labels", &t_strmap}, {"annotations", &t_strmap},
       {"disableNameSuffixHash", &t_bool}, {"immutable", &t_bool});
PTR(t_genoptions_ptr, t_genoptions);

/* types.GeneratorArgs with its inline KvPairSources */
#define GENARGS_FIELDS \
    {"namespace", &t_string}, {"name", &t_string}, {"behavior", &t_string}, {"literals", &t_strings}, \
        {"files", &t_strings}, {"envs", &t_strings}, {"env", &t_string}, {"options", &t_genoptions_ptr}
STRUCT(t_cmargs, "types.ConfigMapArgs", GENARGS_FIELDS);
LIST(t_cmargs_list, "[]types.ConfigMapArgs", t_cmargs);
STRUCT(t_secretargs, "types.SecretArgs", GENARGS_FIELDS, {"type", &t_string});
LIST(t_secretargs_list, "[]types.SecretArgs", t_secretargs);

#define HELMGLOBALS_FIELDS {"chartHome", &t_string}, {"configHome", &t_string}
STRUCT(t_helmglobals, "types.HelmGlobals", HELMGLOBALS_FIELDS);
PTR(t_helmglobals_ptr, t_helmglobals);
#define HELMCHART_FIELDS \
    {"name", &t_string}, {"version", &t_string}, {"repo", &t_string}, {"releaseName", &t_string}, \
        {"namespace", &t_string}, {"additionalValuesFiles", &t_strings}, {"valuesFile", &t_string}, \
        {"valuesInline", &t_anymap}, {"valuesMerge", &t_string}, {"includeCRDs", &t_bool}, \
        {"skipHooks", &t_bool}, {"apiVersions", &t_strings}, {"kubeVersion", &t_string}, \
        {"nameTemplate", &t_string}, {"skipTests", &t_bool}, {"debug", &t_bool}
STRUCT(t_helmchart, "types.HelmChart", HELMCHART_FIELDS);
LIST(t_helmcharts, "[]types.HelmChart", t_helmchart);
STRUCT(t_helmargs, "types.HelmChartArgs", {"chartName", &t_string}, {"chartVersion", &t_string},
       {"chartRepoUrl", &t_string}, {"chartHome", &t_string}, {"chartRepoName", &t_string},
       {"helmBin", &t_string}, {"helmHome", &t_string}, {"values", &t_string}, {"valuesLocal", &t_anymap},
       {"valuesMerge", &t_string}, {"releaseName", &t_string}, {"releaseNamespace", &t_string},
       {"extraArgs", &t_strings});
LIST(t_helmargs_list, "[]types.HelmChartArgs", t_helmargs);

EXPORTED_STRUCT(go_kustomization, "types.Kustomization", {"kind", &t_string}, {"apiVersion", &t_string},
       {"metadata", &t_objectmeta_ptr}, {"openapi", &t_strmap}, {"namePrefix", &t_string},
       {"nameSuffix", &t_string}, {"namespace", &t_string}, {"commonLabels", &t_strmap}, {"labels", &t_labels},
       {"commonAnnotations", &t_strmap}, {"patchesStrategicMerge", &t_psms}, {"patchesJson6902", &t_patches},
       {"patches", &t_patches}, {"images", &t_images}, {"imageTags", &t_images}, {"replacements", &t_replfields},
       {"replicas", &t_replicas}, {"vars", &t_vars}, {"sortOptions", &t_sortoptions_ptr},
       {"resources", &t_strings}, {"components", &t_strings}, {"crds", &t_strings}, {"bases", &t_strings},
       {"configMapGenerator", &t_cmargs_list}, {"secretGenerator", &t_secretargs_list},
       {"helmGlobals", &t_helmglobals_ptr}, {"helmCharts", &t_helmcharts},
       {"helmChartInflationGenerator", &t_helmargs_list}, {"generatorOptions", &t_genoptions_ptr},
       {"configurations", &t_strings}, {"generators", &t_strings}, {"transformers", &t_strings},
       {"validators", &t_strings}, {"buildMetadata", &t_strings});

/* builtinconfig.TransformerConfig; nameReference entries are NameBackReferences */
STRUCT(t_nameref, "builtinconfig.NameBackReferences", GVK_FIELDS, {"fieldSpecs", &t_fieldspecs});
LIST(t_namerefs, "builtinconfig.nbrSlice", t_nameref);
EXPORTED_STRUCT(go_transformer_config, "builtinconfig.TransformerConfig", {"namePrefix", &t_fieldspecs},
       {"nameSuffix", &t_fieldspecs}, {"namespace", &t_fieldspecs}, {"commonLabels", &t_fieldspecs},
       {"templateLabels", &t_fieldspecs}, {"commonAnnotations", &t_fieldspecs}, {"nameReference", &t_namerefs},
       {"varReference", &t_fieldspecs}, {"images", &t_fieldspecs}, {"replicas", &t_fieldspecs},
       {"labels", &t_fieldspecs});

/* The builtin plugins' config structs. */
#define FIELDSPECS {"fieldSpecs", &t_fieldspecs}
STRUCT(t_p_prefixsuffix, "builtins.PrefixSuffixTransformerPlugin", {"prefix", &t_string}, {"suffix", &t_string},
       FIELDSPECS);
STRUCT(t_p_prefix, "builtins.PrefixTransformerPlugin", {"prefix", &t_string}, FIELDSPECS);
STRUCT(t_p_suffix, "builtins.SuffixTransformerPlugin", {"suffix", &t_string}, FIELDSPECS);
STRUCT(t_p_labels, "builtins.LabelTransformerPlugin", {"labels", &t_strmap}, FIELDSPECS);
STRUCT(t_p_annotations, "builtins.AnnotationsTransformerPlugin", {"annotations", &t_strmap}, FIELDSPECS);
STRUCT(t_p_image, "builtins.ImageTagTransformerPlugin", {"imageTag", &t_image}, FIELDSPECS);
STRUCT(t_p_replica, "builtins.ReplicaCountTransformerPlugin", {"replica", &t_replica}, FIELDSPECS);
STRUCT(t_p_namespace, "builtins.NamespaceTransformerPlugin", {"metadata", &t_objectmeta}, FIELDSPECS,
       {"unsetOnly", &t_bool}, {"setRoleBindingSubjects", &t_rbsubjects});
STRUCT(t_p_patch, "builtins.PatchTransformerPlugin", {"path", &t_string}, {"patch", &t_string},
       {"target", &t_selector_ptr}, {"options", &t_boolmap});
STRUCT(t_p_json6902, "builtins.PatchJson6902TransformerPlugin", {"target", &t_selector_ptr}, {"path", &t_string},
       {"jsonOp", &t_string});
STRUCT(t_p_smp, "builtins.PatchStrategicMergeTransformerPlugin", {"paths", &t_psms}, {"patches", &t_string});
STRUCT(t_p_replacement, "builtins.ReplacementTransformerPlugin", {"replacements", &t_replfields});
STRUCT(t_p_configmap, "builtins.ConfigMapGeneratorPlugin", {"metadata", &t_objectmeta}, GENARGS_FIELDS);
STRUCT(t_p_secret, "builtins.SecretGeneratorPlugin", {"metadata", &t_objectmeta}, GENARGS_FIELDS,
       {"type", &t_string});
STRUCT(t_p_helm, "builtins.HelmChartInflationGeneratorPlugin", HELMGLOBALS_FIELDS, HELMCHART_FIELDS);
STRUCT(t_kservice, "types.KubernetesService", {"namespace", &t_string}, {"name", &t_string});
STRUCT(t_gsa, "types.ServiceAccount", {"name", &t_string}, {"projectId", &t_string});
STRUCT(t_p_iam, "builtins.IAMPolicyGeneratorPlugin", {"cloud", &t_string}, {"kubernetesService", &t_kservice},
       {"serviceAccount", &t_gsa});

static const struct {
    const char *kind;
    const gotype *type;
    int mode;
} builtin_configs[] = {
    /* these three read their config with kyaml's yaml.v3, the rest with sigs.k8s.io/yaml */
    {"PrefixSuffixTransformer", &t_p_prefixsuffix, GD_YAML3},
    {"PrefixTransformer", &t_p_prefix, GD_YAML3},
    {"SuffixTransformer", &t_p_suffix, GD_YAML3},
    {"LabelTransformer", &t_p_labels, GD_JSON},
    {"AnnotationsTransformer", &t_p_annotations, GD_JSON},
    {"ImageTagTransformer", &t_p_image, GD_JSON},
    {"ReplicaCountTransformer", &t_p_replica, GD_JSON},
    {"NamespaceTransformer", &t_p_namespace, GD_JSON},
    {"PatchTransformer", &t_p_patch, GD_JSON},
    {"PatchJson6902Transformer", &t_p_json6902, GD_JSON},
    {"PatchStrategicMergeTransformer", &t_p_smp, GD_JSON},
    {"ReplacementTransformer", &t_p_replacement, GD_JSON},
    {"ConfigMapGenerator", &t_p_configmap, GD_JSON},
    {"SecretGenerator", &t_p_secret, GD_JSON},
    {"HelmChartInflationGenerator", &t_p_helm, GD_JSON},
    {"IAMPolicyGenerator", &t_p_iam, GD_JSON},
};

const gotype *go_builtin_config(const char *kind, int *mode)
{
    for (size_t i = 0; kind && i < sizeof builtin_configs / sizeof *builtin_configs; i++)
        if (!strcmp(builtin_configs[i].kind, kind)) {
            *mode = builtin_configs[i].mode;
            return builtin_configs[i].type;
        }
    return NULL;
}
