/* Running the helm binary (v3), shared by helmCharts (src/render/g_helm.c)
 * and Plugin expansion (src/plugins): which binary, a private environment
 * (HELM_CONFIG_HOME etc. in a temp directory, so the user's repositories and
 * caches are never touched unless asked), the v3 check, and one run with
 * helm's own message on failure. helm_exec is safe on several threads at once
 * (it allocates nothing from an arena; errors are per thread). */
#ifndef KG_HELM_H
#define KG_HELM_H
#include "arena.h"
#include "strbuf.h"

typedef struct helm_run {
    const char *cmd;      /* the helm binary */
    const char *env[4];   /* HELM_CONFIG_HOME, HELM_CACHE_HOME, HELM_DATA_HOME */
    char *tmp;            /* private temp directory (removed by helm_run_done) */
    const char *what;     /* message context, e.g. "file:3:1: HelmChartInflationGenerator" */
} helm_run;

/* cmd: the --helm-command value or NULL ($HELM, else "helm"); config_home:
 * NULL for a fresh one inside the temp directory. -1 with err_set on failure. */
int helm_run_init(arena *a, helm_run *h, const char *cmd, const char *config_home, const char *what);
/* Removes the temp directory. */
void helm_run_done(helm_run *h);
/* Runs `helm ARGS...` (args NULL-terminated, at most 62); stdout into out.
 * -1 with err_set: not found, could not run, or a non-zero exit with helm's stderr. */
int helm_exec(const helm_run *h, const char *const *args, strbuf *out);
/* Fails unless the binary is helm v3 (checked once per binary and process). */
int helm_check_v3(const helm_run *h);

#endif
