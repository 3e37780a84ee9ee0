import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCluster, loadClusterModel, loadContract, loadManifests, runCli, type Cluster } from '../src';

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

function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCli(args, { out: (text) => out.push(text), err: (text) => err.push(text) });
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
    [
      'an unknown kind',
      'apiVersion: v1\nkind: Pod\nmetadata: { name: a }\n---\napiVersion: x/v1\nkind: Deploymnet\nmetadata: { name: b }\n',
      'bad.yaml#1: unknown kind Deploymnet',
    ],
    ['a document that is no object', '- just\n- a list\n', 'bad.yaml#0: not a Kubernetes object'],
    [
      'an unknown selector operator',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p }\nspec:\n  podSelector: { matchExpressions: [{ key: a, operator: Equals, values: [b] }] }\n',
      'bad.yaml#0: spec.podSelector.matchExpressions[0]: unknown operator "Equals"',
    ],
    [
      'an invalid CIDR',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p }\nspec:\n  podSelector: {}\n  egress: [{ to: [{ ipBlock: { cidr: 10.0.0.0/33 } }] }]\n',
      'bad.yaml#0: spec.egress[0].to[0].ipBlock',
    ],
    [
      'an unknown protocol',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p }\nspec:\n  podSelector: {}\n  ingress: [{ ports: [{ port: 80, protocol: HTTP }] }]\n',
      'bad.yaml#0: unknown protocol "HTTP"',
    ],
    [
      'an endPort below its port',
      'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: { name: p }\nspec:\n  podSelector: {}\n  ingress: [{ ports: [{ port: 9000, endPort: 8000 }] }]\n',
      'bad.yaml#0: spec.ingress[0].ports[0].endPort 8000 must be from 9000 to 65535',
    ],
  ])('rejects %s naming the file and document index', (_, text, message) => {
    const path = file('bad.yaml', text);
    expect(() => loadManifests([path], { defaultNamespace: 'shop' })).toThrow(message);
    const result = cli('matrix', path);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
  });

  it('accepts a custom resource kind the user declares as carrying no pods', () => {
    const path = file('crd.yaml', 'apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w }\n');
    expect(cli('matrix', path).code).toBe(2);
    expect(cli('matrix', path, '--ignore-kind', 'Widget').code).toBe(0);
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

  it('prints the matrix as text, Markdown, JSON and a Mermaid graph', () => {
    const args = ['matrix', manifests(), '--model', model(), '--namespace', 'shop'];
    const text = cli(...args).out;
    expect(text).toMatch(/^edge\/proxy +shop\/web +8080\/TCP$/m);
    // The first policy's rule has no peers: every source, the internet included, reaches http.
    expect(text).toMatch(/^internet +shop\/web +8080\/TCP$/m);
    expect(cli(...args, '--format', 'markdown').out).toContain('| `edge/proxy` | `shop/web` | `8080/TCP` |');
    expect(JSON.parse(cli(...args, '--format', 'json').out)).toContainEqual({
      from: 'edge/proxy',
      to: 'shop/web',
      port: 8080,
      protocol: 'TCP',
    });
    expect(cli(...args, '--format', 'mermaid').out).toContain('edge_proxy -->|"8080/TCP"| shop_web');
    expect(cli(...args, '--format', 'svg').code).toBe(2);
  });

  it('explains with exit 0 for allowed and 1 for denied, and 2 for unknown endpoints', () => {
    const base = [manifests(), '--model', model(), '--namespace', 'shop'];
    const allowed = cli('explain', ...base, '--from', 'edge/proxy', '--to', 'web', '--port', 'http');
    expect(allowed.code).toBe(0);
    expect(allowed.out).toContain('edge/proxy -> shop/web 8080/TCP: ALLOWED');
    const denied = cli('explain', ...base, '--from', 'edge/proxy', '--to', 'web', '--port', '9090/TCP');
    expect(denied.code).toBe(1);
    expect(denied.out).toContain('port 9090/TCP not in [8080/TCP]');
    const unknown = cli('explain', ...base, '--from', 'edge/nginx', '--to', 'web', '--port', '80');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('--from edge/nginx: no such pod, workload or network');
  });

  it('prints usage with exit 2 when the command is missing or unknown', () => {
    expect(cli().code).toBe(2);
    expect(cli('verify', 'x.yaml').err).toContain('unknown command verify');
    expect(cli('--help').code).toBe(0);
  });
});
