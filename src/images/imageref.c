/* Image references by the grammar of github.com/distribution/reference
 * (reference.go, regexp.go, normalize.go) and the digest rules of
 * opencontainers/go-digest:
 *
 *   reference   := name [ ":" tag ] [ "@" digest ]
 *   name        := [domain '/'] remote-name
 *   domain      := host [':' port-number]
 *   host        := domain-name | '[' IPv6address ']'
 *   remote-name := path-component ['/' path-component]*
 *   path-component := [a-z0-9]+ (separator [a-z0-9]+)*   separator := [_.] | __ | [-]+
 *   tag         := [\w][\w.-]{0,127}
 *   digest      := algorithm ":" hex{32,}
 *
 * Written as a scanner, not regular expressions: no name, tag or digest
 * contains '@', tags hold no '/' or ':', so one '@' and the last ':' after
 * the last '/' split a reference the only way the grammar allows. */
#include "images.h"
#include "err.h"
#include <ctype.h>
#include <string.h>

#define NAME_MAX_LEN 255
#define TAG_MAX_LEN 128

static int lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
static int alnum(char c) { return lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
static int word(char c) { return alnum(c) || c == '_'; }
static int hexdigit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
static int lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

/* [a-z0-9]+ ((?:[._]|__|[-]+) [a-z0-9]+)* */
static int path_component(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && lower_alnum(s[i])) i++;
        if (i == start) return 0;
        if (i == n) return 1;
        if (s[i] == '.') i++;
        else if (s[i] == '_') i += i + 1 < n && s[i + 1] == '_' ? 2 : 1;
        else if (s[i] == '-') while (i < n && s[i] == '-') i++;
        else return 0;
        if (i == n) return 0; /* a separator must be followed by alphanumerics */
    }
    return n > 0;
}

static int remote_name(const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '/') continue;
        if (!path_component(s + start, i - start)) return 0;
        start = i + 1;
    }
    return 1;
}

/* [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
static int domain_component(const char *s, size_t n)
{
    if (!n || !alnum(s[0]) || !alnum(s[n - 1])) return 0;
    for (size_t i = 1; i + 1 < n; i++)
        if (!alnum(s[i]) && s[i] != '-') return 0;
    return 1;
}

static int port(const char *s, size_t n)
{
    if (!n) return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    return 1;
}

/* host [':' port]: a dotted domain name or a bracketed IPv6 address. */
static int domain_and_port(const char *s, size_t n)
{
    size_t hostlen;
    if (n && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close || close == s + 1) return 0;
        for (const char *p = s + 1; p < close; p++)
            if (!hexdigit(*p) && *p != ':') return 0;
        hostlen = (size_t)(close - s) + 1;
    } else {
        const char *colon = memchr(s, ':', n);
        hostlen = colon ? (size_t)(colon - s) : n;
        size_t start = 0;
        for (size_t i = 0; i <= hostlen; i++) {
            if (i < hostlen && s[i] != '.') continue;
            if (!domain_component(s + start, i - start)) return 0;
            start = i + 1;
        }
    }
    if (hostlen == n) return 1;
    return s[hostlen] == ':' && port(s + hostlen + 1, n - hostlen - 1);
}

static int tag_ok(const char *s, size_t n)
{
    if (!n || n > TAG_MAX_LEN || !word(s[0])) return 0;
    for (size_t i = 1; i < n; i++)
        if (!word(s[i]) && s[i] != '.' && s[i] != '-') return 0;
    return 1;
}

/* [A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,} */
static int digest_syntax(const char *s, size_t n)
{
    size_t i = 0;
    for (;;) {
        if (i >= n || !isalpha((unsigned char)s[i])) return 0;
        while (i < n && alnum(s[i])) i++;
        if (i < n && strchr("-_+.", s[i])) {
            i++;
            continue;
        }
        break;
    }
    if (i >= n || s[i] != ':') return 0;
    size_t hex = 0;
    for (i++; i < n; i++, hex++)
        if (!hexdigit(s[i])) return 0;
    return hex >= 32;
}

/* Where name, tag and digest are when s matches the grammar. */
struct split {
    size_t name_len;
    const char *tag, *digest;
    size_t tag_len, digest_len;
    size_t domain_len; /* 0: no domain */
};

static int split_name(const char *s, size_t n, struct split *sp)
{
    const char *slash = memchr(s, '/', n);
    sp->domain_len = 0;
    if (slash && domain_and_port(s, (size_t)(slash - s)) && remote_name(slash + 1, n - (size_t)(slash - s) - 1)) {
        /* Go's regexp prefers taking the optional domain when both parses work. */
        sp->domain_len = (size_t)(slash - s);
        return 1;
    }
    return remote_name(s, n);
}

static int match_reference(const char *s, struct split *sp)
{
    size_t n = strlen(s);
    memset(sp, 0, sizeof *sp);
    const char *at = strchr(s, '@');
    size_t rest = n;
    if (at) {
        sp->digest = at + 1;
        sp->digest_len = n - (size_t)(at - s) - 1;
        if (!digest_syntax(sp->digest, sp->digest_len)) return 0;
        rest = (size_t)(at - s);
    }
    const char *last_slash = NULL;
    for (size_t i = 0; i < rest; i++)
        if (s[i] == '/') last_slash = s + i;
    const char *from = last_slash ? last_slash + 1 : s;
    const char *colon = memchr(from, ':', rest - (size_t)(from - s));
    sp->name_len = rest;
    if (colon) {
        sp->tag = colon + 1;
        sp->tag_len = rest - (size_t)(colon - s) - 1;
        if (!tag_ok(sp->tag, sp->tag_len)) return 0;
        sp->name_len = (size_t)(colon - s);
    }
    return split_name(s, sp->name_len, sp);
}

static int fail(const char *s, const char *reason)
{
    return err_set("invalid image reference \"%s\": %s", s, reason);
}

/* go-digest's Digest.Validate for the algorithms it registers by default. */
static int validate_digest(const char *s, const char *d, size_t n)
{
    static const struct { const char *alg; size_t hex; } algs[] = {{"sha256", 64}, {"sha384", 96}, {"sha512", 128}};
    const char *colon = memchr(d, ':', n);
    size_t alen = (size_t)(colon - d), elen = n - alen - 1;
    for (size_t i = 0; i < sizeof algs / sizeof *algs; i++) {
        if (strlen(algs[i].alg) != alen || strncmp(algs[i].alg, d, alen)) continue;
        if (elen != algs[i].hex) return fail(s, "invalid checksum digest length");
        for (size_t j = 0; j < elen; j++)
            if (!lower_hex(colon[1 + j])) return fail(s, "invalid checksum digest format");
        return 0;
    }
    /* ^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$ tells an unknown algorithm from a bad digest */
    int known_shape = 1;
    for (size_t i = 0; i < alen && known_shape; i++)
        known_shape = lower_alnum(d[i]) || (strchr(".+_-", d[i]) && i && i + 1 < alen && lower_alnum(d[i - 1]));
    for (size_t i = 0; i < elen && known_shape; i++)
        known_shape = alnum(colon[1 + i]) || strchr("=_-", colon[1 + i]);
    return fail(s, known_shape ? "unsupported digest algorithm" : "invalid checksum digest format");
}

int imageref_parse(arena *a, const char *s, imageref *out)
{
    struct split sp;
    if (!*s) return fail(s, "repository name must have at least one component");
    if (!match_reference(s, &sp)) {
        char *lower = arena_strdup(a, s);
        int changed = 0;
        for (char *p = lower; *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a'), changed = 1;
        struct split ls;
        if (changed && match_reference(lower, &ls)) return fail(s, "repository name must be lowercase");
        return fail(s, "invalid reference format");
    }
    if (sp.name_len > NAME_MAX_LEN) return fail(s, "repository name must not be more than 255 characters");
    if (sp.digest && validate_digest(s, sp.digest, sp.digest_len) < 0) return -1;
    out->domain = arena_strndup(a, s, sp.domain_len);
    size_t off = sp.domain_len ? sp.domain_len + 1 : 0;
    out->path = arena_strndup(a, s + off, sp.name_len - off);
    out->tag = sp.tag ? arena_strndup(a, sp.tag, sp.tag_len) : "";
    out->digest = sp.digest ? arena_strndup(a, sp.digest, sp.digest_len) : "";
    return 0;
}

static int has_upper(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z') return 1;
    return 0;
}

/* normalize.go's splitDockerDomain: which first component names a registry. */
static void split_docker_domain(arena *a, const char *s, const char **domain, const char **remainder)
{
    const char *slash = strchr(s, '/');
    if (!slash) {
        *domain = "docker.io";
        *remainder = arena_printf(a, "library/%s", s);
        return;
    }
    size_t n = (size_t)(slash - s);
    int is_domain = (n == 9 && !strncmp(s, "localhost", 9)) || memchr(s, '.', n) || memchr(s, ':', n) ||
                    has_upper(s, n);
    *domain = is_domain ? arena_strndup(a, s, n) : "docker.io";
    *remainder = is_domain ? slash + 1 : s;
    if (!strcmp(*domain, "index.docker.io")) *domain = "docker.io";
    if (!strcmp(*domain, "docker.io") && !strchr(*remainder, '/'))
        *remainder = arena_printf(a, "library/%s", *remainder);
}

int imageref_normalize(arena *a, const char *s, imageref *out)
{
    size_t hex = 0;
    while (lower_hex(s[hex])) hex++;
    if (hex == 64 && !s[hex]) return fail(s, "cannot specify 64-byte hexadecimal strings");
    if (!*s) return fail(s, "repository name must have at least one component");
    const char *domain, *remainder;
    split_docker_domain(a, s, &domain, &remainder);
    const char *colon = strchr(remainder, ':');
    if (has_upper(remainder, colon ? (size_t)(colon - remainder) : strlen(remainder)))
        return fail(s, "repository name must be lowercase");
    imageref r;
    if (imageref_parse(a, arena_printf(a, "%s/%s", domain, remainder), &r) < 0) {
        /* report the reference as the user wrote it */
        const char *msg = strstr(err_msg(), "\": ");
        return fail(s, msg ? arena_strdup(a, msg + 3) : "invalid reference format");
    }
    *out = r;
    return 0;
}

const char *imageref_name(arena *a, const imageref *r)
{
    return *r->domain ? arena_printf(a, "%s/%s", r->domain, r->path) : r->path;
}

static const char *with_suffix(arena *a, const char *name, const imageref *r)
{
    return arena_printf(a, "%s%s%s%s%s", name, *r->tag ? ":" : "", r->tag, *r->digest ? "@" : "", r->digest);
}

const char *imageref_string(arena *a, const imageref *r)
{
    return with_suffix(a, imageref_name(a, r), r);
}

const char *imageref_familiar(arena *a, const imageref *r)
{
    if (strcmp(r->domain, "docker.io")) return imageref_string(a, r);
    const char *path = r->path;
    if (!strncmp(path, "library/", 8) && !strchr(path + 8, '/')) path += 8;
    return with_suffix(a, path, r);
}
