/* buildMetadata (managedByLabel, originAnnotations) and removal of the
 * build's own bookkeeping before output. */
#include "build.h"
#include "err.h"
#include "plugins.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define MANAGED_BY_VALUE "kustomize-v5.5.0"

static int has_option(const node *bm, const char *opt)
{
    for (uint32_t i = 0; bm && bm->kind == N_SEQ && i < bm->u.seq.n; i++) {
        const char *s = node_text(bm->u.seq.items[i]);
        if (s && !strcmp(s, opt)) return 1;
    }
    return 0;
}

/* Path of file relative to dir, both made canonical. */
static const char *relative_path(arena *a, const char *dir, const char *file)
{
    char d[PATH_MAX], f[PATH_MAX];
    if (!realpath(dir, d) || !realpath(file, f)) return file;
    size_t common = 0, i = 0;
    while (d[i] && d[i] == f[i]) {
        if (d[i] == '/') common = i;
        i++;
    }
    if (!d[i] && f[i] == '/') common = i;
    strbuf sb = STRBUF_INIT;
    for (const char *p = d + common; *p; p++)
        if (*p == '/') sb_adds(&sb, "../");
    sb_adds(&sb, f + common + 1);
    const char *r = arena_strdup(a, sb.buf);
    sb_release(&sb);
    return r;
}

static void add_origin(kust *k, resource *r)
{
    arena *a = k->b->a;
    strbuf sb = STRBUF_INIT;
    if (r->generated && r->configured_by_kind) {
        sb_addf(&sb, "configuredIn: %s\nconfiguredBy:\n  apiVersion: builtin\n  kind: %s\n",
                relative_path(a, k->b->top_dir, r->configured_in), r->configured_by_kind);
        if (r->configured_by_name) sb_addf(&sb, "  name: %s\n", r->configured_by_name);
    } else if (r->origin && r->origin[0] != '(') {
        sb_addf(&sb, "path: %s\n", relative_path(a, k->b->top_dir, r->origin));
    }
    if (sb.len) {
        node *anns = map_ensure_map(a, map_ensure_map(a, r->obj, "metadata"), "annotations");
        map_set(a, anns, "config.kubernetes.io/origin", node_new_strn(a, sb.buf, sb.len));
    }
    sb_release(&sb);
}

int finish_build_metadata(kust *k, resmap *rm)
{
    arena *a = k->b->a;
    node *bm = map_get(k->k, "buildMetadata");
    int managed = has_option(bm, "managedByLabel");
    int origins = has_option(bm, "originAnnotations");
    for (size_t i = 0; i < rm->n; i++) {
        resource *r = rm->v[i];
        if (managed) {
            node *labels = map_ensure_map(a, map_ensure_map(a, r->obj, "metadata"), "labels");
            map_set(a, labels, "app.kubernetes.io/managed-by", node_new_str(a, MANAGED_BY_VALUE));
        }
        if (origins) add_origin(k, r);
    }
    return 0;
}
