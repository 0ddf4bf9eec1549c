#!/usr/bin/env bash
# e2e: tools/testenv brings up a real control plane (etcd, kube-apiserver,
# kube-controller-manager), kubectl works against it with both users, the
# controllers do their jobs, mark-ready plays kubelet, and down leaves nothing.
# Needs the binaries from `make testenv` (tools/testenv/build) and kubectl; SKIPs
# with the reason otherwise.
. "$(dirname "$0")/../lib.sh"
TE=$TOP/tools/testenv
T=testenv

# running PID:STARTTIME: that process (not a later one that reuses the pid) exists
# and is not a zombie; one read of /proc/PID/stat, so a reap in between cannot fool it.
running() {
    local s
    s=$(cat "/proc/${1%%:*}/stat" 2>/dev/null) || return 1
    s=${s##*) }
    # shellcheck disable=SC2086
    set -- "$1" $s
    [ "$2" != Z ] && [ "${21}" = "${1#*:}" ]
}
# with_start PID...: PID:STARTTIME for each running PID
with_start() {
    local p s
    for p in "$@"; do
        s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
        s=${s##*) }
        # shellcheck disable=SC2086
        set -- $s
        printf '%s:%s ' "$p" "${20}"
    done
}

CHECKS="up warm-start-under-20s version-v1.34.4 apply-namespace-cert crd-established apply-cr-token
 token-context token-only-kubectl curl-token curl-anonymous-rejected whoami-cert whoami-token
 service-range-wide services-300 namespace-deleted gc-deployment deployment-available-mark-ready
 deployment-unmarked-unavailable mark-ready-once down pids-gone port-free state-removed"
skip_all() { for c in $CHECKS; do skip "$T/$c" "$1"; done; exit 0; }
for b in etcd kube-apiserver kube-controller-manager; do
    [ -x "$TE/bin/$b" ] || skip_all "tools/testenv/bin/$b missing (run make testenv)"
done
for c in kubectl openssl curl python3; do
    command -v $c >/dev/null 2>&1 || skip_all "$c not installed"
done

W=$(mktemp -d "${TMPDIR:-/tmp}/kgr-e2e-testenv.XXXXXX")
S=$W/env
WATCHER=
cleanup() {
    [ -n "$WATCHER" ] && kill "$WATCHER" 2>/dev/null && wait "$WATCHER" 2>/dev/null
    [ -d "$S" ] && "$TE/down" "$S" >/dev/null 2>&1
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- up --------------------------------------------------------------------------
t0=$(date +%s%N)
if ! out=$("$TE/up" "$S" 2>"$W/up.log"); then
    fail "$T/up" "$(tail -n 5 "$W/up.log" | tr '\n' ' ')"
    for c in $CHECKS; do [ "$c" = up ] || skip "$T/$c" "environment did not start"; done
    exit 0
fi
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
eval "$out"
pass "$T/up"
secs=$(printf '%d.%01d' $((ms / 1000)) $((ms % 1000 / 100)))
echo "# testenv: warm start (certs, etcd, apiserver ready, controller manager working) ${secs}s"
if [ "$ms" -lt 20000 ]; then pass "$T/warm-start-under-20s"; else fail "$T/warm-start-under-20s" "took ${secs}s"; fi

K() { kubectl --kubeconfig "$KUBECONFIG" --request-timeout=20s "$@"; }
KT() { K --context testenv-token "$@"; }

# --- version ---------------------------------------------------------------------
v=$(K version -o json 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])' 2>&1)
[ "$v" = v1.34.4 ] && pass "$T/version-v1.34.4" || fail "$T/version-v1.34.4" "server version '$v'"

# --- apply with the client certificate, then with the token ------------------------
check "$T/apply-namespace-cert" K apply --server-side -f - <<'YAML'
apiVersion: v1
kind: Namespace
metadata: {name: e2e}
YAML
K apply --server-side -f - >/dev/null 2>"$W/err" <<'YAML'
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.e2e.kgrender.test}
spec:
  group: e2e.kgrender.test
  names: {kind: Widget, plural: widgets, singular: widget}
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
YAML
check "$T/crd-established" K wait --for=condition=Established --timeout=30s crd/widgets.e2e.kgrender.test
check "$T/apply-cr-token" KT apply --server-side -f - <<'YAML'
apiVersion: e2e.kgrender.test/v1
kind: Widget
metadata: {name: w1, namespace: e2e}
spec: {size: 3}
YAML
size=$(K get widget w1 -n e2e -o jsonpath='{.spec.size}' 2>&1)
[ "$size" = 3 ] && pass "$T/token-context" || fail "$T/token-context" "widget size '$size'"
# kubectl with nothing but the token, the CA and the server
check "$T/token-only-kubectl" kubectl --kubeconfig /dev/null --server "$KGR_TEST_SERVER" \
    --certificate-authority "$KGR_TEST_CA" --token "$KGR_TEST_TOKEN" --request-timeout=20s get widget w1 -n e2e
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$KGR_TEST_CA" \
    -H "Authorization: Bearer $KGR_TEST_TOKEN" "$KGR_TEST_SERVER/apis/e2e.kgrender.test/v1/namespaces/e2e/widgets/w1")
[ "$code" = 200 ] && pass "$T/curl-token" || fail "$T/curl-token" "HTTP $code"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --cacert "$KGR_TEST_CA" "$KGR_TEST_SERVER/api/v1/namespaces")
[ "$code" = 401 ] || [ "$code" = 403 ] && pass "$T/curl-anonymous-rejected" || fail "$T/curl-anonymous-rejected" "HTTP $code"
u=$(K auth whoami -o jsonpath='{.status.userInfo.username}' 2>&1)
[ "$u" = kgrender-admin ] && pass "$T/whoami-cert" || fail "$T/whoami-cert" "user '$u'"
u=$(KT auth whoami -o jsonpath='{.status.userInfo.username}' 2>&1)
[ "$u" = kgrender-token ] && pass "$T/whoami-token" || fail "$T/whoami-token" "user '$u'"

# --- service IP range: 10.96.0.0/12, not a /24 ---------------------------------------
check "$T/service-range-wide" K apply --server-side -f - <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: far-ip, namespace: e2e}
spec:
  clusterIP: 10.111.222.3
  ports: [{port: 80}]
YAML
# 300 Services (a /24 runs out at 254), created 8 at a time
svc_out=$(python3 - "$KGR_TEST_SERVER" "$KGR_TEST_CA" "$KGR_TEST_TOKEN" <<'PY' 2>&1
import concurrent.futures, json, ssl, sys, urllib.request
server, ca, token = sys.argv[1:4]
ctx = ssl.create_default_context(cafile=ca)
def create(i):
    body = json.dumps({"apiVersion": "v1", "kind": "Service",
                       "metadata": {"name": "svc-%d" % i},
                       "spec": {"ports": [{"port": 80}], "selector": {"app": "svc-%d" % i}}}).encode()
    req = urllib.request.Request(server + "/api/v1/namespaces/e2e/services", data=body, method="POST",
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, context=ctx, timeout=30) as r:
        return r.status
with concurrent.futures.ThreadPoolExecutor(8) as ex:
    codes = list(ex.map(create, range(300)))
bad = [c for c in codes if c != 201]
print("created %d, failed %d" % (codes.count(201), len(bad)))
sys.exit(1 if bad else 0)
PY
)
n=$(K get services -n e2e --no-headers 2>/dev/null | wc -l)
[ "$n" -ge 301 ] && pass "$T/services-300" || fail "$T/services-300" "$svc_out; $n services"

# --- namespace deletion (namespace controller) ---------------------------------------
K apply --server-side -f - >/dev/null 2>&1 <<'YAML'
apiVersion: v1
kind: Namespace
metadata: {name: doomed}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c1, namespace: doomed}
data: {a: b}
---
apiVersion: v1
kind: Secret
metadata: {name: s1, namespace: doomed}
stringData: {a: b}
YAML
K delete namespace doomed --wait=false >/dev/null 2>&1
gone=
for _ in $(seq 1 60); do
    if ! K get namespace doomed >/dev/null 2>&1; then gone=1; break; fi
    sleep 0.5
done
[ -n "$gone" ] && pass "$T/namespace-deleted" || fail "$T/namespace-deleted" "still there after 30s: $(K get ns doomed -o jsonpath='{.status}' 2>&1)"

# --- garbage collector: deleting a Deployment removes its ReplicaSets and Pods ---------
deploy() { # NAME REPLICAS
    cat <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: $1, namespace: e2e}
spec:
  replicas: $2
  selector: {matchLabels: {app: $1}}
  template:
    metadata: {labels: {app: $1}}
    spec:
      containers: [{name: main, image: registry.invalid/e2e/$1:v1}]
YAML
}
# count KIND SELECTOR: how many exist in e2e
count() { K get "$1" -n e2e -l "$2" --no-headers 2>/dev/null | grep -c . ; }
# wait_for SECONDS CMD...: poll CMD every 0.5 s until it succeeds
wait_for() { local n=$(( $1 * 2 )); shift; while ! "$@"; do n=$((n - 1)); [ $n -gt 0 ] || return 1; sleep 0.5; done; }
deploy gc 2 | K apply --server-side -f - >/dev/null 2>&1
if wait_for 30 eval '[ "$(count pods app=gc)" -eq 2 ] && [ "$(count rs app=gc)" -eq 1 ]'; then
    K delete deployment gc -n e2e --wait=false >/dev/null 2>&1
    if wait_for 30 eval '[ "$(count rs app=gc)" -eq 0 ] && [ "$(count pods app=gc)" -eq 0 ]'; then
        pass "$T/gc-deployment"
    else
        fail "$T/gc-deployment" "after 30s: $(count rs app=gc) replicasets, $(count pods app=gc) pods"
    fi
else
    fail "$T/gc-deployment" "deployment made $(count rs app=gc) replicasets, $(count pods app=gc) pods in 30s"
fi

# --- mark-ready: a marked Deployment becomes Available, an unmarked one does not -------
{ deploy web 2; echo ---; deploy idle 1; echo ---; deploy batch 1; } | K apply --server-side -f - >/dev/null 2>&1
"$TE/mark-ready" "$S" -n e2e app=web --watch >"$W/mark.log" 2>&1 &
WATCHER=$!
check "$T/deployment-available-mark-ready" K rollout status deployment/web -n e2e --timeout=60s
if K rollout status deployment/idle -n e2e --timeout=5s >/dev/null 2>&1; then
    fail "$T/deployment-unmarked-unavailable" "idle became available"
else
    phase=$(K get pods -n e2e -l app=idle -o jsonpath='{.items[*].status.phase}' 2>&1)
    avail=$(K get deployment idle -n e2e -o jsonpath='{.status.availableReplicas}' 2>&1)
    [ "$phase" = Pending ] && [ -z "$avail" ] && pass "$T/deployment-unmarked-unavailable" ||
        fail "$T/deployment-unmarked-unavailable" "phase '$phase', availableReplicas '$avail'"
fi
kill "$WATCHER" 2>/dev/null; wait "$WATCHER" 2>/dev/null; WATCHER=
# once mode: mark batch's Pod after it exists
if wait_for 30 eval '[ "$(count pods app=batch)" -eq 1 ]' &&
    "$TE/mark-ready" "$S" -n e2e app=batch >>"$W/mark.log" 2>&1 &&
    K rollout status deployment/batch -n e2e --timeout=30s >/dev/null 2>&1; then
    pass "$T/mark-ready-once"
else
    fail "$T/mark-ready-once" "$(tail -n 2 "$W/mark.log" | tr '\n' ' ')"
fi

# --- down: every process gone, port free, state removed ------------------------------
pids=$(with_start $(cat "$S"/*.pid 2>/dev/null))
api_port=$(sed -n 's/^apiserver=//p' "$S/ports")
check "$T/down" "$TE/down" "$S"
left=
for p in $pids; do running "$p" && left="$left $p"; done
[ -n "$pids" ] && [ -z "$left" ] && pass "$T/pids-gone" || fail "$T/pids-gone" "pids '$pids', still running:$left"
if python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1])))' "$api_port" 2>/dev/null; then
    pass "$T/port-free"
else
    fail "$T/port-free" "127.0.0.1:$api_port still bound"
fi
[ ! -e "$S" ] && pass "$T/state-removed" || fail "$T/state-removed" "$S still exists"
