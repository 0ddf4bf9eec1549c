/* What ConfigMapGenerator and SecretGenerator share: reading key/value
 * sources (env files, literals, files) the way kustomize's kv loader does,
 * merging generatorOptions, building the object, and adding it to the
 * objects under kustomize's create/merge/replace rules. Each generator
 * only says how its data is written (g_configmap.c, g_secret.c). */
#ifndef KG_GENERATOR_H
#define KG_GENERATOR_H
#include "builtins.h"

/* One key/value pair; val may hold any bytes (files can be binary). */
typedef struct gen_pair {
    const char *key;
    const char *val;
    size_t len;
} gen_pair;

typedef struct gen_kind {
    const char *kind;        /* object kind: "ConfigMap" */
    const char *builtin_kind; /* "ConfigMapGenerator" */
    const char *field;       /* kustomization field: "configMapGenerator" */
    /* Writes the pairs (sorted by key) and kind-specific fields into obj. */
    int (*fill)(kust *k, node *obj, const node *config, const gen_pair *pairs, size_t n);
} gen_kind;

/* Turns each entry of the kustomization field into a builtin config, with
 * the level's generatorOptions merged into its options. */
int generator_configure(kust *k, const gen_kind *gk, node_list *configs);
/* Generates one object from a config and absorbs it into rm. */
int generator_run(kust *k, const gen_kind *gk, node *config, resmap *rm);

/* kyaml's encodeBase64: standard base64, broken into 70-column lines
 * (each ending in a newline) once it reaches 70 characters. */
void gen_base64_lines(strbuf *out, const char *s, size_t n);
/* Go's utf8.Valid. */
int gen_utf8_valid(const char *s, size_t n);

/* The content-hash suffix kustomize gives a generated ConfigMap or Secret
 * (hashsuffix.c): 10 characters written to out (NUL-terminated). */
int hash_suffix_compute(const node *obj, char out[11]);

#endif
