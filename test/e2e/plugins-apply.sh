#!/usr/bin/env bash
# e2e: the bundled platform (overlays/default: every Plugin of plugins/) installed
# on a real control plane by `kgrender apply --wait`, tools/testenv/mark-ready
# playing kubelet: every plugin's objects are applied after the objects of the
# plugins it depends on; switching one plugin off in an overlay and applying
# with --prune removes exactly its objects; changing one value re-applies only
# the objects whose rendering changed (kgrender diff says which). `kgrender
# plugins --live` reports each plugin's health along the way.
T=plugins-apply
CHECKS="install install-all-objects install-dependency-order disable-prune-exit disable-prune-exactly
 disable-prune-others-kept value-change-exit value-change-only-changed live-before-install
 live-after-install live-disabled live-missing-object"
. "$(dirname "$0")/apply-lib.inc"
need_testenv
HELM=${HELM:-$TE/bin/helm}
[ -x "$HELM" ] || skip_all "no helm at $HELM (make testenv)"
export HELM
start_env

# every namespace: the plugins' Deployments become available once their Pods are "running"
"$TE/mark-ready" "$S" --watch >"$W/mark.log" 2>&1 &
BGPIDS+=($!)

# object keys ("Kind ns/name" as apply's events write them) -> plugin, from a render
objects_of() { # DIR OUT: one line "KEY<TAB>PLUGIN" per rendered object
    KG build "$1" 2>/dev/null | python3 -c '
import sys, yaml
for d in yaml.safe_load_all(sys.stdin):
    if not d: continue
    m = d.get("metadata", {})
    key = d["kind"] + " " + (m["namespace"] + "/" if m.get("namespace") else "") + m["name"]
    print(key + "\t" + (m.get("annotations") or {}).get("kgrender.io/plugin", "-"))
' > "$2"
}
python3 -c 'import yaml' 2>/dev/null || skip_all "python3-yaml not installed"

# all_health DIR WANT: every enabled plugin's health is WANT (disabled ones "-")
all_health() {
    KG plugins "$1" --live -o json --load-restrictor LoadRestrictionsNone 2>"$W/live.err" | python3 -c '
import json, sys
ps = json.load(sys.stdin)
bad = [p["name"] + "=" + p["health"] for p in ps if p["health"] != (sys.argv[1] if p["state"] == "enabled" else "-")]
print("; ".join(bad)); sys.exit(1 if bad or not ps else 0)' "$2"
}

# --- install everything ------------------------------------------------------------------------
got=$(all_health "$TOP/overlays/default" NotInstalled) && pass "$T/live-before-install" ||
    fail "$T/live-before-install" "$got $(tail -n 2 "$W/live.err")"
objects_of "$TOP/overlays/default" "$W/default.objs"
KG apply "$TOP/overlays/default" --wait --timeout 150s -o json >"$W/i.json" 2>"$W/i.err"; rc=$?
[ $rc -eq 0 ] && pass "$T/install" || fail "$T/install" "rc $rc: $(tail -n 5 "$W/i.err" | tr '\n' ' ')"
n=$(wc -l < "$W/default.objs")
[ "$(jfield "$W/i.json" applied)" = "$n" ] && pass "$T/install-all-objects" ||
    fail "$T/install-all-objects" "$(summary "$W/i.json"), $n rendered"
# each plugin's first applied object comes after the last applied object of each dependency
deps=$(KG plugins "$TOP/overlays/default" -o json 2>/dev/null)
if python3 - "$W/i.json" "$W/default.objs" <<EOF
import json, sys
plugins = json.loads('''$deps''')
owner = dict(l.rstrip("\n").split("\t") for l in open(sys.argv[2]))
order = [json.loads(l)["object"] for l in open(sys.argv[1]) if '"result":"applied"' in l]
pos = {}
for i, o in enumerate(order):
    pos.setdefault(owner.get(o, "-"), []).append(i)
bad = []
for p in plugins:
    for d in p.get("dependencies", []):
        d = d["name"] if isinstance(d, dict) else d.split(">")[0].split("<")[0].split("=")[0].replace("parent:", "")
        if p["name"] in pos and d in pos and min(pos[p["name"]]) < max(pos[d]):
            bad.append("%s before %s" % (p["name"], d))
checked = sum(1 for p in plugins if p.get("dependencies"))
if bad or not checked:
    print("; ".join(bad) or "no dependencies found", file=sys.stderr); sys.exit(1)
EOF
then pass "$T/install-dependency-order"; else fail "$T/install-dependency-order" "see $W/i.json"; fi

got=$(all_health "$TOP/overlays/default" Ready) && pass "$T/live-after-install" ||
    fail "$T/live-after-install" "$got $(tail -n 2 "$W/live.err")"

# --- switch one plugin off and prune ------------------------------------------------------------
O=$W/overlay-off
mkdir -p "$O"
cat > "$O/kustomization.yaml" <<EOF
resources:
- $TOP/overlays/default
patches:
- target:
    kind: Plugin
    name: logging
  patch: |-
    - op: add
      path: /spec/disabled
      value: true
EOF
# the same ApplySet as overlays/default (its default is named after the directory)
KG apply "$O" --applyset kgrender-default --prune --wait --timeout 150s --load-restrictor LoadRestrictionsNone \
    -o json >"$W/p.json" 2>"$W/p.err"; rc=$?
[ $rc -eq 0 ] && pass "$T/disable-prune-exit" || fail "$T/disable-prune-exit" "rc $rc: $(tail -n 5 "$W/p.err" | tr '\n' ' ')"
want=$(awk -F'\t' '$2 == "logging"' "$W/default.objs" | cut -f1 | sort)
got=$(grep '"result":"pruned"' "$W/p.json" | sed -n 's/.*"object":"\([^"]*\)".*/\1/p' | sort)
[ -n "$want" ] && [ "$want" = "$got" ] && pass "$T/disable-prune-exactly" ||
    fail "$T/disable-prune-exactly" "want [$(echo $want)] got [$(echo $got)]"
[ "$(jfield "$W/p.json" failed)" = 0 ] && [ "$(jfield "$W/p.json" applied)" = 0 ] &&
    [ "$(jfield "$W/p.json" unchanged)" = $(( n - $(echo "$want" | wc -l) )) ] && pass "$T/disable-prune-others-kept" ||
    fail "$T/disable-prune-others-kept" "$(summary "$W/p.json")"
got=$(all_health "$O" Ready) && pass "$T/live-disabled" || fail "$T/live-disabled" "$got $(tail -n 2 "$W/live.err")"

# one object of an installed plugin deleted behind kgrender's back: that plugin shows it missing
victim=$(awk -F'\t' '$2 == "cert-manager-lite" && $1 ~ /^Deployment / {print $1; exit}' "$W/default.objs")
vns=${victim#Deployment }; vns=${vns%%/*}; vname=${victim##*/}
K delete deployment "$vname" -n "$vns" --wait=true >/dev/null 2>&1
total=$(awk -F'\t' '$2 == "cert-manager-lite"' "$W/default.objs" | wc -l)
line=$(KG plugins "$O" --live --load-restrictor LoadRestrictionsNone 2>&1 | awk '$1 == "cert-manager-lite"')
case $line in
    *"Missing 1/$total missing: Deployment $vname: not found"*) pass "$T/live-missing-object" ;;
    *) fail "$T/live-missing-object" "victim [$victim] line [$line]" ;;
esac
KG apply "$O" --applyset kgrender-default --wait --timeout 60s --load-restrictor LoadRestrictionsNone >/dev/null 2>&1

# --- change one value: only what renders differently is applied -----------------------------------
V=$W/overlay-value
mkdir -p "$V"
cat > "$V/kustomization.yaml" <<EOF
resources:
- $O
patches:
- target:
    kind: Plugin
    name: cert-manager-lite
  patch: |-
    apiVersion: plugins.kubegems.io/v1beta1
    kind: Plugin
    metadata:
      name: cert-manager-lite
    spec:
      values:
        replicas: 3
EOF
changed=$(KG diff "$O" "$V" --load-restrictor LoadRestrictionsNone -o json 2>/dev/null |
          python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["summary"]["changed"] + d["summary"]["added"])')
KG apply "$V" --applyset kgrender-default --prune --load-restrictor LoadRestrictionsNone -o json >"$W/v.json" 2>"$W/v.err"; rc=$?
[ $rc -eq 0 ] && pass "$T/value-change-exit" || fail "$T/value-change-exit" "rc $rc: $(tail -n 3 "$W/v.err" | tr '\n' ' ')"
[ -n "$changed" ] && [ "$changed" -gt 0 ] && [ "$(jfield "$W/v.json" applied)" = "$changed" ] &&
    [ "$(jfield "$W/v.json" PATCH)" = "$changed" ] && pass "$T/value-change-only-changed" ||
    fail "$T/value-change-only-changed" "diff says $changed changed: $(summary "$W/v.json")"
