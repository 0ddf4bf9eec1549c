/* ReplacementTransformer (the `replacements:` field): copy one source field
 * into target fields, following kustomize's api/filters/replacement.
 * Sources and targets are matched by current or previous ids (so names
 * written before a prefix/suffix/namespace still match); target fields are
 * found with kyaml's PathMatcher (wildcards, regex [k=v]) or, with
 * create: true, its PathGetter that creates what is missing. */
#include "builtins.h"
#include "err.h"
#include "fieldpath.h"
#include "godecode.h"
#include "scalar.h"
#include "selector.h"
#include "kyaml.h"
#include <stdlib.h>
#include <string.h>

#define DEFAULT_FIELD_PATH "metadata.name"

struct field_options {
    const char *delimiter; /* NULL: none */
    long index;
    int create;
};

int configure_replacements(kust *k, node_list *configs)
{
    node *f = map_get(k->k, "replacements");
    if (!f || f->kind == N_NULL) return 0;
    if (f->kind != N_SEQ) return err_set("%s: 'replacements' must be a list", node_pos(k->b->a, f));
    node *c = builtin_config_new(k, "ReplacementTransformer", "replacements");
    map_set(k->b->a, c, "replacements", f);
    list_push(configs, c);
    return 0;
}

static int is_true(const node *n)
{
    return node_is_true(n);
}

static void parse_options(const node *m, struct field_options *o)
{
    const char *d = node_get_str(m, "delimiter", NULL);
    o->delimiter = d && *d ? d : NULL;
    const char *idx = node_get_str(m, "index", NULL);
    o->index = idx ? strtol(idx, NULL, 10) : 0;
    o->create = is_true(map_get(m, "create"));
}

/* A `path:` entry names a file holding one replacement or a list of them,
 * read as kustomize reads it (sigs.k8s.io/yaml into types.Replacement). */
static int load_replacement_file(kust *k, node *entry, const char *rel, node_list *out)
{
    arena *a = k->b->a;
    if (map_get(entry, "source") || map_get(entry, "targets"))
        return err_set("%s: cannot specify both path and inline replacement", node_pos(a, entry));
    const char *full;
    node *doc, *repl = NULL;
    if (kust_read_yaml_v2(k, rel, entry, &doc, &full) < 0) return -1;
    if (!doc || (doc->kind != N_MAP && doc->kind != N_SEQ))
        return err_set("%s: unsupported replacement type encountered within replacement path", full);
    if (go_decode(a, doc, doc->kind == N_MAP ? &go_replacement : &go_replacement_list, GD_JSON,
                  "invalid replacement file", &repl) < 0)
        return -1;
    if (repl && repl->kind == N_MAP) list_push(out, repl);
    for (uint32_t i = 0; repl && repl->kind == N_SEQ && i < repl->u.seq.n; i++) list_push(out, repl->u.seq.items[i]);
    return 0;
}

static int collect_replacements(kust *k, const node *list, node_list *out)
{
    arena *a = k->b->a;
    if (!list || list->kind == N_NULL) return 0;
    if (list->kind != N_SEQ) return err_set("%s: replacements must be a list", node_pos(a, list));
    for (uint32_t i = 0; i < list->u.seq.n; i++) {
        node *e = list->u.seq.items[i];
        if (e->kind != N_MAP) return err_set("%s: a replacement must be a mapping", node_pos(a, e));
        const char *path = node_get_str(e, "path", NULL);
        if (path && *path) {
            if (load_replacement_file(k, e, path, out) < 0) return -1;
        } else {
            list_push(out, e);
        }
    }
    return 0;
}

/* kustomize matches a selector against an object's current id and every previous one. */
static const resid *resource_ids(const resource *r, uint32_t i)
{
    return i == 0 ? &r->id : &r->prev[i - 1];
}

static int any_id_selected(const selector *s, const resource *r)
{
    for (uint32_t i = 0; i <= r->nprev; i++)
        if (selector_match_id(s, resource_ids(r, i))) return 1;
    return 0;
}

static int empty_value(const node *v)
{
    return !v || v->kind == N_NULL || ((v->kind == N_MAP || v->kind == N_SEQ) && v->u.map.n == 0);
}

/* getRefinedValue: with a delimiter, the source value is one piece of its text. */
static int refine_value(arena *a, const struct field_options *o, node *v, node **out)
{
    *out = v;
    if (!o->delimiter) return 0;
    if (v->kind >= N_MAP) return err_set("%s: delimiter option can only be used with scalar nodes", node_pos(a, v));
    const char *s = v->u.str.s;
    size_t dl = strlen(o->delimiter);
    long i = 0;
    for (const char *p = s;; i++) {
        const char *next = strstr(p, o->delimiter);
        if (i == o->index) {
            size_t len = next ? (size_t)(next - p) : strlen(p);
            *out = node_new_scalar(a, v->kind, p, len);
            node_set_pos(*out, v);
            return 0;
        }
        if (!next) break;
        p = next + dl;
    }
    return err_set("%s: options.index %ld is out of bounds for value %s", node_pos(a, v), o->index, s);
}

static int source_value(kust *k, const node *src, resmap *rm, node **out)
{
    arena *a = k->b->a;
    selector sel;
    if (selector_parse(a, src, SEL_EXACT, &sel) < 0) return -1;
    const char *path = node_get_str(src, "fieldPath", NULL);
    /* kustomize prints a source selector as its id, then ":fieldPath" when one is given */
    const char *shown = path && *path ? arena_printf(a, "%s:%s", kid_string(a, &sel.id), path) : kid_string(a, &sel.id);
    resource *found = NULL;
    for (size_t i = 0; i < rm->n; i++) {
        if (!any_id_selected(&sel, rm->v[i])) continue;
        if (found) return err_set("%s: multiple matches for selector %s", node_pos(a, src), shown);
        found = rm->v[i];
    }
    if (!found) return err_set("%s: nothing selected by %s", node_pos(a, src), shown);
    if (!path || !*path) path = DEFAULT_FIELD_PATH;
    fieldpath fp;
    fieldpath_parse(a, path, &fp);
    node *v;
    if (fieldpath_lookup(a, found->obj, &fp, &v) < 0) return err_prefix("replacement source %s", kid_string(a, &found->id));
    if (empty_value(v))
        return err_set("%s: fieldPath `%s` is missing for replacement source %s", node_pos(a, src), path,
                       kid_string(a, &sel.id));
    struct field_options o;
    parse_options(map_get(src, "options"), &o);
    return refine_value(a, &o, v, out);
}

/* A scalar target keeps its tag and style and takes the new text, as kyaml
 * does (a folded one re-folds). When the text does not read as that tag's
 * type (a timestamp counts as one), kustomize only fails if the node is
 * still there when it decodes the object (for output, a JSON patch): the
 * node keeps the tag, marked NF_BAD_TAG, for whoever decodes it to report.
 * An untagged target (one kyaml created) takes whatever type its new text
 * reads as, and stays untagged. */
static node *set_scalar(arena *a, const node *t, const char *text)
{
    node *n;
    if (t->flags & NF_UNTAGGED) {
        n = t->flags & NF_QUOTED ? node_new_str(a, text) : scalar_new_plain(a, text, strlen(text));
        n->flags |= t->flags & (NF_UNTAGGED | NF_QUOTED);
    } else if (t->kind == N_STR && !(t->flags & NF_TIMESTAMP)) {
        n = node_new_str(a, text);
        n->flags |= t->flags & (NF_QUOTED | NF_FOLDED | NF_LITERAL);
    } else {
        n = scalar_new_plain(a, text, strlen(text));
        unsigned want = t->flags & NF_TIMESTAMP, got = n->flags & NF_TIMESTAMP;
        int fits = n->kind == t->kind && want == got;
        if (!fits && !(t->kind == N_FLOAT && n->kind == N_INT)) {
            n->kind = t->kind;
            n->flags = (n->flags & ~(unsigned)(NF_TIMESTAMP | NF_EMPTY_NULL)) | want | NF_BAD_TAG;
        }
        n->kind = t->kind;
    }
    node_set_pos(n, t);
    return n;
}

/* setFieldValue: the target's new node (NULL on error). */
static node *target_value(arena *a, const struct field_options *o, const node *t, const node *value)
{
    const char *text = value->kind < N_MAP ? value->u.str.s : "";
    if (o->delimiter) {
        if (t->kind >= N_MAP) {
            err_set("%s: delimiter option can only be used with scalar nodes", node_pos(a, t));
            return NULL;
        }
        /* split the target's text, then prefix (index < 0), append (past the end) or replace one piece */
        strbuf sb = STRBUF_INIT;
        const char *p = t->u.str.s;
        size_t dl = strlen(o->delimiter);
        long i = 0;
        if (o->index < 0) sb_addf(&sb, "%s%s", text, o->delimiter);
        for (;; i++) {
            const char *next = strstr(p, o->delimiter);
            size_t len = next ? (size_t)(next - p) : strlen(p);
            if (i) sb_adds(&sb, o->delimiter);
            if (i == o->index) sb_adds(&sb, text);
            else sb_add(&sb, p, len);
            if (!next) break;
            p = next + dl;
        }
        if (o->index > i) sb_addf(&sb, "%s%s", o->delimiter, text);
        text = arena_strdup(a, sb.buf ? sb.buf : "");
        sb_release(&sb);
    }
    if (t->kind < N_MAP) return set_scalar(a, t, text);
    return node_clone(a, value);
}

/* copyValueToTarget: every field the path matches (or creates) is set; a
 * path that matches nothing is an error. kyaml changes a scalar target in
 * place, and the value is the source's own node: when a target is the
 * source field itself, later targets get its new text (*value follows). */
static int apply_path(arena *a, resource *r, const char *path, const struct field_options *o, const node **value)
{
    fieldpath fp;
    fieldpath_parse_matcher(a, path, &fp);
    int kind = !o->create ? -1 : (*value)->kind < N_MAP ? N_STR : (*value)->kind;
    const char *what = o->create ? "unable to find or create field" : "unable to find field";
    slot_list slots = {0};
    int rc = fieldpath_match(a, &r->obj, &fp, kind, &slots);
    if (rc < 0) err_prefix("%s \"%s\" in replacement target", what, path);
    else if (!slots.n) rc = err_set("%s \"%s\" in replacement target", what, path);
    for (size_t i = 0; rc == 0 && i < slots.n; i++) {
        node *old = *slots.v[i], *n = target_value(a, o, old, *value);
        if (!n) rc = -1;
        else node_write(slots.v[i], n); /* kyaml sets a shared target node's value in place */
        if (n && old == *value) *value = n;
    }
    slot_list_free(&slots);
    return rc;
}

struct target {
    selector select;
    selector *rejects;
    uint32_t nrejects;
    const node *paths; /* sequence of field paths, or NULL for metadata.name */
    struct field_options opt;
};

static int parse_target(arena *a, const node *t, struct target *out)
{
    memset(out, 0, sizeof *out);
    node *sel = map_get(t, "select");
    if (!sel || sel->kind == N_NULL) return err_set("%s: target must specify resources to select", node_pos(a, t));
    if (selector_parse(a, sel, SEL_EXACT, &out->select) < 0) return -1;
    node *rej = map_get(t, "reject");
    if (rej && rej->kind == N_SEQ) {
        out->rejects = arena_zalloc(a, (rej->u.seq.n + 1) * sizeof *out->rejects);
        for (uint32_t i = 0; i < rej->u.seq.n; i++)
            if (selector_parse(a, rej->u.seq.items[i], SEL_EXACT, &out->rejects[out->nrejects++]) < 0) return -1;
    }
    node *paths = map_get(t, "fieldPaths");
    out->paths = paths && paths->kind == N_SEQ && paths->u.seq.n ? paths : NULL;
    parse_options(map_get(t, "options"), &out->opt);
    return 0;
}

/* selectByAnnoAndLabel: the select's label/annotation selectors, and no
 * reject whose label/annotation selectors match. kustomize parses them for
 * every object it looks at: one that does not parse fails the build as
 * soon as there is an object (a reject's, once the select matched). */
static int meta_selected(const struct target *t, const resource *r)
{
    if (selector_meta_error(&t->select) < 0) return -1;
    if (!selector_match_meta(&t->select, r->obj)) return 0;
    for (uint32_t i = 0; i < t->nrejects; i++) {
        const selector *rj = &t->rejects[i];
        if (!*rj->label_text && !*rj->anno_text) continue;
        if (selector_meta_error(rj) < 0) return -1;
        if (selector_match_meta(rj, r->obj)) return 0;
    }
    return 1;
}

/* containsRejectId: a reject naming any of the object's ids, current or previous. */
static int id_rejected(const struct target *t, const resource *r)
{
    for (uint32_t i = 0; i < t->nrejects; i++)
        if (!selector_id_empty(&t->rejects[i]) && any_id_selected(&t->rejects[i], r)) return 1;
    return 0;
}

/* 1 or 0; -1 when a label or annotation selector does not parse */
static int target_selects(const struct target *t, const resource *r)
{
    int rc = meta_selected(t, r);
    return rc <= 0 ? rc : any_id_selected(&t->select, r) && !id_rejected(t, r);
}

static int apply_target(arena *a, const node *tnode, const node **value, resmap *rm)
{
    struct target t;
    if (parse_target(a, tnode, &t) < 0) return -1;
    for (size_t i = 0; i < rm->n; i++) {
        resource *r = rm->v[i];
        int sel = target_selects(&t, r);
        if (sel < 0) return err_prefix("%s: selecting replacement targets", node_pos(a, tnode));
        if (!sel) continue;
        uint32_t np = t.paths ? t.paths->u.seq.n : 1;
        for (uint32_t j = 0; j < np; j++) {
            const char *path = t.paths ? node_text(t.paths->u.seq.items[j]) : DEFAULT_FIELD_PATH;
            if (apply_path(a, r, path ? path : "", &t.opt, value) < 0)
                return err_prefix("%s: replacing '%s' in %s", node_pos(a, tnode), path ? path : "",
                                  resid_display(a, &r->id));
        }
        /* kustomize re-reads ids from the objects for every later selection
         * (the next target, the next replacement's source): a renamed object
         * is found by its new name only */
        resource_refresh_id(r);
    }
    return 0;
}

static int apply_replacement(kust *k, const node *repl, resmap *rm)
{
    arena *a = k->b->a;
    node *src = map_get(repl, "source"), *targets = map_get(repl, "targets");
    if (!src || src->kind == N_NULL || !targets || targets->kind == N_NULL)
        return err_set("%s: replacements must specify a source and at least one target", node_pos(a, repl));
    if (targets->kind != N_SEQ) return err_set("%s: targets must be a list", node_pos(a, targets));
    node *value = NULL;
    if (source_value(k, src, rm, &value) < 0) return -1;
    const node *cur = value;
    for (uint32_t i = 0; i < targets->u.seq.n; i++)
        if (apply_target(a, targets->u.seq.items[i], &cur, rm) < 0) return -1;
    return 0;
}

int builtin_replacements(kust *k, node *config, resmap *rm)
{
    node_list repls = {0};
    int rc = collect_replacements(k, map_get(config, "replacements"), &repls);
    for (size_t i = 0; rc == 0 && i < repls.n; i++) rc = apply_replacement(k, repls.v[i], rm);
    list_free(&repls);
    if (rc < 0) return -1;
    /* ids were re-read as targets changed them; the index follows once */
    resmap_reindex(rm);
    return 0;
}
