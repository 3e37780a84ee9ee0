import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { repoRoot, toolPath } from '@platform/devstack';
import { parse, parseAllDocuments } from 'yaml';
import { CA_BUNDLE_KEY, main, type WriteValuesIo } from '../src/scripts/write-values';

const run = promisify(execFile);
const CHART_DIR = join(repoRoot, 'deploy', 'helm', 'platform');
const REGISTRY = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

/** `pulumi stack output --json` of a production stack. */
const PROD_OUTPUTS = {
  clusterName: 'platform-prod',
  clusterEndpoint: 'https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com',
  region: 'eu-west-1',
  vpcId: 'vpc-0123456789abcdef0',
  vpcCidr: '10.0.0.0/16',
  privateSubnetIds: ['subnet-0a', 'subnet-0b', 'subnet-0c'],
  databaseSubnetCidrs: ['10.0.100.0/24', '10.0.200.0/24', '10.0.210.0/24'],
  loadBalancerSubnetCidrs: ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24'],
  imageRepositories: {
    frontend: `${REGISTRY}/platform-prod/frontend`,
    auth: `${REGISTRY}/platform-prod/auth`,
    items: `${REGISTRY}/platform-prod/items`,
    discounts: `${REGISTRY}/platform-prod/discounts`,
  },
  podSecurityGroupIds: {
    frontend: ['sg-0aaaaaaaaaaaaaaa1', 'sg-0dddddddddddddddd'],
    auth: ['sg-0aaaaaaaaaaaaaaa2', 'sg-0dddddddddddddddd'],
    items: ['sg-0aaaaaaaaaaaaaaa3', 'sg-0dddddddddddddddd'],
    discounts: ['sg-0aaaaaaaaaaaaaaa4', 'sg-0dddddddddddddddd'],
  },
  database: {
    engine: 'documentdb',
    endpoint: 'platform-prod.cluster-c0ffee.eu-west-1.docdb.amazonaws.com',
    port: 27017,
    secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform-prod-database',
    kubernetesSecret: 'platform-database',
    caBundleConfigMap: 'rds-ca-bundle',
  },
  ciDeployRoleArn: 'arn:aws:iam::123456789012:role/platform-prod-ci',
  environments: ['prod'],
  appNamespaces: ['platform-prod'],
  ingressHost: 'platform.example.com',
  grafanaUrl: 'https://grafana.example.com',
  prometheusUrl: 'https://prometheus.example.com',
  clusterIssuer: 'letsencrypt',
};

/** A development stack: in-cluster database, no pod security groups, no CI role. */
const DEV_OUTPUTS = {
  ...Object.fromEntries(
    Object.entries(PROD_OUTPUTS).filter(([key]) => !['podSecurityGroupIds', 'ciDeployRoleArn'].includes(key)),
  ),
  clusterName: 'platform-dev',
  database: { engine: 'inCluster' },
  loadBalancerSubnetCidrs: ['10.0.0.0/24', '10.0.1.0/24'],
  environments: ['dev'],
  appNamespaces: ['platform-dev'],
  ingressHost: 'platform.dev.example.com',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'write-values-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function io(stdinText = ''): WriteValuesIo & { errors: () => string } {
  let errors = '';
  return {
    stdin: Readable.from([stdinText]),
    stderr: new Writable({
      write(chunk: Buffer, _encoding, done) {
        errors += chunk.toString();
        done();
      },
    }),
    errors: () => errors,
  };
}

/** Runs the command with the outputs in a file; returns the values it wrote. */
async function writeValues(outputs: unknown, args: string[]): Promise<Record<string, unknown>> {
  const input = join(dir, 'outputs.json');
  writeFileSync(input, JSON.stringify(outputs));
  const out = join(dir, 'values.yaml');
  const streams = io();
  expect(await main([...args, '--out', out, input], streams)).toBe(0);
  expect(streams.errors()).toBe('');
  return parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
}

interface K8sObject {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  // Rendered objects of many kinds; each assertion reads the fields it knows.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
}

/** `helm template` with the environment's file and then the written values, through the pinned helm. */
async function render(environment: string, valuesFile: string): Promise<K8sObject[]> {
  const helm = await toolPath('helm');
  const { stdout } = await run(
    helm,
    [
      'template',
      'platform',
      CHART_DIR,
      '--namespace',
      `platform-${environment}`,
      '-f',
      join(CHART_DIR, `values-${environment}.yaml`),
      '-f',
      valuesFile,
    ],
    { env: { ...process.env, HELM_CACHE_HOME: dir, KUBECONFIG: '/dev/null' }, maxBuffer: 32 * 1024 * 1024 },
  );
  return parseAllDocuments(stdout)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
}

const ofKind = (objects: K8sObject[], kind: string) => objects.filter((object) => object.kind === kind);

describe('the values written for prod', () => {
  it('carry the registry, the pod groups, the external database and the host', async () => {
    const values = await writeValues(PROD_OUTPUTS, ['--env', 'prod']);
    expect(values).toEqual({
      global: { image: { registry: REGISTRY } },
      services: {
        frontend: { image: { repository: 'platform-prod/frontend' } },
        auth: { image: { repository: 'platform-prod/auth' } },
        items: { image: { repository: 'platform-prod/items' } },
        discounts: { image: { repository: 'platform-prod/discounts' } },
      },
      podSecurityGroups: { enabled: true, groupIds: PROD_OUTPUTS.podSecurityGroupIds },
      mongodb: {
        mode: 'external',
        external: {
          existingSecret: 'platform-database',
          cidrs: PROD_OUTPUTS.databaseSubnetCidrs,
          caBundle: { configMap: 'rds-ca-bundle', key: CA_BUNDLE_KEY },
        },
      },
      ingress: { host: 'platform.example.com', tls: { clusterIssuer: 'letsencrypt' } },
      infrastructure: { environment: 'prod' },
    });
  });

  it('pass the chart schema and shape the rendered release', async () => {
    await writeValues(PROD_OUTPUTS, ['--env', 'prod']);
    const objects = await render('prod', join(dir, 'values.yaml'));

    const deployments = ofKind(objects, 'Deployment');
    expect(deployments.map((deployment) => deployment.metadata.name).sort()).toEqual(
      ['platform-auth', 'platform-discounts', 'platform-frontend', 'platform-items'].sort(),
    );
    for (const deployment of deployments) {
      const service = deployment.metadata.name.replace('platform-', '');
      const images = (deployment.spec.template.spec.containers as { image: string }[]).map((c) => c.image);
      expect(images[0]).toMatch(new RegExp(`^${REGISTRY}/platform-prod/${service}:`));
    }

    const groupPolicies = ofKind(objects, 'SecurityGroupPolicy');
    expect(groupPolicies).toHaveLength(4);
    expect(groupPolicies.map((policy) => policy.spec.securityGroups.groupIds as string[])).toEqual(
      expect.arrayContaining(Object.values(PROD_OUTPUTS.podSecurityGroupIds)),
    );

    expect(ofKind(objects, 'StatefulSet')).toEqual([]);
    const policiesText = JSON.stringify(ofKind(objects, 'NetworkPolicy'));
    for (const cidr of PROD_OUTPUTS.databaseSubnetCidrs) expect(policiesText).toContain(`"cidr":"${cidr}"`);
    // The load balancer reaches the ingress controller's pods, not the platform's: no ipBlock for it.
    for (const cidr of PROD_OUTPUTS.loadBalancerSubnetCidrs) expect(policiesText).not.toContain(`"${cidr}"`);

    const [ingress] = ofKind(objects, 'Ingress');
    expect(ingress?.spec.rules[0].host).toBe('platform.example.com');
    expect(ingress?.metadata.annotations?.['cert-manager.io/cluster-issuer']).toBe('letsencrypt');
  });
});

test('the render applies the chart schema, so a key outside it would fail', async () => {
  const bogus = join(dir, 'bogus.yaml');
  writeFileSync(bogus, 'podSecurityGroups:\n  enabled: true\n  groups: [sg-0aaaaaaaaaaaaaaa1]\n');
  await expect(render('prod', bogus)).rejects.toThrow("additional properties 'groups' not allowed");
});

describe('the values written for dev', () => {
  it('keep the in-cluster database and turn pod security groups off', async () => {
    const values = await writeValues(DEV_OUTPUTS, ['--env', 'dev', '--host', 'dev.platform.example.com']);
    expect(values).toMatchObject({
      podSecurityGroups: { enabled: false },
      mongodb: { mode: 'inCluster' },
      ingress: { host: 'dev.platform.example.com', tls: { clusterIssuer: 'letsencrypt' } },
      infrastructure: { environment: 'dev' },
    });

    const objects = await render('dev', join(dir, 'values.yaml'));
    expect(ofKind(objects, 'SecurityGroupPolicy')).toEqual([]);
    expect(ofKind(objects, 'StatefulSet').map((set) => set.metadata.name)).toEqual(['platform-mongodb']);
    expect(JSON.stringify(ofKind(objects, 'NetworkPolicy'))).not.toContain('"10.0.1.0/24"');
  });

  it('read the outputs from stdin when no file is given', async () => {
    const out = join(dir, 'from-stdin.yaml');
    const streams = io(JSON.stringify(DEV_OUTPUTS));
    expect(await main(['--env', 'dev', '--out', out], streams)).toBe(0);
    const written = readFileSync(out, 'utf8');
    expect(written).toMatch(/^# Helm values of environment dev \(namespace platform-dev\)/);
    expect(parse(written)).toMatchObject({ global: { image: { registry: REGISTRY } } });
  });
});

describe('invalid input is refused with a message that names the problem', () => {
  const withoutRepositories = Object.fromEntries(
    Object.entries(PROD_OUTPUTS).filter(([key]) => !['imageRepositories', 'clusterIssuer'].includes(key)),
  );
  it.each([
    {
      title: 'outputs missing',
      stdin: JSON.stringify(withoutRepositories),
      args: ['--env', 'prod'],
      message: 'the stack outputs lack imageRepositories, clusterIssuer',
    },
    {
      title: 'an environment the stack does not host',
      stdin: JSON.stringify(PROD_OUTPUTS),
      args: ['--env', 'staging'],
      message: 'environment staging is not hosted by this stack (its environments: prod)',
    },
    {
      title: 'not JSON',
      stdin: 'Current stack is prod',
      args: ['--env', 'prod'],
      message: 'the stack outputs are not JSON',
    },
    {
      title: 'a malformed output',
      stdin: JSON.stringify({ ...PROD_OUTPUTS, databaseSubnetCidrs: ['10.0.100.0'] }),
      args: ['--env', 'prod'],
      message: 'databaseSubnetCidrs.0: must be a CIDR',
    },
    {
      title: 'images in two registries',
      stdin: JSON.stringify({
        ...PROD_OUTPUTS,
        imageRepositories: { ...PROD_OUTPUTS.imageRepositories, auth: 'ghcr.io/example/auth' },
      }),
      args: ['--env', 'prod'],
      message: 'the image repositories are in several registries',
    },
    {
      title: 'no --env',
      stdin: JSON.stringify(PROD_OUTPUTS),
      args: [],
      message: 'usage: write-values --env <environment> --out <values.yaml>',
    },
  ])('$title', async ({ stdin, args, message }) => {
    const streams = io(stdin);
    const out = join(dir, 'values.yaml');
    expect(await main([...args, '--out', out], streams)).toBe(1);
    expect(streams.errors()).toContain(message);
  });
});
