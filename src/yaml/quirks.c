#include "quirks.h"
#include "node.h"
#include "err.h"
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* One UTF-8 character: its code point, its byte width in *w (an invalid
 * lead byte counts as one character of one byte). */
static uint32_t utf8_char(const unsigned char *s, size_t left, size_t *w)
{
    unsigned c = s[0];
    size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
    if (n > left) n = 1;
    uint32_t v = n == 1 ? c : c & (0x7F >> n);
    for (size_t k = 1; k < n; k++) v = (v << 6) | (s[k] & 0x3F);
    *w = n;
    return n == 1 ? c : v;
}

/* The one-letter escapes both go-yaml and libyaml use; 0 for none. */
static char short_escape(uint32_t v)
{
    switch (v) {
    case 0x00: return '0';
    case 0x07: return 'a';
    case 0x08: return 'b';
    case 0x09: return 't';
    case 0x0A: return 'n';
    case 0x0B: return 'v';
    case 0x0C: return 'f';
    case 0x0D: return 'r';
    case 0x1B: return 'e';
    case 0x22: return '"';
    case 0x5C: return '\\';
    case 0x85: return 'N';
    case 0xA0: return '_';
    case 0x2028: return 'L';
    case 0x2029: return 'P';
    default: return 0;
    }
}

/* yaml_emitter_write_double_quoted_scalar's escape of one character. */
static void escape_char(uint32_t v, strbuf *out)
{
    char e = short_escape(v);
    if (e) {
        sb_addc(out, '\\');
        sb_addc(out, e);
    } else if (v <= 0xFF) {
        sb_addf(out, "\\x%02X", (unsigned)v);
    } else if (v <= 0xFFFF) {
        sb_addf(out, "\\u%04X", (unsigned)v);
    } else {
        sb_addf(out, "\\U%08X", (unsigned)v);
    }
}

void quirk_v2_escape_all(const char *s, size_t len, strbuf *out)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0, w; i < len; i += w) escape_char(utf8_char(p + i, len - i, &w), out);
}

/* Characters libyaml escapes exactly as go-yaml v2 does, line breaks among
 * them: the stand-in keeps these as they are. */
static int same_in_libyaml(uint32_t v)
{
    return v != 0xA0 && short_escape(v);
}

void quirk_bom_stand_in(const char *s, size_t len, strbuf *stand_in, strbuf *written)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t raw = 0, esc = 0; /* bytes and escaped bytes of the other characters */
    strbuf kept = STRBUF_INIT, kept_written = STRBUF_INIT;
    for (size_t i = 3, w; i < len; i += w) {
        uint32_t v = utf8_char(p + i, len - i, &w);
        if (same_in_libyaml(v)) {
            sb_add(&kept, p + i, w);
            escape_char(v, &kept_written);
            continue;
        }
        strbuf one = STRBUF_INIT;
        escape_char(v, &one);
        raw += w;
        esc += one.len;
        sb_release(&one);
    }
    /* Fill raw bytes that libyaml writes as esc bytes with \x01 (1 -> 4),
     * '\\' (1 -> 2) and 'a' (1 -> 1). Every escape is 4, 6 or 10 bytes for
     * 1 to 4 bytes of text (2 for U+00A0), so esc - 4*raw is even and
     * <= 0, which makes the counts below add up with c >= 0. */
    size_t d = esc - raw, a = d / 3, b = d % 3, c = raw - a - b;
    sb_add(stand_in, "\xEF\xBB\xBF", 3);
    sb_adds(written, "\\uFEFF");
    for (size_t i = 0; i < a; i++) sb_addc(stand_in, 1), sb_adds(written, "\\x01");
    for (size_t i = 0; i < b; i++) sb_addc(stand_in, '\\'), sb_adds(written, "\\\\");
    for (size_t i = 0; i < c; i++) sb_addc(stand_in, 'a'), sb_addc(written, 'a');
    sb_add(stand_in, kept.buf, kept.len);
    sb_add(written, kept_written.buf, kept_written.len);
    sb_release(&kept);
    sb_release(&kept_written);
}

int quirk_v2_forbidden_char(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < 0x7f) continue;
        if (s[i] == 0x7f) return 1;
        if (s[i] == 0xc2 && i + 1 < len && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f && s[i + 1] != 0x85) return 1;
        if (s[i] == 0xef && i + 2 < len && s[i + 1] == 0xbf && (s[i + 2] == 0xbe || s[i + 2] == 0xbf)) return 1;
    }
    return 0;
}

static int is_nel(const char *s, size_t len, size_t i)
{
    return (unsigned char)s[i] == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] == 0x85;
}

char *quirk_v2_fold_nel(const char *s, size_t len, size_t *outlen)
{
    if (!memchr(s, 0xc2, len) || !memmem(s, len, "\xc2\x85", 2)) return NULL; /* memchr first: most strings are ASCII */
    char *o = malloc(len + 1);
    if (!o) abort();
    size_t n = 0, i = 0;
    while (i < len) {
        if (s[i] != ' ' && !is_nel(s, len, i)) {
            o[n++] = s[i++];
            continue;
        }
        size_t j = i, breaks = 0; /* a run of spaces and NELs */
        while (j < len && (s[j] == ' ' || is_nel(s, len, j))) {
            breaks += s[j] != ' ';
            j += s[j] == ' ' ? 1 : 2;
        }
        if (!breaks) {
            memcpy(o + n, s + i, j - i);
            n += j - i;
        } else if (breaks == 1) {
            o[n++] = ' ';
        } else {
            memset(o + n, '\n', breaks - 1);
            n += breaks - 1;
        }
        i = j;
    }
    o[n] = 0;
    *outlen = n;
    return o;
}

/* go-yaml v3's is_printable (it writes unicode): 4-byte characters, C1
 * controls, the BOM and U+FFFE/U+FFFF are not. */
static int v3_printable(const unsigned char *b, size_t left)
{
    unsigned c = b[0], c1 = left > 1 ? b[1] : 0, c2 = left > 2 ? b[2] : 0;
    if (c == '\n' || (c >= 0x20 && c <= 0x7E)) return 1;
    if (c == 0xC2) return c1 >= 0xA0;
    if (c > 0xC2 && c < 0xED) return 1;
    if (c == 0xED) return c1 < 0xA0;
    if (c == 0xEE) return 1;
    return c == 0xEF && !(c1 == 0xBB && c2 == 0xBF) && !(c1 == 0xBF && (c2 == 0xBE || c2 == 0xBF));
}

/* go-yaml's is_break: CR, LF, NEL, LS, PS. */
static int v3_break(const unsigned char *b, size_t left)
{
    if (b[0] == '\r' || b[0] == '\n') return 1;
    if (left > 1 && b[0] == 0xC2 && b[1] == 0x85) return 1;
    return left > 2 && b[0] == 0xE2 && b[1] == 0x80 && (b[2] == 0xA8 || b[2] == 0xA9);
}

/* The indicators yaml_emitter_analyze_scalar looks for in block context. */
static int v3_block_indicator(const unsigned char *s, size_t len, size_t i, int after_blank)
{
    int before_blank = i + 1 >= len || s[i + 1] == ' ' || s[i + 1] == '\t';
    if (i == 0) {
        if (strchr("#,[]{}&*!|>'\"%@`", s[0]) && s[0]) return 1;
        return (s[0] == '?' || s[0] == ':' || s[0] == '-') && before_blank;
    }
    return (s[i] == ':' && before_blank) || (s[i] == '#' && after_blank);
}

enum { V3_PLAIN = 1, V3_SINGLE = 2, V3_BLOCK = 4 };

/* yaml_emitter_analyze_scalar (go-yaml v3) in block context: which of the
 * plain, single-quoted and block styles the text allows. */
static unsigned v3_analyze(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    if (!len) return V3_PLAIN | V3_SINGLE;
    int indicators = len >= 3 && (!memcmp(s, "---", 3) || !memcmp(s, "...", 3));
    int breaks = 0, bad_edge = 0, break_space = 0, space_break = 0, tab_or_special = 0, special = 0;
    int prev_space = 0, prev_break = 0, after_blank = 1;
    for (size_t i = 0, w; i < len; i += w) {
        utf8_char(s + i, len - i, &w);
        indicators |= v3_block_indicator(s, len, i, after_blank);
        if (s[i] == '\t') tab_or_special = 1;
        else if (!v3_printable(s + i, len - i)) tab_or_special = special = 1;
        int sp = s[i] == ' ', br = !sp && v3_break(s + i, len - i);
        if ((sp || br) && (i == 0 || i + w == len)) bad_edge = 1;
        break_space |= sp && prev_break;
        space_break |= br && prev_space;
        breaks |= br;
        prev_space = sp, prev_break = br;
        after_blank = sp || br || s[i] == '\t' || s[i] == 0;
    }
    unsigned ok = V3_PLAIN | V3_SINGLE | V3_BLOCK;
    if (bad_edge || breaks || indicators) ok &= ~(unsigned)V3_PLAIN;
    if (break_space || space_break || tab_or_special) ok &= ~(unsigned)(V3_PLAIN | V3_SINGLE);
    if (space_break || special || s[len - 1] == ' ') ok &= ~(unsigned)V3_BLOCK;
    return ok;
}

static int v3_block_allowed(const char *s, size_t len)
{
    return (v3_analyze(s, len) & V3_BLOCK) != 0;
}

int quirk_v3_marshal_style(const char *s, size_t len, int non_string)
{
    if (memchr(s, '\n', len)) return v3_block_allowed(s, len) ? V3_STYLE_LITERAL : V3_STYLE_QUOTED;
    if (non_string) return V3_STYLE_QUOTED;
    return v3_analyze(s, len) & V3_PLAIN ? V3_STYLE_PLAIN : V3_STYLE_QUOTED;
}

int quirk_v3_unreadable_block(const node *n)
{
    const char *s = n->u.str.s;
    size_t len = n->u.str.len;
    if (!len || s[0] != '\t') return 0;
    int block = (n->flags & (NF_LITERAL | NF_FOLDED)) || (!(n->flags & NF_QUOTED) && memchr(s, '\n', len));
    return block && v3_block_allowed(s, len);
}

/* yaml_emitter_write_block_scalar_hints: the header after '>'. */
static void folded_header(const char *s, size_t len, strbuf *doc)
{
    sb_adds(doc, "--- >");
    if (len && (s[0] == ' ' || s[0] == '\n')) sb_addc(doc, '2'); /* text indented by 2 below */
    size_t trailing = 0;
    while (trailing < len && s[len - 1 - trailing] == '\n') trailing++;
    if (!trailing) sb_addc(doc, '-');
    else if (trailing >= 2 || trailing == len) sb_addc(doc, '+');
    sb_addc(doc, '\n');
}

/* yaml_emitter_write_folded_scalar, '\n' the only line break (the caller
 * keeps the others out), writing the text indented by 2. yaml.v3's encoder
 * sets no line width, so long lines are never broken. */
static void v3_write_folded(const char *s, size_t len, strbuf *doc)
{
    size_t k = 0;
    while (k < len && s[k] == '\n') k++;
    /* the bug: "is the line after this break blank?" asked of the first line */
    int first_blank = k == len || s[k] == ' ' || s[k] == '\t' || s[k] == 0;
    int breaks = 1, leading_spaces = 1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\n') {
            if (!breaks && !leading_spaces && !first_blank) sb_addc(doc, '\n');
            sb_addc(doc, '\n');
            breaks = 1;
            continue;
        }
        if (breaks) {
            sb_adds(doc, "  ");
            leading_spaces = s[i] == ' ' || s[i] == '\t';
        }
        sb_addc(doc, s[i]);
        breaks = 0;
    }
}

/* Reads back the one scalar of doc with libyaml (whose folded scanner is
 * yaml.v3's). */
static char *read_scalar(const strbuf *doc, size_t *outlen)
{
    yaml_parser_t p;
    yaml_event_t ev;
    char *out = NULL;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)doc->buf, doc->len);
    for (int done = 0; !done && yaml_parser_parse(&p, &ev);) {
        if (ev.type == YAML_SCALAR_EVENT) {
            *outlen = ev.data.scalar.length;
            out = malloc(*outlen + 1);
            if (!out) abort();
            memcpy(out, ev.data.scalar.value, *outlen);
            out[*outlen] = 0;
        }
        done = ev.type == YAML_SCALAR_EVENT || ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return out;
}

char *quirk_v3_folded_reread(const char *s, size_t len, size_t *outlen)
{
    /* v3 writes it double-quoted instead (nothing changes), or it holds
     * breaks other than \n, which only a double-quoted string can */
    if (!memchr(s, '\n', len)) return NULL; /* one line: read back as is */
    if (!v3_block_allowed(s, len) || memchr(s, '\r', len) || memmem(s, len, "\xE2\x80\xA8", 3) ||
        memmem(s, len, "\xE2\x80\xA9", 3))
        return NULL;
    strbuf doc = STRBUF_INIT;
    folded_header(s, len, &doc);
    v3_write_folded(s, len, &doc);
    char *out = read_scalar(&doc, outlen);
    sb_release(&doc);
    if (out && *outlen == len && !memcmp(out, s, len)) {
        free(out);
        return NULL;
    }
    return out;
}

int quirk_kio_values(const char *file, const char *buf, size_t len)
{
    int n = len > 0;
    for (size_t i = 0; i + 4 < len; i++) {
        if (buf[i] != '\n' || memcmp(buf + i + 1, "---", 3)) continue;
        const char *eol = memchr(buf + i + 4, '\n', len - (i + 4));
        if (!eol) break; /* the pattern needs the line's own end */
        const char *p = buf + i + 4, *q = eol;
        while (p < q && isspace((unsigned char)*p)) p++;
        while (q > p && isspace((unsigned char)q[-1])) q--;
        if (p < q && *p != '#') {
            int line = 2;
            for (size_t j = 0; j < i; j++) line += buf[j] == '\n';
            return err_set("%s:%d:1: invalid document separator: %.*s (nothing but a comment may follow ---)", file,
                           line, (int)(q - (buf + i + 1)), buf + i + 1);
        }
        n++;
        i = (size_t)(eol - buf); /* the match ends with this newline: the next needs its own */
    }
    return n;
}
