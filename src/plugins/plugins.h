/* Plugin resources (plugins.kubegems.io/v1beta1, kind Plugin): components of
 * a platform, each switched on and off and configured with values, expanded
 * into the objects they stand for after the top-level kustomization is built
 * (so an overlay switches a plugin off or changes its values with an ordinary
 * patch). Sources: helm charts (kinds helm and template, rendered by the helm
 * binary), kustomizations (kind kustomize, built by the build code) and plain
 * manifests (kind native). The objects of a plugin carry
 * kgrender.io/plugin: NAME and, when it has dependencies,
 * kgrender.io/apply-wave: N past theirs (the apply contract); the output
 * lists plugins in dependency order.
 *
 * This is the folder's one interface: the command line (build, plugins and
 * later apply share the flags), the hook into the build, the plugin table,
 * and the values functions (exposed for the unit tests). */
#ifndef KG_PLUGINS_H
#define KG_PLUGINS_H
#include "build.h"
#include "strbuf.h"

#define PLUGIN_API_VERSION "plugins.kubegems.io/v1beta1"
#define PLUGIN_ANN_NAME "kgrender.io/plugin"
#define PLUGIN_ANN_WAVE "kgrender.io/apply-wave"
#define PLUGIN_GLOBAL_VALUES "kubegems-global-values"

/* A Plugin outside the build (the controller's view of the cluster). */
typedef struct plugin_ref {
    const char *name, *ns;
    const char *version;             /* status.version ("" unknown) */
    int installed;                   /* status.phase Installed */
} plugin_ref;

/* What a rendered plugin came to (the controller's status): values as
 * merged (JSON, valid during the call), the chart's version (else spec.version) and the
 * chart's appVersion ("" when none). */
typedef void (*plugin_rendered_fn)(void *ud, const char *name, const char *values_json, const char *version,
                                   const char *app_version);

/* What the command line says about plugins (strings point into argv). */
typedef struct plugin_options {
    int keep;                        /* --keep-plugins: print Plugin resources unexpanded */
    const char **sets;               /* --set PLUGIN.KEY=VALUE, --set global.KEY=VALUE (in order) */
    size_t nsets;
    const char **values;             /* --values PLUGIN=FILE (in order) */
    size_t nvalues;
    const char **toggles;            /* "+NAME" (--enable) and "-NAME" (--disable), in order */
    size_t ntoggles;
    const char *kube_version;        /* --kube-version, passed to helm */
    const char **api_versions;       /* --api-versions (repeatable, or comma-separated) */
    size_t napi_versions;
    const char *cache_dir;           /* --cache-dir */
    int offline;                     /* --offline */
    int max_depth;                   /* nesting limit of template plugins (0: 8) */
    /* The controller, which builds one Plugin at a time: dependencies not in
     * the build are looked up in outside (version constraints checked
     * there); one that is not installed fails the build and is named in
     * waiting_on ("ns/name (phase ...)"), so the plugin can wait. */
    const plugin_ref *outside;
    size_t noutside;
    char waiting_on[320];
    plugin_rendered_fn on_rendered;  /* each enabled plugin once rendered */
    void *on_rendered_ud;
} plugin_options;

/* The flags' help text (for the subcommands' --help). */
extern const char plugin_flags_help[];
/* Consumes argv[*i] (and its value) when it is a plugin flag: 1; 0 when it is
 * not one; -1 after printing an error (missing or malformed value). */
int plugin_flag(int argc, char **argv, int *i, plugin_options *po);
void plugin_options_free(plugin_options *po);

/* Sets the build's expansion hook (unless --keep-plugins). po must outlive the build. */
void plugins_attach(build_options *opt, plugin_options *po);

typedef struct plugin plugin;
/* The HEALTH column: fn gives a plugin's live health as text. */
typedef struct plugin_health {
    const char *(*fn)(const plugin *p, void *ud);
    void *ud;
} plugin_health;
/* The name and namespace a plugin's objects carry in PLUGIN_ANN_NAME. */
const char *plugin_name(const plugin *p);
int plugin_enabled(const plugin *p);

/* Whether version satisfies "OP want" (OP: = == != > >= < <= ~ ^; "" always):
 * 1 or 0, -1 when either is not a version. */
int semver_satisfies(const char *version, const char *op, const char *want);

/* kgrender plugins DIR: every plugin (nested ones included) in dependency
 * order, as a table or (json) a JSON array, into out; with health, a HEALTH
 * column (a "health" field). */
int plugins_table(const char *dir, const build_options *opt, plugin_options *po, int json,
                  const plugin_health *health, strbuf *out);

/* kgrender pull DIR: everything the build needs (and the sources of disabled
 * plugins) fetched into the cache; one report line per plugin into report. */
int plugins_pull(const char *dir, const build_options *opt, plugin_options *po, strbuf *report);

/* ---- values (values.c) ---- */

/* Deep merge: maps merge key by key, anything else in src replaces dst's
 * (null too: helm then drops the chart's default). src is cloned. */
void values_merge(arena *a, node *dst, const node *src);
/* helm --set syntax: "a.b=1,c[0]=x,list={a,b},esc=a\,b" applied to root.
 * plugin NULL: every assignment; else only global.* ones (as they are) and
 * PLUGIN.* ones (without "PLUGIN."). Returns -1 with *why on a syntax error. */
int values_apply_set(arena *a, node *root, const char *expr, const char *target_plugin, const char **why);
/* The first key segment of each assignment (the plugin it is for, or "global"). */
void values_set_scopes(arena *a, const char *expr, strlist *out);
/* The mapping at a plain dotted path ("a.b"; "" is root), created when missing. */
node *values_map_at(arena *a, node *root, const char *path);
/* Sets one dotted path ("a.b[1].c", with \. escapes) to val. -1 with *why. */
int values_set_path(arena *a, node *root, const char *path, size_t len, node *val, const char **why);
/* A --set style value typed without losing anything: true/false, null and
 * canonical integers become bool, null and int; "0123", "1.10", "1e3" stay strings. */
node *values_scalar(arena *a, const char *text, size_t len);

#endif
