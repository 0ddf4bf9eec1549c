#!/usr/bin/env bash
# e2e: the client's retries, against a tiny local HTTP server that answers
# 429, 503, 500, drops connections or stalls on demand
# (test/e2e/cluster-mock-apiserver.py, 127.0.0.1 only), the legacy
# discovery fallback (the mock has no aggregated discovery) and proxy-url.
# 429 is retried for every call after Retry-After; 5xx and dropped
# connections only for idempotent calls (GET, server-side apply); the
# request timeout is not retried; failures are reported, never as success.
T=cluster-retry
CHECKS="legacy-discovery get-ok retry-429-retry-after retry-503-get retry-503-apply no-retry-503-post
 retry-429-post retry-dropped-get dropped-post-reported give-up-500 request-timeout proxy-url"
. "$(dirname "$0")/cluster-lib.inc"
for b in python3 cc pkg-config; do command -v $b >/dev/null 2>&1 || skip_all "$b not installed"; done
build_driver

python3 "$TOP/test/e2e/cluster-mock-apiserver.py" >"$W/port" 2>"$W/mock.log" &
BGPIDS+=($!)
for _ in $(seq 1 50); do [ -s "$W/port" ] && break; sleep 0.1; done
[ -s "$W/port" ] || skip_all "mock server did not start: $(tail -n 2 "$W/mock.log")"
MOCK=http://127.0.0.1:$(cat "$W/port")
cat >"$W/kubeconfig" <<EOF
clusters:
- name: mock
  cluster: {server: '$MOCK'}
users:
- name: u
  user: {token: mock-token}
contexts:
- name: mock
  context: {cluster: mock, user: u, namespace: default}
current-context: mock
EOF
export KUBECONFIG=$W/kubeconfig
D() { "$DRIVER" "$@"; }

# ms CMD...: runs CMD, output in $out, milliseconds in $ms, exit status in $rc
timed() { local t0; t0=$(date +%s%N); out=$("$@" 2>&1); rc=$?; ms=$(( ($(date +%s%N) - t0) / 1000000 )); }

expect legacy-discovery 0 '^configmaps +cm +v1 +true +ConfigMap' "$KGRENDER" api-resources
if "$KGRENDER" api-resources | grep -q 'configmaps/status'; then fail "$T/legacy-discovery" "subresource listed"; fi
expect get-ok 0 'got ok rv=1 attempts=1' D get v1 ConfigMap default ok

timed D get v1 ConfigMap default r429
if [ $rc -eq 0 ] && printf '%s' "$out" | grep -q 'attempts=2' && [ $ms -ge 1000 ]; then pass "$T/retry-429-retry-after"
else fail "$T/retry-429-retry-after" "rc=$rc ${ms}ms: $out"; fi

expect retry-503-get 0 'got r503 rv=3 attempts=3' D get v1 ConfigMap default r503

printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r503-apply\ndata:\n  k: v\n' >"$W/cm.yaml"
expect retry-503-apply 0 'applied 1 objects.* 3 PATCH requests, 0 failed' D apply "$W/cm.yaml"

expect no-retry-503-post nonzero 'status=503 attempts=1 error=.*503 Service Unavailable: the server is currently unable' \
    D raw POST '/api/v1/namespaces/default/configmaps?name=r503-post'
expect retry-429-post 0 'status=200 attempts=2$' D raw POST '/api/v1/namespaces/default/configmaps?name=r429-post'
expect retry-dropped-get 0 'got drop rv=3 attempts=2' D get v1 ConfigMap default drop
expect dropped-post-reported nonzero 'status=0 attempts=1 error=.*no answer from the API server.*(Empty reply|closed|reset)' \
    D raw POST '/api/v1/namespaces/default/configmaps?name=drop-post'
expect give-up-500 nonzero 'ConfigMap default/always500: 500 Internal Server Error: Internal error occurred: etcd is sad \(after 6 attempts\).*attempts=6' \
    D get v1 ConfigMap default always500

timed D --request-timeout=1s get v1 ConfigMap default slow
if [ $rc -ne 0 ] && printf '%s' "$out" | grep -qi 'timed\? \?out' && [ $ms -lt 2500 ]; then pass "$T/request-timeout"
else fail "$T/request-timeout" "rc=$rc ${ms}ms: $out"; fi

# proxy-url: the server's address is unreachable, only the proxy (the mock) answers
sed -e "s#server: '$MOCK'#server: 'http://127.0.0.1:1', proxy-url: '$MOCK'#" "$W/kubeconfig" >"$W/proxied"
expect proxy-url 0 'got ok rv=[0-9]+ attempts=1' D --kubeconfig "$W/proxied" get v1 ConfigMap default ok
