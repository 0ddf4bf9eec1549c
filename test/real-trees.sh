#!/usr/bin/env bash
# Real public kustomize trees (test/real-trees/PROJECT/..., each project with an
# ORIGIN file): every directory holding a kustomization is built with
# `kubectl kustomize` and `kgrender build`; stdout must be byte-identical and
# both must succeed or both fail (kustomize failing on an upstream tree, e.g. a
# file the upstream repository generates at build time, counts: kgrender must
# fail too, with nothing on stdout).
#   - A directory whose kubectl output differs between two runs is SKIPped
#     (kustomize is not deterministic there).
#   - test/real-trees/known.txt lists directories expected to differ, one a line:
#     "DIR  # cause" (DIR relative to test/real-trees). They are SKIPped while they
#     differ and FAIL once they agree, so that the list stays true.
# The last line gives the agreement rate over all directories that were compared.
#   test/real-trees.sh [DIR...]   only the directories under these (relative to test/real-trees)
. "$(dirname "$0")/lib.sh"
ROOT=$TOP/test/real-trees
KNOWN=$ROOT/known.txt
if ! command -v kubectl >/dev/null; then
    skip real-trees "needs kubectl (kubectl kustomize makes the expected output)"
    exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# known_cause DIR: the cause known.txt gives for DIR (empty if not listed).
known_cause() {
    [ -f "$KNOWN" ] || return 0
    awk -v d="$1" '$1 == d { sub(/^[^#]*#[ \t]*/, ""); print; exit }' "$KNOWN"
}

# kustomization directories, sorted so that the report reads in tree order.
dirs() {
    local starts=("$@")
    [ ${#starts[@]} -eq 0 ] && starts=(.)
    (cd "$ROOT" && find "${starts[@]}" \( -name kustomization.yaml -o -name kustomization.yml -o -name Kustomization \) \
        -printf '%h\n' | sed 's|^\./||' | sort -u)
}

agree=0 total=0 nondet=0
while IFS= read -r d; do
    name="real-trees $d"
    # The three runs are independent: run them side by side (kubectl dominates the time).
    (cd "$ROOT/$d" && kubectl kustomize . >"$tmp/want1" 2>"$tmp/werr1"; echo $? >"$tmp/wrc1") &
    (cd "$ROOT/$d" && kubectl kustomize . >"$tmp/want2" 2>/dev/null; echo $? >"$tmp/wrc2") &
    (cd "$ROOT/$d" && "$KGRENDER" build . >"$tmp/got" 2>"$tmp/gerr"; echo $? >"$tmp/grc") &
    wait
    if ! cmp -s "$tmp/want1" "$tmp/want2" || ! cmp -s "$tmp/wrc1" "$tmp/wrc2"; then
        skip "$name" "kubectl kustomize gives different output on two runs (non-deterministic)"
        nondet=$((nondet + 1))
        continue
    fi
    wrc=$(cat "$tmp/wrc1") grc=$(cat "$tmp/grc")
    why=
    if [ "$wrc" = 0 ] && [ "$grc" != 0 ]; then
        why="kgrender failed (exit $grc), kubectl succeeded: $(head -c 300 "$tmp/gerr" | tr '\n' ' ')"
    elif [ "$wrc" != 0 ] && [ "$grc" = 0 ]; then
        why="kgrender succeeded, kubectl failed: $(head -c 300 "$tmp/werr1" | tr '\n' ' ')"
    elif ! cmp -s "$tmp/want1" "$tmp/got"; then
        why="stdout differs from kubectl kustomize"
    fi
    total=$((total + 1))
    cause=$(known_cause "$d")
    if [ -z "$why" ]; then
        agree=$((agree + 1))
        if [ -n "$cause" ]; then
            fail "$name" "agrees now, but known.txt lists it ($cause): remove the entry"
        else
            pass "$name"
        fi
    elif [ -n "$cause" ]; then
        skip "$name" "known difference: $cause"
    else
        fail "$name" "$why"
        diff "$tmp/want1" "$tmp/got" | head -n 8 | sed 's/^/    /'
    fi
done < <(dirs "$@")
rate=$(awk -v a=$agree -v t=$total 'BEGIN { printf "%.1f", t ? 100 * a / t : 100 }')
echo "# real-trees: $agree/$total directories agree with kubectl kustomize ($rate%); $nondet skipped as non-deterministic"
