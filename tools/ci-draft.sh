#!/usr/bin/env bash
# Draft of .ci/run (for the lead to review): a fresh clone with ../shared
# beside it, as root, network only to Debian apt / Go proxy / npm.
#   1. tools/setup        Debian packages the build and tests need
#   2. make               bin/kgrender
#   3. make testenv       the e2e control plane (tools/testenv/build; cached Go builds)
#   4. make test          every suite: unit, golden, kustomize cases, e2e
#   5. test/run --san     unit, golden and kustomize cases under ASan+UBSan+LSan
# Ends with one line "N passed, N failed[, N skipped]" summing 4 and 5; exits
# non-zero if a step failed or a test failed.
set -uo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
LOG=build/ci
mkdir -p "$LOG"
step() { echo "== $*"; }

step tools/setup
tools/setup || { echo "tools/setup failed"; echo "0 passed, 1 failed"; exit 1; }
step make
make -j2 || { echo "make failed"; echo "0 passed, 1 failed"; exit 1; }
step make testenv
testenv_ok=1
make testenv >"$LOG/testenv.log" 2>&1 || { testenv_ok=0; tail -n 30 "$LOG/testenv.log"; }

step make test
make -j2 test 2>&1 | tee "$LOG/test.log"
rc_test=${PIPESTATUS[0]}
step "sanitizer pass (test/run --san)"
test/run --san 2>&1 | tee "$LOG/san.log"
rc_san=${PIPESTATUS[0]}

# sum the closing lines of both runs
p=0 f=0 s=0
for l in "$LOG/test.log" "$LOG/san.log"; do
    last=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$l" | tail -n 1)
    [ -n "$last" ] || { f=$((f + 1)); continue; }
    p=$((p + $(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$last")))
    f=$((f + $(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$last")))
    grep -q skipped <<<"$last" && s=$((s + $(sed -E 's/.* ([0-9]+) skipped.*/\1/' <<<"$last")))
done
[ $testenv_ok = 1 ] || { echo "FAIL: make testenv failed (see $LOG/testenv.log)"; f=$((f + 1)); }
[ $rc_test -ne 0 ] && [ $f -eq 0 ] && f=1
[ $rc_san -ne 0 ] && [ $f -eq 0 ] && f=1
echo
if [ $s -gt 0 ]; then echo "$p passed, $f failed, $s skipped"; else echo "$p passed, $f failed"; fi
[ $f -eq 0 ]
