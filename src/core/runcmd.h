/* Running an external program (git, helm, tar) without a shell: fork/exec,
 * stdout and stderr captured, optional extra environment and a timeout. */
#ifndef KG_RUNCMD_H
#define KG_RUNCMD_H
#include "strbuf.h"
#include <signal.h>

typedef struct runcmd {
    const char *const *argv;  /* argv[0] is searched in PATH when it has no '/' */
    const char *const *env;   /* NAME=value entries added to (or replacing in) the environment; NULL-terminated */
    const char *cwd;          /* NULL: the current directory */
    int timeout_s;            /* 0: none; the child is killed when it runs longer */
    strbuf *out, *err;        /* captured output; NULL discards it */
    /* When set and *cancel becomes non-zero (a signal handler's flag), the
     * child is sent SIGTERM and the run fails with RUNCMD_CANCELLED. */
    volatile sig_atomic_t *cancel;
} runcmd;

/* Runs the command to completion. Returns its exit status (0-255), 128+N when
 * killed by signal N, or -1 with err_set when it could not be started
 * (RUNCMD_NOTFOUND in *why then) or timed out. */
int runcmd_run(const runcmd *c, int *why);
enum { RUNCMD_OK, RUNCMD_NOTFOUND, RUNCMD_FAILED, RUNCMD_TIMEOUT, RUNCMD_CANCELLED };

/* Appends the last non-empty line of s to dst (short error messages from a tool's stderr). */
void runcmd_last_line(const strbuf *s, strbuf *dst);

#endif
