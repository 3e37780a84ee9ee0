import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { policies } from '../src/policy/policies';
import * as rules from '../src/policy/rules';
import { chartValues, parseInfraOutputs } from '../src/scripts/write-values';
import { PROJECT_DIR } from '../src/stackConfig';
import program from '../src/index';
import { isSecret, resolve, runPulumi, type PulumiRun } from './harness';

/**
 * The program as `pulumi up` runs it: the settings of a stack file, the CA bundle read from disk,
 * every resource declared, and the stack outputs it exports.
 */

type Outputs = ReturnType<typeof program>;
const PEM = '-----BEGIN CERTIFICATE-----\nMIIBsample\n-----END CERTIFICATE-----\n';

let certs: string;
const runs: Partial<Record<'dev' | 'prod', PulumiRun<Outputs>>> = {};

async function runStack(stack: 'dev' | 'prod'): Promise<PulumiRun<Outputs>> {
  const { config } = parse(readFileSync(join(PROJECT_DIR, 'stacks', `Pulumi.${stack}.yaml`), 'utf8')) as {
    config: Record<string, unknown>;
  };
  const database = config['platform:database'] as Record<string, unknown> | undefined;
  if (database?.caBundleFile)
    config['platform:database'] = { ...database, caBundleFile: join(certs, 'bundle.pem') };
  pulumi.runtime.setAllConfig(
    Object.fromEntries(
      Object.entries(config).map(([key, value]) => [
        key,
        typeof value === 'string' ? value : JSON.stringify(value),
      ]),
    ),
  );
  return runPulumi(() => program(), { stack });
}

beforeAll(async () => {
  certs = mkdtempSync(join(tmpdir(), 'infra-certs-'));
  writeFileSync(join(certs, 'bundle.pem'), PEM);
  runs.dev = await runStack('dev');
  runs.prod = await runStack('prod');
}, 120_000);
afterAll(() => rmSync(certs, { recursive: true, force: true }));

function run(stack: 'dev' | 'prod'): PulumiRun<Outputs> {
  const found = runs[stack];
  if (!found) throw new Error(`the ${stack} stack did not run`);
  return found;
}

/** The outputs as `pulumi stack output --json` prints them. */
async function plainOutputs(value: unknown): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) return plainOutputs(await resolve(value));
  if (Array.isArray(value)) return Promise.all(value.map(plainOutputs));
  if (value && typeof value === 'object') {
    const entries = await Promise.all(
      Object.entries(value).map(async ([key, item]) => [key, await plainOutputs(item)]),
    );
    return Object.fromEntries(entries);
  }
  return value;
}

async function secretOutputs(value: unknown, path = ''): Promise<string[]> {
  if (pulumi.Output.isInstance(value)) return (await isSecret(value)) ? [path] : [];
  if (value && typeof value === 'object') {
    const nested = await Promise.all(
      Object.entries(value).map(([key, item]) => secretOutputs(item, `${path}.${key}`)),
    );
    return nested.flat();
  }
  return [];
}

const ALWAYS = [
  'clusterName',
  'clusterEndpoint',
  'region',
  'vpcId',
  'vpcCidr',
  'privateSubnetIds',
  'databaseSubnetCidrs',
  'loadBalancerSubnetCidrs',
  'imageRepositories',
  'database',
  'environments',
  'appNamespaces',
  'ingressHost',
  'grafanaUrl',
  'prometheusUrl',
  'grafanaAdminPassword',
  'prometheusPassword',
  'containerLogGroup',
  'clusterIssuer',
  'securityGroupIds',
];

test.each([
  { stack: 'dev' as const, exported: [...ALWAYS, 'ciDeployRoleArn'] },
  { stack: 'prod' as const, exported: [...ALWAYS, 'podSecurityGroupIds', 'ciDeployRoleArn'] },
])(
  '$stack exports every output it has, secret exactly where it holds a password',
  async ({ stack, exported }) => {
    const outputs = run(stack).result;
    expect(Object.keys(outputs).sort()).toEqual([...exported].sort());
    expect(await secretOutputs(outputs)).toEqual(['.grafanaAdminPassword', '.prometheusPassword']);
  },
);

test('prod exports the DocumentDB facts, never a connection string', async () => {
  const outputs = (await plainOutputs(run('prod').result)) as Record<string, unknown>;
  expect(outputs.database).toEqual({
    engine: 'documentdb',
    endpoint: expect.stringContaining('.docdb.amazonaws.com') as unknown,
    port: 27017,
    secretArn: expect.stringMatching(/^arn:aws:secretsmanager:/) as unknown,
    kubernetesSecret: expect.any(String) as unknown,
    caBundleConfigMap: expect.any(String) as unknown,
  });
  const { grafanaAdminPassword: _grafana, prometheusPassword: _prometheus, ...rest } = outputs;
  expect(JSON.stringify(rest)).not.toMatch(/mongodb:\/\/|password/i);
});

test('the program reads the CA bundle the stack file points at', () => {
  const bundles = run('prod')
    .ofType('kubernetes:core/v1:ConfigMap')
    .filter((configMap) => JSON.stringify(configMap.inputs).includes('BEGIN CERTIFICATE'));
  expect(bundles.length).toBeGreaterThan(0);
  for (const bundle of bundles)
    expect(JSON.stringify(bundle.inputs)).toContain(JSON.stringify(PEM).slice(1, -1));
});

describe('the declared resources comply with the policy pack', () => {
  const resourceRules: [string, rules.ResourceRule][] = [
    ['no-internet-ingress', rules.noInternetIngress],
    ['security-group-rule-descriptions', rules.securityGroupRuleDescriptions],
    ['isolated-route-tables', rules.isolatedRouteTables],
    ['eks-control-plane', rules.eksControlPlane],
    ['vpc-cni-network-policy', rules.vpcCniConfiguration],
    ['flow-logs-and-log-retention', rules.flowLogsAndRetention],
    ['documentdb-protection', rules.documentDbProtection],
    ['ecr-repository-hardening', rules.ecrRepositoryHardening],
    ['interface-endpoint-private-dns', rules.interfaceEndpointPrivateDns],
  ];

  it('every resource policy of the pack is checked here', () => {
    const stackPolicies = ['isolated-route-tables-standalone-routes', 'pod-eni-node-instance-types'];
    expect([...resourceRules.map(([name]) => name), ...stackPolicies].sort()).toEqual(
      policies.map((policy) => policy.name).sort(),
    );
  });

  it.each(['dev', 'prod'] as const)('%s', (stack) => {
    const { resources } = run(stack);
    const judged = resources.filter((resource) =>
      Object.values(rules.TYPES).includes(resource.type as (typeof rules.TYPES)[keyof typeof rules.TYPES]),
    );
    expect(judged.length).toBeGreaterThan(20);
    const violations = judged.flatMap((resource) =>
      resourceRules.flatMap(([policy, rule]) =>
        rule(resource.type, resource.inputs, resource.name).map(
          (message) => `${policy} ${resource.name}: ${message}`,
        ),
      ),
    );
    expect(violations).toEqual([]);
    const asStack = resources.map((resource) => ({
      ...resource,
      urn: resource.name,
      props: resource.inputs,
    }));
    expect(rules.podEniInstanceTypes(asStack)).toEqual([]);
    expect(rules.isolatedStandaloneRoutes(asStack)).toEqual([]);
  });
});

test.each([
  { stack: 'dev' as const, mode: 'inCluster', podGroups: false },
  { stack: 'prod' as const, mode: 'external', podGroups: true },
])('$stack outputs make valid chart values', async ({ stack, mode, podGroups }) => {
  const outputs = parseInfraOutputs(JSON.parse(JSON.stringify(await plainOutputs(run(stack).result))));
  const values = chartValues(outputs, { environment: stack });
  expect(values).toMatchObject({
    mongodb: { mode },
    podSecurityGroups: { enabled: podGroups },
    global: { image: { registry: '123456789012.dkr.ecr.eu-west-1.amazonaws.com' } },
  });
});
