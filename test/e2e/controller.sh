#!/usr/bin/env bash
# e2e: kgrender controller as a local process against tools/testenv: Plugins
# created with kubectl installed in dependency order, a dependency that never
# becomes healthy holding its dependent Pending, a value change re-applying
# only what changed, disable and delete removing objects, the global values
# re-rendering their readers, a kill and restart converging, two replicas with
# leader election (one reconciles, the other takes over), and the time for 20
# plugins against kgrender apply of each in sequence. Status carries the merged
# values, the chart's version and appVersion; a chart's requirements annotation
# is checked against the Plugins in the cluster.
T=controller
CHECKS="dep-order pending-names-dep status-merged-values chart-requirements chart-requirement-version
 value-change-only-changed disable-removes delete-removes global-values restart-converges leader-only-one
 leader-handover bench-20"
. "$(dirname "$0")/apply-lib.inc"
need_testenv
[ -x "$TE/bin/helm" ] || skip_all "tools/testenv/bin/helm missing"
start_env
export HELM=$TE/bin/helm
NS=kubegems-installer
KG apply "$TOP/bases/kgrender" >/dev/null 2>&1 || skip_all "bases/kgrender did not apply"
(while :; do "$TE/mark-ready" "$S" -n default app=base; sleep 0.5; done) >/dev/null 2>&1 & BGPIDS+=($!)

P=$W/plugins
mkdir -p "$P/base" "$P/app/k" "$P/stuck" "$P/chart/templates"
cat > "$P/base/deploy.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: base, labels: {app: base}}
spec:
  selector: {matchLabels: {app: base}}
  template:
    metadata: {labels: {app: base}}
    spec: {containers: [{name: c, image: example.com/base:1}]}
EOF
cat > "$P/app/k/kustomization.yaml" <<'EOF'
resources: [cm.yaml]
EOF
cat > "$P/app/k/cm.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: app-cm}
data: {k: v}
EOF
sed 's/base/stuck/g' "$P/base/deploy.yaml" > "$P/stuck/deploy.yaml"
cat > "$P/chart/Chart.yaml" <<'EOF'
apiVersion: v2
name: hchart
version: 0.1.0
appVersion: "9.9.9"
EOF
# two charts that need helmy through their requirements annotation (not spec.dependencies)
for req in "needy:>= 0.1.0" "picky:>= 2.0.0"; do
    c=$P/${req%%:*}
    mkdir -p "$c/templates"
    printf 'apiVersion: v2\nname: %s\nversion: 1.0.0\nannotations:\n  plugins.kubegems.io/requirements: helmy %s\n' \
        "${req%%:*}" "${req#*:}" > "$c/Chart.yaml"
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: %s-cm}\ndata: {a: b}\n' "${req%%:*}" > "$c/templates/cm.yaml"
done
cat > "$P/chart/templates/cm.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata: {name: h-values}
data: {x: "{{ .Values.x }}", cluster: "{{ .Values.global.clusterName }}"}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: h-static}
data: {s: static}
EOF
plugin() { # NAME KIND URL [extra spec lines]
    printf 'apiVersion: plugins.kubegems.io/v1beta1\nkind: Plugin\nmetadata: {name: %s, namespace: %s}\nspec:\n  kind: %s\n  url: %s\n  installNamespace: default\n%s\n---\n' "$1" "$NS" "$2" "$3" "${4:-}"
}
{
    plugin base native "$P/base"
    plugin app kustomize "file://$P/app" "  path: k
  dependencies: [{name: base}]"
    plugin stuck native "$P/stuck"
    plugin waits native "$P/app/k" "  dependencies: [{name: stuck}]"
    plugin helmy helm "$P/chart" "  values: {x: one}
  dependencies: [{name: app}]"
    plugin needy helm "$P/needy"
    plugin picky helm "$P/picky"
} > "$W/plugins.yaml"

CTL_ARGS=(--apply-timeout 20s --resync-period 1m)
start_ctl() { # LOG [args]: a controller in the background
    local log=$1; shift
    "$KGRENDER" controller "${CTL_ARGS[@]}" "$@" >"$log" 2>&1 & BGPIDS+=($!)
    CTL_PID=$!
}
phase() { K get plugin -n $NS "$1" -o jsonpath='{.status.phase}' 2>/dev/null; }
wait_phase() { # NAME PHASE [tries of 0.5 s]
    local i=0
    while [ "$(phase "$1")" != "$2" ] && [ $i -lt ${3:-120} ]; do sleep 0.5; i=$((i + 1)); done
    [ "$(phase "$1")" = "$2" ]
}
wait_gone() { local i=0; while K get "$@" >/dev/null 2>&1 && [ $i -lt 60 ]; do sleep 0.5; i=$((i + 1)); done; ! K get "$@" >/dev/null 2>&1; }

start_ctl "$W/ctl1.log" --health-addr 127.0.0.1:0
K apply -f "$W/plugins.yaml" >/dev/null
ok=1
for p in base app helmy; do wait_phase $p Installed || ok=0; done
line() { grep -n " installed plugin=$NS/$1 " "$W/ctl1.log" | head -1 | cut -d: -f1; }
if [ $ok = 1 ] && [ "$(line base)" -lt "$(line app)" ] && [ "$(line app)" -lt "$(line helmy)" ] \
    && K get cm app-cm h-values >/dev/null 2>&1; then pass "$T/dep-order"
else fail "$T/dep-order" "base: $(K get plugin -n $NS base -o jsonpath={.status.message}) pods: $(K get pods -A --no-headers 2>&1 | tr "\n" " ")"; fi

msg=$(K get plugin -n $NS waits -o jsonpath='{.status.phase} {.status.message}')
case "$msg" in "Pending "*stuck*) pass "$T/pending-names-dep" ;; *) fail "$T/pending-names-dep" "$msg" ;; esac

# status: the values as merged (the global values ConfigMap's clusterName with the plugin's x), versions
st=$(K get plugin -n $NS helmy -o jsonpath='{.status.values.x} {.status.values.global.clusterName} {.status.version} {.status.appVersion}')
want="one $(K get cm -n $NS kubegems-global-values -o jsonpath='{.data.clusterName}') 0.1.0 9.9.9"
[ "$st" = "$want" ] && pass "$T/status-merged-values" || fail "$T/status-merged-values" "got [$st] want [$want]"

# needy (helmy >= 0.1.0) installs once helmy is; picky (helmy >= 2.0.0) fails naming the versions
wait_phase needy Installed 60 && K get cm needy-cm >/dev/null 2>&1 && pass "$T/chart-requirements" ||
    fail "$T/chart-requirements" "$(K get plugin -n $NS needy -o jsonpath='{.status.phase} {.status.message}')"
wait_phase picky Failed 60
msg=$(K get plugin -n $NS picky -o jsonpath='{.status.message}')
case "$msg" in *"requires helmy >= 2.0.0, but helmy is version 0.1.0"*) pass "$T/chart-requirement-version" ;;
*) fail "$T/chart-requirement-version" "$(phase picky): $msg" ;; esac
K delete plugin -n $NS needy picky --wait=false >/dev/null

K patch plugin -n $NS helmy --type merge -p '{"spec":{"values":{"x":"two"}}}' >/dev/null
i=0; while [ "$(K get cm h-values -o jsonpath='{.data.x}')" != two ] && [ $i -lt 60 ]; do sleep 0.5; i=$((i + 1)); done
sleep 1
last=$(grep " installed plugin=$NS/helmy " "$W/ctl1.log" | grep -v "applied=0" | tail -1)
case "$last" in *"applied=1 unchanged=1"*) pass "$T/value-change-only-changed" ;;
*) fail "$T/value-change-only-changed" "$last" ;; esac

K patch cm -n $NS kubegems-global-values --type merge -p '{"data":{"clusterName":"renamed"}}' >/dev/null
i=0; while [ "$(K get cm h-values -o jsonpath='{.data.cluster}')" != renamed ] && [ $i -lt 60 ]; do sleep 0.5; i=$((i + 1)); done
check "$T/global-values" test "$(K get cm h-values -o jsonpath='{.data.cluster}')" = renamed

K patch plugin -n $NS app --type merge -p '{"spec":{"disabled":true}}' >/dev/null
if wait_phase app Disabled && wait_gone cm app-cm; then pass "$T/disable-removes"
else fail "$T/disable-removes" "$(phase app)"; fi
K delete plugin -n $NS base --wait=false >/dev/null
if wait_gone deploy base && wait_gone plugin -n $NS base; then pass "$T/delete-removes"
else fail "$T/delete-removes" "$(K get deploy base 2>&1)"; fi

# killed in the middle of installing ten plugins, then restarted
mkdir -p "$P/many"
{ for n in 1 2 3 4 5 6 7 8 9 10; do
    mkdir -p "$P/many/m$n"
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m%s}\ndata: {n: "%s"}\n' $n $n > "$P/many/m$n/cm.yaml"
    plugin m$n native "$P/many/m$n"
done; } > "$W/many.yaml"
K apply -f "$W/many.yaml" >/dev/null
sleep 0.3
kill -KILL $CTL_PID
start_ctl "$W/ctl2.log" --health-addr 127.0.0.1:0
ok=1
for n in 1 2 3 4 5 6 7 8 9 10; do wait_phase m$n Installed 60 && K get cm m$n >/dev/null 2>&1 || ok=0; done
check "$T/restart-converges" test $ok = 1
kill $CTL_PID; wait $CTL_PID 2>/dev/null

# two replicas with leader election
LE=(--leader-elect --lease-duration 4s --renew-deadline 3s --retry-period 1s)
start_ctl "$W/le1.log" "${LE[@]}" --health-addr 127.0.0.1:18391; L1=$CTL_PID
sleep 2
start_ctl "$W/le2.log" "${LE[@]}" --health-addr 127.0.0.1:18392; L2=$CTL_PID
sleep 3
K patch plugin -n $NS m1 --type merge -p '{"spec":{"values":{"v":1}}}' >/dev/null
sleep 3
m() { curl -s "127.0.0.1:$1/metrics" | awk -v k="$2" '$1 == k {print $2}'; }
r1=$(m 18391 kgrender_reconciles_total); r2=$(m 18392 kgrender_reconciles_total)
if grep -q "became leader" "$W/le1.log" && ! grep -q "became leader" "$W/le2.log" && [ "${r1:-0}" != 0 ] \
    && [ "${r2:-x}" = 0 ] && [ "$(m 18392 kgrender_leader)" = 0 ]; then pass "$T/leader-only-one"
else fail "$T/leader-only-one" "reconciles $r1 / $r2"; fi
kill -KILL $L1
t0=$(date +%s.%N)
i=0; while ! grep -q "became leader" "$W/le2.log" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
took=$(echo "$(date +%s.%N) - $t0" | bc)
if grep -q "became leader" "$W/le2.log" && [ "$(echo "$took < 5.5" | bc)" = 1 ]; then pass "$T/leader-handover"
else fail "$T/leader-handover" "took $took s"; fi
echo "$took" > "${TMPDIR:-/tmp}/kgr-ctl-handover"
echo "# leader handover after the leader's kill: ${took} s (lease 4 s)" >&2
CTL_PID=$L2

# 20 plugins: the controller vs kgrender apply of each in sequence
mkdir -p "$P/bench"
{ for n in $(seq 1 20); do
    mkdir -p "$P/bench/b$n/src" "$P/bench/b$n/k"
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b%s-a}\ndata: {n: "%s"}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b%s-b}\ndata: {n: "%s"}\n' $n $n $n $n > "$P/bench/b$n/src/cm.yaml"
    plugin b$n native "$P/bench/b$n/src" | tee "$P/bench/b$n/k/plugin.yaml"
    printf 'resources: [plugin.yaml]\n' > "$P/bench/b$n/k/kustomization.yaml"
done; } > "$W/bench.yaml"
t0=$(date +%s.%N)
K apply -f "$W/bench.yaml" >/dev/null
ok=1
installed() { K get plugins -n $NS -o jsonpath='{range .items[*]}{.metadata.name}={.status.phase}{"\n"}{end}' | grep -c '^b[0-9]*=Installed$'; }
i=0; while [ "$(installed)" -lt 20 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
[ "$(installed)" = 20 ] || ok=0
ctl_s=$(echo "$(date +%s.%N) - $t0" | bc)
K delete plugin -n $NS $(seq -f 'b%g' 1 20) >/dev/null
for n in $(seq 1 20); do wait_gone cm b$n-a; done
kill $CTL_PID; wait $CTL_PID 2>/dev/null
t0=$(date +%s.%N)
for n in $(seq 1 20); do KG apply "$P/bench/b$n/k" --wait --prune --no-progress >/dev/null 2>&1 || ok=0; done
seq_s=$(echo "$(date +%s.%N) - $t0" | bc)
echo "# 20 plugins: controller (kubectl apply to all Installed) ${ctl_s} s; kgrender apply one at a time ${seq_s} s"
if [ $ok = 1 ]; then pass "$T/bench-20 (controller ${ctl_s} s, kgrender apply in sequence ${seq_s} s)"; else fail "$T/bench-20"; fi
