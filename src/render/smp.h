/* Strategic merge patch, as kustomize applies it: kyaml's merge2 walker
 * with list-increase direction "prepend" and no merge-key inference.
 * Lists merge by key only where the schema of their field says
 * x-kubernetes-patch-strategy: merge; every other list is replaced.
 * Directives: `$patch: delete|replace|merge` on maps and list elements, a
 * null value deletes a field. kyaml has no $setElementOrder, $retainKeys or
 * $deleteFromPrimitiveList: such keys are merged like any other field, which
 * is what kustomize outputs too. */
#ifndef KG_SMP_H
#define KG_SMP_H
#include "node.h"
#include "smp_schema.h"

/* Merges patch into obj in place (patch is consumed: its nodes may be moved
 * into obj and its directives removed; pass a clone to reuse it). The schema
 * is looked up by obj's (else patch's) apiVersion and kind. *result is obj
 * (possibly replaced) or NULL when the patch deletes the object. */
int smp_merge(arena *a, const smp_schema *ss, node *obj, node *patch, node **result);

#endif
