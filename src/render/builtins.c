#include "builtins.h"
#include "smp_schema.h"
#include "err.h"
#include "godecode.h"
#include "kyaml.h"
#include "quirks.h"
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct step {
    const char *kind;
    configure_fn configure;
    builtin_fn apply;
};

/* kustomize's builtin generator order. */
static const struct step generator_steps[] = {
    {"ConfigMapGenerator", configure_configmaps, builtin_configmaps},
    {"SecretGenerator", configure_secrets, builtin_secrets},
    {"HelmChartInflationGenerator", configure_helm, builtin_helm},
};

/* kustomize's builtin transformer order (api/internal/target/kusttarget_configplugin.go). */
static const struct step transformer_steps[] = {
    {"PatchStrategicMergeTransformer", configure_patches_sm, builtin_patches_sm},
    {"PatchTransformer", configure_patches, builtin_patches},
    {"NamespaceTransformer", configure_namespace, builtin_namespace},
    {"PrefixTransformer", configure_prefix, builtin_prefix},
    {"SuffixTransformer", configure_suffix, builtin_suffix},
    {"LabelTransformer", configure_labels, builtin_labels},
    {"AnnotationsTransformer", configure_annotations, builtin_annotations},
    {"PatchJson6902Transformer", configure_patches_json6902, builtin_patches_json6902},
    {"ReplicaCountTransformer", configure_replicas, builtin_replicas},
    {"ImageTagTransformer", configure_images, builtin_images},
    {"ReplacementTransformer", configure_replacements, builtin_replacements},
};

/* Every kind usable in generators:/transformers:/validators: entries.
 * (kustomize refuses SortOrderTransformer there: sortOptions is the only way.) */
static const struct builtin builtins[] = {
    {"ConfigMapGenerator", builtin_configmaps, 1},
    {"SecretGenerator", builtin_secrets, 1},
    {"HelmChartInflationGenerator", builtin_helm, 1},
    {"IAMPolicyGenerator", builtin_iampolicy, 1},
    {"PatchStrategicMergeTransformer", builtin_patches_sm, 0},
    {"PatchTransformer", builtin_patches, 0},
    {"NamespaceTransformer", builtin_namespace, 0},
    {"PrefixSuffixTransformer", builtin_prefix_suffix, 0},
    {"PrefixTransformer", builtin_prefix, 0},
    {"SuffixTransformer", builtin_suffix, 0},
    {"LabelTransformer", builtin_labels, 0},
    {"AnnotationsTransformer", builtin_annotations, 0},
    {"PatchJson6902Transformer", builtin_patches_json6902, 0},
    {"ReplicaCountTransformer", builtin_replicas, 0},
    {"ImageTagTransformer", builtin_images, 0},
    {"ReplacementTransformer", builtin_replacements, 0},
    {"ValueAddTransformer", builtin_valueadd, 0},
    {"HashTransformer", builtin_hash, 0},
    {NULL, NULL, 0},
};

const struct builtin *builtin_find(const char *kind)
{
    for (const struct builtin *p = builtins; p->kind; p++)
        if (kind && !strcmp(p->kind, kind)) return p;
    return NULL;
}

node *builtin_config_new(kust *k, const char *kind, const char *name)
{
    arena *a = k->b->a;
    node *c = node_new(a, N_MAP);
    map_set(a, c, "apiVersion", node_new_str(a, "builtin"));
    map_set(a, c, "kind", node_new_str(a, kind));
    node *md = node_new(a, N_MAP);
    map_set(a, md, "name", node_new_str(a, name));
    map_set(a, c, "metadata", md);
    return c;
}

/* One string of a config as go-yaml v2 reads it back from JSON (quirks.h). */
static int config_string(arena *a, const char *kind, node **sp)
{
    node *s = *sp;
    if (quirk_v2_forbidden_char(s->u.str.s, s->u.str.len))
        return err_set("%s: builtin %s marshal: yaml: control characters are not allowed", node_pos(a, s), kind);
    size_t len;
    char *folded = quirk_v2_fold_nel(s->u.str.s, s->u.str.len, &len);
    if (folded) {
        node *f = node_new_strn(a, folded, len); /* keys are shared between clones: never edited in place */
        node_set_pos(f, s);
        f->flags = s->flags;
        *sp = f;
        free(folded);
    }
    return 0;
}

/* kustomize configures each builtin with YAML that sigs.k8s.io/yaml makes
 * from the config (JSON text, then go-yaml v2), so every string of it comes
 * back as v2 reads it: a raw NEL folded like a line break, and a raw DEL or
 * C1 control an error (golden cases generator-hash-nel, secret-generator-del-char). */
static int config_marshal(arena *a, const char *kind, node **np)
{
    node *n = *np;
    if (n->kind == N_STR) return config_string(a, kind, np);
    if (n->kind == N_SEQ)
        for (uint32_t i = 0; i < n->u.seq.n; i++)
            if (config_marshal(a, kind, &n->u.seq.items[i]) < 0) return -1;
    if (n->kind == N_MAP)
        for (uint32_t i = 0; i < n->u.map.n; i++)
            if (config_string(a, kind, &n->u.map.items[i].key) < 0 ||
                config_marshal(a, kind, &n->u.map.items[i].val) < 0)
                return -1;
    return 0;
}

static int run_steps(kust *k, const struct step *steps, size_t n, resmap *rm)
{
    for (size_t i = 0; i < n; i++) {
        node_list configs = {0};
        int rc = steps[i].configure(k, &configs);
        for (size_t j = 0; rc == 0 && j < configs.n; j++) {
            rc = config_marshal(k->b->a, steps[i].kind, &configs.v[j]);
            if (rc == 0) rc = steps[i].apply(k, configs.v[j], rm);
            if (rc == 0 && steps == transformer_steps) rc = buildmeta_transformed(k, configs.v[j], 1, rm);
        }
        list_free(&configs);
        if (rc < 0) return -1;
    }
    return 0;
}

/* A config object decoded into its builtin's Go type, as kustomize's
 * Config does (godecode.h): canonical names and types for builtin_X. */
static int decode_config(arena *a, const char *kind, node *c, node **out)
{
    int mode;
    const gotype *t = go_builtin_config(kind, &mode);
    *out = c;
    if (!t) return 0;
    return go_decode(a, c, t, mode, arena_printf(a, "plugin %s fails configuration", kind), out);
}

/* A config kustomize loaded as a resource (a transformers: or generators:
 * entry) reaches its builtin as res.AsYAML(): kyaml's MarshalJSON first, so
 * yaml.v3 re-emits it and reads it back (folded text re-folded, !!binary
 * decoded, numbers and timestamps in their JSON form). */
static int config_as_json(arena *a, const char *kind, node **c)
{
    *c = node_clone(a, *c);
    return yaml_json_view(a, *c, 0, arena_printf(a, "marshalling builtin %s config", kind));
}

static int run_configs(kust *k, node_list *configs, resmap *rm, const char *field)
{
    arena *a = k->b->a;
    for (size_t i = 0; i < configs->n; i++) {
        node *c = configs->v[i];
        const char *kind = node_get_str(c, "kind", NULL);
        const struct builtin *p = builtin_find(kind);
        if (!p)
            return err_set("%s: %s: unable to load plugin kind '%s': not a built-in generator or transformer "
                           "(exec and KRM-function plugins are not supported)", node_pos(a, c), field, kind ? kind : "(none)");
        /* decoded into the builtin's Go type, then marshalled back as kustomize hands it over */
        if (config_as_json(a, kind, &c) < 0 || decode_config(a, kind, c, &c) < 0 || config_marshal(a, kind, &c) < 0 ||
            p->fn(k, c, rm) < 0)
            return -1;
        if (!strcmp(field, "transformers") && buildmeta_transformed(k, c, 0, rm) < 0) return -1;
    }
    return 0;
}

/* kustomize loads builtin configs as it loads resources, so they count as
 * objects seen for the schema choice too (smp_schema_note_object). */
static void note_configs(kust *k, const node_list *configs, size_t from)
{
    for (size_t i = from; i < configs->n; i++) {
        resource tmp = {.obj = configs->v[i]};
        resource_refresh_id(&tmp);
        smp_schema_note_object(k, &tmp.id);
    }
}

int load_builtin_configs(kust *k, node *list, node_list *configs)
{
    arena *a = k->b->a;
    size_t from = configs->n;
    for (uint32_t i = 0; list && list->kind == N_SEQ && i < list->u.seq.n; i++) {
        node *entry = list->u.seq.items[i];
        const char *rel = node_text(entry);
        if (!rel) return err_set("%s: expected a path or an inline object", node_pos(a, entry));
        if (strchr(rel, '\n')) {
            /* An inline config written as a YAML string (kustomize tries every entry as YAML first). */
            node_list docs = {0};
            int nvalues = quirk_kio_values(k->file, rel, strlen(rel));
            int rc = nvalues < 0 ? -1 : yaml_load(a, k->file, rel, strlen(rel), &docs);
            if (rc == 0) rc = objects_from_docs(a, &docs, nvalues, configs);
            list_free(&docs);
            if (rc < 0) return -1;
            continue;
        }
        const char *path = kust_path(k, rel);
        struct stat st;
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            /* A directory is a kustomization whose output objects are builtin configs. */
            build sub = *k->b;
            sub.visiting = (strlist){0};
            resmap rm = {0};
            if (build_resmap(&sub, path, &rm) < 0) {
                resmap_free(&rm);
                return err_prefix("%s: building builtin configs in '%s'", node_pos(a, entry), rel);
            }
            for (size_t j = 0; j < rm.n; j++) list_push(configs, rm.v[j]->obj);
            resmap_free(&rm);
            continue;
        }
        strbuf sb = STRBUF_INIT;
        const char *full;
        node_list docs = {0};
        int rc = kust_read_file(k, rel, entry, &sb, &full);
        int nvalues = rc == 0 ? quirk_kio_values(full, sb.buf, sb.len) : -1;
        if (rc == 0) rc = nvalues < 0 ? -1 : yaml_load(a, full, sb.buf, sb.len, &docs);
        if (rc == 0) rc = objects_from_docs(a, &docs, nvalues, configs);
        list_free(&docs);
        sb_release(&sb);
        if (rc < 0) return -1;
    }
    note_configs(k, configs, from);
    return 0;
}

int run_generators(kust *k, resmap *rm)
{
    if (run_steps(k, generator_steps, sizeof generator_steps / sizeof *generator_steps, rm) < 0) return -1;
    node_list configs = {0};
    int rc = load_builtin_configs(k, map_get(k->k, "generators"), &configs);
    if (rc == 0) rc = run_configs(k, &configs, rm, "generators");
    list_free(&configs);
    return rc;
}

int run_transformers(kust *k, resmap *rm)
{
    if (run_steps(k, transformer_steps, sizeof transformer_steps / sizeof *transformer_steps, rm) < 0) return -1;
    static const char *const fields[] = {"transformers", "validators"};
    for (int f = 0; f < 2; f++) {
        node_list configs = {0};
        int rc = load_builtin_configs(k, map_get(k->k, fields[f]), &configs);
        if (rc == 0) rc = run_configs(k, &configs, rm, fields[f]);
        list_free(&configs);
        if (rc < 0) return -1;
    }
    return 0;
}
