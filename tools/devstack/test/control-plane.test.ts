/**
 * The control-plane launcher against the real, pinned components: etcd, kube-apiserver,
 * kube-controller-manager, kube-scheduler and kwok. What it starts must behave as a cluster (RBAC,
 * Pod Security admission, scheduling onto zoned nodes, default ServiceAccounts) and leave nothing
 * behind when it stops, also when the process that started it is interrupted or killed.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  eventually,
  installChartCrds,
  portAcceptsConnections,
  repoRoot,
  startControlPlane,
  toolPath,
  ZONES,
  type ControlPlane,
} from '../src';

const run = promisify(execFile);

jest.setTimeout(180_000);

let cluster: ControlPlane;
beforeAll(async () => {
  cluster = await startControlPlane({ startTimeoutMs: 150_000 });
});
afterAll(async () => {
  await cluster?.stop();
});

const apiPort = (server: string) => Number(new URL(server).port);

describe('a control plane started by startControlPlane', () => {
  it('serves the pinned Kubernetes version on 127.0.0.1 with the admin kubeconfig', async () => {
    expect(cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const version = JSON.parse(await cluster.kubectl(['version', '-o', 'json'])) as {
      serverVersion: { gitVersion: string };
    };
    expect(version.serverVersion.gitVersion).toMatch(/^v1\.34\.\d+$/);
    expect((await cluster.kubectl(['get', '--raw', '/readyz'])).trim()).toBe('ok');
  });

  it('has three Ready simulated nodes, one per zone, with room for prod', async () => {
    const nodes = JSON.parse(await cluster.kubectl(['get', 'nodes', '-o', 'json'])) as {
      items: {
        metadata: { labels: Record<string, string> };
        status: { allocatable: Record<string, string>; conditions: { type: string; status: string }[] };
      }[];
    };
    expect(nodes.items).toHaveLength(3);
    expect(nodes.items.map((node) => node.metadata.labels['topology.kubernetes.io/zone']).sort()).toEqual(
      ZONES,
    );
    for (const node of nodes.items) {
      expect(node.status.conditions.find((condition) => condition.type === 'Ready')?.status).toBe('True');
      expect(node.metadata.labels['kubernetes.io/hostname']).toBeDefined();
      expect(Number(node.status.allocatable.cpu)).toBeGreaterThanOrEqual(8);
    }
  });

  it('schedules a Deployment onto the nodes and reports it available', async () => {
    await cluster.kubectl(['create', 'namespace', 'launcher-test']);
    await cluster.kubectl([
      'create',
      'deployment',
      'web',
      '-n',
      'launcher-test',
      '--image=registry.invalid/web:1',
      '--replicas=3',
    ]);
    await eventually(
      async () =>
        (await cluster.kubectl([
          'get',
          'deploy',
          'web',
          '-n',
          'launcher-test',
          '-o',
          'jsonpath={.status.availableReplicas}',
        ])) === '3',
      30_000,
    );
    const nodes = await cluster.kubectl([
      'get',
      'pods',
      '-n',
      'launcher-test',
      '-o',
      'jsonpath={.items[*].spec.nodeName}',
    ]);
    expect(nodes.split(' ').every((node) => /^node-\d$/.test(node))).toBe(true);
    // The controller manager made the namespace's default ServiceAccount the pods run as.
    await cluster.kubectl(['get', 'serviceaccount', 'default', '-n', 'launcher-test']);
  });

  it('enforces Pod Security and RBAC as a real API server does', async () => {
    await cluster.kubectl(['create', 'namespace', 'restricted-test']);
    await cluster.kubectl([
      'label',
      'namespace',
      'restricted-test',
      'pod-security.kubernetes.io/enforce=restricted',
    ]);
    const unconfined = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'root', namespace: 'restricted-test' },
      spec: {
        // No securityContext: it may run as root and escalate, which restricted forbids.
        containers: [{ name: 'c', image: 'registry.invalid/c:1' }],
      },
    });
    await expect(cluster.kubectl(['apply', '-f', '-'], unconfined)).rejects.toThrow(
      /violates PodSecurity "restricted:latest"/,
    );
    expect(
      (
        await cluster
          .kubectl(['auth', 'can-i', 'list', 'secrets', '--as=system:serviceaccount:launcher-test:default'])
          .catch((error: Error) => error.message)
      ).trim(),
    ).toMatch(/no$/);
  });
});

describe('the chart on the control plane', () => {
  it('installs with its CRDs from the pinned modules, and every workload becomes available', async () => {
    await installChartCrds(cluster);
    const chart = join(repoRoot, 'deploy', 'helm', 'platform');
    await run(await toolPath('helm'), [
      'install',
      'platform',
      chart,
      '--namespace',
      'platform-dev',
      '--create-namespace',
      '-f',
      join(chart, 'values-dev.yaml'),
      '--wait',
      '--timeout',
      '2m',
      '--kubeconfig',
      cluster.kubeconfig,
    ]);
    const workloads = JSON.parse(
      await cluster.kubectl(['get', 'deployments,statefulsets', '-n', 'platform-dev', '-o', 'json']),
    ) as {
      items: { metadata: { name: string }; spec: { replicas: number }; status: { readyReplicas?: number } }[];
    };
    expect(workloads.items.length).toBeGreaterThanOrEqual(5);
    for (const workload of workloads.items) {
      expect({ name: workload.metadata.name, ready: workload.status.readyReplicas }).toEqual({
        name: workload.metadata.name,
        ready: workload.spec.replicas,
      });
    }
  });
});

describe('stopping', () => {
  it('leaves nothing listening and no data behind', async () => {
    const own = await startControlPlane({ startTimeoutMs: 150_000 });
    const port = apiPort(own.server);
    expect(await portAcceptsConnections(port)).toBe(true);
    await own.stop();
    expect(await portAcceptsConnections(port)).toBe(false);
    expect(existsSync(own.dataDir)).toBe(false);
  });

  it.each(['SIGINT', 'SIGKILL'] as const)(
    'stops everything when the process that started it gets %s',
    async (signal) => {
      // A child process starts a control plane, prints where it is, and waits to be interrupted.
      const script = `
      const { startControlPlane } = require(${JSON.stringify(join(__dirname, '..', 'dist'))});
      startControlPlane({ startTimeoutMs: 150000 }).then((c) => {
        process.stdout.write(JSON.stringify({ server: c.server, dataDir: c.dataDir }) + '\\n');
        process.on('SIGINT', () => c.stop().then(() => process.exit(0)));
      }, (e) => { console.error(e); process.exit(1); });
      setInterval(() => {}, 1000);
    `;
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      const started = await new Promise<{ server: string; dataDir: string }>((resolve, reject) => {
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('\n'))
            resolve(JSON.parse(text.split('\n')[0] ?? '') as { server: string; dataDir: string });
        });
        child.once('exit', (code) =>
          reject(new Error(`the child exited (${String(code)}) before it started`)),
        );
      });
      const port = apiPort(started.server);
      expect(await portAcceptsConnections(port)).toBe(true);
      child.kill(signal);
      // Killed outright, the supervisors still stop each component and remove the data.
      await eventually(
        async () => !(await portAcceptsConnections(port)) && !existsSync(started.dataDir),
        30_000,
      );
    },
  );
});
