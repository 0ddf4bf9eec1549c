#!/usr/bin/env bash
# kgrender images and the registry rewrite (src/images) on a kube-prometheus-
# sized tree (test/images/gen-tree.py: ~150 objects, ~5 MB with big CRDs,
# Prometheus and Alertmanager resources): the list equals what a query over
# `kubectl kustomize` output finds (test/images/query.py walks the known
# paths); rewrites (--registry, --registry-map, --image-repository, the
# kustomization annotations) reach every image and nothing else; errors name
# the object and field. Prints the time of `images` against `build` (INFO
# line, not asserted: the machine is shared).
. "$(dirname "$0")/lib.sh"
T=images
D=$TOP/test/images
if ! command -v kubectl >/dev/null || ! python3 -c 'import yaml' 2>/dev/null; then
    skip "$T" "needs kubectl and python3 with PyYAML"
    exit 0
fi
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
python3 "$D/gen-tree.py" "$W/kp"
kubectl kustomize "$W/kp" >"$W/want.yaml" 2>"$W/err" || { fail "$T/tree" "kubectl kustomize: $(cat "$W/err")"; exit 0; }
n=$(grep -c '^kind:' "$W/want.yaml"); size=$(wc -c <"$W/want.yaml")
[ "$n" -ge 150 ] && [ "$size" -ge 5000000 ] && pass "$T/tree" || fail "$T/tree" "$n objects, $size bytes"

# The default build is kustomize's, byte for byte; the image list is the query's.
"$KGRENDER" build "$W/kp" >"$W/got.yaml" 2>"$W/err" && cmp -s "$W/want.yaml" "$W/got.yaml" &&
    pass "$T/build-unchanged" || fail "$T/build-unchanged" "$(head -c 200 "$W/err")"
python3 "$D/query.py" <"$W/want.yaml" >"$W/want.txt"
"$KGRENDER" images "$W/kp" >"$W/got.txt" 2>"$W/err"
[ -s "$W/want.txt" ] && cmp -s "$W/want.txt" "$W/got.txt" && pass "$T/list-equals-query" ||
    fail "$T/list-equals-query" "$(diff "$W/want.txt" "$W/got.txt" | head -5 | tr '\n' ' ') $(head -c 200 "$W/err")"
grep -q 'grafana/grafana:11.2.1' "$W/got.txt" && grep -q 'prometheus-adapter:v0.12.1' "$W/got.txt" &&
    ! grep -q 'bats' "$W/got.txt" && ! grep -q 'not-an-image' "$W/got.txt" &&
    pass "$T/after-patches-no-tests" || fail "$T/after-patches-no-tests" "$(tr '\n' ' ' <"$W/got.txt")"

# --registry: the query over the rewritten build finds only mirror names, one per original image.
"$KGRENDER" build "$W/kp" --registry mirror.local:5000 >"$W/rw.yaml" 2>"$W/err"
python3 "$D/query.py" <"$W/rw.yaml" >"$W/rw.txt"
"$KGRENDER" images "$W/kp" --registry mirror.local:5000 >"$W/rwlist.txt"
"$KGRENDER" images "$W/kp" --registry mirror.local:5000 --original >"$W/orig.txt"
if [ "$(wc -l <"$W/rw.txt")" = "$(wc -l <"$W/want.txt")" ] && ! grep -qv '^mirror.local:5000/' "$W/rw.txt" &&
    cmp -s "$W/rw.txt" "$W/rwlist.txt" && cmp -s "$W/orig.txt" "$W/want.txt" &&
    grep -qx 'mirror.local:5000/library/busybox:1.36' "$W/rw.txt" &&
    grep -qx 'mirror.local:5000/prometheus-operator/prometheus-config-reloader:v0.76.0' "$W/rw.txt" &&
    grep -qx "mirror.local:5000/library/postgres@sha256:$(printf 'a%.0s' $(seq 64))" "$W/rw.txt"; then
    pass "$T/registry-rewrite"
else
    fail "$T/registry-rewrite" "$(diff "$W/want.txt" "$W/rw.txt" | head -6 | tr '\n' ' ')"
fi
# Only image fields change: the rewritten stream differs from kustomize's in image lines alone.
changed=$(diff "$W/want.yaml" "$W/rw.yaml" | grep '^[<>]' | grep -cv -e 'image: ' -e 'prometheus-config-reloader=')
[ "$changed" = 0 ] && grep -q 'image: docker.io/bats/bats' "$W/want.yaml" && pass "$T/rewrite-only-images" ||
    fail "$T/rewrite-only-images" "$changed other lines changed"
# Idempotent: rewriting a rewritten tree changes nothing.
mkdir -p "$W/again"; cp "$W/rw.yaml" "$W/again/all.yaml"; printf 'resources: [all.yaml]\n' >"$W/again/kustomization.yaml"
"$KGRENDER" build "$W/again" --registry mirror.local:5000 | cmp -s - <("$KGRENDER" build "$W/again") &&
    pass "$T/rewrite-idempotent" || fail "$T/rewrite-idempotent" "a second rewrite changed the output"

# --registry-map (most specific wins) and --image-repository.
out=$("$KGRENDER" images "$W/kp" --registry m.local --registry-map quay.io=q.local/quay \
    --registry-map quay.io/prometheus=p.local --image-repository kg 2>&1)
grep -qx 'q.local/quay/kg/kube-rbac-proxy:v0.18.1' <<<"$out" && grep -qx 'p.local/kg/node-exporter:v1.8.2' <<<"$out" &&
    grep -qx 'm.local/kg/grafana:11.2.1' <<<"$out" && grep -qx 'm.local/kg/busybox:1.36' <<<"$out" &&
    pass "$T/registry-map" || fail "$T/registry-map" "$(tr '\n' ' ' <<<"$out")"

# The same from the kustomization's annotations (kustomize ignores them).
mkdir -p "$W/airgap"
cat >"$W/airgap/kustomization.yaml" <<EOF
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
metadata:
  name: airgap
  annotations:
    kgrender.io/registry: mirror.local:5000
    kgrender.io/registry-map: "quay.io/prometheus=mirror.local:5000/prom"
resources:
- ../kp
EOF
kubectl kustomize "$W/airgap" | cmp -s - "$W/want.yaml" && k_ok=1 || k_ok=0
"$KGRENDER" build "$W/airgap" | python3 "$D/query.py" >"$W/ann.txt"
[ $k_ok = 1 ] && ! grep -qv '^mirror.local:5000/' "$W/ann.txt" && grep -qx 'mirror.local:5000/prom/prometheus:v2.54.1' "$W/ann.txt" &&
    pass "$T/kustomization-annotations" || fail "$T/kustomization-annotations" "kustomize ok=$k_ok; $(head -3 "$W/ann.txt" | tr '\n' ' ')"
"$KGRENDER" images "$W/airgap" --registry other.local | grep -qx 'other.local/library/busybox:1.36' &&
    pass "$T/flag-beats-annotation" || fail "$T/flag-beats-annotation" "--registry did not win"

# --any-image-field: a custom resource's own image field counts only when asked for.
mkdir -p "$W/cr"
printf 'resources: [w.yaml]\n' >"$W/cr/kustomization.yaml"
cat >"$W/cr/w.yaml" <<EOF
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  runner: {image: ghcr.io/x/runner:1, replicas: 2}
  sidecars:
  - {image: ghcr.io/x/side:2}
  config: {image: {repository: not/a/string}}
EOF
plain=$("$KGRENDER" images "$W/cr" 2>&1); any=$("$KGRENDER" images "$W/cr" --any-image-field 2>&1)
[ -z "$plain" ] && [ "$any" = "$(printf 'ghcr.io/x/runner:1\nghcr.io/x/side:2')" ] && pass "$T/any-image-field" ||
    fail "$T/any-image-field" "without: '$plain' with: '$any'"

# json: objects and field paths per image; hauler and zarf formats.
"$KGRENDER" images "$W/kp" -o json --registry m.local >"$W/j.json"
python3 - "$W/j.json" <<'PY' && pass "$T/json" || fail "$T/json" "$(head -c 300 "$W/j.json")"
import json, sys
doc = json.load(open(sys.argv[1]))
by = {e["original"]: e for e in doc["images"]}
e = by["quay.io/brancz/kube-rbac-proxy:v0.18.1"]
assert e["mirror"] == "m.local/brancz/kube-rbac-proxy:v0.18.1" and e["image"] == e["mirror"], e
assert sorted((o["kind"], o["name"]) for o in e["objects"]) == [
    ("DaemonSet", "node-exporter"), ("Deployment", "kube-state-metrics"), ("Deployment", "kube-state-metrics"),
    ("Deployment", "prometheus-operator")], e["objects"]
r = by["quay.io/prometheus-operator/prometheus-config-reloader:v0.76.0"]["objects"][0]
assert r["field"] == "spec.template.spec.containers[0].args[1]", r
t = by["quay.io/thanos/thanos:v0.36.1"]["objects"][0]
assert (t["kind"], t["namespace"], t["field"]) == ("Prometheus", "monitoring", "spec.thanos.image"), t
p = by["busybox:1.36-musl"]["objects"][0]
assert p["field"] == "spec.ephemeralContainers[0].image" and by["busybox:1.36-musl"]["source"] == "docker.io/library/busybox:1.36-musl"
PY
"$KGRENDER" images "$W/kp" -o hauler --name kp >"$W/h.yaml"
"$KGRENDER" images "$W/kp" -o zarf --name kp >"$W/z.yaml"
python3 - "$W/h.yaml" "$W/z.yaml" "$W/want.txt" <<'PY' && pass "$T/hauler-zarf" || fail "$T/hauler-zarf" "$(head -5 "$W/h.yaml" | tr '\n' ' ')"
import sys, yaml
h, z = yaml.safe_load(open(sys.argv[1])), yaml.safe_load(open(sys.argv[2]))
n = len(open(sys.argv[3]).read().split())
assert h["apiVersion"] == "content.hauler.cattle.io/v1alpha1" and h["kind"] == "Images" and h["metadata"]["name"] == "kp"
names = [i["name"] for i in h["spec"]["images"]]
assert len(names) == n and "docker.io/grafana/grafana:11.2.1" in names, names
assert z["kind"] == "ZarfPackageConfig" and z["components"][0]["images"] == names, z
PY

# Errors: an invalid reference names the object and field (nothing on stdout); a
# build without a rewrite does not look at images, as kustomize.
mkdir -p "$W/bad"
printf 'resources: [d.yaml]\n' >"$W/bad/kustomization.yaml"
cat >"$W/bad/d.yaml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
      - {name: a, image: nginx:1.25}
      - {name: b, image: "Nginx:1.25"}
EOF
"$KGRENDER" images "$W/bad" >"$W/out" 2>"$W/err"; rc=$?
[ $rc -ne 0 ] && [ ! -s "$W/out" ] &&
    grep -q 'Deployment/web in namespace shop: spec.template.spec.containers\[1\].image.*invalid image reference "Nginx:1.25": repository name must be lowercase' "$W/err" &&
    pass "$T/error-invalid-reference" || fail "$T/error-invalid-reference" "rc $rc: $(cat "$W/err")"
"$KGRENDER" build "$W/bad" --registry m.local >"$W/out" 2>"$W/err"; rc=$?
[ $rc -ne 0 ] && [ ! -s "$W/out" ] && grep -q 'containers\[1\].image' "$W/err" && pass "$T/error-rewrite" ||
    fail "$T/error-rewrite" "rc $rc: $(cat "$W/err")"
"$KGRENDER" build "$W/bad" | cmp -s - <(kubectl kustomize "$W/bad") && pass "$T/no-rewrite-no-check" ||
    fail "$T/no-rewrite-no-check" "build without rules differs from kustomize"
ok=1
for args in "--registry mirror" "--registry mirror.local/UP" "--registry-map quay.io" "--image-repository a/b" "-o xml"; do
    # shellcheck disable=SC2086
    "$KGRENDER" images "$W/kp" $args >"$W/out" 2>"$W/err" && ok=0
    [ -s "$W/out" ] && ok=0
    grep -q '^error: ' "$W/err" || ok=0
done
[ $ok = 1 ] && pass "$T/error-flags" || fail "$T/error-flags" "a bad flag value was accepted: $(cat "$W/err")"

# IstioOperator names a hub and a tag: its operator pulls HUB/pilot:TAG, HUB/proxyv2:TAG and, with
# the CNI component enabled, HUB/install-cni:TAG; the rewrite moves the hub, nothing else.
mkdir -p "$W/istio"
cat > "$W/istio/io.yaml" <<'EOF'
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: istio, namespace: istio-system}
spec:
  hub: docker.io/istio
  tag: 1.20.3
  components:
    cni: {enabled: true}
    ztunnel: {enabled: false}
---
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: hub-only, namespace: istio-system}
spec:
  hub: gcr.io/istio-release
EOF
printf 'resources: [io.yaml]\n' >"$W/istio/kustomization.yaml"
got=$("$KGRENDER" images "$W/istio" 2>&1 | tr '\n' ' ')
[ "$got" = "docker.io/istio/install-cni:1.20.3 docker.io/istio/pilot:1.20.3 docker.io/istio/proxyv2:1.20.3 " ] &&
    pass "$T/istio-hub-images" || fail "$T/istio-hub-images" "$got"
"$KGRENDER" build "$W/istio" --registry mirror.local:5000 >"$W/io-rw.yaml" 2>"$W/err"
changed=$(diff <(kubectl kustomize "$W/istio") "$W/io-rw.yaml" | grep '^[<>]' | tr '\n' ' ')
[ "$changed" = "<   hub: docker.io/istio >   hub: mirror.local:5000/istio " ] &&
    [ "$("$KGRENDER" images "$W/istio" --registry mirror.local:5000 | head -1)" = mirror.local:5000/istio/install-cni:1.20.3 ] &&
    pass "$T/istio-hub-rewrite" || fail "$T/istio-hub-rewrite" "$changed $(cat "$W/err")"

# Time: images (no output stream) against build, best of 5 each.
best() {
    local b=999999 t0 t1 ms
    for _ in 1 2 3 4 5; do
        t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N)
        ms=$(((t1 - t0) / 1000000)); [ $ms -lt $b ] && b=$ms
    done
    echo $b
}
tb=$(best "$KGRENDER" build "$W/kp"); ti=$(best "$KGRENDER" images "$W/kp")
tr=$(best "$KGRENDER" build "$W/kp" --registry mirror.local:5000)
echo "INFO: $T: $n objects, $size bytes: build ${tb} ms, images ${ti} ms, build --registry ${tr} ms (best of 5)"
