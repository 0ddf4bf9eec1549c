/* The output forms of kgrender diff: unified text (coloured on a terminal),
 * markdown for a pull-request comment, JSON for tools. */
#include "diff.h"
#include "jsonout.h"
#include <string.h>

const char *diff_obj_label(arena *a, const resid *id)
{
    const char *kind = *id->group ? arena_printf(a, "%s.%s", id->kind, id->group) : id->kind;
    if (*id->ns) return arena_printf(a, "%s/%s/%s", kind, id->ns, id->name);
    return arena_printf(a, "%s/%s", kind, id->name);
}

static const char *const change_word[] = {"unchanged", "changed", "added", "removed"};

void diff_summary_line(const diff_result *r, strbuf *out)
{
    sb_addf(out, "%zu changed, %zu added, %zu removed, %zu unchanged\n", r->changed, r->added, r->removed, r->same);
}

/* Every line of text with a sign in front: the body of an added or removed object. */
static void signed_lines(const char *text, size_t len, char sign, const char *color, strbuf *out)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (color) sb_adds(out, color);
        sb_addc(out, sign);
        sb_add(out, p, n);
        if (color) sb_adds(out, "\033[0m");
        sb_addc(out, '\n');
        p += n + 1;
    }
}

static int entry_body(const diff_entry *e, const diff_options *opt, int color, strbuf *out)
{
    switch (e->change) {
    case DIFF_CHANGED:
        return git_unified_diff(e->a->text, e->a->len, e->b->text, e->b->len, opt->context, color, out);
    case DIFF_ADDED:
        signed_lines(e->b->text, e->b->len, '+', color ? "\033[32m" : NULL, out);
        return 0;
    case DIFF_REMOVED:
        signed_lines(e->a->text, e->a->len, '-', color ? "\033[31m" : NULL, out);
        return 0;
    }
    return 0;
}

static const resid *entry_id(const diff_entry *e)
{
    return e->b ? &e->b->id : &e->a->id;
}

int diff_report_text(const diff_result *r, const diff_options *opt, strbuf *out)
{
    arena *a = arena_new();
    int rc = 0;
    for (size_t i = 0; i < r->n && rc == 0; i++) {
        const diff_entry *e = &r->v[i];
        if (e->change == DIFF_SAME) continue;
        const char *label = diff_obj_label(a, entry_id(e));
        if (opt->color) sb_adds(out, "\033[1m");
        sb_addf(out, "%s %s (%s)", e->change == DIFF_ADDED ? "+++" : e->change == DIFF_REMOVED ? "---" : "~~~",
                label, change_word[e->change]);
        if (opt->color) sb_adds(out, "\033[0m");
        sb_addc(out, '\n');
        rc = entry_body(e, opt, opt->color, out);
    }
    arena_free(a);
    diff_summary_line(r, out);
    return rc;
}

int diff_report_markdown(const diff_result *r, const diff_options *opt, strbuf *out)
{
    arena *a = arena_new();
    sb_adds(out, "### kgrender diff\n\n| changed | added | removed | unchanged |\n|---:|---:|---:|---:|\n");
    sb_addf(out, "| %zu | %zu | %zu | %zu |\n\n", r->changed, r->added, r->removed, r->same);
    int rc = 0;
    for (size_t i = 0; i < r->n && rc == 0; i++) {
        const diff_entry *e = &r->v[i];
        if (e->change == DIFF_SAME) continue;
        sb_addf(out, "<details><summary><code>%s</code> %s</summary>\n\n```diff\n",
                diff_obj_label(a, entry_id(e)), change_word[e->change]);
        rc = entry_body(e, opt, 0, out);
        sb_adds(out, "```\n\n</details>\n\n");
    }
    arena_free(a);
    return rc;
}

/* A JSON string: the one writer, Go's encoding/json form (render/jsonout.c). */
static void json_str(strbuf *out, const char *s)
{
    json_string(out, s, strlen(s));
}

void diff_report_json(const diff_result *r, strbuf *out)
{
    sb_adds(out, "{\"objects\":[");
    int first = 1;
    for (size_t i = 0; i < r->n; i++) {
        const diff_entry *e = &r->v[i];
        if (e->change == DIFF_SAME) continue;
        const resid *id = entry_id(e);
        sb_adds(out, first ? "\n" : ",\n");
        first = 0;
        sb_adds(out, "{\"group\":"); json_str(out, id->group);
        sb_adds(out, ",\"version\":"); json_str(out, id->version);
        sb_adds(out, ",\"kind\":"); json_str(out, id->kind);
        sb_adds(out, ",\"namespace\":"); json_str(out, id->ns);
        sb_adds(out, ",\"name\":"); json_str(out, id->name);
        sb_adds(out, ",\"change\":"); json_str(out, change_word[e->change]);
        sb_adds(out, ",\"paths\":[");
        for (size_t k = 0; k < e->npaths; k++) {
            if (k) sb_addc(out, ',');
            json_str(out, e->paths[k]);
        }
        sb_adds(out, "]}");
    }
    sb_addf(out, "\n],\"summary\":{\"changed\":%zu,\"added\":%zu,\"removed\":%zu,\"unchanged\":%zu}}\n",
            r->changed, r->added, r->removed, r->same);
}
