# Versions of what tools/testenv builds; sourced by lib.sh. After a change run
# tools/testenv/gen-go-mod (rewrites go.mod, go.sum, helm/go.mod, helm/go.sum);
# tools/testenv/build then rebuilds everything, since the version stamps come from here.
K8S_VERSION=v1.34.4          # k8s.io/kubernetes
K8S_STAGING_VERSION=v0.34.4  # the k8s.io/* staging modules it is built from
ETCD_VERSION=v3.6.4          # go.etcd.io/etcd/server/v3 (what k8s 1.34.4 itself requires)
HELM_VERSION=v3.22.0         # helm.sh/helm/v3
