#!/usr/bin/env python3
"""Differential fuzzer: random kustomization trees (gen.py), each built with
kgrender and with `kubectl kustomize`; stdout must be byte-identical and both
must succeed or both fail. kustomize runs twice: when its two runs differ
(go-yaml v2's map-key order is not always the same), the seed counts as
kustomize-nondeterministic, neither agree nor disagree.

  fuzz.py [--seeds N] [--seed START] [--jobs J]    N seeds from START (default 150 from 1)
  fuzz.py --replay SEED [--keep DIR]               one seed, its tree kept, the diff shown
  options: --keep DIR   keep every tree as DIR/SEED (default: only with --replay)
           --known FILE known disagreements ("SEED cause -- why" lines): reported, not failed
           --tap        PASS:/FAIL:/SKIP: lines per seed (the test suite's protocol)
           --log FILE   one JSON record per seed (for triage)
           --list FILE  the seeds listed in FILE (one a line) instead of a range
           --kgrender BIN (default $KGRENDER or bin/kgrender), --kustomize CMD (default "kubectl kustomize")
Exit status 0 iff no seed disagrees outside the known list."""
import argparse
import concurrent.futures
import difflib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402

TOP = os.path.dirname(os.path.dirname(HERE))


def run(cmd, cwd, timeout):
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
        return p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired:
        return 'timeout', b'', b'timed out after %ds' % timeout


def first_line(b, root=None):
    s = b.decode('utf-8', 'replace')
    s = re.sub(r'(?m)^[EWI][0-9]{4} [0-9:.]+ +[0-9]+ [a-z_.]+:[0-9]+\] ', '', s)  # klog's prefix
    if root:
        s = s.replace(root + '/', '').replace(root, '.')
    lines = [ln for ln in s.splitlines() if ln.strip() and not re.match(r'^(# )?Warning', ln)]
    return (lines[0] if lines else '(nothing on stderr)')[:160]


def crashed(rc, err):
    return rc == 'timeout' or (isinstance(rc, int) and (rc < 0 or rc >= 126)) or \
        re.search(rb'Sanitizer|runtime error|KGR_EMIT_VERIFY', err) is not None


def signature(root, kg, ku):
    """One line saying how kgrender's result differs from kustomize's (None: they agree)."""
    (kg_rc, kg_out, kg_err), (ku_rc, ku_out, ku_err) = kg, ku
    if crashed(kg_rc, kg_err):
        return 'kgrender crashed (exit %s): %s' % (kg_rc, first_line(kg_err, root))
    if ku_rc != 0 and kg_rc != 0:
        return None
    if ku_rc != 0:
        return 'kustomize fails, kgrender succeeds: ' + first_line(ku_err, root)
    if kg_rc != 0:
        return 'kgrender fails, kustomize succeeds: ' + first_line(kg_err, root)
    if kg_out == ku_out:
        return None
    want = ku_out.decode('utf-8', 'replace').splitlines()
    got = kg_out.decode('utf-8', 'replace').splitlines()
    for i in range(max(len(want), len(got))):
        w = want[i] if i < len(want) else '(end)'
        g = got[i] if i < len(got) else '(end)'
        if w != g:
            return 'output differs: want %r got %r' % (w[:70], g[:70])
    return 'output differs (bytes)'


def check_seed(seed, opts, keep_dir=None):
    root = os.path.join(keep_dir, str(seed)) if keep_dir else tempfile.mkdtemp(prefix='fuzz-diff-%d-' % seed)
    if keep_dir:
        shutil.rmtree(root, ignore_errors=True)
    os.makedirs(root, exist_ok=True)
    try:
        path = gen.generate(seed, root)
        env_cmd = [opts.kgrender, 'build', path]
        kg = run(env_cmd, root, 30)
        ku = run(opts.kustomize + [path], root, 120)
        ku2 = run(opts.kustomize + [path], root, 120)
        rec = {'seed': seed, 'path': path, 'kg_rc': kg[0], 'ku_rc': ku[0]}
        if (ku[0] == 0) != (ku2[0] == 0) or (ku[0] == 0 and ku[1] != ku2[1]):
            rec['status'] = 'nondet'
        else:
            sig = signature(root, kg, ku)
            rec['status'] = 'agree' if sig is None else 'disagree'
            if sig:
                rec['sig'] = sig
                rec['diff'] = ''.join(difflib.unified_diff(
                    ku[1].decode('utf-8', 'replace').splitlines(True), kg[1].decode('utf-8', 'replace').splitlines(True),
                    'kustomize', 'kgrender', n=2))[:3000] if kg[0] == 0 and ku[0] == 0 else \
                    'kustomize (exit %s): %s\nkgrender (exit %s): %s\n' % (
                        ku[0], first_line(ku[2], root), kg[0], first_line(kg[2], root))
        return rec
    finally:
        if not keep_dir:
            shutil.rmtree(root, ignore_errors=True)


def read_known(path):
    known = {}
    if path and os.path.exists(path):
        for ln in open(path, encoding='utf-8'):
            ln = ln.strip()
            if ln and not ln.startswith('#'):
                seed, _, why = ln.partition(' ')
                known[int(seed)] = why.strip()
    return known


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--seeds', type=int, default=150)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--replay', type=int)
    ap.add_argument('--keep')
    ap.add_argument('--known', default=os.path.join(HERE, 'known.txt'))
    ap.add_argument('--pending', default=os.path.join(HERE, 'pending.txt'),
                    help='kgrender bugs found and not yet fixed ("SEED cause" lines): skipped while '
                         'they disagree, failed once they agree (take them off the list)')
    ap.add_argument('--tap', action='store_true')
    ap.add_argument('--log')
    ap.add_argument('--list')
    ap.add_argument('--kgrender', default=os.environ.get('KGRENDER', os.path.join(TOP, 'bin', 'kgrender')))
    ap.add_argument('--kustomize', default=os.environ.get('KUSTOMIZE', 'kubectl kustomize'))
    opts = ap.parse_args()
    opts.kustomize = shlex.split(opts.kustomize)
    opts.kgrender = os.path.abspath(opts.kgrender)
    if opts.replay is not None:
        keep = os.path.abspath(opts.keep or os.path.join(tempfile.gettempdir(), 'fuzz-diff'))
        rec = check_seed(opts.replay, opts, keep)
        print('seed %d: tree in %s (build %s)' % (opts.replay, os.path.join(keep, str(opts.replay)), rec['path']))
        print('status: %s%s' % (rec['status'], ': ' + rec['sig'] if rec.get('sig') else ''))
        if rec.get('diff'):
            print(rec['diff'])
        return 1 if rec['status'] == 'disagree' else 0
    keep = os.path.abspath(opts.keep) if opts.keep else None
    known = read_known(opts.known)
    pending = read_known(opts.pending) if os.path.exists(opts.pending) else {}
    seeds = range(opts.seed, opts.seed + opts.seeds)
    if opts.list:
        seeds = [int(x) for x in open(opts.list).read().split()]
    recs = []
    log = open(opts.log, 'a', encoding='utf-8') if opts.log else None
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as ex:
        for rec in ex.map(lambda s: check_seed(s, opts, keep), seeds):
            recs.append(rec)
            if log:
                log.write(json.dumps(rec) + '\n')
                log.flush()
            if opts.tap:
                s = rec['seed']
                if rec['status'] == 'agree' and s in pending:
                    print('FAIL: fuzz-diff seed %d: agrees now: take it off test/fuzz-diff/pending.txt' % s)
                elif rec['status'] == 'agree':
                    print('PASS: fuzz-diff seed %d' % s)
                elif rec['status'] == 'nondet':
                    print('SKIP: fuzz-diff seed %d: kustomize-nondeterministic (its two runs differ)' % s)
                elif s in known:
                    print('SKIP: fuzz-diff seed %d: known disagreement: %s' % (s, known[s]))
                elif s in pending:
                    print('SKIP: fuzz-diff seed %d: pending kgrender bug: %s' % (s, pending[s]))
                else:
                    print('FAIL: fuzz-diff seed %d: %s (replay: make fuzz-diff REPLAY=%d)' %
                          (s, rec['sig'], s))
                    for ln in rec['diff'].splitlines()[:12]:
                        print('    ' + ln)
                sys.stdout.flush()
    agree = sum(r['status'] == 'agree' for r in recs)
    nondet = sum(r['status'] == 'nondet' for r in recs)
    dis = [r for r in recs if r['status'] == 'disagree']
    compared = agree + len(dis)
    pct = 100.0 * agree / compared if compared else 100.0
    out = sys.stderr if opts.tap else sys.stdout
    print('fuzz-diff: %d seeds (%d..%d): %d agree (%.1f%%), %d disagree, %d kustomize-nondeterministic' %
          (len(recs), min(seeds), max(seeds), agree, pct, len(dis), nondet), file=out)
    for r in dis:
        tag = '[known] ' if r['seed'] in known else '[pending] ' if r['seed'] in pending else ''
        print('  %6d %s%s' % (r['seed'], tag, r['sig']), file=out)
    return 1 if any(r['seed'] not in known and r['seed'] not in pending for r in dis) else 0


if __name__ == '__main__':
    sys.exit(main())
