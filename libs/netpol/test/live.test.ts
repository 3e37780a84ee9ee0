/**
 * The verifier reading a live cluster: a real kube-apiserver with kwok nodes, objects applied with
 * kubectl, read back through the command line as users run it. What the cluster holds must give
 * the connections its manifests give; a cluster that does not answer, a context that does not
 * exist and a list RBAC refuses are each a clear error, exit 2.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  runCommand,
  startControlPlane,
  toolPath,
  writeUnreachableKubeconfig,
  type ControlPlane,
} from '@platform/devstack';

const run = promisify(execFile);

jest.setTimeout(180_000);

// The built command line: the client library is an ES module, which only Node itself loads.
const CLI = join(__dirname, '..', 'dist', 'cli.js');

const MANIFESTS = `
apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { tier: shop } }
---
apiVersion: v1
kind: Namespace
metadata: { name: edge, labels: { tier: edge } }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: web:1
          ports: [{ name: http, containerPort: 8080 }, { name: metrics, containerPort: 9090 }]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: shop }
spec:
  serviceName: db
  replicas: 1
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec:
      containers:
        - name: db
          image: db:1
          ports: [{ name: mongo, containerPort: 27017 }]
---
apiVersion: v1
kind: Pod
metadata: { name: proxy, namespace: edge, labels: { app: proxy } }
spec:
  containers:
    - name: proxy
      image: proxy:1
      ports: [{ containerPort: 80 }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny, namespace: shop }
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: web, namespace: shop }
spec:
  podSelector: { matchLabels: { app: web } }
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - namespaceSelector: { matchLabels: { tier: edge } }
          podSelector: { matchLabels: { app: proxy } }
      ports: [{ port: http }]
    - from: [{ ipBlock: { cidr: 192.168.0.0/16, except: [192.168.1.0/24] } }]
      ports: [{ port: 9090 }]
  egress:
    - to: [{ podSelector: { matchLabels: { app: db } } }]
      ports: [{ port: mongo }]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: db, namespace: shop }
spec:
  podSelector: { matchLabels: { app: db } }
  ingress:
    - from: [{ podSelector: { matchLabels: { app: web } } }]
      ports: [{ port: 27017 }]
`;

let cluster: ControlPlane;
let dir: string;
let manifests: string;

/** Runs the command line; resolves with its exit code and output whatever the code. */
async function netpol(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return run(process.execPath, [CLI, ...args], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => ({ code: 0, out: stdout, err: stderr }),
    (error: { code?: unknown; stdout?: string; stderr?: string }) => ({
      code: typeof error.code === 'number' ? error.code : -1,
      out: error.stdout ?? '',
      err: error.stderr ?? '',
    }),
  );
}

const connections = (json: string) =>
  (JSON.parse(json) as { connections: { from: string; to: string; connections: string }[] }).connections;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'netpol-live-'));
  manifests = join(dir, 'manifests.yaml');
  writeFileSync(manifests, MANIFESTS);
  cluster = await startControlPlane({ startTimeoutMs: 120_000 });
  await cluster.kubectl(['apply', '-f', '-'], MANIFESTS);
  await cluster.kubectl(['rollout', 'status', '-n', 'shop', 'deployment/web', '--timeout=60s']);
  await cluster.kubectl(['rollout', 'status', '-n', 'shop', 'statefulset/db', '--timeout=60s']);
  await cluster.kubectl(['wait', '-n', 'edge', '--for=condition=Ready', 'pod/proxy', '--timeout=60s']);
});

afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a live cluster', () => {
  it('gives exactly the connections of the manifests it was made from, every pod under its workload', async () => {
    const fromFiles = await netpol('matrix', manifests, '--all-namespaces', '--format', 'json');
    const live = await netpol(
      'matrix',
      '--kubeconfig',
      cluster.kubeconfig,
      '--all-namespaces',
      '--format',
      'json',
    );
    expect(live.code).toBe(0);
    const allowed = connections(live.out);
    expect(allowed).toEqual(connections(fromFiles.out));
    // The Deployment's two pods (through their ReplicaSet) are one endpoint, as in the manifests.
    expect(allowed).toContainEqual(
      expect.objectContaining({ from: 'edge/proxy', to: 'shop/web', connections: 'TCP 8080' }),
    );
    expect(allowed).toContainEqual(
      expect.objectContaining({ from: 'shop/web', to: 'shop/db', connections: 'TCP 27017' }),
    );
    // The ingress rule's peers and the ipBlock's except arrive as the API serves them.
    expect(allowed).toContainEqual(
      expect.objectContaining({
        from: '192.168.2.0-192.168.255.255',
        to: 'shop/web',
        connections: 'TCP 9090',
      }),
    );
    expect(allowed.some((pair) => pair.to === 'shop/web' && pair.from === '192.168.1.0-192.168.1.255')).toBe(
      false,
    );
    expect(allowed.some((pair) => pair.to === 'shop/web' && pair.from.startsWith('default/'))).toBe(false);
  });

  it('reads the cluster named by kube:CONTEXT, and explains a connection on it', async () => {
    const context = JSON.parse(readFileSync(cluster.kubeconfig, 'utf8'))['current-context'] as string;
    const explained = await netpol(
      'explain',
      `kube:${context}`,
      '--kubeconfig',
      cluster.kubeconfig,
      '--from',
      'edge/proxy',
      '--to',
      'shop/web',
      '--port',
      'http',
    );
    expect(explained.code).toBe(0);
    expect(explained.out).toContain('shop/web');
  });
});

describe('diff against the live cluster', () => {
  it('finds no change from the manifests it was made from, then exactly what a deleted policy took away', async () => {
    const live = ['--kubeconfig', cluster.kubeconfig, '--all-namespaces'];
    const same = await netpol('diff', manifests, ...live, '--fail-on-change');
    expect(same.code).toBe(0);
    expect(same.out).toMatch(/^no change in connections \(.*manifests\.yaml -> cluster:platform-test\)/);
    await cluster.kubectl(['delete', 'networkpolicy', 'db', '-n', 'shop']);
    try {
      const changed = await netpol('diff', manifests, ...live, '--fail-on-change', '--format', 'json');
      expect(changed.code).toBe(1);
      const { entries } = JSON.parse(changed.out) as {
        entries: { from: string; to: string; change: string; removed: string }[];
      };
      // Only the deny-all selects db now: web, whose egress still allows it, can no longer reach it.
      expect(entries.map(({ from, to, change, removed }) => ({ from, to, change, removed }))).toEqual([
        { from: 'shop/web', to: 'shop/db', change: 'removed', removed: 'TCP 27017' },
      ]);
    } finally {
      await cluster.kubectl(['apply', '-f', '-'], MANIFESTS);
    }
  });
});

describe('a cluster that cannot be read is a clear error', () => {
  it('names the server that does not answer', async () => {
    const kubeconfig = writeUnreachableKubeconfig(join(dir, 'nowhere.kubeconfig'));
    const result = await netpol('matrix', '--kubeconfig', kubeconfig);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(
      /^netpol: the cluster https:\/\/127\.0\.0\.1:1 \(context nowhere\) does not answer \(ECONNREFUSED\)/,
    );
  });

  it('lists the contexts when the one asked for does not exist, and says when the file is missing', async () => {
    const unknown = await netpol('matrix', '--kubeconfig', cluster.kubeconfig, '--context', 'prod');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^netpol: no context "prod" in the kubeconfig \(it has: platform-test\)/);
    const missing = await netpol('matrix', '--kubeconfig', join(dir, 'absent.kubeconfig'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^netpol: cannot read the kubeconfig .*absent\.kubeconfig: .*ENOENT/);
  });

  it('says which list RBAC refuses, and what the verifier needs', async () => {
    // A service account that may read pods in one namespace only, with a token of its own.
    await cluster.kubectl(['create', 'serviceaccount', 'reader', '-n', 'shop']);
    await cluster.kubectl(['create', 'role', 'pods', '-n', 'shop', '--verb=get,list', '--resource=pods']);
    await cluster.kubectl([
      'create',
      'rolebinding',
      'reader',
      '-n',
      'shop',
      '--role=pods',
      '--serviceaccount=shop:reader',
    ]);
    const token = (await cluster.kubectl(['create', 'token', 'reader', '-n', 'shop'])).trim();
    const kubeconfig = join(dir, 'reader.kubeconfig');
    writeFileSync(kubeconfig, readFileSync(cluster.kubeconfig));
    const kubectl = await toolPath('kubectl');
    const config = (args: string[]) => runCommand(kubectl, ['config', '--kubeconfig', kubeconfig, ...args]);
    await config(['set-credentials', 'reader', `--token=${token}`]);
    await config(['set-context', 'reader', '--cluster=platform-test', '--user=reader']);
    const result = await netpol('matrix', '--kubeconfig', kubeconfig, '--context', 'reader');
    expect(result.code).toBe(2);
    expect(result.err).toMatch(
      /context reader\): RBAC refuses to list [a-z0-9.]+ in all namespaces \(403 Forbidden\): .*system:serviceaccount:shop:reader.*cannot list/,
    );
    expect(result.err).toContain('the built-in "view" ClusterRole');
  });
});
