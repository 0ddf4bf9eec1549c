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
    /* Bitfields keep the node at its size: flags (NF_*) outgrew a byte. Never
     * take their address; clear bits with ~ on an unsigned (not uint8_t). */
    uint16_t kind : 4, flags : 12;
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
/* Block styles (with NF_QUOTED): kyaml keeps a node's style, and kustomize's
 * JSON round trip re-emits the node with yaml.v3 in that style. */
#define NF_FOLDED 8      /* written `>`: re-read through yaml.v3's folded writer (scalar.h) */
#define NF_LITERAL 0x10  /* written `|` */
/* A flow collection ({...} or [...]): yaml.v3 re-emits it, and everything in
 * it, in flow style, where some plain scalars must be quoted (scalar.h). */
#define NF_FLOW 0x20
#define NF_KEY_DUP 0x40     /* a key that repeats an earlier one (patches keep both): kustomize fails writing it out */
#define NF_KEY_NOT_STR 0x80 /* a plain key yaml.v3 reads as a non-string: kustomize fails writing it out */
#define NF_UNTAGGED 0x100   /* scalar kyaml made without a tag (a replacement's created field): typed by its text */
#define NF_ALIASED 0x200    /* one node at several places of an object, as kustomize's label and annotation
                               transformers leave their values: writes go into the node (node_write) */
#define NF_BAD_TAG 0x400    /* explicit tag its text does not fit (!!int 12x): kustomize fails writing it out;
                               on a key (with NF_KEY_NOT_STR): a tag other than !!str, which yaml.v3 keeps */
#define NF_BINARY 0x800     /* string tagged !!binary: kyaml holds the base64 text, kustomize's output the
                               decoded bytes (scalar_binary_text) */

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
/* kyaml's in-place writes (FieldSetter on an existing field, SetYNode,
 * replacements, vars): an NF_ALIASED node at *slot takes val's content, so
 * every place sharing it sees the change; any other slot just points to val. */
void node_write(node **slot, node *val);
/* Clears NF_ALIASED below n: an object rebuilt from JSON (kustomize's JSON
 * patches) no longer shares nodes. */
void node_unalias(node *n);
/* Copies where (file, line, col) from src onto dst. */
void node_set_pos(node *dst, const node *src);
/* "file:line:col" (or "file") for messages, in the arena. */
const char *node_pos(arena *a, const node *n);

node *map_get(const node *m, const char *key);
node *map_getn(const node *m, const char *key, size_t klen);
int map_index(const node *m, const char *key);
/* Sets key to val, replacing an existing value in place or appending. */
void map_set(arena *a, node *m, const char *key, node *val);
/* Appends an entry with this key node (no check for an existing key). */
void map_append(arena *a, node *m, node *key, node *val);
/* The key node of key's entry, or NULL. */
node *map_key(const node *m, const char *key);
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
