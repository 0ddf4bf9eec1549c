#include "runcmd.h"
#include "err.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* environ with the extra entries replacing same-named ones. */
static char **build_env(const char *const *extra)
{
    size_t n = 0, m = 0;
    while (environ[n]) n++;
    while (extra && extra[m]) m++;
    char **env = calloc(n + m + 1, sizeof *env);
    if (!env) return NULL;
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        int replaced = 0;
        for (size_t j = 0; j < m && !replaced; j++) {
            const char *eq = strchr(extra[j], '=');
            size_t klen = eq ? (size_t)(eq - extra[j]) : strlen(extra[j]);
            replaced = !strncmp(environ[i], extra[j], klen) && environ[i][klen] == '=';
        }
        if (!replaced) env[w++] = environ[i];
    }
    for (size_t j = 0; j < m; j++) env[w++] = (char *)extra[j];
    return env;
}

/* In the child: wire up fds and exec; reports errno through the cloexec pipe. */
static void child(const runcmd *c, char **env, int out, int err, int report)
{
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    dup2(devnull, 0);
    dup2(out >= 0 ? out : devnull, 1);
    dup2(err >= 0 ? err : devnull, 2);
    if (c->cwd && chdir(c->cwd) < 0) goto fail;
    execvpe(c->argv[0], (char *const *)c->argv, env);
fail: {
        int e = errno;
        ssize_t unused = write(report, &e, sizeof e);
        (void)unused;
        _exit(127);
    }
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads both pipes until they close or the deadline passes; returns 0, -1
 * on timeout, -2 when *cancel was set. */
static int pump(int fds[2], strbuf *sinks[2], long long deadline, volatile sig_atomic_t *cancel)
{
    char buf[65536];
    while (fds[0] >= 0 || fds[1] >= 0) {
        struct pollfd p[2] = {{fds[0], POLLIN, 0}, {fds[1], POLLIN, 0}};
        int wait = cancel ? 200 : -1;
        if (cancel && *cancel) return -2;
        if (deadline) {
            long long left = deadline - now_ms();
            if (left <= 0) return -1;
            wait = (int)(left > 1000 ? 1000 : left);
            if (cancel && wait > 200) wait = 200;
        }
        int r = poll(p, 2, wait);
        if (r < 0 && errno != EINTR) return 0;
        for (int i = 0; r > 0 && i < 2; i++) {
            if (fds[i] < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = read(fds[i], buf, sizeof buf);
            if (n > 0 && sinks[i]) sb_add(sinks[i], buf, (size_t)n);
            if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) {
                close(fds[i]);
                fds[i] = -1;
            }
        }
    }
    return 0;
}

int runcmd_run(const runcmd *c, int *why)
{
    int po[2], pe[2], pr[2];
    if (why) *why = RUNCMD_FAILED;
    if (pipe2(po, O_CLOEXEC) < 0) return err_set("%s: pipe: %s", c->argv[0], strerror(errno));
    if (pipe2(pe, O_CLOEXEC) < 0 || pipe2(pr, O_CLOEXEC) < 0) {
        close(po[0]), close(po[1]);
        return err_set("%s: pipe: %s", c->argv[0], strerror(errno));
    }
    char **env = build_env(c->env);
    pid_t pid = env ? fork() : -1;
    if (pid == 0) child(c, env, po[1], pe[1], pr[1]);
    free(env);
    close(po[1]), close(pe[1]), close(pr[1]);
    if (pid < 0) {
        close(po[0]), close(pe[0]), close(pr[0]);
        return err_set("%s: fork: %s", c->argv[0], strerror(errno));
    }
    int fds[2] = {po[0], pe[0]};
    strbuf *sinks[2] = {c->out, c->err};
    int pumped = pump(fds, sinks, c->timeout_s ? now_ms() + c->timeout_s * 1000LL : 0, c->cancel);
    int timed_out = pumped == -1, cancelled = pumped == -2;
    if (timed_out) kill(pid, SIGKILL);
    if (cancelled) kill(pid, SIGTERM); /* lets the tool clean up its temporary files */
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0) close(fds[i]);
    int st = 0, exec_errno = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
    ssize_t n = read(pr[0], &exec_errno, sizeof exec_errno);
    close(pr[0]);
    if (n == (ssize_t)sizeof exec_errno) {
        if (why) *why = exec_errno == ENOENT ? RUNCMD_NOTFOUND : RUNCMD_FAILED;
        return err_set("cannot run '%s': %s", c->argv[0], strerror(exec_errno));
    }
    if (cancelled) {
        if (why) *why = RUNCMD_CANCELLED;
        return err_set("'%s' interrupted", c->argv[0]);
    }
    if (timed_out) {
        if (why) *why = RUNCMD_TIMEOUT;
        return err_set("'%s' timed out after %d s", c->argv[0], c->timeout_s);
    }
    if (why) *why = RUNCMD_OK;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void runcmd_last_line(const strbuf *s, strbuf *dst)
{
    size_t end = s->len;
    while (end && (s->buf[end - 1] == '\n' || s->buf[end - 1] == '\r' || s->buf[end - 1] == ' ')) end--;
    size_t start = end;
    while (start && s->buf[start - 1] != '\n') start--;
    sb_add(dst, s->buf + start, end - start);
}
