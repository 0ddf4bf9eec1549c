#!/usr/bin/env bash
# e2e: kgrender apply against a real control plane (tools/testenv): a CRD with
# its custom resources in one apply, no PATCH for unchanged input (counted by
# the API server itself), only a changed object re-applied, conflicts and
# --force-conflicts, an invalid object among valid ones, drift found by
# --check-drift, dry runs, ordering, cycles, Secret values never printed, and
# the faults a user meets first (unknown kind, missing namespace, 401, 403, TLS,
# no server).
T=apply-basic
CHECKS="crd-and-crs crd-and-crs-served rerun-no-patch rerun-counted-by-server changed-only-one
 conflict-reported conflict-others-applied force-conflicts invalid-among-valid invalid-field-path
 fail-fast carry-on drift-unchanged-without-check drift-found drift-restored dry-run-server dry-run-client
 unknown-kind missing-namespace order-depends-on order-waves cycle-refused secrets-not-printed
 token-auth unauthorized-401 forbidden-403 tls-untrusted server-unreachable"
. "$(dirname "$0")/apply-lib.inc"
need_testenv
start_env nokcm

# --- a CRD and its custom resources in one apply ---------------------------------------
D=$W/app
mkdir -p "$D"
cat > "$D/kustomization.yaml" <<'EOF'
namespace: shop
resources:
- ns.yaml
- crd.yaml
- widgets.yaml
EOF
cat > "$D/ns.yaml" <<'EOF'
apiVersion: v1
kind: Namespace
metadata:
  name: shop
EOF
cat > "$D/crd.yaml" <<'EOF'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
EOF
widgets() {
    cat > "$D/widgets.yaml" <<EOF
apiVersion: example.com/v1
kind: Widget
metadata: {name: small}
spec: {size: $1}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: large}
spec: {size: 100}
EOF
}
widgets 1
KG apply "$D" -o json >"$W/a1.json" 2>"$W/a1.err"; rc=$?
[ $rc -eq 0 ] && [ "$(jfield "$W/a1.json" applied)" = 4 ] && pass "$T/crd-and-crs" ||
    fail "$T/crd-and-crs" "rc $rc: $(tail -n 3 "$W/a1.err" | tr '\n' ' ')"
got=$(K get widgets -n shop -o jsonpath='{.items[*].spec.size}' 2>&1)
[ "$got" = "100 1" ] || [ "$got" = "1 100" ] && pass "$T/crd-and-crs-served" || fail "$T/crd-and-crs-served" "$got"

# --- unchanged input: no PATCH at all -------------------------------------------------------
before=$(applies widgets secrets namespaces customresourcedefinitions)
KG apply "$D" -o json >"$W/a2.json" 2>"$W/a2.err"; rc=$?
after=$(applies widgets secrets namespaces customresourcedefinitions)
[ $rc -eq 0 ] && [ "$(jfield "$W/a2.json" PATCH)" = 0 ] && [ "$(jfield "$W/a2.json" unchanged)" = 4 ] &&
    pass "$T/rerun-no-patch" || fail "$T/rerun-no-patch" "rc $rc: $(summary "$W/a2.json")"
[ "$before" = "$after" ] && [ -n "$before" ] && [ "$before" -gt 0 ] && pass "$T/rerun-counted-by-server" ||
    fail "$T/rerun-counted-by-server" "server counted APPLY $before -> $after"

# --- one object changed: only it is applied ---------------------------------------------------
widgets 2
before=$(applies widgets)
KG apply "$D" -o json >"$W/a3.json" 2>"$W/a3.err"
after=$(applies widgets)
[ "$(events "$W/a3.json" applied)" = "Widget shop/small" ] && [ "$(jfield "$W/a3.json" PATCH)" = 1 ] &&
    [ $((after - before)) -eq 1 ] && [ "$(K get widget small -n shop -o jsonpath='{.spec.size}')" = 2 ] &&
    pass "$T/changed-only-one" || fail "$T/changed-only-one" "applied: $(events "$W/a3.json" applied | tr '\n' ,) server +$((after - before))"

# --- conflicts -----------------------------------------------------------------------------------
K create namespace web >/dev/null
K create configmap owned -n web --from-literal=k=old >/dev/null
stream_conflict() {
    cat <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: owned, namespace: web}
data: {k: new}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: free, namespace: web}
data: {k: v}
EOF
}
stream_conflict | KG apply -f - >"$W/c1.out" 2>"$W/c1.err"; rc=$?
[ $rc -eq 1 ] && grep -q 'ConfigMap web/owned: 409 Conflict' "$W/c1.err" && grep -q '\.data\.k' "$W/c1.err" &&
    grep -q 'kubectl-create' "$W/c1.err" && pass "$T/conflict-reported" ||
    fail "$T/conflict-reported" "rc $rc: $(tr '\n' ' ' < "$W/c1.err")"
K get configmap free -n web >/dev/null 2>&1 && pass "$T/conflict-others-applied" || fail "$T/conflict-others-applied" "free missing"
stream_conflict | KG apply -f - --force-conflicts >"$W/c2.out" 2>"$W/c2.err"; rc=$?
[ $rc -eq 0 ] && [ "$(K get cm owned -n web -o jsonpath='{.data.k}')" = new ] && pass "$T/force-conflicts" ||
    fail "$T/force-conflicts" "rc $rc: $(tr '\n' ' ' < "$W/c2.err")"

# --- an invalid object among valid ones -------------------------------------------------------------
{ cms web 3 ok-; cat <<'EOF'
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken, namespace: web}
spec:
  replicas: -1
  selector: {matchLabels: {app: broken}}
  template:
    metadata: {labels: {app: broken}}
    spec: {containers: [{name: c, image: nginx}]}
EOF
} > "$W/invalid.yaml"
KG apply -f "$W/invalid.yaml" >"$W/i.out" 2>"$W/i.err"; rc=$?
n=$(K get cm -n web -o name 2>/dev/null | grep -c 'configmap/ok-')
[ $rc -eq 1 ] && [ "$n" = 3 ] && grep -q 'applied 3, unchanged 0, failed 1' "$W/i.out" && pass "$T/invalid-among-valid" ||
    fail "$T/invalid-among-valid" "rc $rc, $n configmaps, $(tail -n 1 "$W/i.out")"
grep -q 'Deployment web/broken: 422 .*spec.replicas' "$W/i.err" && pass "$T/invalid-field-path" ||
    fail "$T/invalid-field-path" "$(tr '\n' ' ' < "$W/i.err")"

# --fail-fast: nothing after the first failure is sent; without it the next wave still goes
cat > "$W/ff.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: "Bad_Name", namespace: web}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: after, namespace: web, annotations: {kgrender.io/apply-wave: "1"}}
EOF
KG apply -f "$W/ff.yaml" --fail-fast >"$W/ff.out" 2>"$W/ff.err"; rc=$?
[ $rc -eq 1 ] && ! K get cm after -n web >/dev/null 2>&1 && grep -q 'stopped at the first failure' "$W/ff.err" &&
    grep -q '1 object(s) not applied' "$W/ff.err" && pass "$T/fail-fast" || fail "$T/fail-fast" "rc $rc: $(tr '\n' ' ' < "$W/ff.err")"
KG apply -f "$W/ff.yaml" >"$W/ff2.out" 2>"$W/ff2.err"; rc=$?
[ $rc -eq 1 ] && K get cm after -n web >/dev/null 2>&1 && pass "$T/carry-on" || fail "$T/carry-on" "rc $rc: $(tr '\n' ' ' < "$W/ff2.err")"

# --- drift made with kubectl ------------------------------------------------------------------------
cms web 3 ok- > "$W/ok.yaml"
KG apply -f "$W/ok.yaml" >/dev/null 2>&1
K patch configmap ok-2 -n web --type merge -p '{"data":{"k":"changed-by-hand"}}' >/dev/null
KG apply -f "$W/ok.yaml" -o json >"$W/d1.json" 2>/dev/null
[ "$(jfield "$W/d1.json" unchanged)" = 3 ] && [ "$(jfield "$W/d1.json" PATCH)" = 0 ] &&
    pass "$T/drift-unchanged-without-check" || fail "$T/drift-unchanged-without-check" "$(summary "$W/d1.json")"
KG apply -f "$W/ok.yaml" --check-drift -o json >"$W/d2.json" 2>"$W/d2.err"
[ "$(grep '"result":"applied (drift)"' "$W/d2.json" | sed -n 's/.*"object":"\([^"]*\)".*/\1/p')" = "ConfigMap web/ok-2" ] &&
    [ "$(jfield "$W/d2.json" applied)" = 1 ] && pass "$T/drift-found" || fail "$T/drift-found" "$(grep result "$W/d2.json" | tr '\n' ' ')"
[ "$(K get cm ok-2 -n web -o jsonpath='{.data.k}')" = v2 ] && pass "$T/drift-restored" ||
    fail "$T/drift-restored" "data.k = $(K get cm ok-2 -n web -o jsonpath='{.data.k}')"

# --- dry runs -------------------------------------------------------------------------------------------
cms web 2 dry- > "$W/dry.yaml"
before=$(applies configmaps)
KG apply -f "$W/dry.yaml" --dry-run=server >"$W/dr.out" 2>&1; rc=$?
[ $rc -eq 0 ] && ! K get cm dry-1 -n web >/dev/null 2>&1 && grep -q 'server dry run' "$W/dr.out" &&
    pass "$T/dry-run-server" || fail "$T/dry-run-server" "rc $rc: $(tr '\n' ' ' < "$W/dr.out")"
mid=$(applies configmaps)
KG apply -f "$W/dry.yaml" --dry-run=client >"$W/dc.out" 2>&1; rc=$?
after=$(applies configmaps)
[ $rc -eq 0 ] && [ "$mid" = "$after" ] && [ $((mid - before)) -eq 2 ] && ! K get cm dry-1 -n web >/dev/null 2>&1 &&
    pass "$T/dry-run-client" || fail "$T/dry-run-client" "rc $rc, APPLY $before/$mid/$after"

# --- bad input ---------------------------------------------------------------------------------------------
printf 'apiVersion: example.com/v9\nkind: Gadget\nmetadata: {name: g, namespace: web}\n' |
    KG apply -f - >"$W/u.out" 2>"$W/u.err"; rc=$?
[ $rc -eq 1 ] && grep -q 'Gadget web/g: unknown kind' "$W/u.err" && pass "$T/unknown-kind" ||
    fail "$T/unknown-kind" "rc $rc: $(tr '\n' ' ' < "$W/u.err")"
cms nowhere 1 | KG apply -f - >"$W/m.out" 2>"$W/m.err"; rc=$?
[ $rc -eq 1 ] && grep -q 'ConfigMap nowhere/cm-1: 404 .*namespaces "nowhere" not found' "$W/m.err" &&
    pass "$T/missing-namespace" || fail "$T/missing-namespace" "rc $rc: $(tr '\n' ' ' < "$W/m.err")"

# --- order: depends-on and waves (the -o json events come in apply order) ------------------------------
cat > "$W/order.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: late
  namespace: web
  annotations: {kgrender.io/apply-wave: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: second
  namespace: web
  annotations: {kgrender.io/depends-on: "ConfigMap/web/first"}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: first
  namespace: web
  annotations: {kgrender.io/depends-on: "ClusterRole/reader"}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: []
EOF
KG apply -f "$W/order.yaml" -o json >"$W/o.json" 2>"$W/o.err"
order=$(events "$W/o.json" applied | tr '\n' ' ')
[ "$order" = "ClusterRole reader ConfigMap web/first ConfigMap web/second ConfigMap web/late " ] &&
    pass "$T/order-depends-on" || fail "$T/order-depends-on" "order: $order $(tr '\n' ' ' < "$W/o.err")"
# waves before stages: a Namespace of wave 1 comes after a ConfigMap of wave 0
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: wave1\n  annotations: {kgrender.io/apply-wave: "1"}\n---\n' > "$W/waves.yaml"
cms web 1 wave0- >> "$W/waves.yaml"
KG apply -f "$W/waves.yaml" -o json >"$W/w.json" 2>/dev/null
[ "$(events "$W/w.json" applied | tr '\n' ' ')" = "ConfigMap web/wave0-1 Namespace wave1 " ] && pass "$T/order-waves" ||
    fail "$T/order-waves" "$(events "$W/w.json" applied | tr '\n' ' ')"
cat > "$W/cycle.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: hen, namespace: web, annotations: {kgrender.io/depends-on: "ConfigMap/web/egg"}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: egg, namespace: web, annotations: {kgrender.io/depends-on: "ConfigMap/web/hen"}}
EOF
before=$(applies configmaps)
KG apply -f "$W/cycle.yaml" >"$W/cy.out" 2>"$W/cy.err"; rc=$?
[ $rc -eq 1 ] && grep -q 'dependency cycle: ConfigMap web/\(hen\|egg\) depends on ConfigMap web/\(egg\|hen\) depends on' "$W/cy.err" &&
    [ "$before" = "$(applies configmaps)" ] && pass "$T/cycle-refused" ||
    fail "$T/cycle-refused" "rc $rc: $(tr '\n' ' ' < "$W/cy.err")"

# --- Secret values never appear in any output ---------------------------------------------------------------
cat > "$W/secret.yaml" <<'EOF'
apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: web}
stringData: {password: Sup3r-S3cret-Passw0rd}
---
apiVersion: v1
kind: Secret
metadata: {name: creds2, namespace: web, labels: {"bad label!": x}}
data: {token: QW5vdGhlci1Ub2tlbi1WYWx1ZQ==}
EOF
KG apply -f "$W/secret.yaml" -o json >"$W/s.json" 2>"$W/s.err"
KG apply -f "$W/secret.yaml" >"$W/s.out" 2>>"$W/s.err"
if cat "$W/s.json" "$W/s.err" "$W/s.out" | grep -q -e 'Sup3r-S3cret' -e 'QW5vdGhlci1Ub2tlbi1WYWx1ZQ' -e 'Another-Token-Value' -e 'U3VwM3'; then
    fail "$T/secrets-not-printed" "a Secret value was printed"
elif grep -q 'Secret web/creds2: 422' "$W/s.err"; then
    pass "$T/secrets-not-printed"
else
    fail "$T/secrets-not-printed" "expected the invalid Secret's error: $(tr '\n' ' ' < "$W/s.err")"
fi

# --- access faults ----------------------------------------------------------------------------------------------
cms web 1 auth- > "$W/auth.yaml"
KG apply -f "$W/auth.yaml" --context testenv-token >"$W/tok.out" 2>"$W/tok.err"; rc=$?
[ $rc -eq 0 ] && grep -q '^ConfigMap web/auth-1 applied$' "$W/tok.out" && pass "$T/token-auth" ||
    fail "$T/token-auth" "rc $rc: $(tr '\n' ' ' < "$W/tok.err")"
KG apply -f "$W/auth.yaml" --context testenv-token --token not-a-valid-token >"$W/401.out" 2>"$W/401.err"; rc=$?
[ $rc -ne 0 ] && grep -q '401 Unauthorized' "$W/401.err" && pass "$T/unauthorized-401" ||
    fail "$T/unauthorized-401" "rc $rc: $(tr '\n' ' ' < "$W/401.err")"
kubeconfig_for nobody "" "$W/nobody.kubeconfig"
KG apply -f "$W/auth.yaml" --kubeconfig "$W/nobody.kubeconfig" >"$W/403.out" 2>"$W/403.err"; rc=$?
[ $rc -ne 0 ] && grep -q '403 Forbidden' "$W/403.err" && grep -q 'ConfigMap web/auth-1\|configmaps' "$W/403.err" &&
    pass "$T/forbidden-403" || fail "$T/forbidden-403" "rc $rc: $(tr '\n' ' ' < "$W/403.err")"
sed "s#certificate-authority: .*#certificate-authority: $S/pki/client-ca.crt#" "$W/nobody.kubeconfig" > "$W/badca.kubeconfig"
KG apply -f "$W/auth.yaml" --kubeconfig "$W/badca.kubeconfig" >"$W/tls.out" 2>"$W/tls.err"; rc=$?
[ $rc -ne 0 ] && grep -qi 'certificate' "$W/tls.err" && pass "$T/tls-untrusted" ||
    fail "$T/tls-untrusted" "rc $rc: $(tr '\n' ' ' < "$W/tls.err")"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
KG apply -f "$W/auth.yaml" --server "https://127.0.0.1:$port" >"$W/down.out" 2>"$W/down.err"; rc=$?
[ $rc -ne 0 ] && grep -q 'cannot reach the API server' "$W/down.err" && pass "$T/server-unreachable" ||
    fail "$T/server-unreachable" "rc $rc: $(tr '\n' ' ' < "$W/down.err")"
