/* kustomize's own image name split and match for the `images` field
 * (src/render/image.c; not the distribution grammar of src/images/imageref.c,
 * which fuzz_imageref checks): input is an `images` entry's name
 * (first line) and an image reference (the rest). Checks: the split parts
 * put back together give the reference (the name is its prefix, the tag and
 * digest follow with ':' and '@'), and the matcher's fast path decides
 * exactly as the regular expression it stands for. */
#include "fuzz.h"
#include "image.h"

static void check_split(arena *a, const char *img)
{
    const char *name, *tag, *digest;
    image_split(a, img, &name, &tag, &digest);
    const char *forms[] = {
        arena_printf(a, "%s", name),
        arena_printf(a, "%s:%s", name, tag),
        arena_printf(a, "%s@%s", name, digest),
        arena_printf(a, "%s:%s@%s", name, tag, digest),
    };
    int ok = 0;
    for (int i = 0; i < 4; i++) ok |= !strcmp(forms[i], img) && (i & 1 || !*tag) && (i & 2 || !*digest);
    FUZZ_CHECK(ok, "'%s' split into name '%s', tag '%s', digest '%s'", img, name, tag, digest);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    arena *a = arena_new();
    char *text = fuzz_text(a, data, size);
    /* names and images come from YAML: valid UTF-8 without NUL */
    if (strlen(text) != size || mbstowcs(NULL, text, 0) == (size_t)-1) goto out;
    char *nl = strchr(text, '\n');
    if (!nl) goto out;
    *nl = 0;
    const char *name = text, *img = nl + 1;
    check_split(a, img);
    image_matcher m;
    image_matcher_init(&m, a, name);
    int q = image_quick_match(name, img);
    if (q >= 0 && m.re_ok) {
        int re = regexec(&m.re, img, 0, NULL, 0) == 0;
        FUZZ_CHECK(q == re, "fast path says %d, the regex %d, for name '%s' and image '%s'", q, re, name, img);
    }
    image_matcher_free(&m);
out:
    arena_free(a);
    return 0;
}
