#!/usr/bin/env bash
# e2e: helmCharts with `repo`, without the internet: a chart repository served
# by a local python http.server. The chart is pulled into chartHome as
# kubectl kustomize pulls it (same output, same place); with the server gone
# and chartHome removed, kgrender still builds from its cache (with a warning).
. "$(dirname "$0")/../lib.sh"
T=remote-helm
HELM=$TOP/tools/testenv/bin/helm
CHECKS="pull pulled-into-charthome offline-cached no-repo-error"
if [ ! -x "$HELM" ]; then
    for c in $CHECKS; do skip "$T/$c" "tools/testenv/bin/helm missing (run make testenv)"; done
    exit 0
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/kgr-e2e-rhelm.XXXXXX")
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
export KGRENDER_CACHE=$W/cache HELM_CONFIG_HOME=$W/hc HELM_CACHE_HOME=$W/hc/cache HELM_DATA_HOME=$W/hc/data
FLAGS=(--enable-helm --helm-command "$HELM")

mkdir -p "$W/repo" "$W/k" "$W/want-k"
"$HELM" create "$W/demo" >/dev/null && "$HELM" package "$W/demo" -d "$W/repo" >/dev/null && "$HELM" repo index "$W/repo"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$W/repo" && exec python3 -m http.server "$PORT" --bind 127.0.0.1) > "$W/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/index.yaml', timeout=1)" 2>/dev/null && break
    sleep 0.1
done
printf 'helmCharts:\n- name: demo\n  repo: http://127.0.0.1:%s\n  version: 0.1.0\n  releaseName: rel\n' "$PORT" > "$W/k/kustomization.yaml"
cp "$W/k/kustomization.yaml" "$W/want-k/"

if ! "$KGRENDER" build "$W/k" "${FLAGS[@]}" > "$W/got" 2> "$W/got.err"; then
    fail "$T/pull" "$(tail -n 2 "$W/got.err" | tr '\n' ' ')"
elif ! command -v kubectl >/dev/null; then
    skip "$T/pull" "kubectl missing"
elif ! kubectl kustomize "$W/want-k" "${FLAGS[@]}" > "$W/want" 2> "$W/want.err"; then
    fail "$T/pull" "kubectl kustomize: $(tail -n 2 "$W/want.err" | tr '\n' ' ')"
else
    cmp -s "$W/got" "$W/want" && pass "$T/pull" || fail "$T/pull" "output differs"
fi
[ -f "$W/k/charts/demo-0.1.0/demo/Chart.yaml" ] && pass "$T/pulled-into-charthome" ||
    fail "$T/pulled-into-charthome" "no charts/demo-0.1.0/demo"

kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; SERVER=
rm -rf "$W/k/charts"
if ! "$KGRENDER" build "$W/k" "${FLAGS[@]}" > "$W/got2" 2> "$W/got.err"; then
    fail "$T/offline-cached" "$(tail -n 2 "$W/got.err" | tr '\n' ' ')"
elif ! cmp -s "$W/got" "$W/got2"; then
    fail "$T/offline-cached" "output differs from the online build"
elif ! grep -q '^Warning: .*cached chart' "$W/got.err"; then
    fail "$T/offline-cached" "no warning about the cache: $(head -c 200 "$W/got.err")"
else
    pass "$T/offline-cached"
fi

printf 'helmCharts:\n- name: absent\n' > "$W/k/kustomization.yaml"
if "$KGRENDER" build "$W/k" "${FLAGS[@]}" > "$W/got" 2> "$W/got.err"; then
    fail "$T/no-repo-error" "exit 0"
else
    grep -q 'kustomization.yaml:2.*no repo specified' "$W/got.err" && pass "$T/no-repo-error" ||
        fail "$T/no-repo-error" "$(head -c 200 "$W/got.err")"
fi
