#!/usr/bin/env bash
# The benchmark workload at a size where output is emitted on several
# threads: base, overlay and overlay-cm must match `kubectl kustomize` byte for
# byte (expected output made by kustomize at test time), and an error in a
# late document of a large stream is reported like any other.
. "$(dirname "$0")/lib.sh"
GEN=$SHARED/bench/gen-workload.py
if [ ! -f "$GEN" ] || ! command -v kubectl >/dev/null; then
    skip workload "needs $GEN and kubectl"
    exit 0
fi
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
python3 "$GEN" 300 "$dir/w" >/dev/null
for t in base overlay overlay-cm; do
    kubectl kustomize "$dir/w/$t" >"$dir/want" 2>/dev/null || { fail "workload-$t" "kubectl kustomize failed"; continue; }
    if "$KGRENDER" build "$dir/w/$t" >"$dir/got" 2>"$dir/err" && cmp -s "$dir/want" "$dir/got"; then
        pass "workload-$t"
    else
        fail "workload-$t" "$(head -c 200 "$dir/err") $(diff "$dir/want" "$dir/got" | head -3 | tr '\n' ' ')"
    fi
done
# 600 objects, the last one holding a value JSON cannot encode (kustomize fails too).
mkdir -p "$dir/bad"
printf 'resources:\n- objects.yaml\n' >"$dir/bad/kustomization.yaml"
for i in $(seq 1 600); do printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d\n' "$i"; done >"$dir/bad/objects.yaml"
printf -- '---\napiVersion: example.com/v1\nkind: X\nmetadata:\n  name: bad\nspec:\n  v: .inf\n' >>"$dir/bad/objects.yaml"
if "$KGRENDER" build "$dir/bad" >"$dir/out" 2>"$dir/err"; then
    fail workload-late-error "exit 0"
elif [ -s "$dir/out" ]; then
    fail workload-late-error "partial output on stdout"
elif grep -q "objects.yaml:[0-9]*:[0-9]*: json: unsupported value: .inf" "$dir/err"; then
    pass workload-late-error
else
    fail workload-late-error "$(cat "$dir/err")"
fi
# Two large files parsed in parallel, the second broken near its end: the
# message names that file and line, as a sequential parse would.
mkdir -p "$dir/broken"
printf 'resources:\n- a.yaml\n- b.yaml\n' >"$dir/broken/kustomization.yaml"
for f in a b; do
    for i in $(seq 1 3000); do printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s%d\ndata:\n  k: "%0100d"\n' "$f" "$i" 0; done >"$dir/broken/$f.yaml"
done
printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [oops\n' >>"$dir/broken/b.yaml"
line=$(wc -l <"$dir/broken/b.yaml")
if "$KGRENDER" build "$dir/broken" >"$dir/out" 2>"$dir/err"; then
    fail workload-parallel-parse-error "exit 0"
elif grep -q "b.yaml:$((line + 1)):1: invalid YAML" "$dir/err" && [ ! -s "$dir/out" ]; then
    pass workload-parallel-parse-error
else
    fail workload-parallel-parse-error "$(cat "$dir/err")"
fi
