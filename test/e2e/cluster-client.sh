#!/usr/bin/env bash
# e2e: the API calls of the cluster client against a real API server
# (tools/testenv): server-side apply (create, no-op, conflict with another
# field manager and force, dry run, validation errors with their causes,
# unknown kinds and namespaces), get and delete, paged metadata-only lists
# with label selectors, watches running next to other calls, custom
# resources once their CRD is established.
T=cluster-client
CHECKS="apply-create apply-noop apply-conflict apply-force dry-run-not-stored invalid-causes unknown-kind
 missing-namespace get delete get-after-delete list-pages list-selector list-cluster-scoped watch-events
 nested-calls crd-then-cr"
. "$(dirname "$0")/cluster-lib.inc"
need_testenv
build_driver
start_env
D() { "$DRIVER" "$@"; }
kubectl create namespace app >/dev/null 2>&1

cm() { printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  namespace: app\n  labels: {set: "%s"}\ndata:\n  k: "%s"\n' "$1" "$2" "$3"; }

# --- server-side apply ---------------------------------------------------------------
cm web a 1 >"$W/web.yaml"
expect apply-create 0 'applied 1 objects.* 1 PATCH requests, 0 failed' D apply "$W/web.yaml"
expect apply-noop 0 'applied 1 objects.*0 failed' D apply "$W/web.yaml"
kubectl patch cm -n app web --type merge -p '{"data":{"k":"2"}}' --field-manager=someone-else >/dev/null
cm web a 3 >"$W/web3.yaml"
expect apply-conflict nonzero 'ConfigMap app/web: 409 Conflict: Apply failed with 1 conflict: conflict with "someone-else".*\.data\.k.*reason=Conflict' \
    D apply "$W/web3.yaml"
if D apply "$W/web3.yaml" --force >/dev/null 2>&1 && [ "$(kubectl get cm -n app web -o jsonpath='{.data.k}')" = 3 ]; then
    pass "$T/apply-force"
else fail "$T/apply-force" "data.k is $(kubectl get cm -n app web -o jsonpath='{.data.k}')"; fi

cm dry a 1 >"$W/dry.yaml"
if D apply "$W/dry.yaml" --dry-run >/dev/null 2>&1 && ! kubectl get cm -n app dry >/dev/null 2>&1; then
    pass "$T/dry-run-not-stored"
else fail "$T/dry-run-not-stored" "a dry-run apply created the object"; fi

printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: bad\n  namespace: app\nspec:\n  ports:\n  - port: 99999\n' >"$W/bad.yaml"
expect invalid-causes nonzero 'Service app/bad: 422 Unprocessable Entity: Service "bad" is invalid: .*spec.ports\[0\].port: Invalid value: 99999: must be between 1 and 65535.*reason=Invalid' \
    D apply "$W/bad.yaml"
printf 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n' >"$W/widget.yaml"
expect unknown-kind nonzero 'Widget w: no matches for kind "Widget" in version "example.com/v1"' D apply "$W/widget.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: nowhere\n' >"$W/nons.yaml"
expect missing-namespace nonzero 'ConfigMap nowhere/x: 404 Not Found: namespaces "nowhere" not found.*reason=NotFound' \
    D apply "$W/nons.yaml"

# --- get, delete -------------------------------------------------------------------------
expect get 0 'got web rv=[0-9]+ attempts=1' D get v1 ConfigMap app web
expect delete 0 'deleted 1 objects.* 1 DELETE requests, 0 failed' D delete "$W/web.yaml"
expect get-after-delete nonzero 'ConfigMap app/web: 404 Not Found: configmaps "web" not found.*reason=NotFound' \
    D get v1 ConfigMap app web

# --- lists -----------------------------------------------------------------------------------
for i in $(seq 1 1100); do cm "many-$i" $((i % 2)) "$i"; echo ---; done >"$W/many.yaml"
D apply "$W/many.yaml" >"$W/many.out" 2>&1 || fail "$T/list-pages" "apply of 1100 ConfigMaps: $(tail -n 2 "$W/many.out")"
expect list-pages 0 'listed 1100 items in 3 pages \(PartialObjectMetadataList\)' D list v1 ConfigMap app ""
expect list-selector 0 'listed 550 items in 2 pages' D list v1 ConfigMap app 'set in (1)'
expect list-cluster-scoped 0 'listed [0-9]+ items in 1 pages \(PartialObjectMetadataList\)' D list v1 Namespace "" ""

# --- watch -------------------------------------------------------------------------------------
cm watched a 1 | kubectl apply -f - >/dev/null
D watch v1 ConfigMap app watched 3 >"$W/watch.out" 2>&1 &
wpid=$!
BGPIDS+=($wpid)
for _ in $(seq 1 50); do grep -q 'event ADDED watched' "$W/watch.out" && break; sleep 0.1; done
kubectl patch cm -n app watched --type merge -p '{"data":{"k":"2"}}' >/dev/null
kubectl patch cm -n app watched --type merge -p '{"data":{"k":"3"}}' >/dev/null
for _ in $(seq 1 50); do kill -0 $wpid 2>/dev/null || break; sleep 0.1; done
if ! kill -0 $wpid 2>/dev/null && wait $wpid && [ "$(grep -c '^event ' "$W/watch.out")" = 3 ] &&
    grep -q 'event MODIFIED watched' "$W/watch.out" && grep -q 'watch ended after 3 events' "$W/watch.out"; then
    pass "$T/watch-events"
else fail "$T/watch-events" "$(tr '\n' ' ' <"$W/watch.out")"; fi

# A synchronous call (discovery refresh) inside a callback, a watch stopped
# from a callback, and a close with calls still pending (no callbacks then).
expect nested-calls 0 'got watched .*refresh in callback: ok, watch still pending: yes.*watch done error=none.*pending at close: 2' \
    bash -o pipefail -c "'$DRIVER' nested app watched | tr '\\n' ' '"

# --- a custom resource after its CRD --------------------------------------------------------------
cat >"$W/crd.yaml" <<'EOF'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, shortNames: [wd]}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
EOF
printf 'apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: app\nspec: {size: 3}\n' >"$W/widget.yaml"
if D apply "$W/crd.yaml" >/dev/null 2>&1 && kubectl wait --for condition=established --timeout=20s crd/widgets.example.com >/dev/null 2>&1 &&
    D apply "$W/widget.yaml" >/dev/null 2>&1 && "$KGRENDER" api-resources --api-group example.com | grep -q '^widgets *wd *example.com/v1 *true *Widget$'; then
    pass "$T/crd-then-cr"
else fail "$T/crd-then-cr" "$(D apply "$W/widget.yaml" 2>&1 | tail -n 1)"; fi
