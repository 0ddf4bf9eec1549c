#!/usr/bin/env python3
"""Writes one random kustomization tree per seed, deterministically:
   gen.py SEED DIR      writes the tree into DIR and DIR/path (the directory to build)

A tree has a base, up to two overlays above it (base -> o1 -> o2, sometimes a
second base), and components; each level has objects of many kinds (kinds.py)
with tricky scalars (values.py), written in many YAML styles (yamlw.py), and a
random subset of every kustomization field (kfields.py). Some trees are made
invalid on purpose (broken YAML, missing files, wrong types, duplicate ids).
Standard library only."""
import os
import random
import sys

from kinds import Objects, GROUP_KINDS_NAMESPACED, CLUSTER_KINDS, CUSTOM
from kfields import Fields
from yamlw import Writer, to_json
import mutate


class Tree:
    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(seed)
        self.rng.wild = self.rng.random() < 0.25  # a tree where errors are common (values.oops)
        self.w = Writer(self.rng, flow_rate=self.rng.choice([0, 0.05, 0.15]),
                        indentless_rate=self.rng.choice([0, 0.5, 1]))
        self.files = {}  # relative path -> str or bytes
        self.gen_names = {}  # level dir -> [(kind, name)] of its generators

    def put(self, path, text):
        self.files[path] = text

    def docs_text(self, docs):
        """Documents as one YAML stream, with the separators and comments real files have."""
        r = self.rng
        parts = []
        for i, d in enumerate(docs):
            text = self.w.document(d)
            if r.random() < 0.1:
                text = '# ' + r.choice(['comment', 'generated', 'ünï']) + '\n' + text
            parts.append(text)
        sep = r.choice(['---\n', '---\n', '--- \n', '\n---\n', '---\n# between\n'])
        out = sep.join(parts)
        if r.random() < 0.15:
            out = '---\n' + out
        if r.random() < 0.05:
            out += '---\n'
        if r.random() < 0.03:
            out = out.replace('\n', '\r\n')
        return out

    def write_objects(self, level, objs):
        """Spreads objects over a few files (YAML streams, a List, or JSON); returns the file names."""
        r = self.rng
        names = []
        objs = list(objs)
        i = 0
        while objs:
            n = r.randint(1, min(3, len(objs)))
            chunk, objs = objs[:n], objs[n:]
            i += 1
            k = r.random()
            if k < 0.06 and len(chunk) == 1:
                try:
                    import json
                    text = json.dumps(to_json(chunk[0]), indent=r.choice([None, 2]), ensure_ascii=False) + '\n'
                    fname = 'res%d.json' % i
                    self.put(level + '/' + fname, text)
                    names.append(fname)
                    continue
                except ValueError:
                    pass
            if k < 0.12:
                chunk = [{'apiVersion': 'v1', 'kind': r.choice(['List', 'List', 'ConfigMapList']), 'items': chunk}]
            fname = r.choice(['res%d.yaml', 'res%d.yml', 'objects-%d.yaml']) % i
            self.put(level + '/' + fname, self.docs_text(chunk))
            names.append(fname)
        return names


def pick_kinds(rng, n):
    out = []
    for _ in range(n):
        k = rng.random()
        if k < 0.68:
            api, kind = rng.choice(GROUP_KINDS_NAMESPACED)
        elif k < 0.84:
            api, kind = rng.choice(CLUSTER_KINDS)
        else:
            api, kind = rng.choice(CUSTOM)
        out.append((api, kind))
    return out


def make_level(t, level, visible, refs, nobj, tag, kind='Kustomization', subdirs=(), components=()):
    """One kustomization (or component) directory; returns the Infos it adds."""
    r = t.rng
    objs = Objects(r, refs, tag)
    gen = Fields(t, level, visible, kind)
    gen.plan_generators(refs)  # generated names join refs before objects point at them
    made, infos = [], []
    for api, k in pick_kinds(r, nobj):
        ns = None
        if (api, k) not in CLUSTER_KINDS and r.random() < 0.3:
            ns = r.choice(['default', 'ns1', 'other', 'kube-system'])
        obj, info = objs.make(api, k, ns)
        made.append(obj)
        infos.append(info)
        refs.setdefault(k, []).append(info.name)
    files = t.write_objects(level, made) if made else []
    gen.write(files, list(subdirs), list(components), visible + infos)
    return infos


def generate(seed, root):
    t = Tree(seed)
    r = t.rng
    refs = {}
    depth = r.choice([1, 1, 2, 2, 2, 3])
    visible = make_level(t, 'base', [], refs, r.randint(1, 7), 'b')
    bases = ['../base']
    if depth > 1 and r.random() < 0.15:
        visible += make_level(t, 'base2', [], refs, r.randint(1, 3), 'c')
        bases.append('../base2')
    top = 'base'
    for i in range(1, depth):
        level = 'o%d' % i
        comps = []
        for j in range(r.choice([0, 0, 1, 2])):
            c = 'comp/%s-c%d' % (level, j)
            visible += make_level(t, c, visible, refs, r.randint(0, 2), 'k%d%d' % (i, j), kind='Component')
            comps.append('../' + c)
        visible += make_level(t, level, visible, refs, r.randint(0, 3), 'o%d' % i,
                              subdirs=bases, components=comps)
        bases = ['../' + level]
        top = level
    mutate.maybe_break(t, top)
    t.put('path', top + '\n')
    for path, text in t.files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, 'wb') as f:
            f.write(text if isinstance(text, bytes) else text.encode('utf-8', 'surrogatepass'))
    return top


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: gen.py SEED DIR')
    print(generate(int(sys.argv[1]), sys.argv[2]))
