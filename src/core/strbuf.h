/* Growable byte buffer, always NUL-terminated; the one string builder used
 * everywhere (output streams, messages, paths). Heap-owned by its user. */
#ifndef KG_STRBUF_H
#define KG_STRBUF_H
#include <stddef.h>

typedef struct strbuf {
    char *buf;
    size_t len, cap;
} strbuf;

#define STRBUF_INIT {0}

void sb_grow(strbuf *sb, size_t extra);
void sb_add(strbuf *sb, const void *data, size_t n);
void sb_adds(strbuf *sb, const char *s);
void sb_addc(strbuf *sb, char c);
void sb_addf(strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_reset(strbuf *sb);
void sb_release(strbuf *sb);
/* Detaches the buffer (caller frees it). */
char *sb_detach(strbuf *sb, size_t *len);
/* Reads a whole file; returns -1 with errno set on failure. */
int sb_read_file(strbuf *sb, const char *path);
/* Writes data to path atomically: temp file in the same directory, then rename. */
int write_file_atomic(const char *path, const void *data, size_t len);

#endif
