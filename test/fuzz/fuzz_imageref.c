/* Image references by the distribution grammar (src/images/imageref.c, used
 * by image lists and registry rewrites; kustomize's own looser split for the
 * `images` field is fuzz_kustomize_image's). Input: one reference. Checks,
 * against distribution's ReferenceRegexp written as a POSIX regex (a whole-
 * string match accepts the same strings under Go's and POSIX's rules):
 * imageref_parse accepts only what the regex matches, refuses a match only
 * for a name over 255 characters or a bad digest, and puts the parts back
 * together into the input; the domain is taken whenever the first component
 * can be one (Go's regexp prefers the optional group); a normalized
 * reference normalizes to itself, and so does its familiar form unless that
 * reads as a domain (docker.io/lib.rary/x is familiar lib.rary/x, in docker
 * too). */
#include "fuzz.h"
#include "images.h"
#include <regex.h>

#define ALNUM "[a-z0-9]+"
#define PATHC ALNUM "(([._]|__|[-]+)" ALNUM ")*"
#define DCOMP "([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
#define DPORT "(" DCOMP "(\\." DCOMP ")*|\\[[a-fA-F0-9:]+\\])(:[0-9]+)?"
#define NAME "(" DPORT "/)?" PATHC "(/" PATHC ")*"
#define TAG "[0-9A-Za-z_][0-9A-Za-z_.-]{0,127}"
#define DIGEST "[A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}"

static regex_t re_ref, re_dport, re_path;

static int full(const regex_t *re, const char *s) { return regexec(re, s, 0, NULL, 0) == 0; }

static void compile(regex_t *re, const char *pattern)
{
    FUZZ_CHECK(regcomp(re, pattern, REG_EXTENDED | REG_NOSUB) == 0, "pattern %s", pattern);
}

static void init_regexes(void)
{
    static int done;
    if (done) return;
    done = 1;
    compile(&re_ref, "^" NAME "(:" TAG ")?(@" DIGEST ")?$");
    compile(&re_dport, "^" DPORT "$");
    compile(&re_path, "^" PATHC "(/" PATHC ")*$");
}

static void check_parsed(arena *a, const char *s, const imageref *r)
{
    const char *back = imageref_string(a, r);
    FUZZ_CHECK(!strcmp(back, s), "'%s' parsed and put back together is '%s'", s, back);
    FUZZ_CHECK(full(&re_path, r->path), "'%s': path '%s'", s, r->path);
    FUZZ_CHECK(!*r->domain || full(&re_dport, r->domain), "'%s': domain '%s'", s, r->domain);
    const char *slash = strchr(r->path, '/');
    if (!*r->domain && slash) {
        const char *first = arena_strndup(a, r->path, (size_t)(slash - r->path));
        FUZZ_CHECK(!full(&re_dport, first), "'%s': '%s' could be the domain", s, first);
    }
}

static void check_normalized(arena *a, const char *s)
{
    imageref n, again;
    if (imageref_normalize(a, s, &n) < 0) return;
    const char *full_s = imageref_string(a, &n), *fam = imageref_familiar(a, &n);
    FUZZ_CHECK(imageref_normalize(a, full_s, &again) == 0, "'%s' normalized to '%s', refused: %s", s, full_s,
               err_msg());
    FUZZ_CHECK(!strcmp(imageref_string(a, &again), full_s), "'%s' normalized twice differs", s);
    const char *slash = strchr(fam, '/');
    size_t first = slash ? (size_t)(slash - fam) : 0;
    if (first && (memchr(fam, '.', first) || memchr(fam, ':', first) || !strncmp(fam, "localhost/", 10))) return;
    FUZZ_CHECK(imageref_normalize(a, fam, &again) == 0, "'%s': familiar '%s' refused: %s", s, fam, err_msg());
    FUZZ_CHECK(!strcmp(imageref_string(a, &again), full_s), "'%s': familiar '%s' normalizes to '%s', not '%s'", s,
               fam, imageref_string(a, &again), full_s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    init_regexes();
    arena *a = arena_new();
    char *s = fuzz_text(a, data, size);
    if (strlen(s) != size) goto out; /* references come from YAML strings: no NUL */
    int ascii = 1;
    for (size_t i = 0; i < size; i++) ascii &= data[i] >= 0x20 && data[i] < 0x7f;
    imageref r;
    int ok = imageref_parse(a, s, &r) == 0;
    if (!ok) FUZZ_CHECK(!strncmp(err_msg(), "invalid image reference", 23), "'%s': message %s", s, err_msg());
    if (!ascii) {
        FUZZ_CHECK(!ok, "'%s' has a byte outside the grammar's ASCII but was accepted", s);
        goto out;
    }
    int m = full(&re_ref, s);
    FUZZ_CHECK(!ok || m, "'%s' accepted, the grammar refuses it", s);
    FUZZ_CHECK(ok || !m || strstr(err_msg(), "255 characters") || strstr(err_msg(), "digest"),
               "'%s' refused (%s), the grammar accepts it", s, err_msg());
    if (ok) check_parsed(a, s, &r);
    check_normalized(a, s);
out:
    arena_free(a);
    return 0;
}
