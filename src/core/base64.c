#include "base64.h"
#include <limits.h>
#include <openssl/evp.h>

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
