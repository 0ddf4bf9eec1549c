#!/usr/bin/env bash
# The bundled example: every overlay renders exactly as `kubectl kustomize` does
# (the expected output is made by kustomize at test time, never written by hand).
# kustomize does not expand Plugin resources, so overlays that hold them are
# compared with `--keep-plugins` (their expansion is tested by test/plugins.sh).
. "$(dirname "$0")/lib.sh"
if ! command -v kubectl >/dev/null; then
    for o in "$TOP"/overlays/*/; do skip "example $(basename "$o")" "kubectl is not installed"; done
    exit 0
fi
want=$(mktemp) got=$(mktemp); trap 'rm -f "$want" "$got"' EXIT
for o in "$TOP"/overlays/*/; do
    name=example-$(basename "$o")
    if ! kubectl kustomize "$o" >"$want" 2>/dev/null; then fail "$name" "kubectl kustomize failed"; continue; fi
    flags=()
    if grep -q '^apiVersion: plugins.kubegems.io/v1beta1$' "$want"; then flags=(--keep-plugins); name="$name --keep-plugins"; fi
    if ! "$KGRENDER" build "${flags[@]}" "$o" >"$got" 2>&1; then fail "$name" "$(head -c 300 "$got")"; continue; fi
    if cmp -s "$want" "$got"; then pass "$name"; else fail "$name" "$(diff "$want" "$got" | head -5 | tr '\n' ' ')"; fi
done
