import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { hasPublicSubnets, type PlatformConfig } from '../config';
import type { Naming } from '../naming';

export interface NetworkArgs {
  config: PlatformConfig;
  naming: Naming;
}

/**
 * The VPC: private subnets for nodes and pods, isolated database subnets with no route beyond the
 * VPC, and public subnets (load balancer and NAT gateways only) when something needs them. Given an
 * existing VPC, it creates nothing of the network except what is missing: the load balancer tags on
 * the given subnets and, for DocumentDB, isolated database subnets.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly vpcCidr: pulumi.Output<string>;
  readonly availabilityZones: pulumi.Output<string[]>;
  readonly privateSubnetIds: pulumi.Output<string[]>;
  /** Route tables of the private subnets, for the S3 gateway endpoint. */
  readonly privateRouteTableIds: pulumi.Output<string[]>;
  readonly databaseSubnetIds: pulumi.Output<string[]>;
  /** CIDRs of the database subnets: the chart's external-database egress rule. */
  readonly databaseSubnetCidrs: pulumi.Output<string[]>;
  readonly publicSubnetIds: pulumi.Output<string[]>;
  /** CIDRs the load balancer's nodes live in: its health checks and proxied traffic come from there. */
  readonly loadBalancerSubnetCidrs: pulumi.Output<string[]>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('platform:infra:Network', name, {}, opts);
    const { config, naming } = args;
    const net = config.network;
    const zoneCount = net.availabilityZoneCount;
    const parent = { parent: this };

    const zones = aws
      .getAvailabilityZonesOutput(
        { state: 'available', filters: [{ name: 'opt-in-status', values: ['opt-in-not-required'] }] },
        parent,
      )
      .names.apply((names) => {
        if (names.length < zoneCount) {
          throw new Error(
            `network.availabilityZoneCount is ${zoneCount} but the region offers ${names.length} zones`,
          );
        }
        return names.slice(0, zoneCount);
      });
    this.availabilityZones = zones;
    const zoneAt = (index: number) => zones.apply((names) => names[index] as string);
    // Nothing in any tier gets a public address by default; public subnets hold only load balancers and NAT.
    const subnet = (
      tier: 'public' | 'private' | 'database',
      index: number,
      vpcId: pulumi.Input<string>,
      cidrBlock: string,
      extraTags: Record<string, string> = {},
    ) =>
      new aws.ec2.Subnet(
        naming.name(tier, index),
        {
          vpcId,
          cidrBlock,
          availabilityZone: zoneAt(index),
          mapPublicIpOnLaunch: false,
          tags: naming.tags(`${tier}-${index}`, { 'platform:tier': tier, ...extraTags }),
        },
        parent,
      );

    const loadBalancerTags = (role: 'elb' | 'internal-elb') => ({
      [`kubernetes.io/role/${role}`]: '1',
      [naming.clusterTagKey]: 'shared',
    });

    const existing = net.existing;
    let vpcId: pulumi.Output<string>;
    let vpcCidr: pulumi.Output<string>;

    if (existing) {
      const vpc = aws.ec2.getVpcOutput({ id: existing.vpcId }, parent);
      vpcId = pulumi.output(existing.vpcId);
      vpcCidr = vpc.cidrBlock;
      this.privateSubnetIds = pulumi.output(existing.privateSubnetIds);
      this.privateRouteTableIds = pulumi.all(
        existing.privateSubnetIds.map(
          (subnetId) => aws.ec2.getRouteTableOutput({ subnetId }, parent).routeTableId,
        ),
      );
      existing.privateSubnetIds.forEach((subnetId, index) =>
        tagExisting(naming.name('private', index), subnetId, loadBalancerTags('internal-elb'), this),
      );
      this.publicSubnetIds = pulumi.output(existing.publicSubnetIds ?? []);
      if (config.ingress.public) {
        (existing.publicSubnetIds ?? []).forEach((subnetId, index) =>
          tagExisting(naming.name('public', index), subnetId, loadBalancerTags('elb'), this),
        );
      }
      this.loadBalancerSubnetCidrs = pulumi.all(
        (config.ingress.public ? (existing.publicSubnetIds ?? []) : existing.privateSubnetIds).map(
          (id) => aws.ec2.getSubnetOutput({ id }, parent).cidrBlock,
        ),
      );
    } else {
      const vpc = new aws.ec2.Vpc(
        naming.name('vpc'),
        {
          cidrBlock: net.vpcCidr,
          enableDnsHostnames: true,
          enableDnsSupport: true,
          tags: naming.tags('vpc'),
        },
        parent,
      );
      vpcId = vpc.id;
      vpcCidr = vpc.cidrBlock;
      // The default security group admits all traffic among its members; nothing may use it.
      new aws.ec2.DefaultSecurityGroup(
        naming.name('default-sg'),
        { vpcId: vpc.id, tags: naming.tags('default-do-not-use') },
        parent,
      );

      const publicCidrs = hasPublicSubnets(config) ? net.publicSubnetCidrs.slice(0, zoneCount) : [];
      const publicSubnets = publicCidrs.map((cidrBlock, index) =>
        subnet('public', index, vpc.id, cidrBlock, config.ingress.public ? loadBalancerTags('elb') : {}),
      );
      this.publicSubnetIds = pulumi.all(publicSubnets.map((s) => s.id));

      const natGateways: aws.ec2.NatGateway[] = [];
      if (publicSubnets.length > 0) {
        const internetGateway = new aws.ec2.InternetGateway(
          naming.name('igw'),
          { vpcId: vpc.id, tags: naming.tags('igw') },
          parent,
        );
        const publicRoutes = new aws.ec2.RouteTable(
          naming.name('public-rt'),
          {
            vpcId: vpc.id,
            routes: [{ cidrBlock: '0.0.0.0/0', gatewayId: internetGateway.id }],
            tags: naming.tags('public-rt', { 'platform:tier': 'public' }),
          },
          parent,
        );
        publicSubnets.forEach(
          (subnet, index) =>
            new aws.ec2.RouteTableAssociation(
              naming.name('public-rta', index),
              { subnetId: subnet.id, routeTableId: publicRoutes.id },
              parent,
            ),
        );
        const natCount = net.natMode === 'perAz' ? zoneCount : net.natMode === 'single' ? 1 : 0;
        for (let index = 0; index < natCount; index++) {
          const address = new aws.ec2.Eip(
            naming.name('nat-eip', index),
            { domain: 'vpc', tags: naming.tags(`nat-eip-${index}`) },
            parent,
          );
          natGateways.push(
            new aws.ec2.NatGateway(
              naming.name('nat', index),
              {
                allocationId: address.id,
                subnetId: (publicSubnets[index] as aws.ec2.Subnet).id,
                connectivityType: 'public',
                tags: naming.tags(`nat-${index}`),
              },
              { parent: this, dependsOn: [internetGateway] },
            ),
          );
        }
      }

      const privateSubnets = net.privateSubnetCidrs
        .slice(0, zoneCount)
        .map((cidrBlock, index) =>
          subnet('private', index, vpc.id, cidrBlock, loadBalancerTags('internal-elb')),
        );
      // One route table per zone, so a zone's egress goes through its own NAT gateway in perAz mode.
      const privateRouteTables = privateSubnets.map((subnet, index) => {
        const nat = natGateways[natGateways.length > 1 ? index : 0];
        const table = new aws.ec2.RouteTable(
          naming.name('private-rt', index),
          {
            vpcId: vpc.id,
            routes: nat ? [{ cidrBlock: '0.0.0.0/0', natGatewayId: nat.id }] : [],
            tags: naming.tags(`private-rt-${index}`, { 'platform:tier': 'private' }),
          },
          parent,
        );
        new aws.ec2.RouteTableAssociation(
          naming.name('private-rta', index),
          { subnetId: subnet.id, routeTableId: table.id },
          parent,
        );
        return table;
      });
      this.privateSubnetIds = pulumi.all(privateSubnets.map((s) => s.id));
      this.privateRouteTableIds = pulumi.all(privateRouteTables.map((t) => t.id));
      this.loadBalancerSubnetCidrs = pulumi.output(
        config.ingress.public ? publicCidrs : net.privateSubnetCidrs.slice(0, zoneCount),
      );
    }

    if (existing?.databaseSubnetIds) {
      this.databaseSubnetIds = pulumi.output(existing.databaseSubnetIds);
      this.databaseSubnetCidrs = pulumi.all(
        existing.databaseSubnetIds.map((id) => aws.ec2.getSubnetOutput({ id }, parent).cidrBlock),
      );
    } else if (!existing || config.database.engine === 'documentdb') {
      const cidrs = net.databaseSubnetCidrs.slice(0, zoneCount);
      const databaseSubnets = cidrs.map((cidrBlock, index) => subnet('database', index, vpcId, cidrBlock));
      // No routes at all: only the implicit local route, so the database subnets reach nothing beyond the VPC.
      const isolated = new aws.ec2.RouteTable(
        naming.name('database-rt'),
        { vpcId, routes: [], tags: naming.tags('database-rt', { 'platform:tier': 'database' }) },
        parent,
      );
      databaseSubnets.forEach(
        (subnet, index) =>
          new aws.ec2.RouteTableAssociation(
            naming.name('database-rta', index),
            { subnetId: subnet.id, routeTableId: isolated.id },
            parent,
          ),
      );
      this.databaseSubnetIds = pulumi.all(databaseSubnets.map((s) => s.id));
      this.databaseSubnetCidrs = pulumi.output(cidrs);
    } else {
      this.databaseSubnetIds = pulumi.output([]);
      this.databaseSubnetCidrs = pulumi.output([]);
    }

    this.vpcId = vpcId;
    this.vpcCidr = vpcCidr;
    this.registerOutputs({
      vpcId: this.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      databaseSubnetIds: this.databaseSubnetIds,
      publicSubnetIds: this.publicSubnetIds,
    });
  }
}

/** Adds the load balancer tags to a subnet this stack does not own. */
function tagExisting(
  name: string,
  resourceId: string,
  tags: Record<string, string>,
  parent: pulumi.Resource,
) {
  for (const [key, value] of Object.entries(tags)) {
    new aws.ec2.Tag(`${name}-${key.replace(/[^a-z0-9]+/gi, '-')}`, { resourceId, key, value }, { parent });
  }
}
