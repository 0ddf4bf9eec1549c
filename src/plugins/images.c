/* The global image registry, applied after rendering: when a plugin's values
 * set global.imageRegistry (the registry) or global.imageRepository (the
 * organisation, kubegems' meaning: jetstack/x -> kubegems/x), every image of
 * its objects is rewritten by src/images' one rewrite (the same rules as
 * --registry and --image-repository), not only those its chart exposes as
 * values (which is all kubegems' wrapper charts can reach). Tags and digests
 * are kept; rewriting an already rewritten image changes nothing. */
#include "plugin_impl.h"
#include "err.h"
#include "images.h"
#include <string.h>

static const char *global_str(const plugin *p, const char *key)
{
    node *v = node_get(p->merged, "global", key, NULL);
    return v && v->kind == N_STR && *v->u.str.s ? v->u.str.s : NULL;
}

int plugin_rewrite_images(arena *a, plugin *p)
{
    image_rules rules = {.registry = global_str(p, "imageRegistry"), .repository = global_str(p, "imageRepository")};
    if (!rules.registry && !rules.repository) return 0;
    if (rules.registry && image_registry_check("global.imageRegistry", rules.registry) < 0)
        return err_prefix("%s: plugin %s", p->where, p->name);
    image_uses uses = {0}; /* in the arena */
    int rc = images_find(a, &p->out, NULL, 0, &uses);
    if (rc == 0) rc = images_rewrite(a, &rules, &uses);
    return rc < 0 ? err_prefix("%s: plugin %s", p->where, p->name) : 0;
}
