"""Invalid inputs for the differential fuzzer: a few trees are broken on
purpose after they are written (bad YAML, missing files, wrong field types,
duplicate ids, duplicate keys, unknown fields, cycles), so that both tools'
error paths are compared: when kustomize fails, kgrender must fail too."""
import re

BAD_YAML = [
    'a: "unclosed\n', 'a: [1, 2\n', 'key: value\n  bad: indent\n', 'a:\n\t- tab\n', '- a\nb: c\n',
    'a: b: c\n', '{a: 1}}\n', 'a: &x 1\nb: *y\n', 'a: !!binary "%%%"\n', 'a: 1\na: 2\n', ': nokey\n',
    '"a": 1\n"a": 2\n', 'a: @x\n', 'a: `x\n', '? [a]\n: b\n', '\x00\n', 'a: |\n x\n  y\n-1\n',
]
WRONG_TYPES = [
    ('namePrefix', '[a]'), ('namespace', '{a: b}'), ('resources', 'file.yaml'), ('replicas', '{a: 1}'),
    ('images', 'nginx'), ('commonLabels', '[a, b]'), ('patches', '"x"'), ('configMapGenerator', '{a: 1}'),
    ('labels', '{a: b}'), ('replacements', '[1]'), ('vars', 'x'), ('sortOptions', '[legacy]'),
    ('buildMetadata', 'managedByLabel'), ('generatorOptions', '[x]'), ('crds', '{}'), ('components', 'c'),
    ('commonAnnotations', '[a]'), ('nameSuffix', '{x: 1}'), ('openapi', '[x]'), ('patchesJson6902', '{}'),
]


def kustomization_of(t, level):
    for name in ('kustomization.yaml', 'kustomization.yml', 'Kustomization'):
        if level + '/' + name in t.files:
            return level + '/' + name
    return None


def add_resources(t, kpath, entries):
    """Adds entries to a kustomization's resources (a new field when it has none)."""
    text = t.files[kpath]
    items = ''.join('- %s\n' % e for e in entries)
    m = re.search(r'(?m)^resources:\n( *)- ', text)
    if m:
        items = ''.join(m.group(1) + ln + '\n' for ln in items.splitlines())
        t.files[kpath] = text[:m.start(1)] + items + text[m.start(1):]
    else:
        t.files[kpath] = re.sub(r'(?m)^resources:.*\n', '', text) + 'resources:\n' + items


def maybe_break(t, top):
    r = t.rng
    if not r.wild or r.random() > 0.4:
        return
    levels = sorted({p.rsplit('/', 1)[0] for p in t.files if p.rsplit('/', 1)[-1].lower().startswith('kustom')})
    level = r.choice(levels)
    kpath = kustomization_of(t, level)
    others = sorted(p for p in t.files if p.startswith(level + '/') and p != kpath and isinstance(t.files[p], str))
    k = r.random()
    if k < 0.2 and others:  # a broken file
        p = r.choice(others)
        t.files[p] = t.files[p] + r.choice(['---\n', '']) + r.choice(BAD_YAML)
    elif k < 0.3:  # a missing resource
        add_resources(t, kpath, ['missing.yaml'])
    elif k < 0.5:  # a field of the wrong type
        field, val = r.choice(WRONG_TYPES)
        t.files[kpath] = re.sub(r'(?m)^%s:.*\n(?:[ -].*\n)*' % field, '', t.files[kpath]) + '%s: %s\n' % (field, val)
    elif k < 0.6 and others:  # duplicate ids: one resource file listed twice
        p = r.choice(others).split('/')[-1]
        add_resources(t, kpath, [p, p])
    elif k < 0.7 and others:  # a duplicate key in an object
        p = r.choice(others)
        t.files[p] = re.sub(r'(?m)^metadata:\n', 'metadata:\n  name: dup1\n', t.files[p], count=1)
    elif k < 0.78:  # an unknown kustomization field
        t.files[kpath] += r.choice(['unknownField: 1\n', 'namprefix: x-\n', 'resource:\n- a.yaml\n'])
    elif k < 0.84 and others:  # an object without kind or name
        p = r.choice(others)
        t.files[p] = re.sub(r'(?m)^(kind|  name): .*\n', '', t.files[p], count=1)
    elif k < 0.9:  # a cycle: the base refers to the top
        if level != top:
            add_resources(t, kpath, ['../' + top])
    elif k < 0.95:  # the kustomization itself is not YAML
        t.files[kpath] += r.choice(BAD_YAML)
    else:  # an empty kustomization file
        t.files[kpath] = r.choice(['', '# nothing\n', '---\n', '{}\n'])
