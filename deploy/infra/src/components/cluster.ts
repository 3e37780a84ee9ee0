import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { PlatformConfig } from '../config';
import type { Naming } from '../naming';
import { createNodeAddons, createVpcCni, type AddonContext, type GrantedRole } from './addons';
import type { KubernetesCluster, ServiceAccountRoleArgs } from './contracts';
import { AWS_MANAGED_POLICY, policyDocument, serviceTrustPolicy } from './iam';
import { amiTypeFor, createNodeGroups } from './nodeGroups';

export { vpcCniConfiguration, type VpcCniConfiguration } from './addons';
export { amiTypeFor, isGravitonInstanceType } from './nodeGroups';

export interface EksClusterArgs {
  config: PlatformConfig;
  naming: Naming;
  privateSubnetIds: pulumi.Output<string[]>;
  clusterSecurityGroupId: pulumi.Output<string>;
  nodeSecurityGroupId: pulumi.Output<string>;
}

export const STS_AUDIENCE = 'sts.amazonaws.com';
const CLUSTER_ADMIN_POLICY = 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy';

/**
 * The EKS control plane with a private API endpoint, secrets encrypted with our own KMS key and its
 * logs in a log group we own; managed node groups on our node security group with IMDSv2 locked
 * to the node; the VPC CNI (with NetworkPolicy enforcement) before the nodes and the other add-ons
 * after them; and the OIDC provider through which service accounts get IAM roles.
 */
export class EksCluster extends pulumi.ComponentResource implements KubernetesCluster {
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
  readonly certificateAuthorityData: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;
  readonly oidcIssuer: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly workloadsReady: pulumi.Resource[];
  readonly nodeRoleArn: pulumi.Output<string>;
  readonly secretsKeyArn: pulumi.Output<string>;

  private readonly naming: Naming;

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super('platform:infra:EksCluster', name, {}, opts);
    const { config, naming } = args;
    const settings = config.cluster;
    const clusterName = naming.clusterName;
    const parent = { parent: this };
    this.naming = naming;
    // Before anything is declared: a group that cannot have one AMI fails the preview, not half a deployment.
    const nodeGroupsWithAmi = settings.nodeGroups.map((group) => ({ group, amiType: amiTypeFor(group) }));

    const secretsKey = new aws.kms.Key(
      naming.name('eks-secrets-key'),
      {
        description: `Envelope encryption of Kubernetes Secrets in ${clusterName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags: naming.tags('eks-secrets-key'),
      },
      parent,
    );
    new aws.kms.Alias(
      naming.name('eks-secrets-key-alias'),
      { name: `alias/${naming.name('eks-secrets')}`, targetKeyId: secretsKey.keyId },
      parent,
    );

    // EKS would create this group itself, with no retention; owning it first sets the retention.
    const logGroup = new aws.cloudwatch.LogGroup(
      naming.name('eks-logs'),
      {
        name: `/aws/eks/${clusterName}/cluster`,
        retentionInDays: settings.logRetentionDays,
        tags: naming.tags('eks-logs'),
      },
      parent,
    );

    const clusterRole = new aws.iam.Role(
      naming.name('cluster-role'),
      { assumeRolePolicy: serviceTrustPolicy('eks.amazonaws.com'), tags: naming.tags('cluster-role') },
      parent,
    );
    const clusterPolicies = {
      cluster: `${AWS_MANAGED_POLICY}/AmazonEKSClusterPolicy`,
      // Trunk and branch ENIs: what gives pods their own security groups.
      'vpc-resource-controller': `${AWS_MANAGED_POLICY}/AmazonEKSVPCResourceController`,
    };
    const clusterGrants = Object.entries(clusterPolicies).map(
      ([purpose, policyArn]) =>
        new aws.iam.RolePolicyAttachment(
          naming.name('cluster-role', purpose),
          { role: clusterRole.name, policyArn },
          parent,
        ),
    );

    const cluster = new aws.eks.Cluster(
      naming.name('eks'),
      {
        name: clusterName,
        version: settings.version,
        roleArn: clusterRole.arn,
        vpcConfig: {
          subnetIds: args.privateSubnetIds,
          securityGroupIds: [args.clusterSecurityGroupId],
          endpointPrivateAccess: true,
          endpointPublicAccess: settings.publicEndpoint,
          // The config refuses a public endpoint without CIDRs, and refuses 0.0.0.0/0.
          ...(settings.publicEndpoint ? { publicAccessCidrs: settings.publicEndpointCidrs } : {}),
        },
        encryptionConfig: { resources: ['secrets'], provider: { keyArn: secretsKey.arn } },
        enabledClusterLogTypes: settings.logTypes,
        accessConfig: { authenticationMode: 'API', bootstrapClusterCreatorAdminPermissions: true },
        tags: naming.tags('eks'),
      },
      { parent: this, dependsOn: [logGroup, ...clusterGrants] },
    );

    this.name = cluster.name;
    this.arn = cluster.arn;
    this.endpoint = cluster.endpoint;
    this.certificateAuthorityData = cluster.certificateAuthority.data;
    this.secretsKeyArn = secretsKey.arn;
    const issuerUrl = cluster.identities.apply((identities) => {
      const issuer = identities[0]?.oidcs?.[0]?.issuer;
      if (!issuer) throw new Error(`EKS cluster ${clusterName} reports no OIDC issuer`);
      return issuer;
    });
    this.oidcIssuer = issuerUrl.apply((url) => url.replace(/^https:\/\//, ''));
    // IAM no longer checks thumbprints for the EKS issuer, so none is pinned.
    const oidcProvider = new aws.iam.OpenIdConnectProvider(
      naming.name('eks-oidc'),
      { url: issuerUrl, clientIdLists: [STS_AUDIENCE], tags: naming.tags('eks-oidc') },
      parent,
    );
    this.oidcProviderArn = oidcProvider.arn;

    settings.adminRoleArns.forEach((principalArn, index) => {
      const entry = new aws.eks.AccessEntry(
        naming.name('admin-access', index),
        {
          clusterName: cluster.name,
          principalArn,
          type: 'STANDARD',
          tags: naming.tags(`admin-access-${index}`),
        },
        parent,
      );
      new aws.eks.AccessPolicyAssociation(
        naming.name('admin-access-policy', index),
        {
          clusterName: cluster.name,
          principalArn: entry.principalArn,
          policyArn: CLUSTER_ADMIN_POLICY,
          accessScope: { type: 'cluster' },
        },
        parent,
      );
    });

    const addonContext: AddonContext = {
      config,
      naming,
      clusterName: cluster.name,
      serviceAccountRole: (roleName, roleArgs) => this.grantedServiceAccountRole(roleName, roleArgs),
      parent: this,
    };
    const vpcCni = createVpcCni(addonContext);
    const { nodeRole, nodeGroups } = createNodeGroups({
      naming,
      groups: nodeGroupsWithAmi,
      clusterName: cluster.name,
      kubernetesVersion: cluster.version,
      subnetIds: args.privateSubnetIds,
      nodeSecurityGroupId: args.nodeSecurityGroupId,
      dependsOn: [vpcCni],
      parent: this,
    });
    this.nodeRoleArn = nodeRole.arn;
    const nodeAddons = createNodeAddons(addonContext, nodeGroups);
    this.workloadsReady = [...nodeGroups, vpcCni, ...nodeAddons];

    const region = aws.getRegionOutput({}, parent).region;
    this.kubeconfig = pulumi
      .all([cluster.name, cluster.endpoint, cluster.certificateAuthority.data, region])
      .apply(([clusterId, server, caData, regionName]) =>
        kubeconfigFor(clusterId, server, caData, regionName),
      );

    this.registerOutputs({
      name: this.name,
      endpoint: this.endpoint,
      oidcProviderArn: this.oidcProviderArn,
      nodeRoleArn: this.nodeRoleArn,
    });
  }

  /** An IAM role only the given service account of this cluster can assume (IRSA). */
  serviceAccountRole(name: string, args: ServiceAccountRoleArgs): aws.iam.Role {
    return this.grantedServiceAccountRole(name, args).role;
  }

  private grantedServiceAccountRole(name: string, args: ServiceAccountRoleArgs): GrantedRole {
    const { naming } = this;
    const subject = `system:serviceaccount:${args.namespace}:${args.serviceAccount}`;
    const assumeRolePolicy = pulumi
      .all([this.oidcProviderArn, this.oidcIssuer])
      .apply(([providerArn, issuer]) =>
        policyDocument([
          {
            Action: 'sts:AssumeRoleWithWebIdentity',
            Principal: { Federated: providerArn },
            Condition: { StringEquals: { [`${issuer}:sub`]: subject, [`${issuer}:aud`]: STS_AUDIENCE } },
          },
        ]),
      );
    const tags = naming.tags(undefined, {
      Name: name,
      'platform:service-account': `${args.namespace}/${args.serviceAccount}`,
    });
    const role = new aws.iam.Role(name, { assumeRolePolicy, tags }, { parent: this });
    const grants: pulumi.Resource[] = (args.managedPolicyArns ?? []).map(
      (policyArn) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-${policyArn.split('/').pop() ?? policyArn}`,
          { role: role.name, policyArn },
          { parent: this },
        ),
    );
    if (args.policy !== undefined) {
      grants.push(
        new aws.iam.RolePolicy(`${name}-inline`, { role: role.name, policy: args.policy }, { parent: this }),
      );
    }
    return { role, grants };
  }
}

/** A kubeconfig whose credentials come from `aws eks get-token` at use, so it holds no secret. */
export function kubeconfigFor(clusterName: string, server: string, caData: string, region: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: clusterName, cluster: { server, 'certificate-authority-data': caData } }],
    users: [
      {
        name: clusterName,
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1beta1',
            command: 'aws',
            args: ['eks', 'get-token', '--cluster-name', clusterName, '--region', region],
            interactiveMode: 'Never',
          },
        },
      },
    ],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user: clusterName } }],
    'current-context': clusterName,
  });
}
