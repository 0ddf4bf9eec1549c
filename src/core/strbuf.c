#include "strbuf.h"
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char empty_string[1];

void sb_grow(strbuf *sb, size_t extra)
{
    if (sb->len + extra + 1 <= sb->cap) return;
    size_t cap = sb->cap ? sb->cap * 2 : 64;
    while (cap < sb->len + extra + 1) cap *= 2;
    char *p = realloc(sb->cap ? sb->buf : NULL, cap);
    if (!p) {
        fputs("kgrender: out of memory\n", stderr);
        abort();
    }
    sb->buf = p;
    sb->cap = cap;
}

void sb_add(strbuf *sb, const void *data, size_t n)
{
    sb_grow(sb, n);
    if (n) memcpy(sb->buf + sb->len, data, n);
    sb->len += n;
    sb->buf[sb->len] = 0;
}

void sb_adds(strbuf *sb, const char *s)
{
    sb_add(sb, s, strlen(s));
}

void sb_addc(strbuf *sb, char c)
{
    sb_grow(sb, 1);
    sb->buf[sb->len++] = c;
    sb->buf[sb->len] = 0;
}

void sb_addf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0) return;
    sb_grow(sb, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb->len += (size_t)n;
}

void sb_reset(strbuf *sb)
{
    sb->len = 0;
    if (sb->cap) sb->buf[0] = 0;
    else sb->buf = empty_string;
}

void sb_release(strbuf *sb)
{
    if (sb->cap) free(sb->buf);
    sb->buf = NULL;
    sb->len = sb->cap = 0;
}

char *sb_detach(strbuf *sb, size_t *len)
{
    sb_grow(sb, 0);
    char *p = sb->buf;
    if (len) *len = sb->len;
    sb->buf = NULL;
    sb->len = sb->cap = 0;
    return p;
}

int sb_read_file(strbuf *sb, const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    for (;;) {
        sb_grow(sb, 65536);
        ssize_t n = read(fd, sb->buf + sb->len, sb->cap - sb->len - 1);
        if (n < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        if (n == 0) break;
        sb->len += (size_t)n;
    }
    sb->buf[sb->len] = 0;
    close(fd);
    return 0;
}

/* A device or pipe (-o /dev/null, -o /dev/stdout) is written in place:
 * renaming a temporary file over it would replace the device itself. */
static int write_in_place(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0) return -1;
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int e = errno;
            close(fd);
            errno = e;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return close(fd);
}

int write_file_atomic(const char *path, const void *data, size_t len)
{
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) return write_in_place(path, data, len);
    strbuf tmp = STRBUF_INIT;
    sb_addf(&tmp, "%s.tmpXXXXXX", path);
    int fd = mkstemp(tmp.buf);
    if (fd < 0) {
        sb_release(&tmp);
        return -1;
    }
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t n = write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            goto fail;
        }
        p += n;
        left -= (size_t)n;
    }
    if (fsync(fd) < 0 || close(fd) < 0) {
        fd = -1;
        goto fail;
    }
    if (rename(tmp.buf, path) < 0) goto fail;
    sb_release(&tmp);
    return 0;
fail: {
        int e = errno;
        if (fd >= 0) close(fd);
        unlink(tmp.buf);
        sb_release(&tmp);
        errno = e;
        return -1;
    }
}
