/* Bump allocator: every build owns one arena and frees it whole at the end,
 * so nothing in the pipeline tracks individual lifetimes. */
#ifndef KG_ARENA_H
#define KG_ARENA_H
#include <stddef.h>

typedef struct arena arena;

arena *arena_new(void);
void arena_free(arena *a);
void *arena_alloc(arena *a, size_t n);   /* 8-byte aligned, not zeroed */
void *arena_zalloc(arena *a, size_t n);  /* zeroed */
/* Grows an array that lives in the arena; the old block is abandoned. */
void *arena_grow(arena *a, void *old, size_t old_size, size_t new_size);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s); /* NULL copies as "" */
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
size_t arena_used(const arena *a);
/* Moves child's memory into parent (freed with it) and frees child itself:
 * lets a worker thread allocate in its own arena and hand the results over. */
void arena_adopt(arena *parent, arena *child);

#endif
