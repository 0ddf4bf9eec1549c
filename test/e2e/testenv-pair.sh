#!/usr/bin/env bash
# e2e: two tools/testenv control planes side by side: both start at once on
# their own free ports, are separate clusters, and both stop cleanly.
. "$(dirname "$0")/../lib.sh"
TE=$TOP/tools/testenv
T=testenv-pair

# running PID: the process exists and is not a zombie waiting to be reaped
running() { kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" 2>/dev/null | cut -c1)" != Z ]; }

CHECKS="both-up distinct-ports separate-clusters both-down pids-gone"
skip_all() { for c in $CHECKS; do skip "$T/$c" "$1"; done; exit 0; }
for b in etcd kube-apiserver kube-controller-manager; do
    [ -x "$TE/bin/$b" ] || skip_all "tools/testenv/bin/$b missing (run make testenv)"
done
for c in kubectl openssl curl python3; do
    command -v $c >/dev/null 2>&1 || skip_all "$c not installed"
done

W=$(mktemp -d "${TMPDIR:-/tmp}/kgr-e2e-pair.XXXXXX")
cleanup() {
    [ -d "$W/a" ] && "$TE/down" "$W/a" >/dev/null 2>&1
    [ -d "$W/b" ] && "$TE/down" "$W/b" >/dev/null 2>&1
    rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t0=$SECONDS
"$TE/up" "$W/a" >"$W/a.env" 2>"$W/a.log" & pa=$!
"$TE/up" "$W/b" >"$W/b.env" 2>"$W/b.log" & pb=$!
wait $pa; ra=$?
wait $pb; rb=$?
if [ $ra -eq 0 ] && [ $rb -eq 0 ]; then
    pass "$T/both-up"
    echo "# testenv-pair: two environments up in $((SECONDS - t0))s"
else
    fail "$T/both-up" "a: rc $ra $(tail -n 2 "$W/a.log" | tr '\n' ' '); b: rc $rb $(tail -n 2 "$W/b.log" | tr '\n' ' ')"
fi

pa=$(cat "$W/a/ports" 2>/dev/null | sort | tr '\n' ' ')
pb=$(cat "$W/b/ports" 2>/dev/null | sort | tr '\n' ' ')
srv_a=$(. "$W/a.env" 2>/dev/null; echo "${KGR_TEST_SERVER:-}")
srv_b=$(. "$W/b.env" 2>/dev/null; echo "${KGR_TEST_SERVER:-}")
[ -n "$srv_a" ] && [ -n "$srv_b" ] && [ "$srv_a" != "$srv_b" ] && pass "$T/distinct-ports" ||
    fail "$T/distinct-ports" "a: $srv_a ($pa) b: $srv_b ($pb)"

# a namespace made in a is not in b
Ka() { kubectl --kubeconfig "$W/a/kubeconfig" --request-timeout=20s "$@"; }
Kb() { kubectl --kubeconfig "$W/b/kubeconfig" --request-timeout=20s "$@"; }
if Ka create namespace only-in-a >/dev/null 2>&1 && Kb create namespace only-in-b >/dev/null 2>&1 &&
    Ka get namespace only-in-a >/dev/null 2>&1 && ! Kb get namespace only-in-a >/dev/null 2>&1 &&
    ! Ka get namespace only-in-b >/dev/null 2>&1; then
    pass "$T/separate-clusters"
else
    fail "$T/separate-clusters" "namespaces leak between the two, or kubectl failed"
fi

pids=$(cat "$W"/a/*.pid "$W"/b/*.pid 2>/dev/null | tr '\n' ' ')
"$TE/down" "$W/a" 2>"$W/down.log" & da=$!
"$TE/down" "$W/b" 2>>"$W/down.log" & db=$!
wait $da; ra=$?; wait $db; rb=$?
[ $ra -eq 0 ] && [ $rb -eq 0 ] && [ ! -e "$W/a" ] && [ ! -e "$W/b" ] && pass "$T/both-down" ||
    fail "$T/both-down" "rc $ra/$rb $(tail -n 2 "$W/down.log" | tr '\n' ' ')"
left=
for p in $pids; do running "$p" && left="$left $p"; done
[ -n "$pids" ] && [ -z "$left" ] && pass "$T/pids-gone" || fail "$T/pids-gone" "pids '$pids', still running:$left"
