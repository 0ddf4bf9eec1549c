#include "build.h"
#include "err.h"
#include "builtins.h"
#include "godecode.h"
#include "smp_schema.h"
#include "preparse.h"
#include "remote.h"
#include "kyaml.h"
#include "quirks.h"
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const kustomization_names[] = {"kustomization.yaml", "kustomization.yml", "Kustomization"};

static const char *const deprecated_fields[][2] = {
    {"bases", "resources"},
    {"commonLabels", "labels"},
    {"imageTags", "images"},
    {"patchesJson6902", "patches"},
    {"patchesStrategicMerge", "patches"},
    {"vars", "replacements"},
};

static const char *path_join(arena *a, const char *dir, const char *rel)
{
    if (rel[0] == '/') return arena_strdup(a, rel);
    if (!strcmp(dir, ".")) return arena_strdup(a, rel);
    return arena_printf(a, "%s/%s", dir, rel);
}

static const char *real_path(arena *a, const char *p)
{
    char buf[PATH_MAX];
    if (!realpath(p, buf)) return NULL;
    return arena_strdup(a, buf);
}

/* True when path lies at or below dir (both canonical). */
static int path_within(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    if (n == 1 && dir[0] == '/') return 1;
    return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == 0);
}

static int find_kustomization_file(build *b, const char *dir, const char **file)
{
    const char *found = NULL;
    for (size_t i = 0; i < 3; i++) {
        const char *p = path_join(b->a, dir, kustomization_names[i]);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
            if (found) return err_set("found multiple kustomization files under: %s", dir);
            found = p;
        }
    }
    if (!found)
        return err_set("unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in "
                       "directory '%s'", dir);
    *file = found;
    return 0;
}

static void warn_deprecated(const node *k)
{
    for (size_t i = 0; i < sizeof deprecated_fields / sizeof *deprecated_fields; i++)
        if (map_get(k, deprecated_fields[i][0]))
            warnf("'%s' is deprecated. Please use '%s' instead. Run 'kustomize edit fix' to update your "
                  "Kustomization automatically.", deprecated_fields[i][0], deprecated_fields[i][1]);
}

/* kustomize reads a kustomization file through sigs.k8s.io/yaml's YAMLToJSON
 * (go-yaml v2) and encoding/json into its Kustomization type: the canonical
 * tree every later step reads (godecode.h). */
static int decode_kustomization(build *b, kust *k, node *doc)
{
    if (!doc) doc = node_new(b->a, N_NULL);
    node *decoded;
    if (go_decode(b->a, doc, &go_kustomization, GD_STRICT, "invalid Kustomization", &decoded) < 0) return -1;
    if (!decoded) decoded = node_new(b->a, N_MAP);
    if (!decoded->file) decoded->file = k->file; /* an empty file: messages name it */
    warn_deprecated(decoded);
    if (go_kustomization_empty(decoded)) return err_set("%s: kustomization.yaml is empty", k->file);
    k->k = decoded;
    return 0;
}

static int load_kustomization(build *b, const char *dir, kust *k)
{
    memset(k, 0, sizeof *k);
    k->b = b;
    k->dir = dir;
    k->realdir = real_path(b->a, dir);
    if (!k->realdir) return err_set("%s: %s", dir, strerror(errno));
    if (find_kustomization_file(b, dir, &k->file) < 0) return -1;
    strbuf sb = STRBUF_INIT;
    if (sb_read_file(&sb, k->file) < 0) {
        sb_release(&sb);
        return err_set("%s: %s", k->file, strerror(errno));
    }
    node *doc;
    int rc = yaml_load_one_v2(b->a, k->file, sb.buf, sb.len, &doc);
    sb_release(&sb);
    if (rc < 0 || decode_kustomization(b, k, doc) < 0) return -1;
    doc = k->k;
    const char *kind = node_get_str(doc, "kind", NULL);
    const char *apiv = node_get_str(doc, "apiVersion", NULL);
    if (kind && !strcmp(kind, "Component")) {
        k->is_component = 1;
        if (apiv && strcmp(apiv, "kustomize.config.k8s.io/v1alpha1"))
            return err_set("%s: apiVersion for Component should be kustomize.config.k8s.io/v1alpha1",
                           node_pos(b->a, map_get(doc, "apiVersion")));
    } else if (kind && strcmp(kind, "Kustomization")) {
        return err_set("%s: kind should be Kustomization or Component, not '%s'", node_pos(b->a, map_get(doc, "kind")),
                       kind);
    } else if (apiv && strcmp(apiv, "kustomize.config.k8s.io/v1beta1")) {
        return err_set("%s: apiVersion for Kustomization should be kustomize.config.k8s.io/v1beta1",
                       node_pos(b->a, map_get(doc, "apiVersion")));
    }
    return 0;
}

int kust_read_yaml_v2(kust *k, const char *rel, const node *where, node **doc, const char **fullpath)
{
    strbuf sb = STRBUF_INIT;
    *doc = NULL;
    int rc = kust_read_file(k, rel, where, &sb, fullpath);
    if (rc == 0) rc = yaml_load_one_v2(k->b->a, *fullpath, sb.buf, sb.len, doc);
    sb_release(&sb);
    return rc;
}

const char *kust_path(kust *k, const char *rel)
{
    return path_join(k->b->a, k->dir, rel);
}

int kust_read_file(kust *k, const char *rel, const node *where, strbuf *out, const char **fullpath)
{
    arena *a = k->b->a;
    const char *p = path_join(a, k->dir, rel);
    const char *rp = real_path(a, p);
    if (!rp) return err_set("%s: '%s': %s", node_pos(a, where), rel, strerror(errno));
    if (!k->b->opt.load_restrict_none && !path_within(rp, k->realdir))
        return err_set("%s: security; file '%s' is not in or below '%s' (use --load-restrictor "
                       "LoadRestrictionsNone to allow it)", node_pos(a, where), rp, k->realdir);
    if (sb_read_file(out, p) < 0) return err_set("%s: '%s': %s", node_pos(a, where), rel, strerror(errno));
    if (fullpath) *fullpath = p;
    return 0;
}

static int add_resource(kust *k, const char *file, node *doc, resmap *rm)
{
    resource *r;
    if (resource_new(k->b->a, doc, &r) < 0) return -1;
    r->origin = file;
    smp_schema_note_object(k, &r->id);
    return resmap_append(k->b->a, rm, r);
}

/* Turns one file's documents into resources (kustomize's resource factory). */
static int add_documents(kust *k, const char *file, const node_list *docs, int nvalues, resmap *rm)
{
    node_list objs = {0};
    int rc = objects_from_docs(k->b->a, docs, nvalues, &objs);
    for (size_t i = 0; rc == 0 && i < objs.n; i++) rc = add_resource(k, file, objs.v[i], rm);
    list_free(&objs);
    return rc;
}

int kust_load_objects(kust *k, const char *file, const char *buf, size_t len, resmap *rm)
{
    node_list docs = {0};
    int nvalues = quirk_kio_values(file, buf, len);
    int rc = nvalues < 0 ? -1 : yaml_load(k->b->a, file, buf, len, &docs);
    if (rc == 0) rc = add_documents(k, file, &docs, nvalues, rm);
    list_free(&docs);
    return rc;
}

static int accumulate(kust *k, resmap *rm);

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Builds a sub-kustomization (a base or a component) rooted at path. */
static int open_sub(kust *parent, const char *path, const node *where, kust *sub)
{
    build *b = parent->b;
    const char *rp = real_path(b->a, path);
    if (!rp) return err_set("%s: '%s': %s", node_pos(b->a, where), path, strerror(errno));
    if (path_within(parent->realdir, rp))
        return err_set("%s: cycle detected: candidate root '%s' contains visited root '%s'", node_pos(b->a, where),
                       rp, parent->realdir);
    if (b->remote_root && !path_within(rp, b->remote_root))
        return err_set("%s: security; bases in kustomizations found in cloned git repos must be within the repo, "
                       "but base '%s' is outside '%s'", node_pos(b->a, where), rp, b->remote_root);
    for (uint32_t i = 0; i < b->visiting.n; i++)
        if (!strcmp(b->visiting.v[i], rp))
            return err_set("%s: cycle detected: '%s' is already being built", node_pos(b->a, where), rp);
    if (load_kustomization(b, path, sub) < 0) return err_prefix("%s: '%s'", node_pos(b->a, where), path);
    return 0;
}

/* Builds a base fully (its own objects and configuration), then adds both
 * to this level: the objects with the duplicate-id check. */
static int accumulate_base(kust *k, kust *base, resmap *rm)
{
    arena *a = k->b->a;
    resmap subm = {0};
    base->tc = tconfig_new(a);
    base->vars = k->vars;
    strlist_push(a, &base->b->visiting, base->realdir);
    int rc = accumulate(base, &subm);
    base->b->visiting.n--;
    for (size_t i = 0; rc == 0 && i < subm.n; i++) rc = resmap_append(a, rm, subm.v[i]);
    if (rc == 0) rc = tconfig_merge(a, k->tc, base->tc);
    resmap_free(&subm);
    return rc;
}

static int accumulate_resource(kust *k, node *entry, resmap *rm)
{
    arena *a = k->b->a;
    const char *rel = node_text(entry);
    if (!rel || entry->kind >= N_MAP) return err_set("%s: a resource must be a path or URL", node_pos(a, entry));
    if (remote_is_url(rel)) {
        strbuf body = STRBUF_INIT;
        const char *local_dir = NULL;
        if (remote_fetch(k, rel, entry, &body, &local_dir) < 0) {
            sb_release(&body);
            return -1;
        }
        int rc;
        if (local_dir) {
            /* A clone is always root-only, whatever --load-restrictor says (kustomize's git loader). */
            build rb = *k->b;
            rb.opt.load_restrict_none = 0;
            rb.remote_root = remote_repo_root(a, local_dir);
            kust sub;
            rc = load_kustomization(&rb, local_dir, &sub);
            if (rc == 0) rc = accumulate_base(k, &sub, rm);
        } else {
            rc = kust_load_objects(k, arena_strdup(a, rel), body.buf, body.len, rm);
        }
        sb_release(&body);
        return rc;
    }
    const char *path = path_join(a, k->dir, rel);
    if (is_dir(path)) {
        kust sub;
        if (open_sub(k, path, entry, &sub) < 0) return -1;
        if (sub.is_component)
            return err_set("%s: expected kind != 'Component' for path '%s' (components go under 'components:')",
                           node_pos(a, entry), rel);
        return accumulate_base(k, &sub, rm) < 0 ? err_prefix("accumulating resources from '%s'", rel) : 0;
    }
    strbuf sb = STRBUF_INIT;
    const char *full;
    int rc = kust_read_file(k, rel, entry, &sb, &full);
    if (rc == 0) rc = kust_load_objects(k, full, sb.buf, sb.len, rm);
    sb_release(&sb);
    return rc;
}

static int accumulate_resources(kust *k, resmap *rm)
{
    static const char *const fields[] = {"resources", "bases"};
    for (int f = 0; f < 2; f++) {
        node *list = map_get(k->k, fields[f]);
        if (!list || list->kind == N_NULL) continue;
        if (list->kind != N_SEQ) return err_set("%s: '%s' must be a list", node_pos(k->b->a, list), fields[f]);
        size_t n = list->u.seq.n;
        preparsed *pre = malloc((n ? n : 1) * sizeof *pre);
        preparse_files(k, list->u.seq.items, n, pre);
        int rc = 0;
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = pre[i].ok ? add_documents(k, pre[i].file, &pre[i].docs, pre[i].nvalues, rm)
                           : accumulate_resource(k, list->u.seq.items[i], rm);
        preparsed_free(pre, n);
        free(pre);
        if (rc < 0) return -1;
    }
    return 0;
}

/* This level's configuration (its configurations: files, then the built-in
 * tables) merged into what its bases brought. */
static int load_configurations(kust *k)
{
    arena *a = k->b->a;
    tconfig *level = tconfig_new(a);
    node *list = map_get(k->k, "configurations");
    for (uint32_t i = 0; list && list->kind == N_SEQ && i < list->u.seq.n; i++) {
        node *entry = list->u.seq.items[i];
        const char *full;
        node *doc;
        /* read as kustomize reads it: sigs.k8s.io/yaml into its TransformerConfig */
        int rc = kust_read_yaml_v2(k, node_text(entry) ? node_text(entry) : "", entry, &doc, &full);
        if (rc == 0 && doc) rc = go_decode(a, doc, &go_transformer_config, GD_JSON, "invalid configurations file", &doc);
        if (rc == 0 && doc) rc = tconfig_merge_node(a, level, doc, full);
        if (rc < 0) return -1;
    }
    if (tconfig_merge(a, level, tconfig_default(k->b)) < 0) return -1;
    return tconfig_merge(a, k->tc, level);
}

static int accumulate_components(kust *k, resmap *rm)
{
    node *list = map_get(k->k, "components");
    if (!list || list->kind != N_SEQ) return 0;
    arena *a = k->b->a;
    for (uint32_t i = 0; i < list->u.seq.n; i++) {
        node *entry = list->u.seq.items[i];
        const char *rel = node_text(entry);
        const char *path = path_join(a, k->dir, rel ? rel : "");
        if (!is_dir(path))
            return err_set("%s: component '%s' must be a directory holding a kustomization of kind Component",
                           node_pos(a, entry), rel);
        kust sub;
        if (open_sub(k, path, entry, &sub) < 0) return -1;
        if (!sub.is_component)
            return err_set("%s: expected kind 'Component' for path '%s' but got 'Kustomization'", node_pos(a, entry),
                           rel);
        /* A component works on the parent's objects and configuration directly. */
        sub.tc = k->tc;
        sub.vars = k->vars;
        strlist_push(a, &k->b->visiting, sub.realdir);
        int rc = accumulate(&sub, rm);
        k->b->visiting.n--;
        if (rc < 0) return err_prefix("accumulating components from '%s'", rel);
        /* kustomize then appends all objects anew: ids a transformer made repeat fail here */
        if (resmap_check_unique(a, rm) < 0) return err_prefix("accumulating components: recursed merging from path '%s'", rel);
    }
    return 0;
}

static int accumulate(kust *k, resmap *rm)
{
    /* kustomize sets a level's openapi schema as soon as it has loaded it */
    if (smp_schema_configure(k) < 0) return -1;
    if (accumulate_resources(k, rm) < 0) return -1;
    if (load_configurations(k) < 0) return -1;
    if (crds_load(k) < 0) return -1;
    if (run_generators(k, rm) < 0) return -1;
    if (accumulate_components(k, rm) < 0) return -1;
    if (run_transformers(k, rm) < 0) return -1;
    if (vars_collect(k, rm) < 0) return -1;
    return 0;
}

static int top_level(build *b, const char *dir, kust *k, resmap *rm)
{
    if (load_kustomization(b, dir, k) < 0) return -1;
    if (k->is_component) {
        /* Building a Component directly treats it like a kustomization. */
    }
    k->tc = tconfig_new(b->a);
    k->vars = arena_zalloc(b->a, sizeof *k->vars);
    b->top_kustomization = k->k;
    b->top_dir = dir;
    strlist_push(b->a, &b->visiting, k->realdir);
    if (accumulate(k, rm) < 0) return -1;
    if (hash_suffix_apply(k, rm) < 0) return -1;
    if (namereference_fix(k, rm) < 0) return -1;
    if (vars_resolve(k, rm) < 0) return -1;
    return 0;
}

int build_resmap(build *b, const char *dir, resmap *rm)
{
    kust k;
    return top_level(b, dir, &k, rm);
}

/* kustomize drops an object that carries the annotation with any value
 * but the text "false" (so "true", "yes", "" and even "False" drop it). */
static int is_local_config(const resource *r)
{
    const node *v = node_get(r->obj, "metadata", "annotations", "config.kubernetes.io/local-config", NULL);
    const char *text = node_text(v);
    return v && !(text && !strcmp(text, "false"));
}

void build_note_image(build *b, image_note n)
{
    if (b->nimage_notes == b->capimage_notes) {
        size_t cap = b->capimage_notes ? b->capimage_notes * 2 : 16;
        b->image_notes = arena_grow(b->a, b->image_notes, b->nimage_notes * sizeof n, cap * sizeof n);
        b->capimage_notes = cap;
    }
    b->image_notes[b->nimage_notes++] = n;
}

void drop_local_config(resmap *rm)
{
    size_t w = 0;
    for (size_t i = 0; i < rm->n; i++)
        if (!is_local_config(rm->v[i])) rm->v[w++] = rm->v[i];
    if (w != rm->n) {
        rm->n = w;
        resmap_reindex(rm);
    }
}

int build_objects(build *b, const char *dir, resmap *rm)
{
    kust k;
    int rc = top_level(b, dir, &k, rm);
    if (rc == 0) {
        /* kustomize's IgnoreLocal rebuilds the resmap by id at the very end:
         * transformers (patches, replacements, vars) that gave two objects one
         * id fail only here. It fails even when they are local-config (the
         * removal by id then finds the second one missing). */
        rc = resmap_check_unique(b->a, rm);
        /* that rebuild reads each object's metadata again: one that a
         * transformer left without kind or name fails here (in a base
         * it does not, as long as a later level names it again) */
        for (size_t i = 0; rc == 0 && i < rm->n; i++) rc = resource_check_meta(b->a, rm->v[i], "the build");
    }
    if (rc == 0) {
        drop_local_config(rm);
        rc = sort_resources(b->a, rm, map_get(k.k, "sortOptions"));
    }
    if (rc == 0 && b->opt.expand) rc = b->opt.expand(b, &k, rm, b->opt.expand_ctx);
    if (rc == 0) rc = finish_build_metadata(&k, rm);
    if (rc == 0 && b->opt.post_build) rc = b->opt.post_build(b->opt.post_build_ctx, &k, rm);
    return rc;
}

int build_run(const char *dir, const build_options *opt, strbuf *out)
{
    build b = {.a = arena_new(), .opt = *opt};
    resmap rm = {0};
    int rc = build_objects(&b, dir, &rm);
    if (rc == 0 && !opt->no_emit) {
        node **docs = malloc((rm.n ? rm.n : 1) * sizeof *docs);
        for (size_t i = 0; i < rm.n; i++) docs[i] = rm.v[i]->obj;
        rc = yaml_emit_stream(out, docs, rm.n);
        free(docs);
    }
    resmap_free(&rm);
    arena_free(b.a);
    return rc;
}
