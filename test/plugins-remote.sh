#!/usr/bin/env bash
# Remote plugin sources without the internet: a helm chart repository served
# on 127.0.0.1 by python's http.server (index.yaml, archives, digests), an
# OCI registry (the test environment's docker-registry, when installed), a git
# repository by file:// URL; the cache, `kgrender pull` and `--offline`.
. "$(dirname "$0")/lib.sh"
HELM=${HELM:-$TOP/tools/testenv/bin/helm}
export HELM
T=remote-plugins
if [ ! -x "$HELM" ]; then skip "$T" "no helm at $HELM (make testenv)"; exit 0; fi
W=$(mktemp -d "${TMPDIR:-/tmp}/kgr-plugins-remote.XXXXXX")
SERVER= REGPID=
cleanup() {
    [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null
    [ -n "$REGPID" ] && kill "$REGPID" 2>/dev/null
    wait 2>/dev/null; rm -rf "$W"
}
trap cleanup EXIT
export KGRENDER_CACHE=$W/cache HELM_CONFIG_HOME=$W/hc HELM_CACHE_HOME=$W/hc/cache HELM_DATA_HOME=$W/hc/data
OUT=$W/out.yaml ERR=$W/err.txt

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 50); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done; return 1; }

# run NAME DIR [FLAGS]: build into $OUT; FAIL when it fails.
run() {
    local name=$1 dir=$2; shift 2
    "$KGRENDER" build "$dir" "$@" >"$OUT" 2>"$ERR" && return 0
    fail "$T/$name" "$(head -c 300 "$ERR" | tr '\n' ' ')"; return 1
}
fails() { # NAME DIR PATTERN [FLAGS]
    local name=$1 dir=$2 pat=$3; shift 3
    if "$KGRENDER" build "$dir" "$@" >"$OUT" 2>"$ERR"; then fail "$T/$name" "build succeeded"; return; fi
    [ -s "$OUT" ] && { fail "$T/$name" "wrote to stdout"; return; }
    grep -qE -- "$pat" "$ERR" && pass "$T/$name" || fail "$T/$name" "$(head -c 300 "$ERR" | tr '\n' ' ')"
}
has() { local n=$1 p; shift; for p in "$@"; do grep -qE -- "$p" "$OUT" || { fail "$T/$n" "no '$p'"; return; }; done; pass "$T/$n"; }

mkchart() { # DIR NAME VERSION
    mkdir -p "$1/templates"
    printf 'apiVersion: v2\nname: %s\nversion: %s\n' "$2" "$3" >"$1/Chart.yaml"
    printf 'msg: hello\n' >"$1/values.yaml"
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  version: {{ .Chart.Version | quote }}\n  msg: {{ .Values.msg | quote }}\n' \
        >"$1/templates/cm.yaml"
}
mkchart "$W/src/web-1" web 1.0.0
mkchart "$W/src/web-2" web 2.0.0
mkchart "$W/src/web-3" web 3.0.0-rc.1
mkdir -p "$W/repo"
for v in 1 2 3; do "$HELM" package "$W/src/web-$v" -d "$W/repo" >/dev/null; done
"$HELM" repo index "$W/repo"
printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: from-url\nspec:\n  ports:\n  - port: 80\n' >"$W/repo/svc.yaml"
PORT=$(free_port)
(cd "$W/repo" && exec python3 -m http.server "$PORT" --bind 127.0.0.1) >"$W/server.log" 2>&1 &
SERVER=$!
wait_http "http://127.0.0.1:$PORT/index.yaml" || { fail "$T/server" "http.server did not start"; exit 0; }
R=http://127.0.0.1:$PORT

mkdir -p "$W/k"
cat >"$W/k/kustomization.yaml" <<'EOF'
resources:
- plugins.yaml
EOF
cat >"$W/k/plugins.yaml" <<EOF
apiVersion: plugins.kubegems.io/v1beta1
kind: Plugin
metadata:
  name: pinned
spec:
  kind: helm
  url: $R
  chart: web
  version: 1.0.0
---
apiVersion: plugins.kubegems.io/v1beta1
kind: Plugin
metadata:
  name: latest
spec:
  kind: helm
  repo: $R/
  name: web
---
apiVersion: plugins.kubegems.io/v1beta1
kind: Plugin
metadata:
  name: archive
spec:
  kind: template
  url: $R/web-2.0.0.tgz
---
apiVersion: plugins.kubegems.io/v1beta1
kind: Plugin
metadata:
  name: yamlfile
spec:
  kind: native
  url: $R/svc.yaml
  installNamespace: files
---
apiVersion: plugins.kubegems.io/v1beta1
kind: Plugin
metadata:
  name: later
spec:
  kind: helm
  disabled: true
  url: $R
  chart: web
  version: 3.0.0-rc.1
EOF
if run http-repo "$W/k"; then
    has http-repo-version 'name: pinned-cm' 'version: 1.0.0'
    has http-repo-latest-release 'name: latest-cm' 'version: 2.0.0'
    has archive-by-url 'name: archive-cm'
    has yaml-file-by-url 'name: from-url' 'namespace: files'
    cp "$OUT" "$W/online.yaml"
fi
[ -f "$W/cache/plugins/charts/127.0.0.1_$PORT/web-1.0.0.tgz" ] && pass "$T/cached-chart-path" ||
    fail "$T/cached-chart-path" "$(find "$W/cache/plugins" -name '*.tgz' | head -3 | tr '\n' ' ')"
[ -f "$W/cache/plugins/charts/127.0.0.1_$PORT/web-3.0.0-rc.1.tgz" ] && fail "$T/disabled-not-fetched-by-build" "web-3.0.0-rc.1.tgz cached" ||
    pass "$T/disabled-not-fetched-by-build"

# kgrender pull fills a fresh cache, disabled plugins included; then the server goes away
export KGRENDER_CACHE=$W/cache2
if "$KGRENDER" pull "$W/k" >"$W/pull.txt" 2>"$ERR"; then
    grep -q "^later: $R -> .*web-3.0.0-rc.1.tgz$" "$W/pull.txt" && pass "$T/pull-reports-sources" ||
        fail "$T/pull-reports-sources" "$(head -c 300 "$W/pull.txt")"
else fail "$T/pull" "$(head -c 300 "$ERR")"; fi
# kgrender pull --bundle: a cache of its own as one tar.gz (or a directory), carried to a site without the server
if "$KGRENDER" pull "$W/k" --bundle "$W/plugins.tar.gz" >"$W/pullb.txt" 2>"$ERR" &&
    "$KGRENDER" pull "$W/k" --bundle "$W/bundle-dir" >/dev/null 2>>"$ERR"; then
    grep -q "^bundle: $W/plugins.tar.gz$" "$W/pullb.txt" && [ -d "$W/bundle-dir/plugins/charts" ] &&
        ! ls -d "$W"/plugins.tar.gz.kgrender-* "$W"/bundle-dir.kgrender-* >/dev/null 2>&1 &&
        pass "$T/pull-bundle" || fail "$T/pull-bundle" "$(cat "$W/pullb.txt") $(ls "$W")"
else fail "$T/pull-bundle" "$(head -c 300 "$ERR")"; fi
"$KGRENDER" pull "$W/k" --bundle "$W/x.tgz" --cache-dir "$W/c3" >/dev/null 2>"$ERR" && fail "$T/pull-bundle-cache-dir" "accepted" ||
    { grep -q 'leave out --cache-dir' "$ERR" && pass "$T/pull-bundle-cache-dir" || fail "$T/pull-bundle-cache-dir" "$(cat "$ERR")"; }
kill "$SERVER"; wait "$SERVER" 2>/dev/null; SERVER=
mkdir -p "$W/site-cache" && tar -xzf "$W/plugins.tar.gz" -C "$W/site-cache"
for b in site-cache bundle-dir; do
    if KGRENDER_CACHE=$W/nowhere run "offline-from-$b" "$W/k" --offline --cache-dir "$W/$b" --enable later; then
        KGRENDER_CACHE=$W/nowhere "$KGRENDER" build "$W/k" --offline --cache-dir "$W/$b" >"$W/b.yaml" 2>"$ERR" &&
            cmp -s "$W/b.yaml" "$W/online.yaml" && pass "$T/offline-from-$b" || fail "$T/offline-from-$b" "output differs"
    fi
done
if run offline-after-pull "$W/k" --offline; then
    cmp -s "$OUT" "$W/online.yaml" && pass "$T/offline-after-pull" || fail "$T/offline-after-pull" "output differs"
fi
run offline-enable-disabled "$W/k" --offline --enable later && pass "$T/offline-enable-disabled"
# an unversioned chart with the server down: the cached index answers (with a warning)
if run server-down-cached "$W/k"; then
    cmp -s "$OUT" "$W/online.yaml" && grep -q 'using the cached index' "$ERR" && pass "$T/server-down-cached" ||
        fail "$T/server-down-cached" "$(head -c 200 "$ERR")"
fi
export KGRENDER_CACHE=$W/empty
fails offline-names-what-is-missing "$W/k" "offline: .*$R.* is not in the cache \($W/empty/plugins/" --offline
"$KGRENDER" pull "$W/k" --offline >/dev/null 2>"$ERR" && fail "$T/pull-offline" "accepted" ||
    { grep -q 'makes no sense' "$ERR" && pass "$T/pull-offline" || fail "$T/pull-offline" "$(cat "$ERR")"; }
fails server-down-no-cache "$W/k" "plugin (archive|latest|pinned): .*127.0.0.1:$PORT.*connect"

# a digest that does not match is refused
export KGRENDER_CACHE=$W/cache3
sed -i 's/^    digest: .*/    digest: 0000000000000000000000000000000000000000000000000000000000000000/' "$W/repo/index.yaml"
PORT2=$(free_port)
(cd "$W/repo" && exec python3 -m http.server "$PORT2" --bind 127.0.0.1) >"$W/server.log" 2>&1 &
SERVER=$!
wait_http "http://127.0.0.1:$PORT2/index.yaml"
sed "s#$R#http://127.0.0.1:$PORT2#" "$W/k/plugins.yaml" >"$W/k/p2.yaml" && mv "$W/k/p2.yaml" "$W/k/plugins.yaml"
fails digest-mismatch "$W/k" 'plugin (latest|pinned): chart web [12].0.0: .*digest mismatch: got sha256:[0-9a-f]{64}, want sha256:0{64}'
"$HELM" repo index "$W/repo"
sed -i 's/version: 1.0.0/version: 9.9.9/' "$W/k/plugins.yaml"
fails unknown-chart-version "$W/k" 'plugin pinned: chart web version 9.9.9 is not in http://127.0.0.1:[0-9]+ \(versions: '
kill "$SERVER"; wait "$SERVER" 2>/dev/null; SERVER=

# credentials from helm's repositories file: a server that wants basic auth
export KGRENDER_CACHE=$W/cache4
PORT3=$(free_port)
cat >"$W/auth.py" <<'EOF'
import base64, http.server, os, sys
class H(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.headers.get("Authorization") != "Basic " + base64.b64encode(b"alice:s3cret").decode():
            self.send_response(401); self.end_headers(); return
        super().do_GET()
    def log_message(self, *a): pass
os.chdir(sys.argv[2])
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF
"$HELM" repo index "$W/repo"
python3 "$W/auth.py" "$PORT3" "$W/repo" >"$W/auth.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$PORT3/" && break; sleep 0.1; done
mkdir -p "$W/ka"
printf 'resources:\n- p.yaml\n' >"$W/ka/kustomization.yaml"
printf 'apiVersion: plugins.kubegems.io/v1beta1\nkind: Plugin\nmetadata:\n  name: private\nspec:\n  url: http://127.0.0.1:%s\n  chart: web\n  version: 1.0.0\n' "$PORT3" >"$W/ka/p.yaml"
fails auth-required "$W/ka" 'HTTP status 401'
mkdir -p "$W/hcfg"
printf 'apiVersion: ""\nrepositories:\n- name: private\n  url: http://127.0.0.1:%s/\n  username: alice\n  password: s3cret\n' "$PORT3" >"$W/hcfg/repositories.yaml"
HELM_REPOSITORY_CONFIG=$W/hcfg/repositories.yaml run auth-from-helm-repositories "$W/ka" && has auth-from-helm-repositories 'name: private-cm'
kill "$SERVER"; wait "$SERVER" 2>/dev/null; SERVER=

# git: a repository by file:// URL at a revision, with a path inside it
export KGRENDER_CACHE=$W/cache5
G=$W/gitsrc.git
mkdir -p "$G/deploy"
cp -r "$W/src/web-1" "$G/deploy/web"
( cd "$G" && git init -q && git add . && git -c user.email=t@t -c user.name=t commit -qm v1 && git tag v1 &&
  sed -i 's/msg: hello/msg: second/' deploy/web/values.yaml && git -c user.email=t@t -c user.name=t commit -qam v2 ) ||
    fail "$T/git-setup"
mkdir -p "$W/kg"
printf 'resources:\n- p.yaml\n' >"$W/kg/kustomization.yaml"
printf 'apiVersion: plugins.kubegems.io/v1beta1\nkind: Plugin\nmetadata:\n  name: fromgit\nspec:\n  kind: helm\n  url: file://%s\n  version: v1\n  path: deploy\n  chart: web\n' "$G" >"$W/kg/p.yaml"
if run git-revision "$W/kg"; then has git-revision 'name: fromgit-cm' 'msg: hello'; fi
sed -i 's/version: v1/version: master/' "$W/kg/p.yaml"
( cd "$G" && git branch -q -m master ) 2>/dev/null
if run git-branch "$W/kg"; then has git-branch 'msg: second'; fi
if run git-offline "$W/kg" --offline; then has git-offline 'msg: second'; fi

# OCI: the test environment's registry (plain HTTP on 127.0.0.1)
if command -v docker-registry >/dev/null && [ -x "$TOP/tools/testenv/registry-up" ]; then
    export KGRENDER_CACHE=$W/cache6
    if eval "$("$TOP/tools/testenv/registry-up" "$W/reg" 2>"$W/reg.err")"; then
        REGPID=$(cat "$W/reg/docker-registry.pid")
        "$HELM" push "$W/repo/web-1.0.0.tgz" "oci://$REGISTRY/charts" --plain-http >/dev/null 2>&1 &&
            "$HELM" push "$W/repo/web-2.0.0.tgz" "oci://$REGISTRY/charts" --plain-http >/dev/null 2>&1 || fail "$T/oci-push"
        mkdir -p "$W/ko"
        printf 'resources:\n- p.yaml\n' >"$W/ko/kustomization.yaml"
        printf 'apiVersion: plugins.kubegems.io/v1beta1\nkind: Plugin\nmetadata:\n  name: oci1\nspec:\n  url: oci://%s/charts\n  chart: web\n  version: 1.0.0\n---\napiVersion: plugins.kubegems.io/v1beta1\nkind: Plugin\nmetadata:\n  name: oci2\nspec:\n  url: oci://%s/charts/web\n  chart: web\n' "$REGISTRY" "$REGISTRY" >"$W/ko/p.yaml"
        if run oci "$W/ko"; then has oci-version 'name: oci1-cm' 'version: 1.0.0'; has oci-latest-tag 'name: oci2-cm' 'version: 2.0.0'; fi
        "$TOP/tools/testenv/down" "$W/reg" >/dev/null 2>&1; REGPID=
        if run oci-offline "$W/ko" --offline; then has oci-offline 'name: oci1-cm'; fi
    else
        fail "$T/oci-registry" "$(head -c 200 "$W/reg.err")"
    fi
else
    skip "$T/oci" "docker-registry is not installed"
fi
exit 0
