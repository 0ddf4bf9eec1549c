/* The JSON patch engine (src/render/jsonpatch.c): input is an object (a YAML
 * mapping), a line "---", then the operations as JSON or YAML text, parsed
 * and applied as patchesJson6902 does. Either step may fail with a message;
 * a patched object must still emit. */
#include "fuzz.h"
#include "jsonpatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    char *text = fuzz_text(a, data, size), *ops_text;
    size_t ops_len;
    node *doc = NULL, *ops = NULL;
    if (fuzz_split(text, size, &ops_text, &ops_len) == 0 &&
        yaml_load_one(a, "object", text, strlen(text), &doc) == 0 && doc && doc->kind == N_MAP &&
        fuzz_nodes(doc) < FUZZ_MAX_NODES && jsonpatch_parse(a, "ops", ops_text, ops_len, &ops) == 0 && ops &&
        fuzz_nodes(ops) < FUZZ_MAX_NODES &&
        jsonpatch_apply(a, doc, ops, "fuzz") == 0) {
        strbuf out = STRBUF_INIT;
        (void)yaml_emit(&out, doc);
        sb_release(&out);
    }
    err_clear();
    arena_free(a);
    return 0;
}
