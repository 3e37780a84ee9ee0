/**
 * The network model each stack writes for the flow verifier: from the stack file alone, the same
 * rule table the program builds its security groups from, and CIDRs that the EKS cluster model
 * of the verifier must agree with.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { networkExternals, parseNetworkModel } from '@platform/netpol';
import { securityGroupRules } from '../src/components/securityGroupRules';
import { networkModel, readStackConfig, withDeployedIds, type NetworkModel } from '../src/networkModel';
import { PROJECT_DIR } from '../src/stackConfig';

const run = promisify(execFile);
const SCRIPT = join(PROJECT_DIR, 'dist', 'scripts', 'network-model.js');
const CLUSTER_MODEL = join(PROJECT_DIR, '..', 'netpol', 'cluster-eks.yaml');
const STACKS = ['dev', 'staging', 'prod'] as const;

const model = (stack: string): NetworkModel => networkModel(readStackConfig(stack), stack);
const group = (network: NetworkModel, name: string) => {
  const found = network.securityGroups.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no group ${name} in ${network.stack}`);
  return found;
};

describe.each(STACKS)('the %s network model', (stack) => {
  const network = model(stack);
  const config = readStackConfig(stack);

  it('states the VPC, its subnets and where pods and the database take addresses', () => {
    expect(network.vpc.cidr).toBe(config.network.vpcCidr);
    expect(network.podCidrs).toEqual(
      config.network.privateSubnetCidrs.slice(0, config.network.availabilityZoneCount),
    );
    expect(network.databaseCidrs).toEqual(
      config.database.engine === 'documentdb' ? network.subnets.database : [],
    );
    expect(network.coreDns).toEqual({
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns' },
      securityGroups: ['nodes'],
      port: 53,
    });
    expect(network.vpcCni.networkPolicy).toBe(true);
  });

  it('carries every security group rule the program creates, each on its group, the VPC CIDR resolved', () => {
    const declared = securityGroupRules(config);
    const written = network.securityGroups.flatMap((candidate) => candidate.rules);
    expect(written).toHaveLength(declared.length);
    expect(JSON.stringify(written)).not.toContain('vpcCidr');
    const dnsOut = group(network, 'nodes').rules.find(
      (rule) => rule.direction === 'egress' && rule.protocol === 'udp' && rule.ports?.from === 53,
    );
    expect(dnsOut?.peer).toEqual({ cidr: config.network.vpcCidr });
  });

  // The verifier takes the networks from the model under the contract's names; none are typed again.
  it('names its networks as the contract does, and the cluster model types none of them', () => {
    const names = networkExternals(parseNetworkModel(network, stack)).map((external) => external.id);
    const contract = parse(readFileSync(join(PROJECT_DIR, '..', 'netpol', 'contract.yaml'), 'utf8')) as {
      groups: { database: { externals: string[] } };
    };
    const databaseNames = contract.groups.database.externals.slice(0, network.subnets.database.length);
    expect(names).toEqual(expect.arrayContaining(databaseNames));
    const clusterModel = parse(readFileSync(CLUSTER_MODEL, 'utf8')) as Record<string, unknown>;
    expect(clusterModel.podAddressRanges).toBeUndefined();
    expect(clusterModel.externals).toBeUndefined();
  });
});

describe('pod security groups', () => {
  it('prod gives each service its own group and the DNS group, in standard mode', () => {
    const prod = model('prod');
    expect(prod.podGroups).toEqual({
      frontend: ['pod-frontend', 'podDns'],
      auth: ['pod-auth', 'podDns'],
      items: ['pod-items', 'podDns'],
      discounts: ['pod-discounts', 'podDns'],
    });
    expect(prod.vpcCni).toMatchObject({ podSecurityGroups: true, podSecurityGroupEnforcingMode: 'standard' });
    expect(group(prod, 'pod-items').rules).toContainEqual({
      direction: 'ingress',
      protocol: 'tcp',
      ports: { from: 8080, to: 8080 },
      peer: { group: 'pod-discounts' },
      description: 'http of items from pod-discounts',
    });
    expect(
      group(prod, 'database')
        .rules.filter((rule) => rule.direction === 'ingress')
        .map((rule) => rule.peer),
    ).toEqual([
      // Only the API pods' own groups: the node group is shared by CoreDNS, the ingress controller and more.
      { group: 'pod-auth' },
      { group: 'pod-items' },
      { group: 'pod-discounts' },
    ]);
  });

  it('dev has none: every pod has the node group', () => {
    const dev = model('dev');
    expect(dev.podGroups).toEqual({});
    expect(dev.securityGroups.map((candidate) => candidate.role)).not.toContain('pod');
    expect(dev.vpcCni.podSecurityGroups).toBe(false);
  });
});

describe('npm run network-model', () => {
  it('prints the model of the stack as JSON', async () => {
    const { stdout } = await run(process.execPath, [SCRIPT, '--stack', 'staging']);
    expect((JSON.parse(stdout) as NetworkModel).stack).toBe('staging');
  });

  it('names a stack that does not exist, and a missing --stack, with exit 2', async () => {
    await expect(run(process.execPath, [SCRIPT, '--stack', 'qa'])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^network-model: no stack "qa": .*Pulumi\.qa\.yaml does not exist/),
    });
    await expect(run(process.execPath, [SCRIPT])).rejects.toMatchObject({
      code: 2,
      stderr:
        'network-model: usage: npm run network-model -- --stack <dev|staging|prod> [--outputs <stack outputs.json> | -]\n',
    });
  });

  it("puts the deployed stack's group ids in place of the placeholders with --outputs", async () => {
    const names = model('prod').securityGroups.map((group) => group.name);
    const ids = Object.fromEntries(
      names.map((name, index) => [name, `sg-0a${String(index).padStart(15, '0')}`]),
    );
    const file = join(mkdtempSync(join(tmpdir(), 'network-model-')), 'outputs.json');
    writeFileSync(file, JSON.stringify({ securityGroupIds: ids, clusterName: 'platform-prod' }));
    const { stdout } = await run(process.execPath, [SCRIPT, '--stack', 'prod', '--outputs', file]);
    const deployed = JSON.parse(stdout) as NetworkModel;
    expect(Object.fromEntries(deployed.securityGroups.map((group) => [group.name, group.id]))).toEqual(ids);
    expect(withDeployedIds(model('prod'), { securityGroupIds: ids })).toEqual(deployed);
  });

  it('names the group the outputs lack, and outputs that are not a deployed stack', () => {
    const ids = Object.fromEntries(
      model('prod').securityGroups.map((group) => [group.name, 'sg-0123456789abcdef0']),
    );
    delete ids.podDns;
    expect(() => withDeployedIds(model('prod'), { securityGroupIds: ids })).toThrow(
      'the stack outputs give no security group id for podDns (securityGroupIds.podDns: missing)',
    );
    expect(() => withDeployedIds(model('prod'), { securityGroupIds: { ...ids, podDns: 'sg-1' } })).toThrow(
      'securityGroupIds.podDns: "sg-1"',
    );
    expect(() => withDeployedIds(model('prod'), { clusterName: 'x' })).toThrow(
      'the stack outputs have no securityGroupIds',
    );
  });
});

describe('one declaration of the flows', () => {
  // deploy/netpol/contract.yaml is written from docs/contract.md §7 independently of the chart:
  // the security groups derived from the chart's networkPolicy.flows must give exactly its
  // service flows.
  const contract = parse(readFileSync(join(PROJECT_DIR, '..', 'netpol', 'contract.yaml'), 'utf8')) as {
    allow: { from: string | string[]; to: string | string[]; ports: string[] }[];
  };
  const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);
  const services = ['frontend', 'auth', 'items', 'discounts'];
  const contractPairs = (to: (name: string) => boolean, port: string) =>
    contract.allow
      .filter((row) => row.ports.includes(port))
      .flatMap((row) =>
        list(row.from)
          .filter((from) => services.includes(from))
          .flatMap((from) =>
            list(row.to)
              .filter(to)
              .map((callee) => `${from} -> ${callee}`),
          ),
      )
      .sort();

  it('pod groups call each other on http exactly where the contract allows it', () => {
    const prod = model('prod');
    const egress = prod.securityGroups.flatMap((candidate) =>
      candidate.rules
        .filter(
          (rule) =>
            candidate.role === 'pod' &&
            rule.direction === 'egress' &&
            rule.ports?.from === 8080 &&
            'group' in rule.peer &&
            rule.peer.group.startsWith('pod-'),
        )
        .map((rule) => `${candidate.service} -> ${'group' in rule.peer ? rule.peer.group.slice(4) : ''}`),
    );
    expect(egress.sort()).toEqual(contractPairs((name) => services.includes(name), 'http'));
  });

  it('pod groups reach the database exactly where the contract allows it', () => {
    const prod = model('prod');
    const clients = prod.securityGroups
      .filter(
        (candidate) =>
          candidate.role === 'pod' &&
          candidate.rules.some(
            (rule) =>
              rule.direction === 'egress' &&
              rule.ports?.from === 27017 &&
              'group' in rule.peer &&
              rule.peer.group === 'database',
          ),
      )
      .map((candidate) => `${candidate.service} -> mongodb`);
    expect(clients.sort()).toEqual(contractPairs((name) => name === 'mongodb', '27017/TCP'));
  });
});
