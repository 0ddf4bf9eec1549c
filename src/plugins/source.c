/* Where a plugin's source is on disk. Local sources: a chart directory, a
 * directory holding charts (NAME/, NAME-VERSION/, NAME/VERSION/ or
 * NAME-VERSION.tgz, as a helm repository keeps them), a .tgz/.tar.gz or .zip
 * archive, a kustomization directory, a manifest directory or a single YAML
 * file; file:// URLs are local paths. A relative url resolves against the
 * directory of the file that declared the Plugin. fileOverrides are written
 * into a private copy of the source, never into the original. */
#include "plugin_impl.h"
#include "cache.h"
#include "err.h"
#include "kyaml.h"
#include "runcmd.h"
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int is_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcasecmp(s + n - m, suffix);
}

const char *plugin_scratch(expander *x, const char *what)
{
    const char *d = arena_printf(x->b->a, "%s/%u-%s", x->helm.tmp, ++x->scratch_n, what);
    if (mkdir_p(d) < 0) return err_set("%s: %s", d, strerror(errno)), NULL;
    return d;
}

static int run_tool(const char *const *argv, const char *what)
{
    strbuf err = STRBUF_INIT, last = STRBUF_INIT;
    runcmd c = {.argv = argv, .err = &err};
    int why, rc = runcmd_run(&c, &why);
    if (rc < 0 && why == RUNCMD_NOTFOUND) rc = err_set("%s: '%s' is not installed", what, argv[0]);
    else if (rc > 0) {
        runcmd_last_line(&err, &last);
        rc = err_set("%s: %s failed: %s", what, argv[0], last.len ? last.buf : "(no message)");
    } else if (rc < 0) {
        rc = err_prefix("%s", what);
    }
    sb_release(&err), sb_release(&last);
    return rc;
}

/* The only entry of dir when it is a directory (a packaged chart's NAME/), else dir. */
static const char *single_subdir(arena *a, const char *dir)
{
    DIR *d = opendir(dir);
    const char *only = NULL;
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        n++;
        only = arena_printf(a, "%s/%s", dir, e->d_name);
    }
    if (d) closedir(d);
    return n == 1 && is_dir(only) ? only : dir;
}

static int unpack(expander *x, plugin *p, const char *archive, const char **root)
{
    const char *dir = plugin_scratch(x, "unpack");
    if (!dir) return -1;
    const char *what = arena_printf(x->b->a, "%s: plugin %s: unpacking %s", p->where, p->name, archive);
    int rc = ends_with(archive, ".zip") ? run_tool((const char *[]){"unzip", "-q", archive, "-d", dir, NULL}, what)
                                        : run_tool((const char *[]){"tar", "-xzf", archive, "-C", dir, NULL}, what);
    *root = *p->path ? dir : single_subdir(x->b->a, dir);
    return rc;
}

/* path inside an archive or directory: must stay inside it. */
static int sub_path(expander *x, plugin *p, const char *root, const char **out)
{
    arena *a = x->b->a;
    if (!*p->path) return *out = root, 0;
    const char *full = arena_printf(a, "%s/%s", root, p->path);
    char rroot[PATH_MAX], rfull[PATH_MAX];
    if (!realpath(root, rroot) || !realpath(full, rfull))
        return err_set("%s: plugin %s: spec.path '%s' does not exist in %s", p->where, p->name, p->path, root);
    size_t n = strlen(rroot);
    if (strncmp(rfull, rroot, n) || (rfull[n] && rfull[n] != '/'))
        return err_set("%s: plugin %s: spec.path '%s' leads outside %s", p->where, p->name, p->path, root);
    *out = arena_strdup(a, rfull);
    return 0;
}

static int read_chart_meta(expander *x, plugin *p, const char *dir)
{
    arena *a = x->b->a;
    const char *file = arena_printf(a, "%s/Chart.yaml", dir);
    strbuf sb = STRBUF_INIT;
    node *doc = NULL;
    int rc = sb_read_file(&sb, file) < 0 ? err_set("%s: %s", file, strerror(errno))
                                           : yaml_load_one(a, file, sb.buf, sb.len, &doc);
    sb_release(&sb);
    if (rc < 0) return err_prefix("%s: plugin %s", p->where, p->name);
    if (!doc || doc->kind != N_MAP) return err_set("%s: plugin %s: %s is not a chart description", p->where, p->name, file);
    p->chart_meta = doc;
    const char *v = node_text(map_get(doc, "version"));
    p->chart_version = v ? v : "";
    /* (from git, spec.version is the revision) */
    if (*p->version && strcmp(p->version, p->chart_version) && !fetch_is_git(p->url))
        return err_set("%s: plugin %s: spec.version is %s but the chart at %s is version %s", p->where, p->name,
                       p->version, dir, *p->chart_version ? p->chart_version : "(none)");
    return 0;
}

/* A chart in a directory: the directory itself, or NAME, NAME-VERSION, NAME/VERSION, NAME-VERSION.tgz in it. */
static int find_chart(expander *x, plugin *p, const char *root, const char **chart)
{
    arena *a = x->b->a;
    const char *v = p->version, *n = p->chart;
    const char *cands[4] = {root, arena_printf(a, "%s/%s", root, n), *v ? arena_printf(a, "%s/%s-%s", root, n, v) : NULL,
                            *v ? arena_printf(a, "%s/%s/%s", root, n, v) : NULL};
    for (int i = 0; i < 4; i++)
        if (cands[i] && is_file(arena_printf(a, "%s/Chart.yaml", cands[i]))) return *chart = cands[i], 0;
    const char *tgz = *v ? arena_printf(a, "%s/%s-%s.tgz", root, n, v) : NULL;
    if (tgz && is_file(tgz)) {
        const char *dir;
        if (unpack(x, p, tgz, &dir) < 0) return -1;
        return *chart = dir, 0;
    }
    return err_set("%s: plugin %s: no chart %s%s%s in %s (looked for Chart.yaml there and in %s/%s%s%s)", p->where,
                   p->name, n, *v ? " version " : "", v, root, root, n, *v ? "[-/]" : "", v);
}

/* url as a local path: file:// stripped, relative to the declaring file's directory. */
static const char *local_path(expander *x, plugin *p)
{
    const char *u = p->url;
    if (!strncasecmp(u, "file://", 7)) u += 7;
    if (u[0] == '/') return u;
    if (!strcmp(p->base_dir, ".")) return u;
    return arena_printf(x->b->a, "%s/%s", p->base_dir, u);
}

static int is_remote(const char *u)
{
    static const char *const schemes[] = {"http://", "https://", "oci://", "git@", "ssh://", "git::", "github.com/", NULL};
    for (const char *const *s = schemes; *s; s++)
        if (!strncasecmp(u, *s, strlen(*s))) return 1;
    return 0;
}

static int is_yaml_file(const char *p)
{
    return ends_with(p, ".yaml") || ends_with(p, ".yml") || ends_with(p, ".json");
}

/* The source file or directory the kind needs, from a local path. */
static int resolve_local(expander *x, plugin *p, const char *path)
{
    const char *root = path;
    if (is_file(path)) {
        if (is_yaml_file(path)) {
            if (p->kind == PK_HELM || p->kind == PK_TEMPLATE)
                return err_set("%s: plugin %s: kind %s needs a chart, but url %s is a YAML file (use kind native)",
                               p->where, p->name, plugin_kind_names[p->kind], p->url);
            if (*p->path) return err_set("%s: plugin %s: spec.path needs a directory or archive url", p->where, p->name);
            p->source = path;
            return 0;
        }
        if (!ends_with(path, ".tgz") && !ends_with(path, ".tar.gz") && !ends_with(path, ".zip"))
            return err_set("%s: plugin %s: url %s is neither a directory, an archive (.tgz, .tar.gz, .zip) nor a "
                           "YAML file", p->where, p->name, p->url);
        if (unpack(x, p, path, &root) < 0) return -1;
    } else if (!is_dir(path)) {
        return err_set("%s: plugin %s: url %s: %s does not exist", p->where, p->name, p->url, path);
    }
    if (sub_path(x, p, root, &root) < 0) return -1;
    if (p->kind == PK_HELM || p->kind == PK_TEMPLATE) {
        if (find_chart(x, p, root, &root) < 0) return -1;
    } else if (!is_dir(root)) {
        return err_set("%s: plugin %s: %s is not a directory", p->where, p->name, root);
    }
    p->source = root;
    return 0;
}

/* fileOverrides: names relative to the source, never leaving it. */
static int check_override_name(plugin *p, const char *name)
{
    if (!*name || name[0] == '/' || !strcmp(name, "..") || !strncmp(name, "../", 3) || strstr(name, "/../") ||
        ends_with(name, "/.."))
        return err_set("%s: plugin %s: fileOverrides name '%s' must be a relative path inside the source", p->where,
                       p->name, name);
    return 0;
}

static int apply_overrides(expander *x, plugin *p)
{
    arena *a = x->b->a;
    node *l = p->file_overrides;
    if (!l || l->kind != N_SEQ || !l->u.seq.n) return 0;
    if (!is_dir(p->source))
        return err_set("%s: plugin %s: fileOverrides need a directory or archive source", p->where, p->name);
    const char *copy = plugin_scratch(x, "overrides");
    if (!copy) return -1;
    const char *what = arena_printf(a, "%s: plugin %s: copying %s", p->where, p->name, p->source);
    if (run_tool((const char *[]){"cp", "-R", arena_printf(a, "%s/.", p->source), copy, NULL}, what) < 0) return -1;
    for (uint32_t i = 0; i < l->u.seq.n; i++) {
        node *e = l->u.seq.items[i];
        const char *name = node_get_str(e, "name", NULL), *content = node_text(map_get(e, "content"));
        if (check_override_name(p, name) < 0) return -1;
        const char *file = arena_printf(a, "%s/%s", copy, name), *slash = strrchr(file, '/');
        if (mkdir_p(arena_strndup(a, file, (size_t)(slash - file))) < 0 ||
            write_file_atomic(file, content ? content : "", content ? strlen(content) : 0) < 0)
            return err_set("%s: plugin %s: fileOverrides %s: %s", p->where, p->name, name, strerror(errno));
    }
    p->source = copy;
    return 0;
}

int plugin_resolve_source(expander *x, plugin *p)
{
    if (!*p->url) return err_set("%s: plugin %s: spec.url is empty (where is its %s?)", p->where, p->name,
                                 p->kind == PK_HELM || p->kind == PK_TEMPLATE ? "chart" : "source");
    const char *local;
    if (is_remote(p->url) || fetch_is_git(p->url) ? plugin_fetch(x, p, &local) < 0 : (local = local_path(x, p), 0)) return -1;
    if (resolve_local(x, p, local) < 0) return -1;
    p->found = p->source;
    if (apply_overrides(x, p) < 0) return -1;
    return p->kind == PK_HELM || p->kind == PK_TEMPLATE ? read_chart_meta(x, p, p->source) : 0;
}
