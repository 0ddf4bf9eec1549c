/* Structured logs: one line per event, text (`time level msg k=v ...`) or
 * JSON objects for log collectors. One write per line, so lines from
 * several threads never interleave. */
#include "controller.h"
#include "jsonout.h"
#include "strbuf.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int as_json;

void ctl_log_init(int json) { as_json = json; }

/* A JSON string: the one writer, Go's encoding/json form (render/jsonout.c). */
static void json_str(strbuf *sb, const char *s)
{
    json_string(sb, s, strlen(s));
}

/* text values with spaces or quotes are quoted */
static void text_val(strbuf *sb, const char *s)
{
    if (*s && !strpbrk(s, " \"=\t\n")) sb_adds(sb, s);
    else json_str(sb, s);
}

void ctl_log(const char *level, const char *msg, ...)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char ts[64];
    snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
    strbuf sb = STRBUF_INIT;
    if (as_json) {
        sb_adds(&sb, "{\"time\":\"");
        sb_adds(&sb, ts);
        sb_adds(&sb, "\",\"level\":");
        json_str(&sb, level);
        sb_adds(&sb, ",\"msg\":");
        json_str(&sb, msg);
    } else {
        sb_addf(&sb, "%s %s %s", ts, level, msg);
    }
    va_list ap;
    va_start(ap, msg);
    for (const char *k; (k = va_arg(ap, const char *));) {
        const char *v = va_arg(ap, const char *);
        if (!v) v = "";
        if (as_json) {
            sb_addc(&sb, ',');
            json_str(&sb, k);
            sb_addc(&sb, ':');
            json_str(&sb, v);
        } else {
            sb_addf(&sb, " %s=", k);
            text_val(&sb, v);
        }
    }
    va_end(ap);
    sb_adds(&sb, as_json ? "}\n" : "\n");
    ssize_t w = write(STDERR_FILENO, sb.buf, sb.len);
    (void)w;
    sb_release(&sb);
}
