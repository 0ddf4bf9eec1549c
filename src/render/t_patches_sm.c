/* PatchStrategicMergeTransformer (`patchesStrategicMerge`): each entry is a
 * file or an inline patch, possibly several documents; each document patches
 * the one object that has (or had) the document's own id. */
#include "builtins.h"
#include "err.h"
#include "patch_apply.h"
#include "smp_schema.h"
#include "kyaml.h"
#include <string.h>

int configure_patches_sm(kust *k, node_list *configs)
{
    node *f = map_get(k->k, "patchesStrategicMerge");
    if (!f || f->kind == N_NULL) return 0;
    if (f->kind != N_SEQ) return err_set("%s: 'patchesStrategicMerge' must be a list", node_pos(k->b->a, f));
    if (!f->u.seq.n) return 0;
    node *c = builtin_config_new(k, "PatchStrategicMergeTransformer", "patchesStrategicMerge");
    map_set(k->b->a, c, "paths", f);
    list_push(configs, c);
    return 0;
}

/* kustomize tries an entry as inline YAML objects first, then as a file. */
static int load_entry(kust *k, node *entry, node_list *out)
{
    arena *a = k->b->a;
    const char *text = node_text(entry);
    if (!text || entry->kind != N_STR) return err_set("%s: a patch must be a path or an inline patch", node_pos(a, entry));
    node_list docs = {0};
    int inline_ok = strchr(text, '\n') && yaml_load_dup_keys(a, entry->file, text, strlen(text), &docs) == 0 && docs.n;
    for (size_t i = 0; inline_ok && i < docs.n; i++) inline_ok = docs.v[i]->kind == N_MAP;
    list_free(&docs);
    if (inline_ok) return patch_load_smp(k, node_pos(a, entry), text, strlen(text), out);
    err_clear();
    strbuf sb = STRBUF_INIT;
    const char *full;
    int rc = kust_read_file(k, text, entry, &sb, &full);
    if (rc == 0) rc = patch_load_smp(k, full, sb.buf, sb.len, out);
    sb_release(&sb);
    return rc;
}

int builtin_patches_sm(kust *k, node *config, resmap *rm)
{
    arena *a = k->b->a;
    node_list patches = {0};
    node *paths = map_get(config, "paths");
    const char *inl = node_get_str(config, "patches", NULL);
    int rc = 0;
    for (uint32_t i = 0; rc == 0 && paths && paths->kind == N_SEQ && i < paths->u.seq.n; i++)
        rc = load_entry(k, paths->u.seq.items[i], &patches);
    if (rc == 0 && inl && *inl) rc = patch_load_smp(k, node_pos(a, map_get(config, "patches")), inl, strlen(inl), &patches);
    if (rc == 0 && !patches.n)
        rc = err_set("%s: patchesStrategicMerge: patch appears to be empty", node_pos(a, paths ? paths : config));
    previdx px = {0};
    for (size_t i = 0; rc == 0 && i < patches.n; i++) {
        resource *target;
        rc = patch_find_target(k, rm, &px, patches.v[i], &target);
        if (rc == 0) rc = patch_smp_many(k, rm, &target, 1, patches.v[i], 0, 0);
    }
    previdx_free(&px);
    list_free(&patches);
    return rc;
}
