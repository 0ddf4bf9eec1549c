/* kgrender plugins DIR: the plugins a build holds (nested ones included),
 * in dependency order, with their state, kind, source, version, namespace
 * and dependencies; as a table or, with -o json, a JSON array. With --live,
 * also each plugin's health in the cluster: its rendered objects (those
 * annotated kgrender.io/plugin: NAME) are read back and judged by apply's
 * readiness rules.
 * kgrender pull DIR (here too: the same flags): fills the cache with every
 * remote source the build needs, so that later builds work --offline. */
#include "apply.h"
#include "build.h"
#include "cache.h"
#include "commands.h"
#include "err.h"
#include "plugins.h"
#include "runcmd.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char plugins_help[] =
    "List the Plugin resources (plugins.kubegems.io/v1beta1) of a kustomization, in dependency order: name,\n"
    "state (enabled/disabled), kind, source, version, install namespace and dependencies. Plugins rendered by\n"
    "template plugins are listed too (so charts are rendered, as by 'kgrender build').\n\n"
    "Usage:\n  kgrender plugins DIR [flags]\n\n"
    "Flags:\n"
    "  -h, --help                        help for plugins\n"
    "      --helm-command string         helm command (path to executable) (default \"helm\")\n"
    "      --live                        add a HEALTH column: each enabled plugin's objects read back from the\n"
    "                                    cluster (Ready, Progressing, Failed, Missing k/n, NotInstalled)\n"
    "      --load-restrictor string      as for 'kgrender build'\n"
    "  -o, --output string               table (default) or json\n\n"
    "Cluster flags (with --live):\n";

static const char *flag_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=') return argv[*i] + n + 1;
    if (!strcmp(argv[*i], name) && *i + 1 < argc) return argv[++*i];
    return NULL;
}

static const char pull_help[] =
    "Fetch every remote source a build needs (remote resources, git bases, plugin charts, archives and\n"
    "repositories, including those of disabled plugins) into the cache, so that 'kgrender build --offline'\n"
    "works afterwards. Prints where each plugin's source is.\n\n"
    "Usage:\n  kgrender pull DIR [flags]\n\n"
    "Flags:\n"
    "      --bundle PATH                 pull into a cache of its own holding just what this build needs and\n"
    "                                    write it to PATH: a tar.gz (PATH ends in .tar.gz or .tgz) or a\n"
    "                                    directory; at the site, unpack it and build with --cache-dir DIR\n"
    "                                    --offline (the images travel in 'kgrender mirror --to oci-archive:')\n"
    "  -h, --help                        help for pull\n"
    "      --helm-command string         helm command (path to executable) (default \"helm\")\n"
    "      --load-restrictor string      as for 'kgrender build'\n\n";

typedef struct live_flags {
    int on;
    cluster_flags cf;
    const char *first; /* the first cluster flag given (they need --live) */
} live_flags;

static int parse(int argc, char **argv, build_options *opt, plugin_options *po, const char **dir, int *json,
                 const char **bundle, live_flags *live)
{
    const char *help = json ? plugins_help : pull_help;
    const char *v;
    for (int i = 1; i < argc; i++) {
        int pf = plugin_flag(argc, argv, &i, po);
        if (pf < 0) return 1;
        if (pf) continue;
        if (live && !strcmp(argv[i], "--live")) {
            live->on = 1;
            continue;
        }
        const char *arg = argv[i];
        int cr = live ? cluster_flag_parse(&live->cf, argc, argv, &i) : 0;
        if (cr < 0) return 1;
        if (cr) {
            if (!live->first) live->first = arg;
            continue;
        }
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(help, stdout);
            if (live) fputs(cluster_flags_help, stdout);
            fputs(plugin_flags_help, stdout);
            return -1;
        } else if ((v = flag_value(argc, argv, &i, "--helm-command"))) {
            opt->helm_command = v;
        } else if ((v = flag_value(argc, argv, &i, "--load-restrictor"))) {
            opt->load_restrict_none = !strcmp(v, "LoadRestrictionsNone");
        } else if (json && ((v = flag_value(argc, argv, &i, "--output")) || (v = flag_value(argc, argv, &i, "-o")))) {
            if (strcmp(v, "json") && strcmp(v, "table")) {
                fprintf(stderr, "error: --output %s: expected table or json\n", v);
                return 1;
            }
            *json = !strcmp(v, "json");
        } else if (bundle && (v = flag_value(argc, argv, &i, "--bundle"))) {
            *bundle = v;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "error: unknown flag: %s\nRun 'kgrender %s --help' for usage.\n", argv[i],
                    json ? "plugins" : "pull");
            return 1;
        } else if (*dir) {
            fputs("error: specify one path to a kustomization directory\n", stderr);
            return 1;
        } else {
            *dir = argv[i];
        }
    }
    return 0;
}

/* Per plugin: how many of its objects are in each health state, and the
 * first object that is not ready (for the message). */
typedef struct tally {
    const char *name;
    size_t n, count[H_MISSING + 1];
    const char *what, *why;
    int worst;
} tally;

typedef struct live_state {
    arena *a;
    tally *t;
    size_t nt;
} live_state;

static tally *tally_for(live_state *ls, const char *name)
{
    for (size_t i = 0; i < ls->nt; i++)
        if (!strcmp(ls->t[i].name, name)) return &ls->t[i];
    ls->t = realloc(ls->t, (ls->nt + 1) * sizeof *ls->t);
    if (!ls->t) abort();
    memset(&ls->t[ls->nt], 0, sizeof *ls->t);
    ls->t[ls->nt].name = name;
    return &ls->t[ls->nt++];
}

/* Which state a plugin's message names first: failures, then absences, then the rest. */
static int severity(int h)
{
    static const int rank[] = {[H_UNKNOWN] = 3, [H_READY] = 0, [H_PROGRESS] = 2, [H_FAILED] = 5,
                               [H_TERMINATING] = 1, [H_MISSING] = 4};
    return rank[h];
}

static void count(live_state *ls, const node *obj, int h, const char *why)
{
    const char *name = node_get_str(obj, "metadata", "annotations", PLUGIN_ANN_NAME, NULL);
    if (!name) return;
    tally *t = tally_for(ls, name);
    t->n++;
    t->count[h]++;
    if (h != H_READY && (!t->what || severity(h) > severity(t->worst))) {
        t->worst = h;
        t->what = arena_printf(ls->a, "%s %s", node_get_str(obj, "kind", NULL), node_get_str(obj, "metadata", "name", NULL));
        t->why = why;
    }
}

static const char *health_text(const plugin *p, void *ud)
{
    live_state *ls = ud;
    if (!plugin_enabled(p)) return "-";
    tally *t = tally_for(ls, plugin_name(p));
    if (!t->n) return "-"; /* renders no objects */
    if (t->count[H_MISSING] == t->n) return "NotInstalled";
    if (t->count[H_READY] == t->n) return "Ready";
    const char *what = t->worst == H_FAILED ? "Failed" : t->worst == H_MISSING ? "Missing"
                     : t->worst == H_UNKNOWN ? "Unknown" : "Progressing";
    size_t k = t->worst == H_MISSING ? t->count[H_MISSING] : t->count[H_READY];
    return arena_printf(ls->a, "%s %zu/%zu%s: %s%s%s", what, k, t->n, t->worst == H_MISSING ? " missing" : " ready",
                        t->what, t->why ? ": " : "", t->why ? t->why : "");
}

/* Renders the build as 'kgrender build' does and reads every object back. */
static int live_health(const char *dir, const build_options *opt, plugin_options *po, const cluster_flags *cf,
                       live_state *ls)
{
    build b = {.a = ls->a, .opt = *opt};
    plugins_attach(&b.opt, po);
    resmap rm = {0};
    int rc = build_objects(&b, dir, &rm);
    cluster *c = rc == 0 ? cluster_open(cf) : NULL;
    if (rc == 0 && (!c || cluster_discover(c) < 0)) rc = -1;
    if (rc == 0) {
        node **objs = arena_alloc(ls->a, (rm.n ? rm.n : 1) * sizeof *objs);
        uint8_t *states = arena_alloc(ls->a, rm.n ? rm.n : 1);
        const char **whys = arena_alloc(ls->a, (rm.n ? rm.n : 1) * sizeof *whys);
        for (size_t i = 0; i < rm.n; i++) objs[i] = rm.v[i]->obj;
        health_live(c, objs, rm.n, ls->a, states, whys);
        for (size_t i = 0; i < rm.n; i++) count(ls, objs[i], states[i], whys[i]);
    }
    if (c) cluster_close(c);
    resmap_free(&rm);
    return rc;
}

int cmd_plugins(int argc, char **argv)
{
    build_options opt = {0};
    plugin_options po = {0};
    live_flags live = {0};
    const char *dir = NULL;
    int json = 0, rc = parse(argc, argv, &opt, &po, &dir, &json, NULL, &live);
    if (rc == 0 && live.first && !live.on) {
        fprintf(stderr, "error: %s needs --live (it selects the cluster the health is read from)\n", live.first);
        rc = 1;
    }
    strbuf out = STRBUF_INIT;
    live_state ls = {.a = arena_new()};
    plugin_health h = {health_text, &ls};
    if (rc == 0 && live.on && live_health(dir ? dir : ".", &opt, &po, &live.cf, &ls) < 0) {
        fprintf(stderr, "Error: %s\n", err_msg());
        rc = 1;
    }
    if (rc == 0 && plugins_table(dir ? dir : ".", &opt, &po, json, live.on ? &h : NULL, &out) < 0) {
        fprintf(stderr, "Error: %s\n", err_msg());
        rc = 1;
    }
    free(ls.t);
    arena_free(ls.a);
    if (rc == 0 && out.len) fwrite(out.buf, 1, out.len, stdout);
    sb_release(&out);
    plugin_options_free(&po);
    return rc < 0 ? 0 : rc;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

/* The filled cache tmp becomes the tar.gz at path (written beside it, then renamed). */
static int write_tgz(const char *tmp, const char *path)
{
    strbuf err = STRBUF_INIT, part = STRBUF_INIT;
    sb_addf(&part, "%s.part", tmp);
    const char *argv[] = {"tar", "-czf", part.buf, "-C", tmp, ".", NULL};
    runcmd c = {.argv = argv, .err = &err};
    int why, rc = runcmd_run(&c, &why);
    if (rc > 0) {
        strbuf msg = STRBUF_INIT;
        runcmd_last_line(&err, &msg);
        err_set("writing %s: tar failed: %s", path, msg.len ? msg.buf : "no message");
        sb_release(&msg);
    } else if (rc == 0 && rename(part.buf, path) < 0) {
        rc = err_set("writing %s: %s", path, strerror(errno));
    }
    if (rc != 0) unlink(part.buf);
    sb_release(&err);
    sb_release(&part);
    return rc == 0 ? 0 : -1;
}

/* kgrender pull --bundle PATH: the pull goes into a fresh cache beside PATH
 * (so the bundle holds what this build needs, nothing else of the user's
 * cache), which then becomes PATH. */
static int pull_bundle(const char *dir, const build_options *opt, plugin_options *po, const char *path,
                       strbuf *out)
{
    if (po->cache_dir) return err_set("--bundle fills a cache of its own: leave out --cache-dir");
    size_t n = strlen(path);
    char *tmp = malloc(n + 32);
    snprintf(tmp, n + 32, "%s.kgrender-XXXXXX", ends_with(path, "/") ? "bundle" : path);
    if (!mkdtemp(tmp)) {
        int rc = err_set("--bundle %s: cannot make %s: %s", path, tmp, strerror(errno));
        free(tmp);
        return rc;
    }
    setenv("KGRENDER_CACHE", tmp, 1);
    int rc = plugins_pull(dir, opt, po, out);
    if (rc == 0 && (ends_with(path, ".tar.gz") || ends_with(path, ".tgz"))) rc = write_tgz(tmp, path);
    else if (rc == 0 && replace_dir(tmp, path) < 0) rc = err_set("writing %s: %s", path, strerror(errno));
    remove_tree(tmp); /* gone already when it became the directory */
    if (rc == 0) sb_addf(out, "bundle: %s\n", path);
    free(tmp);
    return rc;
}

int cmd_pull(int argc, char **argv)
{
    build_options opt = {0};
    plugin_options po = {0};
    const char *dir = NULL, *bundle = NULL;
    int rc = parse(argc, argv, &opt, &po, &dir, NULL, &bundle, NULL);
    strbuf out = STRBUF_INIT;
    if (rc == 0 && (bundle ? pull_bundle(dir ? dir : ".", &opt, &po, bundle, &out)
                           : plugins_pull(dir ? dir : ".", &opt, &po, &out)) < 0) {
        fprintf(stderr, "Error: %s\n", err_msg());
        rc = 1;
    }
    if (rc == 0 && out.len) fwrite(out.buf, 1, out.len, stdout);
    sb_release(&out);
    plugin_options_free(&po);
    return rc < 0 ? 0 : rc;
}
