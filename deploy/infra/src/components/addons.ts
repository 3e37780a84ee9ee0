import * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import type { PlatformConfig } from '../config';
import type { Naming } from '../naming';
import type { ServiceAccountRoleArgs } from './contracts';
import { AWS_MANAGED_POLICY } from './iam';

/** The VPC CNI add-on's configurationValues, as the add-on's schema spells them (strings, not booleans). */
export interface VpcCniConfiguration {
  /** Without it the CNI's network policy agent stays off and NetworkPolicies are accepted but not enforced. */
  enableNetworkPolicy: 'true';
  env?: {
    ENABLE_POD_ENI: 'true';
    POD_SECURITY_GROUP_ENFORCING_MODE: PlatformConfig['podSecurityGroups']['enforcingMode'];
  };
  init?: { env: { DISABLE_TCP_EARLY_DEMUX: 'true' } };
}

/**
 * What the VPC CNI needs for the platform: NetworkPolicy enforcement always, and trunk ENIs for
 * security groups per pod when those are on. In strict mode all pod traffic goes through the branch
 * ENI, so TCP early demux must be off for kubelet probes from the node to reach the pods.
 */
export function vpcCniConfiguration(
  podSecurityGroups: PlatformConfig['podSecurityGroups'],
): VpcCniConfiguration {
  const configuration: VpcCniConfiguration = { enableNetworkPolicy: 'true' };
  if (!podSecurityGroups.enabled) return configuration;
  configuration.env = {
    ENABLE_POD_ENI: 'true',
    POD_SECURITY_GROUP_ENFORCING_MODE: podSecurityGroups.enforcingMode,
  };
  if (podSecurityGroups.enforcingMode === 'strict') {
    configuration.init = { env: { DISABLE_TCP_EARLY_DEMUX: 'true' } };
  }
  return configuration;
}

export interface GrantedRole {
  role: aws.iam.Role;
  grants: pulumi.Resource[];
}

export interface AddonContext {
  config: PlatformConfig;
  naming: Naming;
  clusterName: pulumi.Output<string>;
  /** An IRSA role and the resources that grant it its permissions (to wait for before use). */
  serviceAccountRole(name: string, args: ServiceAccountRoleArgs): GrantedRole;
  parent: pulumi.Resource;
}

function addon(
  context: AddonContext,
  purpose: string,
  args: Omit<
    aws.eks.AddonArgs,
    'clusterName' | 'resolveConflictsOnCreate' | 'resolveConflictsOnUpdate' | 'tags'
  >,
  dependsOn: pulumi.Resource[],
): aws.eks.Addon {
  const { naming } = context;
  return new aws.eks.Addon(
    naming.name('addon', purpose),
    {
      ...args,
      clusterName: context.clusterName,
      // EKS installs default copies of some add-ons with the cluster; these settings replace them.
      resolveConflictsOnCreate: 'OVERWRITE',
      resolveConflictsOnUpdate: 'OVERWRITE',
      tags: naming.tags(`addon-${purpose}`),
    },
    { parent: context.parent, dependsOn },
  );
}

/** The VPC CNI, with its own IRSA role: it must exist before any node, or nodes never become Ready. */
export function createVpcCni(context: AddonContext): aws.eks.Addon {
  const { config, naming } = context;
  const { role, grants } = context.serviceAccountRole(naming.name('vpc-cni'), {
    namespace: 'kube-system',
    serviceAccount: 'aws-node',
    managedPolicyArns: [`${AWS_MANAGED_POLICY}/AmazonEKS_CNI_Policy`],
  });
  return addon(
    context,
    'vpc-cni',
    {
      addonName: 'vpc-cni',
      addonVersion: config.cluster.addons.vpcCni,
      serviceAccountRoleArn: role.arn,
      configurationValues: JSON.stringify(vpcCniConfiguration(config.podSecurityGroups)),
    },
    grants,
  );
}

/** The add-ons that run as Deployments need nodes to schedule on before EKS reports them active. */
export function createNodeAddons(context: AddonContext, nodeGroups: pulumi.Resource[]): aws.eks.Addon[] {
  const { config, naming } = context;
  const versions = config.cluster.addons;
  const ebsCsi = context.serviceAccountRole(naming.name('ebs-csi'), {
    namespace: 'kube-system',
    serviceAccount: 'ebs-csi-controller-sa',
    managedPolicyArns: [`${AWS_MANAGED_POLICY}/service-role/AmazonEBSCSIDriverPolicy`],
  });
  return [
    // A DaemonSet with host networking: it needs no node to be created, only to run.
    addon(context, 'kube-proxy', { addonName: 'kube-proxy', addonVersion: versions.kubeProxy }, []),
    addon(context, 'coredns', { addonName: 'coredns', addonVersion: versions.coredns }, nodeGroups),
    addon(
      context,
      'metrics-server',
      { addonName: 'metrics-server', addonVersion: versions.metricsServer },
      nodeGroups,
    ),
    addon(
      context,
      'ebs-csi',
      {
        addonName: 'aws-ebs-csi-driver',
        addonVersion: versions.ebsCsi,
        serviceAccountRoleArn: ebsCsi.role.arn,
      },
      [...nodeGroups, ...ebsCsi.grants],
    ),
  ];
}
