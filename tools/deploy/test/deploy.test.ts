/**
 * The deploy step on a real control plane (kube-apiserver, controller-manager, scheduler, kwok
 * nodes): the first install of every environment into an empty cluster with nothing but this
 * function, upgrades, an upgrade undone by --atomic, the generated secrets kept, and clear refusals.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
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
import { writeInfraValues, type StandInOutputs } from './infra-values';
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
/** Staging's and prod's infrastructure: stand-in stack outputs and the values write-values makes of them. */
const infra: Record<string, { outputs: StandInOutputs; outputsFile: string; valuesFile: string }> = {};
const infraValues = (environment: string) => {
  const written = infra[environment];
  if (!written) throw new Error(`no infrastructure values for ${environment}`);
  return written.valuesFile;
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deploy-test-'));
  // dev needs no infrastructure values; staging and prod are deployed with them, and their models
  // carry the same deployed group ids (network-model --outputs), so the live release joins them.
  writeStackNetworkModel('dev', networkFile('dev'));
  for (const environment of ['staging', 'prod']) {
    infra[environment] = writeInfraValues(dir, environment);
    writeStackNetworkModel(environment, networkFile(environment), infra[environment].outputsFile);
  }
  // Pods take addresses where EKS gives them: the private subnets of the stacks (prod has the most).
  const { podCidrs } = writeStackNetworkModel('prod', networkFile('prod'), infra.prod?.outputsFile);
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
      const values = [infraValues(environment)];
      await deploy({ ...base, environment, imageTag: 'first', values, ...sources });
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
      await deploy({ ...base, environment, imageTag: 'second', values, test: false });
      expect(await secretData(namespace, 'platform-jwt')).toEqual(jwt);
    },
  );

  it('prod: its pods get the deployed security groups of the stack outputs, not the placeholders', async () => {
    const policies = JSON.parse(
      await cluster.kubectl(['get', 'securitygrouppolicies', '-n', 'platform-prod', '-o', 'json']),
    ) as { items: { metadata: { name: string }; spec: { securityGroups: { groupIds: string[] } } }[] };
    const deployed = infra.prod?.outputs.podSecurityGroupIds ?? {};
    expect(Object.keys(deployed).sort()).toEqual(['auth', 'discounts', 'frontend', 'items']);
    expect(
      Object.fromEntries(
        policies.items.map((policy) => [policy.metadata.name, policy.spec.securityGroups.groupIds]),
      ),
    ).toEqual(
      Object.fromEntries(Object.entries(deployed).map(([service, ids]) => [`platform-${service}`, ids])),
    );
    const placeholders = readFileSync(join(CHART, 'values-prod.yaml'), 'utf8');
    for (const id of Object.values(deployed).flat()) expect(placeholders).not.toContain(id);
  });
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
      values: [infraValues('prod')],
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

  describe('prod without the values of its infrastructure, or with wrong ones: refused before anything is created', () => {
    /** Deploys prod as given, expects a DeployInputError matching `message`, and nothing made. */
    async function refused(values: string[], set: string[], message: RegExp): Promise<void> {
      await cluster.kubectl(['delete', 'namespace', 'platform-prod', '--ignore-not-found', '--wait=true']);
      const attempt = deploy({
        ...base,
        environment: 'prod',
        imageTag: 'x',
        values,
        set,
        ...standIns('prod3'),
      });
      await expect(attempt).rejects.toThrow(DeployInputError);
      await expect(attempt).rejects.toThrow(message);
      expect(
        await cluster.kubectl(['get', 'namespace', 'platform-prod', '--ignore-not-found', '-o', 'name']),
      ).toBe('');
      const inProd = await runCommand(base.tools.helm, [
        'list',
        '-n',
        'platform-prod',
        '--all',
        '-q',
        '--kubeconfig',
        cluster.kubeconfig,
      ]);
      expect(inProd.stdout.trim()).toBe('');
    }

    it('prod with no infrastructure values: says what is missing and how to write it', async () => {
      await refused(
        [],
        [],
        new RegExp(
          [
            '^prod deploys only with the values its infrastructure stack produces \\(the image registry, the pod security group ids, ',
            'the database subnet CIDRs and the ingress host\\), and none were given: ',
            'no values file sets infrastructure\\.environment\\. Without them it would be installed with the placeholders of values-prod\\.yaml\\. ',
            '[\\s\\S]*pulumi stack output --json --stack prod \\| npm run -s write-values -w @platform/infra -- --env prod --out /tmp/infra-prod\\.yaml',
            '[\\s\\S]*-f /tmp/infra-prod\\.yaml',
          ].join(''),
        ),
      );
    });

    it('prod with the infrastructure values of staging', async () => {
      await refused(
        [infraValues('staging')],
        [],
        /^the infrastructure values given were written for staging \(infrastructure\.environment: staging\), not for prod/,
      );
    });

    it("prod with its infrastructure values, and then a --set or a file that puts values-prod.yaml's placeholder ids back", async () => {
      const placeholders = (
        parse(readFileSync(join(CHART, 'values-prod.yaml'), 'utf8')) as {
          podSecurityGroups: { groupIds: Record<string, string[]> };
        }
      ).podSecurityGroups.groupIds;
      await refused(
        [infraValues('prod')],
        [`podSecurityGroups.groupIds.auth={${(placeholders.auth ?? []).join(',')}}`],
        /^prod would run with the placeholder pod security group ids of values-prod\.yaml for auth: no deployed group has them/,
      );
      await refused(
        [infraValues('prod'), join(CHART, 'values-prod.yaml')],
        [],
        /^prod would run with the placeholder pod security group ids of values-prod\.yaml for auth, discounts, frontend, items:/,
      );
    });
  });

  it('says the chart does not render with values it does not accept, and leaves the release as it was', async () => {
    const revisions = async () =>
      (
        JSON.parse(
          (
            await runCommand(base.tools.helm, [
              'history',
              'platform',
              '-n',
              'platform-dev',
              '-o',
              'json',
              '--kubeconfig',
              cluster.kubeconfig,
            ])
          ).stdout,
        ) as unknown[]
      ).length;
    const before = await revisions();
    const attempt = deploy({
      ...base,
      environment: 'dev',
      imageTag: 'x',
      set: ['infrastructure.requierd=true'],
    });
    await expect(attempt).rejects.toThrow(DeployInputError);
    await expect(attempt).rejects.toThrow(
      /^the chart does not render with these values: [\s\S]*additional properties 'requierd' not allowed/,
    );
    expect(await revisions()).toBe(before);
  });

  it('says the cluster does not answer', async () => {
    const kubeconfig = writeUnreachableKubeconfig(join(dir, 'nowhere.kubeconfig'));
    await expect(deploy({ ...base, kubeconfig, environment: 'dev', imageTag: 'x' })).rejects.toThrow(
      /the cluster does not answer \(.*nowhere\.kubeconfig\)/,
    );
  });
});
