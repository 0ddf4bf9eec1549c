/* The one place kustomization files and builtin configs are read the way
 * kustomize reads them: decoded into Go structs. A description of each Go
 * type (goschema.c) drives a decoder that works as encoding/json does:
 * field names match exactly or else case-insensitively (Unicode simple
 * folding, so 'ſ' is an s and the Kelvin sign a k), keys are taken in
 * sorted order with a later one decoding into what an earlier one set, a
 * null leaves scalars alone and clears maps, lists and pointers, and a value
 * of the wrong JSON type is an error naming the Go struct field.
 *
 * The result is a canonical tree: every known field under its Go JSON name,
 * scalars as the Go type reads them (bools "true"/"false", ints in decimal),
 * so the code reading kustomizations and configs looks fields up by their
 * exact names and never sees another spelling or type. */
#ifndef KG_GODECODE_H
#define KG_GODECODE_H
#include "node.h"

enum gokind {
    GO_STRING, GO_BOOL, GO_INT,
    GO_STRMAP,  /* map[string]string */
    GO_BOOLMAP, /* map[string]bool */
    GO_ANYMAP,  /* map[string]interface{} */
    GO_LIST,    /* []elem */
    GO_STRUCT,  /* a struct value (null leaves it as it is) */
    GO_PTR,     /* *elem, elem a struct (null makes it nil) */
};

typedef struct gotype gotype;
typedef struct gofield {
    const char *name; /* the JSON name */
    const gotype *type;
    /* Promoted from an embedded struct (ConfigMapArgs' literals, a Selector's
     * kind): sigs.k8s.io/yaml's YAMLToJSON looks the key up as that struct's
     * first index, so it finds the embedded struct, not the field, and turns
     * no number or bool below it into a string (GD_JSON). */
    unsigned char promoted;
} gofield;

struct gotype {
    unsigned char kind;     /* enum gokind */
    const char *name;       /* as Go's messages print it: string, int64, []string, types.Label */
    const gotype *elem;     /* GO_LIST and GO_PTR */
    const gofield *fields;  /* GO_STRUCT: ends with {NULL} */
};

/* How kustomize gets from YAML to the Go value. */
enum godecode_mode {
    GD_STRICT, /* kustomization files: YAMLToJSON, then encoding/json with DisallowUnknownFields */
    GD_JSON,   /* sigs.k8s.io/yaml.Unmarshal (most builtin configs, configurations and replacement
                * files): unknown fields kept as they are, numbers and bools into strings */
    GD_YAML3,  /* yaml.v3 (the prefix/suffix configs): exact names only, a scalar's text into strings */
};

/* Decodes in as Go decodes it into a value of type t; *out is the canonical
 * tree (NULL for a nil result). Errors read "file:line:col: WHAT: json: ...". */
int go_decode(arena *a, const node *in, const gotype *t, int mode, const char *what, node **out);

/* The types kustomize decodes into (goschema.c). */
extern const gotype go_kustomization;      /* types.Kustomization */
extern const gotype go_transformer_config; /* builtinconfig.TransformerConfig (configurations files) */
extern const gotype go_replacement;        /* types.Replacement (a replacement file) */
extern const gotype go_replacement_list;   /* []types.Replacement */
extern const gotype go_valueadd_targets;   /* ValueAddTransformer's targetFilePath file */
/* The config type of a builtin kind and the mode kustomize decodes it with; NULL when unknown. */
const gotype *go_builtin_config(const char *kind, int *mode);
/* kustomize's Kustomization.CheckEmpty on a decoded kustomization. */
int go_kustomization_empty(const node *k);

#endif
