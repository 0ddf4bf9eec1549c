#include "err.h"
#include "strbuf.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Per thread, so that parallel emitting cannot interleave messages. */
static _Thread_local strbuf message = STRBUF_INIT;

int err_set(const char *fmt, ...)
{
    va_list ap;
    char tmp[4096];
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    sb_reset(&message);
    sb_adds(&message, tmp);
    return -1;
}

int err_prefix(const char *fmt, ...)
{
    va_list ap;
    char tmp[4096];
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    strbuf s = STRBUF_INIT;
    sb_adds(&s, tmp);
    if (message.len) {
        sb_adds(&s, ": ");
        sb_add(&s, message.buf, message.len);
    }
    sb_release(&message);
    message = s;
    return -1;
}

const char *err_msg(void)
{
    return message.len ? message.buf : "unknown error";
}

void err_clear(void)
{
    sb_reset(&message);
}

void err_release(void)
{
    sb_release(&message);
}

void warnf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("Warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
