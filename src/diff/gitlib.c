/* libgit2 for kgrender diff: the line diff (git's xdiff, the same hunks
 * `git diff` prints) and the tree of a revision written to a directory.
 * Loaded with dlopen on first use, as libcurl is (src/core/http.c): linking
 * it would cost every `kgrender build` its dynamic loading, and only diff
 * needs it. */
#include "diff.h"
#include "err.h"
#include <dlfcn.h>
#include <git2.h>
#include <string.h>

static struct {
    int (*init)(void);
    int (*patch_from_buffers)(git_patch **, const void *, size_t, const char *, const void *, size_t,
                              const char *, const git_diff_options *);
    int (*patch_print)(git_patch *, git_diff_line_cb, void *);
    void (*patch_free)(git_patch *);
    int (*repository_open_ext)(git_repository **, const char *, unsigned int, const char *);
    const char *(*repository_workdir)(const git_repository *);
    void (*repository_free)(git_repository *);
    int (*revparse_single)(git_object **, git_repository *, const char *);
    int (*object_peel)(git_object **, const git_object *, git_object_t);
    void (*object_free)(git_object *);
    int (*checkout_tree)(git_repository *, const git_object *, const git_checkout_options *);
    const git_error *(*error_last)(void);
} lg;

static int loaded; /* 0 not tried, 1 ready, -1 failed */

static int git_load(void)
{
    if (loaded) return loaded > 0 ? 0 : -1;
    loaded = -1;
    void *h = dlopen("libgit2.so.1.5", RTLD_NOW | RTLD_LOCAL);
    if (!h) h = dlopen("libgit2.so", RTLD_NOW | RTLD_LOCAL);
    if (!h) return err_set("kgrender diff needs libgit2 (Debian package libgit2-1.5): %s", dlerror());
    static const char *const names[] = {
        "git_libgit2_init", "git_patch_from_buffers", "git_patch_print", "git_patch_free",
        "git_repository_open_ext", "git_repository_workdir", "git_repository_free", "git_revparse_single",
        "git_object_peel", "git_object_free", "git_checkout_tree", "git_error_last"};
    void **slots[] = {
        (void **)&lg.init, (void **)&lg.patch_from_buffers, (void **)&lg.patch_print, (void **)&lg.patch_free,
        (void **)&lg.repository_open_ext, (void **)&lg.repository_workdir, (void **)&lg.repository_free,
        (void **)&lg.revparse_single, (void **)&lg.object_peel, (void **)&lg.object_free,
        (void **)&lg.checkout_tree, (void **)&lg.error_last};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if (!(*slots[i] = dlsym(h, names[i]))) return err_set("libgit2: missing symbol %s", names[i]);
    if (lg.init() < 0) return err_set("libgit2: initialisation failed");
    loaded = 1;
    return 0;
}

static const char *git_errmsg(void)
{
    const git_error *e = lg.error_last();
    return e && e->message ? e->message : "unknown error";
}

struct print_ctx {
    strbuf *out;
    int color;
};

static int on_line(const git_diff_delta *d, const git_diff_hunk *h, const git_diff_line *l, void *payload)
{
    struct print_ctx *c = payload;
    const char *col = NULL;
    switch (l->origin) {
    case GIT_DIFF_LINE_FILE_HDR:
        return 0; /* callers print their own object header */
    case GIT_DIFF_LINE_HUNK_HDR: col = "\033[36m"; break;
    case GIT_DIFF_LINE_ADDITION: col = "\033[32m"; sb_addc(c->out, '+'); break;
    case GIT_DIFF_LINE_DELETION: col = "\033[31m"; sb_addc(c->out, '-'); break;
    case GIT_DIFF_LINE_CONTEXT: sb_addc(c->out, ' '); break;
    case GIT_DIFF_LINE_CONTEXT_EOFNL:
    case GIT_DIFF_LINE_ADD_EOFNL:
    case GIT_DIFF_LINE_DEL_EOFNL: break;
    default: break;
    }
    if (c->color && col) {
        /* the sign went out already: recolour the whole line */
        if (l->origin == GIT_DIFF_LINE_ADDITION || l->origin == GIT_DIFF_LINE_DELETION) c->out->len--;
        sb_adds(c->out, col);
        if (l->origin == GIT_DIFF_LINE_ADDITION) sb_addc(c->out, '+');
        if (l->origin == GIT_DIFF_LINE_DELETION) sb_addc(c->out, '-');
    }
    size_t n = l->content_len;
    if (c->color && col && n && l->content[n - 1] == '\n') n--;
    sb_add(c->out, l->content, n);
    if (c->color && col) sb_adds(c->out, "\033[0m");
    if (c->color && col && n != l->content_len) sb_addc(c->out, '\n');
    return 0;
}

int git_unified_diff(const char *a, size_t alen, const char *b, size_t blen, int context, int color, strbuf *out)
{
    if (git_load() < 0) return -1;
    git_diff_options o;
    memset(&o, 0, sizeof o); /* the INIT macros leave fields out, which -Wextra flags */
    o.version = GIT_DIFF_OPTIONS_VERSION;
    o.ignore_submodules = GIT_SUBMODULE_IGNORE_UNSPECIFIED;
    o.context_lines = context < 0 ? 3 : (uint32_t)context;
    o.flags |= GIT_DIFF_FORCE_TEXT;
    git_patch *p = NULL;
    if (lg.patch_from_buffers(&p, a, alen, "a", b, blen, "b", &o) < 0)
        return err_set("line diff: %s", git_errmsg());
    struct print_ctx c = {out, color};
    int rc = lg.patch_print(p, on_line, &c);
    lg.patch_free(p);
    return rc < 0 ? err_set("line diff: %s", git_errmsg()) : 0;
}

int git_checkout_rev(arena *a, const char *path, const char *rev, const char *dir, const char **top)
{
    if (git_load() < 0) return -1;
    git_repository *repo = NULL;
    git_object *obj = NULL, *tree = NULL;
    int rc = -1;
    if (lg.repository_open_ext(&repo, path, 0, NULL) < 0) {
        err_set("%s: not inside a git repository: %s", path, git_errmsg());
        goto out;
    }
    const char *wd = lg.repository_workdir(repo);
    if (!wd) {
        err_set("%s: the repository has no work tree (bare)", path);
        goto out;
    }
    *top = arena_strdup(a, wd);
    if (lg.revparse_single(&obj, repo, rev) < 0) {
        err_set("--rev %s: unknown revision: %s", rev, git_errmsg());
        goto out;
    }
    if (lg.object_peel(&tree, obj, GIT_OBJECT_TREE) < 0) {
        err_set("--rev %s: not a commit or tree: %s", rev, git_errmsg());
        goto out;
    }
    git_checkout_options co;
    memset(&co, 0, sizeof co);
    co.version = GIT_CHECKOUT_OPTIONS_VERSION;
    co.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_DONT_UPDATE_INDEX;
    co.target_directory = dir;
    if (lg.checkout_tree(repo, tree, &co) < 0) {
        err_set("--rev %s: writing its tree to %s: %s", rev, dir, git_errmsg());
        goto out;
    }
    rc = 0;
out:
    if (tree) lg.object_free(tree);
    if (obj) lg.object_free(obj);
    if (repo) lg.repository_free(repo);
    return rc;
}
