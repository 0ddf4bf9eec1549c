/* Go's strconv, as kustomize's libraries use it: integer and float parsing
 * (ParseInt with base 0, Atoi, ParseFloat) and the shortest float formats
 * (FormatFloat with 'g' or 'f' and precision -1, for float64 or float32). */
#ifndef KG_GOSTRCONV_H
#define KG_GOSTRCONV_H
#include <stddef.h>
#include <stdint.h>

/* ParseInt/ParseUint with base 0 (0x, 0o, 0b, leading-0 octal; a sign when
 * allow_sign): magnitude in *mag, sign in *neg; 0 when s is not one. */
int go_parse_int(const char *s, int allow_sign, int *neg, uint64_t *mag);
/* strconv.Atoi: optional sign, decimal digits only, within int64. */
int go_atoi(const char *s, long long *out);
/* strconv.ParseFloat(s, 64) succeeding with a finite value. */
int go_parse_float(const char *s, double *out);
/* strconv.FormatFloat(f, fmt, -1, bits): fmt 'g' or 'f', bits 64 or 32
 * (shortest digits that read back as the same float64 or float32). */
void go_format_float(double f, char fmt, int bits, char *out, size_t outsz);

#endif
