import { Network } from '../src/components/network';
import type { PlatformConfig } from '../src/config';
import { Naming } from '../src/naming';
import { DEV, PROD, settings } from './settings';
import {
  EXISTING_VPC_CIDR,
  ZONES,
  runPulumi,
  resolve,
  type PulumiRun,
  type RegisteredResource,
} from './harness';

const NETWORK_TYPES = [
  'aws:ec2/vpc:Vpc',
  'aws:ec2/subnet:Subnet',
  'aws:ec2/routeTable:RouteTable',
  'aws:ec2/routeTableAssociation:RouteTableAssociation',
  'aws:ec2/internetGateway:InternetGateway',
  'aws:ec2/natGateway:NatGateway',
  'aws:ec2/eip:Eip',
];

function network(config: PlatformConfig): Promise<PulumiRun<Network>> {
  return runPulumi(() => new Network('network', { config, naming: new Naming(config) }));
}

const tags = (resource: RegisteredResource) => resource.inputs.tags as Record<string, string>;
const tier = (run: PulumiRun<Network>, name: string) =>
  run.ofType('aws:ec2/subnet:Subnet').filter((s) => tags(s)['platform:tier'] === name);
type Route = { cidrBlock?: string; gatewayId?: string; natGatewayId?: string };
const routes = (table: RegisteredResource) => (table.inputs.routes ?? []) as Route[];

describe('a new VPC with the default layout', () => {
  let run: PulumiRun<Network>;
  beforeAll(async () => {
    run = await network(settings(PROD));
  });

  test('is 10.0.0.0/16 with DNS hostnames and support on', () => {
    const [vpc, ...others] = run.ofType('aws:ec2/vpc:Vpc');
    expect(others).toHaveLength(0);
    expect(vpc?.inputs).toMatchObject({
      cidrBlock: '10.0.0.0/16',
      enableDnsHostnames: true,
      enableDnsSupport: true,
    });
  });

  test.each([
    ['private', ['10.0.10.0/24', '10.0.20.0/24', '10.0.30.0/24']],
    ['database', ['10.0.100.0/24', '10.0.200.0/24', '10.0.210.0/24']],
    ['public', ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']],
  ])('%s subnets: one per zone with the default CIDRs, no public addresses', (name, cidrs) => {
    const subnets = tier(run, name);
    expect(subnets.map((s) => s.inputs.cidrBlock)).toEqual(cidrs);
    expect(subnets.map((s) => s.inputs.availabilityZone)).toEqual(ZONES);
    for (const subnet of subnets) expect(subnet.inputs.mapPublicIpOnLaunch).toBe(false);
  });

  test('load balancer tags: internal-elb on private, elb on public, none on database; the cluster tag', () => {
    for (const subnet of tier(run, 'private')) {
      expect(tags(subnet)).toMatchObject({
        'kubernetes.io/role/internal-elb': '1',
        'kubernetes.io/cluster/platform-prod': 'shared',
      });
      expect(tags(subnet)).not.toHaveProperty('kubernetes.io/role/elb');
    }
    for (const subnet of tier(run, 'public')) {
      expect(tags(subnet)).toMatchObject({
        'kubernetes.io/role/elb': '1',
        'kubernetes.io/cluster/platform-prod': 'shared',
      });
    }
    for (const subnet of tier(run, 'database')) {
      expect(Object.keys(tags(subnet)).filter((key) => key.startsWith('kubernetes.io/'))).toEqual([]);
    }
  });

  test('the database route table has no route beyond the VPC and serves exactly the database subnets', () => {
    const table = run.named('aws:ec2/routeTable:RouteTable', 'platform-prod-database-rt');
    expect(routes(table)).toEqual([]);
    const associations = run
      .ofType('aws:ec2/routeTableAssociation:RouteTableAssociation')
      .filter((a) => a.inputs.routeTableId === table.id);
    expect(associations.map((a) => a.inputs.subnetId)).toEqual(tier(run, 'database').map((s) => s.id));
  });

  test('private route tables reach the internet only through their own zone NAT gateway, never an internet gateway', () => {
    const nats = run.ofType('aws:ec2/natGateway:NatGateway');
    expect(nats).toHaveLength(3);
    const tables = run
      .ofType('aws:ec2/routeTable:RouteTable')
      .filter((t) => tags(t)['platform:tier'] === 'private');
    expect(tables).toHaveLength(3);
    tables.forEach((table, index) => {
      expect(routes(table)).toEqual([{ cidrBlock: '0.0.0.0/0', natGatewayId: nats[index]?.id }]);
      expect(routes(table).some((route) => route.gatewayId)).toBe(false);
    });
    // Each NAT gateway sits in the public subnet of its own zone.
    expect(nats.map((n) => n.inputs.subnetId)).toEqual(tier(run, 'public').map((s) => s.id));
  });

  test('only the public route table has the internet gateway', () => {
    const igw = run.ofType('aws:ec2/internetGateway:InternetGateway');
    expect(igw).toHaveLength(1);
    const withIgw = run
      .ofType('aws:ec2/routeTable:RouteTable')
      .filter((t) => routes(t).some((route) => route.gatewayId === igw[0]?.id));
    expect(withIgw.map((t) => t.name)).toEqual(['platform-prod-public-rt']);
  });

  test('the default security group is taken over with no rules', () => {
    const [group] = run.ofType('aws:ec2/defaultSecurityGroup:DefaultSecurityGroup');
    expect(group?.inputs.ingress ?? []).toEqual([]);
    expect(group?.inputs.egress ?? []).toEqual([]);
  });

  test('outputs carry the ids and the CIDRs the chart needs', async () => {
    expect(await resolve(run.result.databaseSubnetCidrs)).toEqual([
      '10.0.100.0/24',
      '10.0.200.0/24',
      '10.0.210.0/24',
    ]);
    expect(await resolve(run.result.loadBalancerSubnetCidrs)).toEqual([
      '10.0.0.0/24',
      '10.0.1.0/24',
      '10.0.2.0/24',
    ]);
    expect(await resolve(run.result.privateSubnetIds)).toEqual(tier(run, 'private').map((s) => s.id));
    expect(await resolve(run.result.privateRouteTableIds)).toHaveLength(3);
  });
});

describe('NAT modes and public subnets', () => {
  test.each([
    ['none', true, 0, 3],
    ['single', true, 1, 3],
    ['perAz', true, 3, 3],
    ['single', false, 1, 3],
    ['none', false, 0, 0],
  ] as const)(
    'natMode %s, public ingress %s: %i NAT gateways, %i public subnets',
    async (natMode, publicIngress, nats, publics) => {
      const config = settings(PROD, {
        network: { natMode },
        ingress: { public: publicIngress },
        tls:
          publicIngress && natMode !== 'none' ? {} : { challenge: 'dns01', route53ZoneId: 'Z0123456789ABC' },
      });
      const run = await network(config);
      expect(run.ofType('aws:ec2/natGateway:NatGateway')).toHaveLength(nats);
      expect(run.ofType('aws:ec2/eip:Eip')).toHaveLength(nats);
      expect(tier(run, 'public')).toHaveLength(publics);
      expect(run.ofType('aws:ec2/internetGateway:InternetGateway')).toHaveLength(publics > 0 ? 1 : 0);
      const elbTagged = tier(run, 'public').filter((s) => tags(s)['kubernetes.io/role/elb'] === '1');
      expect(elbTagged).toHaveLength(publicIngress ? publics : 0);
      const privateTables = run
        .ofType('aws:ec2/routeTable:RouteTable')
        .filter((t) => tags(t)['platform:tier'] === 'private');
      for (const table of privateTables) expect(routes(table)).toHaveLength(nats > 0 ? 1 : 0);
    },
  );

  test('two zones make two subnets of each tier', async () => {
    const run = await network(settings(DEV));
    expect(run.ofType('aws:ec2/subnet:Subnet')).toHaveLength(6);
    expect(tier(run, 'private').map((s) => s.inputs.availabilityZone)).toEqual(ZONES.slice(0, 2));
  });
});

describe('an existing VPC', () => {
  const existing = {
    vpcId: 'vpc-0123456789abcdef0',
    privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
    publicSubnetIds: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'],
    databaseSubnetIds: ['subnet-0ccccccccccccccc1', 'subnet-0ccccccccccccccc2'],
  };

  test('creates no network at all, only the load balancer tags on the given subnets', async () => {
    const run = await network(settings(PROD, { network: { existing } }));
    for (const type of NETWORK_TYPES) expect(run.ofType(type)).toEqual([]);
    const tagged = run
      .ofType('aws:ec2/tag:Tag')
      .map((t) => `${String(t.inputs.resourceId)} ${String(t.inputs.key)}`);
    expect(tagged.sort()).toEqual(
      [
        ...existing.privateSubnetIds.flatMap((id) => [
          `${id} kubernetes.io/role/internal-elb`,
          `${id} kubernetes.io/cluster/platform-prod`,
        ]),
        ...existing.publicSubnetIds.flatMap((id) => [
          `${id} kubernetes.io/role/elb`,
          `${id} kubernetes.io/cluster/platform-prod`,
        ]),
      ].sort(),
    );
    expect(await resolve(run.result.vpcId)).toBe(existing.vpcId);
    expect(await resolve(run.result.vpcCidr)).toBe(EXISTING_VPC_CIDR);
    expect(await resolve(run.result.privateSubnetIds)).toEqual(existing.privateSubnetIds);
    expect(await resolve(run.result.databaseSubnetIds)).toEqual(existing.databaseSubnetIds);
    expect(await resolve(run.result.privateRouteTableIds)).toHaveLength(2);
    expect(run.invokes.map((i) => i.token)).toContain('aws:ec2/getVpc:getVpc');
  });

  test('creates only the missing isolated database subnets, inside the given VPC', async () => {
    const { databaseSubnetIds: _omitted, ...withoutDatabase } = existing;
    const run = await network(
      settings(PROD, {
        network: {
          existing: withoutDatabase,
          vpcCidr: EXISTING_VPC_CIDR,
          databaseSubnetCidrs: ['10.50.100.0/24', '10.50.200.0/24', '10.50.210.0/24'],
        },
      }),
    );
    expect(run.ofType('aws:ec2/vpc:Vpc')).toEqual([]);
    expect(run.ofType('aws:ec2/natGateway:NatGateway')).toEqual([]);
    const subnets = run.ofType('aws:ec2/subnet:Subnet');
    expect(subnets.map((s) => s.inputs.vpcId)).toEqual(Array(3).fill(existing.vpcId));
    expect(subnets.map((s) => tags(s)['platform:tier'])).toEqual(['database', 'database', 'database']);
    const [table, ...more] = run.ofType('aws:ec2/routeTable:RouteTable');
    expect(more).toEqual([]);
    expect(routes(table as RegisteredResource)).toEqual([]);
  });
});
