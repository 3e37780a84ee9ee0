import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main as runCli } from '../src/cli';
import { loadContract } from '../src/contract';
import {
  buildCluster,
  InputError,
  loadClusterModel,
  loadManifests,
  type ManifestContents,
} from '../src/manifests';
import type { Cluster } from '../src/types';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'netpol-inputs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (text) => out.push(text), err: (text) => err.push(text) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const WORKLOADS = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          ports: [{ name: http, containerPort: 8080 }]
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: report, namespace: jobs }
spec:
  jobTemplate:
    spec:
      template:
        metadata: { labels: { app: report } }
        spec: { containers: [{ name: report }] }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: settings }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress:
    - ports: [{ port: http }]
`;

describe('manifests', () => {
  it('reads pods from workload templates, defaults namespaces and protocols, and the policyTypes default', () => {
    const contents = loadManifests([file('app.yaml', WORKLOADS)], { defaultNamespace: 'shop' });
    expect(contents.pods.map((pod) => [pod.id, pod.workloadKind, pod.labels])).toEqual([
      ['shop/web', 'Deployment', { app: 'web' }],
      ['jobs/report', 'CronJob', { app: 'report' }],
    ]);
    expect(contents.pods[0]?.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    const policy = contents.policies[0];
    expect(policy?.namespace).toBe('shop');
    expect(policy?.policyTypes).toEqual(['Ingress']);
    expect(policy?.ingress).toEqual([{ ports: [{ port: 'http', protocol: 'TCP' }] }]);
  });

  it('reads every YAML file of a directory, recursively', () => {
    file('rendered/a.yaml', WORKLOADS);
    file(
      'rendered/nested/b.yml',
      'apiVersion: v1\nkind: Pod\nmetadata: { name: lone }\nspec: { containers: [] }\n',
    );
    file('rendered/notes.txt', 'not yaml: [');
    const contents = loadManifests([join(dir, 'rendered')], { defaultNamespace: 'shop' });
    expect(contents.pods.map((pod) => pod.id)).toEqual(['shop/web', 'jobs/report', 'shop/lone']);
  });

  it('adds kubernetes.io/metadata.name to every namespace, declared or implied', () => {
    const contents = loadManifests(
      [
        file(
          'ns.yaml',
          `apiVersion: v1\nkind: Namespace\nmetadata: { name: shop, labels: { team: a } }\n---\n${WORKLOADS}`,
        ),
      ],
      { defaultNamespace: 'shop' },
    );
    const cluster: Cluster = buildCluster(contents, undefined);
    expect(cluster.namespaces).toEqual([
      { name: 'shop', labels: { team: 'a', 'kubernetes.io/metadata.name': 'shop' } },
      { name: 'jobs', labels: { 'kubernetes.io/metadata.name': 'jobs' } },
    ]);
  });

  it.each([
    ['malformed YAML', 'kind: Pod\nmetadata: { name: a\n', 'bad.yaml#0: malformed YAML'],
    ['a document that is no object', '- just\n- a list\n', 'bad.yaml#0: not a Kubernetes object'],
    [
      'an unknown selector operator',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p }\nspec:\n  podSelector: { matchExpressions: [{ key: a, operator: Equals, values: [b] }] }\n',
      'bad.yaml#0: spec.podSelector.matchExpressions[0].operator: "Equals" is not a valid selector operator',
    ],
    [
      'an invalid CIDR',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p }\nspec:\n  podSelector: {}\n  egress: [{ to: [{ ipBlock: { cidr: 10.0.0.0/33 } }] }]\n',
      'bad.yaml#0: spec.egress[0].to[0].ipBlock.cidr: invalid IPv4 CIDR "10.0.0.0/33"',
    ],
    [
      'an unknown protocol',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p }\nspec:\n  podSelector: {}\n  ingress: [{ ports: [{ port: 80, protocol: HTTP }] }]\n',
      'bad.yaml#0: spec.ingress[0].ports[0].protocol: unsupported value "HTTP": must be TCP, UDP or SCTP',
    ],
    [
      'an endPort below its port',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p }\nspec:\n  podSelector: {}\n  ingress: [{ ports: [{ port: 9000, endPort: 8000 }] }]\n',
      'bad.yaml#0: spec.ingress[0].ports[0].endPort: 8000 must be greater than or equal to port 9000',
    ],
  ])('rejects %s naming the file and document index', (_, text, message) => {
    const path = file('bad.yaml', text);
    expect(() => loadManifests([path], { defaultNamespace: 'shop' })).toThrow(message);
  });
});

const load = (...paths: string[]) => loadManifests(paths, { defaultNamespace: 'shop' });
const ids = (contents: ManifestContents) => contents.pods.map((pod) => pod.id);
/** The message of the InputError `run` throws (failing the test on any other outcome). */
function inputError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).message;
  }
  throw new Error('no InputError thrown');
}

const POD = (name: string, extra = '') =>
  `apiVersion: v1\nkind: Pod\nmetadata: { name: ${name} }\nspec: { containers: [{ name: c }] }\n${extra}`;

describe('inputs: files, directories and standard input', () => {
  it('reads standard input for the path -, through the injected reader, named <stdin>', () => {
    const readStdin = jest.fn(() => `${POD('from-stdin')}---\napiVersion: v1\nkind: Pod\nmetadata: {}\n`);
    const message = inputError(() => loadManifests(['-'], { defaultNamespace: 'shop', readStdin }));
    expect(message).toBe('<stdin>#1: metadata.name: required for a Pod');
    expect(readStdin).toHaveBeenCalledTimes(1);
    const once = jest.fn(() => POD('from-stdin'));
    expect(ids(loadManifests(['-', '-'], { defaultNamespace: 'shop', readStdin: once }))).toEqual([
      'shop/from-stdin',
    ]);
    expect(once).toHaveBeenCalledTimes(1);
    const broken = () => {
      throw new Error('EAGAIN: resource temporarily unavailable, read');
    };
    expect(inputError(() => loadManifests(['-'], { defaultNamespace: 'shop', readStdin: broken }))).toBe(
      '<stdin>: cannot read: EAGAIN: resource temporarily unavailable, read',
    );
    const contents = loadManifests([file('a.yaml', POD('from-file')), '-'], {
      defaultNamespace: 'shop',
      readStdin: () => POD('from-stdin'),
    });
    expect(ids(contents)).toEqual(['shop/from-file', 'shop/from-stdin']);
    expect(contents.pods[1]?.origin).toEqual({ file: '<stdin>', index: 0 });
  });

  it('reads JSON files, which the YAML parser reads too', () => {
    const json = JSON.stringify({
      apiVersion: 'v1',
      kind: 'PodList',
      items: [{ metadata: { name: 'api', labels: { app: 'api' } }, spec: { containers: [] } }],
    });
    file('dir/pods.json', json);
    file('dir/notes.md', 'not read');
    expect(load(join(dir, 'dir')).pods.map((pod) => [pod.id, pod.labels])).toEqual([
      ['shop/api', { app: 'api' }],
    ]);
  });

  it('names a missing path', () => {
    expect(inputError(() => load(join(dir, 'missing.yaml')))).toContain(
      'missing.yaml: no such file or directory',
    );
  });
});

describe('lists', () => {
  it('flattens a kubectl get -o yaml List of mixed kinds, naming the item in messages and origins', () => {
    const path = file(
      'all.yaml',
      `apiVersion: v1
kind: List
metadata: { resourceVersion: "" }
items:
  - apiVersion: v1
    kind: Namespace
    metadata: { name: shop, labels: { team: a } }
  - apiVersion: apps/v1
    kind: Deployment
    metadata: { name: web, namespace: shop }
    spec: { template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: web }] } } }
  - apiVersion: v1
    kind: Service
    metadata: { name: web, namespace: shop }
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: { name: deny, namespace: shop }
    spec: { podSelector: {} }
`,
    );
    const contents = load(path);
    expect(contents.namespaces).toEqual([
      { name: 'shop', labels: { team: 'a', 'kubernetes.io/metadata.name': 'shop' } },
    ]);
    expect(ids(contents)).toEqual(['shop/web']);
    expect(contents.pods[0]?.origin).toEqual({ file: path, index: 0, item: 'items[1]' });
    expect(contents.policies.map((policy) => policy.name)).toEqual(['deny']);
    expect(contents.ignored).toEqual([]);
    // Services are read for the EKS lint, with the API's defaults.
    expect(contents.services).toEqual([
      { namespace: 'shop', name: 'web', ports: [], origin: { file: path, index: 0, item: 'items[2]' } },
    ]);

    const broken = file(
      'broken.yaml',
      'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Pod\n    metadata: { name: a }\n    spec: { containers: [{ ports: [{ name: http }] }] }\n',
    );
    expect(inputError(() => load(broken))).toBe(
      `${broken}#0: items[0]: spec.containers[0].ports[0].containerPort: required: every container port needs one`,
    );
  });

  it('takes the kind of items that lack one from a typed list: NamespaceList, PodList, NetworkPolicyList', () => {
    const contents = load(
      file(
        'typed.yaml',
        `apiVersion: v1
kind: NamespaceList
items:
  - metadata: { name: shop, labels: { env: prod } }
  - metadata: { name: jobs }
---
apiVersion: v1
kind: PodList
items:
  - metadata: { name: lone, namespace: jobs }
    spec: { containers: [] }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicyList
items:
  - metadata: { name: deny, namespace: jobs }
    spec: { podSelector: {}, policyTypes: [Egress] }
---
apiVersion: apps/v1
kind: DeploymentList
items: []
`,
      ),
    );
    expect(contents.namespaces.map((namespace) => namespace.labels)).toEqual([
      { env: 'prod', 'kubernetes.io/metadata.name': 'shop' },
      { 'kubernetes.io/metadata.name': 'jobs' },
    ]);
    expect(ids(contents)).toEqual(['jobs/lone']);
    expect(contents.policies.map((policy) => [policy.namespace, policy.name, policy.policyTypes])).toEqual([
      ['jobs', 'deny', ['Egress']],
    ]);
  });

  it('rejects a List whose items is not a list, and an item of a plain List without kind', () => {
    expect(
      inputError(() => load(file('l.yaml', 'apiVersion: v1\nkind: PodList\nitems: { a: 1 }\n'))),
    ).toContain('l.yaml#0: items: must be a list');
    expect(
      inputError(() =>
        load(file('l.yaml', 'apiVersion: v1\nkind: List\nitems:\n  - metadata: { name: a }\n')),
      ),
    ).toContain('l.yaml#0: items[0]: not a Kubernetes object: kind is missing');
  });
});

describe('workloads and pods', () => {
  it('reads every kind that makes pods through its pod template', () => {
    const template =
      '{ metadata: { labels: { app: X } }, spec: { containers: [{ name: c, ports: [{ containerPort: 80 }] }] } }';
    const workload = (apiVersion: string, kind: string, spec: string) =>
      `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: { name: ${kind.toLowerCase()} }\nspec: ${spec.replace('X', kind)}\n`;
    const contents = load(
      file(
        'kinds.yaml',
        [
          workload('apps/v1', 'Deployment', `{ template: ${template} }`),
          workload('apps/v1', 'ReplicaSet', `{ template: ${template} }`),
          workload('apps/v1', 'StatefulSet', `{ template: ${template} }`),
          workload('apps/v1', 'DaemonSet', `{ template: ${template} }`),
          workload('batch/v1', 'Job', `{ template: ${template} }`),
          workload('batch/v1', 'CronJob', `{ jobTemplate: { spec: { template: ${template} } } }`),
          workload('v1', 'ReplicationController', `{ replicas: 2, template: ${template} }`),
          'apiVersion: v1\nkind: Pod\nmetadata: { name: pod, labels: { app: Pod } }\nspec: { containers: [{ name: c, ports: [{ containerPort: 80, protocol: UDP }] }] }\n',
        ].join('---\n'),
      ),
    );
    expect(contents.pods.map((pod) => [pod.id, pod.name, pod.workloadKind, pod.labels.app])).toEqual(
      [
        'Deployment',
        'ReplicaSet',
        'StatefulSet',
        'DaemonSet',
        'Job',
        'CronJob',
        'ReplicationController',
        'Pod',
      ].map((kind) => [`shop/${kind.toLowerCase()}`, kind.toLowerCase(), kind, kind]),
    );
    expect(contents.pods[6]?.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    expect(contents.pods[7]?.ports).toEqual([{ containerPort: 80, protocol: 'UDP' }]);
    expect(contents.pods.every((pod) => pod.addresses === undefined)).toBe(true);
  });

  it('names the path of a container port without a numeric containerPort, and of a missing template', () => {
    const deployment = (ports: string) =>
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          ports: ${ports}\n`;
    expect(
      inputError(() => load(file('d.yaml', deployment('[{ containerPort: 80 }, { name: http }]')))),
    ).toBe(
      `${join(dir, 'd.yaml')}#0: spec.template.spec.containers[0].ports[1].containerPort: required: every container port needs one`,
    );
    expect(inputError(() => load(file('d.yaml', deployment('[{ containerPort: "80" }]'))))).toContain(
      'spec.template.spec.containers[0].ports[0].containerPort: must be an integer, not "80"',
    );
    expect(inputError(() => load(file('d.yaml', deployment('[{ containerPort: 0 }]'))))).toContain(
      'containerPort: 0 must be between 1 and 65535, inclusive',
    );
    expect(
      inputError(() =>
        load(
          file(
            'c.yaml',
            'apiVersion: batch/v1\nkind: CronJob\nmetadata: { name: c }\nspec: { jobTemplate: {} }\n',
          ),
        ),
      ),
    ).toContain('c.yaml#0: spec.jobTemplate.spec: missing: a CronJob needs a pod template');
  });

  const owned = (name: string, owner: string, labels: string, status = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: ${labels}
  ownerReferences:
    - { apiVersion: v1, kind: Node, name: node-1, controller: false }
    - ${owner}
spec: { containers: [{ name: c, ports: [{ name: http, containerPort: 8080 }] }] }
${status}`;
  const RS = '{ apiVersion: apps/v1, kind: ReplicaSet, name: web-5f7, controller: true }';

  it('merges the pods of one owner that share labels and ports into one endpoint with their addresses', () => {
    const contents = load(
      file(
        'pods.yaml',
        [
          owned(
            'web-5f7-a',
            RS,
            '{ app: web }',
            'status: { podIP: 10.0.0.1, podIPs: [{ ip: 10.0.0.1 }, { ip: "fd00::1" }] }\n',
          ),
          owned('web-5f7-b', RS, '{ app: web }', 'status: { podIP: 10.0.0.2 }\n'),
          owned('web-5f7-c', RS, '{ app: web }'),
        ].join('---\n'),
      ),
    );
    expect(contents.pods).toEqual([
      {
        kind: 'pod',
        id: 'shop/web-5f7',
        namespace: 'shop',
        name: 'web-5f7',
        workloadKind: 'ReplicaSet',
        labels: { app: 'web' },
        ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
        addresses: ['10.0.0.1', '10.0.0.2'],
        serviceAccount: 'default',
        origin: { file: join(dir, 'pods.yaml'), index: 0 },
      },
    ]);
  });

  it('splits the pods of one owner whose labels or ports differ, keeping the owner as name and kind', () => {
    const noKind = '{ name: internal-security, controller: true }';
    const contents = load(
      file(
        'pods.yaml',
        [
          owned('pod-1', noKind, '{ app: a }', 'status: { podIPs: [{ ip: 10.0.0.1 }] }\n'),
          owned('pod-2', noKind, '{ app: b }'),
          owned('pod-3', noKind, '{ app: a }', 'status: { podIP: 10.0.0.3 }\n'),
          POD('bare'),
        ].join('---\n'),
      ),
    );
    // An owner reference without kind shows as a Pod, as np-guard/netpol-analyzer prints it.
    expect(contents.pods.map((pod) => [pod.id, pod.name, pod.workloadKind, pod.addresses])).toEqual([
      ['shop/internal-security/pod-1', 'internal-security', 'Pod', ['10.0.0.1', '10.0.0.3']],
      ['shop/internal-security/pod-2', 'internal-security', 'Pod', undefined],
      ['shop/bare', 'bare', 'Pod', undefined],
    ]);
  });

  it('reads a pod owned by a Node (a static pod) as a bare pod, and drops IPv6 addresses', () => {
    const contents = load(
      file(
        'static.yaml',
        POD('etcd-node-1', 'status: { podIPs: [{ ip: "fd00::5" }] }\n').replace(
          'metadata: {',
          'metadata: { ownerReferences: [{ kind: Node, name: node-1, controller: true }],',
        ),
      ),
    );
    expect(contents.pods.map((pod) => [pod.id, pod.workloadKind, pod.addresses])).toEqual([
      ['shop/etcd-node-1', 'Pod', undefined],
    ]);
  });

  it('lets the pods of a workload stand for its template, and rejects true duplicates', () => {
    const replicaSet =
      'apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: { name: web-5f7 }\nspec: { template: { metadata: { labels: { app: web } } } }\n';
    const contents = load(file('rs.yaml', `${replicaSet}---\n${owned('web-5f7-a', RS, '{ app: web }')}`));
    expect(contents.pods.map((pod) => [pod.id, pod.workloadKind])).toEqual([['shop/web-5f7', 'ReplicaSet']]);

    const deployment =
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: web }\nspec: { template: { metadata: { labels: { app: web } } } }\n';
    const twice = load(file('twice.yaml', `${deployment}---\n${POD('web')}`));
    expect(inputError(() => buildCluster(twice))).toBe(
      `${join(dir, 'twice.yaml')}#1: shop/web is defined twice (also Deployment at ${join(dir, 'twice.yaml')}#0)`,
    );
    expect(inputError(() => load(file('a.yaml', POD('x')), file('b.yaml', POD('x'))))).toBe(
      `${join(dir, 'b.yaml')}#0: Pod shop/x is defined twice (also ${join(dir, 'a.yaml')}#0)`,
    );
  });
});

describe('Services', () => {
  it('are read with the API defaults, and a malformed port is a clear error', () => {
    const path = file(
      'services.yaml',
      `apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: http }, { port: 9090, protocol: TCP }]
`,
    );
    expect(load(path).services).toEqual([
      {
        namespace: 'shop',
        name: 'web',
        selector: { app: 'web' },
        ports: [
          { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
          { port: 9090, targetPort: 9090, protocol: 'TCP' },
        ],
        origin: { file: path, index: 0 },
      },
    ]);
    const broken = file(
      'broken-service.yaml',
      'apiVersion: v1\nkind: Service\nmetadata: { name: web }\nspec: { ports: [{ port: "80" }] }\n',
    );
    expect(() => load(broken)).toThrow(`${broken}#0: spec.ports[0].port: must be an integer, not "80"`);
  });
});

describe('kinds the verifier does not read', () => {
  it('ignores every other kind, custom resources included, and counts them by kind', () => {
    const objects = [
      'apiVersion: route.openshift.io/v1\nkind: Route\nmetadata: { name: r }\n',
      'apiVersion: policy.networking.k8s.io/v1alpha1\nkind: AdminNetworkPolicy\nmetadata: { name: anp }\nspec: { priority: 1 }\n',
      // Another group's SecurityGroupPolicy is not the VPC resource controller's.
      'apiVersion: example.com/v1\nkind: SecurityGroupPolicy\nmetadata: { name: sg }\n',
      'apiVersion: v1\nkind: Service\nmetadata: { name: web }\n',
      'apiVersion: v1\nkind: Service\nmetadata: { name: api }\n',
      'apiVersion: v1\nkind: ConfigMap\nmetadata: "not even a map"\n',
      'apiVersion: example.com/v1\nkind: Widget\n',
      // Calico's NetworkPolicy is a custom resource of another schema: not read as Kubernetes'.
      'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: { name: calico }\nspec: { selector: "app == \'web\'" }\n',
    ];
    const contents = load(file('crs.yaml', objects.join('---\n')));
    expect(contents.pods).toEqual([]);
    expect(contents.policies).toEqual([]);
    expect(contents.ignored).toEqual([
      { kind: 'AdminNetworkPolicy', count: 1 },
      { kind: 'ConfigMap', count: 1 },
      { kind: 'NetworkPolicy ("projectcalico.org/v3")', count: 1 },
      { kind: 'Route', count: 1 },
      { kind: 'SecurityGroupPolicy', count: 1 },
      { kind: 'Widget', count: 1 },
    ]);
    expect(contents.services.map((service) => service.name)).toEqual(['web', 'api']);
  });

  it('rejects documents that are no Kubernetes object, and pod or policy kinds without a name', () => {
    const cases: [string, string][] = [
      ['just a string\n', 'not a Kubernetes object (expected a map, not "just a string")'],
      ['- a\n- b\n', 'not a Kubernetes object (expected a map, not a list)'],
      ['metadata: { name: a }\n', 'not a Kubernetes object: kind is missing'],
      ['kind: 3\n', 'not a Kubernetes object: kind is missing'],
      ['kind: Deployment\nmetadata: { labels: {} }\n', 'metadata.name: required for a Deployment'],
      [
        'kind: NetworkPolicy\napiVersion: networking.k8s.io/v1\n',
        'metadata.name: required for a NetworkPolicy',
      ],
    ];
    for (const [text, message] of cases) {
      expect(inputError(() => load(file('x.yaml', `${POD('ok')}---\n${text}`)))).toBe(
        `${join(dir, 'x.yaml')}#1: ${message}`,
      );
    }
  });
});

describe('malformed input', () => {
  it('names the document and the path in the object', () => {
    const policy = (spec: string) =>
      `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p }\nspec:\n${spec}`;
    const cases: [string, string][] = [
      [
        policy('  ingress:\n    - from:\n        - podSelector: {}\n        - ipBlock: { cidr: 10.0.0.0 }\n'),
        'spec.ingress[0].from[1].ipBlock.cidr: invalid IPv4 CIDR "10.0.0.0"',
      ],
      [policy('  ingress: { from: [] }\n'), 'spec.ingress: must be a list, not {"from":[]}'],
      [
        policy('  egress: [{ to: [{ ipBlock: { cidr: 10.0.0.0/8, except: 10.1.0.0/16 } }] }]\n'),
        'spec.egress[0].to[0].ipBlock.except: must be a list',
      ],
      [
        policy('  podSelector: { matchLabels: { version: 1.0 } }\n'),
        'spec.podSelector.matchLabels.version: must be a string, not 1',
      ],
      [policy('  podSelector: app=web\n'), 'spec.podSelector: must be a map, not "app=web"'],
      [
        policy('  ingress: [{ ports: [{ port: [80] }] }]\n'),
        'spec.ingress[0].ports[0].port: must be a port number or name, not [80]',
      ],
      [
        policy('  ingress: [{ ports: [{ port: 80, endPort: "90" }] }]\n'),
        'spec.ingress[0].ports[0].endPort: must be an integer, not "90"',
      ],
      [policy('  policyTypes: Ingress\n'), 'spec.policyTypes: must be a list, not "Ingress"'],
      [
        POD('p', 'status: { podIPs: [{ ip: 10.0.0.300 }] }\n'),
        'status.podIPs[0].ip: invalid IPv4 CIDR "10.0.0.300/32"',
      ],
      [
        POD('p').replace('metadata: {', 'metadata: { labels: [a],'),
        'metadata.labels: must be a map, not ["a"]',
      ],
      [
        POD('p').replace('metadata: {', 'metadata: { ownerReferences: [{ controller: true }],'),
        'metadata.ownerReferences[0].name: must be a string',
      ],
      [
        'apiVersion: v1\nkind: Namespace\nmetadata: { name: a, labels: { on: true } }\n',
        'metadata.labels.on: must be a string, not true',
      ],
    ];
    for (const [text, message] of cases) {
      expect(inputError(() => load(file('m.yaml', `${POD('ok')}---\n${text}`)))).toContain(
        `m.yaml#1: ${message}`,
      );
    }
  });

  it('never crashes on odd values in any field: every failure is an InputError', () => {
    const odd = ['null', '0', '-1', '"x"', '[]', '[null]', '[1, "a"]', '{}', '{ a: { b: [] } }', 'true'];
    const skeletons = [
      (v: string) =>
        `kind: Pod\nmetadata: { name: p, ownerReferences: ${v} }\nspec: { containers: ${v} }\nstatus: ${v}\n`,
      (v: string) =>
        `kind: Pod\nmetadata: { name: p }\nspec: { containers: [{ ports: ${v} }] }\nstatus: { podIPs: ${v}, podIP: ${v} }\n`,
      (v: string) => `kind: Deployment\nmetadata: { name: d }\nspec: { template: ${v} }\n`,
      (v: string) => `kind: CronJob\nmetadata: { name: c }\nspec: { jobTemplate: { spec: ${v} } }\n`,
      (v: string) =>
        `kind: NetworkPolicy\nmetadata: { name: p, namespace: ${v} }\nspec: { podSelector: ${v} }\n`,
      (v: string) =>
        `kind: NetworkPolicy\nmetadata: { name: p }\nspec: { ingress: [{ from: ${v}, ports: ${v} }], egress: ${v}, policyTypes: ${v} }\n`,
      (v: string) =>
        `kind: NetworkPolicy\nmetadata: { name: p }\nspec: { egress: [{ to: [{ ipBlock: ${v} }, { namespaceSelector: { matchExpressions: ${v} } }] }] }\n`,
      (v: string) =>
        `kind: NetworkPolicy\nmetadata: { name: p }\nspec: { egress: [{ ports: [{ port: ${v}, endPort: ${v}, protocol: ${v} }] }] }\n`,
      (v: string) =>
        `kind: NetworkPolicy\nmetadata: { name: p }\nspec: { podSelector: { matchExpressions: [{ key: ${v}, operator: ${v}, values: ${v} }] } }\n`,
      (v: string) => `kind: Namespace\nmetadata: { name: n, labels: ${v} }\n`,
      (v: string) => `kind: List\nitems: ${v}\n`,
      (v: string) => `kind: PodList\nitems: [${v}]\n`,
      (v: string) => `kind: ${v}\nmetadata: ${v}\n`,
    ];
    for (const skeleton of skeletons) {
      for (const value of odd) {
        const path = file('odd.yaml', skeleton(value));
        try {
          load(path);
        } catch (error) {
          expect([skeleton(value), error]).toEqual([skeleton(value), expect.any(InputError)]);
        }
      }
    }
  });
});

describe('namespaces and the cluster model', () => {
  it('keeps the input namespaces with their labels over the model, and adds only what the input lacks', () => {
    const contents = load(
      file(
        'app.yaml',
        `apiVersion: v1\nkind: Namespace\nmetadata: { name: edge, labels: { team: web, zone: a } }\n---\n${POD('proxy').replace('metadata: {', 'metadata: { namespace: edge, labels: { app: mine },')}`,
      ),
    );
    const model = loadClusterModel(
      file(
        'model.yaml',
        `namespaces: [{ name: edge, labels: { team: model, tier: dmz } }, { name: kube-system }]
pods:
  - { namespace: edge, name: proxy, labels: { app: model } }
  - { namespace: kube-system, name: coredns, labels: { k8s-app: kube-dns } }
externals: [{ name: internet, cidr: 0.0.0.0/0 }]
podAddressRanges: [10.0.0.0/16, 10.1.0.0/16]
`,
      ),
    );
    expect(model.podAddressRanges).toEqual(['10.0.0.0/16', '10.1.0.0/16']);
    const cluster = buildCluster(contents, model);
    expect(cluster.namespaces).toEqual([
      {
        name: 'edge',
        labels: { team: 'web', tier: 'dmz', zone: 'a', 'kubernetes.io/metadata.name': 'edge' },
      },
      { name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system' } },
    ]);
    expect(cluster.pods.map((pod) => [pod.id, pod.workloadKind, pod.labels])).toEqual([
      ['edge/proxy', 'Pod', { app: 'mine' }],
      ['kube-system/coredns', 'Model', { 'k8s-app': 'kube-dns' }],
    ]);
    expect(cluster.externals).toEqual([{ kind: 'external', id: 'internet', cidr: '0.0.0.0/0' }]);
    expect(cluster.podAddressRanges).toEqual(['10.0.0.0/16', '10.1.0.0/16']);
    expect(buildCluster(contents, { ...model, podAddressRanges: undefined })).not.toHaveProperty(
      'podAddressRanges',
    );
  });

  it('rejects a namespace defined twice with different labels, and invalid podAddressRanges', () => {
    const ns = (labels: string) =>
      `apiVersion: v1\nkind: Namespace\nmetadata: { name: a, labels: ${labels} }\n`;
    expect(load(file('n.yaml', `${ns('{ x: "1" }')}---\n${ns('{ x: "1" }')}`)).namespaces).toHaveLength(1);
    expect(inputError(() => load(file('n.yaml', `${ns('{ x: "1" }')}---\n${ns('{ x: "2" }')}`)))).toContain(
      'n.yaml#1: Namespace a is defined twice with different labels',
    );
    expect(
      inputError(() =>
        loadClusterModel(file('model.yaml', 'podAddressRanges: [10.0.0.0/16, "fd00::/64"]\n')),
      ),
    ).toBe(
      `${join(dir, 'model.yaml')}#0: podAddressRanges[1]: invalid IPv4 CIDR "fd00::/64": IPv6 is not supported`,
    );
    expect(
      inputError(() => loadClusterModel(file('model.yaml', 'podAddressRanges: 10.0.0.0/16\n'))),
    ).toContain('podAddressRanges: must be a list');
  });
});

describe('cluster model and contract files', () => {
  it('reject unknown keys and broken entries with the file named', () => {
    expect(() => loadClusterModel(file('model.yaml', 'pods: []\nnodes: []\n'))).toThrow(
      'model.yaml#0: unknown keys nodes',
    );
    expect(() =>
      loadClusterModel(file('model.yaml', 'externals: [{ name: net, cidr: 300.0.0.0/8 }]\n')),
    ).toThrow('model.yaml#0: externals[0]');
    expect(() =>
      loadContract(
        file('contract.yaml', 'groups: { a: {} }\nallow: [{ from: a, to: b, ports: [80] }]\n'),
        'shop',
      ),
    ).toThrow('allow[0] names the unknown group b');
    expect(() =>
      loadContract(
        file('contract.yaml', 'groups: { a: {} }\nallow: [{ from: a, to: a, ports: [70000/TCP] }]\n'),
        'shop',
      ),
    ).toThrow('port 70000 is out of range');
  });
});

describe('the command line', () => {
  const model = () =>
    file(
      'model.yaml',
      'namespaces: [{ name: edge }]\npods: [{ namespace: edge, name: proxy, labels: { app: proxy } }]\nexternals: [{ name: internet, cidr: 0.0.0.0/0 }]\n',
    );
  const manifests = () =>
    file(
      'app.yaml',
      `${WORKLOADS}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web-from-proxy }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress: [{ from: [{ namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: edge } } }], ports: [{ port: 8080 }] }]
`,
    );

  it('diffs two inputs as text, Markdown and JSON, exit 1 with --fail-on-change only when they differ', async () => {
    const before = manifests();
    const after = file(
      'app-9090.yaml',
      readFileSync(before, 'utf8').replace(
        'ports: [{ port: 8080 }]',
        'ports: [{ port: 8080 }, { port: 9090 }]',
      ),
    );
    const common = ['--model', model(), '--namespace', 'shop'];
    const same = await cli('diff', before, before, ...common, '--fail-on-change');
    expect(same.code).toBe(0);
    expect(same.out).toMatch(/^no change in connections/);
    const text = await cli('diff', before, after, ...common);
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^~ edge\/proxy -> shop\/web: TCP 8080 -> TCP 8080,9090 \(added TCP 9090\)$/m);
    expect((await cli('diff', before, after, ...common, '--fail-on-change')).code).toBe(1);
    expect((await cli('diff', before, after, ...common, '--format', 'markdown')).out).toContain(
      '`edge/proxy`',
    );
    const json = JSON.parse((await cli('diff', before, after, ...common, '--format', 'json')).out) as {
      changed: boolean;
      entries: { from: string; to: string; change: string; added: string }[];
    };
    expect(json.changed).toBe(true);
    expect(json.entries).toContainEqual(
      expect.objectContaining({ from: 'edge/proxy', to: 'shop/web', change: 'changed', added: 'TCP 9090' }),
    );
    const one = await cli('diff', before, ...common);
    expect(one.code).toBe(2);
    expect(one.err).toContain('diff compares two inputs, <before> and <after> (got 1)');
    expect((await cli('diff', '-', '-', ...common)).err).toContain('standard input for one side only');
    expect((await cli('diff', before, after, ...common, '--format', 'mermaid')).code).toBe(2);
  });

  it('prints the matrix as text, Markdown, JSON, a Mermaid graph and the analyzer list', async () => {
    const args = ['matrix', manifests(), '--model', model(), '--namespace', 'shop'];
    const text = (await cli(...args)).out;
    expect(text).toMatch(/^edge\/proxy +shop\/web +TCP 8080$/m);
    // The first policy's rule has no peers: every source, every address included, reaches http.
    expect(text).toMatch(/^0\.0\.0\.0-255\.255\.255\.255 \(internet\) +shop\/web +TCP 8080$/m);
    // web's egress is open: every address, in one merged range.
    expect(text).toMatch(/^shop\/web +0\.0\.0\.0-255\.255\.255\.255 \(internet\) +All Connections$/m);
    expect((await cli(...args, '--format', 'markdown')).out).toContain(
      '| `edge/proxy` | `shop/web` | TCP 8080 |',
    );
    const json = JSON.parse((await cli(...args, '--format', 'json')).out) as { connections: unknown[] };
    expect(json.connections).toContainEqual({
      from: 'edge/proxy',
      to: 'shop/web',
      connections: 'TCP 8080',
      ports: { TCP: [[8080, 8080]] },
    });
    expect((await cli(...args, '--format', 'mermaid')).out).toContain('edge_proxy -->|"TCP 8080"| shop_web');
    expect((await cli(...args, '--format', 'connlist')).out).toContain(
      'edge/proxy[Model] => shop/web[Deployment] : TCP 8080',
    );
    expect((await cli(...args, '--format', 'svg')).code).toBe(2);
  });

  it('reads standard input as -, and names the kinds it ignored on one line', async () => {
    const text = readFileSync(manifests(), 'utf8');
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      ['matrix', '-', '--all-namespaces', '--namespace', 'shop'],
      { out: (line) => out.push(line), err: (line) => err.push(line) },
      () => text,
    );
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/^shop\/web +0\.0\.0\.0-255\.255\.255\.255 +All Connections$/m);
    expect(err).toEqual([
      'netpol: ignored 1 object(s) that neither make pods nor are Namespaces, NetworkPolicies, Services, ServiceAccounts or SecurityGroupPolicies: ConfigMap (1)',
    ]);
  });

  it('explains with exit 0 for allowed and 1 for denied, and 2 for unknown endpoints', async () => {
    const base = [manifests(), '--model', model(), '--namespace', 'shop'];
    const allowed = await cli('explain', ...base, '--from', 'edge/proxy', '--to', 'web', '--port', 'http');
    expect(allowed.code).toBe(0);
    expect(allowed.out).toContain('edge/proxy -> shop/web 8080/TCP: ALLOWED');
    const denied = await cli('explain', ...base, '--from', 'edge/proxy', '--to', 'web', '--port', '9090/TCP');
    expect(denied.code).toBe(1);
    expect(denied.out).toContain('port 9090/TCP not in [8080/TCP]');
    const whole = await cli('explain', ...base, '--from', 'edge/proxy', '--to', 'web');
    expect(whole.code).toBe(0);
    expect(whole.out).toContain('edge/proxy -> shop/web: allowed TCP 8080');
    const outside = await cli('explain', ...base, '--from', '203.0.113.9', '--to', 'web');
    expect(outside.code).toBe(0);
    expect(outside.out).toContain('0.0.0.0-255.255.255.255 -> shop/web: allowed TCP 8080');
    const proxyOut = await cli('explain', ...base, '--from', 'web', '--to', 'edge/proxy');
    expect(proxyOut.out).toContain('shop/web -> edge/proxy: allowed All Connections');
    const unknown = await cli('explain', ...base, '--from', 'edge/nginx', '--to', 'web', '--port', '80');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('--from edge/nginx: no such pod, workload, network or address');
  });

  it('decides by the EKS enforcer when the model or --enforcer says so, and says where it differs', async () => {
    const policies = file(
      'named-from-anywhere.yaml',
      `${WORKLOADS}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web-http }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress: [{ ports: [{ port: http }] }]
`,
    );
    const eksModel = file('eks-model.yaml', `enforcer: eks\n${readFileSync(model(), 'utf8')}`);
    const base = ['--from', 'edge/proxy', '--to', 'web', '--port', 'http', '--namespace', 'shop'];
    const upstream = await cli('explain', policies, '--model', model(), ...base);
    expect(upstream.code).toBe(0);
    // A rule without peers is 0.0.0.0/0 to the EKS agent, whose CIDR entries carry no named port.
    const eks = await cli('explain', policies, '--model', eksModel, ...base);
    expect(eks.code).toBe(1);
    expect(eks.out).toContain('edge/proxy -> shop/web 8080/TCP: DENIED');
    expect(eks.out).toMatch(
      /the eks enforcer refuses this connection all the same: \[eks\/cidr-named-port\] /,
    );
    expect(eks.out).toContain(
      '[eks/cidr-named-port] shop/web-http ingress[0]: named port(s) http/TCP are dropped',
    );
    expect(
      (await cli('explain', policies, '--model', eksModel, '--enforcer', 'upstream', ...base)).code,
    ).toBe(0);
    expect((await cli('explain', policies, '--model', model(), '--enforcer', 'eks', ...base)).code).toBe(1);
    const wrong = await cli('explain', policies, '--enforcer', 'cilium', ...base);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('--enforcer cilium: upstream or eks');
    const linted = await cli('lint', policies, '--model', eksModel, '--namespace', 'shop');
    expect(linted.code).toBe(1);
    expect(linted.out).toContain(
      '[eks/cidr-named-port] shop/web-http ingress[0]: named port(s) http/TCP are dropped',
    );
  });

  it('matches ipBlocks against pod addresses unless told to ignore them', async () => {
    const pods = file(
      'pods.yaml',
      `apiVersion: v1
kind: Pod
metadata: { name: client, namespace: shop, labels: { app: client } }
spec: { containers: [{ name: c }] }
status: { podIP: 10.1.2.3 }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web-from-block, namespace: shop }
spec:
  podSelector: { matchLabels: { app: web } }
  ingress: [{ from: [{ ipBlock: { cidr: 10.1.0.0/16 } }] }]
`,
    );
    const args = [
      'explain',
      manifests(),
      pods,
      '--namespace',
      'shop',
      '--from',
      'client',
      '--to',
      'web',
      '--port',
      '9090',
    ];
    const matched = await cli(...args);
    expect(matched.code).toBe(0);
    expect(matched.out).toContain(
      'shop/client is admitted through ipBlock 10.1.0.0/16, which holds its address (10.1.2.3)',
    );
    const ignored = await cli(...args, '--ipblock-pods', 'ignore');
    expect(ignored.code).toBe(1);
    expect(ignored.out).toContain('ipBlock 10.1.0.0/16 is not matched against pod addresses');
    expect((await cli(...args, '--ipblock-pods', 'sometimes')).code).toBe(2);
  });

  it('prints usage with exit 2 when the command is missing or unknown', async () => {
    expect((await cli()).code).toBe(2);
    expect((await cli('verify', 'x.yaml')).err).toContain('unknown command verify');
    expect((await cli('--help')).code).toBe(0);
  });
});
