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

/* kustomize's output, and every builtin's config, go through JSON text
 * that go-yaml v2 reads back. Its reader refuses raw DEL, C1 controls other
 * than NEL, U+FFFE and U+FFFF (JSON escapes only C0 controls): kustomize
 * fails with "control characters are not allowed". True when s holds one. */
int quirk_v2_forbidden_char(const char *s, size_t len);

/* JSON escapes every YAML line break but U+0085 (NEL), so a raw NEL reaches
 * v2's double-quoted scanner, which folds it like a line break: the blanks
 * around a run of breaks are dropped, one break becomes a space and n
 * breaks become n-1 newlines (golden case fmt-unicode). Returns a malloc'd
 * copy with that folding (length in *outlen), or NULL when s holds no NEL. */
char *quirk_v2_fold_nel(const char *s, size_t len, size_t *outlen);

/* yaml.v3 writes a string in a block style (| or >) when the node has that
 * style, or no style and a line break, unless the text rules blocks out;
 * the block header gets an indentation indicator only for a leading space
 * or line break, so a leading tab makes the text unreadable and yaml.v3
 * fails reading it back ("found a tab character where an indentation space
 * is expected"). True for such a string (n an N_STR in block context). */
struct node;
int quirk_v3_unreadable_block(const struct node *n);

/* The style yaml.v3's Marshal gives a Go string s in block context (kyaml's
 * FromMap, behind every JSON round trip, keeps it): quoted when it would
 * read back as something else (non_string: a number, bool, null, base-60
 * float or YAML 1.1 bool; "<<" stays plain) or yaml_emitter_analyze_scalar allows
 * no plain scalar (indicators, edge spaces, tabs, characters it does not
 * print such as 4-byte UTF-8), literal for multi-line text a block allows. */
enum { V3_STYLE_PLAIN, V3_STYLE_QUOTED, V3_STYLE_LITERAL };
int quirk_v3_marshal_style(const char *s, size_t len, int non_string);

/* kustomize re-emits a folded (>) string with yaml.v3 and reads it back.
 * v3's folded writer decides whether a line break needs an extra empty line
 * by looking at the value's first line instead of the line after the break
 * (`k := 0` where libyaml starts at the break), so the text read back can
 * differ: "x\n  y" gains an empty line, "  a\nb\nc" loses the break between
 * b and c. Returns the text yaml.v3 reads back (malloc'd, length in
 * *outlen), or NULL when it is s itself. */
char *quirk_v3_folded_reread(const char *s, size_t len, size_t *outlen);

/* kyaml's reader splits a stream at every "\n---...\n" line (a regex, not
 * the YAML grammar) and refuses a separator line with more than a comment
 * after "---"; a stream it sees as one piece may be a List it unwraps
 * itself. Returns the number of pieces, or -1 (error set) for a bad line. */
int quirk_kio_values(const char *file, const char *buf, size_t len);

#endif
