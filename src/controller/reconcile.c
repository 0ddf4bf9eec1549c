/* One plugin's reconcile, with the CLI's engines: the Plugin (and the
 * ConfigMaps and Secrets it reads, fetched live) is written into a private
 * kustomization, which apply_main renders (Plugin expansion), applies (hash
 * skip, staging, SSA), waits for and prunes against the plugin's own ApplySet.
 * Uninstall is the same apply with nothing rendered. Status is a merge patch
 * of the status subresource. */
#include "controller.h"
#include "apply.h"
#include "cache.h"
#include "err.h"
#include "jsonout.h"
#include "kyaml.h"
#include "plugins.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define INPUT_ANN "kgrender.io/controller-input"

typedef struct rec {
    const ctl_config *cfg;
    cluster *c;
    arena *a;
    const char *ns, *name;
    node *obj;                    /* the Plugin as read */
    strbuf path;                  /* its API path */
    plugin_ref *others;           /* every Plugin in the cluster (dependencies) */
    size_t nothers;
    /* what the render made of it (plugin_options.on_rendered) */
    const char *values_json, *version, *app_version;
} rec;

static int call_json(rec *r, const char *method, const char *path, const char *ctype, const char *body,
                     node **out, long *status)
{
    cluster_result res;
    cluster_call call = {.method = method, .path = path, .content_type = ctype, .body = body,
                         .body_len = body ? strlen(body) : 0, .idempotent = !strcmp(method, "GET"), .arena = r->a};
    int rc = cluster_do(r->c, &call, &res, NULL);
    if (status) *status = res.status;
    if (out) *out = rc == 0 ? res.json : NULL;
    return rc;
}

static void utc_now(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- finalizer -------------------------------------------------------------- */

static int has_finalizer(const node *obj)
{
    const node *f = node_get(obj, "metadata", "finalizers", NULL);
    for (uint32_t i = 0; f && f->kind == N_SEQ && i < f->u.seq.n; i++)
        if (node_strval(f->u.seq.items[i]) && !strcmp(node_strval(f->u.seq.items[i]), CTL_FINALIZER)) return 1;
    return 0;
}

/* Sets metadata.finalizers to the current list plus (add) or minus ours; the
 * resourceVersion makes a concurrent change fail (409) instead of being lost. */
static int set_finalizer(rec *r, int add)
{
    node *list = node_new(r->a, N_SEQ);
    const node *f = node_get(r->obj, "metadata", "finalizers", NULL);
    for (uint32_t i = 0; f && f->kind == N_SEQ && i < f->u.seq.n; i++) {
        const char *s = node_strval(f->u.seq.items[i]);
        if (s && strcmp(s, CTL_FINALIZER)) seq_push(r->a, list, node_new_str(r->a, s));
    }
    if (add) seq_push(r->a, list, node_new_str(r->a, CTL_FINALIZER));
    strbuf body = STRBUF_INIT;
    sb_adds(&body, "{\"metadata\":{\"resourceVersion\":");
    const char *rv = node_get_str(r->obj, "metadata", "resourceVersion", NULL);
    json_string(&body, rv ? rv : "", rv ? strlen(rv) : 0);
    sb_adds(&body, ",\"finalizers\":");
    json_value(&body, list);
    sb_adds(&body, "}}");
    node *out = NULL;
    int rc = call_json(r, "PATCH", r->path.buf, "application/merge-patch+json", body.buf, &out, NULL);
    sb_release(&body);
    if (rc == 0 && out) r->obj = out;
    return rc;
}

/* ---- status ------------------------------------------------------------------- */

typedef struct status {
    const char *phase, *message;
    const char *values_json;      /* the merged values, NULL: keep */
    const char *resources;        /* JSON array, or NULL: keep */
    int changed;                  /* something was applied or pruned */
} status;

static int patch_status(rec *r, const status *st)
{
    const node *old = map_get(r->obj, "status");
    const char *old_phase = node_get_str(old, "phase", NULL), *created = node_get_str(old, "creationTimestamp", NULL);
    const node *gen = node_get(r->obj, "metadata", "generation", NULL);
    const char *ver = r->version && *r->version ? r->version : node_get_str(r->obj, "spec", "version", NULL);
    const char *ins = node_get_str(r->obj, "spec", "installNamespace", NULL);
    char now[32];
    utc_now(now, sizeof now);
    strbuf b = STRBUF_INIT;
    sb_adds(&b, "{\"status\":{\"phase\":");
    json_string(&b, st->phase, strlen(st->phase));
    sb_adds(&b, ",\"message\":");
    json_string(&b, st->message ? st->message : "", st->message ? strlen(st->message) : 0);
    sb_addf(&b, ",\"observedGeneration\":%s", node_text(gen) ? node_text(gen) : "0");
    if (ver) sb_adds(&b, ",\"version\":"), json_string(&b, ver, strlen(ver));
    sb_adds(&b, ",\"namespace\":");
    ins = ins && *ins ? ins : r->ns;
    json_string(&b, ins, strlen(ins));
    if (st->values_json) sb_addf(&b, ",\"values\":%s", st->values_json);
    if (r->app_version && *r->app_version) sb_adds(&b, ",\"appVersion\":"), json_string(&b, r->app_version, strlen(r->app_version));
    if (st->resources) sb_addf(&b, ",\"resources\":%s", st->resources);
    int installed = !strcmp(st->phase, "Installed");
    if (installed && !created) sb_addf(&b, ",\"creationTimestamp\":\"%s\"", now);
    /* timestamps move only on a real change, so an idempotent reconcile
     * writes an identical status (no new resourceVersion, no watch event) */
    if (installed && (st->changed || !old_phase || strcmp(old_phase, "Installed")))
        sb_addf(&b, ",\"upgradeTimestamp\":\"%s\"", now);
    sb_adds(&b, "}}");
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "%s/status", r->path.buf);
    int rc = call_json(r, "PATCH", path.buf, "application/merge-patch+json", b.buf, NULL, NULL);
    sb_release(&b);
    sb_release(&path);
    return rc;
}

/* ---- the private kustomization --------------------------------------------------- */

static void add_doc(strbuf *sb, const node *obj)
{
    sb_adds(sb, "---\n");
    json_value(sb, obj);
    sb_addc(sb, '\n');
}

/* A ConfigMap or Secret the plugin reads, copied into the build and marked so
 * it is dropped after expansion (it must not be applied as the plugin's). */
static void add_input(rec *r, strbuf *sb, const char *kind, const char *ns, const char *name)
{
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "/api/v1/namespaces/%s/%s/%s", ns, !strcmp(kind, "Secret") ? "secrets" : "configmaps", name);
    node *live = NULL;
    if (call_json(r, "GET", path.buf, NULL, NULL, &live, NULL) < 0 || !live) {
        err_clear(); /* missing: the expander says so unless it is optional */
        sb_release(&path);
        return;
    }
    sb_release(&path);
    node *o = node_new(r->a, N_MAP);
    map_set(r->a, o, "apiVersion", node_new_str(r->a, "v1"));
    map_set(r->a, o, "kind", node_new_str(r->a, kind));
    node *meta = map_ensure_map(r->a, o, "metadata");
    map_set(r->a, meta, "name", node_new_str(r->a, name));
    map_set(r->a, meta, "namespace", node_new_str(r->a, ns));
    map_set(r->a, map_ensure_map(r->a, meta, "annotations"), INPUT_ANN, node_new_str(r->a, "true"));
    static const char *const fields[] = {"data", "binaryData", "stringData", "type", NULL};
    for (int i = 0; fields[i]; i++)
        if (map_get(live, fields[i])) map_set(r->a, o, fields[i], map_get(live, fields[i]));
    add_doc(sb, o);
}

/* The Plugin as the build sees it: dependencies were checked here against
 * the live Plugins, so they are left out (the build would look for them). */
static node *plugin_for_build(rec *r)
{
    node *o = node_clone(r->a, r->obj);
    map_del(o, "status");
    node *meta = map_get(o, "metadata");
    static const char *const drop[] = {"managedFields", "resourceVersion", "uid", "generation", "creationTimestamp",
                                       "deletionTimestamp", "deletionGracePeriodSeconds", "finalizers", NULL};
    for (int i = 0; meta && drop[i]; i++) map_del(meta, drop[i]);
    map_del(map_get(o, "spec"), "dependencies");
    return o;
}

static int write_file(const char *dir, const char *name, const strbuf *sb)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) return err_set("%s: %m", path);
    fwrite(sb->buf ? sb->buf : "", 1, sb->len, f);
    return fclose(f) == 0 ? 0 : err_set("%s: %m", path);
}

/* Writes the kustomization (install: the Plugin and its inputs; else empty). */
static int write_build(rec *r, const char *dir, int install)
{
    strbuf k = STRBUF_INIT, objs = STRBUF_INIT;
    sb_adds(&k, "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n");
    if (install) {
        sb_adds(&k, "resources:\n- objects.yaml\n");
        add_doc(&objs, plugin_for_build(r));
        add_input(r, &objs, "ConfigMap", CTL_INSTALLER_NS, PLUGIN_GLOBAL_VALUES);
        const node *vf = node_get(r->obj, "spec", "valuesFrom", NULL);
        for (uint32_t i = 0; vf && vf->kind == N_SEQ && i < vf->u.seq.n; i++) {
            const node *e = vf->u.seq.items[i];
            const char *kind = node_get_str(e, "kind", NULL), *ns = node_get_str(e, "namespace", NULL);
            const char *name = node_get_str(e, "name", NULL);
            if (!name || !*name) continue;
            kind = kind && !strcmp(kind, "Secret") ? "Secret" : "ConfigMap";
            ns = ns && *ns ? ns : r->ns;
            if (!strcmp(kind, "ConfigMap") && !strcmp(ns, CTL_INSTALLER_NS) && !strcmp(name, PLUGIN_GLOBAL_VALUES))
                continue; /* already there */
            add_input(r, &objs, kind, ns, name);
        }
    } else {
        sb_adds(&k, "resources: []\n");
    }
    int rc = write_file(dir, "kustomization.yaml", &k);
    if (rc == 0) rc = write_file(dir, "objects.yaml", &objs);
    sb_release(&k);
    sb_release(&objs);
    return rc;
}

/* post_build: drops the inputs (after expansion read them), then the
 * configured post-build step (the image rewrite). */
typedef struct chain {
    int (*next)(void *ctx, struct kust *k, resmap *rm);
    void *next_ctx;
} chain;

static int drop_inputs(void *ctx, struct kust *k, resmap *rm)
{
    chain *ch = ctx;
    size_t w = 0;
    for (size_t i = 0; i < rm->n; i++)
        if (!node_get_str(rm->v[i]->obj, "metadata", "annotations", INPUT_ANN, NULL)) rm->v[w++] = rm->v[i];
    if (w != rm->n) {
        rm->n = w;
        resmap_reindex(rm);
    }
    return ch->next ? ch->next(ch->next_ctx, k, rm) : 0;
}

static void on_rendered(void *ud, const char *name, const char *values_json, const char *version,
                        const char *app_version)
{
    rec *r = ud; /* called on apply's loader thread while this reconcile waits in apply_main */
    if (strcmp(name, r->name)) return;
    r->values_json = arena_strdup(r->a, values_json);
    r->version = arena_strdup(r->a, version);
    r->app_version = arena_strdup(r->a, app_version);
}

/* Renders (install) or renders nothing (uninstall) and applies with prune.
 * Dependencies named by the chart (its requirements annotation) are checked
 * against the Plugins in the cluster; *waiting names one not installed. */
static int run_apply(rec *r, int install, apply_result *res, const char **waiting)
{
    char dir[] = "/tmp/kgrender-ctl-XXXXXX";
    if (!mkdtemp(dir)) return err_set("cannot make a temporary directory: %m");
    int rc = write_build(r, dir, install);
    if (rc == 0) {
        const ctl_config *cfg = r->cfg;
        chain ch = {cfg->build.post_build, cfg->build.post_build_ctx};
        apply_opts o = {.dir = dir, .build = cfg->build, .cf = cfg->cf, .client = r->c, .field_manager = cfg->field_manager,
                        .prune = 1, .wait = 1, .timeout_ms = cfg->apply_timeout_ms, .progress = 0, .quiet = 1,
                        .result = res};
        o.build.post_build = drop_inputs;
        o.build.post_build_ctx = &ch;
        plugin_options po = *cfg->plugins;
        po.outside = r->others;
        po.noutside = r->nothers;
        po.waiting_on[0] = 0;
        po.on_rendered = on_rendered;
        po.on_rendered_ud = r;
        if (o.build.expand) o.build.expand_ctx = &po;
        o.cf.namespace_ = r->ns;
        o.applyset = arena_printf(r->a, "configmaps/kgrender-plugin-%s", r->name);
        rc = apply_main(&o) == 0 ? 0 : err_set("%s", res->error ? res->error : "apply failed");
        if (rc < 0 && po.waiting_on[0] && waiting) *waiting = arena_strdup(r->a, po.waiting_on);
    }
    remove_tree(dir);
    metric_add(M_OBJECTS_APPLIED, (double)res->applied);
    metric_add(M_OBJECTS_UNCHANGED, (double)res->unchanged);
    metric_add(M_OBJECTS_PRUNED, (double)res->pruned);
    return rc;
}

/* Removes everything the plugin applied, and its ApplySet parent. */
static int uninstall(rec *r, size_t *pruned)
{
    apply_result res = {0};
    int rc = run_apply(r, 0, &res, NULL);
    *pruned = res.pruned;
    apply_result_free(&res);
    if (rc < 0) return -1;
    strbuf path = STRBUF_INIT;
    sb_addf(&path, "/api/v1/namespaces/%s/configmaps/kgrender-plugin-%s", r->ns, r->name);
    long st = 0;
    if (call_json(r, "DELETE", path.buf, NULL, NULL, NULL, &st) < 0 && st == 404) err_clear(), st = 0;
    sb_release(&path);
    return st && st / 100 != 2 ? -1 : 0;
}

/* ---- dependencies ------------------------------------------------------------------- */

/* Every Plugin in the cluster: name, namespace, status.version, Installed. */
static int list_others(rec *r)
{
    node *list = NULL;
    if (call_json(r, "GET", "/apis/plugins.kubegems.io/v1beta1/plugins", NULL, NULL, &list, NULL) < 0) return -1;
    const node *items = map_get(list, "items");
    size_t n = items && items->kind == N_SEQ ? items->u.seq.n : 0;
    r->others = arena_alloc(r->a, (n ? n : 1) * sizeof *r->others);
    for (size_t i = 0; i < n; i++) {
        const node *p = items->u.seq.items[i];
        const char *phase = node_get_str(p, "status", "phase", NULL), *v = node_get_str(p, "status", "version", NULL);
        const char *name = node_get_str(p, "metadata", "name", NULL), *ns = node_get_str(p, "metadata", "namespace", NULL);
        if (!name || !ns) continue;
        r->others[r->nothers++] = (plugin_ref){name, ns, v ? v : "", phase && !strcmp(phase, "Installed")};
    }
    return 0;
}

static const plugin_ref *other(const rec *r, const char *ns, const char *name)
{
    for (size_t i = 0; i < r->nothers; i++)
        if (!strcmp(r->others[i].name, name) && !strcmp(r->others[i].ns, ns)) return &r->others[i];
    return NULL;
}

/* NULL when every Plugin in spec.dependencies ({name, namespace}) is
 * Installed, else why this plugin waits. Version constraints come from the
 * chart (its requirements annotation) and are checked by the build against
 * the same list (plugin_options.outside). */
static const char *waiting_for(rec *r)
{
    const node *deps = node_get(r->obj, "spec", "dependencies", NULL);
    for (uint32_t i = 0; deps && deps->kind == N_SEQ && i < deps->u.seq.n; i++) {
        const node *d = deps->u.seq.items[i];
        const char *name = d->kind == N_STR ? d->u.str.s : node_get_str(d, "name", NULL);
        const char *ns = d->kind == N_MAP ? node_get_str(d, "namespace", NULL) : NULL;
        if (!name || !*name) continue;
        ns = ns && *ns ? ns : r->ns;
        const plugin_ref *p = other(r, ns, name);
        if (!p || !p->installed)
            return arena_printf(r->a, "waiting for dependency Plugin %s/%s: %s", ns, name, p ? "not installed" : "not found");
    }
    return NULL;
}

/* ---- the reconcile -------------------------------------------------------------------- */

static int is_disabled(const node *obj)
{
    return node_is_true(node_get(obj, "spec", "disabled", NULL)) || node_is_false(node_get(obj, "spec", "enabled", NULL));
}

static int install(rec *r, double *requeue_s)
{
    apply_result res = {0};
    const char *waiting = NULL;
    int rc = run_apply(r, 1, &res, &waiting);
    if (waiting) {
        apply_result_free(&res);
        status st = {.phase = "Pending", .message = arena_printf(r->a, "waiting for dependency Plugin %s", waiting)};
        *requeue_s = 5;
        return patch_status(r, &st);
    }
    status st = {.phase = rc == 0 ? "Installed" : "Failed", .message = rc == 0 ? "" : err_msg(),
                 .values_json = r->values_json, .resources = res.resources, .changed = res.applied || res.pruned};
    char *why = rc < 0 ? strdup(err_msg()) : NULL;
    ctl_log(rc == 0 ? "info" : "error", rc == 0 ? "installed" : "install failed", "plugin",
            arena_printf(r->a, "%s/%s", r->ns, r->name), "applied", arena_printf(r->a, "%zu", res.applied),
            "unchanged", arena_printf(r->a, "%zu", res.unchanged), "pruned", arena_printf(r->a, "%zu", res.pruned),
            "error", why ? why : "", NULL);
    if (patch_status(r, &st) < 0) rc = -1;
    else if (why) err_set("%s", why);
    free(why);
    apply_result_free(&res);
    return rc;
}

static int reconcile_obj(rec *r, double *requeue_s)
{
    size_t pruned = 0;
    if (node_get_str(r->obj, "metadata", "deletionTimestamp", NULL)) {
        if (!has_finalizer(r->obj)) return 0;
        if (uninstall(r, &pruned) < 0) return -1;
        ctl_log("info", "uninstalled (deleted)", "plugin", arena_printf(r->a, "%s/%s", r->ns, r->name), "pruned",
                arena_printf(r->a, "%zu", pruned), NULL);
        return set_finalizer(r, 0);
    }
    if (!has_finalizer(r->obj) && set_finalizer(r, 1) < 0) return -1;
    if (is_disabled(r->obj)) {
        if (uninstall(r, &pruned) < 0) return -1;
        if (pruned) ctl_log("info", "uninstalled (disabled)", "plugin", arena_printf(r->a, "%s/%s", r->ns, r->name),
                            "pruned", arena_printf(r->a, "%zu", pruned), NULL);
        status st = {.phase = "Disabled", .message = "", .resources = "[]"};
        return patch_status(r, &st);
    }
    if (list_others(r) < 0) return -1;
    const char *wait = waiting_for(r);
    if (wait) {
        status st = {.phase = "Pending", .message = wait};
        *requeue_s = 5;
        return patch_status(r, &st);
    }
    return install(r, requeue_s);
}

int reconcile(const ctl_config *cfg, cluster *c, const char *key, double *requeue_s)
{
    rec r = {.cfg = cfg, .c = c, .a = arena_new(), .path = STRBUF_INIT};
    *requeue_s = 0;
    const char *slash = strchr(key, '/');
    r.ns = arena_strndup(r.a, key, slash ? (size_t)(slash - key) : 0);
    r.name = slash ? slash + 1 : key;
    sb_addf(&r.path, "/apis/plugins.kubegems.io/v1beta1/namespaces/%s/plugins/%s", r.ns, r.name);
    long st = 0;
    int rc = call_json(&r, "GET", r.path.buf, NULL, NULL, &r.obj, &st);
    if (rc < 0 && st == 404) rc = 0, err_clear(); /* gone: its finalizer already uninstalled it */
    else if (rc == 0) rc = reconcile_obj(&r, requeue_s);
    sb_release(&r.path);
    arena_free(r.a);
    return rc;
}
