#!/usr/bin/env bash
# e2e: kgrender mirror against two real registries (Debian's docker-registry on
# 127.0.0.1, tools/testenv/registry-up) with images made locally (mkimage),
# one of them multi-arch and one pinned by tag and digest: the first mirror
# copies all, a second copies nothing, digests are equal on both sides, the
# rewritten build names images that are there, a bundle (oci-archive and
# directory) round trip works, an unreachable destination fails clearly, and
# a mirror interrupted in the middle of a copy completes when run again.
. "$(dirname "$0")/../lib.sh"
TE=$TOP/tools/testenv
T=registry-mirror

CHECKS="registries first-copies-all second-copies-nothing digests-equal dry-run build-names-mirror
 images-json-mirror archive-write archive-push archive-digests dir-bundle unreachable interrupt-exit
 interrupt-consistent interrupt-rerun"
skip_all() { for c in $CHECKS; do skip "$T/$c" "$1"; done; exit 0; }
for c in docker-registry skopeo python3 curl tar; do
    command -v $c >/dev/null 2>&1 || skip_all "$c not installed (apt-get install docker-registry skopeo)"
done

W=$(mktemp -d "${TMPDIR:-/tmp}/kgr-e2e-mirror.XXXXXX")
cleanup() {
    [ -n "${MPID:-}" ] && kill "$MPID" 2>/dev/null
    for s in "$W/r1" "$W/r2"; do [ -d "$s" ] && "$TE/down" "$s" >/dev/null 2>&1; done
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

POL=
[ -f /etc/containers/policy.json ] || POL=--insecure-policy
SK() { timeout 120 skopeo $POL "$@"; }
digest() { SK inspect --raw --tls-verify=false "docker://$1" 2>/dev/null | sha256sum | cut -d' ' -f1; }

if out1=$("$TE/registry-up" "$W/r1" 2>"$W/r1.log") && out2=$("$TE/registry-up" "$W/r2" 2>"$W/r2.log"); then
    R1=$(eval "$out1"; echo "$REGISTRY"); R2=$(eval "$out2"; echo "$REGISTRY")
    pass "$T/registries"
else
    fail "$T/registries" "$(cat "$W"/r*.log | tail -n 3 | tr '\n' ' ')"
    for c in $CHECKS; do [ "$c" = registries ] || skip "$T/$c" "no registry"; done
    exit 0
fi

# Source images in R1: a single-arch app, a multi-arch index, a sidecar pinned by tag and digest.
# (mkimage's OCI layout keys images by tag: one distinct tag each)
"$TE/mkimage" "$W/oci" app:app >/dev/null
"$TE/mkimage" "$W/oci" multi:multi --multiarch >/dev/null
side=$("$TE/mkimage" "$W/oci" side:side)
SK copy -q --dest-tls-verify=false "oci:$W/oci:app" "docker://$R1/team/app:v1"
SK copy -q --all --dest-tls-verify=false "oci:$W/oci:multi" "docker://$R1/team/multi:v1"
SK copy -q --dest-tls-verify=false "oci:$W/oci:side" "docker://$R1/team/side:v2"

K=$W/k
mkdir -p "$K"
cat >"$K/kustomization.yaml" <<EOF
resources:
- app.yaml
EOF
cat >"$K/app.yaml" <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  selector:
    matchLabels: {app: app}
  template:
    metadata:
      labels: {app: app}
    spec:
      initContainers:
      - name: init
        image: $R1/team/multi:v1
      containers:
      - name: app
        image: $R1/team/app:v1
      - name: side
        image: $R1/team/side:v2@$side
---
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata:
  name: k8s
spec:
  image: $R1/team/app:v1
EOF
INS=(--insecure-registry "$R1" --insecure-registry "$R2")

out=$("$KGRENDER" mirror "$K" --to "$R2/site" "${INS[@]}" 2>"$W/m1.err")
rc=$?
[ $rc -eq 0 ] && [ "$(tail -n1 <<<"$out")" = "copied 3, already there 0, failed 0" ] && pass "$T/first-copies-all" ||
    fail "$T/first-copies-all" "rc $rc: $out $(tail -n 3 "$W/m1.err" | tr '\n' ' ')"

out=$("$KGRENDER" mirror "$K" --to "$R2/site" "${INS[@]}" 2>"$W/m2.err")
rc=$?
[ $rc -eq 0 ] && [ "$(tail -n1 <<<"$out")" = "copied 0, already there 3, failed 0" ] && pass "$T/second-copies-nothing" ||
    fail "$T/second-copies-nothing" "rc $rc: $out $(tail -n 3 "$W/m2.err" | tr '\n' ' ')"

bad=
for img in team/app:v1 team/multi:v1 team/side:v2; do
    a=$(digest "$R1/$img"); b=$(digest "$R2/site/$img")
    [ -n "$a" ] && [ "$a" = "$b" ] || bad="$bad $img($a/$b)"
done
archs=$(SK inspect --raw --tls-verify=false "docker://$R2/site/team/multi:v1" 2>&1 |
    python3 -c 'import json,sys; print(" ".join(sorted(m["platform"]["architecture"] for m in json.load(sys.stdin)["manifests"])))' 2>&1)
[ -z "$bad" ] && [ "$archs" = "amd64 arm64" ] && pass "$T/digests-equal" || fail "$T/digests-equal" "differ:$bad; platforms '$archs'"

out=$("$KGRENDER" mirror "$K" --to "$R2/other" --dry-run 2>&1)
[ "$(tail -n1 <<<"$out")" = "plan: 3 images to copy" ] && grep -q "docker://$R2/other/team/side:v2" <<<"$out" &&
    ! SK inspect --tls-verify=false "docker://$R2/other/team/app:v1" >/dev/null 2>&1 &&
    pass "$T/dry-run" || fail "$T/dry-run" "$out"

# The rewritten build names only images the mirror has, pinned digests kept.
names=$("$KGRENDER" build "$K" --registry "$R2/site" | sed -n 's/^ *-\{0,1\} *image: //p' | sort -u)
missing=
for n in $names; do
    case $n in "$R2/site/"*) ;; *) missing="$missing $n(not-mirror)"; continue ;; esac
    ref=${n%@*}
    SK inspect --raw --tls-verify=false "docker://$ref" >/dev/null 2>&1 || missing="$missing $n"
done
[ -n "$names" ] && [ -z "$missing" ] && grep -q "side:v2@$side" <<<"$names" && pass "$T/build-names-mirror" ||
    fail "$T/build-names-mirror" "names: $(echo $names) missing:$missing"

json=$("$KGRENDER" images "$K" --registry "$R2/site" -o json 2>&1)
python3 - "$R1" "$R2" "$json" <<'PY' && pass "$T/images-json-mirror" || fail "$T/images-json-mirror" "$json"
import json, sys
r1, r2, doc = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
by = {e["source"]: e for e in doc["images"]}
e = by[r1 + "/team/app:v1"]
assert e["mirror"] == r2 + "/site/team/app:v1", e
fields = sorted((o["kind"], o["field"]) for o in e["objects"])
assert fields == [("Deployment", "spec.template.spec.containers[0].image"), ("Prometheus", "spec.image")], fields
PY

# Bundle round trip: oci-archive out of R1, pushed into R2 under another prefix.
out=$("$KGRENDER" mirror "$K" --to "oci-archive:$W/bundle.tar" "${INS[@]}" 2>"$W/b1.err")
rc=$?
[ $rc -eq 0 ] && [ -s "$W/bundle.tar" ] && [ "$(tail -n1 <<<"$out")" = "copied 3, already there 0, failed 0" ] &&
    ! ls -d "$W"/bundle.tar.kgrender-* >/dev/null 2>&1 && pass "$T/archive-write" ||
    fail "$T/archive-write" "rc $rc: $out $(tail -n 3 "$W/b1.err" | tr '\n' ' ')"
out=$("$KGRENDER" mirror --from "oci-archive:$W/bundle.tar" --to "$R2/airgap" "${INS[@]}" 2>"$W/b2.err")
rc=$?
[ $rc -eq 0 ] && [ "$(tail -n1 <<<"$out")" = "copied 3, already there 0, failed 0" ] && pass "$T/archive-push" ||
    fail "$T/archive-push" "rc $rc: $out $(tail -n 3 "$W/b2.err" | tr '\n' ' ')"
bad=
for img in team/app:v1 team/multi:v1 team/side:v2; do
    a=$(digest "$R1/$img"); b=$(digest "$R2/airgap/$img")
    [ -n "$a" ] && [ "$a" = "$b" ] || bad="$bad $img"
done
[ -z "$bad" ] && pass "$T/archive-digests" || fail "$T/archive-digests" "differ:$bad"

out1=$("$KGRENDER" mirror "$K" --to "$W/bundle-dir" "${INS[@]}" 2>&1 | tail -n1)
out2=$("$KGRENDER" mirror "$K" --to "$W/bundle-dir" "${INS[@]}" 2>&1 | tail -n1)
out3=$("$KGRENDER" mirror --from "$W/bundle-dir" --to "$R2/site" "${INS[@]}" 2>&1 | tail -n1)
[ "$out1" = "copied 3, already there 0, failed 0" ] && [ "$out2" = "copied 0, already there 3, failed 0" ] &&
    [ "$out3" = "copied 0, already there 3, failed 0" ] && pass "$T/dir-bundle" ||
    fail "$T/dir-bundle" "write '$out1', again '$out2', push '$out3'"

# Nothing listens on port 1.
out=$("$KGRENDER" mirror "$K" --to 127.0.0.1:1 --retries 1 "${INS[@]}" --insecure-registry 127.0.0.1:1 2>"$W/u.err")
rc=$?
[ $rc -ne 0 ] && [ "$(tail -n1 <<<"$out")" = "copied 0, already there 0, failed 3" ] &&
    grep -q 'failed: .*127.0.0.1:1.*connection refused' "$W/u.err" && pass "$T/unreachable" ||
    fail "$T/unreachable" "rc $rc: $out $(tail -n 2 "$W/u.err" | tr '\n' ' ')"

# Interrupt (SIGINT, as Ctrl-C) while a 64 MiB image is being pushed, then run again.
"$TE/mkimage" "$W/oci" big:big --size 64 >/dev/null
SK copy -q --dest-tls-verify=false "oci:$W/oci:big" "docker://$R1/team/big:v1"
mkdir -p "$W/kb"
cat >"$W/kb/kustomization.yaml" <<EOF
resources: [pod.yaml]
EOF
cat >"$W/kb/pod.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata: {name: big}
spec:
  containers:
  - {name: big, image: $R1/team/big:v1}
  - {name: app, image: $R1/team/app:v1}
EOF
"$KGRENDER" mirror "$W/kb" --to "$R2/int" --jobs 1 "${INS[@]}" >"$W/i1.out" 2>"$W/i1.err" &
MPID=$!
uploads=$W/r2/registry/data/docker/registry/v2/repositories/int
for _ in $(seq 1 300); do
    ls "$uploads"/team/*/_uploads/* >/dev/null 2>&1 && break
    kill -0 $MPID 2>/dev/null || break
    sleep 0.02
done
kill -INT $MPID 2>/dev/null
wait $MPID
rc=$?
MPID=
echo "interrupted mirror: $(cat "$W/i1.out" "$W/i1.err" | tr '\n' ' ')" >&2
[ $rc -eq 130 ] && grep -q interrupted "$W/i1.err" && pass "$T/interrupt-exit" ||
    fail "$T/interrupt-exit" "rc $rc: $(cat "$W/i1.out") $(tail -n 2 "$W/i1.err" | tr '\n' ' ')"
# Whatever is there is whole: a tag is either absent or the source's manifest.
bad=
for img in team/big:v1 team/app:v1; do
    b=$(SK inspect --raw --tls-verify=false "docker://$R2/int/$img" 2>/dev/null | sha256sum | cut -d' ' -f1)
    [ "$b" = "$(printf '' | sha256sum | cut -d' ' -f1)" ] || [ "$b" = "$(digest "$R1/$img")" ] || bad="$bad $img"
done
[ -z "$bad" ] && pass "$T/interrupt-consistent" || fail "$T/interrupt-consistent" "half-pushed:$bad"
out=$("$KGRENDER" mirror "$W/kb" --to "$R2/int" "${INS[@]}" 2>"$W/i2.err")
rc=$?
echo "rerun: $out" >&2
bad=
for img in team/big:v1 team/app:v1; do
    [ "$(digest "$R1/$img")" = "$(digest "$R2/int/$img")" ] || bad="$bad $img"
done
[ $rc -eq 0 ] && [ -z "$bad" ] && grep -q 'failed 0$' <<<"$out" && pass "$T/interrupt-rerun" ||
    fail "$T/interrupt-rerun" "rc $rc: $out; differ:$bad $(tail -n 2 "$W/i2.err" | tr '\n' ' ')"
