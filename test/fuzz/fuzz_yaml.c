/* The YAML loader and emitter: any bytes either fail to load with a message
 * or load; every loaded document either fails to emit (kustomize fails
 * there too: non-string keys, control characters) or emits text that loads
 * back as one document of the same shape, whose emission loads again. */
#include "fuzz.h"

/* Same structure: kinds of collections, their sizes and keys. Scalars may
 * change type (go-yaml v2 writes some YAML 1.2 numbers plain, which then
 * load as numbers: kustomize's own output does that too). */
static int same_shape(const node *x, const node *y)
{
    int cx = x->kind >= N_MAP ? x->kind : N_STR, cy = y->kind >= N_MAP ? y->kind : N_STR;
    if (cx != cy) return 0;
    if (x->kind == N_MAP) {
        if (x->u.map.n != y->u.map.n) return 0;
        for (uint32_t i = 0; i < x->u.map.n; i++)
            if (strcmp(x->u.map.items[i].key->u.str.s, y->u.map.items[i].key->u.str.s) ||
                !same_shape(x->u.map.items[i].val, y->u.map.items[i].val))
                return 0;
    } else if (x->kind == N_SEQ) {
        if (x->u.seq.n != y->u.seq.n) return 0;
        for (uint32_t i = 0; i < x->u.seq.n; i++)
            if (!same_shape(x->u.seq.items[i], y->u.seq.items[i])) return 0;
    }
    return 1;
}

static void check_doc(arena *a, node *doc)
{
    strbuf out = STRBUF_INIT;
    if (yaml_emit(&out, doc) == 0) {
        node_list back = {0};
        int rc = yaml_load(a, "emitted", out.buf, out.len, &back);
        FUZZ_CHECK(rc == 0, "emitted YAML does not load: %s\n%s", err_msg(), out.buf);
        FUZZ_CHECK(back.n == 1 || (back.n == 0 && doc->kind < N_MAP), "emitted one document, loaded %zu:\n%s",
                   back.n, out.buf);
        if (back.n == 1) {
            FUZZ_CHECK(same_shape(doc, back.v[0]), "emitted YAML loads with another shape:\n%s", out.buf);
            strbuf again = STRBUF_INIT;
            FUZZ_CHECK(yaml_emit(&again, back.v[0]) == 0, "re-emitting failed: %s\n%s", err_msg(), out.buf);
            sb_release(&again);
        }
        list_free(&back);
    }
    sb_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    node_list docs = {0};
    if (yaml_load(a, "fuzz", (const char *)data, size, &docs) == 0 && !fuzz_too_big(&docs))
        for (size_t i = 0; i < docs.n; i++) check_doc(a, docs.v[i]);
    list_free(&docs);
    err_clear();
    arena_free(a);
    return 0;
}
