#!/usr/bin/env bash
# Golden cases: test/golden/cases/NAME/ holds
#   in/        a kustomization tree (it may hold several, e.g. in/base, in/overlay)
#   path       optional: the directory to build, relative to NAME/ (default "in")
#   flags      optional: extra `build` flags (e.g. --load-restrictor LoadRestrictionsNone)
#   want.yaml  kubectl kustomize's output (written by test/golden/regenerate, never by hand)
#   want.err   instead of want.yaml: kustomize failed; kgrender must exit non-zero,
#              say something on stderr and print nothing on stdout
# Each case is built with $KGRENDER from NAME/ and compared byte for byte; a
# mismatch prints a short diff.   usage: test/golden/run.sh [NAME...]
. "$(dirname "$0")/../lib.sh"
CASES=$TOP/test/golden/cases
DIFF_LINES=${GOLDEN_DIFF_LINES:-20}
case $KGRENDER in /*) ;; */*) KGRENDER=$PWD/$KGRENDER ;; esac
[ -x "$KGRENDER" ] || { fail golden "no kgrender binary at $KGRENDER"; exit 0; }
out=$(mktemp); trap 'rm -f "$out" "$out.err"' EXIT

# case_path DIR / case_flags DIR: what to build and how (shared with regenerate).
case_path() { if [ -f "$1/path" ]; then head -n1 "$1/path" | tr -d '\r'; else echo in; fi; }
case_flags() { [ -f "$1/flags" ] && head -n1 "$1/flags" | tr -d '\r'; true; }

if [ $# -gt 0 ]; then names=("$@"); else
    names=(); for c in "$CASES"/*/; do [ -d "$c" ] && names+=("$(basename "$c")"); done
fi
[ ${#names[@]} -eq 0 ] && { skip golden "no cases in $CASES"; exit 0; }

for name in "${names[@]}"; do
    c=$CASES/$name
    t="golden $name"
    if [ ! -d "$c" ]; then fail "$t" "no such case"; continue; fi
    path=$(case_path "$c"); flags=$(case_flags "$c")
    if [ ! -d "$c/$path" ]; then fail "$t" "build path $path missing"; continue; fi
    # shellcheck disable=SC2086
    (cd "$c" && exec "$KGRENDER" build "$path" $flags) > "$out" 2> "$out.err"
    rc=$?
    if [ -f "$c/want.yaml" ]; then
        if [ $rc -ne 0 ]; then
            fail "$t" "exit $rc: $(head -c 300 "$out.err" | tr '\n' ' ')"
        elif ! cmp -s "$out" "$c/want.yaml"; then
            fail "$t" "output differs from want.yaml"
            diff -u "$c/want.yaml" "$out" | sed -n "3,$((DIFF_LINES + 2))p" | sed 's/^/    /'
        elif [ -s "$out.err" ] && grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$out.err"; then
            fail "$t" "sanitizer: $(grep -m1 -E 'Sanitizer|runtime error' "$out.err")"
        else
            pass "$t"
        fi
    elif [ -f "$c/want.err" ]; then
        if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$out.err"; then
            fail "$t" "sanitizer: $(grep -m1 -E 'Sanitizer|runtime error' "$out.err")"
        elif [ $rc -eq 0 ]; then fail "$t" "exit 0, but kustomize fails: $(head -c 200 "$c/want.err" | tr '\n' ' ')"
        elif [ $rc -ge 126 ]; then fail "$t" "crashed or could not run (exit $rc): $(tail -n 2 "$out.err" | tr '\n' ' ')"
        elif [ -s "$out" ]; then fail "$t" "failed (exit $rc) but wrote to stdout"
        elif [ ! -s "$out.err" ]; then fail "$t" "failed (exit $rc) with nothing on stderr"
        else pass "$t"; fi
    else
        fail "$t" "no want.yaml or want.err (run make golden)"
    fi
done
exit 0
