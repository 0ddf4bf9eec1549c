/* Private to src/plugins: the parsed Plugin and the expansion context shared
 * by its files (spec.c parses, values_from.c gathers values, source.c finds
 * the source on disk, render.c renders it, graph.c orders, expand.c drives). */
#ifndef KG_PLUGIN_IMPL_H
#define KG_PLUGIN_IMPL_H
#include "plugins.h"
#include "helm.h"
#include "resource.h"

enum plugin_kind { PK_HELM, PK_TEMPLATE, PK_KUSTOMIZE, PK_NATIVE };

typedef struct plugin_dep {
    const char *name, *ns; /* ns "" when the dependency did not name one */
    const char *version;   /* requirements: constraint ("" for none) */
    const char *op;
    const char *from;      /* "dependencies" or "requirements" (messages) */
} plugin_dep;

typedef struct plugin {
    resource *r;                 /* the Plugin object */
    const char *name, *ns;       /* metadata.name, metadata.namespace ("default" when none) */
    const char *where;           /* file:line of the object, for messages */
    const char *base_dir;        /* relative urls resolve against this directory */
    int enabled;
    enum plugin_kind kind;
    const char *url, *chart, *version, *path, *install_ns;
    node *values, *values_from, *file_overrides;
    plugin_dep *deps;
    size_t ndeps, capdeps;
    struct plugin *parent;       /* the plugin whose output declared this one */
    int depth;
    int wave;                    /* apply wave: one past its dependencies' */
    /* filled while rendering */
    const char *source;          /* the local source: chart dir, kustomization dir, manifest dir or file */
    const char *fetched;         /* a remote source's copy in the cache */
    const char *found;           /* the source as found, before fileOverrides copied it */
    node *chart_meta;            /* Chart.yaml of a chart source */
    const char *chart_version;
    strlist create_ns;           /* namespaces to create (install namespace, chart annotation) */
    node *merged;                /* the merged values */
    resmap out;                  /* its objects, in kustomize's order once expanded */
    int visit;                   /* graph walk state */
} plugin;

typedef struct expander {
    build *b;
    node *sort_options;          /* the top level's sortOptions */
    plugin_options *po;
    resmap *built;               /* the top-level objects: valuesFrom sources, existing namespaces */
    plugin **all;                /* every plugin found, in discovery order */
    size_t n, cap;
    node *globals;               /* global values (kubegems-global-values, --set global.) */
    helm_run helm;
    int helm_ready;
    unsigned scratch_n;          /* numbering of scratch directories */
} expander;

extern const char *const plugin_kind_names[];

/* spec.c */
int plugin_is_plugin(const node *obj);
int plugin_parse(expander *x, resource *r, plugin *parent, plugin **out);
plugin *plugin_find(const expander *x, const char *name);
void plugin_add_dep(arena *a, plugin *p, plugin_dep d);
/* Chart.yaml annotations: install namespace, requirements, create-namespaces, values-from. */
int plugin_apply_chart_annotations(expander *x, plugin *p);
const char *plugin_source_text(const plugin *p);

/* values_from.c */
int plugin_global_values(expander *x);
int plugin_merged_values(expander *x, plugin *p);
/* A ConfigMap's binaryData (YAML files) and data, or a Secret's data and stringData, as values under prefix. */
int read_values_object(arena *a, const resource *r, const char *prefix, node *root);

/* source.c */
int plugin_resolve_source(expander *x, plugin *p);
const char *plugin_scratch(expander *x, const char *what);

/* fetch.c: a remote url's local copy (archive, file or clone directory) in the cache. */
int plugin_fetch(expander *x, plugin *p, const char **local);
int fetch_is_git(const char *url);

/* render.c: renders every plugin of list (helm runs in parallel). */
int plugin_render_all(expander *x, plugin **list, size_t n);

/* graph.c */
int plugin_graph_order(expander *x, int all, plugin ***order, size_t *n);

/* list.c */
void plugins_format(plugin **order, size_t n, int json, const plugin_health *h, strbuf *out);

/* images.c */
int plugin_rewrite_images(build *b, plugin *p);

#endif
