/**
 * The deploy step on a real control plane (kube-apiserver, controller-manager, scheduler, kwok
 * nodes): the first install of every environment into an empty cluster with nothing but this
 * function, upgrades, an upgrade undone by --atomic, the generated secrets kept, and clear refusals.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  installChartCrds,
  repoRoot,
  runCommand,
  simulatedNodes,
  startControlPlane,
  toolPath,
  writeUnreachableKubeconfig,
  type ControlPlane,
} from '@platform/devstack';
import { deploy, DeployInputError, writeStackNetworkModel, type DeployOptions } from '../src';
import { itemsImage as readItemsImage, secretData as readSecretData } from './release-state';

jest.setTimeout(300_000);

const CHART = join(repoRoot, 'deploy', 'helm', 'platform');
const MODEL = join(repoRoot, 'deploy', 'netpol', 'cluster-eks.yaml');
const CONTRACT = join(repoRoot, 'deploy', 'netpol', 'contract.yaml');
const NETPOL = require.resolve('@platform/netpol/dist/cli.js');
let cluster: ControlPlane;
let dir: string;
let base: Pick<DeployOptions, 'chartDir' | 'tools' | 'kubeconfig' | 'timeout'>;
const networkFile = (environment: string) => join(dir, `network-${environment}.json`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deploy-test-'));
  // Pods take addresses where EKS gives them: the private subnets of the stacks (prod has the most).
  for (const environment of ['dev', 'staging', 'prod'])
    writeStackNetworkModel(environment, networkFile(environment));
  const { podCidrs } = writeStackNetworkModel('prod', networkFile('prod'));
  cluster = await startControlPlane({
    startTimeoutMs: 150_000,
    persistentVolumes: 4,
    nodes: simulatedNodes(3, podCidrs),
  });
  await installChartCrds(cluster);
  base = {
    chartDir: CHART,
    kubeconfig: cluster.kubeconfig,
    timeout: '90s',
    tools: { helm: await toolPath('helm'), kubectl: await toolPath('kubectl') },
  };
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** What the pipeline's sources would hold for staging and prod, made up for the test. */
function standIns(environment: string) {
  const signingKey = join(dir, `${environment}-signing-key.pem`);
  writeFileSync(
    signingKey,
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }),
  );
  const database = join(dir, `${environment}-database.env`);
  writeFileSync(
    database,
    ['auth', 'items', 'discounts']
      .map(
        (service) =>
          `${service}-mongo-url=mongodb://${service}:secret@docdb.invalid:27017/${service}?tls=true`,
      )
      .join('\n'),
  );
  const caBundle = join(dir, `${environment}-ca.pem`);
  writeFileSync(caBundle, '-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n');
  return { signingKey: { file: signingKey }, databaseSecretFile: database, caBundleFile: caBundle };
}

async function availability(namespace: string): Promise<Record<string, string>> {
  const list = JSON.parse(
    await cluster.kubectl(['get', 'deployments,statefulsets', '-n', namespace, '-o', 'json']),
  ) as {
    items: {
      kind: string;
      metadata: { name: string };
      spec: { replicas: number };
      status: { readyReplicas?: number };
    }[];
  };
  return Object.fromEntries(
    list.items.map((item) => [
      `${item.kind}/${item.metadata.name}`,
      `${item.status.readyReplicas ?? 0}/${item.spec.replicas}`,
    ]),
  );
}

const itemsImage = () => readItemsImage(cluster, 'platform-dev');
const secretData = (namespace: string, name: string) => readSecretData(cluster, namespace, name);

describe('the first install of each environment', () => {
  it('dev: with nothing prepared, every workload available and helm test passing', async () => {
    await deploy({ ...base, environment: 'dev', imageTag: 'first' });
    const ready = await availability('platform-dev');
    expect(Object.keys(ready).sort()).toEqual([
      'Deployment/platform-auth',
      'Deployment/platform-discounts',
      'Deployment/platform-frontend',
      'Deployment/platform-items',
      'StatefulSet/platform-mongodb',
    ]);
    for (const [workload, state] of Object.entries(ready))
      expect(`${workload} ${state}`).toMatch(/ (\d+)\/\1$/);
    const labels = JSON.parse(
      await cluster.kubectl(['get', 'namespace', 'platform-dev', '-o', 'jsonpath={.metadata.labels}']),
    ) as Record<string, string>;
    expect(labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  it.each(['staging', 'prod'])(
    '%s: the signing key, database Secret and CA bundle from their sources, then the release',
    async (environment) => {
      const namespace = `platform-${environment}`;
      const sources = standIns(environment);
      await deploy({ ...base, environment, imageTag: 'first', ...sources });
      const ready = await availability(namespace);
      expect(Object.keys(ready)).toHaveLength(4);
      for (const [workload, state] of Object.entries(ready))
        expect(`${workload} ${state}`).toMatch(/ (\d+)\/\1$/);
      const jwt = await secretData(namespace, 'platform-jwt');
      expect(Buffer.from(jwt['private-key.pem'] ?? '', 'base64').toString()).toContain('BEGIN PRIVATE KEY');
      expect(Object.keys(await secretData(namespace, 'platform-database')).sort()).toEqual([
        'auth-mongo-url',
        'discounts-mongo-url',
        'items-mongo-url',
      ]);
      // A second deploy finds them and keeps them as they are.
      await deploy({ ...base, environment, imageTag: 'second', test: false });
      expect(await secretData(namespace, 'platform-jwt')).toEqual(jwt);
    },
  );
});

/** The verifier's command line, as users run it (`npm run netpol -- ...`); a failure throws its words. */
const netpol = (args: string[], input?: string) =>
  runCommand(process.execPath, [NETPOL, ...args], {
    label: 'netpol',
    ...(input === undefined ? {} : { input }),
  });

interface Matrix {
  connections: { from: string; to: string; connections: string }[];
}

describe('the verifier on the live cluster', () => {
  it.each(['dev', 'staging', 'prod'])(
    '%s: reads the installed release, finds the same connections as in its render, and the contract holds',
    async (environment) => {
      const namespace = `platform-${environment}`;
      const manifest = await runCommand(base.tools.helm, [
        'get',
        'manifest',
        'platform',
        '-n',
        namespace,
        '--kubeconfig',
        cluster.kubeconfig,
      ]);
      const common = [
        '--model',
        MODEL,
        '--network-model',
        networkFile(environment),
        '--namespace',
        namespace,
      ];
      const rendered = await netpol(['matrix', '-', ...common, '--format', 'json'], manifest.stdout);
      const live = await netpol([
        'matrix',
        '--kubeconfig',
        cluster.kubeconfig,
        ...common,
        '--format',
        'json',
      ]);
      // Every kind a live read lists is one the verifier reads: nothing is ignored.
      expect(live.stderr).toBe('');
      const fromRender = (JSON.parse(rendered.stdout) as Matrix).connections;
      const fromCluster = (JSON.parse(live.stdout) as Matrix).connections;
      expect(fromRender.length).toBeGreaterThan(10);
      expect(fromCluster).toEqual(fromRender);
      const check = await netpol([
        'check',
        '--kubeconfig',
        cluster.kubeconfig,
        ...common,
        '--expect',
        CONTRACT,
      ]);
      // On both layers: the live SecurityGroupPolicies of prod give its pods their groups.
      expect(check.stdout).toMatch(/: the contract holds on both layers /);
      // And nothing the EKS agent would enforce otherwise: the test ran as a Job, and is gone.
      const linted = await netpol([
        'lint',
        '--kubeconfig',
        cluster.kubeconfig,
        ...common,
        '--expect',
        CONTRACT,
      ]);
      expect(linted.stdout).toMatch(/^cluster:\S+: 0 risk\(s\), 0 touching a contract flow/);
    },
  );
});

describe('the API server', () => {
  it.each(['dev', 'staging', 'prod'])(
    'accepts every object the %s chart renders under strict validation, without a warning',
    async (environment) => {
      const namespace = `validate-${environment}`;
      await cluster.kubectl(['create', 'namespace', namespace]);
      // Pod Security restricted, enforced and warned about: a pod template below it is an error.
      await cluster.kubectl([
        'label',
        'namespace',
        namespace,
        'pod-security.kubernetes.io/enforce=restricted',
        'pod-security.kubernetes.io/warn=restricted',
      ]);
      const { stdout } = await runCommand(base.tools.helm, [
        'template',
        'platform',
        CHART,
        '--namespace',
        namespace,
        '-f',
        join(CHART, `values-${environment}.yaml`),
        '--kubeconfig',
        cluster.kubeconfig,
      ]);
      // kubectl prints the API server's warnings (unknown fields among them) on stderr.
      const result = await runCommand(
        await toolPath('kubectl'),
        [
          '--kubeconfig',
          cluster.kubeconfig,
          'apply',
          '--dry-run=server',
          '--validate=strict',
          '-n',
          namespace,
          '-f',
          '-',
        ],
        { input: stdout },
      );
      expect(result.stderr).toBe('');
      expect(
        result.stdout
          .split('\n')
          .filter(Boolean)
          .every((line) => line.endsWith('(server dry run)')),
      ).toBe(true);
      expect(result.stdout.split('\n').filter(Boolean).length).toBeGreaterThan(25);
    },
  );
});

describe('upgrades', () => {
  it('roll out a new image tag, and keep the generated signing key and database passwords', async () => {
    const jwt = await secretData('platform-dev', 'platform-jwt');
    const mongodb = await secretData('platform-dev', 'platform-mongodb');
    await deploy({ ...base, environment: 'dev', imageTag: 'next', test: false });
    const image = await itemsImage();
    expect(image).toMatch(/:next$/);
    expect(await secretData('platform-dev', 'platform-jwt')).toEqual(jwt);
    expect(await secretData('platform-dev', 'platform-mongodb')).toEqual(mongodb);
  });

  it('are undone by --atomic when the new pods never become ready, leaving the previous revision', async () => {
    const before = await itemsImage();
    await expect(
      deploy({
        ...base,
        environment: 'dev',
        imageTag: 'broken',
        timeout: '20s',
        // More CPU than any node has: the new pods stay Pending.
        set: ['services.items.resources.requests.cpu=500'],
      }),
    ).rejects.toThrow(/rolled back|atomic/i);
    const after = await itemsImage();
    expect(after).toBe(before);
    expect((await availability('platform-dev'))['Deployment/platform-items']).toMatch(/^(\d+)\/\1$/);
  });
});

describe('bad input is a clear error', () => {
  it('names the known environments for one that does not exist', async () => {
    await expect(deploy({ ...base, environment: 'qa', imageTag: 'x' })).rejects.toThrow(
      new DeployInputError('unknown environment "qa" (known: dev, staging, prod)'),
    );
  });

  it('says where the signing key comes from when no source is at hand', async () => {
    await cluster.kubectl(['delete', 'namespace', 'platform-prod', '--wait=true']).catch(() => undefined);
    const attempt = deploy({
      ...base,
      environment: 'prod',
      imageTag: 'x',
      databaseSecretFile: standIns('prod2').databaseSecretFile,
    });
    await expect(attempt).rejects.toThrow(DeployInputError);
    await expect(attempt).rejects.toThrow(
      /platform\/prod\/jwt-signing-key.*aws CLI is not available.*--signing-key-file/,
    );
    // Refused before anything changed: not even the namespace was created.
    expect(
      await cluster.kubectl(['get', 'namespace', 'platform-prod', '--ignore-not-found', '-o', 'name']),
    ).toBe('');
  });

  it('says the cluster does not answer', async () => {
    const kubeconfig = writeUnreachableKubeconfig(join(dir, 'nowhere.kubeconfig'));
    await expect(deploy({ ...base, kubeconfig, environment: 'dev', imageTag: 'x' })).rejects.toThrow(
      /the cluster does not answer \(.*nowhere\.kubeconfig\)/,
    );
  });
});
