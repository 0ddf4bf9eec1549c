#!/usr/bin/env bash
# e2e: the ApplySet inventory of kgrender apply on a real control plane: the
# parent kubectl --applyset accepts, prune of a removed object (and kubectl's
# view of the same set), what prune keeps (annotated objects, CRDs without
# --prune-crds), no prune after a failure, and adoption of objects created by
# kubectl create and by helm install (--force-conflicts).
T=apply-inventory
CHECKS="first-apply parent-labels members-labelled kubectl-sees-set kubectl-dry-run-no-prune prune-removed
 prune-counted kubectl-list-after-prune kubectl-dry-run-prunes-same prune-keeps-annotated prune-keeps-crd
 prune-crds no-prune-after-failure adopt-kubectl-conflict adopt-kubectl-force adopt-kubectl-owned
 adopt-helm adopt-helm-in-set helm-still-lists"
. "$(dirname "$0")/apply-lib.inc"
need_testenv
start_env nokcm
HELM=$TE/bin/helm

D=$W/inv
mkdir -p "$D"
cat > "$D/kustomization.yaml" <<'EOF'
namespace: inv
resources:
- ns.yaml
- objects.yaml
EOF
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: inv\n' > "$D/ns.yaml"
objects() { # NAMES...: one ConfigMap each
    local n
    for n in "$@"; do printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  k: v\n' "$n"; done > "$D/objects.yaml"
}
objects alpha beta gamma
KG apply "$D" -o json >"$W/1.json" 2>"$W/1.err"; rc=$?
[ $rc -eq 0 ] && [ "$(jfield "$W/1.json" applied)" = 4 ] && pass "$T/first-apply" || fail "$T/first-apply" "rc $rc $(tr '\n' ' ' < "$W/1.err")"
ID=$(summary "$W/1.json" | sed -n 's/.*"applyset":"\([^"]*\)".*/\1/p')
# the parent: Secret kgrender-inv in the objects' namespace, KEP-3659 id of its name/namespace/kind/group
want=applyset-$(printf 'kgrender-inv.inv.Secret.' | openssl dgst -sha256 -binary | base64 -w0 | tr '+/' '-_' | tr -d '=')-v1
got=$(K get secret kgrender-inv -n inv -o jsonpath='{.metadata.labels.applyset\.kubernetes\.io/id} {.metadata.annotations.applyset\.kubernetes\.io/contains-group-kinds}' 2>&1)
[ "$ID" = "$want" ] && [ "$got" = "$want ConfigMap,Namespace" ] && pass "$T/parent-labels" ||
    fail "$T/parent-labels" "id $ID, want $want; parent: $got"
n=$(K get cm -n inv -l "applyset.kubernetes.io/part-of=$ID" -o name | wc -l)
[ "$n" = 3 ] && pass "$T/members-labelled" || fail "$T/members-labelled" "$n members"

# kubectl's own ApplySet code reads the same parent: the same input prunes nothing
export KUBECTL_APPLYSET=true
KG build "$D" > "$W/rendered.yaml" 2>/dev/null
K apply --server-side --force-conflicts --prune --applyset=kgrender-inv -n inv --dry-run=server -f "$W/rendered.yaml" >"$W/k1.out" 2>&1; rc=$?
[ $rc -eq 0 ] && pass "$T/kubectl-sees-set" || fail "$T/kubectl-sees-set" "rc $rc: $(tr '\n' ' ' < "$W/k1.out")"
grep -q pruned "$W/k1.out" && fail "$T/kubectl-dry-run-no-prune" "$(tr '\n' ' ' < "$W/k1.out")" || pass "$T/kubectl-dry-run-no-prune"

# --- prune a removed object ----------------------------------------------------------------------------
objects alpha gamma
KG apply "$D" --prune -o json >"$W/2.json" 2>"$W/2.err"; rc=$?
[ $rc -eq 0 ] && [ "$(events "$W/2.json" pruned)" = "ConfigMap inv/beta" ] && ! K get cm beta -n inv >/dev/null 2>&1 &&
    pass "$T/prune-removed" || fail "$T/prune-removed" "rc $rc: $(grep result "$W/2.json" | tr '\n' ' ') $(tr '\n' ' ' < "$W/2.err")"
[ "$(jfield "$W/2.json" pruned)" = 1 ] && [ "$(jfield "$W/2.json" unchanged)" = 3 ] && pass "$T/prune-counted" ||
    fail "$T/prune-counted" "$(summary "$W/2.json")"
[ "$(K get cm -n inv -l "applyset.kubernetes.io/part-of=$ID" -o name | tr '\n' ' ')" = "configmap/alpha configmap/gamma " ] &&
    pass "$T/kubectl-list-after-prune" || fail "$T/kubectl-list-after-prune" "$(K get cm -n inv -l "applyset.kubernetes.io/part-of=$ID" -o name | tr '\n' ' ')"
# kubectl, given all but gamma, would prune exactly gamma
objects alpha
KG build "$D" > "$W/rendered2.yaml" 2>/dev/null
K apply --server-side --force-conflicts --prune --applyset=kgrender-inv -n inv --dry-run=server -f "$W/rendered2.yaml" >"$W/k2.out" 2>&1
[ "$(grep pruned "$W/k2.out")" = "configmap/gamma pruned (server dry run)" ] && pass "$T/kubectl-dry-run-prunes-same" ||
    fail "$T/kubectl-dry-run-prunes-same" "$(tr '\n' ' ' < "$W/k2.out")"
objects alpha gamma

# --- what prune keeps ------------------------------------------------------------------------------------------
cat >> "$D/objects.yaml" <<'EOF'
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: keep-me
  annotations: {kgrender.io/prune: disabled}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: kubegems-keep
  annotations: {bundle.kubegems.io/ignore-options: OnDelete}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gizmos.example.com
spec:
  group: example.com
  names: {kind: Gizmo, plural: gizmos}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object}}
EOF
KG apply "$D" >/dev/null 2>&1
objects alpha gamma
KG apply "$D" --prune -o json >"$W/3.json" 2>"$W/3.err"; rc=$?
K get cm keep-me kubegems-keep -n inv >/dev/null 2>&1 && [ "$(events "$W/3.json" kept | grep -c ConfigMap)" = 2 ] &&
    pass "$T/prune-keeps-annotated" || fail "$T/prune-keeps-annotated" "rc $rc: $(grep result "$W/3.json" | tr '\n' ' ')"
K get crd gizmos.example.com >/dev/null 2>&1 && grep -q 'prune-crds' "$W/3.json" && pass "$T/prune-keeps-crd" ||
    fail "$T/prune-keeps-crd" "$(grep result "$W/3.json" | tr '\n' ' ')"
KG apply "$D" --prune --prune-crds >"$W/4.out" 2>"$W/4.err"; rc=$?
# (a CRD is gone only after the server has removed its objects: its finalizer)
[ $rc -eq 0 ] && grep -q '^CustomResourceDefinition gizmos.example.com pruned$' "$W/4.out" &&
    K wait --for=delete crd/gizmos.example.com --timeout=30s >/dev/null 2>&1 && K get cm keep-me -n inv >/dev/null 2>&1 &&
    pass "$T/prune-crds" || fail "$T/prune-crds" "rc $rc: $(tr '\n' ' ' < "$W/4.out") $(tr '\n' ' ' < "$W/4.err")"

# --- nothing is pruned when something failed ----------------------------------------------------------------------
objects alpha
printf -- '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "Not_Valid"\n' >> "$D/objects.yaml"
KG apply "$D" --prune >"$W/5.out" 2>"$W/5.err"; rc=$?
[ $rc -eq 1 ] && K get cm gamma -n inv >/dev/null 2>&1 && grep -q 'not pruning' "$W/5.out" "$W/5.err" &&
    pass "$T/no-prune-after-failure" || fail "$T/no-prune-after-failure" "rc $rc: $(cat "$W/5.out" "$W/5.err" | tr '\n' ' ')"

# --- adoption: objects made by kubectl create -------------------------------------------------------------------
K create namespace adopt >/dev/null
K create deployment web --image=nginx:1.0 -n adopt >/dev/null
K create configmap settings --from-literal=mode=old -n adopt >/dev/null
cat > "$W/adopt.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: adopt, labels: {app: web}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: nginx, image: "nginx:2.0"}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: adopt}
data: {mode: new}
EOF
KG apply -f "$W/adopt.yaml" --applyset adopted >"$W/6.out" 2>"$W/6.err"; rc=$?
[ $rc -eq 1 ] && grep -q '409 Conflict.*kubectl-create' "$W/6.err" && pass "$T/adopt-kubectl-conflict" ||
    fail "$T/adopt-kubectl-conflict" "rc $rc: $(tr '\n' ' ' < "$W/6.err")"
KG apply -f "$W/adopt.yaml" --applyset adopted --force-conflicts -o json >"$W/7.json" 2>"$W/7.err"; rc=$?
[ $rc -eq 0 ] && [ "$(K get deploy web -n adopt -o jsonpath='{.spec.template.spec.containers[0].image}')" = nginx:2.0 ] &&
    [ "$(K get cm settings -n adopt -o jsonpath='{.data.mode}')" = new ] && pass "$T/adopt-kubectl-force" ||
    fail "$T/adopt-kubectl-force" "rc $rc: $(tr '\n' ' ' < "$W/7.err")"
AID=$(summary "$W/7.json" | sed -n 's/.*"applyset":"\([^"]*\)".*/\1/p')
mgr=$(K get deploy web -n adopt -o jsonpath='{range .metadata.managedFields[*]}{.manager}/{.operation} {end}')
[ "$(K get deploy,cm -n adopt -l "applyset.kubernetes.io/part-of=$AID" -o name | wc -l)" = 2 ] &&
    [[ "$mgr" == *kgrender/Apply* ]] && pass "$T/adopt-kubectl-owned" || fail "$T/adopt-kubectl-owned" "managers: $mgr"

# --- adoption: a helm release ---------------------------------------------------------------------------------------
if [ ! -x "$HELM" ]; then
    for c in adopt-helm adopt-helm-in-set helm-still-lists; do skip "$T/$c" "no helm at $HELM (make testenv)"; done
    exit 0
fi
( cd "$W" && "$HELM" create shop >/dev/null 2>&1 )
if ! "$HELM" install shop "$W/shop" -n helmed --create-namespace >"$W/helm.out" 2>&1; then
    for c in adopt-helm adopt-helm-in-set helm-still-lists; do fail "$T/$c" "helm install: $(tail -n 2 "$W/helm.out" | tr '\n' ' ')"; done
    exit 0
fi
# the same objects, rendered by helm, one changed (replicas 1 -> 3): kgrender takes them over
"$HELM" template shop "$W/shop" -n helmed --skip-tests 2>/dev/null | sed 's/^  replicas: 1$/  replicas: 3/' > "$W/helm.yaml"
KG apply -f "$W/helm.yaml" -n helmed --applyset from-helm --force-conflicts -o json >"$W/8.json" 2>"$W/8.err"; rc=$?
[ $rc -eq 0 ] && [ "$(K get deploy shop -n helmed -o jsonpath='{.spec.replicas}')" = 3 ] && pass "$T/adopt-helm" ||
    fail "$T/adopt-helm" "rc $rc: $(tr '\n' ' ' < "$W/8.err")"
HID=$(summary "$W/8.json" | sed -n 's/.*"applyset":"\([^"]*\)".*/\1/p')
n=$(K get deploy,svc,sa -n helmed -l "applyset.kubernetes.io/part-of=$HID" -o name | wc -l)
[ "$n" = 3 ] && [ "$(jfield "$W/8.json" applied)" = "$(grep -c '^kind:' "$W/helm.yaml")" ] && pass "$T/adopt-helm-in-set" ||
    fail "$T/adopt-helm-in-set" "$n members; $(summary "$W/8.json")"
"$HELM" list -n helmed 2>/dev/null | grep -q '^shop' && pass "$T/helm-still-lists" || fail "$T/helm-still-lists" "release gone"
