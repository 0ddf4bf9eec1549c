/* The OpenAPI schema strategic merge consults, reduced to what merging
 * needs: per type, its fields' element types, merge keys and strategies.
 * Built-in types come from the embedded merge-schema.txt (Kubernetes
 * v1.21.2 plus kustomize's own types); a kustomization's `openapi:` field
 * replaces or extends them with kyaml's global-state rules (see smp_schema.c). */
#ifndef KG_SMP_SCHEMA_H
#define KG_SMP_SCHEMA_H
#include "build.h"
#include "resource.h"

typedef struct sch sch;
typedef struct sch_prop {
    const char *name;
    sch *s;
} sch_prop;

/* One schema node (kyaml's spec.Schema, only the parts merging reads). */
struct sch {
    const char *ref;           /* definition this node stands for, resolved at lookup */
    uint8_t is_array;          /* type: array */
    uint8_t merge;             /* x-kubernetes-patch-strategy contains "merge" */
    const char **keys;         /* x-kubernetes-list-map-keys, else x-kubernetes-patch-merge-key */
    uint32_t nkeys;
    sch_prop *props;           /* properties */
    uint32_t nprops;
    sch *addl;                 /* additionalProperties */
    sch *items;                /* items */
};

typedef struct smp_schema smp_schema;

/* The schema in force for this build (created on first use, with the top
 * kustomization's `openapi:` applied first, as kustomize does). */
smp_schema *smp_schema_get(kust *k);
/* Applies this level's `openapi:` field (kyaml's SetSchema, with reset for
 * the top level): called for every kustomization level as soon as it is
 * loaded, before its resources are. */
int smp_schema_configure(kust *k);
/* Records an object being loaded (an apiVersion and kind outside the scope
 * table, before any setting, brings in the built-in schema). */
void smp_schema_note_object(kust *k, const resid *id);
/* Makes the schema ready before a merge (kyaml's lazy initSchema, whose
 * outcome depends on the objects loaded so far). */
void smp_schema_init(smp_schema *ss);

/* Schema of a type by apiVersion and kind, or NULL. */
const sch *sch_for_type(const smp_schema *ss, const char *apiversion, const char *kind);
/* kyaml's ResourceSchema.Field: a property (or additionalProperties), resolved. */
const sch *sch_field(const smp_schema *ss, const sch *s, const char *name);
/* kyaml's ResourceSchema.Elements: the item schema of an array, resolved. */
const sch *sch_elements(const smp_schema *ss, const sch *s);

#endif
