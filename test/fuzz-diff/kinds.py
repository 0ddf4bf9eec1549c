"""Random Kubernetes objects for the differential fuzzer: core workloads,
Services, ConfigMaps, Secrets, RBAC, CRDs and their custom resources,
cluster-scoped kinds of several apiVersions, kinds kustomize does not know.
Each object is returned with an Info record that gen.py uses to aim patches,
replacements, vars, images and replicas at it."""
import base64
from values import tricky, tricky_string_value, tricky_key, block, oops
from yamlw import Raw, Anchored, Alias

IMAGES = ['nginx', 'nginx:1.19', 'nginx:latest', 'busybox', 'busybox:1.36', 'registry.example.com:5000/team/app:v1',
          'registry.example.com:5000/team/app', 'gcr.io/proj/img@sha256:' + 'a' * 64,
          'busybox:1.0@sha256:' + '0123456789abcdef' * 4, 'quay.io/org/tool:2.0.1', 'my-image', 'app', 'postgres:15',
          'docker.io/library/redis:7', 'localhost/x:dev', 'ghcr.io/a/b/c:sha-1234', 'alpine:3', 'Img:Upper']
GROUP_KINDS_NAMESPACED = [
    ('v1', 'ConfigMap'), ('v1', 'Secret'), ('v1', 'Service'), ('v1', 'ServiceAccount'), ('v1', 'Pod'),
    ('v1', 'PersistentVolumeClaim'), ('apps/v1', 'Deployment'), ('apps/v1', 'StatefulSet'),
    ('apps/v1', 'DaemonSet'), ('apps/v1', 'ReplicaSet'), ('batch/v1', 'Job'), ('batch/v1', 'CronJob'),
    ('networking.k8s.io/v1', 'Ingress'), ('networking.k8s.io/v1', 'NetworkPolicy'),
    ('rbac.authorization.k8s.io/v1', 'Role'), ('rbac.authorization.k8s.io/v1', 'RoleBinding'),
    ('policy/v1', 'PodDisruptionBudget'), ('autoscaling/v2', 'HorizontalPodAutoscaler'),
]
CLUSTER_KINDS = [
    ('v1', 'Namespace'), ('v1', 'PersistentVolume'), ('rbac.authorization.k8s.io/v1', 'ClusterRole'),
    ('rbac.authorization.k8s.io/v1beta1', 'ClusterRole'), ('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'),
    ('storage.k8s.io/v1', 'StorageClass'), ('storage.k8s.io/v1beta1', 'StorageClass'),
    ('scheduling.k8s.io/v1', 'PriorityClass'), ('apiextensions.k8s.io/v1', 'CustomResourceDefinition'),
    ('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration'),
    ('apiregistration.k8s.io/v1', 'APIService'), ('v2', 'Namespace'), ('foo.io/v1', 'Namespace'),
]
CUSTOM = [('example.com/v1', 'Widget'), ('example.com/v1beta1', 'Widget'), ('my.io/v1alpha1', 'Thing'),
          ('v1beta1', 'Bee'), ('stable.example.com/v1', 'CronTab')]
WORKLOADS = {'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod'}


class Info:
    """What gen.py needs to know about an object to aim at it."""

    def __init__(self, api, kind, name, ns=None, labels=None, containers=(), data_keys=()):
        self.api, self.kind, self.name, self.ns = api, kind, name, ns
        self.labels = dict(labels or {})
        self.containers = list(containers)  # (name, image)
        self.data_keys = list(data_keys)
        self.names = [name]  # names it may be known by after prefixes/suffixes

    @property
    def group(self):
        return self.api.split('/')[0] if '/' in self.api else ''

    @property
    def version(self):
        return self.api.split('/')[-1]


class Objects:
    """Makes objects for one kustomization level; refs are names the
    objects may point at (ConfigMaps, Secrets, ServiceAccounts, ...)."""

    def __init__(self, rng, refs, prefix):
        self.rng, self.refs, self.prefix = rng, refs, prefix
        self.anchor_n = 0

    def name(self, kind):
        r = self.rng
        n = self.refs.setdefault('#counter', [0])
        n[0] += 1
        base = kind.lower()[:6] + '-' + self.prefix + str(1 if oops(r, 0.03) else n[0])
        if r.random() < 0.03:
            base = r.choice(['UPPER', 'a.b', 'x' * 70, 'n_1', 'ü'])
        return base

    def labels(self):
        r = self.rng
        d = {}
        for _ in range(r.randint(0, 3)):
            k = r.choice(['app', 'tier', 'team', 'app.kubernetes.io/name', 'env', 'version'])
            d[k] = tricky_string_value(r) if r.random() < 0.25 else r.choice(['web', 'db', 'a', 'x1', 'prod'])
        return d

    def meta(self, name, ns=None, labels=None, annos=True):
        r = self.rng
        m = {'name': name}
        if ns:
            m['namespace'] = ns
        if labels:
            m['labels'] = labels
        if annos and r.random() < 0.35:
            m['annotations'] = {r.choice(['note', 'a.io/x', 'desc', 'b'] * 20 + ['config.kubernetes.io/local-config']):
                                tricky_string_value(r) for _ in range(r.randint(1, 3))}
        return m

    def refname(self, kind):
        lst = self.refs.get(kind)
        if lst and not oops(self.rng, 0.3):
            return self.rng.choice(lst)
        return kind.lower() + '-missing'

    def container(self, i):
        r = self.rng
        c = {'name': r.choice(['app', 'main', 'side', 'web', 'init']) + str(i), 'image': r.choice(IMAGES)}
        if r.random() < 0.4:
            c['ports'] = [{'containerPort': r.choice([80, 8080, 443, 9090]), 'name': r.choice(['http', 'grpc', 'm'])}]
            if r.random() < 0.3:
                c['ports'][0]['protocol'] = 'TCP'
        if r.random() < 0.5:
            env = []
            for j in range(r.randint(1, 3)):
                e = {'name': r.choice(['A', 'B', 'LOG', 'MODE', 'X_Y']) + str(j)}
                k = r.random()
                if k < 0.5:
                    e['value'] = tricky_string_value(r)
                elif k < 0.65:
                    e['value'] = Raw(r.choice(['$(VAR0)', '"$(VAR1)"', 'x-$(VAR0)-y', '$(MISSING)', '$$(VAR0)']))
                elif k < 0.82:
                    e['valueFrom'] = {'configMapKeyRef': {'name': self.refname('ConfigMap'), 'key': 'k'}}
                else:
                    e['valueFrom'] = {'secretKeyRef': {'name': self.refname('Secret'), 'key': 'k'}}
                env.append(e)
            c['env'] = env
        if r.random() < 0.3:
            c['envFrom'] = [{r.choice(['configMapRef', 'secretRef']): {'name': self.refname(
                r.choice(['ConfigMap', 'Secret']))}}]
        if r.random() < 0.3:
            c['args'] = [r.choice(['--port=$(VAR0)', '-v', tricky_string_value(r), '$(VAR1)'])
                         for _ in range(r.randint(1, 3))]
        if r.random() < 0.2:
            c['command'] = [r.choice(['/bin/sh', 'sh']), '-c', block(r) if r.random() < 0.5 else 'echo hi']
        if r.random() < 0.2:
            c['resources'] = {'limits': {'cpu': Raw(r.choice(['100m', '1', '0.5', '"2"'])),
                                         'memory': Raw(r.choice(['128Mi', '1Gi', '1e3']))}}
        return c

    def pod_spec(self):
        r = self.rng
        spec = {'containers': [self.container(i) for i in range(r.randint(1, 3))]}
        if r.random() < 0.2:
            spec['initContainers'] = [self.container(9)]
        if r.random() < 0.4:
            vols = []
            for j in range(r.randint(1, 3)):
                k = r.random()
                if k < 0.4:
                    vols.append({'name': 'v' + str(j), 'configMap': {'name': self.refname('ConfigMap')}})
                elif k < 0.7:
                    vols.append({'name': 'v' + str(j), 'secret': {'secretName': self.refname('Secret')}})
                elif k < 0.85:
                    vols.append({'name': 'v' + str(j),
                                 'persistentVolumeClaim': {'claimName': self.refname('PersistentVolumeClaim')}})
                else:
                    vols.append({'name': 'v' + str(j), 'emptyDir': {}})
            spec['volumes'] = vols
        if r.random() < 0.3:
            spec['serviceAccountName'] = self.refname('ServiceAccount')
        if r.random() < 0.15:
            spec['imagePullSecrets'] = [{'name': self.refname('Secret')}]
        if r.random() < 0.1:
            spec['nodeSelector'] = {tricky_key(r): tricky_string_value(r)}
        return spec

    def make(self, api, kind, ns=None):
        """(object, Info) for one object of api/kind."""
        r = self.rng
        name = self.name(kind)
        labels = self.labels()
        obj = {'apiVersion': api, 'kind': kind, 'metadata': self.meta(name, ns, labels)}
        if r.random() < 0.15:  # kustomize accepts any key order
            obj = {'kind': kind, 'metadata': obj['metadata'], 'apiVersion': api}
        info = Info(api, kind, name, ns, labels)
        fill = getattr(self, 'fill_' + kind, None)
        if kind in WORKLOADS:
            self.fill_workload(obj, info)
        elif fill:
            fill(obj, info)
        else:
            self.fill_custom(obj, info)
        self.maybe_anchor(obj)
        return obj, info

    def fill_workload(self, obj, info):
        r = self.rng
        spec = self.pod_spec()
        info.containers = [(c['name'], c['image']) for c in spec['containers']]
        sel = dict(info.labels) or {'app': info.name}
        tmpl = {'metadata': {'labels': dict(sel)}, 'spec': spec}
        if info.kind == 'Pod':
            obj['spec'] = spec
        elif info.kind == 'CronJob':
            obj['spec'] = {'schedule': Raw(r.choice(['"*/5 * * * *"', "'0 0 * * *'", '"@hourly"'])),
                           'jobTemplate': {'spec': {'template': tmpl}}}
        elif info.kind == 'Job':
            obj['spec'] = {'template': tmpl}
        else:
            obj['spec'] = {'selector': {'matchLabels': sel}, 'template': tmpl}
            if info.kind != 'DaemonSet' and r.random() < 0.7:
                obj['spec']['replicas'] = r.choice([1, 2, 3, Raw('0'), Raw('"3"')])
            if info.kind == 'StatefulSet':
                obj['spec']['serviceName'] = self.refname('Service')
                if r.random() < 0.3:
                    obj['spec']['volumeClaimTemplates'] = [{'metadata': {'name': 'data'},
                                                            'spec': {'accessModes': ['ReadWriteOnce']}}]

    def fill_ConfigMap(self, obj, info):
        r = self.rng
        data = {}
        for i in range(r.randint(0, 5)):
            k = r.choice(['k', 'key' + str(i), 'config.yaml', 'app.properties', 'K_' + str(i), 'a.b'])
            if r.random() < 0.1:
                k = tricky_key(r)
            data[k] = tricky(r, allow_collections=r.random() < 0.1)
        info.data_keys = [str(k) for k in data]
        if data or r.random() < 0.5:
            obj['data'] = data
        if r.random() < 0.1:
            obj['binaryData'] = {'bin': base64.b64encode(bytes(r.randrange(256) for _ in range(8))).decode()}
        if r.random() < 0.05:
            obj['immutable'] = True

    def fill_Secret(self, obj, info):
        r = self.rng
        if r.random() < 0.7:
            obj['data'] = {'k': base64.b64encode(r.choice([b'pass', b'\xff\x00', b'long' * 20])).decode()}
        if r.random() < 0.4:
            obj['stringData'] = {'s': tricky_string_value(r)}
        obj['type'] = r.choice(['Opaque', 'kubernetes.io/tls', 'custom/x', Raw('""')])
        info.data_keys = ['k']

    def fill_Service(self, obj, info):
        r = self.rng
        spec = {'ports': [{'port': r.choice([80, 443, Raw('8080')]), 'targetPort': r.choice([8080, 'http', Raw('"80"')])}]}
        if r.random() < 0.8:
            spec['selector'] = dict(info.labels) or {'app': 'x'}
        if r.random() < 0.2:
            spec['type'] = r.choice(['ClusterIP', 'NodePort', 'LoadBalancer'])
        if r.random() < 0.1:
            spec['clusterIP'] = Raw(r.choice(['None', '""', '10.0.0.1']))
        obj['spec'] = spec

    def fill_ServiceAccount(self, obj, info):
        if self.rng.random() < 0.3:
            obj['secrets'] = [{'name': self.refname('Secret')}]

    def fill_PersistentVolumeClaim(self, obj, info):
        obj['spec'] = {'accessModes': ['ReadWriteOnce'], 'resources': {'requests': {'storage': Raw('1Gi')}}}
        if self.rng.random() < 0.3:
            obj['spec']['storageClassName'] = self.refname('StorageClass')

    def fill_PersistentVolume(self, obj, info):
        obj['spec'] = {'capacity': {'storage': '5Gi'}, 'hostPath': {'path': '/tmp/x'}}
        if self.rng.random() < 0.4:
            obj['spec']['claimRef'] = {'name': self.refname('PersistentVolumeClaim'), 'namespace': 'default'}

    def fill_Ingress(self, obj, info):
        obj['spec'] = {'rules': [{'host': 'a.example.com', 'http': {'paths': [{
            'path': '/', 'pathType': 'Prefix',
            'backend': {'service': {'name': self.refname('Service'), 'port': {'number': 80}}}}]}}]}
        if self.rng.random() < 0.3:
            obj['spec']['tls'] = [{'hosts': ['a.example.com'], 'secretName': self.refname('Secret')}]

    def fill_NetworkPolicy(self, obj, info):
        obj['spec'] = {'podSelector': {'matchLabels': dict(info.labels)}, 'policyTypes': ['Ingress']}

    def rules(self):
        r = self.rng
        return [{'apiGroups': [Raw('""'), 'apps'][:r.randint(1, 2)], 'resources': ['pods', 'configmaps'],
                 'verbs': Raw(r.choice(['["get", "list"]', '[get]', '["*"]']))}
                if r.random() < 0.5 else
                {'apiGroups': [''], 'resources': ['secrets'], 'resourceNames': [self.refname('Secret')],
                 'verbs': ['get']}]

    def fill_Role(self, obj, info):
        obj['rules'] = self.rules()

    def fill_ClusterRole(self, obj, info):
        obj['rules'] = self.rules()
        if self.rng.random() < 0.15:
            obj['aggregationRule'] = {'clusterRoleSelectors': [{'matchLabels': {'agg': 'true'}}]}

    def binding(self, obj, role_kind):
        r = self.rng
        obj['roleRef'] = {'apiGroup': 'rbac.authorization.k8s.io', 'kind': role_kind, 'name': self.refname(role_kind)}
        subj = {'kind': 'ServiceAccount', 'name': self.refname('ServiceAccount')}
        if r.random() < 0.5:
            subj['namespace'] = r.choice(['default', 'other', 'ns1'])
        obj['subjects'] = [subj] + ([{'kind': 'User', 'name': 'alice', 'apiGroup': 'rbac.authorization.k8s.io'}]
                                    if r.random() < 0.3 else [])

    def fill_RoleBinding(self, obj, info):
        self.binding(obj, self.rng.choice(['Role', 'ClusterRole']))

    def fill_ClusterRoleBinding(self, obj, info):
        self.binding(obj, 'ClusterRole')

    def fill_PodDisruptionBudget(self, obj, info):
        obj['spec'] = {'minAvailable': Raw(self.rng.choice(['1', '"50%"', '50%'])),
                       'selector': {'matchLabels': dict(info.labels) or {'app': 'x'}}}

    def fill_HorizontalPodAutoscaler(self, obj, info):
        obj['spec'] = {'scaleTargetRef': {'apiVersion': 'apps/v1', 'kind': 'Deployment',
                                          'name': self.refname('Deployment')},
                       'minReplicas': 1, 'maxReplicas': self.rng.choice([3, 10])}

    def fill_Namespace(self, obj, info):
        if self.rng.random() < 0.2:
            obj['spec'] = {'finalizers': ['kubernetes']}

    def fill_StorageClass(self, obj, info):
        obj['provisioner'] = 'kubernetes.io/no-provisioner'
        if self.rng.random() < 0.4:
            obj['parameters'] = {'type': tricky_string_value(self.rng)}

    def fill_PriorityClass(self, obj, info):
        obj['value'] = self.rng.choice([1000, Raw('1e6'), Raw('100000')])
        obj['globalDefault'] = Raw(self.rng.choice(['false', 'no', 'False']))

    def fill_CustomResourceDefinition(self, obj, info):
        r = self.rng
        group = r.choice(['example.com', 'my.io', 'stable.example.com'])
        kind = r.choice(['Widget', 'Thing', 'CronTab'])
        plural = kind.lower() + 's'
        obj['metadata']['name'] = plural + '.' + group
        info.name = info.names[0] = obj['metadata']['name']
        obj['spec'] = {'group': group, 'names': {'kind': kind, 'plural': plural, 'singular': kind.lower()},
                       'scope': r.choice(['Namespaced', 'Cluster']),
                       'versions': [{'name': 'v1', 'served': True, 'storage': True, 'schema': {'openAPIV3Schema': {
                           'type': 'object', 'properties': {'spec': {'type': 'object',
                                                                     'x-kubernetes-preserve-unknown-fields': True}}}}}]}

    def fill_ValidatingWebhookConfiguration(self, obj, info):
        obj['webhooks'] = [{'name': 'v.example.com', 'admissionReviewVersions': ['v1'], 'sideEffects': 'None',
                            'clientConfig': {'service': {'name': self.refname('Service'), 'namespace': 'default'}}}]

    def fill_APIService(self, obj, info):
        obj['metadata']['name'] = 'v1beta1.metrics.k8s.io'
        info.name = info.names[0] = obj['metadata']['name']
        obj['spec'] = {'group': 'metrics.k8s.io', 'version': 'v1beta1', 'groupPriorityMinimum': 100,
                       'versionPriority': 100, 'service': {'name': self.refname('Service'), 'namespace': 'kube-system'}}

    def fill_custom(self, obj, info):
        """Custom resources: any shape, tricky values anywhere."""
        r = self.rng
        spec = {}
        for _ in range(r.randint(1, 5)):
            k = r.random()
            if k < 0.4:
                spec[r.choice(['size', 'mode', 'color', 'count', 'enabled', 'when'])] = tricky(r)
            elif k < 0.55:
                spec['configRef'] = {'name': self.refname('ConfigMap')}
            elif k < 0.65:
                spec['secretRef'] = {'name': self.refname('Secret')}
            elif k < 0.75:
                spec['image'] = r.choice(IMAGES)
            elif k < 0.85:
                spec['items'] = [{'name': 'i' + str(j), 'value': tricky(r)} for j in range(r.randint(1, 3))]
            elif k < 0.93:
                spec['nested'] = {'deep': {tricky_key(r): tricky(r)}}
            else:
                spec['template'] = {'spec': {'containers': [self.container(0)]}}
        obj['spec'] = spec
        if 'template' in spec:
            info.containers = [(c['name'], c['image']) for c in spec['template']['spec']['containers']]

    def maybe_anchor(self, obj):
        """Anchors and aliases inside one document (and merge keys)."""
        r = self.rng
        spec = obj.get('spec') if isinstance(obj.get('spec'), dict) else None
        if not spec or r.random() > 0.06:
            return
        self.anchor_n += 1
        name = 'a%d' % self.anchor_n
        if r.random() < 0.5:
            spec['anchored'] = Anchored(name, tricky(r, allow_collections=False))
            spec['aliased'] = Alias(name)
        else:
            spec['base'] = Anchored(name, {'x': Raw('1'), 'y': 'two'})
            spec['derived'] = {'<<': Alias(name), 'y': 'three'}
