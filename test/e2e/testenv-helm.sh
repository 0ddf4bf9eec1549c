#!/usr/bin/env bash
# e2e: the helm built by tools/testenv/build reports v3.22.0, creates a chart
# offline and renders it with helm template.
. "$(dirname "$0")/../lib.sh"
T=testenv-helm
HELM=$TOP/tools/testenv/bin/helm

CHECKS="version create template"
if [ ! -x "$HELM" ]; then
    for c in $CHECKS; do skip "$T/$c" "tools/testenv/bin/helm missing (run make testenv)"; done
    exit 0
fi

W=$(mktemp -d "${TMPDIR:-/tmp}/kgr-e2e-helm.XXXXXX")
trap 'rm -rf "$W"' EXIT
# keep helm away from the user's own config, cache and repositories
export HELM_CONFIG_HOME=$W/config HELM_CACHE_HOME=$W/cache HELM_DATA_HOME=$W/data
export KUBECONFIG=$W/none

v=$(timeout 30 "$HELM" version --template '{{.Version}}' 2>&1)
[ "$v" = v3.22.0 ] && pass "$T/version" || fail "$T/version" "helm version '$v'"

check "$T/create" timeout 30 "$HELM" create "$W/demo"
if out=$(timeout 30 "$HELM" template rel1 "$W/demo" --namespace e2e --set replicaCount=3 2>&1) &&
    grep -q '^kind: Deployment' <<<"$out" && grep -q '^kind: Service$' <<<"$out" &&
    grep -q 'replicas: 3' <<<"$out" && grep -q 'name: rel1-demo' <<<"$out"; then
    pass "$T/template"
else
    fail "$T/template" "$(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
fi
