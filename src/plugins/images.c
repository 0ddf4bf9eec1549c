/* The global image registry, applied after rendering: when a plugin's values
 * set global.imageRegistry (the registry) or global.imageRepository (the
 * organisation, kubegems' meaning: jetstack/x -> kubegems/x), every image of
 * its objects is rewritten by src/images' one rewrite (the same rules as
 * --registry and --image-repository), not only those its chart exposes as
 * values (which is all kubegems' wrapper charts can reach). Tags and digests
 * are kept; rewriting an already rewritten image changes nothing.
 *
 * The image pass after the build gets notes (build_note_image) of what the
 * objects no longer show: the source each rewritten image came from (so
 * `kgrender images --original` and `kgrender mirror` name the upstream image,
 * not the mirror), and the images the chart declares in its Chart.yaml
 * annotations (helm.sh/images, artifacthub.io/images: YAML lists of
 * {name, image}), rewritten by the same rules. */
#include "plugin_impl.h"
#include "err.h"
#include "images.h"
#include "kyaml.h"
#include <string.h>

static const char *global_str(const plugin *p, const char *key)
{
    node *v = node_get(p->merged, "global", key, NULL);
    return v && v->kind == N_STR && *v->u.str.s ? v->u.str.s : NULL;
}

static const char *const chart_image_annotations[] = {"helm.sh/images", "artifacthub.io/images", NULL};

/* One {name, image} entry of a Chart.yaml images annotation. */
static int note_chart_image(build *b, plugin *p, const image_rules *rules, const char *field, const char *image)
{
    arena *a = b->a;
    imageref ref, m;
    if (imageref_normalize(a, image, &ref) < 0 || image_mirror(a, rules, &ref, &m) < 0)
        return err_prefix("%s: plugin %s: Chart.yaml %s", p->where, p->name, field);
    const char *now = m.domain == ref.domain && m.path == ref.path ? image : imageref_string(a, &m);
    build_note_image(b, (image_note){.r = p->r, .field = field, .image = now, .source = image});
    return 0;
}

static int chart_images(build *b, plugin *p, const image_rules *rules)
{
    arena *a = b->a;
    for (const char *const *ann = chart_image_annotations; *ann; ann++) {
        const char *text = node_get_str(p->chart_meta, "annotations", *ann, NULL);
        node *list = NULL;
        if (!text) continue;
        const char *what = arena_printf(a, "%s (chart %s) annotations['%s']", p->source, p->name, *ann);
        if (yaml_load_one(a, what, text, strlen(text), &list) < 0) return -1;
        if (!list || list->kind == N_NULL) continue;
        if (list->kind != N_SEQ) return err_set("%s: a list of {name, image} expected", what);
        for (uint32_t i = 0; i < list->u.seq.n; i++) {
            const char *image = node_get_str(list->u.seq.items[i], "image", NULL);
            if (!image || !*image) return err_set("%s[%u]: no image", what, i);
            const char *field = arena_printf(a, "annotations['%s'][%u].image", *ann, i);
            if (note_chart_image(b, p, rules, field, image) < 0) return -1;
        }
    }
    return 0;
}

int plugin_rewrite_images(build *b, plugin *p)
{
    arena *a = b->a;
    image_rules rules = {.registry = global_str(p, "imageRegistry"), .repository = global_str(p, "imageRepository")};
    if (rules.registry && image_registry_check("global.imageRegistry", rules.registry) < 0)
        return err_prefix("%s: plugin %s", p->where, p->name);
    if (p->chart_meta && chart_images(b, p, &rules) < 0) return -1;
    if (!rules.registry && !rules.repository) return 0;
    image_uses uses = {0}; /* in the arena */
    int rc = images_find(a, &p->out, NULL, 0, &uses);
    if (rc == 0) rc = images_rewrite(a, &rules, &uses);
    if (rc < 0) return err_prefix("%s: plugin %s", p->where, p->name);
    for (size_t i = 0; i < uses.n; i++)
        if (uses.v[i].rewritten != uses.v[i].original)
            build_note_image(b, (image_note){.image = uses.v[i].rewritten, .source = uses.v[i].original});
    return 0;
}
