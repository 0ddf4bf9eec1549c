#include "image.h"
#include "goregex.h"
#include <string.h>

void image_split(arena *a, const char *img, const char **name, const char **tag, const char **digest)
{
    const char *slash = strchr(img, '/');
    const char *search = slash && slash != img ? slash : img;
    const char *at = strchr(search, '@'), *colon = strchr(search, ':');
    *tag = *digest = "";
    *name = img;
    if (!at && !colon) return;
    if (at && (!colon || at < colon)) {
        *name = arena_strndup(a, img, (size_t)(at - img));
        *digest = at + 1;
    } else if (at) {
        *name = arena_strndup(a, img, (size_t)(colon - img));
        *tag = arena_strndup(a, colon + 1, (size_t)(at - colon - 1));
        *digest = at + 1;
    } else {
        *name = arena_strndup(a, img, (size_t)(colon - img));
        *tag = colon + 1;
    }
}

/* The match regex decided without regexec when NAME holds no regex syntax
 * but '.' (which matches any character): glibc's regexec in a UTF-8 locale
 * dominated the build time. */
static int tag_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr("_.{}-", c));
}

static int has_non_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80) return 1;
    return 0;
}

int image_quick_match(const char *name, const char *img)
{
    /* Regex syntax anywhere in NAME (even after a character that already
     * fails to match: "my-app-?" matches "my-app:1"), or a '.' that may stand
     * for a multi-byte character (the regex runs in a UTF-8 locale): only the
     * regex can tell. */
    if (strpbrk(name, "\\^$*+?()[]{}|") || (strchr(name, '.') && has_non_ascii(img))) return -1;
    size_t i;
    for (i = 0; name[i]; i++)
        if (!img[i] || (name[i] != '.' && name[i] != img[i])) return 0;
    const char *p = img + i;
    if (*p == ':')
        for (p++; tag_char(*p); p++) {}
    if (!strncmp(p, "@sha256:", 8))
        for (p += 8; tag_char(*p); p++) {}
    return *p == 0;
}

void image_matcher_init(image_matcher *m, arena *a, const char *name)
{
    m->name = name;
    m->re_ok = 0;
    const char *pattern = arena_printf(a, "^%s(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$", name);
    /* What Go refuses never reaches regcomp, which may take gigabytes on it.
     * Otherwise Go's regexp is close enough to POSIX ERE for image names. */
    m->err = goregex_error(pattern);
    if (m->err) m->err = arena_strdup(a, m->err);
    else m->re_ok = regcomp(&m->re, pattern, REG_EXTENDED | REG_NOSUB) == 0;
}

int image_matcher_match(const image_matcher *m, const char *img)
{
    int q = image_quick_match(m->name, img);
    if (q >= 0) return q;
    if (m->err) return -1;
    return m->re_ok && regexec(&m->re, img, 0, NULL, 0) == 0;
}

void image_matcher_free(image_matcher *m)
{
    if (m->re_ok) regfree(&m->re);
    m->re_ok = 0;
}
