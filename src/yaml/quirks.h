/* go-yaml behaviour that kustomize's output depends on and that libyaml
 * (which kgrender drives) does not share: bugs of go-yaml v2's emitter (the
 * printer of kustomize's output) and of yaml.v3's emitter (which re-emits
 * every object in kustomize's JSON round trip before yaml.v3 reads it back). */
#ifndef KG_QUIRKS_H
#define KG_QUIRKS_H
#include <stddef.h>
#include "strbuf.h"

/* go-yaml v2's double-quoted writer asks "is there a BOM?" at the start of
 * the value instead of at each character, so a string that starts with
 * U+FEFF has every character escaped ("\uFEFF\x62\x6F\x6D" for BOM+"bom").
 * Appends that escaped text (without quotes) to out. */
void quirk_v2_escape_all(const char *s, size_t len, strbuf *out);

/* For a string that starts with U+FEFF: a stand-in string for libyaml with
 * the same byte length and line breaks (so libyaml makes the same simple-key
 * and layout choices) whose double-quoted form libyaml writes with as many
 * bytes as go-yaml v2's escaped form. Appends the stand-in to stand_in and
 * libyaml's double-quoted writing of it (without quotes) to written. */
void quirk_bom_stand_in(const char *s, size_t len, strbuf *stand_in, strbuf *written);

#endif
