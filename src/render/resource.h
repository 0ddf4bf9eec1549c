/* Objects being built and the map that holds them. Each object's identity
 * (group, version, kind, namespace, name) is computed once and cached; a hash
 * index (xxHash) over the identities answers every lookup, so no step scans
 * all objects per object. Whoever changes an identity field calls
 * resource_refresh_id() and then resmap_reindex(). */
#ifndef KG_RESOURCE_H
#define KG_RESOURCE_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "node.h"

typedef struct resid {
    const char *group, *version, *kind, *ns, *name; /* never NULL; "" when absent */
} resid;

typedef struct strlist {
    const char **v;
    uint32_t n, cap;
} strlist;

enum gen_behavior { BEHAVIOR_NONE, BEHAVIOR_CREATE, BEHAVIOR_MERGE, BEHAVIOR_REPLACE };

typedef struct resource {
    node *obj;
    resid id;          /* current identity */
    uint64_t idhash;   /* hash of the effective identity (see resid_hash) */
    /* Earlier identities, oldest first: name references written against any
     * of them are fixed up to the current name at the end of the build. */
    resid *prev;
    uint32_t nprev, capprev;
    strlist prefixes, suffixes; /* applied by namePrefix/nameSuffix, for reference matching */
    strlist refvars;            /* names of the `vars:` whose objref matched this object (vars.c) */
    const char *origin;         /* file it came from, for origin annotations and messages */
    const char *configured_in;  /* generators: the kustomization that generated it */
    const char *configured_by_kind, *configured_by_name;
    unsigned needs_hash : 1;    /* generated ConfigMap/Secret that gets a content hash suffix */
    unsigned generated : 1;
    unsigned behavior : 2;      /* enum gen_behavior, for generated objects */
    unsigned origin_in_tree : 1; /* buildMetadata: the origin annotation is in obj (buildmeta.h) */
} resource;

typedef struct resmap {
    resource **v;
    size_t n, cap;
    /* open-addressing index: slot holds position+1 into v, 0 = empty */
    uint32_t *slots;
    size_t nslots;
} resmap;

/* kustomize's OrgId: the oldest recorded id, or the current one when none
 * was recorded (a rename that records nothing, such as a patchesJson6902
 * or replacement rename, leaves no trace of the old name). */
static inline const resid *resource_org_id(const resource *r) { return r->nprev ? &r->prev[0] : &r->id; }

/* Makes a resource from an object; fails naming the file:line when kind or name is missing. */
int resource_new(arena *a, node *obj, resource **out);
/* kyaml's reader and kustomize's resource factory, which read every object
 * file, patch and builtin config: a stream of one piece (nvalues, from
 * quirk_kio_values) holding a List or ResourceList is unwrapped; empty
 * documents ({}, [], null) are dropped; a *List kind with items is replaced
 * by its items, turned into Go values and back through JSON; each object
 * needs a kind, and a metadata.name unless its kind ends in List. Appends
 * the objects to out. */
int objects_from_docs(arena *a, const node_list *docs, int nvalues, node_list *out);
/* The same check on an object of the finished build: kustomize reads the
 * objects' metadata again at the very end and fails on one a transformer
 * left without kind or name (after names the step, for the message). */
int resource_check_meta(arena *a, const resource *r, const char *after);
resource *resource_clone(arena *a, const resource *r);
/* Recomputes r->id and r->idhash from the object; call after editing identity fields. */
void resource_refresh_id(resource *r);
/* Records the current identity in the history before a rename. */
void resource_remember_id(arena *a, resource *r);
/* Appends id to the history (oldest first). */
void resource_push_prev(arena *a, resource *r, const resid *id);
void strlist_push(arena *a, strlist *l, const char *s);

/* kustomize's scope table, by group, version and kind (src/data/scopes.txt). */
int resid_is_cluster_scoped(const resid *id);
/* True when the table has id's apiVersion and kind (else kyaml would consult its schema). */
int resid_scope_known(const resid *id);
/* Namespace as identity sees it: "" for cluster-scoped kinds, "default" for an empty one. */
const char *resid_effective_ns(const resid *id);
uint64_t resid_hash(const resid *id);
int resid_equal(const resid *a, const resid *b);
/* Equal as Go's == on two ResIds (a map key): the namespace as written, so
 * "" and "default" differ. */
int resid_same(const resid *a, const resid *b);
/* "group_version_kind|namespace|name" with kustomize's ~G ~V ~K ~X ~N markers, in the arena. */
const char *resid_string(arena *a, const resid *id);
/* Human-readable "Kind/name.namespace" style id for messages. */
const char *resid_display(arena *a, const resid *id);
/* Splits apiVersion into group and version. */
void split_apiversion(arena *a, const char *apiversion, const char **group, const char **version);

/* Appends; fails when an object with the same identity is already present. */
int resmap_append(arena *a, resmap *m, resource *r);
/* Appends without the duplicate check (callers that handle merges). */
void resmap_push(resmap *m, resource *r);
/* The first object whose id equals id (resid_equal). */
resource *resmap_find(const resmap *m, const resid *id);
/* Every object whose id equals id, one per call (ids repeat after a
 * transformer renamed objects until something appends them again): start
 * with *step = 0; returns the position in m->v, -1 when done. */
long resmap_match_at(const resmap *m, const resid *id, size_t *step);
/* Re-reads every object's id from its current fields and fails when two
 * objects now share one. */
int resmap_check_unique(arena *a, resmap *m);
/* Rebuilds the index after identities changed. */
void resmap_reindex(resmap *m);
void resmap_remove_at(resmap *m, size_t i);
void resmap_free(resmap *m);

#endif
