/* ImageTagTransformer: `images` (and the deprecated `imageTags`, appended).
 * Two passes per entry, as kustomize's api/filters/imagetag: first every
 * `image` of every element of a `containers` or `initContainers` list found
 * at any depth, then the images field specs (never creating anything);
 * CustomResourceDefinitions are left alone. An image matches when it is
 * ^NAME(:tag)?(@sha256:digest)?$ with NAME used as a regular expression, as
 * kustomize does. newName replaces the name; newTag drops a digest, digest
 * drops a tag, both set both; without either, tagSuffix is appended to the
 * tag and drops the digest (each pass appends it again: kustomize's own
 * doubling for objects both passes reach). */
#include "meta.h"
#include "err.h"
#include "scalar.h"
#include "image.h"
#include <string.h>

struct image_tag {
    arena *a;
    const char *name, *new_name, *new_tag, *digest, *tag_suffix;
    image_matcher m;
};

static int update_image(struct image_tag *t, resource *r, node **slot)
{
    if ((*slot)->kind == N_NULL) return 0;
    const char *img = node_text(*slot);
    if (!img)
        return err_set("%s: %s: an image must be a string, found a mapping or list", node_pos(t->a, *slot),
                       resid_display(t->a, &r->id));
    int match = image_matcher_match(&t->m, img);
    if (match < 0)
        return err_set("%s: images: name '%s' is not a valid regular expression (%s): kustomize fails on it",
                       node_pos(t->a, *slot), t->name, t->m.err);
    if (!match) return 0;
    const char *name, *tag, *digest;
    image_split(t->a, img, &name, &tag, &digest);
    if (*t->new_name) name = t->new_name;
    if (*t->new_tag) {
        tag = t->new_tag;
        digest = t->digest;
    } else if (*t->digest) {
        tag = "";
        digest = t->digest;
    } else if (*t->tag_suffix) {
        tag = arena_printf(t->a, "%s%s", tag, t->tag_suffix);
        digest = "";
    }
    const char *img2 = arena_printf(t->a, "%s%s%s%s%s", name, *tag ? ":" : "", tag, *digest ? "@" : "", digest);
    *slot = scalar_set_untagged(t->a, img2, *slot); /* SetScalar */
    return 0;
}

static int visit_image(void *ctx, resource *r, node **slot)
{
    return update_image(ctx, r, slot);
}

static int update_containers(struct image_tag *t, resource *r, node *list)
{
    for (uint32_t i = 0; i < list->u.seq.n; i++) {
        node *c = list->u.seq.items[i];
        int idx = map_index(c, "image");
        if (idx >= 0 && update_image(t, r, &c->u.map.items[idx].val) < 0) return -1;
    }
    return 0;
}

/* Pass one: containers/initContainers lists anywhere in the object. */
static int find_containers(struct image_tag *t, resource *r, node *n)
{
    if (n->kind == N_SEQ) {
        for (uint32_t i = 0; i < n->u.seq.n; i++)
            if (find_containers(t, r, n->u.seq.items[i]) < 0) return -1;
        return 0;
    }
    if (n->kind != N_MAP) return 0;
    for (uint32_t i = 0; i < n->u.map.n; i++) {
        node *v = n->u.map.items[i].val;
        const char *key = n->u.map.items[i].key->u.str.s;
        if (find_containers(t, r, v) < 0) return -1;
        if (v->kind == N_SEQ && (!strcmp(key, "containers") || !strcmp(key, "initContainers")) &&
            update_containers(t, r, v) < 0)
            return -1;
    }
    return 0;
}

static int read_image_tag(arena *a, const node *it, struct image_tag *t)
{
    memset(t, 0, sizeof *t);
    t->a = a;
    if (it && it->kind != N_MAP && it->kind != N_NULL)
        return err_set("%s: an images entry must be a mapping {name, newName, newTag, digest, tagSuffix}", node_pos(a, it));
    if (meta_string_field(a, it, "name", &t->name) < 0 || meta_string_field(a, it, "newName", &t->new_name) < 0 ||
        meta_string_field(a, it, "newTag", &t->new_tag) < 0 || meta_string_field(a, it, "digest", &t->digest) < 0 ||
        meta_string_field(a, it, "tagSuffix", &t->tag_suffix) < 0)
        return -1;
    image_matcher_init(&t->m, a, t->name);
    return 0;
}

int configure_images(kust *k, node_list *configs)
{
    arena *a = k->b->a;
    static const char *const fields[] = {"images", "imageTags"};
    for (int f = 0; f < 2; f++) {
        node *list = map_get(k->k, fields[f]);
        if (list && list->kind != N_NULL && list->kind != N_SEQ)
            return err_set("%s: '%s' must be a list of {name, newName, newTag, digest}", node_pos(a, list),
                           fields[f]);
        for (uint32_t i = 0; list && list->kind == N_SEQ && i < list->u.seq.n; i++) {
            node *c = builtin_config_new(k, "ImageTagTransformer", fields[f]);
            node_set_pos(c, list->u.seq.items[i]);
            map_set(a, c, "imageTag", list->u.seq.items[i]);
            map_set(a, c, "fieldSpecs", k->tc->cat[FS_IMAGES]);
            list_push(configs, c);
        }
    }
    return 0;
}

int builtin_images(kust *k, node *config, resmap *rm)
{
    arena *a = k->b->a;
    struct image_tag t;
    fieldspecs fss;
    if (read_image_tag(a, map_get(config, "imageTag"), &t) < 0) return -1;
    int rc = meta_config_fieldspecs(a, config, &fss);
    for (size_t i = 0; rc == 0 && i < rm->n; i++) {
        resource *r = rm->v[i];
        if (!strcmp(r->id.kind, "CustomResourceDefinition")) continue;
        rc = find_containers(&t, r, r->obj);
    }
    for (size_t i = 0; rc == 0 && i < rm->n; i++) {
        resource *r = rm->v[i];
        if (!strcmp(r->id.kind, "CustomResourceDefinition")) continue;
        rc = fieldspecs_walk(a, &fss, r, -1, visit_image, &t); /* never creates */
    }
    image_matcher_free(&t.m);
    return rc;
}
