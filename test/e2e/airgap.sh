#!/usr/bin/env bash
# e2e: the air-gapped install in one piece. overlays/airgap's images are made
# locally (mkimage) and pushed to a "source" registry standing in for the
# internet (each upstream name under SRC/<upstream host>/...); the site is a
# second registry. kgrender lists the images (images), copies them from
# upstream names, read through --source-map from SRC, to the site (mirror,
# global.imageRegistry set to the site's address), installs overlays/airgap
# on a test control plane (apply --wait, mark-ready as kubelet), and every
# image of every Pod, Deployment, StatefulSet and DaemonSet in the cluster
# names the site registry and is there (skopeo inspect).
T=airgap
CHECKS="registries source-images list mirror-copies-all mirror-again-nothing install every-image-names-site every-image-at-site"
. "$(dirname "$0")/apply-lib.inc"
need_testenv
for c in docker-registry skopeo; do
    command -v $c >/dev/null 2>&1 || skip_all "$c not installed (apt-get install docker-registry skopeo)"
done
HELM=${HELM:-$TE/bin/helm}
[ -x "$HELM" ] || skip_all "no helm at $HELM (make testenv)"
export HELM
python3 -c 'import yaml' 2>/dev/null || skip_all "python3-yaml not installed"
POL=
[ -f /etc/containers/policy.json ] || POL=--insecure-policy
SK() { timeout 120 skopeo $POL "$@"; }

# --- two registries: the stand-in for upstream and the site's ---------------------------------
for r in src site; do
    if ! out=$("$TE/registry-up" "$W/$r" 2>"$W/$r.log"); then
        fail "$T/registries" "$(tail -n 3 "$W/$r.log" | tr '\n' ' ')"
        for c in $CHECKS; do [ "$c" = registries ] || skip "$T/$c" "no registry"; done
        exit 0
    fi
    eval "REG_$r=$(eval "$out"; echo "$REGISTRY")"
done
# the registries' own shutdown, with the control plane's (apply-lib's cleanup)
stop_registries() { for r in src site; do "$TE/down" "$W/$r" >/dev/null 2>&1; done; }
trap 'stop_registries; cleanup' EXIT
SRC=$REG_src SITE=$REG_site
[ -n "$SRC" ] && [ -n "$SITE" ] && pass "$T/registries" || fail "$T/registries" "src '$SRC' site '$SITE'"
INS=(--insecure-registry "$SRC" --insecure-registry "$SITE")

# --- upstream images, as overlays/airgap names them before its rewrite --------------------------
KG images "$TOP/overlays/airgap" --original -o json >"$W/orig.json" 2>"$W/orig.err"
mapfile -t SOURCES < <(python3 -c 'import json,sys; print("\n".join(sorted({e["source"] for e in json.load(open(sys.argv[1]))["images"]})))' "$W/orig.json")
bad= i=0
for s in "${SOURCES[@]}"; do
    i=$((i + 1))
    "$TE/mkimage" "$W/oci" "img$i:img$i" >/dev/null 2>>"$W/mk.err" &&
        SK copy -q --dest-tls-verify=false "oci:$W/oci:img$i" "docker://$SRC/$s" 2>>"$W/mk.err" || bad="$bad $s"
done
[ ${#SOURCES[@]} -ge 5 ] && [ -z "$bad" ] && pass "$T/source-images" ||
    fail "$T/source-images" "${#SOURCES[@]} sources, failed:$bad $(tail -n 2 "$W/mk.err" "$W/orig.err" | tr '\n' ' ')"
# every upstream registry is read from its stand-in
MAPS=()
for h in $(printf '%s\n' "${SOURCES[@]}" | cut -d/ -f1 | sort -u); do MAPS+=(--source-map "$h=$SRC/$h"); done

# --- the site's list, then the copy ---------------------------------------------------------------
SET=(--set "global.imageRegistry=$SITE")
KG images "$TOP/overlays/airgap" "${SET[@]}" >"$W/list.txt" 2>"$W/list.err"
n=$(wc -l <"$W/list.txt")
[ "$n" = ${#SOURCES[@]} ] && ! grep -qv "^$SITE/kubegems/" "$W/list.txt" && pass "$T/list" ||
    fail "$T/list" "$n images for ${#SOURCES[@]} sources: $(tr '\n' ' ' <"$W/list.txt") $(head -c 200 "$W/list.err")"
out=$(KG mirror "$TOP/overlays/airgap" "${SET[@]}" --to "$SITE" "${MAPS[@]}" "${INS[@]}" 2>"$W/m1.err"); rc=$?
[ $rc -eq 0 ] && [ "$(tail -n1 <<<"$out")" = "copied $n, already there 0, failed 0" ] && pass "$T/mirror-copies-all" ||
    fail "$T/mirror-copies-all" "rc $rc: $out $(tail -n 3 "$W/m1.err" | tr '\n' ' ')"
out=$(KG mirror "$TOP/overlays/airgap" "${SET[@]}" --to "$SITE" "${MAPS[@]}" "${INS[@]}" 2>"$W/m2.err"); rc=$?
[ $rc -eq 0 ] && [ "$(tail -n1 <<<"$out")" = "copied 0, already there $n, failed 0" ] && pass "$T/mirror-again-nothing" ||
    fail "$T/mirror-again-nothing" "rc $rc: $out $(tail -n 3 "$W/m2.err" | tr '\n' ' ')"

# --- install on the control plane -----------------------------------------------------------------
start_env
"$TE/mark-ready" "$S" --watch >"$W/mark.log" 2>&1 &
BGPIDS+=($!)
KG apply "$TOP/overlays/airgap" "${SET[@]}" --wait --timeout 150s -o json >"$W/i.json" 2>"$W/i.err"; rc=$?
[ $rc -eq 0 ] && pass "$T/install" || fail "$T/install" "rc $rc: $(tail -n 5 "$W/i.err" | tr '\n' ' ')"

# --- every image in the cluster --------------------------------------------------------------------
K get pods,deployments,statefulsets,daemonsets -A -o json >"$W/cluster.json" 2>"$W/k.err"
python3 - "$W/cluster.json" >"$W/cluster-images.txt" <<'PY'
import json, sys
for o in json.load(open(sys.argv[1]))["items"]:
    spec = o["spec"] if o["kind"] == "Pod" else o["spec"]["template"]["spec"]
    for f in ("initContainers", "containers", "ephemeralContainers"):
        for c in spec.get(f) or []:
            print("%s %s/%s %s" % (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"], c["image"]))
PY
kinds=$(cut -d' ' -f1 "$W/cluster-images.txt" | sort -u | tr '\n' ' ')
notsite=$(awk -v s="$SITE/" 'index($3, s) != 1' "$W/cluster-images.txt")
[ -s "$W/cluster-images.txt" ] && [ -z "$notsite" ] && grep -q '^Pod ' "$W/cluster-images.txt" &&
    pass "$T/every-image-names-site" || fail "$T/every-image-names-site" "kinds: $kinds; not the site: $(echo $notsite) $(cat "$W/k.err")"
missing=
for img in $(cut -d' ' -f3 "$W/cluster-images.txt" | sort -u); do
    SK inspect --raw --tls-verify=false "docker://$img" >/dev/null 2>&1 || missing="$missing $img"
done
[ -s "$W/cluster-images.txt" ] && [ -z "$missing" ] && pass "$T/every-image-at-site" ||
    fail "$T/every-image-at-site" "missing:$missing"
echo "INFO: $T: $(cut -d' ' -f3 "$W/cluster-images.txt" | sort -u | wc -l) images in $(wc -l <"$W/cluster-images.txt") containers ($kinds)" >&2
