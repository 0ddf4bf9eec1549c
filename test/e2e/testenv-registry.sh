#!/usr/bin/env bash
# e2e: tools/testenv/registry-up starts a local OCI registry; mkimage makes a
# single-arch image and a multi-arch index offline; skopeo copies them in,
# inspects them there, copies registry to registry; down stops the registries.
. "$(dirname "$0")/../lib.sh"
TE=$TOP/tools/testenv
T=testenv-registry

# running PID: the process exists and is not a zombie waiting to be reaped
running() { kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]; }

CHECKS="registry-up mkimage-single mkimage-multiarch copy-single inspect-single copy-multiarch
 inspect-multiarch copy-registry-to-registry same-digest down pids-gone"
skip_all() { for c in $CHECKS; do skip "$T/$c" "$1"; done; exit 0; }
for c in docker-registry skopeo python3 curl; do
    command -v $c >/dev/null 2>&1 || skip_all "$c not installed (apt-get install docker-registry skopeo)"
done

W=$(mktemp -d "${TMPDIR:-/tmp}/kgr-e2e-registry.XXXXXX")
cleanup() {
    for s in "$W/r1" "$W/r2"; do [ -d "$s" ] && "$TE/down" "$s" >/dev/null 2>&1; done
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

POL=
[ -f /etc/containers/policy.json ] || POL=--insecure-policy
SK() { timeout 60 skopeo $POL "$@"; }

if out1=$("$TE/registry-up" "$W/r1" 2>"$W/r1.log") && out2=$("$TE/registry-up" "$W/r2" 2>"$W/r2.log"); then
    R1=$(eval "$out1"; echo "$REGISTRY"); R2=$(eval "$out2"; echo "$REGISTRY")
    pass "$T/registry-up"
else
    fail "$T/registry-up" "$(cat "$W"/r*.log | tail -n 3 | tr '\n' ' ')"
    for c in $CHECKS; do [ "$c" = registry-up ] || skip "$T/$c" "no registry"; done
    exit 0
fi

check "$T/mkimage-single" "$TE/mkimage" "$W/oci" demo:v1
check "$T/mkimage-multiarch" "$TE/mkimage" "$W/oci" demo:multi --multiarch

check "$T/copy-single" SK copy -q --dest-tls-verify=false "oci:$W/oci:v1" "docker://$R1/e2e/demo:v1"
arch=$(SK inspect --tls-verify=false --format '{{.Architecture}}/{{.Os}}' "docker://$R1/e2e/demo:v1" 2>&1)
[ "$arch" = amd64/linux ] && pass "$T/inspect-single" || fail "$T/inspect-single" "$arch"

check "$T/copy-multiarch" SK copy -q --all --dest-tls-verify=false "oci:$W/oci:multi" "docker://$R1/e2e/demo:multi"
archs=$(SK inspect --raw --tls-verify=false "docker://$R1/e2e/demo:multi" 2>&1 |
    python3 -c 'import json,sys; print(" ".join(sorted(m["platform"]["architecture"] for m in json.load(sys.stdin)["manifests"])))' 2>&1)
[ "$archs" = "amd64 arm64" ] && pass "$T/inspect-multiarch" || fail "$T/inspect-multiarch" "platforms '$archs'"

check "$T/copy-registry-to-registry" SK copy -q --all --src-tls-verify=false --dest-tls-verify=false \
    "docker://$R1/e2e/demo:multi" "docker://$R2/mirror/demo:multi"
d1=$(SK inspect --raw --tls-verify=false "docker://$R1/e2e/demo:multi" 2>/dev/null | sha256sum | cut -d' ' -f1)
d2=$(SK inspect --raw --tls-verify=false "docker://$R2/mirror/demo:multi" 2>/dev/null | sha256sum | cut -d' ' -f1)
a2=$(SK inspect --tls-verify=false --override-arch arm64 --format '{{.Architecture}}' "docker://$R2/mirror/demo:multi" 2>&1)
[ -n "$d1" ] && [ "$d1" = "$d2" ] && [ "$a2" = arm64 ] && pass "$T/same-digest" ||
    fail "$T/same-digest" "r1 $d1, r2 $d2, arm64 image: $a2"

pids=$(cat "$W"/r1/*.pid "$W"/r2/*.pid 2>/dev/null | tr '\n' ' ')
if "$TE/down" "$W/r1" 2>"$W/down.log" && "$TE/down" "$W/r2" 2>>"$W/down.log" && [ ! -e "$W/r1" ] && [ ! -e "$W/r2" ]; then
    pass "$T/down"
else
    fail "$T/down" "$(tail -n 2 "$W/down.log" | tr '\n' ' ')"
fi
left=
for p in $pids; do running "$p" && left="$left $p"; done
[ -n "$pids" ] && [ -z "$left" ] && pass "$T/pids-gone" || fail "$T/pids-gone" "pids '$pids', still running:$left"
