/* kgrender diff A B | kgrender diff --rev REV DIR | kgrender diff --live DIR:
 * the rendered effect of a configuration change, object by object. Exit
 * status as diff(1). --live asks the cluster through the apply engine
 * (src/cluster/preview.c). */
#include "apply.h"
#include "build.h"
#include "cmdflags.h"
#include "images.h"
#include "commands.h"
#include "diff.h"
#include "err.h"
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

static const char diff_help[] =
    "Show what a configuration change does, object by object.\n\n"
    "A and B are kustomization directories, rendered YAML files, or '-' (standard input).\n"
    "Objects are paired by group, kind, namespace and name; each changed object is shown\n"
    "as a unified diff of its rendered YAML, then added and removed objects, then a summary.\n"
    "Secret data and stringData values are never shown: each appears as a short keyed hash,\n"
    "equal for equal values.\n\n"
    "Examples:\n"
    "  kgrender diff overlays/staging overlays/production\n"
    "  kgrender diff --rev origin/main overlays/prod      # the working tree against a revision\n"
    "  kgrender diff old.yaml - -o markdown < new.yaml\n"
    "  kgrender diff --live overlays/prod                 # what kgrender apply --prune would change\n\n"
    "Usage:\n  kgrender diff A B [flags]\n  kgrender diff --rev REV DIR [flags]\n  kgrender diff --live DIR [flags]\n\n"
    "Flags:\n"
    "      --rev string          render DIR at this git revision (bases and plugin sources in the same\n"
    "                            repository are taken at that revision too) and diff it with the work tree\n"
    "      --live                compare each live object with what a server-side dry-run apply of DIR makes\n"
    "                            of it (fields the server manages left out), and list the ApplySet members\n"
    "                            kgrender apply --prune would delete as removed; cluster flags below\n"
    "      --applyset string     with --live: [RESOURCE/]NAME of the ApplySet parent, as for apply\n"
    "                            (default secrets/kgrender-<DIR name>)\n"
    "      --field-manager string  with --live: the field manager of the dry run (default \"kgrender\")\n"
    "      --kube-context string with --live: the kubeconfig context (--context is the diff's lines)\n"
    "  -o, --output string       text (default), markdown or json\n"
    "      --ignore path         drop this field path before comparing (repeatable; kustomize field path\n"
    "                            syntax: metadata.annotations.[example.com/x], spec.template.spec.containers.[name=app].image)\n"
    "      --kind string         only objects of this kind\n"
    "      --name string         only objects of this name\n"
    "  -U, --context int         lines of context (default 3)\n"
    "      --color string        auto (default: on a terminal), always or never\n\n"
    "Exit status: 0 no difference, 1 differences, 2 trouble. Build flags (applied to both sides):\n";

struct diff_args {
    const char *side[2], *rev, *output, *color;
    diff_options opt;
    render_flags rf; /* build, image rewrite and plugin flags: both sides */
    int live;
    const char *cluster_flag; /* the first cluster flag given (they need --live) */
    apply_opts ao;            /* --live: what apply would be given */
};

/* --live: side A is what is live, side B what a dry-run apply makes of it. */
static int load_live(arena *a, struct diff_args *da, diff_side side[2])
{
    node_list live = {0}, after = {0};
    da->ao.dir = da->side[0];
    da->ao.build = da->rf.opt;
    da->ao.prune = 1;
    da->ao.dry_run = DRY_SERVER;
    int rc = apply_preview(&da->ao, a, &live, &after);
    if (rc == 0) rc = diff_load_docs(a, live.v, live.n, &da->opt, &side[0]);
    if (rc == 0) rc = diff_load_docs(a, after.v, after.n, &da->opt, &side[1]);
    list_free(&live);
    list_free(&after);
    return rc;
}

/* Flags for --live: apply's --applyset and --field-manager, kubectl's access
 * flags (--kube-context for the context). 1 consumed, 0 not one, -1 bad. */
static int live_flag(int argc, char **argv, int *i, struct diff_args *da)
{
    const char *v, *flag = argv[*i];
    int r = 1;
    if ((v = cmd_flag_value(argc, argv, i, "--applyset"))) da->ao.applyset = v;
    else if ((v = cmd_flag_value(argc, argv, i, "--field-manager"))) da->ao.field_manager = v;
    else if ((v = cmd_flag_value(argc, argv, i, "--kube-context"))) da->ao.cf.context = v;
    else r = cluster_flag_parse(&da->ao.cf, argc, argv, i);
    if (r > 0 && !da->cluster_flag) da->cluster_flag = flag;
    return r;
}

/* Loads one side: '-' is standard input, a directory is built, a file is read. */
static int load_side(arena *a, const char *what, const char *label, const struct diff_args *da, diff_side *out)
{
    struct stat st;
    strbuf text = STRBUF_INIT;
    int rc;
    if (strcmp(what, "-") && stat(what, &st) < 0) return err_set("%s: %s", what, strerror(errno));
    if (strcmp(what, "-") && S_ISDIR(st.st_mode)) {
        resmap rm = {0};
        build b = {.a = a, .opt = da->rf.opt};
        rc = build_objects(&b, what, &rm);
        if (rc < 0) {
            err_prefix("building %s", label);
        } else {
            node **docs = arena_alloc(a, (rm.n ? rm.n : 1) * sizeof *docs);
            for (size_t i = 0; i < rm.n; i++) docs[i] = rm.v[i]->obj;
            rc = diff_load_docs(a, docs, rm.n, &da->opt, out);
        }
        resmap_free(&rm);
        return rc;
    }
    if (!strcmp(what, "-")) {
        char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) sb_add(&text, buf, n);
        rc = ferror(stdin) ? err_set("reading standard input: %s", strerror(errno)) : 0;
        label = "<stdin>";
    } else {
        rc = sb_read_file(&text, what) < 0 ? err_set("%s: %s", what, strerror(errno)) : 0;
    }
    if (rc == 0) rc = diff_load(a, label, text.buf ? text.buf : "", text.len, &da->opt, out);
    sb_release(&text);
    return rc;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path);
}

/* Writes the repository of dir at rev to a temporary directory; *at is dir
 * inside it. */
static int checkout_rev(arena *a, const char *dir, const char *rev, char *tmp, int *made, const char **at)
{
    char real[PATH_MAX];
    if (!realpath(dir, real)) return err_set("%s: %s", dir, strerror(errno));
    const char *top;
    if (!mkdtemp(tmp)) return err_set("creating a temporary directory: %s", strerror(errno));
    *made = 1;
    if (git_checkout_rev(a, real, rev, tmp, &top) < 0) return -1;
    char topreal[PATH_MAX];
    if (!realpath(top, topreal)) return err_set("%s: %s", top, strerror(errno));
    size_t tl = strlen(topreal);
    if (strncmp(real, topreal, tl) || (real[tl] && real[tl] != '/'))
        return err_set("%s: outside the repository %s", dir, topreal);
    *at = arena_printf(a, "%s%s", tmp, real + tl);
    return 0;
}

static int parse_args(int argc, char **argv, struct diff_args *da, arena *a)
{
    const char *v;
    int nside = 0, r;
    da->opt.context = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(diff_help, stdout);
            render_flags_help(stdout);
            fputs("\nCluster flags (with --live):\n", stdout);
            fputs(cluster_flags_help, stdout);
            return 1;
        } else if ((v = cmd_flag_value(argc, argv, &i, "--rev"))) {
            da->rev = v;
        } else if ((v = cmd_flag_value(argc, argv, &i, "--output")) || (v = cmd_flag_value(argc, argv, &i, "-o"))) {
            da->output = v;
        } else if ((v = cmd_flag_value(argc, argv, &i, "--ignore"))) {
            da->opt.ignore = arena_grow(a, da->opt.ignore, da->opt.nignore * sizeof(char *),
                                        (da->opt.nignore + 1) * sizeof(char *));
            da->opt.ignore[da->opt.nignore++] = v;
        } else if ((v = cmd_flag_value(argc, argv, &i, "--kind"))) {
            da->opt.kind = v;
        } else if ((v = cmd_flag_value(argc, argv, &i, "--name"))) {
            da->opt.name = v;
        } else if ((v = cmd_flag_value(argc, argv, &i, "--context")) || (v = cmd_flag_value(argc, argv, &i, "-U"))) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 0 || n > 100000) return err_set("invalid --context %s: want a number of lines", v);
            da->opt.context = (int)n;
        } else if ((v = cmd_flag_value(argc, argv, &i, "--color"))) {
            da->color = v;
        } else if (!strcmp(argv[i], "--live")) {
            da->live = 1;
        } else if ((r = render_flag(argc, argv, &i, &da->rf))) {
            if (r < 0) return err_set("invalid flag %s", argv[i]);
        } else if ((r = live_flag(argc, argv, &i, da))) {
            if (r < 0) return -1;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return err_set("unknown flag: %s (run 'kgrender diff --help' for usage)", argv[i]);
        } else if (nside < 2) {
            da->side[nside++] = argv[i];
        } else {
            return err_set("too many arguments: want A B, or --rev REV DIR");
        }
    }
    render_flags_ready(&da->rf);
    if (da->live && da->rev) return err_set("--live and --rev cannot be combined");
    if (da->cluster_flag && !da->live) return err_set("%s needs --live", da->cluster_flag);
    if (da->live ? nside != 1 : da->rev ? nside != 1 : nside != 2)
        return err_set(da->live  ? "--live wants one kustomization directory"
                       : da->rev ? "--rev REV wants one directory"
                                 : "want two things to compare: A B (directories, files or -)");
    if (da->side[0] && da->side[1] && !strcmp(da->side[0], "-") && !strcmp(da->side[1], "-"))
        return err_set("only one side can be standard input");
    if (da->output && strcmp(da->output, "text") && strcmp(da->output, "markdown") && strcmp(da->output, "json"))
        return err_set("invalid --output %s: want text, markdown or json", da->output);
    const char *c = da->color ? da->color : "auto";
    if (!strcmp(c, "always")) da->opt.color = 1;
    else if (!strcmp(c, "auto")) da->opt.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    else if (strcmp(c, "never")) return err_set("invalid --color %s: want auto, always or never", c);
    if (da->output && strcmp(da->output, "text")) da->opt.color = 0;
    if (getrandom(&da->opt.secret_seed, sizeof da->opt.secret_seed, 0) != sizeof da->opt.secret_seed)
        return err_set("getrandom: %s", strerror(errno));
    return 0;
}

static int run_diff(struct diff_args *da, arena *a, strbuf *report, int *differs)
{
    char tmp[] = "/tmp/kgrender-diff-XXXXXX";
    int have_tmp = 0, rc = -1;
    diff_side side[2];
    if (da->live) {
        if (load_live(a, da, side) < 0) goto out;
    } else if (da->rev) {
        const char *at = NULL;
        if (checkout_rev(a, da->side[0], da->rev, tmp, &have_tmp, &at) < 0) goto out;
        if (load_side(a, at, arena_printf(a, "%s@%s", da->side[0], da->rev), da, &side[0]) < 0) goto out;
        if (load_side(a, da->side[0], da->side[0], da, &side[1]) < 0) goto out;
    } else {
        for (int s = 0; s < 2; s++)
            if (load_side(a, da->side[s], da->side[s], da, &side[s]) < 0) goto out;
    }
    diff_result r;
    if (diff_compare(a, &side[0], &side[1], &da->opt, &r) < 0) goto out;
    *differs = r.changed || r.added || r.removed;
    if (!da->output || !strcmp(da->output, "text")) rc = diff_report_text(&r, &da->opt, report);
    else if (!strcmp(da->output, "markdown")) rc = diff_report_markdown(&r, &da->opt, report);
    else diff_report_json(&r, report), rc = 0;
out:
    if (have_tmp) nftw(tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}

int cmd_diff(int argc, char **argv)
{
    arena *a = arena_new();
    struct diff_args da = {.ao = {.field_manager = "kgrender"}};
    strbuf report = STRBUF_INIT;
    int differs = 0, rc = parse_args(argc, argv, &da, a);
    if (rc == 1) {
        render_flags_free(&da.rf);
        arena_free(a);
        return 0;
    }
    if (rc == 0) rc = run_diff(&da, a, &report, &differs);
    if (rc < 0) {
        fprintf(stderr, "Error: %s\n", err_msg());
        sb_release(&report);
        render_flags_free(&da.rf);
        arena_free(a);
        return 2;
    }
    int status = differs ? 1 : 0;
    if ((report.len && fwrite(report.buf, 1, report.len, stdout) != report.len) || fflush(stdout) != 0) {
        fprintf(stderr, "Error: writing output: %s\n", strerror(errno));
        status = 2;
    }
    sb_release(&report);
    render_flags_free(&da.rf);
    arena_free(a);
    return status;
}
