/* The pass after a build (build_options.post_build): rewrite every image by
 * the rules in one streaming pass over the final objects (linear in their
 * size), and for `kgrender images` write the list: text (sorted, unique),
 * json (per image the objects and fields that use it, and its mirror name),
 * a hauler Images manifest or a zarf package with the images component. */
#include "images.h"
#include "jsonout.h"
#include "err.h"
#include "scalar.h"
#include <stdlib.h>
#include <string.h>

static int set_use(arena *a, image_use *u)
{
    const char *text = u->rewritten;
    if (u->hub_suffix) { /* the hub is what is left once the image's own name and tag are taken off */
        size_t n = strlen(text), s = strlen(u->hub_suffix);
        if (n <= s || strcmp(text + n - s, u->hub_suffix))
            return err_set("%s: %s: the mirror %s is not HUB%s: its hub cannot be rewritten", resid_display(a, &u->r->id),
                           u->field, text, u->hub_suffix);
        text = arena_strndup(a, text, n - s);
    }
    node *v = node_new_str(a, u->arg_prefix ? arena_printf(a, "%s%s", u->arg_prefix, text) : text);
    node_set_pos(v, *u->slot);
    *u->slot = v;
    return 0;
}

struct pair {
    const char *mirror, *source;
};

static int cmp_pair(const void *x, const void *y)
{
    const struct pair *p = x, *q = y;
    int c = strcmp(p->mirror, q->mirror);
    return c ? c : strcmp(p->source, q->source);
}

/* Two different images under one mirror name would overwrite each other there. */
static void warn_collisions(arena *a, image_uses *uses)
{
    struct pair *v = malloc((uses->n + 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < uses->n; i++)
        v[n++] = (struct pair){imageref_string(a, &uses->v[i].mirror), imageref_string(a, &uses->v[i].ref)};
    qsort(v, n, sizeof *v, cmp_pair);
    for (size_t i = 1; i < n; i++)
        if (!strcmp(v[i].mirror, v[i - 1].mirror) && strcmp(v[i].source, v[i - 1].source))
            warnf("images %s and %s both map to %s (add a --registry-map to keep them apart)", v[i - 1].source,
                  v[i].source, v[i].mirror);
    free(v);
}

int images_rewrite(arena *a, const image_rules *r, image_uses *uses)
{
    if (!image_rules_rewrite(r)) return 0;
    for (size_t i = 0; i < uses->n; i++) {
        image_use *u = &uses->v[i];
        imageref now = u->mirror; /* the source, or where a plugin's global.imageRegistry put it */
        if (image_mirror(a, r, &now, &u->mirror) < 0)
            return err_prefix("%s: %s", resid_display(a, &u->r->id), u->field);
        if (u->mirror.domain == now.domain && u->mirror.path == now.path) continue; /* no rule applied */
        u->rewritten = imageref_string(a, &u->mirror);
        if (set_use(a, u) < 0) return -1;
    }
    warn_collisions(a, uses);
    return 0;
}

/* ---- lists ---- */

struct entry {
    const char *key; /* what the list shows */
    image_use *u;
};

static int cmp_entry(const void *x, const void *y)
{
    const struct entry *p = x, *q = y;
    int c = strcmp(p->key, q->key);
    if (c) return c;
    c = strcmp(p->u->original, q->u->original);
    if (c) return c;
    return p->u < q->u ? -1 : p->u > q->u;
}

/* Deployed uses sorted by the shown name; hauler and zarf fetch from the
 * source registries themselves, so they always get the source names. */
static struct entry *sorted_entries(arena *a, const images_job *job, image_uses *uses, size_t *n)
{
    struct entry *v = malloc((uses->n + 1) * sizeof *v);
    *n = 0;
    for (size_t i = 0; i < uses->n; i++) {
        image_use *u = &uses->v[i];
        if (!u->deployed) continue;
        const char *key = job->format == IMAGES_HAULER || job->format == IMAGES_ZARF ? imageref_string(a, &u->ref)
                          : job->original                                            ? u->original
                                                                                     : u->rewritten;
        v[(*n)++] = (struct entry){key, u};
    }
    qsort(v, *n, sizeof *v, cmp_entry);
    return v;
}

/* A JSON string: the one writer, Go's encoding/json form (render/jsonout.c). */
static void json_str(strbuf *out, const char *s)
{
    json_string(out, s, strlen(s));
}

static void json_field(strbuf *out, const char *indent, const char *key, const char *val, int comma)
{
    sb_addf(out, "%s\"%s\": ", indent, key);
    json_str(out, val);
    sb_adds(out, comma ? ",\n" : "\n");
}

/* One entry per image as written: its objects follow while the key and original repeat. */
static void write_json(arena *a, strbuf *out, struct entry *v, size_t n)
{
    sb_adds(out, "{\n  \"images\": [");
    for (size_t i = 0; i < n;) {
        image_use *u = v[i].u;
        sb_adds(out, i ? ",\n    {\n" : "\n    {\n");
        json_field(out, "      ", "image", v[i].key, 1);
        json_field(out, "      ", "original", u->original, 1);
        json_field(out, "      ", "source", imageref_string(a, &u->ref), 1);
        json_field(out, "      ", "mirror", imageref_string(a, &u->mirror), 1);
        sb_adds(out, "      \"objects\": [");
        size_t j = i;
        for (; j < n && !strcmp(v[j].key, v[i].key) && !strcmp(v[j].u->original, u->original); j++) {
            const resource *r = v[j].u->r;
            sb_adds(out, j > i ? ",\n        {" : "\n        {");
            const char *api = node_get_str(r->obj, "apiVersion", NULL);
            sb_adds(out, "\"apiVersion\": "), json_str(out, api ? api : "");
            sb_adds(out, ", \"kind\": "), json_str(out, r->id.kind);
            sb_adds(out, ", \"namespace\": "), json_str(out, r->id.ns);
            sb_adds(out, ", \"name\": "), json_str(out, r->id.name);
            sb_adds(out, ", \"field\": "), json_str(out, v[j].u->field);
            sb_adds(out, "}");
        }
        sb_adds(out, "\n      ]\n    }");
        i = j;
    }
    sb_adds(out, n ? "\n  ]\n}\n" : "]\n}\n");
}

static void yaml_item(strbuf *out, const char *indent, const char *key, const char *s)
{
    int quote = scalar_v2_needs_quotes(s, strlen(s));
    sb_addf(out, "%s%s%s%s%s\n", indent, key, quote ? "\"" : "", s, quote ? "\"" : "");
}

static void write_list(arena *a, const images_job *job, strbuf *out, struct entry *v, size_t n)
{
    const char *name = job->name && *job->name ? job->name : "kgrender-images";
    if (job->format == IMAGES_JSON) {
        write_json(a, out, v, n);
        return;
    }
    if (job->format == IMAGES_HAULER)
        sb_addf(out, "apiVersion: content.hauler.cattle.io/v1alpha1\nkind: Images\nmetadata:\n  name: %s\nspec:\n"
                     "  images:%s\n", name, n ? "" : " []");
    else if (job->format == IMAGES_ZARF)
        sb_addf(out, "kind: ZarfPackageConfig\nmetadata:\n  name: %s\ncomponents:\n- name: images\n  required: true\n"
                     "  images:%s\n", name, n ? "" : " []");
    for (size_t i = 0; i < n; i++) {
        if (i && !strcmp(v[i].key, v[i - 1].key)) continue;
        if (job->format == IMAGES_HAULER) yaml_item(out, "  - ", "name: ", v[i].key);
        else if (job->format == IMAGES_ZARF) yaml_item(out, "  - ", "", v[i].key);
        else sb_addf(out, "%s\n", v[i].key);
    }
}

/* ---- mirror plans ---- */

static void plan_images(arena *a, mirror_plan *p, image_uses *uses)
{
    for (size_t i = 0; i < uses->n; i++)
        if (uses->v[i].deployed) mirror_plan_add(p, &uses->v[i].ref, &uses->v[i].mirror);
    (void)a;
}

/* ---- the plugin expansion's notes (build_note_image) ---- */

/* By image; a chart's declared source (r set) before the rewrite's, since
 * a chart that reads global.imageRegistry itself already hid the upstream. */
static int cmp_note(const void *x, const void *y)
{
    const image_note *p = x, *q = y;
    int c = strcmp(p->image, q->image);
    return c ? c : (!p->r) - (!q->r);
}

static int cmp_note_image(const void *x, const void *y)
{
    return strcmp(((const image_note *)x)->image, ((const image_note *)y)->image);
}

/* A use whose image a plugin's global.imageRegistry rewrote (or a chart
 * declares): its source is the image the chart wrote (or declares), its
 * mirror (before further rules) the image now. */
static int trace_source(arena *a, image_use *u, const image_note *notes, size_t n)
{
    image_note key = {.image = u->original};
    const image_note *hit = bsearch(&key, notes, n, sizeof key, cmp_note_image);
    if (!hit) return 0;
    while (hit > notes && !strcmp(hit[-1].image, hit->image)) hit--;
    u->mirror = u->ref;
    u->original = hit->source;
    return imageref_normalize(a, hit->source, &u->ref);
}

/* An image a chart declares in Chart.yaml annotations: a use of the Plugin
 * object whose slot is its own node (no output object holds it). */
static int chart_use(arena *a, const image_note *nt, image_uses *uses)
{
    image_use u = {.r = nt->r, .field = nt->field, .original = nt->source, .rewritten = nt->image, .deployed = 1};
    u.slot = arena_alloc(a, sizeof *u.slot);
    *u.slot = node_new_str(a, nt->image);
    if (imageref_normalize(a, nt->source, &u.ref) < 0 || imageref_normalize(a, nt->image, &u.mirror) < 0)
        return err_prefix("%s: %s", resid_display(a, &nt->r->id), nt->field);
    if (uses->n == uses->cap) {
        size_t cap = uses->cap ? uses->cap * 2 : 64;
        uses->v = arena_grow(a, uses->v, uses->cap * sizeof *uses->v, cap * sizeof *uses->v);
        uses->cap = cap;
    }
    uses->v[uses->n++] = u;
    return 0;
}

static int apply_notes(build *b, image_uses *uses)
{
    arena *a = b->a;
    size_t n = 0, found = uses->n;
    image_note *trace = arena_alloc(a, (b->nimage_notes + 1) * sizeof *trace);
    for (size_t i = 0; i < b->nimage_notes; i++) trace[n++] = b->image_notes[i];
    qsort(trace, n, sizeof *trace, cmp_note);
    for (size_t i = 0; n && i < found; i++)
        if (trace_source(a, &uses->v[i], trace, n) < 0) return -1;
    for (size_t i = 0; i < b->nimage_notes; i++)
        if (b->image_notes[i].r && chart_use(a, &b->image_notes[i], uses) < 0) return -1;
    return 0;
}

int images_post_build(void *jobp, kust *k, resmap *rm)
{
    images_job *job = jobp;
    arena *a = k->b->a;
    image_rules rules = job->rules;
    if (image_rules_merge_kustomization(a, &rules, k->k) < 0) return -1;
    if (!job->list && !job->plan && !image_rules_rewrite(&rules)) return 0; /* a plain build: kustomize's output */
    image_uses uses = {0};
    if (images_find(a, rm, k->tc ? k->tc->cat[FS_IMAGES] : NULL, rules.any_field, &uses) < 0) return -1;
    if (apply_notes(k->b, &uses) < 0) return -1;
    if (images_rewrite(a, &rules, &uses) < 0) return -1;
    if (job->plan) plan_images(a, job->plan, &uses);
    if (job->list) {
        size_t n;
        struct entry *v = sorted_entries(a, job, &uses, &n);
        write_list(a, job, job->out, v, n);
        free(v);
    }
    return 0;
}
