#!/usr/bin/env bash
# e2e: remote resources without the internet. An http file served by a local
# python http.server and a git repository reached through file:// build as
# kubectl kustomize builds them; once the server or the repository is gone
# kgrender builds from its cache (with a warning), and an uncached URL fails
# naming the kustomization file:line and the URL.
. "$(dirname "$0")/../lib.sh"
T=remote
W=$(mktemp -d "${TMPDIR:-/tmp}/kgr-e2e-remote.XXXXXX")
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
export KGRENDER_CACHE=$W/cache
have_kubectl=; command -v kubectl >/dev/null && have_kubectl=1

# same NAME DIR [FLAGS...]: kgrender and kubectl kustomize print the same bytes (kept in $W/online).
same() {
    local name=$1 dir=$2; shift 2
    if ! "$KGRENDER" build "$dir" "$@" > "$W/online" 2> "$W/got.err"; then
        fail "$name" "kgrender: $(tail -n 2 "$W/got.err" | tr '\n' ' ')"; return
    fi
    if [ -z "$have_kubectl" ]; then skip "$name" "kubectl missing"; return; fi
    if ! kubectl kustomize "$dir" "$@" > "$W/want" 2> "$W/want.err"; then
        fail "$name" "kubectl kustomize: $(tail -n 2 "$W/want.err" | tr '\n' ' ')"; return
    fi
    cmp -s "$W/online" "$W/want" && pass "$name" || fail "$name" "output differs: $(diff "$W/want" "$W/online" | head -n 4 | tr '\n' ' ')"
}

# from_cache NAME DIR: builds the same bytes as the last online build, with a warning about the cache.
from_cache() {
    local name=$1 dir=$2
    if ! "$KGRENDER" build "$dir" > "$W/got" 2> "$W/got.err"; then
        fail "$name" "$(tail -n 2 "$W/got.err" | tr '\n' ' ')"
    elif ! cmp -s "$W/got" "$W/online"; then
        fail "$name" "output differs from the online build"
    elif ! grep -q '^Warning: .*cached' "$W/got.err"; then
        fail "$name" "no warning about the cache on stderr: $(head -c 200 "$W/got.err")"
    else
        pass "$name"
    fi
}

# fails_clearly NAME DIR WORDS...: exit 1, nothing on stdout, every word on stderr.
fails_clearly() {
    local name=$1 dir=$2 rc w; shift 2
    env ${KGR_PATH:+PATH=$KGR_PATH} "$KGRENDER" build "$dir" > "$W/got" 2> "$W/got.err"; rc=$?
    if [ $rc -ne 1 ]; then fail "$name" "exit $rc, want 1: $(head -c 200 "$W/got.err")"; return; fi
    if [ -s "$W/got" ]; then fail "$name" "wrote to stdout"; return; fi
    for w in "$@"; do
        grep -qF -- "$w" "$W/got.err" || { fail "$name" "'$w' not in: $(head -c 300 "$W/got.err")"; return; }
    done
    pass "$name"
}

# ---- http(s) files ----
mkdir -p "$W/www" "$W/http" "$W/http-missing"
cat > "$W/www/cm.yaml" <<'Y'
apiVersion: v1
kind: ConfigMap
metadata:
  name: served
data:
  key: value
Y
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
(cd "$W/www" && exec python3 -m http.server "$PORT" --bind 127.0.0.1) > "$W/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 50); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/cm.yaml', timeout=1)" 2>/dev/null && break
    sleep 0.1
done
URL=http://127.0.0.1:$PORT/cm.yaml
printf 'resources:\n- %s\n' "$URL" > "$W/http/kustomization.yaml"
printf 'resources:\n- http://127.0.0.1:%s/missing.yaml\n' "$PORT" > "$W/http-missing/kustomization.yaml"

same "$T/http" "$W/http"
fails_clearly "$T/http-404-uncached" "$W/http-missing" "kustomization.yaml:2" "missing.yaml" "404"
kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; SERVER=
from_cache "$T/http-offline-cached" "$W/http"
fails_clearly "$T/http-offline-uncached" "$W/http-missing" "kustomization.yaml:2" "http://127.0.0.1:$PORT/missing.yaml"

# ---- git repositories (file:// URLs, which kustomize accepts) ----
if ! command -v git >/dev/null; then
    for c in git git-offline-cached git-uncached git-root-only git-missing; do skip "$T/$c" "git missing"; done
    exit 0
fi
G=$W/gitsrc
mkdir -p "$G/base" "$W/git" "$W/git-bad" "$W/git-escape"
printf 'resources:\n- cm.yaml\n' > "$G/base/kustomization.yaml"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fromgit\ndata:\n  a: "1"\n' > "$G/base/cm.yaml"
# a kustomization in the repo that reaches outside its root
mkdir -p "$G/escape"
printf 'resources:\n- ../base/cm.yaml\n' > "$G/escape/kustomization.yaml"
(cd "$G" && git init -q && git add . && git -c user.email=e2e@example.invalid -c user.name=e2e commit -qm init &&
    git tag v1) >/dev/null 2>&1
git clone -q --bare "$G" "$W/repo.git"
printf 'resources:\n- file://%s//base?ref=v1\n' "$W/repo.git" > "$W/git/kustomization.yaml"
printf 'resources:\n- file://%s/nope.git//base?ref=v1\n' "$W" > "$W/git-bad/kustomization.yaml"
printf 'resources:\n- file://%s//escape?ref=v1\n' "$W/repo.git" > "$W/git-escape/kustomization.yaml"

same "$T/git" "$W/git"
mv "$W/repo.git" "$W/repo-gone.git"
from_cache "$T/git-offline-cached" "$W/git"
fails_clearly "$T/git-uncached" "$W/git-bad" "kustomization.yaml:2" "file://$W/nope.git//base?ref=v1"
mv "$W/repo-gone.git" "$W/repo.git"
# remote roots are root-only even with LoadRestrictionsNone, as in kustomize
if "$KGRENDER" build "$W/git-escape" --load-restrictor LoadRestrictionsNone > "$W/got" 2> "$W/got.err"; then
    fail "$T/git-root-only" "built a clone's file outside its root"
elif { [ -n "$have_kubectl" ] && kubectl kustomize "$W/git-escape" --load-restrictor LoadRestrictionsNone >/dev/null 2>&1; }; then
    fail "$T/git-root-only" "kubectl kustomize accepts it"
else
    grep -q security "$W/got.err" && pass "$T/git-root-only" || fail "$T/git-root-only" "$(head -c 200 "$W/got.err")"
fi
# no git at all, nothing cached: a clear error
KGRENDER_CACHE=$W/cache2 KGR_PATH=/nonexistent fails_clearly "$T/git-missing" "$W/git" "kustomization.yaml:2" "git is not installed"
