#!/usr/bin/env python3
"""The images a rendered YAML stream deploys, by walking the known paths (what
a `yq` query over `kubectl kustomize` output would do), independently of
kgrender's own data file:

    kubectl kustomize DIR | test/images/query.py

Pod specs of the workload kinds (containers, initContainers,
ephemeralContainers), any kind's spec.template.spec and
spec.jobTemplate.spec.template.spec, the prometheus-operator custom
resources, and the operator's --prometheus-config-reloader= argument. CRDs
and Helm test hooks are skipped. Prints the sorted unique list.
"""
import sys

import yaml

POD_LISTS = ("containers", "initContainers", "ephemeralContainers")
PROM_KINDS = ("Prometheus", "PrometheusAgent", "Alertmanager", "ThanosRuler")
ARG_PREFIXES = ("--prometheus-config-reloader=", "--acme-http01-solver-image=")


def get(obj, *path):
    for p in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(p)
    return obj


def pod_spec_images(spec, out):
    for key in POD_LISTS:
        for c in get(spec, key) or []:
            if isinstance(c, dict) and isinstance(c.get("image"), str):
                out.add(c["image"])
            for a in (c.get("args") or []) if isinstance(c, dict) else []:
                for p in ARG_PREFIXES:
                    if isinstance(a, str) and a.startswith(p):
                        out.add(a[len(p):])


def images(doc, out):
    kind = doc.get("kind")
    hook = get(doc, "metadata", "annotations", "helm.sh/hook") or ""
    if kind == "CustomResourceDefinition" or any(h.strip().startswith("test") for h in hook.split(",")):
        return
    if kind == "Pod":
        pod_spec_images(doc.get("spec"), out)
    if kind == "PodTemplate":
        pod_spec_images(get(doc, "template", "spec"), out)
    pod_spec_images(get(doc, "spec", "template", "spec"), out)
    pod_spec_images(get(doc, "spec", "jobTemplate", "spec", "template", "spec"), out)
    if kind in PROM_KINDS and get(doc, "apiVersion").startswith("monitoring.coreos.com/"):
        for img in (get(doc, "spec", "image"), get(doc, "spec", "thanos", "image")):
            if isinstance(img, str):
                out.add(img)
        pod_spec_images(doc.get("spec"), out)


def main():
    out = set()
    for doc in yaml.load_all(sys.stdin, Loader=yaml.CSafeLoader):
        if isinstance(doc, dict):
            images(doc, out)
    for img in sorted(out):
        print(img)


main()
