/* The document tree: every YAML document is loaded into these nodes, all
 * allocated in the build's arena. Scalars carry their resolved type (as
 * yaml.v3 resolves them when kustomize reads a file), because the output
 * depends on it. Every node remembers file:line:column for error messages. */
#ifndef KG_NODE_H
#define KG_NODE_H
#include <stddef.h>
#include <stdint.h>
#include "arena.h"

enum node_kind { N_NULL, N_BOOL, N_INT, N_FLOAT, N_STR, N_MAP, N_SEQ };

typedef struct node node;
typedef struct node_pair {
    node *key; /* always an N_STR scalar */
    node *val;
} node_pair;

struct node {
    uint8_t kind;
    uint8_t flags;
    uint16_t col;
    uint32_t line;
    const char *file;
    union {
        struct { const char *s; uint32_t len; } str;   /* every scalar kind; NUL-terminated */
        struct { node_pair *items; uint32_t n, cap; } map;
        struct { node **items; uint32_t n, cap; } seq;
    } u;
};

/* flags */
#define NF_QUOTED 1  /* scalar was quoted in the source (matters for patches' "null") */
#define NF_EMPTY_NULL 2  /* null written as nothing (`key:`): strategic merge drops it, unlike `null` or `~` */
#define NF_TIMESTAMP 4   /* plain timestamp: kept as written, printed in RFC 3339 like kustomize's JSON round trip */
#define NF_BAD_TAG 8     /* explicit tag its text does not fit (!!int 12x): kustomize fails writing it out */
#define NF_KEY_NOT_STR 0x80 /* a plain key yaml.v3 reads as a non-string: kustomize fails writing it out */

typedef struct node_list {
    node **v;
    size_t n, cap;
} node_list;

node *node_new(arena *a, int kind);
node *node_new_scalar(arena *a, int kind, const char *s, size_t len);
node *node_new_str(arena *a, const char *s);  /* copies s */
node *node_new_strn(arena *a, const char *s, size_t len);
node *node_new_int(arena *a, long long v);
node *node_clone(arena *a, const node *n);
int node_equal(const node *a, const node *b);
int node_is_scalar(const node *n);
/* Bools keep their written spelling (True, FALSE, ...); these read them. */
int node_is_true(const node *n);
int node_is_false(const node *n);
/* Scalar text, or NULL for maps and sequences. */
static inline const char *node_text(const node *n) { return n && n->kind < N_MAP ? n->u.str.s : NULL; }
/* String value, or NULL unless n is an N_STR. */
static inline const char *node_strval(const node *n) { return n && n->kind == N_STR ? n->u.str.s : NULL; }
/* Copies where (file, line, col) from src onto dst. */
void node_set_pos(node *dst, const node *src);
/* "file:line:col" (or "file") for messages, in the arena. */
const char *node_pos(arena *a, const node *n);

node *map_get(const node *m, const char *key);
node *map_getn(const node *m, const char *key, size_t klen);
int map_index(const node *m, const char *key);
/* Sets key to val, replacing an existing value in place or appending. */
void map_set(arena *a, node *m, const char *key, node *val);
/* Gets key's map value, creating an empty map there if absent (or null). */
node *map_ensure_map(arena *a, node *m, const char *key);
int map_del(node *m, const char *key);
void map_del_at(node *m, uint32_t i);
void seq_push(arena *a, node *s, node *v);
void seq_insert(arena *a, node *s, size_t at, node *v);
void seq_del(node *s, size_t at);

/* m["a"]["b"]... for a NULL-terminated list of keys; NULL when absent. */
node *node_get(const node *m, ...);
const char *node_get_str(const node *m, ...);

void list_push(node_list *l, node *n);  /* heap-grown list of node pointers */
void list_free(node_list *l);

#endif
