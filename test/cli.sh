#!/usr/bin/env bash
# The command line as a kubectl user expects it: help, version, unknown
# commands and flags, the default directory, -o, and errors that leave
# stdout empty and exit 1.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

expect() { # NAME WANT_RC GREP_STDOUT GREP_STDERR CMD...
    local name=$1 want=$2 out_re=$3 err_re=$4; shift 4
    "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
    if [ "$rc" != "$want" ]; then fail "$name" "exit $rc, want $want: $(head -c 200 "$tmp/err")"; return; fi
    if [ -n "$out_re" ] && ! grep -qE "$out_re" "$tmp/out"; then fail "$name" "stdout lacks /$out_re/"; return; fi
    if [ -z "$out_re" ] && [ -s "$tmp/out" ]; then fail "$name" "stdout not empty"; return; fi
    if [ -n "$err_re" ] && ! grep -qE "$err_re" "$tmp/err"; then fail "$name" "stderr lacks /$err_re/: $(head -c 200 "$tmp/err")"; return; fi
    pass "$name"
}

expect cli-help 0 '^Usage:' '' "$KGRENDER" --help
expect cli-no-args-help 0 '^Available Commands:' '' "$KGRENDER"
expect cli-build-help 0 'kgrender build DIR' '' "$KGRENDER" build --help
expect cli-build-help-registry 0 'registry HOST' '' "$KGRENDER" build --help
expect cli-images-help 0 'kgrender images DIR' '' "$KGRENDER" images --help
expect cli-mirror-help 0 'kgrender mirror --from BUNDLE' '' "$KGRENDER" mirror --help
expect cli-mirror-no-to 1 '' 'to is required' "$KGRENDER" mirror "$TOP/overlays/production"
expect cli-mirror-bad-jobs 1 '' 'jobs x: a number' "$KGRENDER" mirror --to m.local --jobs x
expect cli-images-unknown-flag 1 '' 'unknown flag: --frob' "$KGRENDER" images --frob
expect cli-version 0 '^kgrender v[0-9]' '' "$KGRENDER" version
expect cli-version-short 0 '^v[0-9]+\.[0-9]+\.[0-9]+$' '' "$KGRENDER" version --short
expect cli-unknown-command 1 '' 'unknown command "frobnicate"' "$KGRENDER" frobnicate
expect cli-unknown-flag 1 '' 'unknown flag: --frob' "$KGRENDER" build --frob
expect cli-bad-restrictor 1 '' 'illegal flag value' "$KGRENDER" build --load-restrictor Sometimes "$TOP/overlays/production"

mkdir -p "$tmp/app"
printf 'resources:\n- cm.yaml\n' >"$tmp/app/kustomization.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n' >"$tmp/app/cm.yaml"
expect cli-default-dir 0 '^kind: ConfigMap' '' sh -c "cd '$tmp/app' && '$KGRENDER' build"
expect cli-output-file 0 '' '' "$KGRENDER" build "$tmp/app" -o "$tmp/out.yaml"
if grep -q '^kind: ConfigMap' "$tmp/out.yaml" 2>/dev/null && [ -z "$(ls "$tmp" | grep 'out.yaml.tmp')" ]; then
    pass cli-output-file-content
else
    fail cli-output-file-content "missing or partial $tmp/out.yaml"
fi
# -o to a device writes into it: /dev/null stays a device (a rename over it would replace it)
mkfifo "$tmp/fifo"
cat "$tmp/fifo" >"$tmp/from-fifo" &
expect cli-output-device 0 '' '' "$KGRENDER" build "$tmp/app" -o "$tmp/fifo"
wait
if [ -p "$tmp/fifo" ] && grep -q '^kind: ConfigMap' "$tmp/from-fifo"; then pass cli-output-device-kept; else fail cli-output-device-kept "the fifo was replaced or got nothing"; fi
printf 'resources:\n- missing.yaml\n' >"$tmp/app/kustomization.yaml"
expect cli-missing-file 1 '' 'kustomization.yaml:2:3: .*missing.yaml' "$KGRENDER" build "$tmp/app"
printf 'resources:\n- cm.yaml\nnamePrefx: x-\n' >"$tmp/app/kustomization.yaml"
expect cli-unknown-field 1 '' 'kustomization.yaml:3:1: invalid Kustomization: json: unknown field "namePrefx"' "$KGRENDER" build "$tmp/app"
printf 'resources:\n- cm.yaml\n- cm2.yaml\n' >"$tmp/app/kustomization.yaml"
cp "$tmp/app/cm.yaml" "$tmp/app/cm2.yaml"
expect cli-duplicate-id 1 '' 'already registered id: ConfigMap/c' "$KGRENDER" build "$tmp/app"
# A failing build leaves an existing -o file untouched.
echo keep >"$tmp/keep.yaml"
"$KGRENDER" build "$tmp/app" -o "$tmp/keep.yaml" 2>/dev/null
if [ "$(cat "$tmp/keep.yaml")" = keep ]; then pass cli-output-untouched-on-error; else fail cli-output-untouched-on-error "file changed"; fi
