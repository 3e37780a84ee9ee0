import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { PlatformConfig } from '../config';
import type { Naming } from '../naming';

/** AWS APIs private nodes reach without NAT: image pulls, node bootstrap, IRSA, logs, SSM sessions. */
export const INTERFACE_ENDPOINT_SERVICES = [
  'ecr.api',
  'ecr.dkr',
  'sts',
  'ec2',
  'eks',
  'eks-auth',
  'elasticloadbalancing',
  'logs',
  'secretsmanager',
  'ssm',
  'ssmmessages',
  'ec2messages',
] as const;

export interface VpcEndpointsArgs {
  config: PlatformConfig;
  naming: Naming;
  vpcId: pulumi.Input<string>;
  subnetIds: pulumi.Input<string[]>;
  routeTableIds: pulumi.Input<string[]>;
  securityGroupId: pulumi.Input<string>;
}

/**
 * The S3 gateway endpoint (free; ECR keeps image layers in S3) and, unless turned off, the interface
 * endpoints with private DNS, so the AWS hostnames resolve to addresses inside the VPC.
 */
export class VpcEndpoints extends pulumi.ComponentResource {
  readonly region: pulumi.Output<string>;

  constructor(name: string, args: VpcEndpointsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('platform:infra:VpcEndpoints', name, {}, opts);
    const { config, naming } = args;
    const parent = { parent: this };
    this.region = aws.getRegionOutput({}, parent).region;
    const serviceName = (service: string) => pulumi.interpolate`com.amazonaws.${this.region}.${service}`;

    new aws.ec2.VpcEndpoint(
      naming.name('vpce', 's3'),
      {
        vpcId: args.vpcId,
        serviceName: serviceName('s3'),
        vpcEndpointType: 'Gateway',
        routeTableIds: args.routeTableIds,
        tags: naming.tags('vpce-s3'),
      },
      parent,
    );
    if (config.network.interfaceEndpoints) {
      for (const service of INTERFACE_ENDPOINT_SERVICES) {
        const purpose = `vpce-${service.replace('.', '-')}`;
        new aws.ec2.VpcEndpoint(
          naming.name(purpose),
          {
            vpcId: args.vpcId,
            serviceName: serviceName(service),
            vpcEndpointType: 'Interface',
            privateDnsEnabled: true,
            subnetIds: args.subnetIds,
            securityGroupIds: [args.securityGroupId],
            tags: naming.tags(purpose),
          },
          parent,
        );
      }
    }
    this.registerOutputs({ region: this.region });
  }
}
