#!/usr/bin/env bash
# e2e: kgrender apply --wait on a real control plane with the controller
# manager (Deployments get ReplicaSets and Pods; tools/testenv/mark-ready plays
# kubelet): timing out names the Deployment and its failing condition, and
# succeeds once the Pods are marked ready. Then the API server is killed in the
# middle of an apply: a clear error and a non-zero exit; after a restart a
# rerun converges with nothing lost, and a third run changes nothing.
T=apply-wait
CHECKS="wait-timeout-exit wait-timeout-names-deployment wait-timeout-summary wait-ready wait-ready-fast
 server-stopped-exit server-stopped-message server-stopped-summary server-restarted rerun-converges
 rerun-nothing-lost rerun-third-unchanged"
. "$(dirname "$0")/apply-lib.inc"
need_testenv
start_env

D=$W/app
mkdir -p "$D"
cat > "$D/kustomization.yaml" <<'EOF'
namespace: waiting
resources:
- app.yaml
EOF
cat > "$D/app.yaml" <<'EOF'
apiVersion: v1
kind: Namespace
metadata:
  name: waiting
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  mode: test
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: "example.invalid/web:1"}]}
EOF

# --- no kubelet: the Deployment never becomes available ---------------------------------------
start=$SECONDS
KG apply "$D" --wait --timeout 6s >"$W/w1.out" 2>"$W/w1.err"; rc=$?
el=$((SECONDS - start))
[ $rc -eq 1 ] && [ $el -lt 30 ] && pass "$T/wait-timeout-exit" || fail "$T/wait-timeout-exit" "rc $rc after ${el}s"
grep -q '^error: Deployment waiting/web: not ready: .*replicas' "$W/w1.err" && pass "$T/wait-timeout-names-deployment" ||
    fail "$T/wait-timeout-names-deployment" "$(tr '\n' ' ' < "$W/w1.err")"
grep -q 'timed out after 6 s' "$W/w1.err" && grep -q '^  Deployment waiting/web: ' "$W/w1.err" &&
    grep -q '^applied 2, unchanged 0, failed 1, pruned 0 in ' "$W/w1.out" && pass "$T/wait-timeout-summary" ||
    fail "$T/wait-timeout-summary" "$(cat "$W/w1.out" "$W/w1.err" | tr '\n' ' ')"

# --- mark-ready plays kubelet: --wait succeeds ---------------------------------------------------
"$TE/mark-ready" "$S" -n waiting app=web --watch >"$W/mark.log" 2>&1 &
BGPIDS+=($!)
start=$SECONDS
KG apply "$D" --wait --timeout 60s >"$W/w2.out" 2>"$W/w2.err"; rc=$?
el=$((SECONDS - start))
[ $rc -eq 0 ] && grep -q '^applied 0, unchanged 3, failed 0, pruned 0' "$W/w2.out" && pass "$T/wait-ready" ||
    fail "$T/wait-ready" "rc $rc: $(cat "$W/w2.out" "$W/w2.err" | tr '\n' ' ')"
[ $el -lt 45 ] && pass "$T/wait-ready-fast" || fail "$T/wait-ready-fast" "${el}s"

# --- the API server goes away in the middle of an apply ---------------------------------------------
N=1500
K create namespace bulk >/dev/null
cms bulk $N > "$W/bulk.yaml"
KG apply -f "$W/bulk.yaml" --applyset bulk -o json >"$W/b1.json" 2>"$W/b1.err" &
AP=$!
BGPIDS+=($AP)
# kill it once a hundred objects are in: the rest is in flight or queued
for _ in $(seq 1 300); do
    [ "$(grep -c '"result":"applied"' "$W/b1.json" 2>/dev/null)" -ge 100 ] && break
    kill -0 $AP 2>/dev/null || break
    sleep 0.05
done
stop_apiserver
wait $AP; rc=$?
n1=$(grep -c '"result":"applied"' "$W/b1.json")
[ $rc -ne 0 ] && pass "$T/server-stopped-exit" || fail "$T/server-stopped-exit" "rc $rc, $n1 applied"
grep -q '^error: lost the API server: .*\(cannot reach\|no answer from\) the API server' "$W/b1.err" &&
    grep -q "object(s) not applied (or not confirmed); run kgrender apply again" "$W/b1.err" && pass "$T/server-stopped-message" ||
    fail "$T/server-stopped-message" "$(head -c 600 "$W/b1.err" | tr '\n' ' ')"
# every object is accounted for: applied + failed = N
a=$(sed -n 's/^applied \([0-9]*\), unchanged 0, failed \([0-9]*\), .*/\1 \2/p' "$W/b1.err")
[ -n "$a" ] && [ $(( ${a% *} + ${a#* } )) -eq $N ] && [ "${a% *}" -lt $N ] && pass "$T/server-stopped-summary" ||
    fail "$T/server-stopped-summary" "summary '$a' of $N: $(tail -n 1 "$W/b1.err")"
if start_apiserver; then pass "$T/server-restarted"; else
    fail "$T/server-restarted" "$(tail -n 3 "$S/logs/kube-apiserver.log" | tr '\n' ' ')"
fi
KG apply -f "$W/bulk.yaml" --applyset bulk -o json >"$W/b2.json" 2>"$W/b2.err"; rc=$?
[ $rc -eq 0 ] && [ "$(jfield "$W/b2.json" failed)" = 0 ] &&
    [ $(( $(jfield "$W/b2.json" applied) + $(jfield "$W/b2.json" unchanged) )) -eq $N ] && pass "$T/rerun-converges" ||
    fail "$T/rerun-converges" "rc $rc: $(summary "$W/b2.json") $(head -c 300 "$W/b2.err")"
# nothing lost: every ConfigMap there, with its data, in the set
got=$(K get cm -n bulk -l applyset.kubernetes.io/part-of -o jsonpath='{range .items[*]}{.metadata.name}={.data.k}{"\n"}{end}' |
      awk -F= '{sub(/^cm-/, "", $1); if ("v" $1 == $2) ok++} END {print ok + 0}')
[ "$got" = $N ] && pass "$T/rerun-nothing-lost" || fail "$T/rerun-nothing-lost" "$got of $N correct"
KG apply -f "$W/bulk.yaml" --applyset bulk -o json >"$W/b3.json" 2>"$W/b3.err"
[ "$(jfield "$W/b3.json" unchanged)" = $N ] && [ "$(jfield "$W/b3.json" PATCH)" = 0 ] && pass "$T/rerun-third-unchanged" ||
    fail "$T/rerun-third-unchanged" "$(summary "$W/b3.json")"
