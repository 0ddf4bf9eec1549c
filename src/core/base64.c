#include "base64.h"
#include <limits.h>
#include <openssl/evp.h>
#include <string.h>

static int b64_value(char c)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

static size_t skip_breaks(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == '\r' || s[i] == '\n')) i++;
    return i;
}

int base64_decode_go(const char *s, size_t n, strbuf *out)
{
    unsigned v[4] = {0};
    int got = 0; /* characters of the current group */
    for (size_t i = skip_breaks(s, n, 0);; i = skip_breaks(s, n, i)) {
        if (i == n) return got ? -1 : 0;
        if (s[i] == '=') { /* "xx==" or "xxx=", then the end */
            if (got < 2) return -1;
            i = skip_breaks(s, n, i + 1);
            if (got == 2 && (i == n || s[i] != '=')) return -1;
            if (got == 2) i = skip_breaks(s, n, i + 1);
            if (i < n) return -1;
            break;
        }
        int d = b64_value(s[i++]);
        if (d < 0) return -1;
        v[got++] = (unsigned)d;
        if (got < 4) continue;
        unsigned acc = v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3];
        sb_addc(out, (char)(acc >> 16)), sb_addc(out, (char)(acc >> 8 & 0xFF)), sb_addc(out, (char)(acc & 0xFF));
        got = 0;
    }
    unsigned acc = v[0] << 18 | v[1] << 12 | (got == 3 ? v[2] << 6 : 0);
    sb_addc(out, (char)(acc >> 16));
    if (got == 3) sb_addc(out, (char)(acc >> 8 & 0xFF));
    return 0;
}

int base64_decode(const char *s, size_t n, strbuf *out)
{
    if (n > INT_MAX) return -1;
    EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
    if (!ctx) return -1;
    EVP_DecodeInit(ctx);
    sb_grow(out, n / 4 * 3 + 4);
    unsigned char *dst = (unsigned char *)out->buf + out->len;
    int got = 0, last = 0;
    int rc = EVP_DecodeUpdate(ctx, dst, &got, (const unsigned char *)s, (int)n);
    if (rc >= 0) rc = EVP_DecodeFinal(ctx, dst + got, &last);
    EVP_ENCODE_CTX_free(ctx);
    if (rc < 0) {
        out->buf[out->len] = 0;
        return -1;
    }
    out->len += (size_t)got + (size_t)last;
    out->buf[out->len] = 0;
    return 0;
}
