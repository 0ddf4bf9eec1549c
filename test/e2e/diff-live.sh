#!/usr/bin/env bash
# e2e: kgrender diff --live on a real control plane (tools/testenv): after
# kgrender apply nothing differs; a change made with kubectl shows as exactly
# that object changed (with its field path in -o json); an object taken out
# of the kustomization is listed as removed (what apply --prune deletes); a
# new one as added, also in a Namespace the same apply makes; a Secret change
# lists the key and no value in any output form; a server that is down is
# exit 2 with a clear message.
T=diff-live
CHECKS="applied unchanged unchanged-json scaled-changed scaled-path scaled-text pruned-removed added
 added-new-namespace secret-key-listed secret-no-value server-down flags-need-live"
. "$(dirname "$0")/apply-lib.inc"
need_testenv
start_env nokcm

D=$W/app
mkdir -p "$D"
cat > "$D/kustomization.yaml" <<'EOF'
namespace: live
resources:
- ns.yaml
- web.yaml
- settings.yaml
- extra.yaml
- creds.yaml
EOF
cat > "$D/ns.yaml" <<'EOF'
apiVersion: v1
kind: Namespace
metadata:
  name: live
EOF
cat > "$D/web.yaml" <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.25
EOF
cat > "$D/settings.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
EOF
cat > "$D/extra.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: extra
data:
  k: v
EOF
OLDPW=s3cr3t-old-Value
NEWPW=n3w-s3cr3t-Value
cat > "$D/creds.yaml" <<EOF
apiVersion: v1
kind: Secret
metadata:
  name: creds
type: Opaque
data:
  password: $(printf %s "$OLDPW" | base64)
  user: $(printf %s admin | base64)
EOF

# jq-less reading of diff -o json: "kind/namespace/name:change:path,path" per object
objs() {
    python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for o in d["objects"]:
    print("%s/%s/%s:%s:%s" % (o["kind"], o["namespace"], o["name"], o["change"], ",".join(o["paths"])))
' "$1"
}
sumof() { python3 -c 'import json,sys; s=json.load(open(sys.argv[1]))["summary"]; print(s["changed"],s["added"],s["removed"],s["unchanged"])' "$1"; }

KG apply "$D" >"$W/a1.out" 2>"$W/a1.err"; rc=$?
[ $rc -eq 0 ] && pass "$T/applied" || fail "$T/applied" "rc $rc: $(tail -n 3 "$W/a1.err" | tr '\n' ' ')"

# --- right after apply: nothing differs -----------------------------------------------
KG diff --live "$D" >"$W/d1.out" 2>"$W/d1.err"; rc=$?
[ $rc -eq 0 ] && grep -q '^0 changed, 0 added, 0 removed, 5 unchanged$' "$W/d1.out" && pass "$T/unchanged" ||
    fail "$T/unchanged" "rc $rc: $(tr '\n' ' ' < "$W/d1.out" | cut -c1-600) $(tr '\n' ' ' < "$W/d1.err")"
KG diff --live "$D" -o json >"$W/d1.json" 2>"$W/d1j.err"; rc=$?
[ $rc -eq 0 ] && [ "$(sumof "$W/d1.json")" = "0 0 0 5" ] && pass "$T/unchanged-json" ||
    fail "$T/unchanged-json" "rc $rc: $(cat "$W/d1.json" "$W/d1j.err" | tr '\n' ' ' | cut -c1-600)"

# --- kubectl scale: that Deployment, and only it, changed at spec.replicas ------------
K scale deployment web -n live --replicas=3 >/dev/null
KG diff --live "$D" -o json >"$W/d2.json" 2>"$W/d2.err"; rc=$?
got=$(objs "$W/d2.json" 2>&1)
[ $rc -eq 1 ] && [ "$(sumof "$W/d2.json")" = "1 0 0 4" ] && [ "$(echo "$got" | wc -l)" = 1 ] &&
    echo "$got" | grep -q '^Deployment/live/web:changed:' && pass "$T/scaled-changed" ||
    fail "$T/scaled-changed" "rc $rc: $got $(tr '\n' ' ' < "$W/d2.err")"
echo "$got" | grep -q '^Deployment/live/web:changed:spec.replicas$' && pass "$T/scaled-path" ||
    fail "$T/scaled-path" "$got"
KG diff --live "$D" --color never >"$W/d2.out" 2>&1; rc=$?
[ $rc -eq 1 ] && grep -q '^-  replicas: 3$' "$W/d2.out" && grep -q '^+  replicas: 1$' "$W/d2.out" &&
    pass "$T/scaled-text" || fail "$T/scaled-text" "rc $rc: $(tr '\n' ' ' < "$W/d2.out" | cut -c1-600)"
KG apply "$D" --check-drift >/dev/null 2>&1 # back to replicas 1 (drift taken back)

# --- an object no longer rendered: removed (apply --prune would delete it); a new one: added
sed -i 's/^- extra.yaml$/- more.yaml/' "$D/kustomization.yaml"
cat > "$D/more.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: more
data:
  k: v
EOF
KG diff --live "$D" -o json >"$W/d3.json" 2>"$W/d3.err"; rc=$?
got=$(objs "$W/d3.json" 2>&1)
[ $rc -eq 1 ] && echo "$got" | grep -q '^ConfigMap/live/extra:removed:$' && [ "$(sumof "$W/d3.json")" = "0 1 1 4" ] &&
    pass "$T/pruned-removed" || fail "$T/pruned-removed" "rc $rc: $got $(tr '\n' ' ' < "$W/d3.err")"
echo "$got" | grep -q '^ConfigMap/live/more:added:$' && pass "$T/added" || fail "$T/added" "$got"

# --- a whole new Namespace: the dry run of its objects cannot be asked, they are added
N=$W/newns
mkdir -p "$N"
printf 'namespace: fresh\nresources:\n- ns.yaml\n- cm.yaml\n' > "$N/kustomization.yaml"
printf 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: fresh\n' > "$N/ns.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: b\n' > "$N/cm.yaml"
KG diff --live "$N" -o json >"$W/d4.json" 2>"$W/d4.err"; rc=$?
got=$(objs "$W/d4.json" 2>&1)
[ $rc -eq 1 ] && [ "$(sumof "$W/d4.json")" = "0 2 0 0" ] && pass "$T/added-new-namespace" ||
    fail "$T/added-new-namespace" "rc $rc: $got $(tr '\n' ' ' < "$W/d4.err")"

# --- a Secret changed with kubectl: its key listed, no value anywhere -----------------
K patch secret creds -n live -p "{\"data\":{\"password\":\"$(printf %s "$NEWPW" | base64)\"}}" >/dev/null
KG diff --live "$D" -o json >"$W/s.json" 2>"$W/s.err"; rc=$?
got=$(objs "$W/s.json" 2>&1)
[ $rc -eq 1 ] && echo "$got" | grep -q '^Secret/live/creds:changed:data.password$' && pass "$T/secret-key-listed" ||
    fail "$T/secret-key-listed" "rc $rc: $got $(tr '\n' ' ' < "$W/s.err")"
KG diff --live "$D" --color never >"$W/s.txt" 2>&1
KG diff --live "$D" -o markdown >"$W/s.md" 2>&1
KG diff --live "$D" -U 50 --color always >"$W/s.col" 2>&1
leak=
for v in "$OLDPW" "$NEWPW" admin "$(printf %s "$OLDPW" | base64)" "$(printf %s "$NEWPW" | base64)" \
    "$(printf %s admin | base64)"; do
    grep -qF -- "$v" "$W/s.json" "$W/s.err" "$W/s.txt" "$W/s.md" "$W/s.col" && leak="$leak $v"
done
[ -z "$leak" ] && grep -q 'password: <hidden' "$W/s.txt" && pass "$T/secret-no-value" ||
    fail "$T/secret-no-value" "leaked:$leak; $(grep -A3 creds "$W/s.txt" | tr '\n' ' ')"

# --- no server: exit 2, a clear message, nothing on stdout ----------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
KG diff --live "$D" --server "https://127.0.0.1:$port" >"$W/down.out" 2>"$W/down.err"; rc=$?
[ $rc -eq 2 ] && [ ! -s "$W/down.out" ] && grep -q 'cannot reach the API server' "$W/down.err" &&
    pass "$T/server-down" || fail "$T/server-down" "rc $rc: $(cat "$W/down.out" "$W/down.err" | tr '\n' ' ')"

KG diff "$D" "$D" -n live >"$W/f.out" 2>"$W/f.err"; rc=$?
[ $rc -eq 2 ] && grep -q -- '-n needs --live' "$W/f.err" && pass "$T/flags-need-live" ||
    fail "$T/flags-need-live" "rc $rc: $(tr '\n' ' ' < "$W/f.err")"
