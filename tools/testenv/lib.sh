# Shared settings for tools/testenv scripts; sourced, not run.
# Versions, the cache layout and small helpers used by build, up, down, registry-up.

TESTENV_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TESTENV_BIN=$TESTENV_DIR/bin

. "$TESTENV_DIR/versions.sh"

KGRENDER_CACHE=${KGRENDER_CACHE:-${HOME:-/tmp}/.cache/kgrender}

die() { echo "testenv: $*" >&2; exit 1; }

# Go module and build caches live under one directory so CI can keep them.
testenv_go_env() {
    if ! command -v go >/dev/null 2>&1; then
        if [ -x /usr/local/go/bin/go ]; then PATH=/usr/local/go/bin:$PATH; export PATH
        else die "go not found (need Go >= 1.24 on PATH or at /usr/local/go)"; fi
    fi
    export GOMODCACHE=$KGRENDER_CACHE/go/mod
    export GOCACHE=$KGRENDER_CACHE/go/build
    export GOFLAGS="${GOFLAGS:+$GOFLAGS }-buildvcs=false"
    export CGO_ENABLED=0
}

# need CMD...: fail clearly when a command the scripts rely on is missing.
need() {
    local c missing=
    for c in "$@"; do command -v "$c" >/dev/null 2>&1 || missing="$missing $c"; done
    [ -z "$missing" ] || die "missing command(s):$missing (the project's setup installs them: apt-get install docker-registry skopeo openssl curl python3)"
}

# free_ports N: print N distinct TCP ports that are free on 127.0.0.1, picked at
# random below the kernel's ephemeral range so they don't collide with clients'
# outgoing connections.
free_ports() {
    python3 - "$1" <<'PY'
import random, socket, sys
n = int(sys.argv[1]); got = []
lo, hi = 20000, 32000
try:
    lo_eph = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    hi = min(hi, lo_eph - 1)
except Exception:
    pass
for _ in range(1000):
    if len(got) == n: break
    p = random.randrange(lo, hi)
    if p in got: continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); got.append(p)
    except OSError:
        pass
    finally:
        s.close()
if len(got) != n: sys.exit("no free ports")
print(" ".join(map(str, got)))
PY
}

# wait_pid_gone PID SECONDS: wait until PID has exited; 1 if still alive.
wait_pid_gone() {
    local pid=$1 i=0 n=$(( $2 * 10 ))
    while kill -0 "$pid" 2>/dev/null; do
        # a zombie child of ours counts as gone
        [ "$(ps -o stat= -p "$pid" 2>/dev/null | cut -c1)" = Z ] && return 0
        i=$((i + 1)); [ $i -ge $n ] && return 1
        sleep 0.1
    done
    return 0
}
