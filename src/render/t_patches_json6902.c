/* PatchJson6902Transformer (`patchesJson6902`): JSON patch operations, YAML
 * or JSON, inline (`patch`) or from `path`, applied to the objects the
 * target selects (its name is required). Unlike `patches`, it does not
 * record the previous id of an object it renames, as kustomize. */
#include "builtins.h"
#include "err.h"
#include "jsonpatch.h"
#include "patch_apply.h"
#include <stdlib.h>
#include <string.h>

int configure_patches_json6902(kust *k, node_list *configs)
{
    arena *a = k->b->a;
    node *f = map_get(k->k, "patchesJson6902");
    if (!f || f->kind == N_NULL) return 0;
    if (f->kind != N_SEQ) return err_set("%s: 'patchesJson6902' must be a list", node_pos(a, f));
    for (uint32_t i = 0; i < f->u.seq.n; i++) {
        node *e = f->u.seq.items[i];
        if (e->kind != N_MAP) return err_set("%s: a patchesJson6902 entry must be a mapping {target, path|patch}", node_pos(a, e));
        node *c = builtin_config_new(k, "PatchJson6902Transformer", "patchesJson6902");
        node_set_pos(c, e);
        if (map_get(e, "target")) map_set(a, c, "target", map_get(e, "target"));
        if (map_get(e, "path")) map_set(a, c, "path", map_get(e, "path"));
        if (map_get(e, "patch")) map_set(a, c, "jsonOp", map_get(e, "patch"));
        list_push(configs, c);
    }
    return 0;
}

static int load_ops(kust *k, node *config, node **ops, const char **src)
{
    arena *a = k->b->a;
    node *pn = map_get(config, "path"), *jn = map_get(config, "jsonOp");
    const char *path = node_text(pn), *op = node_text(jn);
    if ((!path || !*path) && (!op || !*op))
        return err_set("%s: patchesJson6902: empty file path and empty jsonOp", node_pos(a, config));
    if (path && *path && op && *op)
        return err_set("%s: patchesJson6902: must specify a file path or jsonOp, not both", node_pos(a, config));
    if (op && *op) {
        *src = node_pos(a, jn);
        return jsonpatch_parse(a, *src, op, strlen(op), ops);
    }
    strbuf sb = STRBUF_INIT;
    int rc = kust_read_file(k, path, pn, &sb, src);
    if (rc == 0 && !sb.len) rc = err_set("%s: patchesJson6902: patch file '%s' seems to be empty", node_pos(a, pn), path);
    if (rc == 0) rc = jsonpatch_parse(a, *src, sb.buf, sb.len, ops);
    sb_release(&sb);
    return rc;
}

int builtin_patches_json6902(kust *k, node *config, resmap *rm)
{
    arena *a = k->b->a;
    node *target = map_get(config, "target");
    if (!target || !node_get_str(target, "name", NULL) || !*node_get_str(target, "name", NULL))
        return err_set("%s: patchesJson6902: must specify the target name", node_pos(a, target ? target : config));
    node *ops;
    const char *src;
    if (load_ops(k, config, &ops, &src) < 0) return -1;
    if (!ops->u.seq.n) return err_set("%s: patchesJson6902: patch appears to be empty", src);
    return patch_json_targets(k, rm, target, ops, src, JP_JSON6902);
}
