#include "arena.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (1u << 20)

struct chunk {
    struct chunk *next;
    size_t used, size;
    max_align_t data[];
};

struct arena {
    struct chunk *head;
    size_t total;
};

static struct chunk *chunk_new(size_t min)
{
    size_t size = min > CHUNK_SIZE ? min : CHUNK_SIZE;
    struct chunk *c = malloc(sizeof *c + size);
    if (!c) {
        fputs("kgrender: out of memory\n", stderr);
        abort();
    }
    c->next = NULL;
    c->used = 0;
    c->size = size;
    return c;
}

arena *arena_new(void)
{
    arena *a = calloc(1, sizeof *a);
    if (!a) abort();
    return a;
}

void arena_free(arena *a)
{
    if (!a) return;
    struct chunk *c = a->head;
    while (c) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
    free(a);
}

void *arena_alloc(arena *a, size_t n)
{
    n = (n + 7) & ~(size_t)7;
    struct chunk *c = a->head;
    if (!c || c->size - c->used < n) {
        c = chunk_new(n);
        /* A big one-off block goes behind the current chunk so the
         * current chunk's free space is not wasted. */
        if (a->head && n > CHUNK_SIZE / 4) {
            c->next = a->head->next;
            a->head->next = c;
        } else {
            c->next = a->head;
            a->head = c;
        }
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    a->total += n;
    return p;
}

void *arena_zalloc(arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

void *arena_grow(arena *a, void *old, size_t old_size, size_t new_size)
{
    void *p = arena_alloc(a, new_size);
    if (old && old_size) memcpy(p, old, old_size < new_size ? old_size : new_size);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (n) memcpy(p, s, n);
    p[n] = 0;
    return p;
}

char *arena_strdup(arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : arena_strndup(a, "", 0); /* an empty strbuf's buf is NULL */
}

char *arena_printf(arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *p = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

size_t arena_used(const arena *a)
{
    return a->total;
}

void arena_adopt(arena *parent, arena *child)
{
    struct chunk *c = child->head;
    while (c) {
        struct chunk *next = c->next;
        /* Behind the parent's current chunk, so its free space stays in use. */
        if (parent->head) {
            c->next = parent->head->next;
            parent->head->next = c;
        } else {
            c->next = NULL;
            parent->head = c;
        }
        c = next;
    }
    parent->total += child->total;
    free(child);
}
