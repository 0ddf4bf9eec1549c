#!/usr/bin/env bash
# kgrender diff: pairing by identity, renames, Secrets never shown, the output
# forms, filters, exit statuses, --rev against a git repository made here, and
# the 2,000-Deployment workload (gen-workload.py) changed in one image tag.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
K=$KGRENDER

# run NAME WANT_RC CMD...: stdout in $tmp/out, stderr in $tmp/err
run() {
    local name=$1 want=$2; shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
    if [ "$rc" != "$want" ]; then fail "$name" "exit $rc, want $want: $(head -c 300 "$tmp/err")"; return 1; fi
    return 0
}
has() { grep -qE -- "$2" "$tmp/out" && pass "$1" || fail "$1" "output lacks /$2/: $(head -c 400 "$tmp/out")"; }
lacks() { grep -qE -- "$2" "$tmp/out" "$tmp/err" && fail "$1" "output has /$2/" || pass "$1"; }

# --- a base and an overlay tree, written twice with changes ---
mk() { # DIR IMAGE_TAG SECRET_VALUE CM_NAME
    mkdir -p "$1"
    cat >"$1/kustomization.yaml" <<EOF
namespace: shop
resources:
- deploy.yaml
- cm.yaml
images:
- name: web
  newTag: "$2"
secretGenerator:
- name: creds
  literals:
  - password=$3
  options:
    disableNameSuffixHash: true
EOF
    cat >"$1/deploy.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: web
        image: web
      - name: sidecar
        image: proxy:1
EOF
    cat >"$1/cm.yaml" <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: $4
data:
  a: "1"
EOF
}
mk "$tmp/a" 1.0 s3cr3t-old-value settings
mk "$tmp/b" 1.1 s3cr3t-new-value settings-v2

run diff-same-is-0 0 "$K" diff "$tmp/a" "$tmp/a" && has diff-same-summary '^0 changed, 0 added, 0 removed, 3 unchanged$'
run diff-differs-is-1 1 "$K" diff "$tmp/a" "$tmp/b" --color never
has diff-changed-header '^~~~ Deployment.apps/shop/web \(changed\)$'
has diff-unified-minus '^-      - image: web:1.0$'
has diff-unified-plus '^\+      - image: web:1.1$'
# a renamed object is a removal plus an addition
has diff-rename-removed '^--- ConfigMap/shop/settings \(removed\)$'
has diff-rename-added '^\+\+\+ ConfigMap/shop/settings-v2 \(added\)$'
has diff-summary '^2 changed, 1 added, 1 removed, 0 unchanged$'
has diff-secret-key-listed 'password: <hidden [0-9a-f]{8}>'
lacks diff-secret-not-shown 's3cr3t|czNjcjN0'
# the two hashes differ: a reviewer sees that the value changed
if [ "$(grep -cE '^[-+]  password: <hidden' "$tmp/out")" = 2 ] &&
   [ "$(grep -E '^[-+]  password: <hidden' "$tmp/out" | sed 's/.*<hidden //' | sort -u | wc -l)" = 2 ]; then
    pass diff-secret-hash-changes
else
    fail diff-secret-hash-changes "$(grep hidden "$tmp/out")"
fi

run diff-json 1 "$K" diff "$tmp/a" "$tmp/b" -o json
lacks diff-json-secret-not-shown 's3cr3t|czNjcjN0'
if python3 - "$tmp/out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
by = {(o["kind"], o["name"]): o for o in d["objects"]}
assert by[("Deployment", "web")]["change"] == "changed"
assert by[("Deployment", "web")]["paths"] == ["spec.template.spec.containers.[name=web].image"], by[("Deployment", "web")]
assert by[("Secret", "creds")]["paths"] == ["data.password"], by[("Secret", "creds")]
assert by[("ConfigMap", "settings")]["change"] == "removed"
assert by[("ConfigMap", "settings-v2")]["change"] == "added"
assert d["summary"] == {"changed": 2, "added": 1, "removed": 1, "unchanged": 0}, d["summary"]
EOF
then pass diff-json-content; else fail diff-json-content "see $tmp/out"; fi

run diff-markdown 1 "$K" diff "$tmp/a" "$tmp/b" -o markdown
has diff-markdown-table '^\| 2 \| 1 \| 1 \| 0 \|$'
has diff-markdown-details '^<details><summary><code>Deployment.apps/shop/web</code> changed</summary>$'
lacks diff-markdown-secret-not-shown 's3cr3t|czNjcjN0'

run diff-kind-filter 1 "$K" diff "$tmp/a" "$tmp/b" --kind Deployment --color never
has diff-kind-filter-summary '^1 changed, 0 added, 0 removed, 0 unchanged$'
run diff-name-filter 1 "$K" diff "$tmp/a" "$tmp/b" --name creds --color never
has diff-name-filter-summary '^1 changed, 0 added, 0 removed, 0 unchanged$'
run diff-ignore 0 "$K" diff "$tmp/a" "$tmp/b" --kind Deployment --ignore 'spec.template.spec.containers.[name=web].image' --color never
has diff-ignore-summary '^0 changed, 0 added, 0 removed, 1 unchanged$'
run diff-context-0 1 "$K" diff "$tmp/a" "$tmp/b" --kind Deployment -U 0 --color never
if [ "$(grep -c '^ ' "$tmp/out")" = 0 ]; then pass diff-context-0-lines; else fail diff-context-0-lines "context lines printed"; fi
run diff-color-always 1 "$K" diff "$tmp/a" "$tmp/b" --color always
if grep -q $'\033\\[32m+' "$tmp/out"; then pass diff-color; else fail diff-color "no ANSI colour"; fi

# files and standard input; a dir and its own rendered stream are the same
"$K" build "$tmp/a" >"$tmp/a.yaml" 2>/dev/null
run diff-dir-vs-file 0 "$K" diff "$tmp/a" "$tmp/a.yaml"
run diff-stdin 1 sh -c "'$K' diff '$tmp/a.yaml' - --color never < '$tmp/b/deploy.yaml'"
has diff-stdin-summary '^0 changed, 1 added, 3 removed, 0 unchanged$'

# trouble is exit 2, with the file named
printf 'a: [\n' >"$tmp/bad.yaml"
run diff-bad-yaml-is-2 2 "$K" diff "$tmp/a" "$tmp/bad.yaml" && grep -q 'bad.yaml' "$tmp/err" && pass diff-bad-yaml-named || fail diff-bad-yaml-named "$(cat "$tmp/err")"
run diff-missing-is-2 2 "$K" diff "$tmp/a" "$tmp/nope"
run diff-one-arg-is-2 2 "$K" diff "$tmp/a"
run diff-bad-output-is-2 2 "$K" diff "$tmp/a" "$tmp/b" -o yaml

# --rev: a repository with two commits; the overlay's base lies outside DIR
r=$tmp/repo
mkdir -p "$r/overlays/prod"
mk "$r/base" 1.0 pw1 settings
printf 'resources:\n- ../../base\nnamePrefix: prod-\n' >"$r/overlays/prod/kustomization.yaml"
git -C "$r" init -q && git -C "$r" -c user.email=t@t -c user.name=t add -A &&
    git -C "$r" -c user.email=t@t -c user.name=t commit -qm one
sed -i 's/newTag: "1.0"/newTag: "2.0"/' "$r/base/kustomization.yaml"
git -C "$r" -c user.email=t@t -c user.name=t commit -qam two
run diff-rev-head-same 0 "$K" diff --rev HEAD "$r/overlays/prod"
run diff-rev-previous 1 "$K" diff --rev HEAD~1 "$r/overlays/prod" --color never
has diff-rev-base-change '^\+      - image: web:2.0$'
has diff-rev-summary '^1 changed, 0 added, 0 removed, 2 unchanged$'
# the work tree side sees uncommitted edits
sed -i 's/replicas: 2/replicas: 3/' "$r/base/deploy.yaml"
run diff-rev-worktree 1 sh -c "cd '$r/overlays/prod' && '$K' diff --rev HEAD . --color never"
has diff-rev-worktree-change '^\+  replicas: 3$'
run diff-rev-unknown-is-2 2 "$K" diff --rev no-such-rev "$r/overlays/prod"
grep -q 'no-such-rev' "$tmp/err" && pass diff-rev-unknown-named || fail diff-rev-unknown-named "$(cat "$tmp/err")"
run diff-rev-not-repo-is-2 2 "$K" diff --rev HEAD "$tmp/a"
if [ -z "$(ls /tmp | grep '^kgrender-diff-' || true)" ]; then pass diff-rev-cleans-up; else fail diff-rev-cleans-up "left /tmp/kgrender-diff-*"; fi

# the workload: 2,000 Deployments differ in one image tag, nothing else
if [ -f "$SHARED/bench/gen-workload.py" ]; then
    python3 "$SHARED/bench/gen-workload.py" 2000 "$tmp/w1" >/dev/null && cp -r "$tmp/w1" "$tmp/w2"
    sed -i 's/newTag: "2.0.0"/newTag: "2.0.1"/' "$tmp/w2/overlay/kustomization.yaml"
    run diff-workload 1 "$K" diff "$tmp/w1/overlay" "$tmp/w2/overlay" -o json
    if python3 - "$tmp/out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
objs = d["objects"]
assert len(objs) == 2000, len(objs)
assert all(o["kind"] == "Deployment" and o["change"] == "changed" for o in objs)
assert all(o["paths"] == ["spec.template.spec.containers.[name=main].image"] for o in objs), objs[0]
assert d["summary"]["changed"] == 2000 and d["summary"]["added"] == 0 and d["summary"]["removed"] == 0
EOF
    then pass diff-workload-exactly-2000; else fail diff-workload-exactly-2000 "see $tmp/out"; fi
else
    skip diff-workload "no $SHARED/bench/gen-workload.py"
fi
