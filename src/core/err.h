/* Error reporting: deep code records a message and returns -1; only the
 * subcommand prints it. Callers up the stack may prefix context. */
#ifndef KG_ERR_H
#define KG_ERR_H

/* Records a message (replacing any earlier one) and returns -1. */
int err_set(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prefixes the current message with context ("ctx: msg") and returns -1. */
int err_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *err_msg(void);
void err_clear(void);
/* Frees this thread's message: for worker threads that may have failed, before they end. */
void err_release(void);
/* Warnings go straight to stderr: they never change the output. */
void warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
