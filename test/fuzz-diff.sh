#!/usr/bin/env bash
# Differential fuzzing, a short fixed batch: FUZZ_DIFF_SEEDS random
# kustomization trees (default 150, seeds 1..150, test/fuzz-diff/gen.py), each
# built by kgrender and by `kubectl kustomize`; one PASS line per seed whose
# outputs (or failures) agree. A disagreement fails unless
# test/fuzz-diff/known.txt lists the seed; a seed whose two kustomize runs
# differ is skipped (kustomize-nondeterministic). Replay one seed:
#   make fuzz-diff REPLAY=SEED      (its tree stays in build/fuzz-diff/SEED)
. "$(dirname "$0")/lib.sh"
if ! command -v kubectl >/dev/null; then skip fuzz-diff "kubectl is not installed"; exit 0; fi
if ! command -v python3 >/dev/null; then skip fuzz-diff "python3 is not installed"; exit 0; fi
[ -x "$KGRENDER" ] || { fail fuzz-diff "no kgrender binary at $KGRENDER"; exit 0; }
python3 "$TOP/test/fuzz-diff/fuzz.py" --tap --seeds "${FUZZ_DIFF_SEEDS:-150}" --seed 1 --jobs 2 \
    --kgrender "$KGRENDER" --known "$TOP/test/fuzz-diff/known.txt"
exit 0
