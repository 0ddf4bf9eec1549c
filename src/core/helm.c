#include "helm.h"
#include "cache.h"
#include "err.h"
#include "runcmd.h"
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

int helm_run_init(arena *a, helm_run *h, const char *cmd, const char *config_home, const char *what)
{
    memset(h, 0, sizeof *h);
    const char *env = getenv("HELM");
    h->what = what;
    h->cmd = cmd ? cmd : env && *env ? env : "helm";
    const char *tmpdir = getenv("TMPDIR");
    h->tmp = arena_printf(a, "%s/kgrender-helm-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(h->tmp)) {
        int e = errno;
        h->tmp = NULL;
        return err_set("%s: %s: %s", what, tmpdir && *tmpdir ? tmpdir : "/tmp", strerror(e));
    }
    const char *cfg = config_home && *config_home ? config_home : arena_printf(a, "%s/helm", h->tmp);
    h->env[0] = arena_printf(a, "HELM_CONFIG_HOME=%s", cfg);
    h->env[1] = arena_printf(a, "HELM_CACHE_HOME=%s/.cache", cfg);
    h->env[2] = arena_printf(a, "HELM_DATA_HOME=%s/.data", cfg);
    h->env[3] = NULL;
    return 0;
}

void helm_run_done(helm_run *h)
{
    if (h->tmp) remove_tree(h->tmp);
    h->tmp = NULL;
}

int helm_exec(const helm_run *h, const char *const *args, strbuf *out)
{
    const char *argv[64] = {h->cmd};
    size_t n = 1;
    for (; args[n - 1] && n < 63; n++) argv[n] = args[n - 1];
    argv[n] = NULL;
    strbuf err = STRBUF_INIT, cmdline = STRBUF_INIT;
    runcmd c = {.argv = argv, .env = h->env, .out = out, .err = &err};
    int why, rc = runcmd_run(&c, &why);
    for (size_t i = 0; i < n; i++) sb_addf(&cmdline, "%s%s", i ? " " : "", argv[i]);
    if (rc < 0 && why == RUNCMD_NOTFOUND)
        rc = err_set("%s: helm command '%s' not found (install helm, or name it with --helm-command or $HELM)",
                     h->what, h->cmd);
    else if (rc < 0)
        rc = err_prefix("%s: unable to run '%s'", h->what, cmdline.buf);
    else if (rc > 0) {
        while (err.len && err.buf[err.len - 1] == '\n') err.buf[--err.len] = 0;
        rc = err_set("%s: '%s' failed (exit %d): %s", h->what, cmdline.buf, rc, err.len ? err.buf : "(no message)");
    }
    sb_release(&err);
    sb_release(&cmdline);
    return rc;
}

/* kustomize refuses helm other than v3. */
int helm_check_v3(const helm_run *h)
{
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    static char *checked;
    pthread_mutex_lock(&lock);
    int done = checked && !strcmp(checked, h->cmd);
    pthread_mutex_unlock(&lock);
    if (done) return 0;
    strbuf out = STRBUF_INIT;
    int rc = helm_exec(h, (const char *[]){"version", "-c", "--short", NULL}, &out);
    const char *v = out.buf ? out.buf : "";
    while (*v && !(*v >= '0' && *v <= '9')) v++;
    if (rc == 0 && !*v) rc = err_set("%s: cannot find version string in %s", h->what, out.buf ? out.buf : "");
    else if (rc == 0 && strncmp(v, "3.", 2))
        rc = err_set("%s: this plugin requires helm V3 but got v%.*s", h->what, (int)strcspn(v, " \n+"), v);
    if (rc == 0) {
        pthread_mutex_lock(&lock);
        free(checked);
        checked = strdup(h->cmd);
        pthread_mutex_unlock(&lock);
    }
    sb_release(&out);
    return rc;
}
