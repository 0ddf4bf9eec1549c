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
    static const gofield id##_fields[] = {__VA_ARGS__, {NULL, NULL, 0}}; \
    storage const gotype id = {GO_STRUCT, name, NULL, id##_fields}
/* A struct field, and one promoted from an embedded struct (gofield.promoted). */
#define FIELD(name, type) {name, type, 0}
#define PROMOTED(name, type) {name, type, 1}
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

STRUCT(t_objectmeta, "types.ObjectMeta", FIELD("name", &t_string), FIELD("namespace", &t_string),
       FIELD("labels", &t_strmap), FIELD("annotations", &t_strmap));
PTR(t_objectmeta_ptr, t_objectmeta);

/* resid.Gvk, inline (embedded) in every type that has it */
#define GVK_FIELDS PROMOTED("group", &t_string), PROMOTED("version", &t_string), PROMOTED("kind", &t_string)

STRUCT(t_fieldspec, "types.FieldSpec", GVK_FIELDS, FIELD("path", &t_string), FIELD("create", &t_bool));
LIST(t_fieldspecs, "[]types.FieldSpec", t_fieldspec);

STRUCT(t_label, "types.Label", FIELD("pairs", &t_strmap), FIELD("includeSelectors", &t_bool),
       FIELD("includeTemplates", &t_bool), FIELD("fields", &t_fieldspecs));
LIST(t_labels, "[]types.Label", t_label);

/* types.Selector and SourceSelector embed resid.ResId (Gvk, name, namespace) */
STRUCT(t_selector, "types.Selector", GVK_FIELDS, PROMOTED("name", &t_string), PROMOTED("namespace", &t_string),
       FIELD("annotationSelector", &t_string), FIELD("labelSelector", &t_string));
PTR(t_selector_ptr, t_selector);
LIST(t_selector_ptrs, "[]*types.Selector", t_selector_ptr);

STRUCT(t_patch, "types.Patch", FIELD("path", &t_string), FIELD("patch", &t_string), FIELD("target", &t_selector_ptr),
       FIELD("options", &t_boolmap));
LIST(t_patches, "[]types.Patch", t_patch);

STRUCT(t_image, "types.Image", FIELD("name", &t_string), FIELD("newName", &t_string), FIELD("tagSuffix", &t_string),
       FIELD("newTag", &t_string), FIELD("digest", &t_string));
LIST(t_images, "[]types.Image", t_image);

STRUCT(t_fieldoptions, "types.FieldOptions", FIELD("delimiter", &t_string), FIELD("index", &t_int),
       FIELD("encoding", &t_string), FIELD("create", &t_bool));
PTR(t_fieldoptions_ptr, t_fieldoptions);
STRUCT(t_source, "types.SourceSelector", GVK_FIELDS, PROMOTED("name", &t_string), PROMOTED("namespace", &t_string),
       FIELD("fieldPath", &t_string), FIELD("options", &t_fieldoptions_ptr));
PTR(t_source_ptr, t_source);
STRUCT(t_target, "types.TargetSelector", FIELD("select", &t_selector_ptr), FIELD("reject", &t_selector_ptrs),
       FIELD("fieldPaths", &t_strings), FIELD("options", &t_fieldoptions_ptr));
PTR(t_target_ptr, t_target);
LIST(t_targets, "[]*types.TargetSelector", t_target_ptr);
/* ReplacementField embeds Replacement */
STRUCT(t_replfield, "types.ReplacementField", PROMOTED("source", &t_source_ptr), PROMOTED("targets", &t_targets),
       FIELD("path", &t_string));
LIST(t_replfields, "[]types.ReplacementField", t_replfield);
EXPORTED_STRUCT(go_replacement, "types.Replacement", FIELD("source", &t_source_ptr), FIELD("targets", &t_targets));
const gotype go_replacement_list = {GO_LIST, "[]types.Replacement", &go_replacement, NULL};

STRUCT(t_replica, "types.Replica", FIELD("name", &t_string), FIELD("count", &t_int64));
LIST(t_replicas, "[]types.Replica", t_replica);

STRUCT(t_varobj, "types.Target", FIELD("apiVersion", &t_string), GVK_FIELDS, FIELD("name", &t_string),
       FIELD("namespace", &t_string));
STRUCT(t_fieldsel, "types.FieldSelector", FIELD("fieldPath", &t_string));
STRUCT(t_var, "types.Var", FIELD("name", &t_string), FIELD("objref", &t_varobj), FIELD("fieldref", &t_fieldsel));
LIST(t_vars, "[]types.Var", t_var);

STRUCT(t_legacysort, "types.LegacySortOptions", FIELD("orderFirst", &t_strings), FIELD("orderLast", &t_strings));
PTR(t_legacysort_ptr, t_legacysort);
STRUCT(t_sortoptions, "types.SortOptions", FIELD("order", &t_sortorder),
       FIELD("legacySortOptions", &t_legacysort_ptr));
PTR(t_sortoptions_ptr, t_sortoptions);

STRUCT(t_genoptions, "types.GeneratorOptions", FIELD("labels", &t_strmap), FIELD("annotations", &t_strmap),
       FIELD("disableNameSuffixHash", &t_bool), FIELD("immutable", &t_bool));
PTR(t_genoptions_ptr, t_genoptions);

/* types.GeneratorArgs with its inline KvPairSources, embedded in ConfigMapArgs and SecretArgs */
#define GENARGS_FIELDS \
    PROMOTED("namespace", &t_string), PROMOTED("name", &t_string), PROMOTED("behavior", &t_string), \
        PROMOTED("literals", &t_strings), PROMOTED("files", &t_strings), PROMOTED("envs", &t_strings), \
        PROMOTED("env", &t_string), PROMOTED("options", &t_genoptions_ptr)
STRUCT(t_cmargs, "types.ConfigMapArgs", GENARGS_FIELDS);
LIST(t_cmargs_list, "[]types.ConfigMapArgs", t_cmargs);
STRUCT(t_secretargs, "types.SecretArgs", GENARGS_FIELDS, FIELD("type", &t_string));
LIST(t_secretargs_list, "[]types.SecretArgs", t_secretargs);

/* F: FIELD in the kustomization's types, PROMOTED in the plugin, which embeds HelmGlobals and HelmChart */
#define HELMGLOBALS_FIELDS(F) F("chartHome", &t_string), F("configHome", &t_string)
STRUCT(t_helmglobals, "types.HelmGlobals", HELMGLOBALS_FIELDS(FIELD));
PTR(t_helmglobals_ptr, t_helmglobals);
#define HELMCHART_FIELDS(F) \
    F("name", &t_string), F("version", &t_string), F("repo", &t_string), F("releaseName", &t_string), \
        F("namespace", &t_string), F("additionalValuesFiles", &t_strings), F("valuesFile", &t_string), \
        F("valuesInline", &t_anymap), F("valuesMerge", &t_string), F("includeCRDs", &t_bool), \
        F("skipHooks", &t_bool), F("apiVersions", &t_strings), F("kubeVersion", &t_string), \
        F("nameTemplate", &t_string), F("skipTests", &t_bool), F("debug", &t_bool)
STRUCT(t_helmchart, "types.HelmChart", HELMCHART_FIELDS(FIELD));
LIST(t_helmcharts, "[]types.HelmChart", t_helmchart);
STRUCT(t_helmargs, "types.HelmChartArgs", FIELD("chartName", &t_string), FIELD("chartVersion", &t_string),
       FIELD("chartRepoUrl", &t_string), FIELD("chartHome", &t_string), FIELD("chartRepoName", &t_string),
       FIELD("helmBin", &t_string), FIELD("helmHome", &t_string), FIELD("values", &t_string),
       FIELD("valuesLocal", &t_anymap), FIELD("valuesMerge", &t_string), FIELD("releaseName", &t_string),
       FIELD("releaseNamespace", &t_string), FIELD("extraArgs", &t_strings));
LIST(t_helmargs_list, "[]types.HelmChartArgs", t_helmargs);

EXPORTED_STRUCT(go_kustomization, "types.Kustomization", FIELD("kind", &t_string), FIELD("apiVersion", &t_string),
       FIELD("metadata", &t_objectmeta_ptr), FIELD("openapi", &t_strmap), FIELD("namePrefix", &t_string),
       FIELD("nameSuffix", &t_string), FIELD("namespace", &t_string), FIELD("commonLabels", &t_strmap),
       FIELD("labels", &t_labels), FIELD("commonAnnotations", &t_strmap), FIELD("patchesStrategicMerge", &t_psms),
       FIELD("patchesJson6902", &t_patches), FIELD("patches", &t_patches), FIELD("images", &t_images),
       FIELD("imageTags", &t_images), FIELD("replacements", &t_replfields), FIELD("replicas", &t_replicas),
       FIELD("vars", &t_vars), FIELD("sortOptions", &t_sortoptions_ptr), FIELD("resources", &t_strings),
       FIELD("components", &t_strings), FIELD("crds", &t_strings), FIELD("bases", &t_strings),
       FIELD("configMapGenerator", &t_cmargs_list), FIELD("secretGenerator", &t_secretargs_list),
       FIELD("helmGlobals", &t_helmglobals_ptr), FIELD("helmCharts", &t_helmcharts),
       FIELD("helmChartInflationGenerator", &t_helmargs_list), FIELD("generatorOptions", &t_genoptions_ptr),
       FIELD("configurations", &t_strings), FIELD("generators", &t_strings), FIELD("transformers", &t_strings),
       FIELD("validators", &t_strings), FIELD("buildMetadata", &t_strings));

/* builtinconfig.TransformerConfig; nameReference entries are NameBackReferences */
STRUCT(t_nameref, "builtinconfig.NameBackReferences", GVK_FIELDS, FIELD("fieldSpecs", &t_fieldspecs));
LIST(t_namerefs, "builtinconfig.nbrSlice", t_nameref);
EXPORTED_STRUCT(go_transformer_config, "builtinconfig.TransformerConfig", FIELD("namePrefix", &t_fieldspecs),
       FIELD("nameSuffix", &t_fieldspecs), FIELD("namespace", &t_fieldspecs), FIELD("commonLabels", &t_fieldspecs),
       FIELD("templateLabels", &t_fieldspecs), FIELD("commonAnnotations", &t_fieldspecs),
       FIELD("nameReference", &t_namerefs), FIELD("varReference", &t_fieldspecs), FIELD("images", &t_fieldspecs),
       FIELD("replicas", &t_fieldspecs), FIELD("labels", &t_fieldspecs));

/* The builtin plugins' config structs. */
#define FIELDSPECS FIELD("fieldSpecs", &t_fieldspecs)
STRUCT(t_p_prefixsuffix, "builtins.PrefixSuffixTransformerPlugin", FIELD("prefix", &t_string),
       FIELD("suffix", &t_string), FIELDSPECS);
STRUCT(t_p_prefix, "builtins.PrefixTransformerPlugin", FIELD("prefix", &t_string), FIELDSPECS);
STRUCT(t_p_suffix, "builtins.SuffixTransformerPlugin", FIELD("suffix", &t_string), FIELDSPECS);
STRUCT(t_p_labels, "builtins.LabelTransformerPlugin", FIELD("labels", &t_strmap), FIELDSPECS);
STRUCT(t_p_annotations, "builtins.AnnotationsTransformerPlugin", FIELD("annotations", &t_strmap), FIELDSPECS);
STRUCT(t_p_image, "builtins.ImageTagTransformerPlugin", FIELD("imageTag", &t_image), FIELDSPECS);
STRUCT(t_p_replica, "builtins.ReplicaCountTransformerPlugin", FIELD("replica", &t_replica), FIELDSPECS);
STRUCT(t_p_namespace, "builtins.NamespaceTransformerPlugin", FIELD("metadata", &t_objectmeta),
       FIELDSPECS, FIELD("unsetOnly", &t_bool), FIELD("setRoleBindingSubjects", &t_rbsubjects));
STRUCT(t_p_patch, "builtins.PatchTransformerPlugin", FIELD("path", &t_string), FIELD("patch", &t_string),
       FIELD("target", &t_selector_ptr), FIELD("options", &t_boolmap));
STRUCT(t_p_json6902, "builtins.PatchJson6902TransformerPlugin", FIELD("target", &t_selector_ptr),
       FIELD("path", &t_string), FIELD("jsonOp", &t_string));
STRUCT(t_p_smp, "builtins.PatchStrategicMergeTransformerPlugin", FIELD("paths", &t_psms),
       FIELD("patches", &t_string));
STRUCT(t_p_replacement, "builtins.ReplacementTransformerPlugin", FIELD("replacements", &t_replfields));
STRUCT(t_p_configmap, "builtins.ConfigMapGeneratorPlugin", FIELD("metadata", &t_objectmeta), GENARGS_FIELDS);
STRUCT(t_p_secret, "builtins.SecretGeneratorPlugin", FIELD("metadata", &t_objectmeta),
       GENARGS_FIELDS, PROMOTED("type", &t_string));
STRUCT(t_p_helm, "builtins.HelmChartInflationGeneratorPlugin", HELMGLOBALS_FIELDS(PROMOTED),
       HELMCHART_FIELDS(PROMOTED));
STRUCT(t_kservice, "types.KubernetesService", FIELD("namespace", &t_string), FIELD("name", &t_string));
STRUCT(t_gsa, "types.ServiceAccount", FIELD("name", &t_string), FIELD("projectId", &t_string));
/* the plugin embeds types.IAMPolicyGeneratorArgs */
STRUCT(t_p_iam, "builtins.IAMPolicyGeneratorPlugin", PROMOTED("cloud", &t_string),
       PROMOTED("kubernetesService", &t_kservice), PROMOTED("serviceAccount", &t_gsa));
STRUCT(t_vatarget, "builtins.Target", FIELD("selector", &t_selector_ptr), FIELD("fieldPath", &t_string),
       FIELD("filePathPosition", &t_int));
LIST(t_vatargets, "[]builtins.Target", t_vatarget);
STRUCT(t_p_valueadd, "builtins.ValueAddTransformerPlugin", FIELD("value", &t_string), FIELD("targets", &t_vatargets),
       FIELD("targetFilePath", &t_string));
/* the struct ValueAddTransformer reads its targetFilePath file into */
EXPORTED_STRUCT(go_valueadd_targets, "struct { Targets []builtins.Target }", FIELD("targets", &t_vatargets));

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
    {"ValueAddTransformer", &t_p_valueadd, GD_JSON},
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
