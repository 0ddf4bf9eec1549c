#!/usr/bin/env bash
# e2e: cluster access as kubectl has it, against a real API server
# (tools/testenv): client certificates (inline and files), bearer token
# (kubeconfig, flags only, token file), KUBECONFIG merging, namespaces from
# context and flag, exec credential plugins (token, client certificate,
# expiry honoured, refresh after a 401, missing or failing plugin), the
# in-cluster service account, insecure-skip-tls-verify (with its warning),
# tls-server-name,
# basic auth refused, TLS trust errors, a server that is down. Secrets never
# appear in any output.
T=cluster-auth
CHECKS="client-cert client-cert-files token token-flags-only token-rejected tokenfile kubeconfig-merge
 context-namespace namespace-flag exec-token exec-cached exec-expired exec-cert exec-refresh-401
 exec-missing exec-failing exec-failure-once in-cluster in-cluster-namespace insecure-flag insecure-kubeconfig
 system-trust-tls-error wrong-ca tls-server-name tls-server-name-mismatch basic-auth-refused server-down
 secrets-not-printed"
. "$(dirname "$0")/cluster-lib.inc"
need_testenv
build_driver
start_env

PKI=$S/pki
CA_DATA=$(base64 -w0 <"$KGR_TEST_CA")
ALL_OUT=$W/all-output   # everything kgrender printed, searched for secrets at the end
: >"$ALL_OUT"
K() { "$KGRENDER" "$@" 2>&1 | tee -a "$ALL_OUT"; return "${PIPESTATUS[0]}"; }
D() { "$DRIVER" "$@" 2>&1 | tee -a "$ALL_OUT"; return "${PIPESTATUS[0]}"; }
mkdir -p "$W/home"

# kcfg FILE CLUSTER-YAML USER-YAML [NAMESPACE]: a one-context kubeconfig.
kcfg() {
    { printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n%s\n' "$2"
      printf 'users:\n- name: u\n  user:\n%s\n' "$3"
      printf 'contexts:\n- name: x\n  context: {cluster: c, user: u%s}\ncurrent-context: x\n' "${4:+, namespace: $4}"
    } >"$1"
}
CLUSTER="    server: $KGR_TEST_SERVER
    certificate-authority-data: $CA_DATA"
TOKEN_USER="    token: $KGR_TEST_TOKEN"

# --- certificates and tokens -----------------------------------------------------
expect client-cert 0 'deployments +deploy +apps/v1 +true +Deployment' K api-resources

mkdir -p "$W/files/pki"
cp "$PKI/admin.crt" "$PKI/admin.key" "$KGR_TEST_CA" "$W/files/pki/"
kcfg "$W/files/config" "    server: $KGR_TEST_SERVER
    certificate-authority: pki/ca.crt" "    client-certificate: pki/admin.crt
    client-key: pki/admin.key"
expect client-cert-files 0 'configmaps' K api-resources --kubeconfig "$W/files/config"

expect token 0 'configmaps' K api-resources --context testenv-token
expect token-flags-only 0 'configmaps' env KUBECONFIG= HOME="$W/home" "$KGRENDER" api-resources \
    --server "$KGR_TEST_SERVER" --certificate-authority "$KGR_TEST_CA" --token "$KGR_TEST_TOKEN"
expect token-rejected nonzero '401 Unauthorized.*rejected the credentials' \
    K api-resources --context testenv-token --token "kgr-wrong-token-0123456789"

printf '%s\n' "$KGR_TEST_TOKEN" >"$W/files/tok"
kcfg "$W/files/tokenfile" "$CLUSTER" "    tokenFile: tok"
expect tokenfile 0 'configmaps' K api-resources --kubeconfig "$W/files/tokenfile"

# Two files: the first's current-context (and its namespace) wins, the cluster
# and user come from the second; a missing file in the list is skipped.
printf 'contexts:\n- name: merged\n  context: {cluster: c, user: u, namespace: merged-ns}\ncurrent-context: merged\n' >"$W/first"
kcfg "$W/second" "$CLUSTER" "$TOKEN_USER"
expect kubeconfig-merge 0 'configmaps' env KUBECONFIG="$W/first:$W/missing:$W/second" "$KGRENDER" api-resources

# --- namespaces --------------------------------------------------------------------
cm() { printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\ndata:\n  k: v\n' "$1"; }
kubectl create namespace ctx-ns >/dev/null 2>&1
kubectl create namespace flag-ns >/dev/null 2>&1
kcfg "$W/nsctx" "$CLUSTER" "$TOKEN_USER" ctx-ns
cm from-context >"$W/cm1.yaml"
if D --kubeconfig "$W/nsctx" apply "$W/cm1.yaml" >/dev/null && kubectl get cm -n ctx-ns from-context >/dev/null 2>&1; then
    pass "$T/context-namespace"
else fail "$T/context-namespace" "ConfigMap not created in the context's namespace"; fi
cm from-flag >"$W/cm2.yaml"
if D --kubeconfig "$W/nsctx" -n flag-ns apply "$W/cm2.yaml" >/dev/null && kubectl get cm -n flag-ns from-flag >/dev/null 2>&1; then
    pass "$T/namespace-flag"
else fail "$T/namespace-flag" "ConfigMap not created in the -n namespace"; fi

# --- exec credential plugins ----------------------------------------------------------
# plugin MODE: prints an ExecCredential; every run appends a line to $W/runs.
cat >"$W/plugin" <<EOF
#!/bin/sh
echo run >>"$W/runs"
case "\$KUBERNETES_EXEC_INFO" in *'"kind":"ExecCredential"'*'"interactive":false'*) ;; *) echo "bad KUBERNETES_EXEC_INFO" >&2; exit 4;; esac
[ "\$PLUGIN_ENV" = from-kubeconfig ] || { echo "env not passed" >&2; exit 5; }
case "\$1" in
token) tok=$KGR_TEST_TOKEN ;;
wrong-first) if [ -f "$W/runs-seen" ]; then tok=$KGR_TEST_TOKEN; else : >"$W/runs-seen"; tok=expired-token-abc; fi ;;
cert) printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"%s","clientKeyData":"%s"}}\n' \
        "\$(awk '{printf "%s\\\\n", \$0}' "$PKI/admin.crt")" "\$(awk '{printf "%s\\\\n", \$0}' "$PKI/admin.key")"; exit 0 ;;
fail) echo "please run: login-tool login" >&2; exit 1 ;;
esac
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"%s"}}\n' "\$tok" "\$2"
EOF
chmod +x "$W/plugin"
exec_user() {
    printf '    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: %s\n' "$1"
    printf '      args: [%s]\n      env: [{name: PLUGIN_ENV, value: from-kubeconfig}]\n' "$2"
    printf '      interactiveMode: Never\n      installHint: "install it with: apt-get install login-tool"\n'
}
runs() { [ -f "$W/runs" ] && wc -l <"$W/runs" || echo 0; }
for i in $(seq 1 10); do cm "exec-$i"; echo ---; done >"$W/ten.yaml"
kubectl create namespace exec-ns >/dev/null 2>&1

kcfg "$W/exec-future" "$CLUSTER" "$(exec_user "$W/plugin" 'token, "2999-01-01T00:00:00Z"')" exec-ns
rm -f "$W/runs"
expect exec-token 0 'applied 10 objects.*0 failed' D --kubeconfig "$W/exec-future" apply "$W/ten.yaml"
[ "$(runs)" -eq 1 ] && pass "$T/exec-cached" || fail "$T/exec-cached" "plugin ran $(runs) times for 12 requests, want 1"

kcfg "$W/exec-past" "$CLUSTER" "$(exec_user "$W/plugin" 'token, "2001-01-01T00:00:00Z"')" exec-ns
rm -f "$W/runs"
out=$(D --kubeconfig "$W/exec-past" apply "$W/ten.yaml")
n=$(runs)
# an expired credential is fetched again for every request: 2 discovery GETs + 10 PATCHes
if [ "$n" -eq 12 ]; then pass "$T/exec-expired"; else fail "$T/exec-expired" "plugin ran $n times, want 12 ($out)"; fi

kcfg "$W/exec-cert" "$CLUSTER" "$(exec_user "$W/plugin" cert)" exec-ns
expect exec-cert 0 'applied 10 objects.*0 failed' D --kubeconfig "$W/exec-cert" apply "$W/ten.yaml"

kcfg "$W/exec-401" "$CLUSTER" "$(exec_user "$W/plugin" 'wrong-first, ""')" exec-ns
rm -f "$W/runs" "$W/runs-seen"
out=$(D --kubeconfig "$W/exec-401" --concurrency 1 apply "$W/ten.yaml")
n=$(runs)
if printf '%s' "$out" | grep -q '0 failed' && [ "$n" -eq 2 ]; then pass "$T/exec-refresh-401"
else fail "$T/exec-refresh-401" "plugin ran $n times (want 2): $out"; fi

kcfg "$W/exec-missing" "$CLUSTER" "$(exec_user no-such-login-tool token)"
expect exec-missing nonzero 'no-such-login-tool not found.*|install it with: apt-get install login-tool' \
    K api-resources --kubeconfig "$W/exec-missing"
kcfg "$W/exec-fail" "$CLUSTER" "$(exec_user "$W/plugin" fail)"
rm -f "$W/runs"
expect exec-failing nonzero 'getting credentials: .*users\[u\]\.user\.exec: .*plugin failed with exit status 1: please run: login-tool login' \
    K api-resources --kubeconfig "$W/exec-fail"
# the calls queued behind a failed plugin fail with its message; it is not run for each
[ "$(runs)" -eq 1 ] && pass "$T/exec-failure-once" || fail "$T/exec-failure-once" "plugin ran $(runs) times"


# --- in-cluster ----------------------------------------------------------------------------
mkdir -p "$W/sa"
printf '%s' "$KGR_TEST_TOKEN" >"$W/sa/token"
cp "$KGR_TEST_CA" "$W/sa/ca.crt"
printf 'pod-ns' >"$W/sa/namespace"
kubectl create namespace pod-ns >/dev/null 2>&1
incluster() { env -u KUBECONFIG HOME="$W/home" KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT="$PORT" \
    KGR_SERVICEACCOUNT_DIR="$W/sa" "$@"; }
expect in-cluster 0 'configmaps' incluster "$KGRENDER" api-resources
cm in-pod >"$W/cm3.yaml"
if incluster "$DRIVER" apply "$W/cm3.yaml" >>"$ALL_OUT" 2>&1 && kubectl get cm -n pod-ns in-pod >/dev/null 2>&1; then
    pass "$T/in-cluster-namespace"
else fail "$T/in-cluster-namespace" "ConfigMap not created in the service account's namespace"; fi

# --- TLS trust -----------------------------------------------------------------------------
kcfg "$W/noca" "    server: $KGR_TEST_SERVER" "$TOKEN_USER"
expect insecure-flag 0 'Warning: TLS certificate verification is disabled.*insecure' \
    K api-resources --kubeconfig "$W/noca" --insecure-skip-tls-verify
kcfg "$W/insecure" "    server: $KGR_TEST_SERVER
    insecure-skip-tls-verify: true" "$TOKEN_USER"
expect insecure-kubeconfig 0 'Warning: TLS certificate verification is disabled' K api-resources --kubeconfig "$W/insecure"
expect system-trust-tls-error nonzero 'cannot reach the API server.*SSL certificate problem.*certificate-authority' \
    K api-resources --kubeconfig "$W/noca"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/other.key" -out "$W/other.crt" -days 1 -subj /CN=other-ca \
    >/dev/null 2>&1
kcfg "$W/wrongca" "    server: $KGR_TEST_SERVER
    certificate-authority-data: $(base64 -w0 <"$W/other.crt")" "$TOKEN_USER"
expect wrong-ca nonzero 'SSL certificate problem.*not trusted' K api-resources --kubeconfig "$W/wrongca"

# tls-server-name: the certificate is checked against that name (the serving
# certificate has localhost and 127.0.0.1), while connecting to the server's address
kcfg "$W/tsn" "$CLUSTER
    tls-server-name: localhost" "$TOKEN_USER"
expect tls-server-name 0 'configmaps' K api-resources --kubeconfig "$W/tsn"
kcfg "$W/tsn-bad" "$CLUSTER
    tls-server-name: other.example" "$TOKEN_USER"
expect tls-server-name-mismatch nonzero "cannot reach the API server $KGR_TEST_SERVER: .*other.example" \
    K api-resources --kubeconfig "$W/tsn-bad"

kcfg "$W/basic" "$CLUSTER" "    username: admin
    password: kgr-basic-password-42"
expect basic-auth-refused nonzero 'users\[u\]\.user\.username: basic authentication .* is not supported' \
    K api-resources --kubeconfig "$W/basic"

# --- a server that is down ------------------------------------------------------------------
free=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
kcfg "$W/down" "    server: https://127.0.0.1:$free
    certificate-authority-data: $CA_DATA" "$TOKEN_USER"
t0=$(date +%s%N)
out=$(K api-resources --kubeconfig "$W/down"); rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
if [ $rc -ne 0 ] && printf '%s' "$out" | grep -q "cannot reach the API server https://127.0.0.1:$free: .*onnect" && [ $ms -lt 5000 ]; then
    pass "$T/server-down"
else fail "$T/server-down" "rc=$rc after ${ms}ms: $out"; fi

# --- nothing secret was printed ---------------------------------------------------------------
leaks=$(grep -c -F -e "$KGR_TEST_TOKEN" -e kgr-wrong-token-0123456789 -e kgr-basic-password-42 -e expired-token-abc \
    -e "$(sed -n 2p "$PKI/admin.key")" "$ALL_OUT")
[ "$leaks" -eq 0 ] && pass "$T/secrets-not-printed" || fail "$T/secrets-not-printed" "$leaks lines show a secret"
