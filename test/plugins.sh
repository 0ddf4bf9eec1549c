#!/usr/bin/env bash
# Plugin resources (plugins.kubegems.io/v1beta1) with the real helm binary:
# each kind and source, each spec field, values precedence, valuesFrom,
# disabling through an overlay patch, nested template plugins, dependency
# order, each error with its message, determinism, the plugins table and the
# bundled overlays. helm is found as the golden helm-* cases find it
# (tools/testenv/bin/helm); without it the helm cases are skipped.
. "$(dirname "$0")/lib.sh"
HELM=${HELM:-$TOP/tools/testenv/bin/helm}
export HELM
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
OUT=$T/out.yaml ERR=$T/err.txt

have_helm() { [ -x "$HELM" ]; }

# write FILE <<EOF: creates FILE (and its directory) from stdin.
write() { mkdir -p "$(dirname "$1")"; cat >"$1"; }

# build NAME DIR [FLAGS...]: kgrender build into $OUT ($ERR); FAILs and returns 1 when it fails.
build() {
    local name=$1 dir=$2; shift 2
    if "$KGRENDER" build "$dir" "$@" >"$OUT" 2>"$ERR"; then return 0; fi
    fail "$name" "build failed: $(head -c 300 "$ERR" | tr '\n' ' ')"
    return 1
}

# has NAME PATTERN...: every extended regexp is in $OUT.
has() {
    local name=$1 p; shift
    for p in "$@"; do
        grep -qE -- "$p" "$OUT" || { fail "$name" "no '$p' in the output"; return; }
    done
    pass "$name"
}

lacks() {
    local name=$1 p; shift
    for p in "$@"; do
        ! grep -qE -- "$p" "$OUT" || { fail "$name" "'$p' is in the output"; return; }
    done
    pass "$name"
}

# fails NAME DIR PATTERN [FLAGS...]: the build must fail, print nothing on stdout
# and say PATTERN (extended regexp) on stderr.
fails() {
    local name=$1 dir=$2 pat=$3; shift 3
    if "$KGRENDER" build "$dir" "$@" >"$OUT" 2>"$ERR"; then fail "$name" "build succeeded"; return; fi
    if [ -s "$OUT" ]; then fail "$name" "failed but wrote to stdout"; return; fi
    if grep -qE -- "$pat" "$ERR"; then pass "$name"; else fail "$name" "stderr: $(head -c 300 "$ERR" | tr '\n' ' ')"; fi
}

# The value of `data.KEY` of the ConfigMap NAME in $OUT (first match).
cm_value() {
    awk -v n="$1" -v k="$2" '
        /^---$/ { incm = 0; data = 0; name = ""; next }
        /^kind: ConfigMap$/ { incm = 1 }
        /^data:$/ { data = 1; next }
        /^[a-z]/ && !/^data:/ { data = 0 }
        data && $1 == k ":" { val = $0; sub(/^  [^:]*: /, "", val); gsub(/^["\047]|["\047]$/, "", val) }
        /^  name: / && !data { name = $2 }
        { if (incm && name == n && val != "") { print val; exit } }
        /^---$/ { val = "" }' "$OUT"
}

# ---- fixtures ---------------------------------------------------------------

# A chart that shows its values, namespace and capabilities in a ConfigMap.
mkchart() { # DIR NAME VERSION
    write "$1/Chart.yaml" <<EOF
apiVersion: v2
name: $2
version: $3
EOF
    write "$1/values.yaml" <<'EOF'
global: {}
a: chart
b: chart
c: chart
d: chart
e: chart
f: chart
x: {}
image: example.org/team/app:1.0
EOF
    write "$1/templates/show.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-show
data:
  a: {{ .Values.a | quote }}
  b: {{ .Values.b | quote }}
  c: {{ .Values.c | quote }}
  d: {{ .Values.d | quote }}
  e: {{ .Values.e | quote }}
  f: {{ .Values.f | quote }}
  g: {{ .Values.global.g | default "none" | quote }}
  typed: {{ kindOf .Values.n | quote }}
  nested: {{ .Values.x.y | default "none" | quote }}
  ns: {{ .Release.Namespace | quote }}
  release: {{ .Release.Name | quote }}
  kube: {{ .Capabilities.KubeVersion.Version | quote }}
  api: {{ .Capabilities.APIVersions.Has "example.org/v9" | quote }}
  file: {{ .Files.Get "extra.txt" | default "none" | quote }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  template:
    spec:
      containers:
      - name: app
        image: {{ .Values.image }}
EOF
}

kust() { # DIR RESOURCES...
    local d=$1; shift
    { echo "resources:"; for r in "$@"; do echo "- $r"; done; } | write "$d/kustomization.yaml"
}

plugin() { # NAME SPEC-LINES (stdin: spec body, indented 2)
    echo "apiVersion: plugins.kubegems.io/v1beta1"
    echo "kind: Plugin"
    echo "metadata:"
    echo "  name: $1"
    echo "  namespace: ${2:-kubegems-installer}"
    echo "spec:"
    cat
    echo "---"
}

mkchart "$T/charts/show" show 1.0.0
mkchart "$T/repo/show-2.0.0" show 2.0.0
mkchart "$T/repo/other" other 0.1.0

# ---- kinds and sources ------------------------------------------------------

if have_helm; then
    # helm: a chart directory next to the Plugin, values and the install namespace
    d=$T/kind-helm
    plugin demo <<'EOF' | write "$d/plugins.yaml"
  kind: helm
  url: ../charts/show
  installNamespace: demo-ns
  values:
    a: from-values
EOF
    kust "$d" plugins.yaml
    if build kind-helm "$d"; then
        has "kind helm renders the chart" 'name: demo-show' 'a: from-values' 'release: demo' 'ns: demo-ns'
        has "objects go to installNamespace" '^  namespace: demo-ns$'
        has "the install namespace is created" '^kind: Namespace$' '^  name: demo-ns$'
        has "every object names its plugin" 'kgrender.io/plugin: demo'
        [ "$(grep -c 'kgrender.io/plugin: demo' "$OUT")" = 3 ] && pass "annotation on all 3 objects" ||
            fail "annotation on all 3 objects" "$(grep -c 'kgrender.io/plugin: demo' "$OUT")"
        lacks "the Plugin itself is not printed" 'kind: Plugin'
    fi

    # template kind, a packaged chart (.tgz), file:// url, repo alias, name alias, path
    "$HELM" package "$T/charts/show" -d "$T/pkg" >/dev/null
    d=$T/kind-template
    {
        plugin tpl <<EOF
  kind: template
  url: file://$T/pkg/show-1.0.0.tgz
EOF
        plugin viarepo <<'EOF'
  kind: helm
  repo: ../repo
  name: show
  version: 2.0.0
EOF
        plugin viapath <<'EOF'
  kind: helm
  url: ..
  path: repo
  chart: other
EOF
    } | write "$d/p.yaml"
    kust "$d" p.yaml
    if build kind-template "$d"; then
        has "kind template from a .tgz via file://" 'name: tpl-show'
        has "repo and name aliases find NAME-VERSION in a chart directory" 'name: viarepo-show'
        has "path names the directory holding the chart" 'name: viapath-show'
        has "installNamespace defaults to the Plugin's namespace" '^  namespace: kubegems-installer$'
    fi
fi

# native: every *.yaml of a directory in name order, or a single file
d=$T/kind-native
write "$d/m/b.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: second
EOF
write "$d/m/a.yml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: first
  namespace: elsewhere
EOF
write "$d/m/ignored.txt" <<'EOF'
not yaml
EOF
write "$d/single.yaml" <<'EOF'
apiVersion: v1
kind: Service
metadata:
  name: one-file
spec:
  ports:
  - port: 80
EOF
{
    plugin nat <<'EOF'
  kind: native
  url: m
  installNamespace: nat-ns
EOF
    plugin single <<'EOF'
  kind: native
  url: single.yaml
EOF
} | write "$d/p.yaml"
kust "$d" p.yaml
if build kind-native "$d"; then
    has "kind native loads every *.yaml and *.yml" 'name: first' 'name: second'
    has "kind native keeps an object's own namespace" '^  namespace: elsewhere$'
    has "kind native: a single YAML file" 'name: one-file'
    lacks "kind native ignores other files" 'not yaml'
fi

# kustomize: built with the build code (generators, name references, its own namespace)
d=$T/kind-kustomize
write "$d/k/kustomization.yaml" <<'EOF'
namePrefix: k-
resources:
- deploy.yaml
configMapGenerator:
- name: cfg
  literals:
  - A=1
EOF
write "$d/k/deploy.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
spec:
  template:
    spec:
      containers:
      - name: app
        image: app:1
        envFrom:
        - configMapRef:
            name: cfg
EOF
plugin kz <<'EOF' | write "$d/p.yaml"
  kind: kustomize
  url: k
  installNamespace: kz-ns
EOF
kust "$d" p.yaml
if build kind-kustomize "$d"; then
    has "kind kustomize builds the kustomization" 'name: k-app' 'name: k-cfg-[a-z0-9]{10}$' 'kgrender.io/plugin: kz'
    [ "$(grep -c 'name: k-cfg-' "$OUT")" = 2 ] && pass "kind kustomize fixes name references" ||
        fail "kind kustomize fixes name references" "hash-suffixed name not used in the Deployment"
fi

# ---- spec fields ---------------------------------------------------------------

d=$T/state
{
    plugin off <<'EOF'
  kind: native
  url: ../kind-native/single.yaml
  disabled: true
EOF
    plugin off2 <<'EOF'
  kind: native
  url: ../kind-native/m
  enabled: false
EOF
    plugin on <<'EOF'
  kind: kustomize
  url: ../kind-kustomize/k
  disabled: false
  enabled: false
EOF
} | write "$d/p.yaml"
kust "$d" p.yaml
if build state "$d"; then
    lacks "disabled: true renders nothing" 'one-file'
    lacks "enabled: false renders nothing" 'name: first'
    has "disabled wins over enabled" 'k-app'
fi
if build state-cli "$d" --enable off --disable on; then
    has "--enable switches a plugin on" 'one-file'
    lacks "--disable switches a plugin off" 'k-app'
fi

if have_helm; then
    # values precedence: chart < global < valuesFrom (in order) < values < --values < --set
    d=$T/values
    write "$d/cm.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: kubegems-global-values
  namespace: kubegems-installer
data:
  g: from-global-cm
  b: global-b
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: vf1
  namespace: kubegems-installer
data:
  b: vf1
  c: vf1
  n: "0123"
---
apiVersion: v1
kind: Secret
metadata:
  name: vf2
  namespace: other
stringData:
  c: vf2
  d: vf2
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: pref
  namespace: kubegems-installer
data:
  y: from-prefix
binaryData:
  values.yaml: ZDogZnJvbS1iaW5hcnkKZTogZnJvbS1iaW5hcnkK
EOF
    plugin val <<'EOF' | write "$d/p.yaml"
  kind: helm
  url: ../charts/show
  valuesFrom:
  - name: vf1
  - kind: Secret
    name: vf2
    namespace: other
  - name: pref
    prefix: x.
  - name: not-there
    optional: true
  values:
    d: values
    e: values
    f: values
EOF
    write "$d/more.yaml" <<'EOF'
e: values-file
f: values-file
EOF
    kust "$d" cm.yaml p.yaml
    if build values "$d" --values "val=$d/more.yaml" --set val.f=set --set global.g=set-global; then
        [ "$(cm_value val-show a)" = 'chart' ] && pass "chart defaults stay" || fail "chart defaults stay" "$(cm_value val-show a)"
        [ "$(cm_value val-show b)" = 'vf1' ] && pass "valuesFrom wins over chart defaults" || fail "valuesFrom wins over chart defaults" "$(cm_value val-show b)"
        [ "$(cm_value val-show c)" = 'vf2' ] && pass "later valuesFrom (a Secret in its namespace) wins" || fail "later valuesFrom wins" "$(cm_value val-show c)"
        [ "$(cm_value val-show d)" = 'values' ] && pass "values win over valuesFrom" || fail "values win over valuesFrom" "$(cm_value val-show d)"
        [ "$(cm_value val-show e)" = 'values-file' ] && pass "--values wins over values" || fail "--values wins over values" "$(cm_value val-show e)"
        [ "$(cm_value val-show f)" = 'set' ] && pass "--set wins over --values" || fail "--set wins over --values" "$(cm_value val-show f)"
        [ "$(cm_value val-show g)" = 'set-global' ] && pass "--set global.KEY wins over the global ConfigMap" || fail "--set global" "$(cm_value val-show g)"
        [ "$(cm_value val-show nested)" = 'from-prefix' ] && pass "valuesFrom prefix" || fail "valuesFrom prefix" "$(cm_value val-show nested)"
        [ "$(cm_value val-show typed)" = 'string' ] && pass "valuesFrom keeps 0123 a string" || fail "valuesFrom keeps 0123 a string" "$(cm_value val-show typed)"
    fi
    if build values-global "$d"; then
        [ "$(cm_value val-show g)" = 'from-global-cm' ] && pass "global values from kubegems-global-values" || fail "global values" "$(cm_value val-show g)"
    fi
    # binaryData is a values file under the prefix: check with a prefix-less entry
    plugin bin <<'EOF' | write "$d/b/p.yaml"
  kind: helm
  url: ../../charts/show
  valuesFrom:
  - name: pref
EOF
    kust "$d/b" ../cm.yaml p.yaml
    if build values-binary "$d/b" --load-restrictor LoadRestrictionsNone; then
        [ "$(cm_value bin-show d)" = 'from-binary' ] && pass "valuesFrom binaryData as a values file" || fail "binaryData" "$(cm_value bin-show d)"
    fi

    # fileOverrides: a file added to the chart before rendering; the source is untouched
    d=$T/overrides
    plugin fo <<'EOF' | write "$d/p.yaml"
  kind: helm
  url: ../charts/show
  fileOverrides:
  - name: extra.txt
    content: overridden
  - name: templates/added.yaml
    content: |
      apiVersion: v1
      kind: Secret
      metadata:
        name: added-by-override
EOF
    kust "$d" p.yaml
    if build overrides "$d"; then
        has "fileOverrides add and replace chart files" 'file: overridden' 'name: added-by-override'
        [ ! -e "$T/charts/show/extra.txt" ] && pass "fileOverrides leave the source alone" || fail "fileOverrides leave the source alone"
    fi

    # the catalogue's values-from chart annotation: "[namespace/]name,...", optional, prefix "name."
    mkchart "$T/charts/vfa" vfa 1.0.0
    sed -i 's/^version: 1.0.0$/version: 1.0.0\nannotations:\n  plugins.kubegems.io\/values-from: "other-ns\/x,absent"\n  plugins.kubegems.io\/create-namespaces: "extra-a, extra-b"/' "$T/charts/vfa/Chart.yaml"
    d=$T/values-from-annotation
    write "$d/cm.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: x
  namespace: other-ns
data:
  y: from-annotation
EOF
    plugin vfa <<'EOF' | write "$d/p.yaml"
  kind: helm
  url: ../charts/vfa
EOF
    kust "$d" cm.yaml p.yaml
    if build values-from-annotation "$d"; then
        [ "$(cm_value vfa-show nested)" = 'from-annotation' ] && pass "values-from chart annotation" || fail "values-from chart annotation" "$(cm_value vfa-show nested)"
        has "create-namespaces chart annotation" '^  name: extra-a$' '^  name: extra-b$'
    fi

    # --kube-version and --api-versions reach helm's .Capabilities
    if build capabilities "$T/kind-helm" --kube-version v1.29.3 --api-versions example.org/v9; then
        has "--kube-version and --api-versions" 'kube: v1.29.3' 'api: "true"'
    fi

    # global.imageRegistry / imageRepository rewrite every image after rendering
    if build images "$T/kind-helm" --set global.imageRegistry=mirror.local:5000 --set global.imageRepository=mirrored; then
        has "global registry rewrites images" 'image: mirror.local:5000/mirrored/app:1.0'
    fi
fi

# ---- dependencies ----------------------------------------------------------------

dep_fixture() { # DIR: base-a <- mid-b <- top-c (declared in reverse order)
    {
        plugin top-c <<'EOF'
  kind: native
  url: ../kind-native/m
  installNamespace: c
  dependencies:
  - name: mid-b
EOF
        plugin mid-b <<'EOF'
  kind: native
  url: ../kind-native/single.yaml
  installNamespace: b
  dependencies:
  - kind: Plugin
    name: base-a
    namespace: kubegems-installer
EOF
        plugin base-a <<'EOF'
  kind: kustomize
  url: ../kind-kustomize/k
  installNamespace: a
EOF
    } | write "$1/p.yaml"
    kust "$1" p.yaml
}
d=$T/deps; dep_fixture "$d"
if build deps "$d"; then
    order=$(grep -E '^    kgrender.io/plugin: ' "$OUT" | awk '{print $2}' | uniq | tr '\n' ' ')
    [ "$order" = "base-a mid-b top-c " ] && pass "output in dependency order" || fail "output in dependency order" "$order"
    # apply waves: one past the dependencies' (base-a 0, mid-b 1, top-c 2)
    waves=$(python3 - "$OUT" <<'PY'
import sys, yaml
w = {}
for d in yaml.safe_load_all(open(sys.argv[1])):
    a = (d or {}).get("metadata", {}).get("annotations") or {}
    if "kgrender.io/plugin" in a: w.setdefault(a["kgrender.io/plugin"], set()).add(a.get("kgrender.io/apply-wave", "0"))
print(" ".join("%s=%s" % (k, ",".join(sorted(v))) for k, v in sorted(w.items())))
PY
)
    [ "$waves" = "base-a=0 mid-b=1 top-c=2" ] && pass "apply-wave annotation (apply contract)" || fail "apply-wave annotation" "$waves"
fi
if "$KGRENDER" plugins "$d" >"$OUT" 2>"$ERR"; then
    has "kgrender plugins: a table" '^NAME +STATE +KIND +SOURCE +VERSION +NAMESPACE +DEPENDENCIES$' '^base-a +enabled +kustomize'
    [ "$(awk 'NR>1{print $1}' "$OUT" | tr '\n' ' ')" = "base-a mid-b top-c " ] && pass "kgrender plugins: dependency order" ||
        fail "kgrender plugins: dependency order" "$(awk 'NR>1{print $1}' "$OUT" | tr '\n' ' ')"
else fail "kgrender plugins" "$(head -c 300 "$ERR")"; fi
if "$KGRENDER" plugins "$d" -o json >"$OUT" 2>"$ERR" && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [p["name"] for p in d]==["base-a","mid-b","top-c"]; assert d[2]["dependencies"][0]["name"]=="mid-b"' "$OUT"; then
    pass "kgrender plugins -o json"
else fail "kgrender plugins -o json" "$(head -c 300 "$OUT" "$ERR")"; fi
fails "disabled dependency of an enabled plugin" "$d" 'plugin mid-b is enabled but depends on base-a .*which is disabled' --disable base-a
if build "a disabled plugin's dependents may be off too" "$d" --disable base-a,mid-b,top-c; then pass "everything disabled: no error"; fi

d=$T/dep-missing
plugin lonely <<'EOF' | write "$d/p.yaml"
  kind: native
  url: ../kind-native/single.yaml
  dependencies:
  - name: ghost
EOF
kust "$d" p.yaml
fails "missing dependency" "$d" 'plugin lonely depends on ghost .*not in the build'

d=$T/dep-cycle
{
    plugin x1 <<'EOF'
  kind: native
  url: ../kind-native/single.yaml
  dependencies: [x2]
EOF
    plugin x2 <<'EOF'
  kind: native
  url: ../kind-native/m
  dependencies: [x3]
EOF
    plugin x3 <<'EOF'
  kind: native
  url: ../kind-native/m
  installNamespace: x3
  dependencies: [x1]
EOF
} | write "$d/p.yaml"
kust "$d" p.yaml
fails "dependency cycle" "$d" 'plugin dependency cycle: x1 -> x2 -> x3 -> x1'

# ---- other errors ----------------------------------------------------------------

d=$T/errors
plugin e1 <<'EOF' | write "$d/kind/p.yaml"
  kind: chart
  url: x
EOF
kust "$d/kind" p.yaml
fails "unknown kind" "$d/kind" "spec.kind 'chart' is not one of helm, template, kustomize, native"
plugin e2 <<'EOF' | write "$d/nourl/p.yaml"
  kind: native
EOF
kust "$d/nourl" p.yaml
fails "empty url" "$d/nourl" 'plugin e2: spec.url is empty'
plugin e3 <<'EOF' | write "$d/nosrc/p.yaml"
  kind: native
  url: does-not-exist
EOF
kust "$d/nosrc" p.yaml
fails "missing source" "$d/nosrc" 'plugin e3: url does-not-exist: .*does not exist'
{ plugin dup <<'EOF'
  kind: native
  url: ../../kind-native/single.yaml
EOF
  plugin dup other-ns <<'EOF'
  kind: native
  url: ../../kind-native/single.yaml
EOF
} | write "$d/dup/p.yaml"
kust "$d/dup" p.yaml
fails "duplicate plugin name" "$d/dup" 'plugin dup is declared twice'
{ plugin twin1 <<'EOF'
  kind: native
  url: ../../kind-native/single.yaml
  installNamespace: same
EOF
  plugin twin2 <<'EOF'
  kind: native
  url: ../../kind-native/single.yaml
  installNamespace: same
EOF
} | write "$d/twins/p.yaml"
kust "$d/twins" p.yaml
fails "an object rendered by two plugins" "$d/twins" 'plugin twin2 renders Service/one-file in namespace same, which plugin twin1 renders too'
fails "--set for an unknown plugin" "$T/kind-native" "no plugin named 'nosuch' in the build" --set nosuch.a=1
fails "--disable an unknown plugin" "$T/kind-native" "no plugin named 'nosuch'" --disable nosuch
plugin e4 <<'EOF' | write "$d/vf/p.yaml"
  kind: native
  url: ../../kind-native/single.yaml
  valuesFrom:
  - name: absent
EOF
kust "$d/vf" p.yaml
fails "valuesFrom of a missing ConfigMap" "$d/vf" 'valuesFrom: ConfigMap kubegems-installer/absent is not in the build'
plugin e5 <<'EOF' | write "$d/bool/p.yaml"
  kind: native
  url: ../../kind-native/single.yaml
  disabled: "yes"
EOF
kust "$d/bool" p.yaml
fails "disabled must be a boolean" "$d/bool" 'spec.disabled must be true or false'
plugin e6 <<'EOF' | write "$d/fo/p.yaml"
  kind: native
  url: ../../kind-native/m
  fileOverrides:
  - name: ../escape.yaml
    content: x
EOF
kust "$d/fo" p.yaml
fails "fileOverrides may not leave the source" "$d/fo" "fileOverrides name '../escape.yaml' must be a relative path"
if have_helm; then
    plugin e7 <<'EOF' | write "$d/ver/p.yaml"
  kind: helm
  url: ../../charts/show
  version: 9.9.9
EOF
    kust "$d/ver" p.yaml
    fails "chart version mismatch" "$d/ver" 'spec.version is 9.9.9 but the chart at .* is version 1.0.0'
    plugin e8 <<'EOF' | write "$d/helmfail/p.yaml"
  kind: helm
  url: ../../charts/show
  fileOverrides:
  - name: templates/bad.yaml
    content: "{{ .Values.nope.deeper }}"
EOF
    kust "$d/helmfail" p.yaml
    fails "a failing chart names the plugin and says helm's error" "$d/helmfail" 'plugin e8: .*helm template e8 .* failed .*nil pointer'
    # requirements annotation with a version constraint
    mkchart "$T/charts/needs" needs 1.0.0
    sed -i 's/^version: 1.0.0$/version: 1.0.0\nannotations:\n  plugins.kubegems.io\/requirements: "show >= 2.0.0"/' "$T/charts/needs/Chart.yaml"
    { plugin needs <<'EOF'
  kind: helm
  url: ../../charts/needs
EOF
      plugin show <<'EOF'
  kind: helm
  url: ../../charts/show
EOF
    } | write "$d/req/p.yaml"
    kust "$d/req" p.yaml
    fails "chart requirements: version constraint" "$d/req" 'plugin needs requires show >= 2.0.0, but show is version 1.0.0'
fi

# ---- nesting ---------------------------------------------------------------------

if have_helm; then
    # a template plugin whose chart renders itself again: a cycle, named
    d=$T/nest-cycle
    write "$d/wrap/Chart.yaml" <<'EOF'
apiVersion: v2
name: wrap
version: 1.0.0
EOF
    write "$d/wrap/templates/p.yaml" <<'EOF'
apiVersion: plugins.kubegems.io/v1beta1
kind: Plugin
metadata:
  name: {{ .Values.child }}
  namespace: kubegems-installer
spec:
  kind: template
  url: .
  values:
    child: {{ .Values.next }}
    next: {{ .Release.Name }}
EOF
    plugin outer <<'EOF' | write "$d/p.yaml"
  kind: template
  url: wrap
  values:
    child: inner
    next: outer
EOF
    kust "$d" p.yaml
    fails "nested plugin cycle" "$d" 'plugin cycle: outer -> inner -> outer'
    # depth limit: every level renders a new name
    d=$T/nest-deep
    mkdir -p "$d" && cp -r "$T/nest-cycle/wrap" "$d/"
    cat >"$d/wrap/templates/p.yaml" <<'EOF'
apiVersion: plugins.kubegems.io/v1beta1
kind: Plugin
metadata:
  name: {{ .Release.Name }}x
  namespace: kubegems-installer
spec:
  kind: template
  url: .
EOF
    plugin l <<'EOF' | write "$d/p.yaml"
  kind: template
  url: wrap
EOF
    kust "$d" p.yaml
    fails "nesting depth limit" "$d" 'plugins nested deeper than 8 levels: l -> lx -> lxx'
fi

# ---- the bundled overlays ----------------------------------------------------------

if have_helm; then
    if build overlay-default "$TOP/overlays/default"; then
        cp "$OUT" "$T/default1.yaml"
        for p in cert-manager-lite monitoring-lite logging gateway local-path observability tracing-lite opentelemetry-lite; do
            grep -q "kgrender.io/plugin: $p$" "$OUT" || fail "overlays/default renders $p"
        done
        pass "overlays/default renders every plugin"
        order=$(grep -E '^    kgrender.io/plugin: ' "$OUT" | awk '{print $2}' | uniq | tr '\n' ' ')
        case $order in
            *cert-manager-lite*monitoring-lite*logging*) pass "overlays/default: cert-manager-lite, monitoring-lite, logging in order" ;;
            *) fail "overlays/default dependency order" "$order" ;;
        esac
        case $order in
            *observability*tracing-lite*opentelemetry-lite*) pass "overlays/default: nested plugins after their parent" ;;
            *) fail "overlays/default nested order" "$order" ;;
        esac
        has "nested template plugins are expanded" 'name: tracing-lite$' 'kgrender.io/plugin: opentelemetry-lite$' 'kgrender.io/apply-wave: "2"$'
        lacks "no Plugin resource is left" '^kind: Plugin$'
        has "valuesFrom with prefix in the catalogue" 'retention_period: 168h'
        has "chart CRD instances stay cluster-scoped" '^kind: ClusterIssuer$'
        awk '/^kind: ClusterIssuer$/{f=1} f&&/^---$/{exit} f' "$OUT" | grep -q namespace: &&
            fail "cluster-scoped custom resource gets no namespace" || pass "cluster-scoped custom resource gets no namespace"
        [ "$(grep -c '^  name: observability$' "$OUT")" -ge 1 ] && pass "create-namespaces annotation" || fail "create-namespaces annotation"
        if "$KGRENDER" build "$TOP/overlays/default" >"$T/default2.yaml" 2>"$ERR" && cmp -s "$T/default1.yaml" "$T/default2.yaml"; then
            pass "rendering overlays/default twice gives identical output"
        else fail "rendering overlays/default twice gives identical output"; fi
    fi
    if build overlay-minimal "$TOP/overlays/minimal"; then
        has "overlays/minimal keeps cert-manager-lite and gateway" 'kgrender.io/plugin: cert-manager-lite' 'kgrender.io/plugin: gateway'
        lacks "overlays/minimal: plugins off through an overlay patch" 'kgrender.io/plugin: (monitoring-lite|logging|local-path|observability|tracing-lite)'
        has "overlays/minimal: values changed through an overlay patch" '^  replicas: 2$'
    fi
    if build overlay-airgap "$TOP/overlays/airgap"; then
        n=$(grep -c 'image: ' "$OUT"); m=$(grep -c 'image: registry.airgap.local:5000/kubegems/' "$OUT")
        [ "$n" = "$m" ] && [ "$n" -gt 5 ] && pass "overlays/airgap: every image from the private registry" ||
            fail "overlays/airgap images" "$m of $n rewritten"
    fi
    # images a chart declares in Chart.yaml annotations are listed (and rewritten, and traced back)
    d=$T/chart-images
    mkchart "$d/chart" declared 1.0.0
    cat >>"$d/chart/Chart.yaml" <<'EOF'
annotations:
  artifacthub.io/images: |
    - name: hook
      image: quay.io/team/hook:2.0
  helm.sh/images: |
    - {name: app, image: example.org/team/app:1.0}
EOF
    plugin declared <<'EOF' | write "$d/plugins.yaml"
  kind: helm
  url: ./chart
EOF
    kust "$d" plugins.yaml
    out=$("$KGRENDER" images "$d" 2>&1 | tr '\n' ' ')
    [ "$out" = "example.org/team/app:1.0 quay.io/team/hook:2.0 " ] && pass "images: Chart.yaml annotations listed" ||
        fail "images: Chart.yaml annotations listed" "$out"
    out=$("$KGRENDER" images "$d" --set global.imageRegistry=m.local:5000 2>&1 | tr '\n' ' ')
    orig=$("$KGRENDER" images "$d" --set global.imageRegistry=m.local:5000 --original 2>&1 | tr '\n' ' ')
    [ "$out" = "m.local:5000/team/app:1.0 m.local:5000/team/hook:2.0 " ] &&
        [ "$orig" = "example.org/team/app:1.0 quay.io/team/hook:2.0 " ] &&
        pass "images: declared images follow global.imageRegistry, --original the chart's" ||
        fail "images: declared images follow global.imageRegistry" "'$out' / '$orig'"
    "$KGRENDER" images "$d" -o json | grep -q '"kind": "Plugin", "namespace": "kubegems-installer", "name": "declared", "field": "annotations\[.artifacthub.io/images.\]\[0\].image"' &&
        pass "images -o json: a declared image names the Plugin and the annotation" || fail "images -o json: declared image"
    "$KGRENDER" build "$d" | grep -q 'hook' && fail "build output has no declared-only image" || pass "build output has no declared-only image"
    sed -i 's|quay.io/team/hook:2.0|Quay.io/Team/Hook|' "$d/chart/Chart.yaml"
    if "$KGRENDER" images "$d" >"$OUT" 2>"$ERR"; then fail "images: bad declared image fails"
    elif grep -q "plugin declared: Chart.yaml annotations\['artifacthub.io/images'\]\[0\].image: invalid image reference" "$ERR" &&
        [ ! -s "$OUT" ]; then pass "images: bad declared image fails"
    else fail "images: bad declared image fails" "$(cat "$ERR")"; fi
    # overlays/airgap: the charts that read global.imageRegistry themselves declare their upstream images
    orig=$("$KGRENDER" images "$TOP/overlays/airgap" --original 2>&1)
    [ "$orig" = "$("$KGRENDER" images "$TOP/overlays/default" 2>&1)" ] &&
        pass "overlays/airgap: --original lists the upstream images (overlays/default's)" ||
        fail "overlays/airgap --original" "$(echo $orig)"
    plan=$("$KGRENDER" mirror "$TOP/overlays/airgap" --to site.local:5000 --dry-run 2>&1)
    plan2=$("$KGRENDER" mirror "$TOP/overlays/airgap" --to site.local:5000 --dry-run --source-map docker.io=127.0.0.1:1/docker.io 2>&1)
    grep -q '^docker://quay.io/jetstack/cert-manager-controller:v1.8.0 -> docker://site.local:5000/kubegems/cert-manager-controller:v1.8.0$' <<<"$plan" &&
        grep -q '^docker://127.0.0.1:1/docker.io/grafana/loki:2.8.2 -> docker://site.local:5000/kubegems/loki:2.8.2$' <<<"$plan2" &&
        pass "mirror overlays/airgap copies from upstream (--source-map reads elsewhere)" || fail "mirror overlays/airgap plan" "$plan"
else
    skip "helm plugins" "no helm at $HELM (make testenv)"
fi

# the subcommands' command lines
"$KGRENDER" plugins --help | grep -q 'kgrender plugins DIR' && pass "kgrender plugins --help" || fail "kgrender plugins --help"
"$KGRENDER" pull --help | grep -q 'kgrender pull DIR' && pass "kgrender pull --help" || fail "kgrender pull --help"
"$KGRENDER" build --help | grep -q -- '--set PLUGIN.KEY=VALUE' && pass "kgrender build --help lists the plugin flags" || fail "build --help"
"$KGRENDER" plugins "$T/deps" -o yaml >/dev/null 2>"$ERR" && fail "plugins -o yaml refused" || pass "plugins -o yaml refused"
fails "--values needs PLUGIN=FILE" "$T/deps" 'values nofile: expected PLUGIN=FILE' --values nofile
fails "--set needs KEY=VALUE" "$T/deps" 'expected PLUGIN.KEY=VALUE' --set novalue
fails "a --set syntax error names the flag" "$T/deps" "--set top-c.a..b=1: empty key" --set top-c.a..b=1

# --keep-plugins prints them unexpanded (test/example.sh compares it with kubectl kustomize)
if build keep "$TOP/overlays/default" --keep-plugins; then
    [ "$(grep -c '^kind: Plugin$' "$OUT")" = 6 ] && pass "--keep-plugins prints the Plugin resources" ||
        fail "--keep-plugins" "$(grep -c '^kind: Plugin$' "$OUT") Plugins"
fi
exit 0
