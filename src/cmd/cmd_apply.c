/* kgrender apply: render (every `build` flag) or read objects and apply them
 * to a cluster (every access flag kubectl has); the engine is src/cluster/apply.c. */
#include "apply.h"
#include "commands.h"
#include "err.h"
#include "cmdflags.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char apply_help[] =
    "Render a kustomization and apply it to a cluster by server-side apply, in parallel wherever no\n"
    "dependency orders it, skipping objects whose live content hash says they have not changed.\n\n"
    "Order: objects of a lower kgrender.io/apply-wave first; within a wave Namespaces and CRDs (each CRD\n"
    "waited for until Established), then cluster prerequisites (ClusterRoles, kinds ending in Class),\n"
    "then everything else. kgrender.io/depends-on: KIND/NAMESPACE/NAME,KIND/NAME,plugin:NAME,... makes an\n"
    "object wait for others (and, with --wait, for their readiness).\n"
    "Inventory: an ApplySet (KEP-3659, as kubectl --applyset): a Secret kgrender-<DIR name> in the\n"
    "namespace by default; --prune deletes its members that are no longer rendered.\n\n"
    "Examples:\n"
    "  kgrender apply overlays/production\n"
    "  kgrender apply overlays/production --wait --timeout 5m --prune\n"
    "  kgrender build overlays/production | kgrender apply -f - --applyset prod\n\n"
    "Usage:\n  kgrender apply [DIR | -f FILE] [flags]\n\n"
    "Apply flags:\n"
    "      --applyset string             [RESOURCE/]NAME of the ApplySet parent (secrets or configmaps;\n"
    "                                    default for DIR: secrets/kgrender-<DIR name>; none for -f)\n"
    "      --check-drift                 compare unchanged objects with a server-side dry run and re-apply\n"
    "                                    those changed by someone else\n"
    "      --dry-run string              none, server (the server checks, nothing is stored) or client\n"
    "                                    (only what would be sent is reported) (default \"none\")\n"
    "      --fail-fast                   stop at the first object that fails\n"
    "      --field-manager string        the field manager of the applied fields (default \"kgrender\")\n"
    "  -f, --filename string             apply a rendered YAML stream from this file (- for stdin);\n"
    "                                    may be repeated\n"
    "      --force                       apply every object, even those whose content hash is unchanged\n"
    "      --force-conflicts             take over fields managed by others (adoption of objects made by\n"
    "                                    kubectl or helm)\n"
    "  -h, --help                        help for apply\n"
    "  -o, --output string               json: one JSON event per line on stdout, for CI\n"
    "      --progress / --no-progress    show progress on stderr (default: when it is a terminal)\n"
    "      --prune                       delete ApplySet members that are no longer rendered, after\n"
    "                                    everything else succeeded\n"
    "      --prune-crds                  let --prune delete CustomResourceDefinitions too\n"
    "      --timeout duration            how long --wait waits (default 5m)\n"
    "      --wait                        wait until every object is ready (kstatus rules)\n\n"
    "Build flags (for DIR):\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("error: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nRun 'kgrender apply --help' for usage.\n", stderr);
    return 1;
}

/* Consumes an apply flag: 1 consumed, 0 not one, -1 bad (err_set). */
static int apply_flag(int argc, char **argv, int *i, apply_opts *o, const char ***files)
{
    const char *v, *a = argv[*i];
    if ((v = cmd_flag_value(argc, argv, i, "--filename")) || (v = cmd_flag_value(argc, argv, i, "-f"))) {
        *files = realloc(*files, (o->nfiles + 1) * sizeof **files);
        (*files)[o->nfiles++] = v;
    } else if ((v = cmd_flag_value(argc, argv, i, "--field-manager"))) {
        if (!*v) return err_set("--field-manager needs a name");
        o->field_manager = v;
    } else if ((v = cmd_flag_value(argc, argv, i, "--applyset"))) {
        o->applyset = v;
    } else if ((v = cmd_flag_value(argc, argv, i, "--dry-run"))) {
        if (!strcmp(v, "server")) o->dry_run = DRY_SERVER;
        else if (!strcmp(v, "client")) o->dry_run = DRY_CLIENT;
        else if (!strcmp(v, "none")) o->dry_run = DRY_NONE;
        else return err_set("invalid --dry-run \"%s\": must be none, server or client", v);
    } else if ((v = cmd_flag_value(argc, argv, i, "--timeout"))) {
        if (cluster_parse_duration(v, &o->timeout_ms) < 0)
            return err_set("invalid --timeout \"%s\": a duration like 30s or 5m", v);
    } else if ((v = cmd_flag_value(argc, argv, i, "--output")) || (v = cmd_flag_value(argc, argv, i, "-o"))) {
        if (strcmp(v, "json")) return err_set("unsupported --output \"%s\" (json)", v);
        o->json = 1;
    } else if (!strcmp(a, "--force-conflicts")) o->force_conflicts = 1;
    else if (!strcmp(a, "--fail-fast")) o->fail_fast = 1;
    else if (!strcmp(a, "--force")) o->force = 1;
    else if (!strcmp(a, "--check-drift")) o->check_drift = 1;
    else if (!strcmp(a, "--prune")) o->prune = 1;
    else if (!strcmp(a, "--prune-crds")) o->prune_crds = 1;
    else if (!strcmp(a, "--wait")) o->wait = 1;
    else if (!strcmp(a, "--progress")) o->progress = 1;
    else if (!strcmp(a, "--no-progress")) o->progress = 0;
    else if (!strcmp(a, "--dry-run")) return err_set("--dry-run needs a value: none, server or client");
    else return 0;
    return 1;
}

int cmd_apply(int argc, char **argv)
{
    apply_opts o = {.field_manager = "kgrender", .progress = -1, .timeout_ms = 300000};
    render_flags rf = {0}; /* build, image rewrite and plugin flags, for DIR */
    const char **files = NULL;
    int r, rc = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(apply_help, stdout);
            render_flags_help(stdout);
            fputs("\nCluster flags:\n", stdout);
            fputs(cluster_flags_help, stdout);
            free(files);
            render_flags_free(&rf);
            return 0;
        }
        err_clear();
        if ((r = apply_flag(argc, argv, &i, &o, &files)) == 0) {
            if ((r = render_flag(argc, argv, &i, &rf)) < 0) goto out; /* (it printed why) */
            if (r == 0) r = cluster_flag_parse(&o.cf, argc, argv, &i);
        }
        if (r < 0) {
            usage_error("%s", err_msg());
            goto out;
        }
        if (r > 0) continue;
        if (argv[i][0] == '-' && argv[i][1]) {
            usage_error("unknown flag: %s", argv[i]);
            goto out;
        }
        if (o.dir) {
            usage_error("specify one kustomization directory (got a second: %s)", argv[i]);
            goto out;
        }
        o.dir = argv[i];
    }
    if (o.dir && o.nfiles) {
        usage_error("give a directory or -f files, not both%s", "");
        goto out;
    }
    if (!o.dir && !o.nfiles) o.dir = ".";
    o.files = files;
    render_flags_ready(&rf);
    o.build = rf.opt;
    rc = apply_main(&o);
out:
    free(files);
    render_flags_free(&rf);
    return rc;
}
