/**
 * A release's whole life on a real control plane: `helm test` hooks that leave nothing behind
 * (also when admission refuses the test pod), `helm uninstall` leaving exactly what the chart
 * documents as kept, and the generated signing key and database passwords found again by a
 * reinstall, made anew only when they are gone.
 */
import { join } from 'node:path';
import {
  installChartCrds,
  repoRoot,
  runCommand,
  startControlPlane,
  toolPath,
  type ControlPlane,
} from '@platform/devstack';
import { deploy, type DeployOptions } from '../src';
import { itemsImage as readItemsImage, secretData as readSecretData } from './release-state';

jest.setTimeout(300_000);

const NAMESPACE = 'platform-dev';
const RELEASE = 'platform';
let cluster: ControlPlane;
let base: Pick<DeployOptions, 'chartDir' | 'tools' | 'kubeconfig' | 'timeout' | 'environment'>;

beforeAll(async () => {
  cluster = await startControlPlane({ startTimeoutMs: 150_000, persistentVolumes: 2 });
  await installChartCrds(cluster);
  base = {
    chartDir: join(repoRoot, 'deploy', 'helm', 'platform'),
    kubeconfig: cluster.kubeconfig,
    timeout: '90s',
    environment: 'dev',
    tools: { helm: await toolPath('helm'), kubectl: await toolPath('kubectl') },
  };
  await deploy({ ...base, imageTag: 'one' });
});
afterAll(async () => {
  await cluster?.stop();
});

const helm = (args: string[]) =>
  runCommand(base.tools.helm, [...args, '--namespace', NAMESPACE, '--kubeconfig', cluster.kubeconfig]);

interface Listed {
  items: { kind: string; metadata: { name: string; annotations?: Record<string, string> } }[];
}

/** Every object of the namespace, of every kind the server lists, but the events. */
async function everything(): Promise<string[]> {
  const kinds = (await cluster.kubectl(['api-resources', '--verbs=list', '--namespaced', '-o', 'name']))
    .split('\n')
    .filter((kind) => kind && !kind.startsWith('events'));
  const listed = JSON.parse(
    await cluster.kubectl(['get', kinds.join(','), '-n', NAMESPACE, '-o', 'json']),
  ) as Listed;
  return listed.items.map((item) => `${item.kind}/${item.metadata.name}`).sort();
}

/** What `helm test` left in the namespace: its Job, the Job's pod, its NetworkPolicies. */
async function testHooks(): Promise<string[]> {
  const listed = JSON.parse(
    await cluster.kubectl([
      'get',
      'jobs,pods,networkpolicies',
      '-n',
      NAMESPACE,
      '-l',
      'app.kubernetes.io/component=test',
      '-o',
      'json',
    ]),
  ) as Listed;
  return listed.items.map((item) => `${item.kind}/${item.metadata.name}`);
}

/** Test objects go by garbage collection (the Job's pod after the Job): wait, briefly, for none. */
async function noTestHooksLeft(): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  let left = await testHooks();
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    left = await testHooks();
  }
  return left;
}

const secretData = (name: string) => readSecretData(cluster, NAMESPACE, name);
const itemsImage = () => readItemsImage(cluster, NAMESPACE);

describe('helm test', () => {
  it('leaves no hook behind when it passes, run by the deploy step or by hand', async () => {
    expect(await noTestHooksLeft()).toEqual([]);
    const run = await helm(['test', RELEASE, '--timeout', '60s']);
    expect(run.stdout).toMatch(/TEST SUITE: +platform-test-ready\n[\s\S]*Phase: +Succeeded/);
    expect(await noTestHooksLeft()).toEqual([]);
  });

  it('refused by admission: the deploy step says why, removes what helm left, and rolls back', async () => {
    // A quota of no Jobs: only the test is one, so only it is refused.
    await cluster.kubectl(
      ['apply', '-n', NAMESPACE, '-f', '-'],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'no-jobs' },
        spec: { hard: { 'count/jobs.batch': '0' } },
      }),
    );
    const lines: string[] = [];
    try {
      await expect(deploy({ ...base, imageTag: 'two', log: (line) => lines.push(line) })).rejects.toThrow(
        /exceeded quota: no-jobs[\s\S]*rolled back to revision/,
      );
    } finally {
      await cluster.kubectl(['delete', 'resourcequota', 'no-jobs', '-n', NAMESPACE]);
    }
    // helm had made the NetworkPolicies that open the readiness ports to the test pod.
    expect(lines.join('\n')).toMatch(/removing what the test left: .*networkpolicy\/platform-test-ready\b/);
    expect(await noTestHooksLeft()).toEqual([]);
    expect(await itemsImage()).toMatch(/:one$/);
  });
});

describe('uninstall and reinstall', () => {
  let jwt: Record<string, string>;
  let database: Record<string, string>;

  it('uninstall leaves exactly what the chart keeps: the generated Secrets and the database volume', async () => {
    jwt = await secretData('platform-jwt');
    database = await secretData('platform-mongodb');
    const uninstall = await helm(['uninstall', RELEASE, '--wait', '--timeout', '60s']);
    // helm names what it keeps, as the chart README says it will.
    expect(uninstall.stdout + uninstall.stderr).toMatch(
      /These resources were kept due to the resource policy:/,
    );
    expect(await everything()).toEqual([
      // Kubernetes' own, in every namespace.
      'ConfigMap/kube-root-ca.crt',
      // The StatefulSet's claim: volumes outlive the release (helm never deletes them).
      'PersistentVolumeClaim/data-platform-mongodb-0',
      // helm.sh/resource-policy: keep.
      'Secret/platform-jwt',
      'Secret/platform-mongodb',
      'ServiceAccount/default',
    ]);
  });

  it('a reinstall adopts the kept Secrets: the same signing key and database passwords', async () => {
    await deploy({ ...base, imageTag: 'three' });
    expect(await secretData('platform-jwt')).toEqual(jwt);
    expect(await secretData('platform-mongodb')).toEqual(database);
    expect(await noTestHooksLeft()).toEqual([]);
  });

  it('new ones are generated only when the stored Secrets are gone', async () => {
    await cluster.kubectl(['delete', 'secret', 'platform-jwt', 'platform-mongodb', '-n', NAMESPACE]);
    await deploy({ ...base, imageTag: 'four', test: false });
    const fresh = await secretData('platform-jwt');
    expect(Buffer.from(fresh['private-key.pem'] ?? '', 'base64').toString()).toContain('PRIVATE KEY');
    expect(fresh).not.toEqual(jwt);
    expect((await secretData('platform-mongodb'))['auth-password']).not.toEqual(database['auth-password']);
  });
});
