/* Shared machinery of patchesStrategicMerge, patches and patchesJson6902. */
#include "patch_apply.h"
#include "meta.h"
#include "buildmeta.h"
#include "err.h"
#include "jsonpatch.h"
#include "selector.h"
#include "scalar.h"
#include "smp.h"
#include "kyaml.h"
#include "quirks.h"
#include <stdlib.h>
#include <string.h>

int patch_load_smp(kust *k, const char *file, const char *text, size_t len, node_list *out)
{
    arena *a = k->b->a;
    node_list docs = {0};
    int nvalues = quirk_kio_values(file, text, len);
    int rc = nvalues < 0 ? -1 : yaml_load_dup_keys(a, file, text, len, &docs);
    for (size_t i = 0; rc == 0 && i < docs.n; i++)
        if (docs.v[i]->kind != N_MAP && docs.v[i]->kind != N_NULL && !(docs.v[i]->kind == N_SEQ && !docs.v[i]->u.seq.n))
            rc = err_set("%s: a strategic-merge patch must be a YAML mapping (an object)", node_pos(a, docs.v[i]));
    if (rc == 0) rc = objects_from_docs(a, &docs, nvalues, out);
    list_free(&docs);
    return rc;
}

/* The id a patch object names itself by. */
static resid patch_id(kust *k, const node *patch)
{
    resource tmp = {.obj = (node *)patch};
    resource_refresh_id(&tmp);
    (void)k;
    return tmp.id;
}

struct prev_entry {
    uint64_t h;
    resource *r;
    uint32_t j;
};

static int prev_cmp(const void *x, const void *y)
{
    uint64_t a = ((const struct prev_entry *)x)->h, b = ((const struct prev_entry *)y)->h;
    return a < b ? -1 : a > b;
}

/* Previous ids of every object, sorted by hash: built once per transformer run. */
static void previdx_build(previdx *x, const resmap *rm)
{
    size_t n = 0;
    for (size_t i = 0; i < rm->n; i++) n += rm->v[i]->nprev;
    x->v = malloc((n + 1) * sizeof *x->v);
    if (!x->v) abort();
    for (size_t i = 0; i < rm->n; i++)
        for (uint32_t j = 0; j < rm->v[i]->nprev; j++)
            x->v[x->n++] = (struct prev_entry){resid_hash(&rm->v[i]->prev[j]), rm->v[i], j};
    qsort(x->v, x->n, sizeof *x->v, prev_cmp);
    x->built = 1;
}

void previdx_free(previdx *x)
{
    free(x->v);
    memset(x, 0, sizeof *x);
}

int patch_find_target(kust *k, resmap *rm, previdx *x, const node *patch, resource **out)
{
    arena *a = k->b->a;
    resid id = patch_id(k, patch);
    uint64_t h = resid_hash(&id);
    resource *found = NULL;
    int n = 0;
    size_t step = 0;
    for (long pos; n < 2 && (pos = resmap_match_at(rm, &id, &step)) >= 0;)
        if (rm->v[pos]->obj) found = found ? found : rm->v[pos], n++;
    if (n > 1)
        return err_set("%s: multiple matches for Id %s; failed to find unique target for patch %s", node_pos(a, patch),
                       kid_string(a, &id), kid_string(a, &id));
    if (!x->built) previdx_build(x, rm);
    size_t lo = 0, hi = x->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (x->v[mid].h < h) lo = mid + 1;
        else hi = mid;
    }
    resource *second = NULL;
    for (size_t i = lo; i < x->n && x->v[i].h == h; i++) {
        resource *r = x->v[i].r;
        if (!r->obj || r == found || r == second || !resid_equal(&r->prev[x->v[i].j], &id)) continue;
        if (found) second = r;
        else found = r;
        n++;
    }
    if (n == 1) {
        *out = found;
        return 0;
    }
    return err_set("%s: %s for Id %s; failed to find unique target for patch %s", node_pos(a, patch),
                   n ? "multiple matches" : "no matches", kid_string(a, &id), kid_string(a, &id));
}

static int select_one(const selector *s, const resource *r)
{
    /* name and namespace may match the original or the current id; kinds the current one */
    const resid *ids[2] = {resource_org_id(r), &r->id};
    for (int n = 0; n < 2; n++) {
        for (int ns = 0; ns < 2; ns++) {
            resid t = r->id;
            t.name = ids[n]->name;
            t.ns = ids[ns]->ns;
            if (selector_match_id(s, &t)) return selector_match_meta(s, r->obj);
        }
    }
    return 0;
}

int patch_select(kust *k, resmap *rm, const node *target, resource ***out, size_t *n)
{
    selector s;
    if (selector_parse(k->b->a, target, SEL_REGEX, &s) < 0) return -1;
    resource **v = malloc((rm->n + 1) * sizeof *v);
    if (!v) abort();
    size_t m = 0;
    int rc = 0;
    for (size_t i = 0; rc >= 0 && i < rm->n; i++)
        if ((rc = select_one(&s, rm->v[i])) > 0) v[m++] = rm->v[i];
    selector_free(&s); /* regcomp's memory is not the arena's */
    if (rc < 0) {
        free(v);
        return -1;
    }
    *out = v;
    *n = m;
    return 0;
}

/* kyaml's SetKind, SetName, SetNamespace: an untagged scalar
 * (NewScalarRNode) set by FieldSetter, so it takes the old value's style
 * and, where that is plain, reads as its text says (namespace 123 prints
 * as a number). */
static void set_untagged(arena *a, node *m, const char *field, const char *text)
{
    int at = map_index(m, field);
    if (at < 0) map_set(a, m, field, scalar_set_untagged(a, text, NULL));
    else node_write(&m->u.map.items[at].val, scalar_set_untagged(a, text, m->u.map.items[at].val));
}

int patch_smp_one(kust *k, resource *r, node *patch, int allow_name, int allow_kind, int *deleted)
{
    arena *a = k->b->a;
    const char *name = r->id.name, *kind = r->id.kind;
    const char *ns = node_text(node_get(r->obj, "metadata", "namespace", NULL)); /* GetNamespace: any scalar's text */
    *deleted = 0;
    if (allow_name || allow_kind) resource_remember_id(a, r);
    /* the merge sees kustomize's bookkeeping annotations, and may drop them */
    bookkeeping bk;
    buildmeta_enter(k, r, &bk);
    node *res;
    if (smp_merge(a, smp_schema_get(k), r->obj, patch, &res) < 0)
        return err_prefix("applying a strategic-merge patch to %s", resid_display(a, &r->id));
    if (!res || res->kind != N_MAP || !res->u.map.n) {
        *deleted = 1;
        r->obj = NULL;
        return 0;
    }
    r->obj = res;
    buildmeta_leave(k, r, &bk, BK_READBACK);
    if (!allow_kind) set_untagged(a, res, "kind", kind);
    if (!allow_name) set_untagged(a, map_ensure_map(a, res, "metadata"), "name", name);
    if (ns && *ns) set_untagged(a, map_ensure_map(a, res, "metadata"), "namespace", ns);
    else map_del(map_get(res, "metadata"), "namespace");
    resource_refresh_id(r);
    return 0;
}

void patch_allow_changes(arena *a, node *patch, int allow_name, int allow_kind)
{
    if (!allow_name && !allow_kind) return;
    node *md = map_ensure_map(a, patch, "metadata");
    meta_rebuild_string_map(a, md, "annotations", 0); /* the patch's own map[string]string round trip */
    node *anns = map_ensure_map(a, md, "annotations");
    if (allow_name) map_set(a, anns, "internal.config.kubernetes.io/allowNameChange", node_new_str(a, "enabled"));
    if (allow_kind) map_set(a, anns, "internal.config.kubernetes.io/allowKindChange", node_new_str(a, "enabled"));
}

/* kustomize's IdSet: the objects whose id is, as a Go map key, one of the
 * selected objects' (more than the selection when ids repeat), in rm's order. */
static char *idset_members(resmap *rm, resource **sel, size_t nsel)
{
    char *in = calloc(rm->n + 1, 1);
    if (!in) abort();
    for (size_t i = 0; i < nsel; i++) {
        size_t step = 0;
        for (long pos; (pos = resmap_match_at(rm, &sel[i]->id, &step)) >= 0;)
            if (resid_same(&rm->v[pos]->id, &sel[i]->id)) in[pos] = 1;
    }
    return in;
}

int patch_smp_many(kust *k, resmap *rm, resource **sel, size_t nsel, const node *patch, int allow_name,
                   int allow_kind)
{
    arena *a = k->b->a;
    smp_schema_init(smp_schema_get(k));
    char *in = idset_members(rm, sel, nsel);
    for (size_t i = 0; i < rm->n; i++) {
        resource *r = rm->v[i];
        if (!in[i] || !r->obj) continue;
        node *pc = node_clone(a, patch);
        node *md = map_ensure_map(a, pc, "metadata");
        /* CopyMergeMetaDataFieldsFrom; kustomize ignores its errors */
        if (meta_rebuild_string_map(a, md, "labels", 0) < 0 || meta_rebuild_string_map(a, md, "annotations", 0) < 0) return -1;
        node *av = map_get(r->obj, "apiVersion");
        if (av) map_set(a, pc, "apiVersion", node_clone(a, av));
        int deleted;
        if (patch_smp_one(k, r, pc, allow_name, allow_kind, &deleted) < 0) {
            free(in);
            return -1;
        }
    }
    free(in);
    /* the objects left are appended anew, failing on any id that repeats */
    patch_finish(rm);
    return resmap_check_unique(a, rm);
}

/* kustomize's JSON patch filter: the whole object, bookkeeping annotations
 * included, goes through encoding/json (kyaml's MarshalJSON, which fails on
 * NaN), is patched, and comes back (json.Unmarshal, yaml.v3: port 0x50 is
 * 80 after it); then its annotations are rebuilt with the internal ones put
 * back as they were. */
int patch_json_one(kust *k, resource *r, const node *ops, const char *what, enum json_patch_kind kind)
{
    arena *a = k->b->a;
    const char *who = resid_display(a, &r->id);
    bookkeeping bk;
    buildmeta_enter(k, r, &bk);
    r->obj = node_clone(a, r->obj); /* subtrees may be shared with other objects */
    if (yaml_json_view(a, r->obj, 0, "converting the object to JSON") < 0 || jsonpatch_apply(a, r->obj, ops, what) < 0)
        return err_prefix("applying a JSON patch to %s", who);
    yaml_from_json(a, r->obj);
    node *md = map_get(r->obj, "metadata");
    /* PatchJson6902Transformer fails where PatchTransformer ignores SetAnnotations' error */
    int wiped = md && md->kind == N_MAP ? meta_rebuild_string_map(a, md, "annotations", kind == JP_JSON6902) : 0;
    if (wiped < 0) return err_prefix("applying a JSON patch to %s", who);
    buildmeta_leave(k, r, &bk, BK_DROP_EMPTY | (wiped ? BK_READBACK : 0));
    node_unalias(r->obj); /* kustomize rebuilds the object from the patched JSON */
    resource_refresh_id(r);
    return 0;
}

void patch_finish(resmap *rm)
{
    size_t w = 0;
    for (size_t i = 0; i < rm->n; i++)
        if (rm->v[i]->obj) rm->v[w++] = rm->v[i];
    rm->n = w;
    resmap_reindex(rm);
}

int patch_json_targets(kust *k, resmap *rm, const node *target, const node *ops, const char *what,
                       enum json_patch_kind kind)
{
    resource **sel;
    size_t n;
    if (patch_select(k, rm, target, &sel, &n) < 0) return -1;
    int rc = 0, changed = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint64_t before = sel[i]->idhash;
        if (kind == JP_PATCHES) resource_remember_id(k->b->a, sel[i]); /* StorePreviousId */
        rc = patch_json_one(k, sel[i], ops, what, kind);
        changed |= before != sel[i]->idhash;
    }
    free(sel);
    if (rc == 0 && changed) patch_finish(rm);
    return rc;
}
