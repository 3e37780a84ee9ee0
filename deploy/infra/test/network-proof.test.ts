/**
 * The proof on both layers: each environment's chart render against the contract, with the
 * NetworkPolicies through the EKS agent and the security groups its stack declares; then models
 * broken on purpose, each failing `check` with the deciding rule named.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '@platform/netpol';
import { networkModel, placeholderGroupId, readStackConfig, type NetworkModel } from '../src/networkModel';
import { NETPOL_DIR, renderChart, type Manifest } from './chartRender';

const CONTRACT = join(NETPOL_DIR, 'contract.yaml');
const CLUSTER_MODEL = join(NETPOL_DIR, 'cluster-eks.yaml');
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
type Environment = (typeof ENVIRONMENTS)[number];

let dir: string;
const renders = new Map<Environment, string>();
const prodPolicies: Manifest[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'network-proof-'));
  for (const environment of ENVIRONMENTS) {
    const { text, manifests } = await renderChart(environment);
    const file = join(dir, `${environment}.yaml`);
    writeFileSync(file, text);
    renders.set(environment, file);
    if (environment === 'prod')
      prodPolicies.push(...manifests.filter((manifest) => manifest.kind === 'SecurityGroupPolicy'));
  }
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const stackModel = (stack: Environment): NetworkModel => networkModel(readStackConfig(stack), stack);

/** Prod as its stack file says, but with the VPC CNI's strict enforcing mode. */
function strictProd(): NetworkModel {
  const config = readStackConfig('prod');
  return networkModel(
    { ...config, podSecurityGroups: { ...config.podSecurityGroups, enforcingMode: 'strict' } },
    'prod',
  );
}

async function netpol(environment: Environment, model: NetworkModel, ...args: string[]) {
  const modelFile = join(dir, `model-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(modelFile, JSON.stringify(model));
  const out: string[] = [];
  const err: string[] = [];
  const [command = 'check', ...rest] = args;
  const code = await runCli(
    [
      command,
      renders.get(environment) ?? '',
      '--model',
      CLUSTER_MODEL,
      '--network-model',
      modelFile,
      '--namespace',
      `platform-${environment}`,
      ...rest,
    ],
    { out: (text) => out.push(text), err: (text) => err.push(text) },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}
const check = (environment: Environment, model: NetworkModel) =>
  netpol(environment, model, 'check', '--expect', CONTRACT);

type Group = NetworkModel['securityGroups'][number];
type Rule = Group['rules'][number];
/** The model with one group's rules changed. */
function edit(model: NetworkModel, name: string, change: (rules: Rule[]) => Rule[]): NetworkModel {
  const copy = structuredClone(model);
  const group = copy.securityGroups.find((candidate) => candidate.name === name);
  if (!group) throw new Error(`no group ${name}`);
  const before = group.rules.length;
  group.rules = change(group.rules);
  if (
    group.rules.length === before &&
    JSON.stringify(group.rules) === JSON.stringify(model.securityGroups.find((g) => g.name === name)?.rules)
  )
    throw new Error(`the change left ${name} as it was`);
  return copy;
}
const without = (predicate: (rule: Rule) => boolean) => (rules: Rule[]) =>
  rules.filter((rule) => !predicate(rule));
const ports = (rule: Rule) => rule.ports?.from;
const peerGroup = (rule: Rule) => ('group' in rule.peer ? rule.peer.group : undefined);

describe('every environment of the stack and chart', () => {
  it.each(ENVIRONMENTS)('%s holds the contract on both layers', async (environment) => {
    const result = await check(environment, stackModel(environment));
    expect(result.out).toMatch(/the contract holds on both layers/);
    expect(result.code).toBe(0);
  });

  it('says which enforcing mode decided', async () => {
    expect((await check('dev', stackModel('dev'))).out).toMatch(
      /security groups of dev with pod security groups off/,
    );
    expect((await check('prod', stackModel('prod'))).out).toMatch(/pod security groups in standard mode/);
  });

  it('prod with the strict enforcing mode holds it too (kubelet probes and pods on one node through the groups)', async () => {
    const result = await check('prod', strictProd());
    expect(result.out).toMatch(/pod security groups in strict mode/);
    expect(result.code).toBe(0);
  });

  it("prod's SecurityGroupPolicies name the groups of the prod model: each service's own and the DNS group", () => {
    const model = stackModel('prod');
    const ids = Object.fromEntries(
      prodPolicies.map((policy) => [
        policy.metadata.name,
        (policy as { spec?: { securityGroups?: { groupIds?: string[] } } }).spec?.securityGroups?.groupIds,
      ]),
    );
    for (const [service, groups] of Object.entries(model.podGroups)) {
      expect(ids[`prod-${service}`]).toEqual(groups.map((name) => placeholderGroupId('prod', name)));
    }
    for (const group of model.securityGroups) expect(group.id).toBe(placeholderGroupId('prod', group.name));
  });

  it('a render whose SecurityGroupPolicies name groups the model lacks fails, naming them', async () => {
    const other = stackModel('prod');
    for (const group of other.securityGroups) group.id = placeholderGroupId('elsewhere', group.name);
    const result = await check('prod', other);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(
      /SecurityGroupPolicy platform-prod\/prod-auth lists sg-[0-9a-f]+, which is no group of the network model/,
    );
    expect(result.err).toMatch(/security group pod-auth \(sg-[0-9a-f]+\) is given to no pod/);
  });
});

describe('models broken on purpose', () => {
  it('the database group admitting the frontend pod group', async () => {
    const broken = edit(stackModel('prod'), 'database', (rules) => [
      ...rules,
      {
        direction: 'ingress',
        protocol: 'tcp',
        ports: { from: 27017, to: 27017 },
        peer: { group: 'pod-frontend' },
        description: 'MongoDB protocol from pod-frontend',
      },
    ]);
    const result = await check('prod', broken);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'database ingress tcp 27017 from pod-frontend ("MongoDB protocol from pod-frontend") admits TCP 27017, which no flow of the contract or the platform needs',
    );
  });

  it('the pod DNS group without UDP 53', async () => {
    const broken = edit(
      stackModel('prod'),
      'podDns',
      without((rule) => rule.protocol === 'udp' && ports(rule) === 53),
    );
    const result = await check('prod', broken);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/- platform-prod\/prod-items -> kube-system\/coredns: UDP 53/);
    expect(result.err).toContain(
      'security groups on pod to pod across nodes: egress: refused, no rule of pod-items, podDns admits UDP 53',
    );
  });

  it("a pod group without the node group's rule on the management port: Prometheus refused, and in strict mode the kubelet's probes", async () => {
    const drop = without(
      (rule) => rule.direction === 'ingress' && ports(rule) === 9090 && peerGroup(rule) === 'nodes',
    );
    const standard = await check('prod', edit(stackModel('prod'), 'pod-auth', drop));
    expect(standard.code).toBe(1);
    expect(standard.err).toMatch(/- monitoring\/prometheus -> platform-prod\/prod-auth: TCP 9090/);
    expect(standard.err).toContain('ingress: refused, no rule of pod-auth, podDns admits TCP 9090');

    const strict = await check('prod', edit(strictProd(), 'pod-auth', drop));
    expect(strict.code).toBe(1);
    expect(strict.err).toMatch(
      /kubelet probes of platform-prod\/prod-auth: TCP 9090 refused; security groups on node to pod \(kubelet probes\): .*ingress: refused, no rule of pod-auth, podDns admits TCP 9090 \(strict mode/,
    );
  });

  it('strict mode without the east-west rule from discounts to items', async () => {
    const drop = without((rule) => peerGroup(rule) === 'pod-discounts' && ports(rule) === 8080);
    const result = await check('prod', edit(strictProd(), 'pod-items', drop));
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/- platform-prod\/prod-discounts -> platform-prod\/prod-items: TCP 8080/);
    expect(result.err).toContain(
      'security groups on pod to pod on one node: egress: admitted by pod-discounts egress tcp 8080 to pod-items ("http of items to pod-items"); ingress: refused, no rule of pod-items, podDns admits TCP 8080 (strict mode',
    );
    // The NetworkPolicies admit it: the flow one layer allows and the other blocks.
    expect(result.err).toContain('NetworkPolicy admits TCP 8080');

    const explained = await netpol(
      'prod',
      edit(strictProd(), 'pod-items', drop),
      'explain',
      '--from',
      'prod-discounts',
      '--to',
      'prod-items',
      '--port',
      'http',
    );
    expect(explained.code).toBe(1);
    expect(explained.out).toMatch(/NetworkPolicy: admits/);
    expect(explained.out).toMatch(
      /^ {2}pod to pod on one node: REFUSED \(egress: admitted by pod-discounts/m,
    );
    // Each rule that decided is stated with its source.
    expect(explained.out).toContain('source: amazon-vpc-cni-k8s README, POD_SECURITY_GROUP_ENFORCING_MODE');
  });

  it('standard mode needs that rule as well, across nodes', async () => {
    const drop = without((rule) => peerGroup(rule) === 'pod-discounts' && ports(rule) === 8080);
    const result = await check('prod', edit(stackModel('prod'), 'pod-items', drop));
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'security groups on pod to pod across nodes: egress: admitted by pod-discounts egress tcp 8080 to pod-items ("http of items to pod-items"); ingress: refused',
    );
    // On one node standard mode enforces no group: that path is not what refuses it.
    expect(result.err).not.toContain('security groups on pod to pod on one node');
  });

  it('a rule opening the http port to 0.0.0.0/0', async () => {
    const broken = edit(stackModel('prod'), 'pod-items', (rules) => [
      ...rules,
      {
        direction: 'ingress',
        protocol: 'tcp',
        ports: { from: 8080, to: 8080 },
        peer: { cidr: '0.0.0.0/0' },
        description: 'http from anywhere',
      },
    ]);
    const result = await check('prod', broken);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'pod-items ingress tcp 8080 from 0.0.0.0/0 ("http from anywhere") admits TCP 8080, which no flow of the contract or the platform needs between pod-items\'s members and every address of 0.0.0.0/0',
    );
  });

  it('a database group admitting the node group while the pods have groups of their own', async () => {
    const broken = edit(stackModel('prod'), 'database', (rules) => [
      ...rules,
      {
        direction: 'ingress',
        protocol: 'tcp',
        ports: { from: 27017, to: 27017 },
        peer: { group: 'nodes' },
        description: 'MongoDB protocol from nodes',
      },
    ]);
    const result = await check('prod', broken);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'database ingress tcp 27017 from nodes ("MongoDB protocol from nodes") admits TCP 27017',
    );
  });
});
