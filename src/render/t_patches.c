/* PatchTransformer (`patches`): a patch from `path` or inline `patch`, taken
 * as a strategic-merge patch when it is YAML objects and as a JSON patch when
 * it is one list of operations. With a target, the patch applies to every
 * selected object; without one, each strategic-merge document applies to
 * the object with its own id, and a JSON patch is an error. */
#include "builtins.h"
#include "err.h"
#include "jsonpatch.h"
#include "patch_apply.h"
#include "smp_schema.h"
#include "kyaml.h"
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int configure_patches(kust *k, node_list *configs)
{
    arena *a = k->b->a;
    node *f = map_get(k->k, "patches");
    if (!f || f->kind == N_NULL) return 0;
    if (f->kind != N_SEQ) return err_set("%s: 'patches' must be a list", node_pos(a, f));
    static const char *const fields[] = {"path", "patch", "target", "options"};
    for (uint32_t i = 0; i < f->u.seq.n; i++) {
        node *e = f->u.seq.items[i];
        if (e->kind != N_MAP) return err_set("%s: a patches entry must be a mapping {path|patch, target, options}", node_pos(a, e));
        node *c = builtin_config_new(k, "PatchTransformer", "patches");
        node_set_pos(c, e);
        for (int j = 0; j < 4; j++)
            if (map_get(e, fields[j])) map_set(a, c, fields[j], map_get(e, fields[j]));
        list_push(configs, c);
    }
    return 0;
}

static int option(const node *config, const char *name)
{
    return node_is_true(node_get(config, "options", name, NULL));
}

/* The patch text, trimmed when inline (kustomize trims only that form). */
static int patch_text(kust *k, node *config, strbuf *sb, const char **src)
{
    arena *a = k->b->a;
    node *pn = map_get(config, "patch"), *path = map_get(config, "path");
    const char *p = node_text(pn), *pa = node_text(path);
    while (p && isspace((unsigned char)*p)) p++;
    size_t plen = p ? strlen(p) : 0;
    while (plen && isspace((unsigned char)p[plen - 1])) plen--;
    if (!plen && (!pa || !*pa)) return err_set("%s: patches: must specify one of patch and path", node_pos(a, config));
    if (plen && pa && *pa) return err_set("%s: patches: patch and path can't be set at the same time", node_pos(a, config));
    if (plen) {
        sb_add(sb, p, plen);
        *src = node_pos(a, pn);
        return 0;
    }
    if (kust_read_file(k, pa, path, sb, src) < 0)
        return err_prefix("patches: failed to get the patch file from path(%s)", pa);
    return 0;
}

static int apply_smp(kust *k, node *config, resmap *rm, node_list *docs, const char *src)
{
    int an = option(config, "allowNameChange"), ak = option(config, "allowKindChange");
    node *target = map_get(config, "target");
    for (size_t i = 0; i < docs->n; i++) patch_allow_changes(k->b->a, docs->v[i], an, ak);
    if (target) {
        if (docs->n > 1)
            return err_set("%s: patches: Multiple Strategic-Merge Patches in one `patches` entry is not allowed to "
                           "set `patches.target` field", src);
        resource **sel;
        size_t n;
        if (patch_select(k, rm, target, &sel, &n) < 0) return -1;
        int rc = patch_smp_many(k, rm, sel, n, docs->v[0], an, ak);
        free(sel);
        return rc;
    }
    smp_schema_init(smp_schema_get(k));
    int changed = 0, rc = 0;
    previdx px = {0};
    for (size_t i = 0; rc == 0 && i < docs->n; i++) {
        resource *r;
        rc = patch_find_target(k, rm, &px, docs->v[i], &r);
        if (rc < 0) {
            err_prefix("patches: no resource matches strategic merge patch");
            break;
        }
        uint64_t before = r->idhash;
        int deleted;
        rc = patch_smp_one(k, r, docs->v[i], an, ak, &deleted);
        if (deleted || before != r->idhash) {
            changed = 1;
            resmap_reindex(rm); /* later documents look objects up by id */
        }
    }
    previdx_free(&px);
    if (rc == 0 && changed) patch_finish(rm);
    return rc;
}

static int apply_json(kust *k, node *config, resmap *rm, const node *ops, const char *src)
{
    node *target = map_get(config, "target");
    if (!target) return err_set("%s: patches: must specify a target for JSON patch", src);
    return patch_json_targets(k, rm, target, ops, src, JP_PATCHES);
}

/* kustomize reads the text both ways, as strategic-merge objects (its
 * resource factory) and as JSON operations (JSON when it starts with '[',
 * else YAML turned into JSON), and takes the one that works: neither or
 * both is an error, and objects that turn out to be none (only empty
 * documents) leave the JSON reading's error. */
int builtin_patches(kust *k, node *config, resmap *rm)
{
    arena *a = k->b->a;
    strbuf sb = STRBUF_INIT;
    const char *src;
    node_list smps = {0};
    node *ops = NULL;
    int rc = patch_text(k, config, &sb, &src);
    if (rc == 0) {
        int sm_ok = patch_load_smp(k, src, sb.buf, sb.len, &smps) == 0;
        strbuf why = STRBUF_INIT;
        sb_adds(&why, err_msg());
        int json_ok = jsonpatch_parse(a, src, sb.buf, sb.len, &ops) == 0;
        if (sm_ok && json_ok)
            rc = err_set("%s: patches: illegally qualifies as both an SM and JSON patch", src);
        else if (!sm_ok && !json_ok)
            rc = err_set("%s: patches: unable to parse SM or JSON patch (as objects: %s)", src, why.len ? why.buf : "");
        else if (sm_ok && !smps.n)
            rc = err_prefix("patches");
        else
            rc = sm_ok ? apply_smp(k, config, rm, &smps, src) : apply_json(k, config, rm, ops, src);
        sb_release(&why);
    }
    list_free(&smps);
    sb_release(&sb);
    return rc;
}
