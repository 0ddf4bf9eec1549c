#include "gostrconv.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int go_parse_int(const char *s, int allow_sign, int *neg, uint64_t *mag)
{
    *neg = 0;
    if (allow_sign && (*s == '+' || *s == '-')) {
        *neg = *s == '-';
        s++;
    }
    int base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, s += 2;
    else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) base = 8, s += 2;
    else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) base = 2, s += 2;
    else if (s[0] == '0' && s[1]) base = 8, s += 1;
    if (!*s) return 0;
    uint64_t v = 0;
    for (; *s; s++) {
        int d;
        if (*s >= '0' && *s <= '9') d = *s - '0';
        else if (*s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
        else return 0;
        if (d >= base) return 0;
        if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base) return 0;
        v = v * (uint64_t)base + (uint64_t)d;
    }
    *mag = v;
    return 1;
}

int go_atoi(const char *s, long long *out)
{
    int neg = *s == '-';
    if (*s == '+' || *s == '-') s++;
    if (!*s) return 0;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return 0;
        if (v > (UINT64_MAX - 9) / 10) return 0;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    if (v > (uint64_t)INT64_MAX + (uint64_t)neg) return 0;
    *out = neg ? (long long)(0 - v) : (long long)v;
    return 1;
}

int go_parse_float(const char *s, double *out)
{
    char *end;
    if (!*s || *s == ' ' || (*s >= '\t' && *s <= '\r')) return 0;
    errno = 0;
    double d = strtod(s, &end);
    /* Underflow is no error for Go (1e-400 parses as 0), only overflow to
     * infinity is; strtod reports both as ERANGE (golden case fmt-numbers). */
    if (*end || isinf(d)) return 0;
    *out = d;
    return 1;
}

/* The shortest decimal digits of f (as a float64, or a float32 when bits is
 * 32) into mant (NUL-terminated, no point); returns the decimal exponent of
 * the first digit. */
static int shortest_digits(double f, int bits, char mant[24])
{
    char digits[40];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(digits, sizeof digits, "%.*e", prec - 1, f);
        double back = strtod(digits, NULL);
        if (bits == 32 ? (float)back == (float)f : back == f) break;
    }
    const char *p = digits + (digits[0] == '-');
    int nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p != '.') mant[nd++] = *p;
    while (nd > 1 && mant[nd - 1] == '0') nd--;
    mant[nd] = 0;
    return atoi(p + 1);
}

void go_format_float(double f, char fmt, int bits, char *out, size_t outsz)
{
    if (isnan(f) || isinf(f)) {
        snprintf(out, outsz, "%s", isnan(f) ? "NaN" : f > 0 ? "+Inf" : "-Inf");
        return;
    }
    if (bits == 32) f = (float)f;
    char mant[24];
    int exp = shortest_digits(f, bits, mant), nd = (int)strlen(mant);
    char *o = out;
    size_t left = outsz;
#define PUT(...) do { int w_ = snprintf(o, left, __VA_ARGS__); if (w_ > 0 && (size_t)w_ < left) o += w_, left -= (size_t)w_; } while (0)
    if (signbit(f)) PUT("-");
    if (fmt == 'g' && (exp < -4 || exp >= 6)) { /* shortest 'g' switches to %e at exponent 6 */
        PUT("%c", mant[0]);
        if (nd > 1) PUT(".%s", mant + 1);
        PUT("e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    } else if (exp < 0) {
        PUT("0.");
        for (int i = -1; i > exp; i--) PUT("0");
        PUT("%s", mant);
    } else {
        for (int i = 0; i <= exp; i++) PUT("%c", i < nd ? mant[i] : '0');
        if (nd > exp + 1) PUT(".%s", mant + exp + 1);
    }
#undef PUT
}
