/* Shared by the libFuzzer targets (test/fuzz/fuzz_*.c, built by `make fuzz`
 * with clang -fsanitize=fuzzer,address,undefined). Each target feeds one
 * component of kgrender the fuzzer's bytes and checks what must hold for any
 * input: no crash, hang, leak or sanitizer report, and the target's own
 * properties (FUZZ_CHECK aborts with a message, which libFuzzer reports). */
#ifndef KG_FUZZ_H
#define KG_FUZZ_H
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arena.h"
#include "err.h"
#include "kyaml.h"
#include "strbuf.h"

#define FUZZ_CHECK(cond, ...)                                                                                         \
    do {                                                                                                              \
        if (!(cond)) {                                                                                                \
            fprintf(stderr, "fuzz check failed: %s: ", #cond);                                                       \
            fprintf(stderr, __VA_ARGS__);                                                                             \
            fputc('\n', stderr);                                                                                      \
            abort();                                                                                                  \
        }                                                                                                             \
    } while (0)

/* As kgrender's main does; every emitted document is also checked against
 * libyaml's emitter (yaml_emit aborts when the fast path differs). */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    setlocale(LC_CTYPE, "C.UTF-8");
    setenv("KGR_EMIT_VERIFY", "1", 1);
    return 0;
}

/* The input as a NUL-terminated copy in the arena. */
static inline char *fuzz_text(arena *a, const uint8_t *data, size_t size)
{
    char *s = arena_alloc(a, size + 1);
    memcpy(s, data, size);
    s[size] = 0;
    return s;
}

/* Documents past this many nodes (aliases copy nodes: a few hundred bytes
 * reach the loader's limit of two million) are skipped: a target would
 * spend its time, not find bugs, on them. */
#define FUZZ_MAX_NODES 100000

static inline size_t fuzz_nodes(const node *n)
{
    size_t c = 1;
    if (n && n->kind == N_MAP)
        for (uint32_t i = 0; i < n->u.map.n; i++) c += fuzz_nodes(n->u.map.items[i].val);
    else if (n && n->kind == N_SEQ)
        for (uint32_t i = 0; i < n->u.seq.n; i++) c += fuzz_nodes(n->u.seq.items[i]);
    return c;
}

static inline int fuzz_too_big(const node_list *docs)
{
    size_t c = 0;
    for (size_t i = 0; i < docs->n; i++) c += fuzz_nodes(docs->v[i]);
    return c > FUZZ_MAX_NODES;
}

/* Splits text at its first line "---": the first document and the rest. */
static inline int fuzz_split(char *text, size_t size, char **rest, size_t *rest_len)
{
    char *p = strstr(text, "\n---\n");
    if (!p) return -1;
    *p = 0;
    *rest = p + 5;
    *rest_len = size - (size_t)(*rest - text);
    return 0;
}

#endif
