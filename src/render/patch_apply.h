/* What the three patch transformers share: loading patch documents,
 * finding targets (by a patch's own id, or by a target selector), and
 * applying a strategic-merge patch to objects with kustomize's rules for
 * names, kinds and namespaces. */
#ifndef KG_PATCH_APPLY_H
#define KG_PATCH_APPLY_H
#include "build.h"

/* Parses patch text into strategic-merge patch objects (maps; kind: List expanded). */
int patch_load_smp(kust *k, const char *file, const char *text, size_t len, node_list *out);

/* Index of the objects' previous ids for patch_find_target; start it zeroed,
 * free it after the transformer run (ids recorded meanwhile are not seen). */
typedef struct previdx {
    struct prev_entry *v;
    size_t n;
    int built;
} previdx;
void previdx_free(previdx *x);

/* kustomize's ResMap.GetById(patch.OrgId()): the one object whose current or
 * any previous id equals the patch's own id. */
int patch_find_target(kust *k, resmap *rm, previdx *x, const node *patch, resource **out);

/* kustomize's ResMap.Select with a patch target {group, version, kind, name,
 * namespace (anchored regexes), labelSelector, annotationSelector}. The
 * selection is a heap array the caller frees. */
int patch_select(kust *k, resmap *rm, const node *target, resource ***out, size_t *n);

/* kustomize's Resource.ApplySmPatch: merges a (consumed) patch into r; name
 * and kind stay unless allowed to change, the namespace always stays. Sets
 * *deleted when the patch removes the object. */
int patch_smp_one(kust *k, resource *r, node *patch, int allow_name, int allow_kind, int *deleted);

/* kustomize's Resource.AllowNameChange/AllowKindChange on a patch object:
 * its annotations go through a map[string]string (values become strings, so
 * `a: null` no longer deletes) and gain the internal option annotation. */
void patch_allow_changes(arena *a, node *patch, int allow_name, int allow_kind);

/* kustomize's ResMap.ApplySmPatch: a copy of patch merged into each selected
 * object (the copy's labels and annotations become string maps, its
 * apiVersion the target's). Deleted objects leave rm; rm is rebuilt, failing
 * when two objects share an id (whether or not the patch caused it). */
int patch_smp_many(kust *k, resmap *rm, resource **sel, size_t nsel, const node *patch, int allow_name,
                   int allow_kind);

/* Which transformer applies a JSON patch: PatchTransformer (`patches`)
 * records each object's id first, PatchJson6902Transformer does not, and
 * they differ in one error they ignore. */
enum json_patch_kind { JP_PATCHES, JP_JSON6902 };
/* Applies JSON patch ops to r as kustomize does (through encoding/json,
 * with its bookkeeping annotations), keeping track of a changed id. */
int patch_json_one(kust *k, resource *r, const node *ops, const char *what, enum json_patch_kind kind);
/* Applies JSON patch ops to every object target selects. */
int patch_json_targets(kust *k, resmap *rm, const node *target, const node *ops, const char *what,
                       enum json_patch_kind kind);

/* Removes objects whose merge emptied them, then reindexes. Ids may now
 * repeat: kustomize checks them only where it appends objects again (a
 * strategic-merge patch by target, a component or base merged into its
 * parent, the end of the build). */
void patch_finish(resmap *rm);

#endif
