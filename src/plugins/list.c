/* `kgrender plugins`: every plugin in dependency order, as a table whose
 * columns are as wide as their widest cell (kubectl's style), or as JSON. */
#include "plugin_impl.h"
#include "jsonout.h"
#include <string.h>

enum { C_NAME, C_STATE, C_KIND, C_SOURCE, C_VERSION, C_NS, C_DEPS, C_HEALTH, NCOLS };
static const char *const headers[NCOLS] = {"NAME",    "STATE",     "KIND",         "SOURCE",
                                           "VERSION", "NAMESPACE", "DEPENDENCIES", "HEALTH"};

static const char *version_of(const plugin *p)
{
    if (p->chart_version && *p->chart_version) return p->chart_version;
    return *p->version ? p->version : "";
}

/* Dependencies as "a,b" (a nested plugin's parent is shown as parent:NAME). */
static void deps_text(const plugin *p, strbuf *sb)
{
    for (size_t i = 0; i < p->ndeps; i++) {
        int parent = p->parent && !strcmp(p->deps[i].name, p->parent->name) && !strcmp(p->deps[i].from, "it renders the Plugin");
        sb_addf(sb, "%s%s%s", i ? "," : "", parent ? "parent:" : "", p->deps[i].name);
        if (*p->deps[i].op) sb_addf(sb, "%s%s", p->deps[i].op, p->deps[i].version);
    }
}

static void cells(const plugin *p, const plugin_health *h, const char **c, strbuf *deps)
{
    c[C_HEALTH] = h ? h->fn(p, h->ud) : "";
    c[C_NAME] = p->name;
    c[C_STATE] = p->enabled ? "enabled" : "disabled";
    c[C_KIND] = plugin_kind_names[p->kind];
    c[C_SOURCE] = plugin_source_text(p);
    c[C_VERSION] = *version_of(p) ? version_of(p) : "-";
    c[C_NS] = p->install_ns && *p->install_ns ? p->install_ns : p->ns;
    sb_reset(deps);
    deps_text(p, deps);
    c[C_DEPS] = deps->len ? deps->buf : "-";
}

/* A JSON string: the one writer, Go's encoding/json form (render/jsonout.c). */
static void json_str(strbuf *out, const char *s)
{
    json_string(out, s, strlen(s));
}

static void format_json(plugin **order, size_t n, const plugin_health *h, strbuf *out)
{
    sb_adds(out, "[");
    for (size_t i = 0; i < n; i++) {
        const plugin *p = order[i];
        sb_adds(out, i ? ",\n  {" : "\n  {");
        const char *fields[][2] = {{"name", p->name},
                                   {"namespace", p->ns},
                                   {"state", p->enabled ? "enabled" : "disabled"},
                                   {"kind", plugin_kind_names[p->kind]},
                                   {"source", p->url},
                                   {"version", version_of(p)},
                                   {"installNamespace", p->install_ns && *p->install_ns ? p->install_ns : p->ns},
                                   {"parent", p->parent ? p->parent->name : ""}};
        for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
            sb_addf(out, "%s\"%s\": ", f ? ", " : "", fields[f][0]);
            json_str(out, fields[f][1]);
        }
        if (h) {
            sb_adds(out, ", \"health\": ");
            json_str(out, h->fn(p, h->ud));
        }
        sb_adds(out, ", \"dependencies\": [");
        for (size_t d = 0; d < p->ndeps; d++) {
            sb_adds(out, d ? ", {\"name\": " : "{\"name\": ");
            json_str(out, p->deps[d].name);
            sb_adds(out, ", \"from\": ");
            json_str(out, p->deps[d].from);
            if (*p->deps[d].op) {
                sb_adds(out, ", \"constraint\": ");
                sb_addc(out, '"');
                sb_addf(out, "%s ", p->deps[d].op);
                sb_adds(out, p->deps[d].version);
                sb_addc(out, '"');
            }
            sb_adds(out, "}");
        }
        sb_adds(out, "]}");
    }
    sb_adds(out, n ? "\n]\n" : "]\n");
}

void plugins_format(plugin **order, size_t n, int json, const plugin_health *h, strbuf *out)
{
    if (json) {
        format_json(order, n, h, out);
        return;
    }
    int ncols = h ? NCOLS : C_HEALTH;
    size_t width[NCOLS];
    const char *c[NCOLS];
    strbuf deps = STRBUF_INIT;
    for (int k = 0; k < NCOLS; k++) width[k] = strlen(headers[k]);
    for (size_t i = 0; i < n; i++) {
        cells(order[i], h, c, &deps);
        for (int k = 0; k < NCOLS; k++)
            if (strlen(c[k]) > width[k]) width[k] = strlen(c[k]);
    }
    for (size_t i = 0; i <= n; i++) {
        if (i) cells(order[i - 1], h, c, &deps);
        for (int k = 0; k < ncols; k++) {
            const char *s = i ? c[k] : headers[k];
            if (k == ncols - 1) sb_addf(out, "%s\n", s);
            else sb_addf(out, "%-*s   ", (int)width[k], s);
        }
    }
    sb_release(&deps);
}

const char *plugin_name(const plugin *p)
{
    return p->name;
}

int plugin_enabled(const plugin *p)
{
    return p->enabled;
}
