import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { ClusterServices } from '../src/components/clusterServices';
import type { KubernetesCluster, ServiceAccountRoleArgs } from '../src/components/contracts';
import { DocumentDb } from '../src/components/database';
import { policyDocument } from '../src/components/iam';
import type { PlatformConfig } from '../src/config';
import { Naming } from '../src/naming';
import { runPulumi, type PulumiRun } from './harness';
import { recordRegistrations, type Registration } from './registrations';

/**
 * ClusterServices built on its own under the mocks: a cluster object that creates real IAM roles
 * for its service accounts, and the network facts as plain outputs.
 */

export const VPC_CIDR = '10.0.0.0/16';
export const PUBLIC_SUBNET_CIDRS = ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24'];
export const PRIVATE_SUBNET_CIDRS = ['10.0.10.0/24', '10.0.20.0/24', '10.0.30.0/24'];
export const PUBLIC_SUBNET_IDS = [
  'subnet-0b0b0b0b0b0b0b0b1',
  'subnet-0b0b0b0b0b0b0b0b2',
  'subnet-0b0b0b0b0b0b0b0b3',
];
export const PRIVATE_SUBNET_IDS = [
  'subnet-0a0a0a0a0a0a0a0a1',
  'subnet-0a0a0a0a0a0a0a0a2',
  'subnet-0a0a0a0a0a0a0a0a3',
];
export const LOAD_BALANCER_SG = 'sg-0f1f1f1f1f1f1f1f1';
export const NODE_SG = 'sg-0d0d0d0d0d0d0d0d0';
export const CA_BUNDLE =
  '-----BEGIN CERTIFICATE-----\nMIIEBjCCAu6gAwIBAgIJAMc0ZzaSUK51MA0GCSqGSIb3DQEBCwUA\n-----END CERTIFICATE-----\n';

/** A service account role as the cluster was asked for it. */
export interface RoleRequest {
  name: string;
  args: ServiceAccountRoleArgs;
  role: aws.iam.Role;
}

class TestCluster implements KubernetesCluster {
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly endpoint = pulumi.output('https://ABCDEF.gr7.eu-west-1.eks.amazonaws.com');
  readonly certificateAuthorityData = pulumi.output(Buffer.from('test ca').toString('base64'));
  readonly oidcProviderArn = pulumi.output(
    'arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF',
  );
  readonly oidcIssuer = pulumi.output('oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF');
  readonly kubeconfig: pulumi.Output<string>;
  readonly workloadsReady: pulumi.Resource[];
  readonly roleRequests: RoleRequest[] = [];

  constructor(naming: Naming) {
    this.name = pulumi.output(naming.clusterName);
    this.arn = pulumi.output(`arn:aws:eks:eu-west-1:123456789012:cluster/${naming.clusterName}`);
    this.kubeconfig = pulumi.output(JSON.stringify({ apiVersion: 'v1', kind: 'Config', clusters: [] }));
    this.workloadsReady = [
      new aws.eks.Addon(naming.name('ebs-csi'), {
        clusterName: naming.clusterName,
        addonName: 'aws-ebs-csi-driver',
      }),
    ];
  }

  serviceAccountRole(name: string, args: ServiceAccountRoleArgs): aws.iam.Role {
    const subject = `system:serviceaccount:${args.namespace}:${args.serviceAccount}`;
    const role = new aws.iam.Role(name, {
      assumeRolePolicy: policyDocument([
        {
          Action: 'sts:AssumeRoleWithWebIdentity',
          Principal: { Federated: this.oidcProviderArn },
          Condition: { StringEquals: { [`oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF:sub`]: subject } },
        },
      ]),
    });
    if (args.policy !== undefined)
      new aws.iam.RolePolicy(`${name}-inline`, { role: role.name, policy: args.policy });
    this.roleRequests.push({ name, args, role });
    return role;
  }
}

export interface ServicesRun {
  run: PulumiRun<ClusterServices>;
  declared: Registration[];
  config: PlatformConfig;
  cluster: TestCluster;
}

export async function clusterServicesRun(
  config: PlatformConfig,
  options: { database?: boolean; withoutCaBundle?: boolean } = {},
): Promise<ServicesRun> {
  const naming = new Naming(config);
  const declared: Registration[] = [];
  let cluster: TestCluster | undefined;
  const run = await runPulumi(() => {
    cluster = new TestCluster(naming);
    const database = options.database
      ? new DocumentDb(naming.name('database'), {
          config,
          naming,
          subnetIds: pulumi.output(['subnet-0c0c0c0c0c0c0c0c1', 'subnet-0c0c0c0c0c0c0c0c2']),
          securityGroupId: pulumi.output('sg-0e0e0e0e0e0e0e0e0'),
        })
      : undefined;
    return new ClusterServices(
      naming.name('services'),
      {
        config,
        naming,
        cluster,
        network: {
          vpcCidr: pulumi.output(VPC_CIDR),
          loadBalancerSubnetCidrs: pulumi.output(
            config.ingress.public ? PUBLIC_SUBNET_CIDRS : PRIVATE_SUBNET_CIDRS,
          ),
          publicSubnetIds: pulumi.output(PUBLIC_SUBNET_IDS),
          privateSubnetIds: pulumi.output(PRIVATE_SUBNET_IDS),
        },
        securityGroups: { loadBalancer: pulumi.output(LOAD_BALANCER_SG), nodes: pulumi.output(NODE_SG) },
        database,
        caBundlePem: options.database && !options.withoutCaBundle ? CA_BUNDLE : undefined,
      },
      { transformations: [recordRegistrations(declared)] },
    );
  });
  if (!cluster) throw new Error('the program did not run');
  return { run, declared, config, cluster };
}
