#!/usr/bin/env python3
"""Shrinks a disagreeing tree (kept by fuzz.py --keep / --replay) to a small
input that still disagrees the same way, for triage:

  reduce.py TREE OUT [--match REGEX]

TREE holds the generated files and `path` (the directory to build). The
reduction removes files, documents and YAML blocks (a line with everything
indented under it) while kgrender and kustomize still disagree in the same
way (same kind: output differs / kgrender fails / kustomize fails / crash,
and REGEX, if given, still found in the difference). OUT gets the reduced
tree, with want.yaml (kustomize's output) or want.err (its error) beside the
kustomization, as in shared/render-findings; a tree with one level is
flattened into OUT itself."""
import argparse
import os
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fuzz  # noqa: E402


class Reducer:
    def __init__(self, root, opts):
        self.opts = opts
        self.path = open(os.path.join(root, 'path')).read().strip()
        self.files = {}
        for d, _, names in os.walk(root):
            for n in names:
                full = os.path.join(d, n)
                rel = os.path.relpath(full, root)
                if rel != 'path':
                    self.files[rel] = open(full, 'rb').read()
        self.work = tempfile.mkdtemp(prefix='reduce-')
        self.kind = None
        self.evals = 0

    def write(self, files, root):
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(os.path.join(root, self.path), exist_ok=True)
        for rel, data in files.items():
            full = os.path.join(root, rel)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, 'wb') as f:
                f.write(data)

    def outcome(self, files, path=None):
        """(kind, text, key) of the disagreement for these files, or (None, '', None);
        key: the changed lines of an output difference, else the words of the failing tool's message."""
        path = path or self.path
        self.evals += 1
        self.write(files, self.work)
        kg = fuzz.run([self.opts.kgrender, 'build', path], self.work, 30)
        ku = fuzz.run(self.opts.kustomize + [path], self.work, 120)
        sig = fuzz.signature(self.work, kg, ku)
        if sig is None:
            return None, '', None
        kind = sig.split(':')[0].split(' (')[0]
        text = sig
        if kg[0] == 0 and ku[0] == 0:
            diff = list(fuzz.difflib.unified_diff(
                ku[1].decode('utf-8', 'replace').splitlines(), kg[1].decode('utf-8', 'replace').splitlines(), n=0))
            text += '\n' + '\n'.join(diff)
            key = {ln[0] + ln[1:].strip() for ln in diff[2:] if ln[:1] in '+-'}
        else:
            msg = (kg[2] if kg[0] != 0 and ku[0] == 0 else ku[2]).decode('utf-8', 'replace')
            msg = fuzz.first_line(msg.encode(), self.work) if kg[0] != 0 and ku[0] == 0 else msg
            text += '\n' + fuzz.first_line(ku[2], self.work) + '\n' + fuzz.first_line(kg[2], self.work)
            key = set(w.lower() for w in re.findall(r'[A-Za-z]{4,}', msg)) - {'warning', 'deprecated', 'please',
                                                                           'kustomize', 'edit', 'automatically'}
        return kind, text, key

    def holds(self, files, path=None):
        kind, text, key = self.outcome(files, path)
        if kind != self.kind:
            return False
        if self.opts.match:
            return re.search(self.opts.match, text, re.S) is not None
        if kind == 'output differs':
            return bool(key & self.key)
        if not self.key:
            return True
        return len(key & self.key) >= 0.5 * len(key | self.key)

    def try_other_path(self, files):
        """Builds a lower level instead when it disagrees the same way."""
        for d in sorted({os.path.dirname(r) for r in files}):
            if d != self.path and any(os.path.basename(r).lower().startswith('kustomization')
                                      and os.path.dirname(r) == d for r in files) and self.holds(files, d):
                self.path = d
                return files
        return files

    @staticmethod
    def blocks(lines):
        """(start, end) of each line's block: the line and what is indented under it."""
        out = []

        def indent(ln):
            return len(ln) - len(ln.lstrip(' ')) if ln.strip() else None

        for i, ln in enumerate(lines):
            n = indent(ln)
            if n is None:
                out.append((i, i + 1))
                continue
            is_key = not ln.lstrip().startswith('- ') and ln.rstrip().endswith(':')
            j = i + 1
            while j < len(lines):
                m = indent(lines[j])
                if m is None or m > n or (is_key and m == n and lines[j].lstrip().startswith('- ')):
                    j += 1
                else:
                    break
            out.append((i, j))
        return out

    def try_remove_files(self, files):
        for rel in sorted(files):
            if os.path.basename(rel).lower().startswith('kustomization') and \
                    os.path.dirname(rel) == self.path:
                continue
            trial = dict(files)
            del trial[rel]
            if self.holds(trial):
                files = trial
        return files

    def try_remove_lines(self, files):
        for rel in sorted(files):
            try:
                lines = files[rel].decode('utf-8').split('\n')
            except UnicodeDecodeError:
                continue
            i = 0
            while i < len(lines):
                s, e = self.blocks(lines)[i]
                trial_lines = lines[:s] + lines[e:]
                trial = dict(files)
                trial[rel] = '\n'.join(trial_lines).encode('utf-8')
                if self.holds(trial):
                    files, lines = trial, trial_lines
                else:
                    i += 1
        return files

    def run(self):
        self.kind, text, self.key = self.outcome(self.files)
        if self.kind is None:
            sys.exit('reduce: the tree does not disagree')
        if self.opts.match and not re.search(self.opts.match, text, re.S):
            sys.exit('reduce: --match not found in: ' + text[:500])
        files = self.files
        while True:
            before = sum(len(v) for v in files.values()), len(files)
            files = self.try_other_path(files)
            files = self.try_remove_files(files)
            files = self.try_remove_lines(files)
            if (sum(len(v) for v in files.values()), len(files)) == before:
                break
        return files

    def save(self, files, out):
        dirs = {os.path.dirname(r) for r in files}
        flat = dirs == {self.path}
        if flat:
            files = {os.path.relpath(r, self.path): v for r, v in files.items()}
            path = self.path = '.'
        else:
            path = self.path
        self.write(files, out)
        if not flat:
            open(os.path.join(out, 'path'), 'w').write(path + '\n')
        ku = fuzz.run(self.opts.kustomize + [path], out, 120)
        target = out
        if ku[0] == 0:
            open(os.path.join(target, 'want.yaml'), 'wb').write(ku[1])
        else:
            err = re.sub(r'(?m)^[EWI][0-9]{4} [0-9:.]+ +[0-9]+ [a-z_.]+:[0-9]+\] ', '',
                         ku[2].decode('utf-8', 'replace'))
            err = '\n'.join(ln for ln in err.splitlines() if not re.match(r'^(# )?Warning', ln)) + '\n'
            open(os.path.join(target, 'want.err'), 'w').write(err.replace(os.path.abspath(out) + '/', ''))
        shutil.rmtree(self.work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('tree')
    ap.add_argument('out')
    ap.add_argument('--match')
    ap.add_argument('--kgrender', default=os.environ.get('KGRENDER', os.path.join(fuzz.TOP, 'bin', 'kgrender')))
    ap.add_argument('--kustomize', default=os.environ.get('KUSTOMIZE', 'kubectl kustomize'))
    opts = ap.parse_args()
    opts.kustomize = fuzz.shlex.split(opts.kustomize)
    opts.kgrender = os.path.abspath(opts.kgrender)
    r = Reducer(opts.tree, opts)
    files = r.run()
    r.save(files, opts.out)
    print('reduce: %s -> %s (%d files, %d bytes, %d builds): %s' % (
        opts.tree, opts.out, len(files), sum(len(v) for v in files.values()), r.evals, r.kind))


if __name__ == '__main__':
    main()
