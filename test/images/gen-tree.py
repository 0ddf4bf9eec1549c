#!/usr/bin/env python3
"""Write a kube-prometheus-sized kustomization for test/images.sh.

    test/images/gen-tree.py OUTDIR

Laid out the way kube-prometheus' manifests are (one file per object under
manifests/, the CRDs under manifests/setup/): the prometheus-operator (with
its --prometheus-config-reloader argument), Prometheus and Alertmanager
custom resources, node-exporter, kube-state-metrics, blackbox-exporter,
grafana, prometheus-adapter, RBAC, Services, ServiceMonitors, PrometheusRules
and dashboards, about 150 objects and 5 MB with the CRDs' large schemas
(whose `image` properties are not images). The kustomization changes one
image with `images:` and one with a patch, and holds a Helm test hook Pod,
which is never deployed. Deterministic.
"""
import json
import os
import sys

NS = "monitoring"
OUT = sys.argv[1] if len(sys.argv) > 1 else sys.exit(__doc__)
MAN = os.path.join(OUT, "manifests")
files = []


def write(name, obj):
    path = os.path.join(MAN, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)  # JSON is YAML; kube-prometheus' jsonnet writes it this way too
        f.write("\n")
    files.append(os.path.relpath(path, OUT))


def meta(name, component, ns=NS):
    m = {"name": name, "labels": {"app.kubernetes.io/component": component, "app.kubernetes.io/name": name,
                                  "app.kubernetes.io/part-of": "kube-prometheus"}}
    if ns:
        m["namespace"] = ns
    return m


def schema(depth, width):
    """A large openAPIV3Schema: nested objects with string `image` properties and descriptions."""
    if depth == 0:
        return {"type": "string", "description": "A leaf field. " * 20}
    props = {"image": {"type": "string", "description": "Image to use. " * 10}}
    for i in range(width):
        props["field%d" % i] = schema(depth - 1, width)
    return {"type": "object", "description": "Nested object. " * 10, "properties": props}


def crd(kind, plural):
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "%s.monitoring.coreos.com" % plural},
            "spec": {"group": "monitoring.coreos.com", "scope": "Namespaced",
                     "names": {"kind": kind, "plural": plural, "listKind": kind + "List", "singular": kind.lower()},
                     "versions": [{"name": "v1", "served": True, "storage": True,
                                   "schema": {"openAPIV3Schema": schema(4, 5)}}]}}


def container(name, image, args=None, init=False):
    c = {"name": name, "image": image, "resources": {"limits": {"cpu": "200m", "memory": "200Mi"}}}
    if args:
        c["args"] = args
    if not init:
        c["ports"] = [{"containerPort": 8080, "name": "http"}]
    return c


def workload(kind, name, containers, init=None, api="apps/v1"):
    spec = {"containers": containers, "serviceAccountName": name}
    if init:
        spec["initContainers"] = init
    tmpl = {"metadata": {"labels": {"app.kubernetes.io/name": name}}, "spec": spec}
    obj = {"apiVersion": api, "kind": kind, "metadata": meta(name, "exporter")}
    if kind == "CronJob":
        obj["spec"] = {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": tmpl}}}
    elif kind == "Job":
        obj["spec"] = {"template": tmpl}
    else:
        obj["spec"] = {"selector": {"matchLabels": {"app.kubernetes.io/name": name}}, "template": tmpl}
    return obj


def rbac_and_service(name):
    write("%s-serviceAccount.yaml" % name, {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(name, "rbac")})
    write("%s-clusterRole.yaml" % name, {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                                         "metadata": meta(name, "rbac", None),
                                         "rules": [{"apiGroups": [""], "resources": ["pods", "nodes"],
                                                    "verbs": ["get", "list", "watch"]}]})
    write("%s-clusterRoleBinding.yaml" % name,
          {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": meta(name, "rbac", None),
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
           "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": NS}]})
    write("%s-service.yaml" % name, {"apiVersion": "v1", "kind": "Service", "metadata": meta(name, "svc"),
                                     "spec": {"ports": [{"name": "http", "port": 8080}],
                                              "selector": {"app.kubernetes.io/name": name}}})
    write("%s-serviceMonitor.yaml" % name, {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
                                            "metadata": meta(name, "monitor"),
                                            "spec": {"endpoints": [{"port": "http", "interval": "30s"}],
                                                     "selector": {"matchLabels": {"app.kubernetes.io/name": name}}}})
    write("%s-networkPolicy.yaml" % name, {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                                           "metadata": meta(name, "net"),
                                           "spec": {"podSelector": {"matchLabels": {"app.kubernetes.io/name": name}},
                                                    "policyTypes": ["Ingress"]}})


def main():
    for kind, plural in [("Alertmanager", "alertmanagers"), ("AlertmanagerConfig", "alertmanagerconfigs"),
                         ("PodMonitor", "podmonitors"), ("Probe", "probes"), ("Prometheus", "prometheuses"),
                         ("PrometheusAgent", "prometheusagents"), ("PrometheusRule", "prometheusrules"),
                         ("ScrapeConfig", "scrapeconfigs"), ("ServiceMonitor", "servicemonitors"),
                         ("ThanosRuler", "thanosrulers")]:
        write("setup/0%sCustomResourceDefinition.yaml" % plural, crd(kind, plural))
    write("setup/namespace.yaml", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})

    op = "quay.io/prometheus-operator/prometheus-operator:v0.76.0"
    reloader = "quay.io/prometheus-operator/prometheus-config-reloader:v0.76.0"
    rbac_proxy = "quay.io/brancz/kube-rbac-proxy:v0.18.1"
    apps = {
        "prometheus-operator": ("Deployment", [container("prometheus-operator", op,
                                                         ["--kubelet-service=kube-system/kubelet",
                                                          "--prometheus-config-reloader=" + reloader]),
                                               container("kube-rbac-proxy", rbac_proxy)], None),
        "node-exporter": ("DaemonSet", [container("node-exporter", "quay.io/prometheus/node-exporter:v1.8.2"),
                                        container("kube-rbac-proxy", rbac_proxy)], None),
        "kube-state-metrics": ("Deployment", [container("kube-state-metrics",
                                                        "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0"),
                                              container("kube-rbac-proxy-main", rbac_proxy),
                                              container("kube-rbac-proxy-self", rbac_proxy)], None),
        "blackbox-exporter": ("Deployment", [container("blackbox-exporter", "quay.io/prometheus/blackbox-exporter:v0.25.0"),
                                             container("module-configmap-reloader",
                                                       "ghcr.io/jimmidyson/configmap-reload:v0.13.1")], None),
        "grafana": ("Deployment", [container("grafana", "grafana/grafana:11.2.0")],
                    [container("init-chown", "busybox:1.36", init=True)]),
        "prometheus-adapter": ("Deployment", [container("prometheus-adapter",
                                                        "registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.12.0")],
                               None),
        "etcd-backup": ("CronJob", [container("backup", "docker.io/bitnami/etcd:3.5.15", init=True)], None),
        "db-migrate": ("Job", [container("migrate", "postgres@sha256:" + "a" * 64, init=True)], None),
        "loki": ("StatefulSet", [container("loki", "grafana/loki:3.1.1")], None),
    }
    for name, (kind, cs, init) in sorted(apps.items()):
        api = "batch/v1" if kind in ("CronJob", "Job") else "apps/v1"
        write("%s-%s.yaml" % (name, kind[0].lower() + kind[1:]), workload(kind, name, cs, init, api))
        rbac_and_service(name)

    write("prometheus-prometheus.yaml", {
        "apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus", "metadata": meta("k8s", "prometheus"),
        "spec": {"image": "quay.io/prometheus/prometheus:v2.54.1", "replicas": 2, "version": "2.54.1",
                 "thanos": {"image": "quay.io/thanos/thanos:v0.36.1"},
                 # a patch of the generated container (no image: not an image use)
                 "containers": [{"name": "config-reloader", "resources": {"limits": {"cpu": "10m"}}}],
                 "serviceAccountName": "prometheus-k8s", "ruleSelector": {}}})
    write("alertmanager-alertmanager.yaml", {
        "apiVersion": "monitoring.coreos.com/v1", "kind": "Alertmanager", "metadata": meta("main", "alert-router"),
        "spec": {"image": "quay.io/prometheus/alertmanager:v0.27.0", "replicas": 3, "version": "0.27.0",
                 "initContainers": [{"name": "setup", "image": "busybox:1.36"}]}})
    rbac_and_service("prometheus-k8s")
    rbac_and_service("alertmanager-main")
    for i in range(24):
        groups = [{"name": "group-%d-%d" % (i, g),
                   "rules": [{"alert": "Alert%d_%d_%d" % (i, g, r), "expr": "up{job=\"x%d\"} == 0 " % r * 3,
                              "for": "5m", "labels": {"severity": "warning"},
                              "annotations": {"description": "Something about %d. " % r * 8}} for r in range(30)]}
                  for g in range(3)]
        write("rules-%02d-prometheusRule.yaml" % i, {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
                                                     "metadata": meta("rules-%02d" % i, "rules"), "spec": {"groups": groups}})
    for i in range(22):
        write("podmonitor-%02d-podMonitor.yaml" % i, {"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor",
                                                     "metadata": meta("pods-%02d" % i, "monitor"),
                                                     "spec": {"podMetricsEndpoints": [{"port": "metrics"}],
                                                              "selector": {"matchLabels": {"team": "t%d" % i}}}})
    for i in range(12):
        write("grafana-dashboard-%02d.yaml" % i, {"apiVersion": "v1", "kind": "ConfigMap",
                                                  "metadata": meta("grafana-dashboard-%02d" % i, "grafana"),
                                                  "data": {"dashboard.json": json.dumps({"panels": [
                                                      {"id": p, "title": "Panel %d" % p, "image": "not-an-image",
                                                       "targets": [{"expr": "rate(x[5m])"}] * 5} for p in range(60)]})}})
    # the other workload kinds
    write("debug-podTemplate.yaml", {"apiVersion": "v1", "kind": "PodTemplate", "metadata": meta("debug", "debug"),
                                     "template": {"spec": {"containers": [container("debug", "nicolaka/netshoot:v0.13")]}}})
    write("legacy-replicationController.yaml", {
        "apiVersion": "v1", "kind": "ReplicationController", "metadata": meta("legacy", "legacy"),
        "spec": {"selector": {"app": "legacy"}, "template": {"metadata": {"labels": {"app": "legacy"}},
                                                             "spec": {"containers": [container("web", "nginx:1.25")]}}}})
    write("canary-replicaSet.yaml", workload("ReplicaSet", "canary", [container("web", "nginx:1.27-alpine")]))
    write("toolbox-pod.yaml", {"apiVersion": "v1", "kind": "Pod", "metadata": meta("toolbox", "debug"),
                               "spec": {"containers": [container("sh", "alpine:3.20")],
                                        "ephemeralContainers": [{"name": "dbg", "image": "busybox:1.36-musl"}]}})
    write("helm-test-pod.yaml", {"apiVersion": "v1", "kind": "Pod",
                                 "metadata": {"name": "grafana-test", "namespace": NS,
                                              "annotations": {"helm.sh/hook": "test"}},
                                 "spec": {"containers": [container("test", "docker.io/bats/bats:v1.4.1")]}})
    patch = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "prometheus-adapter", "namespace": NS},
             "spec": {"template": {"spec": {"containers": [{"name": "prometheus-adapter",
                                                            "image": "registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.12.1"}]}}}}
    with open(os.path.join(OUT, "adapter-patch.yaml"), "w") as f:
        json.dump(patch, f, indent=2)
    with open(os.path.join(OUT, "kustomization.yaml"), "w") as f:
        f.write("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n")
        for p in sorted(files):
            f.write("- %s\n" % p)
        f.write("images:\n- name: grafana/grafana\n  newTag: 11.2.1\n"
                "patches:\n- path: adapter-patch.yaml\n")


main()
