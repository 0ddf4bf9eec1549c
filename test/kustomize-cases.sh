#!/usr/bin/env bash
# kustomize's own 285 golden cases (../shared/kustomize-tests): each must build
# byte-identical to want.yaml, or fail where want.err exists.
# Cases listed in test/kustomize-cases.pending are features not built yet:
# they are reported as SKIP with the reason, and a pending case that starts
# passing is reported as FAIL so the list is kept honest.
. "$(dirname "$0")/lib.sh"
CASES=$SHARED/kustomize-tests/cases
PENDING=$TOP/test/kustomize-cases.pending
if [ ! -d "$CASES" ]; then
    skip kustomize-cases "no $CASES (shared/ is not beside this checkout)"
    exit 0
fi
out=$(mktemp); trap 'rm -f "$out" "$out.err"' EXIT
for c in "$CASES"/*/; do
    name=$(basename "$c")
    path=$(sed -n 's/^path=//p' "$c/case"); flags=$(sed -n 's/^flags=//p' "$c/case")
    reason=$(awk -v n="$name" '$1 == n { $1 = ""; sub(/^ /, ""); print; exit }' "$PENDING" 2>/dev/null)
    ok=0
    if [ -f "$c/want.yaml" ]; then
        (cd "$c/fs" && "$KGRENDER" build "$path" $flags) > "$out" 2> "$out.err" && cmp -s "$out" "$c/want.yaml" && ok=1
    else
        if ! (cd "$c/fs" && "$KGRENDER" build "$path" $flags) > "$out" 2> "$out.err"; then
            [ -s "$out.err" ] && [ ! -s "$out" ] && ok=1
        fi
    fi
    if [ -n "$reason" ]; then
        if [ $ok = 1 ]; then fail "kustomize-case $name" "passes now: remove it from test/kustomize-cases.pending"
        else skip "kustomize-case $name" "$reason"; fi
    elif [ $ok = 1 ]; then pass "kustomize-case $name"
    else fail "kustomize-case $name" "$(head -c 300 "$out.err" | tr '\n' ' ')"; fi
done
