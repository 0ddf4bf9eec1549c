#include "selector.h"
#include "err.h"
#include <stdlib.h>
#include <string.h>

static const char *opt_field(const node *m, const char *key)
{
    const char *s = node_get_str(m, key, NULL);
    return s ? s : "";
}

static int compile_re(arena *a, const char *pat, const node *where, regex_t **out)
{
    *out = NULL;
    if (!*pat) return 0;
    regex_t *re = arena_alloc(a, sizeof *re);
    const char *anchored = arena_printf(a, "^(%s)$", pat);
    if (regcomp(re, anchored, REG_EXTENDED | REG_NOSUB) != 0)
        return err_set("%s: invalid regular expression '%s'", node_pos(a, where), pat);
    *out = re;
    return 0;
}

int selector_parse(arena *a, const node *m, int mode, selector *out)
{
    memset(out, 0, sizeof *out);
    out->mode = mode;
    out->src = m;
    if (m && m->kind != N_MAP && m->kind != N_NULL)
        return err_set("%s: a selector must be a mapping", node_pos(a, m));
    out->id = (resid){opt_field(m, "group"), opt_field(m, "version"), opt_field(m, "kind"),
                      opt_field(m, "namespace"), opt_field(m, "name")};
    out->label_text = opt_field(m, "labelSelector");
    out->anno_text = opt_field(m, "annotationSelector");
    /* kustomize parses these only when it matches an object against them:
     * a bad one is an error then (labelsel_match), not here */
    if (labelsel_parse(a, out->label_text, map_get(m, "labelSelector"), &out->labels) < 0) err_clear();
    if (labelsel_parse(a, out->anno_text, map_get(m, "annotationSelector"), &out->annos) < 0) err_clear();
    if (mode == SEL_REGEX) {
        const char *f[5] = {out->id.group, out->id.version, out->id.kind, out->id.name, out->id.ns};
        for (int i = 0; i < 5; i++)
            if (compile_re(a, f[i], m, &out->re[i]) < 0) {
                selector_free(out);
                return -1;
            }
    }
    return 0;
}

void selector_free(selector *s)
{
    for (int i = 0; i < 5; i++)
        if (s->re[i]) regfree(s->re[i]);
    memset(s->re, 0, sizeof s->re);
}

int selector_id_empty(const selector *s)
{
    return !*s->id.group && !*s->id.version && !*s->id.kind && !*s->id.name && !*s->id.ns;
}

static int sel_re_match(const regex_t *re, const char *s)
{
    return !re || regexec(re, s, 0, NULL, 0) == 0;
}

int selector_match_id(const selector *s, const resid *id)
{
    if (s->mode == SEL_REGEX)
        return sel_re_match(s->re[0], id->group) && sel_re_match(s->re[1], id->version) && sel_re_match(s->re[2], id->kind) &&
               sel_re_match(s->re[3], id->name) && sel_re_match(s->re[4], resid_effective_ns(id));
    if (*s->id.group && strcmp(s->id.group, id->group)) return 0;
    if (*s->id.version && strcmp(s->id.version, id->version)) return 0;
    if (*s->id.kind && strcmp(s->id.kind, id->kind)) return 0;
    if (*s->id.name && strcmp(s->id.name, id->name)) return 0;
    /* kustomize compares effective namespaces: "" is "default", cluster-scoped kinds have none. */
    if (*s->id.ns && strcmp(resid_effective_ns(&s->id), resid_effective_ns(id))) return 0;
    return 1;
}

int selector_match_meta(const selector *s, const node *obj)
{
    node *md = map_get(obj, "metadata");
    int rc = labelsel_match(&s->labels, map_get(md, "labels"));
    return rc <= 0 ? rc : labelsel_match(&s->annos, map_get(md, "annotations"));
}

int selector_meta_error(const selector *s)
{
    const char *e = s->annos.err ? s->annos.err : s->labels.err;
    return e ? err_set("%s", e) : 0;
}

const char *kgvk_string(arena *a, const char *group, const char *version, const char *kind)
{
    return arena_printf(a, "%s.%s.%s", *kind ? kind : "[noKind]", *version ? version : "[noVer]",
                        *group ? group : "[noGrp]");
}

const char *kid_string(arena *a, const resid *id)
{
    return arena_printf(a, "%s/%s.%s", kgvk_string(a, id->group, id->version, id->kind),
                        *id->name ? id->name : "[noName]", *id->ns ? id->ns : "[noNs]");
}
