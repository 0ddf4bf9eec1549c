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

# proc_state PID: prints "STATE STARTTIME" from /proc/PID/stat (fields 3 and 22;
# the command name in field 2 may hold spaces or parentheses); fails when PID is gone.
proc_state() {
    local s
    s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$s" ] || return 1
    s=${s##*) }
    # shellcheck disable=SC2086
    set -- $s
    echo "$1 ${20}"
}

# pid_exited PID [STARTTIME]: PID has exited: gone, reused by another process, or
# a zombie whose threads have all exited (/proc/PID/task holds only the leader). A
# Go program's leader turns zombie before its other threads are done, so a zombie
# alone does not mean exited.
pid_exited() {
    local st tasks
    st=$(proc_state "$1") || return 0
    [ -n "${2:-}" ] && [ "${st#* }" != "$2" ] && return 0
    [ "${st%% *}" = Z ] || return 1
    tasks=(/proc/"$1"/task/*)
    [ "${#tasks[@]}" -le 1 ]
}

# wait_pid_exited PID SECONDS [STARTTIME]: wait until pid_exited; 1 on timeout.
wait_pid_exited() {
    local i=0 n=$(( $2 * 10 ))
    until pid_exited "$1" "${3:-}"; do
        i=$((i + 1)); [ $i -ge $n ] && return 1
        sleep 0.1
    done
    return 0
}

# wait_pid_gone PID SECONDS [STARTTIME]: wait until PID has exited and been reaped
# (its /proc entry gone, or the pid reused by a process with another STARTTIME),
# so no check of the pid can take it for a live process; 1 if still there after
# SECONDS. A zombie that its parent leaves unreaped that long counts as gone once
# all its threads have exited (it holds no ports or files then).
wait_pid_gone() {
    local pid=$1 start=${3:-} i=0 n=$(( $2 * 10 )) st
    while st=$(proc_state "$pid"); do
        [ -n "$start" ] && [ "${st#* }" != "$start" ] && return 0
        i=$((i + 1))
        if [ $i -ge $n ]; then pid_exited "$pid" "$start"; return; fi
        sleep 0.1
    done
    return 0
}
