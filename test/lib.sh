# Shared helpers for shell tests. A test script sources this, runs checks and
# reports each with pass/fail/skip; test/run counts the lines they print.
# Protocol (one line each, on stdout): "PASS: name", "FAIL: name: why", "SKIP: name: why".
TOP=${TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
KGRENDER=${KGRENDER:-$TOP/bin/kgrender}
SHARED=${SHARED:-$(cd "$TOP/.." && pwd)/shared}
# Every document the emitter's fast path writes is checked against libyaml's
# emitter (kgrender aborts on a difference), so each suite also tests it.
export KGR_EMIT_VERIFY=${KGR_EMIT_VERIFY:-1}

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+: $2}"; }
skip() { echo "SKIP: $1: $2"; }

# check NAME CMD...: run CMD, PASS if it exits 0, else FAIL with its last output line.
check() {
    local name=$1; shift
    local out
    if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"; fi
}
