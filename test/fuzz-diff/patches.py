"""Random patches for the differential fuzzer: strategic merge patches (with
$patch directives, nulls, list merges by key) and JSON 6902 operation lists,
aimed at objects gen.py made (kinds.Info)."""
from values import tricky, tricky_string_value, tricky_key, oops
from yamlw import Raw
from kinds import IMAGES, WORKLOADS


def name_of(rng, info):
    return rng.choice(info.names) if rng.random() < 0.4 else info.name


def pod_path(info):
    """Where a workload's pod spec lives, as a list of keys."""
    if info.kind == 'Pod':
        return ['spec']
    if info.kind == 'CronJob':
        return ['spec', 'jobTemplate', 'spec', 'template', 'spec']
    return ['spec', 'template', 'spec']


def nest(path, leaf):
    d = leaf
    for k in reversed(path):
        d = {k: d}
    return d


def smp(rng, info, with_id=True):
    """A strategic merge patch for info's object."""
    p = {}
    if with_id:
        p = {'apiVersion': info.api, 'kind': info.kind, 'metadata': {'name': name_of(rng, info)}}
        if info.ns and not oops(rng, 0.3):
            p['metadata']['namespace'] = info.ns
    else:
        p = {'metadata': {}}
    for _ in range(rng.randint(1, 3)):
        k = rng.random()
        if k < 0.15:
            p['metadata']['labels'] = {rng.choice(['app', 'patched', 'env']): tricky_string_value(rng)
                                       if rng.random() < 0.3 else 'p1'}
            if info.labels and rng.random() < 0.3:
                p['metadata']['labels'][next(iter(info.labels))] = None
        elif k < 0.25:
            p['metadata']['annotations'] = {rng.choice(['patched', 'note', 'a.io/x']): tricky_string_value(rng)}
        elif info.containers and k < 0.6:
            spec = {}
            cs = []
            for _ in range(rng.randint(1, 2)):
                c = {'name': rng.choice(info.containers)[0] if rng.random() < 0.8 else 'newc'}
                j = rng.random()
                if j < 0.3:
                    c['image'] = rng.choice(IMAGES)
                elif j < 0.5:
                    c['env'] = [{'name': rng.choice(['A0', 'NEW', 'B1']), 'value': tricky_string_value(rng)}]
                elif j < 0.6:
                    c['$patch'] = 'delete'
                elif j < 0.7:
                    c['ports'] = [{'containerPort': 8080, 'name': 'x'}]
                elif j < 0.8:
                    c['args'] = ['--patched', tricky_string_value(rng)]
                else:
                    c['resources'] = None
                    c['image'] = 'img:patched'
                cs.append(c)
            spec['containers'] = cs
            j = rng.random()
            if j < 0.15:
                spec['volumes'] = [{'name': 'pv', 'emptyDir': {}}]
            elif j < 0.2:
                spec['$patch'] = 'replace'
            elif j < 0.25:
                spec['serviceAccountName'] = None
            path = pod_path(info)
            leaf = nest(path[1:], spec)
            p.setdefault('spec', {}).update(leaf)
        elif info.kind in ('Deployment', 'StatefulSet', 'ReplicaSet') and k < 0.7:
            p.setdefault('spec', {})['replicas'] = rng.choice([5, 0, Raw('"7"'), Raw('1e1'), None])
        elif info.kind == 'ConfigMap' and k < 0.85:
            data = {rng.choice(['k', 'new', 'key0']): tricky(rng, allow_collections=rng.random() < 0.05)}
            if info.data_keys and rng.random() < 0.3:
                data[rng.choice(info.data_keys)] = None
            if rng.random() < 0.1:
                data = {'$patch': 'replace', 'only': 'this'}
            p['data'] = data
        elif k < 0.93:
            p['spec'] = {rng.choice(['selector', 'ports']) if oops(rng, 0.2) else rng.choice(['extra', 'mode', 'x']): tricky(rng)}
            if rng.random() < 0.1:
                p['spec'] = {tricky_key(rng): tricky(rng)}
        elif oops(rng, 0.5):
            if rng.random() < 0.5:
                p['$patch'] = 'delete'
            else:
                p['metadata']['$patch'] = rng.choice(['replace', 'merge', 'bogus'])
    if not p['metadata'] and not with_id:
        del p['metadata']
    if not p:
        p = {'metadata': {'labels': {'x': 'y'}}}
    return p


def esc(s):
    return s.replace('~', '~0').replace('/', '~1')


def json_ops(rng, info):
    """A JSON patch (RFC 6902) for info's object: mostly operations that apply
    (paths that exist, or whose parent exists), sometimes ones that fail."""
    ops = []
    has_data = info.kind in ('ConfigMap', 'Secret') and info.data_keys
    base = '/' + '/'.join(pod_path(info)) if info.containers else None
    for _ in range(rng.randint(1, 4)):
        k = rng.random()
        if k < 0.15:
            if info.labels:
                ops.append({'op': 'add', 'path': '/metadata/labels/' + esc(rng.choice(['new', 'a/b', 'x~y', 'z'])),
                            'value': tricky_string_value(rng)})
            else:
                ops.append({'op': 'add', 'path': '/metadata/labels', 'value': {'added': 'yes'}})
        elif k < 0.25:
            ops.append({'op': 'add', 'path': '/metadata/annotations', 'value': {'a.io/x': tricky_string_value(rng)}})
        elif k < 0.3 and info.labels:
            ops.append({'op': 'remove', 'path': '/metadata/labels/' + esc(next(iter(info.labels)))})
        elif k < 0.45 and base:
            j = rng.random()
            if j < 0.4:
                ops.append({'op': 'replace', 'path': base + '/containers/0/image', 'value': rng.choice(IMAGES)})
            elif j < 0.6:
                ops.append({'op': 'add', 'path': base + '/containers/-',
                            'value': {'name': 'added', 'image': 'busybox'}})
            elif j < 0.75:
                ops.append({'op': 'add', 'path': base + '/containers/0/args',
                            'value': ['--x', tricky_string_value(rng)]})
            elif j < 0.85:
                ops.append({'op': 'remove', 'path': base + '/containers/%d' % (rng.choice([5, -1]) if oops(rng, 0.3) else 0)})
            else:
                ops.append({'op': 'add', 'path': base + '/containers/0/env',
                            'value': [{'name': 'E', 'value': tricky_string_value(rng)}]})
        elif k < 0.52 and info.kind in ('Deployment', 'StatefulSet', 'ReplicaSet'):
            ops.append({'op': 'add', 'path': '/spec/replicas',
                        'value': rng.choice([4, 1, 0]) if rng.random() < 0.7 else
                        Raw(rng.choice(['"4"', '0x10', '1.5', 'yes', '1e3']))})
        elif k < 0.62 and has_data:
            key = rng.choice(info.data_keys + ['new', 'a/b', 'x.y'])
            ops.append({'op': 'add', 'path': '/data/' + esc(key),
                        'value': tricky(rng, allow_collections=rng.random() < 0.1)})
        elif k < 0.68:
            ops.append({'op': 'copy', 'from': '/metadata/name', 'path': '/metadata/generateName'})
        elif k < 0.72 and info.labels:
            ops.append({'op': 'move', 'from': '/metadata/labels', 'path': '/metadata/moved'})
        elif k < 0.77:
            if oops(rng, 0.3):
                ops.append({'op': 'test', 'path': '/metadata/name', 'value': rng.choice([info.name, 'nope'])})
            else:
                ops.append({'op': 'test', 'path': rng.choice(['/kind', '/apiVersion']), 'value': None})
                ops[-1]['value'] = info.kind if ops[-1]['path'] == '/kind' else info.api
        elif k < 0.81:
            ops.append({'op': 'replace', 'path': '/metadata/name', 'value': info.name + '-renamed'})
        elif k < 0.9 and info.kind not in ('ConfigMap', 'Secret', 'ServiceAccount', 'Role', 'ClusterRole', 'Namespace',
                                           'RoleBinding', 'ClusterRoleBinding', 'StorageClass', 'PriorityClass',
                                           'ValidatingWebhookConfiguration'):
            if rng.random() < 0.5:
                ops.append({'op': 'add', 'path': '/spec/extra', 'value': tricky(rng)})
            else:
                ops.append({'op': 'add', 'path': '/spec/extra', 'value': {tricky_key(rng): tricky(rng)}})
        elif k < 0.94:
            ops.append({'op': 'add', 'path': '/metadata/namespace', 'value': rng.choice(['moved', 'ns1'])})
        elif not oops(rng, 0.6):
            ops.append({'op': 'add', 'path': '/metadata/annotations', 'value': {}})
        elif rng.random() < 0.5:
            ops.append({'op': 'remove', 'path': rng.choice(['/metadata/annotations', '/spec/nope', '/data/zz'])})
        else:
            ops.append({'op': rng.choice(['bogus', 'add']), 'path': rng.choice(['', '/', 'no-slash', '/a/~2'])})
    return ops
