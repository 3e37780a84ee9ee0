import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import type { NodeGroupConfig } from '../config';
import type { Naming } from '../naming';
import { AWS_MANAGED_POLICY, serviceTrustPolicy } from './iam';

export type NodeAmiType = 'AL2023_x86_64_STANDARD' | 'AL2023_ARM_64_STANDARD';

/** Graviton families carry a `g` right after the generation digit (m7g, c6gn, r8g, im4gn, x2gd); a1 is the first. */
const GRAVITON_FAMILY = /^(a1|[a-z]+\d+g[a-z]*)\./;

export function isGravitonInstanceType(instanceType: string): boolean {
  return GRAVITON_FAMILY.test(instanceType);
}

/** One AMI serves a whole node group, so all its instance types must share an architecture. */
export function amiTypeFor(group: Pick<NodeGroupConfig, 'name' | 'instanceTypes'>): NodeAmiType {
  const arm = group.instanceTypes.filter(isGravitonInstanceType);
  if (arm.length === 0) return 'AL2023_x86_64_STANDARD';
  if (arm.length === group.instanceTypes.length) return 'AL2023_ARM_64_STANDARD';
  const x86 = group.instanceTypes.filter((type) => !isGravitonInstanceType(type));
  throw new Error(
    `node group ${group.name} mixes architectures: ${arm.join(', ')} (arm64) and ${x86.join(', ')} (x86_64); ` +
      'one node group runs one AMI, so split them into two groups',
  );
}

export interface NodeGroupsArgs {
  naming: Naming;
  /** The configured groups with their AMI types (amiTypeFor, checked before anything is declared). */
  groups: { group: NodeGroupConfig; amiType: NodeAmiType }[];
  clusterName: pulumi.Output<string>;
  kubernetesVersion: pulumi.Output<string>;
  subnetIds: pulumi.Output<string[]>;
  nodeSecurityGroupId: pulumi.Output<string>;
  /** What must exist before any node starts: the VPC CNI, or nodes never become Ready. */
  dependsOn: pulumi.Resource[];
  parent: pulumi.Resource;
}

const NODE_ROOT_DEVICE = '/dev/xvda';

/** The node role and one managed node group per configured group, each with its own launch template. */
export function createNodeGroups(args: NodeGroupsArgs): {
  nodeRole: aws.iam.Role;
  nodeGroups: aws.eks.NodeGroup[];
} {
  const { naming, parent } = args;

  const nodeRole = new aws.iam.Role(
    naming.name('node-role'),
    { assumeRolePolicy: serviceTrustPolicy('ec2.amazonaws.com'), tags: naming.tags('node-role') },
    { parent },
  );
  // No CNI policy here: the VPC CNI has its own IRSA role, so pods cannot borrow the node's ENI rights.
  const nodePolicies = {
    worker: `${AWS_MANAGED_POLICY}/AmazonEKSWorkerNodePolicy`,
    'ecr-pull': `${AWS_MANAGED_POLICY}/AmazonEC2ContainerRegistryPullOnly`,
    ssm: `${AWS_MANAGED_POLICY}/AmazonSSMManagedInstanceCore`,
  };
  const nodeGrants = Object.entries(nodePolicies).map(
    ([purpose, policyArn]) =>
      new aws.iam.RolePolicyAttachment(
        naming.name('node-role', purpose),
        { role: nodeRole.name, policyArn },
        { parent },
      ),
  );

  const nodeGroups = args.groups.map(({ group, amiType }) => {
    const purpose = `node-${group.name}`;
    const instanceTags = naming.tags(purpose, {
      [naming.clusterTagKey]: 'owned',
      'platform:node-group': group.name,
    });
    const launchTemplate = new aws.ec2.LaunchTemplate(
      naming.name('node-lt', group.name),
      {
        description: `Nodes of the ${group.name} node group of ${naming.clusterName}`,
        updateDefaultVersion: true,
        // Our node group instead of the EKS-created cluster group, so every node rule is ours to declare.
        vpcSecurityGroupIds: [args.nodeSecurityGroupId],
        metadataOptions: {
          httpEndpoint: 'enabled',
          httpTokens: 'required',
          // One hop: the node reaches IMDS, pods (one hop further) cannot take the node role's credentials.
          httpPutResponseHopLimit: 1,
          instanceMetadataTags: 'disabled',
        },
        blockDeviceMappings: [
          {
            deviceName: NODE_ROOT_DEVICE,
            ebs: {
              volumeSize: group.diskSizeGiB,
              volumeType: 'gp3',
              encrypted: 'true',
              deleteOnTermination: 'true',
            },
          },
        ],
        tagSpecifications: ['instance', 'volume', 'network-interface'].map((resourceType) => ({
          resourceType,
          tags: instanceTags,
        })),
        tags: naming.tags(`node-lt-${group.name}`),
      },
      { parent },
    );

    return new aws.eks.NodeGroup(
      naming.name('nodes', group.name),
      {
        clusterName: args.clusterName,
        nodeGroupName: naming.name(group.name),
        version: args.kubernetesVersion,
        nodeRoleArn: nodeRole.arn,
        subnetIds: args.subnetIds,
        amiType,
        capacityType: group.capacityType,
        instanceTypes: group.instanceTypes,
        scalingConfig: { minSize: group.minSize, desiredSize: group.desiredSize, maxSize: group.maxSize },
        updateConfig: { maxUnavailable: 1 },
        launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
        labels: { 'platform/node-group': group.name },
        tags: naming.tags(`nodes-${group.name}`),
      },
      { parent, dependsOn: [...nodeGrants, ...args.dependsOn] },
    );
  });

  return { nodeRole, nodeGroups };
}
