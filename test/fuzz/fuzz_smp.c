/* The strategic-merge patch engine (src/render/smp.c) with the built-in
 * schema: input is two YAML documents, an object and a patch, as
 * patch_apply.c passes them (both mappings). Merging either fails with a
 * message or gives an object (or deletes it) that the emitter can write. */
#include "fuzz.h"
#include "build.h"
#include "smp.h"
#include "smp_schema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    node_list docs = {0};
    if (yaml_load(a, "fuzz", (const char *)data, size, &docs) == 0 && !fuzz_too_big(&docs) && docs.n >= 2 &&
        docs.v[0]->kind == N_MAP &&
        docs.v[1]->kind == N_MAP) {
        build b = {.a = a};
        kust k = {.b = &b};
        smp_schema *ss = smp_schema_get(&k);
        smp_schema_init(ss);
        node *res = NULL;
        if (smp_merge(a, ss, docs.v[0], docs.v[1], &res) == 0 && res) {
            strbuf out = STRBUF_INIT;
            (void)yaml_emit(&out, res);
            sb_release(&out);
        }
    }
    list_free(&docs);
    err_clear();
    arena_free(a);
    return 0;
}
