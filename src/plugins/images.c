/* The global image registry, applied after rendering: when a plugin's values
 * set global.imageRegistry (the registry) or global.imageRepository (the
 * organisation, kubegems' meaning: jetstack/x -> kubegems/x), every container
 * image of its objects is rewritten, not only those its chart exposes as
 * values (which is all kubegems' wrapper charts can reach). Tags and digests
 * are kept; rewriting an already rewritten image changes nothing. */
#include "plugin_impl.h"
#include <string.h>

static const char *global_str(const plugin *p, const char *key)
{
    const char *s = node_get_str(p->merged, "global", key, NULL);
    node *v = node_get(p->merged, "global", key, NULL);
    return s && v->kind == N_STR && *s ? s : NULL;
}

/* The first path segment is a registry when it has a dot or a port, or is localhost. */
static size_t registry_len(const char *image)
{
    size_t n = strcspn(image, "/");
    if (!image[n]) return 0;
    if (memchr(image, '.', n) || memchr(image, ':', n) || (n == 9 && !memcmp(image, "localhost", 9))) return n;
    return 0;
}

static const char *rewrite(arena *a, const char *image, const char *registry, const char *org)
{
    size_t rl = registry_len(image);
    const char *reg = rl ? arena_strndup(a, image, rl) : NULL, *path = rl ? image + rl + 1 : image;
    if (org) {
        const char *slash = strchr(path, '/'), *at = strchr(path, '@');
        if (slash && at && at < slash) slash = NULL; /* a digest has no segments */
        path = arena_printf(a, "%s/%s", org, slash ? slash + 1 : path);
    }
    if (registry) reg = registry;
    return reg ? arena_printf(a, "%s/%s", reg, path) : path;
}

static void walk(arena *a, node *n, const char *registry, const char *org)
{
    if (n->kind == N_SEQ) {
        for (uint32_t i = 0; i < n->u.seq.n; i++) walk(a, n->u.seq.items[i], registry, org);
        return;
    }
    if (n->kind != N_MAP) return;
    for (uint32_t i = 0; i < n->u.map.n; i++) {
        const char *k = n->u.map.items[i].key->u.str.s;
        node *v = n->u.map.items[i].val;
        int containers = !strcmp(k, "containers") || !strcmp(k, "initContainers") || !strcmp(k, "ephemeralContainers");
        for (uint32_t j = 0; containers && v->kind == N_SEQ && j < v->u.seq.n; j++) {
            node *c = v->u.seq.items[j], *img = map_get(c, "image");
            if (img && img->kind == N_STR && *img->u.str.s)
                map_set(a, c, "image", node_new_str(a, rewrite(a, img->u.str.s, registry, org)));
        }
        walk(a, v, registry, org);
    }
}

void plugin_rewrite_images(arena *a, plugin *p)
{
    const char *registry = global_str(p, "imageRegistry"), *org = global_str(p, "imageRepository");
    if (!registry && !org) return;
    for (size_t i = 0; i < p->out.n; i++) walk(a, p->out.v[i]->obj, registry, org);
}
