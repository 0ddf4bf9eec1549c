"""Every kustomization field, at random, for one level of a generated tree:
resources/bases, components, namespace, namePrefix/nameSuffix, labels,
commonLabels, commonAnnotations, images, replicas, patches (strategic merge
and JSON 6902, inline and file, with targets), patchesStrategicMerge,
patchesJson6902, configMapGenerator/secretGenerator (literals, files, envs,
options, behaviors), generatorOptions, replacements, vars, configurations,
crds, sortOptions, buildMetadata, openapi, generators/transformers with
builtin configs. (helmCharts are left out: they need helm.)"""
import json

from values import tricky_string_value, kval, oops, TOKENS
from yamlw import Raw, Block, Writer, json_or_flow
from kinds import IMAGES
import patches as P


class Fields:
    def __init__(self, t, level, visible, kind):
        self.t, self.rng, self.level, self.kind = t, t.rng, level, kind
        self.visible = visible
        self.k = {}
        self.cm_gens, self.secret_gens = [], []
        self.nfile = 0

    # -- helpers ------------------------------------------------------------
    def file(self, stem, ext, text):
        self.nfile += 1
        name = '%s%d.%s' % (stem, self.nfile, ext)
        self.t.put(self.level + '/' + name, text)
        return name

    def target(self, pred=None):
        c = [i for i in self.visible if pred is None or pred(i)]
        return self.rng.choice(c) if c else None

    def yaml_text(self, v):
        return Writer(self.rng, flow_rate=0.05).document(v)

    def inline(self, v, as_block=True):
        """A patch (or config) given inline: a block literal holding YAML."""
        text = self.yaml_text(v)
        if self.rng.random() < 0.2 and not as_block:
            return text
        lines = text.rstrip('\n').split('\n')
        return Block(self.rng.choice(['|', '|-', '|+']), lines)

    def maybe(self, p):
        return self.rng.random() < p

    # -- generators (planned first: objects may refer to their names) --------
    def plan_generators(self, refs):
        r = self.rng
        prior = [n for lv, names in self.t.gen_names.items() if not lv.startswith('comp/') for n in names]
        for kind, lst, p in (('ConfigMap', self.cm_gens, 0.3), ('Secret', self.secret_gens, 0.2)):
            if not self.maybe(p):
                continue
            for i in range(r.randint(1, 2)):
                old = [n for k, n in prior if k == kind]
                if old and self.kind == 'Kustomization' and not self.level.startswith('base') and r.random() < 0.5:
                    lst.append((r.choice(old), 'create' if oops(r, 0.1) else r.choice(['merge', 'replace', 'merge'])))
                else:
                    name = '%s-gen-%s%d' % (kind.lower()[:3], self.level.replace('/', '-'), i)
                    lst.append((name, 'merge' if oops(r, 0.05) else r.choice(['create', None, None])))
                    refs.setdefault(kind, []).append(name)
        self.t.gen_names[self.level] = [('ConfigMap', n) for n, _ in self.cm_gens] + \
                                       [('Secret', n) for n, _ in self.secret_gens]

    def literal(self, i):
        r = self.rng
        k = r.random()
        key = r.choice(['A', 'key', 'k.v', 'K_1', 'x-y', 'Ü', '1st']) + (str(i) if r.random() < 0.97 else '')
        if k < 0.5:
            v = r.choice(TOKENS)
            v = v.strip('"\'') if r.random() < 0.7 else v
            return key + '=' + v
        if k < 0.6:
            return Raw(key + '=' + r.choice(['yes', 'plain', '1.0', '']))
        if k < 0.75:
            return key + '=' + r.choice(['multi\nline', ' spaced ', '"dq"', "'sq'", 'a=b', '\ttab', 'ü', ''])
        if oops(r, 0.03):
            return r.choice(['noequals', '=novalue', ' K = v', 'K=v # c'])
        return key + str(r.randint(0, 9)) + '=' + r.choice(['v', '0o17', 'true', '~'])

    def data_file(self):
        r = self.rng
        content = r.choice([
            'plain text\n', 'no newline', '', 'line1\nline2\n', 'ünï cödé\n', 'a: 1\nb: [x]\n', '\n\n',
            'key=value\n', 'trailing spaces   \n', 'crlf\r\nline\r\n', 'tab\tsep\n', 'x' * 200 + '\n',
            b'\xff\xfe\x00binary', b'\x00\x01\x02', 'nel\u0085x\n', '#!/bin/sh\necho $HOME\n', ' lead\n',
            'line\n\n\n', '\ufeffbom\n'])
        ext = r.choice(['txt', 'properties', 'json', 'sh', 'conf'])
        name = self.file('data', ext, content)
        k = r.random()
        if k < 0.3:
            return r.choice(['mykey', 'a.b', 'K', 'ü', 'x y', 'dup']) + '=' + name
        if oops(r, 0.05):
            return r.choice(['missing-file.txt', '../outside.txt', '/etc/hostname'])
        return name

    def env_file(self):
        r = self.rng
        lines = []
        for i in range(self.nfile * 10, self.nfile * 10 + r.randint(1, 5)):
            lines.append(r.choice([
                'A%d=1' % i, 'B%d=two words' % i, 'C%d="quoted"' % i, "D%d='single'" % i, '# comment', '',
                'E%d=' % i, 'F%d=yes' % i, 'G%d=a=b' % i, '  H%d = spaced' % i, 'I%d=ü' % i, 'J%d=0x1F' % i,
                'K%d=trail   ' % i, 'L%d=\\n' % i]))
        if oops(r, 0.05):
            lines.append(r.choice(['bad line', 'export X=1', '=v', 'X Y=1']))
        text = '\n'.join(lines) + r.choice(['\n', '', '\r\n'])
        return self.file('vars', 'env', text)

    def options(self):
        r = self.rng
        o = {}
        if self.maybe(0.4):
            o['labels'] = {'gen': kval(r) if self.maybe(0.3) else 'yes-gen'}
        if self.maybe(0.3):
            o['annotations'] = {'gen.io/a': kval(r)}
        if self.maybe(0.4):
            o['disableNameSuffixHash'] = r.choice([True, False]) if not oops(r, 0.05) else Raw(r.choice(['yes', '"true"']))
        if self.maybe(0.15):
            o['immutable'] = r.choice([True, False])
        return o

    def generator_entry(self, name, behavior, secret):
        r = self.rng
        e = {'name': name}
        if behavior:
            e['behavior'] = behavior
        if behavior in (None, 'create') and self.maybe(0.1):
            e['namespace'] = r.choice(['ns1', 'other'])
        if self.maybe(0.7):
            e['literals'] = [self.literal(i) for i in range(r.randint(1, 4))]
        if self.maybe(0.35):
            e['files'] = [self.data_file() for _ in range(r.randint(1, 2))]
        if self.maybe(0.25):
            if self.maybe(0.8):
                e['envs'] = [self.env_file() for _ in range(r.randint(1, 2))]
            else:
                e['env'] = self.env_file()
        if self.maybe(0.3):
            e['options'] = self.options()
        if secret and self.maybe(0.4):
            e['type'] = r.choice(['Opaque', 'kubernetes.io/tls', 'my/type', Raw('""')])
        return e

    def f_generators(self):
        if self.cm_gens:
            self.k['configMapGenerator'] = [self.generator_entry(n, b, False) for n, b in self.cm_gens]
        if self.secret_gens:
            self.k['secretGenerator'] = [self.generator_entry(n, b, True) for n, b in self.secret_gens]
        if self.maybe(0.15):
            self.k['generatorOptions'] = self.options()

    # -- name and metadata transformers ---------------------------------------
    def f_names(self):
        r = self.rng
        if self.maybe(0.25):
            self.k['namespace'] = r.choice(['ns1', 'prod', 'default', 'kube-system', Raw('"123"'), 'ü', 'ns1', Raw('yes')
                                            if self.maybe(0.2) else 'yes'])
        pre = suf = ''
        if self.maybe(0.25):
            pre = self.k['namePrefix'] = r.choice(['p-', 'dev-', 'a.', 'x-', Raw('"0-"'), 'UP-'])
        if self.maybe(0.2):
            suf = self.k['nameSuffix'] = r.choice(['-s', '-v2', '.x', Raw('"-1"')])
        if pre or suf:
            for i in self.visible:
                i.names.append(str(pre).strip('"') + i.names[-1] + str(suf).strip('"'))

    def label_map(self):
        r = self.rng
        return {r.choice(['app', 'env', 'team', 'a.io/b', 'tier']): (kval(r) if self.maybe(0.3)
                                                                        else r.choice(['x', 'prod', 'web']))
                for _ in range(r.randint(1, 3))}

    def f_labels(self):
        r = self.rng
        if self.maybe(0.2):
            self.k['commonLabels'] = self.label_map()
        if self.maybe(0.2):
            lst = []
            for _ in range(r.randint(1, 2)):
                e = {'pairs': self.label_map()}
                if self.maybe(0.5):
                    e['includeSelectors'] = r.choice([True, False] * 5 + [Raw('yes')])
                if self.maybe(0.4):
                    e['includeTemplates'] = r.choice([True, False])
                if self.maybe(0.15):
                    e['fields'] = [{'path': r.choice(['spec/selector', 'metadata/annotations', 'spec/x/y']),
                                    'kind': r.choice(['Service', 'Widget', 'Deployment']),
                                    'create': r.choice([True, False])}]
                lst.append(e)
            self.k['labels'] = lst
        if self.maybe(0.2):
            self.k['commonAnnotations'] = {r.choice(['note', 'a.io/b', 'owner']): kval(r)
                                           for _ in range(r.randint(1, 3))}

    def f_images(self):
        r = self.rng
        if not self.maybe(0.25):
            return
        lst = []
        for _ in range(r.randint(1, 3)):
            img = r.choice([c[1] for i in self.visible for c in i.containers] or IMAGES)
            name = img.split('@')[0]
            if ':' in name.split('/')[-1]:
                name = name.rsplit(':', 1)[0]
            if self.maybe(0.1):
                name = r.choice(['.*', 'ngin.', 'busybox|alpine', 'nomatch', '[a-z]+'])
            e = {'name': name}
            if self.maybe(0.4):
                e['newName'] = r.choice(['my.registry/x', 'other', 'registry:5000/y'])
            if self.maybe(0.5):
                tag = r.choice(['v2', '1.10', '"1.0"', '2', 'latest', '0o17', 'yes', '1e3', "'3'", 'v1.2.3'])
                e['newTag'] = Raw(tag) if oops(r, 0.1) or tag[0] in '"\'' else tag
            if self.maybe(0.2):
                e['digest'] = 'sha256:' + 'b' * 64
            if self.maybe(0.05):
                e['tagSuffix'] = '-debug'
            lst.append(e)
        self.k['imageTags' if self.maybe(0.03) else 'images'] = lst

    def f_replicas(self):
        r = self.rng
        t = self.target(lambda i: i.kind in ('Deployment', 'StatefulSet', 'ReplicaSet') or
                        (i.kind in ('Job', 'Widget') and oops(r, 0.1)))
        if t and self.maybe(0.2):
            self.k['replicas'] = [{'name': P.name_of(r, t),
                                   'count': r.choice([3, 0, 10, 1, 2]) if not oops(r, 0.1) else
                                   Raw(r.choice(['"5"', '2.5', '0x3', '1e1']))}]

    # -- patches ---------------------------------------------------------------
    def patch_target(self, info):
        r = self.rng
        t = {}
        k = r.random()
        if k < 0.35:
            t = {'kind': info.kind, 'name': info.name}
        elif k < 0.5:
            t = {'group': info.group, 'version': info.version, 'kind': info.kind}
        elif k < 0.6:
            t = {'kind': info.kind}
        elif k < 0.7 and info.labels:
            lk = next(iter(info.labels))
            t = {'labelSelector': lk + r.choice(['', '=' + str(info.labels[lk]), ' in (web,db)', ',!nope'])}
        elif k < 0.75:
            t = {'annotationSelector': r.choice(['note', 'a.io/x=1', '!desc'])}
        elif k < 0.85:
            t = {'name': info.name[:4] + '.*'}
        elif k < 0.9 and info.ns:
            t = {'namespace': info.ns, 'kind': info.kind}
        else:
            t = {'name': P.name_of(r, info)}
        return t

    def smp_value(self, info, with_id=True):
        return P.smp(self.rng, info, with_id)

    def f_patches(self):
        r = self.rng
        if not self.maybe(0.35):
            return
        lst = []
        for _ in range(r.randint(1, 3)):
            info = self.target()
            if not info:
                break
            e = {}
            k = r.random()
            if k < 0.3:  # strategic merge, inline
                e['patch'] = self.inline(self.smp_value(info), as_block=False)
            elif k < 0.45:  # strategic merge file
                e['path'] = self.file('smp', 'yaml', self.yaml_text(self.smp_value(info)))
            elif k < 0.6:  # strategic merge with a target (the patch's own name does not matter)
                e['target'] = self.patch_target(info)
                e['patch'] = self.inline(self.smp_value(info, with_id=self.maybe(0.9)))
            elif k < 0.8:  # JSON 6902 inline
                e['target'] = self.patch_target(info)
                ops = P.json_ops(r, info)
                text = json_or_flow(r, ops)
                e['patch'] = Block('|-', [text.rstrip()]) if text and self.maybe(0.3) else self.inline(ops)
            else:  # JSON 6902 file, YAML or JSON
                e['target'] = self.patch_target(info)
                ops = P.json_ops(r, info)
                text = json_or_flow(r, ops, indent=r.choice([None, 2]))
                if text and self.maybe(0.6):
                    e['path'] = self.file('ops', 'json', text)
                else:
                    e['path'] = self.file('ops', 'yaml', self.yaml_text(ops))
            if self.maybe(0.08):
                e['options'] = {r.choice(['allowNameChange', 'allowKindChange']): True}
            if 'target' in e and oops(r, 0.05):
                del e['target']
            lst.append(e)
        if lst:
            self.k['patches'] = lst

    def f_old_patches(self):
        r = self.rng
        if self.maybe(0.15):
            lst = []
            for _ in range(r.randint(1, 2)):
                info = self.target()
                if not info:
                    break
                if self.maybe(0.6):
                    lst.append(self.file('psm', 'yaml', self.yaml_text(self.smp_value(info))))
                else:
                    lst.append(self.inline(self.smp_value(info)))
            if lst:
                self.k['patchesStrategicMerge'] = lst
        if self.maybe(0.12):
            info = self.target()
            if info:
                e = {'target': {'group': info.group, 'version': info.version, 'kind': info.kind,
                                'name': P.name_of(r, info)}}
                if info.ns and self.maybe(0.5):
                    e['target']['namespace'] = info.ns
                ops = P.json_ops(r, info)
                text = json_or_flow(r, ops)
                if text and self.maybe(0.5):
                    e['path'] = self.file('j6902', r.choice(['yaml', 'json']), text)
                else:
                    e['patch'] = self.inline(ops)
                self.k['patchesJson6902'] = [e]

    # -- replacements and vars -------------------------------------------------
    def source_path(self, info):
        """A field of info's object (mostly one that exists)."""
        r = self.rng
        c = ['metadata.name'] * 3 + ['kind', 'apiVersion']
        if info.labels:
            c.append('metadata.labels.' + next(iter(info.labels)))
        if info.data_keys and info.kind == 'ConfigMap':
            c += ['data.' + k for k in info.data_keys if '.' not in k]
        if info.containers:
            c += ['.'.join(P.pod_path(info)) + '.containers.0.image',
                  '.'.join(P.pod_path(info)) + '.containers.[name=%s].name' % info.containers[0][0]]
        if info.ns:
            c.append('metadata.namespace')
        if oops(r, 0.05):
            c = ['spec.nope', 'metadata.labels', 'data', 'spec.template.spec.containers']
        return r.choice(c)

    def target_paths(self, info, create):
        r = self.rng
        c = ['metadata.name']
        if info.labels:
            c.append('metadata.labels.' + next(iter(info.labels)))
        if info.containers:
            pod = '.'.join(P.pod_path(info))
            c += [pod + '.containers.[name=%s].image' % info.containers[0][0], pod + '.containers.*.image',
                  pod + '.containers.0.name']
        if info.kind == 'ConfigMap':
            c += ['data.copied' if create else 'data.' + (info.data_keys or ['k'])[0]]
        if create:
            c += ['spec.x.y', 'metadata.annotations.[a.io/x]', 'data.new', 'metadata.annotations.copied'] * 2
        return [r.choice(c) for _ in range(r.randint(1, 2))]

    def f_replacements(self):
        r = self.rng
        if not self.maybe(0.15):
            return
        lst = []
        for _ in range(r.randint(1, 2)):
            src = self.target()
            if not src:
                return
            s = {'kind': src.kind, 'name': P.name_of(r, src)}
            if self.maybe(0.3):
                s['version'] = src.version
            s['fieldPath'] = self.source_path(src)
            if self.maybe(0.1):
                s['options'] = {'delimiter': r.choice(['-', ':', '.']), 'index': -1 if oops(r, 0.3) else 0}
            tgt = self.target() or src
            sel = {'kind': tgt.kind} if self.maybe(0.6) else {'name': tgt.name}
            create = self.maybe(0.5)
            t = {'select': sel, 'fieldPaths': self.target_paths(tgt, create)}
            if create or self.maybe(0.1):
                t['options'] = {'create': create}
                if self.maybe(0.2):
                    t['options']['delimiter'] = '-'
                    t['options']['index'] = 5 if oops(r, 0.3) else r.choice([0, 1])
            if self.maybe(0.15):
                t['reject'] = [{'name': r.choice([src.name, 'zzz'])}]
            lst.append({'source': s, 'targets': [t]})
        if self.maybe(0.2):
            self.k['replacements'] = [{'path': self.file('repl', 'yaml', self.yaml_text(lst))}]
        else:
            self.k['replacements'] = lst

    def f_vars(self):
        r = self.rng
        if not self.maybe(0.1):
            return
        lst = []
        for i in range(r.randint(1, 2)):
            src = self.target()
            if not src:
                break
            name = 'VAR%d' % i if self.level == 'base' else 'VAR_%s_%d' % (self.level.replace('/', '_'), i)
            v = {'name': name, 'objref': {'kind': src.kind, 'name': src.name, 'apiVersion': src.api}}
            if self.maybe(0.7):
                v['fieldref'] = {'fieldpath': self.source_path(src)}
            if self.maybe(0.5):
                v['objRef'] = v.pop('objref')
            lst.append(v)
        if lst:
            self.k['vars'] = lst

    # -- configurations, crds, openapi -----------------------------------------
    def f_configurations(self):
        r = self.rng
        if self.maybe(0.08):
            cfg = {}
            if self.maybe(0.7):
                cfg['nameReference'] = [{'kind': r.choice(['ConfigMap', 'Secret']), 'fieldSpecs': [
                    {'path': r.choice(['spec/configRef/name', 'spec/secretRef/name', 'spec/items/name']),
                     'kind': r.choice(['Widget', 'Thing', 'Bee'])}]}]
            if self.maybe(0.4):
                cfg['commonLabels'] = [{'path': 'spec/selector/matchLabels', 'create': True, 'kind': 'Widget'}]
            if self.maybe(0.4):
                cfg['images'] = [{'path': 'spec/image', 'kind': r.choice(['Widget', 'Thing'])}]
            if self.maybe(0.3):
                cfg['varReference'] = [{'path': 'spec/mode', 'kind': 'Widget'}]
            if self.maybe(0.3):
                cfg['namePrefix'] = [{'path': 'spec/configRef/name', 'kind': 'Widget'}]
            self.k['configurations'] = [self.file('config', 'yaml', self.yaml_text(cfg))]
        if self.maybe(0.05):
            pkg = 'github.com/example/pkg/apis/v1.'
            defs = {pkg + 'Widget': {'Schema': {'properties': {
                'apiVersion': {'type': 'string'}, 'kind': {'type': 'string'},
                'spec': {'$ref': pkg + 'WidgetSpec'}}}, 'Dependencies': [pkg + 'WidgetSpec']},
                pkg + 'WidgetSpec': {'Schema': {'properties': {
                    'configRef': {'x-kubernetes-object-ref-api-version': 'v1',
                                  'x-kubernetes-object-ref-kind': r.choice(['ConfigMap', 'Secret'])},
                    'secretRef': {'x-kubernetes-object-ref-api-version': 'v1',
                                  'x-kubernetes-object-ref-kind': 'Secret'}}}, 'Dependencies': []}}
            self.k['crds'] = [self.file('crd', 'json', json.dumps(defs, indent=2) + '\n')]
        if self.maybe(0.05):
            if self.maybe(0.3):
                self.k['openapi'] = {'version': 'v1.99.0' if oops(r, 0.3) else 'v1.21.2'}
            else:
                schema = {'definitions': {'v1.Widget': {
                    'properties': {'apiVersion': {'type': 'string'}, 'kind': {'type': 'string'},
                                   'metadata': {'type': 'object'}, 'spec': {'properties': {'items': {
                                       'type': 'array', 'items': {'type': 'object', 'properties': {
                                           'name': {'type': 'string'}}},
                                       'x-kubernetes-patch-merge-key': 'name',
                                       'x-kubernetes-patch-strategy': 'merge'}}, 'type': 'object'}},
                    'type': 'object',
                    'x-kubernetes-group-version-kind': [{'group': 'example.com', 'kind': 'Widget',
                                                         'version': r.choice(['v1', 'v1beta1'])}]}}}
                self.k['openapi'] = {'path': self.file('schema', 'json', json.dumps(schema) + '\n')}

    # -- output shaping ----------------------------------------------------------
    def f_output(self, top):
        r = self.rng
        if self.maybe(0.1 if top else 0.02):
            if self.maybe(0.4):
                self.k['sortOptions'] = {'order': r.choice(['legacy', 'fifo']) if not oops(r, 0.1) else 'bogus'}
            else:
                self.k['sortOptions'] = {'order': 'legacy', 'legacySortOptions': {
                    'orderFirst': r.sample(['Namespace', 'ConfigMap', 'Service', 'Deployment', 'Widget'], 2),
                    'orderLast': r.sample(['Secret', 'Job', 'ClusterRole'], 1)}}
        if self.maybe(0.08):
            self.k['buildMetadata'] = r.sample(['managedByLabel', 'originAnnotations', 'transformerAnnotations'],
                                               r.randint(1, 3))

    def builtin_config(self):
        r = self.rng
        k = r.random()
        c = {'apiVersion': 'builtin', 'metadata': {'name': 'cfg%d' % r.randint(0, 9)}}
        if k < 0.2:
            c.update(kind='PrefixSuffixTransformer', prefix='t-', fieldSpecs=[{'path': 'metadata/name'}])
        elif k < 0.4:
            c.update(kind='LabelTransformer', labels=self.label_map(),
                     fieldSpecs=[{'path': 'metadata/labels', 'create': True}])
        elif k < 0.55:
            c.update(kind='AnnotationsTransformer', annotations={'t.io/a': kval(r)},
                     fieldSpecs=[{'path': 'metadata/annotations', 'create': True}])
        elif k < 0.65:
            c['metadata']['namespace'] = 'tns'
            c.update(kind='NamespaceTransformer', fieldSpecs=[{'path': 'metadata/namespace', 'create': True}])
        elif k < 0.75:
            c.update(kind='ImageTagTransformer', imageTag={'name': r.choice(IMAGES).split(':')[0],
                                                           'newTag': 'fromplugin'})
        elif k < 0.85:
            info = self.target()
            c.update(kind='PatchTransformer', patch=self.yaml_text(self.smp_value(info)) if info else '',
                     target={'kind': info.kind} if info else {})
        else:
            c.update(kind='ConfigMapGenerator', literals=['P=1', 'Q=' + r.choice(['x', 'yes', '1.0'])])
            c['metadata']['name'] = 'plugin-cm'
        return c

    def f_plugins(self):
        r = self.rng
        if not self.maybe(0.06):
            return
        c = self.builtin_config()
        field = 'generators' if c['kind'].endswith('Generator') else 'transformers'
        if self.maybe(0.3):
            entry = self.inline(c)
        else:
            entry = self.file('plugin', 'yaml', self.yaml_text(c))
        self.k[field] = [entry]

    # -- the kustomization file ----------------------------------------------------
    def write(self, files, subdirs, components, visible):
        r = self.rng
        self.visible = visible
        top = self.kind == 'Kustomization'
        if self.maybe(0.7):
            if self.kind == 'Component':
                self.k['apiVersion'] = 'kustomize.config.k8s.io/v1alpha1'
            else:
                self.k['apiVersion'] = 'kustomize.config.k8s.io/v1beta1'
            self.k['kind'] = self.kind
        elif self.kind == 'Component':
            self.k['apiVersion'] = 'kustomize.config.k8s.io/v1alpha1'
            self.k['kind'] = 'Component'
        if self.maybe(0.04):
            self.k['metadata'] = {'name': 'k-' + self.level.replace('/', '-')}
        entries = list(files)
        if subdirs and self.maybe(0.1):
            self.k['bases'] = list(subdirs)
        else:
            entries = list(subdirs) + entries if self.maybe(0.7) else entries + list(subdirs)
        if entries or self.maybe(0.3):
            self.k['resources'] = entries
        if components:
            self.k['components'] = list(components)
        self.f_generators()
        self.f_labels()
        self.f_images()
        self.f_replicas()
        self.f_patches()
        self.f_old_patches()
        self.f_replacements()
        self.f_vars()
        self.f_configurations()
        self.f_output(top)
        self.f_plugins()
        self.f_names()  # last: the names it adds are known to the levels above only
        if not self.k or (len(self.k) <= 2 and 'kind' in self.k and not files and not subdirs):
            self.k['commonAnnotations'] = {'filler': 'x'}
        keys = list(self.k)
        if self.maybe(0.5):  # people write fields in any order
            head = [x for x in keys if x in ('apiVersion', 'kind')]
            rest = [x for x in keys if x not in head]
            r.shuffle(rest)
            keys = head + rest
        k = {key: self.k[key] for key in keys}
        name = r.choice(['kustomization.yaml'] * 8 + ['kustomization.yml', 'Kustomization'])
        self.t.put(self.level + '/' + name, Writer(r, flow_rate=0.05).document(k))
