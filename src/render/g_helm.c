/* HelmChartInflationGenerator: helmCharts (with helmGlobals), the deprecated
 * helmChartInflationGenerator, and `generators:` configs of that kind. As
 * kustomize does (api/internal/builtins/HelmChartInflationGenerator.go): needs
 * --enable-helm; a chart under chartHome/<name> is used as found, else it is
 * pulled from `repo` (into chartHome/<name>-<version>/ when a version is
 * given); values are written to a temp file and `helm template` renders the
 * objects. Pulled charts are also kept in the cache so builds work offline. */
#include "builtins.h"
#include "cache.h"
#include "err.h"
#include "helm.h"
#include "runcmd.h"
#include "kyaml.h"
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char kind_name[] = "HelmChartInflationGenerator";

typedef struct chart {
    const node *where;
    const char *name, *version, *repo, *release, *ns, *values_file, *merge, *kube_version, *name_template;
    const char *chart_home, *config_home;
    node *values_inline, *additional, *api_versions;
    int include_crds, skip_hooks, skip_tests;
} chart;

/* ---- configuration ---- */

static void copy_fields(arena *a, node *dst, const node *src)
{
    for (uint32_t i = 0; src && src->kind == N_MAP && i < src->u.map.n; i++)
        map_set(a, dst, src->u.map.items[i].key->u.str.s, src->u.map.items[i].val);
}

/* The deprecated helmChartInflationGenerator entry, in helmCharts' shape. */
static node *from_chart_args(arena *a, const node *old, node *globals)
{
    static const char *const rename[][2] = {{"chartName", "name"}, {"chartVersion", "version"},
                                            {"chartRepoUrl", "repo"}, {"values", "valuesFile"},
                                            {"valuesLocal", "valuesInline"}, {"valuesMerge", "valuesMerge"},
                                            {"releaseName", "releaseName"}};
    node *c = node_new(a, N_MAP);
    for (size_t i = 0; i < sizeof rename / sizeof *rename; i++) {
        node *v = map_get(old, rename[i][0]);
        if (v) map_set(a, c, rename[i][1], v);
    }
    const char *home = node_get_str(old, "chartHome", NULL), *cfg = node_get_str(old, "helmHome", NULL);
    if (home && *home) map_set(a, globals, "chartHome", map_get(old, "chartHome"));
    if (cfg && *cfg) map_set(a, globals, "configHome", map_get(old, "helmHome"));
    return c;
}

int configure_helm(kust *k, node_list *configs)
{
    arena *a = k->b->a;
    node *charts = map_get(k->k, "helmCharts"), *old = map_get(k->k, "helmChartInflationGenerator");
    node *globals = node_new(a, N_MAP);
    node_list entries = {0};
    for (uint32_t i = 0; old && old->kind == N_SEQ && i < old->u.seq.n; i++)
        list_push(&entries, from_chart_args(a, old->u.seq.items[i], globals));
    node *g = map_get(k->k, "helmGlobals");
    if (g && g->kind == N_MAP) globals = g;
    node_list all = {0};
    for (uint32_t i = 0; charts && charts->kind == N_SEQ && i < charts->u.seq.n; i++)
        list_push(&all, charts->u.seq.items[i]);
    for (size_t i = 0; i < entries.n; i++) list_push(&all, entries.v[i]);
    for (size_t i = 0; i < all.n; i++) {
        node *entry = all.v[i];
        if (entry->kind != N_MAP) {
            list_free(&entries), list_free(&all);
            return err_set("%s: helmCharts: each entry must be a mapping", node_pos(a, entry));
        }
        node *c = builtin_config_new(k, kind_name, node_get_str(entry, "name", NULL) ? node_get_str(entry, "name", NULL) : "");
        copy_fields(a, c, globals);
        copy_fields(a, c, entry);
        node_set_pos(c, entry->file ? entry : (charts ? charts : old));
        list_push(configs, c);
    }
    list_free(&entries), list_free(&all);
    return 0;
}

static const char *str_field(const node *c, const char *key)
{
    const char *s = node_text(map_get(c, key));
    return s && map_get(c, key)->kind != N_NULL ? s : "";
}

static int bool_field(const node *c, const char *key)
{
    node *v = map_get(c, key);
    return node_is_true(v);
}

static int parse_chart(kust *k, const node *config, chart *ch)
{
    arena *a = k->b->a;
    memset(ch, 0, sizeof *ch);
    ch->where = config;
    ch->name = str_field(config, "name"), ch->version = str_field(config, "version");
    ch->repo = str_field(config, "repo"), ch->release = str_field(config, "releaseName");
    ch->ns = str_field(config, "namespace"), ch->values_file = str_field(config, "valuesFile");
    ch->merge = str_field(config, "valuesMerge"), ch->kube_version = str_field(config, "kubeVersion");
    ch->name_template = str_field(config, "nameTemplate");
    ch->chart_home = str_field(config, "chartHome"), ch->config_home = str_field(config, "configHome");
    ch->values_inline = map_get(config, "valuesInline");
    ch->additional = map_get(config, "additionalValuesFiles");
    ch->api_versions = map_get(config, "apiVersions");
    ch->include_crds = bool_field(config, "includeCRDs");
    ch->skip_hooks = bool_field(config, "skipHooks");
    ch->skip_tests = bool_field(config, "skipTests");
    const char *pos = node_pos(a, config);
    if (!*ch->name) return err_set("%s: %s: chart name cannot be empty", pos, kind_name);
    if (!*ch->chart_home) ch->chart_home = "charts";
    if (!*ch->merge) ch->merge = "override";
    if (strcmp(ch->merge, "override") && strcmp(ch->merge, "merge") && strcmp(ch->merge, "replace"))
        return err_set("%s: %s: valuesMerge must be one of [merge override replace]", pos, kind_name);
    if (ch->values_inline && ch->values_inline->kind != N_MAP && ch->values_inline->kind != N_NULL)
        return err_set("%s: %s: valuesInline must be a mapping", node_pos(a, ch->values_inline), kind_name);
    return 0;
}

/* chartHome as an absolute path; pulled versions get their own directory. */
static const char *chart_home(kust *k, const chart *ch)
{
    arena *a = k->b->a;
    const char *home = ch->chart_home[0] == '/' ? ch->chart_home : arena_printf(a, "%s/%s", k->realdir, ch->chart_home);
    if (*ch->version && *ch->repo) home = arena_printf(a, "%s/%s-%s", home, ch->name, ch->version);
    return home;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* ---- pulling charts ---- */

static const char *find_tgz(arena *a, const char *dir)
{
    DIR *d = opendir(dir);
    const char *found = NULL;
    for (struct dirent *e; d && !found && (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n > 4 && !strcmp(e->d_name + n - 4, ".tgz")) found = arena_printf(a, "%s/%s", dir, e->d_name);
    }
    if (d) closedir(d);
    return found;
}

/* helm pull into the cache; when that fails, an earlier pull is used with a warning. */
static int pull_cached(kust *k, helm_run *h, const chart *ch, const char **tgz)
{
    arena *a = k->b->a;
    const char *pos = node_pos(a, ch->where);
    const char *dir = cache_dir(a, "helm");
    if (!dir) return err_prefix("%s: %s", pos, kind_name);
    char key[65];
    cache_key(arena_printf(a, "%s\n%s\n%s", ch->repo, ch->name, ch->version), key);
    const char *final = arena_printf(a, "%s/%s", dir, key);
    char *tmp = arena_printf(a, "%s/%s.tmpXXXXXX", dir, key);
    if (!mkdtemp(tmp)) return err_set("%s: %s: %s", pos, tmp, strerror(errno));
    const char *args[12] = {"pull"};
    size_t n = 1;
    if (!strncmp(ch->repo, "oci://", 6)) {
        size_t rl = strlen(ch->repo);
        args[n++] = arena_printf(a, "%.*s/%s", (int)(rl && ch->repo[rl - 1] == '/' ? rl - 1 : rl), ch->repo, ch->name);
    } else {
        args[n++] = "--repo", args[n++] = ch->repo, args[n++] = ch->name;
    }
    if (*ch->version) args[n++] = "--version", args[n++] = ch->version;
    args[n++] = "--destination", args[n++] = tmp, args[n] = NULL;
    strbuf out = STRBUF_INIT;
    int rc = helm_exec(h, args, &out);
    sb_release(&out);
    if (rc == 0 && find_tgz(a, tmp) && replace_dir(tmp, final) == 0) {
        *tgz = find_tgz(a, final);
        return 0;
    }
    remove_tree(tmp);
    if ((*tgz = find_tgz(a, final))) {
        warnf("%s: pulling chart %s from %s failed (%s); using the cached chart %s", pos, ch->name, ch->repo,
              err_msg(), *tgz);
        return 0;
    }
    return rc < 0 ? err_prefix("no cached copy of the chart either") : err_set("%s: %s: helm pull gave no chart", pos, kind_name);
}

/* kustomize's `helm pull --untar --untardir home`: the chart lands in home/<name>. */
static int pull_chart(kust *k, helm_run *h, const chart *ch, const char *home)
{
    arena *a = k->b->a;
    const char *tgz;
    if (pull_cached(k, h, ch, &tgz) < 0) return -1;
    if (mkdir_p(home) < 0) return err_set("%s: %s: %s", node_pos(a, ch->where), home, strerror(errno));
    strbuf err = STRBUF_INIT;
    runcmd c = {.argv = (const char *[]){"tar", "-xzf", tgz, "-C", home, NULL}, .err = &err};
    int rc = runcmd_run(&c, NULL);
    if (rc > 0) err_set("tar: %s", err.buf ? err.buf : "failed");
    sb_release(&err);
    return rc ? err_prefix("%s: %s: unpacking %s into %s", node_pos(a, ch->where), kind_name, tgz, home) : 0;
}

/* ---- values ---- */

static int is_empty_value(const node *n)
{
    if (!n || n->kind == N_NULL) return 1;
    if (n->kind == N_MAP) return n->u.map.n == 0;
    if (n->kind == N_SEQ) return n->u.seq.n == 0;
    if (n->kind == N_BOOL) return node_is_false(n);
    if (n->kind == N_INT || n->kind == N_FLOAT) return strtod(n->u.str.s, NULL) == 0;
    return n->u.str.len == 0;
}

/* mergo.Merge as kustomize calls it: maps merge deeply; with override the
 * inline value wins unless it is null, else only missing or empty ones are set. */
static void merge_values(arena *a, node *dst, const node *src, int override)
{
    for (uint32_t i = 0; i < src->u.map.n; i++) {
        const char *key = src->u.map.items[i].key->u.str.s;
        node *s = src->u.map.items[i].val, *d = map_get(dst, key);
        if (d && d->kind == N_MAP && s->kind == N_MAP && d->u.map.n) merge_values(a, d, s, override);
        else if (override ? (!d || s->kind != N_NULL) : is_empty_value(d)) map_set(a, dst, key, s);
    }
}

/* The values file helm gets: valuesFile as is, or merged with valuesInline. */
static int write_values(kust *k, const chart *ch, const char *home, const helm_run *h, const char **path)
{
    arena *a = k->b->a;
    const char *vf = *ch->values_file ? ch->values_file : arena_printf(a, "%s/%s/values.yaml", home, ch->name);
    strbuf sb = STRBUF_INIT;
    int inl = ch->values_inline && ch->values_inline->kind == N_MAP && ch->values_inline->u.map.n;
    int rc = 0;
    if (!inl || strcmp(ch->merge, "replace")) rc = kust_read_file(k, vf, ch->where, &sb, NULL);
    if (rc == 0 && inl) {
        node *doc = NULL;
        if (strcmp(ch->merge, "replace")) rc = yaml_load_one(a, vf, sb.buf, sb.len, &doc);
        if (rc == 0 && (!doc || doc->kind != N_MAP)) doc = node_new(a, N_MAP);
        if (rc == 0) merge_values(a, doc, ch->values_inline, !strcmp(ch->merge, "override") || !strcmp(ch->merge, "replace"));
        sb_reset(&sb);
        if (rc == 0) rc = yaml_emit(&sb, doc);
    }
    *path = arena_printf(a, "%s/%s-kustomize-values.yaml", h->tmp, ch->name);
    if (rc == 0 && write_file_atomic(*path, sb.buf ? sb.buf : "", sb.len) < 0)
        rc = err_set("%s: %s: writing %s: %s", node_pos(a, ch->where), kind_name, *path, strerror(errno));
    sb_release(&sb);
    return rc;
}

/* ---- rendering ---- */

static void template_args(kust *k, const chart *ch, const char *home, const char *values, const char **args)
{
    arena *a = k->b->a;
    size_t n = 0;
    args[n++] = "template";
    args[n++] = *ch->release ? ch->release : "--generate-name";
    args[n++] = arena_printf(a, "%s/%s", home, ch->name);
    if (*ch->ns) args[n++] = "--namespace", args[n++] = ch->ns;
    if (*ch->name_template) args[n++] = "--name-template", args[n++] = ch->name_template;
    args[n++] = "-f", args[n++] = values;
    for (uint32_t i = 0; ch->additional && ch->additional->kind == N_SEQ && i < ch->additional->u.seq.n && n < 40; i++) {
        const char *f = node_text(ch->additional->u.seq.items[i]);
        args[n++] = "-f", args[n++] = f[0] == '/' ? f : arena_printf(a, "%s/%s", k->realdir, f);
    }
    for (uint32_t i = 0; ch->api_versions && ch->api_versions->kind == N_SEQ && i < ch->api_versions->u.seq.n && n < 56; i++)
        args[n++] = "--api-versions", args[n++] = node_text(ch->api_versions->u.seq.items[i]);
    if (*ch->kube_version) args[n++] = "--kube-version", args[n++] = ch->kube_version;
    if (ch->include_crds) args[n++] = "--include-crds";
    if (ch->skip_tests) args[n++] = "--skip-tests";
    if (ch->skip_hooks) args[n++] = "--no-hooks";
    args[n] = NULL;
}

/* additionalValuesFiles must be loadable under the load restrictor. */
static int check_additional(kust *k, const chart *ch)
{
    for (uint32_t i = 0; ch->additional && ch->additional->kind == N_SEQ && i < ch->additional->u.seq.n; i++) {
        node *f = ch->additional->u.seq.items[i];
        strbuf sb = STRBUF_INIT;
        int rc = node_text(f) ? kust_read_file(k, node_text(f), f, &sb, NULL) : err_set("%s: expected a path", node_pos(k->b->a, f));
        sb_release(&sb);
        if (rc < 0) return err_prefix("could not load additionalValuesFile");
    }
    return 0;
}

/* helm's output as objects; text helm printed before the first "---" is skipped when it breaks parsing. */
static int load_output(kust *k, const chart *ch, const strbuf *out, resmap *rm)
{
    arena *a = k->b->a;
    const char *file = arena_printf(a, "helm template of chart %s", ch->name);
    resmap got = {0};
    int rc = kust_load_objects(k, file, out->buf ? out->buf : "", out->len, &got);
    const char *sep = rc < 0 && out->buf ? strstr(out->buf, "\n---\n") : NULL;
    if (sep) {
        resmap_free(&got);
        got = (resmap){0};
        rc = kust_load_objects(k, file, sep + 1, out->len - (size_t)(sep + 1 - out->buf), &got);
    }
    for (size_t i = 0; rc == 0 && i < got.n; i++) {
        resource *r = got.v[i];
        r->origin = k->file;
        r->generated = 1;
        r->configured_in = k->file;
        r->configured_by_kind = kind_name;
        rc = resmap_append(a, rm, r);
    }
    resmap_free(&got);
    return rc;
}

static int inflate(kust *k, const chart *ch, helm_run *h, resmap *rm)
{
    const char *home = chart_home(k, ch);
    if (check_additional(k, ch) < 0 || helm_check_v3(h) < 0) return -1;
    if (!is_dir(arena_printf(k->b->a, "%s/%s", home, ch->name))) {
        if (!*ch->repo)
            return err_set("%s: %s: no repo specified for pull, no chart found at '%s/%s'", node_pos(k->b->a, ch->where),
                           kind_name, home, ch->name);
        if (pull_chart(k, h, ch, home) < 0) return -1;
    }
    const char *values, *args[64];
    if (write_values(k, ch, home, h, &values) < 0) return -1;
    template_args(k, ch, home, values, args);
    strbuf out = STRBUF_INIT;
    int rc = helm_exec(h, args, &out);
    if (rc == 0) rc = load_output(k, ch, &out, rm);
    sb_release(&out);
    return rc;
}

int builtin_helm(kust *k, node *config, resmap *rm)
{
    if (!k->b->opt.enable_helm)
        return err_set("%s: trouble configuring builtin %s: must specify --enable-helm", node_pos(k->b->a, config),
                       kind_name);
    chart ch;
    helm_run h;
    if (parse_chart(k, config, &ch) < 0) return -1;
    const char *what = arena_printf(k->b->a, "%s: %s", node_pos(k->b->a, config), kind_name);
    if (helm_run_init(k->b->a, &h, k->b->opt.helm_command, ch.config_home, what) < 0) return -1;
    int rc = inflate(k, &ch, &h, rm);
    helm_run_done(&h);
    return rc;
}
