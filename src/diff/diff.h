/* kgrender diff: what a configuration change does, object by object.
 *
 * Two rendered streams are loaded into object sets (diff_side), paired by
 * identity (group, kind, namespace, name), compared on their emitted YAML
 * (kustomize's output format, so a dir and its rendered file compare equal),
 * and reported as unified diffs, markdown or JSON. Secret values are replaced
 * by short keyed hashes before anything is compared or printed, so no output
 * form can show them. The line diff and the tree at a git revision come from
 * libgit2 (gitlib.c), loaded on first use. */
#ifndef KG_DIFF_H
#define KG_DIFF_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"
#include "node.h"
#include "resource.h"
#include "strbuf.h"

/* One rendered object. */
typedef struct diff_obj {
    resid id;
    node *obj;           /* after masking and --ignore */
    const char *text;    /* its YAML */
    size_t len;
    uint64_t hash;       /* of text, to skip equal pairs without comparing bytes */
} diff_obj;

typedef struct diff_side {
    diff_obj *v;
    size_t n;
} diff_side;

enum diff_change { DIFF_SAME, DIFF_CHANGED, DIFF_ADDED, DIFF_REMOVED };

typedef struct diff_entry {
    int change;               /* enum diff_change */
    const diff_obj *a, *b;    /* a NULL when added, b NULL when removed */
    const char **paths;       /* changed field paths (DIFF_CHANGED) */
    size_t npaths;
} diff_entry;

typedef struct diff_options {
    const char **ignore;      /* --ignore field paths */
    size_t nignore;
    const char *kind, *name;  /* --kind, --name filters (NULL: all) */
    int context;              /* --context lines (default 3) */
    int color;                /* colour the text form */
    uint64_t secret_seed;     /* key of the Secret value hashes (random per run) */
} diff_options;

typedef struct diff_result {
    diff_entry *v;
    size_t n;
    size_t changed, added, removed, same;
} diff_result;

/* Loads a YAML stream of objects (file names the source in messages):
 * masks Secret values, drops --ignore paths, emits each object. */
int diff_load(arena *a, const char *file, const char *buf, size_t len, const diff_options *opt, diff_side *out);
/* The same for objects already in memory (a build's output); they are modified. */
int diff_load_docs(arena *a, node **docs, size_t n, const diff_options *opt, diff_side *out);
/* Pairs a and b by identity, in b's order then a's removed objects. */
int diff_compare(arena *a, const diff_side *sa, const diff_side *sb, const diff_options *opt, diff_result *out);

/* Output forms. */
int diff_report_text(const diff_result *r, const diff_options *opt, strbuf *out);
int diff_report_markdown(const diff_result *r, const diff_options *opt, strbuf *out);
void diff_report_json(const diff_result *r, strbuf *out);
void diff_summary_line(const diff_result *r, strbuf *out);
/* "Kind/namespace/name" (or "Kind/name") for headers. */
const char *diff_obj_label(arena *a, const resid *id);

/* libgit2, loaded on first use (gitlib.c). */
/* Appends the unified diff of two texts (hunks only, no file header);
 * color adds ANSI colours. */
int git_unified_diff(const char *a, size_t alen, const char *b, size_t blen, int context, int color, strbuf *out);
/* Writes the tree of the repository containing path, at revision rev, into
 * dir; *top gets the repository's work-tree root (arena). */
int git_checkout_rev(arena *a, const char *path, const char *rev, const char *dir, const char **top);

#endif
