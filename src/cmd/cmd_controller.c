/* kgrender controller: reconciles Plugin resources in a cluster
 * (src/controller), with the render flags of build and the access flags of
 * kubectl. */
#include "cluster.h"
#include "cmdflags.h"
#include "commands.h"
#include "controller.h"
#include "err.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char controller_help[] =
    "Run the Plugin controller: watch Plugin resources (plugins.kubegems.io/v1beta1) and the ConfigMaps and\n"
    "Secrets they read, and install, upgrade and uninstall each plugin with kgrender's render and apply\n"
    "engines (its objects form the ApplySet configmaps/kgrender-plugin-NAME in the plugin's namespace).\n"
    "A plugin waits (phase Pending) until every plugin it depends on is Installed. Plugin sources are\n"
    "absolute paths or file:// URLs on the controller's filesystem, or remote.\n\n"
    "Usage:\n  kgrender controller [flags]\n\n"
    "Controller flags:\n"
    "      --apply-timeout duration      how long one plugin's apply waits for readiness (default 5m)\n"
    "      --field-manager string        field manager of applied fields (default \"kgrender-controller\")\n"
    "      --health-addr string          address of /healthz, /readyz and /metrics; 0 disables\n"
    "                                    (default \"127.0.0.1:8081\")\n"
    "      --leader-elect                elect a leader with a Lease; only the leader reconciles\n"
    "      --lease-duration duration     (default 15s)\n"
    "      --lease-name string           (default \"kgrender-controller\")\n"
    "      --lease-namespace string      (default \"kubegems-installer\")\n"
    "      --log-format string           text or json (default \"text\")\n"
    "      --renew-deadline duration     (default 10s)\n"
    "      --resync-period duration      re-reconcile every plugin this often, to find drift (default 5m)\n"
    "      --retry-period duration       (default 2s)\n"
    "      --workers int                 plugins reconciled in parallel (default 4)\n\n"
    "Render flags:\n";

static int duration_flag(int argc, char **argv, int *i, const char *name, long *ms)
{
    const char *v = cmd_flag_value(argc, argv, i, name);
    if (!v) return 0;
    if (cluster_parse_duration(v, ms) < 0) return err_set("invalid %s \"%s\": a duration like 30s or 5m", name, v);
    return 1;
}

/* 1 consumed, 0 not a controller flag, -1 bad value (err_set). */
static int controller_flag(int argc, char **argv, int *i, ctl_config *cfg, int *json)
{
    const char *v;
    int r;
    if ((v = cmd_flag_value(argc, argv, i, "--workers"))) {
        cfg->workers = atoi(v);
        if (cfg->workers < 1 || cfg->workers > 64) return err_set("--workers must be between 1 and 64");
    } else if ((v = cmd_flag_value(argc, argv, i, "--lease-namespace"))) cfg->lease_ns = v;
    else if ((v = cmd_flag_value(argc, argv, i, "--lease-name"))) cfg->lease_name = v;
    else if ((v = cmd_flag_value(argc, argv, i, "--health-addr"))) cfg->health_addr = v;
    else if ((v = cmd_flag_value(argc, argv, i, "--field-manager"))) cfg->field_manager = v;
    else if ((v = cmd_flag_value(argc, argv, i, "--log-format"))) {
        if (strcmp(v, "text") && strcmp(v, "json")) return err_set("--log-format must be text or json");
        *json = !strcmp(v, "json");
    } else if (!strcmp(argv[*i], "--leader-elect")) cfg->leader_elect = 1;
    else if ((r = duration_flag(argc, argv, i, "--lease-duration", &cfg->lease_duration_ms))) return r;
    else if ((r = duration_flag(argc, argv, i, "--renew-deadline", &cfg->renew_deadline_ms))) return r;
    else if ((r = duration_flag(argc, argv, i, "--retry-period", &cfg->retry_period_ms))) return r;
    else if ((r = duration_flag(argc, argv, i, "--resync-period", &cfg->resync_ms))) return r;
    else if ((r = duration_flag(argc, argv, i, "--apply-timeout", &cfg->apply_timeout_ms))) return r;
    else return 0;
    return 1;
}

int cmd_controller(int argc, char **argv)
{
    ctl_config cfg = {.field_manager = "kgrender-controller", .apply_timeout_ms = 300000, .workers = 4,
                      .lease_ns = CTL_INSTALLER_NS, .lease_name = "kgrender-controller", .lease_duration_ms = 15000,
                      .renew_deadline_ms = 10000, .retry_period_ms = 2000, .resync_ms = 300000,
                      .health_addr = "127.0.0.1:8081"};
    render_flags rf = {0};
    int json = 0, r;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(controller_help, stdout);
            render_flags_help(stdout);
            fputs("\nCluster flags:\n", stdout);
            fputs(cluster_flags_help, stdout);
            render_flags_free(&rf);
            return 0;
        }
        err_clear();
        if ((r = controller_flag(argc, argv, &i, &cfg, &json)) == 0) {
            if ((r = render_flag(argc, argv, &i, &rf)) < 0) goto bad_printed;
            if (r == 0) r = cluster_flag_parse(&cfg.cf, argc, argv, &i);
        }
        if (r > 0) continue;
        if (r == 0) err_set("unknown flag or argument: %s", argv[i]);
        fprintf(stderr, "error: %s\nRun 'kgrender controller --help' for usage.\n", err_msg());
    bad_printed:
        render_flags_free(&rf);
        return 1;
    }
    if (cfg.renew_deadline_ms >= cfg.lease_duration_ms || cfg.retry_period_ms >= cfg.renew_deadline_ms) {
        fputs("error: want --retry-period < --renew-deadline < --lease-duration\n", stderr);
        render_flags_free(&rf);
        return 1;
    }
    ctl_log_init(json);
    render_flags_ready(&rf);
    cfg.build = rf.opt;
    cfg.plugins = &rf.plugins;
    int rc = controller_run(&cfg);
    render_flags_free(&rf);
    return rc;
}
