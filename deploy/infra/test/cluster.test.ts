import * as pulumi from '@pulumi/pulumi';
import {
  EksCluster,
  amiTypeFor,
  vpcCniConfiguration,
  type VpcCniConfiguration,
} from '../src/components/cluster';
import type { PlatformConfig } from '../src/config';
import { Naming } from '../src/naming';
import { ACCOUNT_ID, REGION, resolve, runPulumi, type PulumiRun } from './harness';
import { dependsOn, recordRegistrations, registration, type Registration } from './registrations';
import { DEV, PROD, settings } from './settings';

const CLUSTER = 'aws:eks/cluster:Cluster';
const ROLE = 'aws:iam/role:Role';
const ATTACHMENT = 'aws:iam/rolePolicyAttachment:RolePolicyAttachment';
const ADDON = 'aws:eks/addon:Addon';
const NODE_GROUP = 'aws:eks/nodeGroup:NodeGroup';
const LAUNCH_TEMPLATE = 'aws:ec2/launchTemplate:LaunchTemplate';
const KMS_KEY = 'aws:kms/key:Key';
const LOG_GROUP = 'aws:cloudwatch/logGroup:LogGroup';
const OIDC = 'aws:iam/openIdConnectProvider:OpenIdConnectProvider';

const PRIVATE_SUBNETS = ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2', 'subnet-0aaaaaaaaaaaaaaa3'];
const CLUSTER_SG = 'sg-0c1c1c1c1c1c1c1c1';
const NODE_SG = 'sg-0d0d0d0d0d0d0d0d0';
const POLICY = 'arn:aws:iam::aws:policy';

interface ClusterRun {
  run: PulumiRun<EksCluster>;
  declared: Registration[];
  config: PlatformConfig;
}

async function eksCluster(
  config: PlatformConfig,
  extra?: (cluster: EksCluster) => void,
): Promise<ClusterRun> {
  const naming = new Naming(config);
  const declared: Registration[] = [];
  const run = await runPulumi(() => {
    const cluster = new EksCluster(
      naming.name('cluster'),
      {
        config,
        naming,
        privateSubnetIds: pulumi.output(PRIVATE_SUBNETS),
        clusterSecurityGroupId: pulumi.output(CLUSTER_SG),
        nodeSecurityGroupId: pulumi.output(NODE_SG),
      },
      { transformations: [recordRegistrations(declared)] },
    );
    extra?.(cluster);
    return cluster;
  });
  return { run, declared, config };
}

interface PolicyDoc {
  Statement: {
    Action: string | string[];
    Principal?: Record<string, string>;
    Condition?: Record<string, Record<string, string | string[]>>;
    Resource?: string | string[];
  }[];
}

const parsePolicy = (text: unknown): PolicyDoc => JSON.parse(String(text)) as PolicyDoc;
const attachedPolicies = (run: PulumiRun<unknown>, roleName: string) =>
  run
    .ofType(ATTACHMENT)
    .filter((a) => a.inputs.role === roleName)
    .map((a) => String(a.inputs.policyArn))
    .sort();

describe('EksCluster control plane', () => {
  let dev: ClusterRun;
  beforeAll(async () => {
    dev = await eksCluster(settings(DEV));
  });

  test('declares one cluster with the configured name and version', () => {
    const clusters = dev.run.ofType(CLUSTER);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]?.inputs).toMatchObject({ name: 'platform-dev', version: '1.34' });
  });

  test('encrypts Secrets with its own rotating KMS key', () => {
    const keys = dev.run.ofType(KMS_KEY);
    expect(keys).toHaveLength(1);
    const key = keys[0]!;
    expect(key.inputs.enableKeyRotation).toBe(true);
    const alias = dev.run.ofType('aws:kms/alias:Alias');
    expect(alias.map((a) => a.inputs)).toEqual([
      expect.objectContaining({ name: 'alias/platform-dev-eks-secrets', targetKeyId: key.id }),
    ]);
    const cluster = dev.run.ofType(CLUSTER)[0]!;
    expect(cluster.inputs.encryptionConfig).toEqual({
      resources: ['secrets'],
      provider: { keyArn: key.state.arn },
    });
  });

  test('writes control plane logs to a log group it owns, created first, with the configured retention', () => {
    const groups = dev.run.ofType(LOG_GROUP);
    expect(groups.map((g) => g.inputs)).toEqual([
      expect.objectContaining({ name: '/aws/eks/platform-dev/cluster', retentionInDays: 30 }),
    ]);
    const cluster = dev.run.ofType(CLUSTER)[0]!;
    expect(cluster.inputs.enabledClusterLogTypes).toEqual([
      'api',
      'audit',
      'authenticator',
      'controllerManager',
      'scheduler',
    ]);
    const logGroup = registration(dev.declared, LOG_GROUP, 'platform-dev-eks-logs').resource;
    expect(dependsOn(registration(dev.declared, CLUSTER, 'platform-dev-eks'))).toContain(logGroup);
  });

  test('takes log types and retention from the config', async () => {
    const { run } = await eksCluster(
      settings(DEV, { cluster: { logTypes: ['api', 'audit'], logRetentionDays: 90 } }),
    );
    expect(run.ofType(CLUSTER)[0]?.inputs.enabledClusterLogTypes).toEqual(['api', 'audit']);
    expect(run.ofType(LOG_GROUP)[0]?.inputs.retentionInDays).toBe(90);
  });

  test('keeps the API endpoint private by default, in the private subnets behind the cluster group', () => {
    const vpcConfig = dev.run.ofType(CLUSTER)[0]?.inputs.vpcConfig as Record<string, unknown>;
    expect(vpcConfig).toMatchObject({
      subnetIds: PRIVATE_SUBNETS,
      securityGroupIds: [CLUSTER_SG],
      endpointPrivateAccess: true,
      endpointPublicAccess: false,
    });
    expect(vpcConfig.publicAccessCidrs).toBeUndefined();
  });

  test('opens a public endpoint only to the configured CIDRs', async () => {
    const cidrs = ['203.0.113.0/24', '198.51.100.7/32'];
    const { run } = await eksCluster(
      settings(DEV, { cluster: { publicEndpoint: true, publicEndpointCidrs: cidrs } }),
    );
    expect(run.ofType(CLUSTER)[0]?.inputs.vpcConfig).toMatchObject({
      endpointPrivateAccess: true,
      endpointPublicAccess: true,
      publicAccessCidrs: cidrs,
    });
  });

  test('gives the cluster role the cluster policy and the VPC resource controller (pod security groups)', () => {
    const role = dev.run.named(ROLE, 'platform-dev-cluster-role');
    const trust = parsePolicy(role.inputs.assumeRolePolicy);
    expect(trust.Statement).toEqual([
      expect.objectContaining({ Action: 'sts:AssumeRole', Principal: { Service: 'eks.amazonaws.com' } }),
    ]);
    expect(attachedPolicies(dev.run, String(role.state.name))).toEqual([
      `${POLICY}/AmazonEKSClusterPolicy`,
      `${POLICY}/AmazonEKSVPCResourceController`,
    ]);
    const cluster = registration(dev.declared, CLUSTER, 'platform-dev-eks');
    const attachments = dev.declared
      .filter((r) => r.type === ATTACHMENT && r.name.startsWith('platform-dev-cluster-role-'))
      .map((r) => r.resource);
    expect(attachments).toHaveLength(2);
    for (const attachment of attachments) expect(dependsOn(cluster)).toContain(attachment);
  });

  test('authenticates through access entries only, with cluster-admin for each configured admin role', async () => {
    expect(dev.run.ofType(CLUSTER)[0]?.inputs.accessConfig).toEqual({
      authenticationMode: 'API',
      bootstrapClusterCreatorAdminPermissions: true,
    });
    expect(dev.run.ofType('aws:eks/accessEntry:AccessEntry')).toEqual([]);

    const admins = [
      `arn:aws:iam::${ACCOUNT_ID}:role/breakglass`,
      `arn:aws:iam::${ACCOUNT_ID}:role/platform-team`,
    ];
    const { run } = await eksCluster(settings(DEV, { cluster: { adminRoleArns: admins } }));
    const entries = run.ofType('aws:eks/accessEntry:AccessEntry');
    expect(entries.map((e) => e.inputs.principalArn)).toEqual(admins);
    expect(
      entries.every((e) => e.inputs.clusterName === 'platform-dev' && e.inputs.type === 'STANDARD'),
    ).toBe(true);
    const associations = run.ofType('aws:eks/accessPolicyAssociation:AccessPolicyAssociation');
    expect(associations.map((a) => a.inputs)).toEqual(
      admins.map((principalArn) =>
        expect.objectContaining({
          principalArn,
          clusterName: 'platform-dev',
          policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
          accessScope: { type: 'cluster' },
        }),
      ),
    );
  });

  test('registers the cluster issuer as an OIDC provider for STS', async () => {
    const providers = dev.run.ofType(OIDC);
    expect(providers).toHaveLength(1);
    const issuer = `https://oidc.eks.${REGION}.amazonaws.com/id/`;
    expect(String(providers[0]?.inputs.url)).toContain(issuer);
    expect(providers[0]?.inputs.clientIdLists).toEqual(['sts.amazonaws.com']);
    expect(await resolve(dev.run.result.oidcProviderArn)).toBe(providers[0]?.state.arn);
    expect(await resolve(dev.run.result.oidcIssuer)).toBe(
      String(providers[0]?.inputs.url).replace('https://', ''),
    );
  });

  test('builds a kubeconfig that authenticates through aws eks get-token', async () => {
    const kubeconfig = JSON.parse(await resolve(dev.run.result.kubeconfig));
    const cluster = dev.run.ofType(CLUSTER)[0]!;
    expect(kubeconfig.clusters[0].cluster).toEqual({
      server: cluster.state.endpoint,
      'certificate-authority-data': (cluster.state.certificateAuthority as { data: string }).data,
    });
    expect(kubeconfig.users[0].user.exec).toMatchObject({
      command: 'aws',
      args: ['eks', 'get-token', '--cluster-name', 'platform-dev', '--region', REGION],
    });
    expect(kubeconfig['current-context']).toBe('platform-dev');
  });
});

describe('EksCluster service account roles (IRSA)', () => {
  test('trust only the named service account of this cluster, for STS', async () => {
    const { run } = await eksCluster(settings(DEV), (cluster) =>
      cluster.serviceAccountRole('platform-dev-external-dns', {
        namespace: 'external-dns',
        serviceAccount: 'external-dns',
        managedPolicyArns: [`${POLICY}/AmazonRoute53ReadOnlyAccess`],
        policy: JSON.stringify({ Version: '2012-10-17', Statement: [] }),
      }),
    );
    const issuer = String(run.ofType(OIDC)[0]?.inputs.url).replace('https://', '');
    const providerArn = run.ofType(OIDC)[0]?.state.arn;
    const cases = [
      { role: 'platform-dev-external-dns', subject: 'system:serviceaccount:external-dns:external-dns' },
      { role: 'platform-dev-vpc-cni', subject: 'system:serviceaccount:kube-system:aws-node' },
      { role: 'platform-dev-ebs-csi', subject: 'system:serviceaccount:kube-system:ebs-csi-controller-sa' },
    ];
    for (const { role, subject } of cases) {
      const trust = parsePolicy(run.named(ROLE, role).inputs.assumeRolePolicy);
      expect(trust.Statement).toEqual([
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRoleWithWebIdentity',
          Principal: { Federated: providerArn },
          Condition: { StringEquals: { [`${issuer}:sub`]: subject, [`${issuer}:aud`]: 'sts.amazonaws.com' } },
        },
      ]);
    }
    const externalDns = run.named(ROLE, 'platform-dev-external-dns');
    expect(attachedPolicies(run, String(externalDns.state.name))).toEqual([
      `${POLICY}/AmazonRoute53ReadOnlyAccess`,
    ]);
    const inline = run
      .ofType('aws:iam/rolePolicy:RolePolicy')
      .filter((p) => p.inputs.role === externalDns.state.name);
    expect(inline).toHaveLength(1);
  });
});

describe('EksCluster nodes', () => {
  let prod: ClusterRun;
  beforeAll(async () => {
    prod = await eksCluster(
      settings(PROD, {
        cluster: {
          nodeGroups: [
            { name: 'general', instanceTypes: ['m6i.large', 'm6a.large'], diskSizeGiB: 80 },
            {
              name: 'graviton',
              instanceTypes: ['m7g.large', 'c6g.xlarge'],
              capacityType: 'SPOT',
              minSize: 1,
              desiredSize: 1,
              maxSize: 3,
            },
          ],
        },
      }),
    );
  });

  test('gives each node group a launch template with our node group, IMDSv2 at one hop and an encrypted gp3 root', () => {
    const templates = prod.run.ofType(LAUNCH_TEMPLATE);
    expect(templates.map((t) => t.name).sort()).toEqual([
      'platform-prod-node-lt-general',
      'platform-prod-node-lt-graviton',
    ]);
    for (const template of templates) {
      expect(template.inputs.vpcSecurityGroupIds).toEqual([NODE_SG]);
      expect(template.inputs.metadataOptions).toEqual({
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: 'disabled',
      });
      const tagged = (
        template.inputs.tagSpecifications as { resourceType: string; tags: Record<string, string> }[]
      ).map((spec) => spec.resourceType);
      expect(tagged).toEqual(['instance', 'volume', 'network-interface']);
    }
    const general = prod.run.named(LAUNCH_TEMPLATE, 'platform-prod-node-lt-general');
    expect(general.inputs.blockDeviceMappings).toEqual([
      {
        deviceName: '/dev/xvda',
        ebs: { volumeSize: 80, volumeType: 'gp3', encrypted: 'true', deleteOnTermination: 'true' },
      },
    ]);
  });

  test('declares one managed node group per configured group in the private subnets', () => {
    const groups = prod.run.ofType(NODE_GROUP);
    expect(groups).toHaveLength(2);
    const template = prod.run.named(LAUNCH_TEMPLATE, 'platform-prod-node-lt-graviton');
    expect(prod.run.named(NODE_GROUP, 'platform-prod-nodes-graviton').inputs).toMatchObject({
      clusterName: 'platform-prod',
      version: '1.34',
      subnetIds: PRIVATE_SUBNETS,
      amiType: 'AL2023_ARM_64_STANDARD',
      capacityType: 'SPOT',
      instanceTypes: ['m7g.large', 'c6g.xlarge'],
      scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 3 },
      updateConfig: { maxUnavailable: 1 },
      launchTemplate: { id: template.id, version: '1' },
    });
    expect(prod.run.named(NODE_GROUP, 'platform-prod-nodes-general').inputs).toMatchObject({
      amiType: 'AL2023_x86_64_STANDARD',
      capacityType: 'ON_DEMAND',
    });
    // With a launch template, the disk size belongs to the template; EKS rejects it on the group.
    expect(groups.every((g) => g.inputs.diskSize === undefined)).toBe(true);
  });

  test('gives nodes a role for joining, pulling images and SSM, but not the CNI policy', () => {
    const role = prod.run.named(ROLE, 'platform-prod-node-role');
    expect(parsePolicy(role.inputs.assumeRolePolicy).Statement[0]?.Principal).toEqual({
      Service: 'ec2.amazonaws.com',
    });
    expect(attachedPolicies(prod.run, String(role.state.name))).toEqual([
      `${POLICY}/AmazonEC2ContainerRegistryPullOnly`,
      `${POLICY}/AmazonEKSWorkerNodePolicy`,
      `${POLICY}/AmazonSSMManagedInstanceCore`,
    ]);
    for (const group of prod.run.ofType(NODE_GROUP)) expect(group.inputs.nodeRoleArn).toBe(role.state.arn);
  });

  test.each([
    { instanceTypes: ['m6i.large'], amiType: 'AL2023_x86_64_STANDARD' },
    { instanceTypes: ['c5.xlarge', 'r5a.large', 'm7i-flex.large'], amiType: 'AL2023_x86_64_STANDARD' },
    { instanceTypes: ['g5.xlarge'], amiType: 'AL2023_x86_64_STANDARD' },
    { instanceTypes: ['m7g.large'], amiType: 'AL2023_ARM_64_STANDARD' },
    {
      instanceTypes: ['c6g.large', 'r6g.xlarge', 'm6gd.large', 'c7gn.large', 'r8g.large'],
      amiType: 'AL2023_ARM_64_STANDARD',
    },
    { instanceTypes: ['a1.large'], amiType: 'AL2023_ARM_64_STANDARD' },
  ])('$instanceTypes runs $amiType', ({ instanceTypes, amiType }) => {
    expect(amiTypeFor({ name: 'group', instanceTypes })).toBe(amiType);
  });

  test('refuses a node group that mixes architectures, naming the types', async () => {
    expect(() => amiTypeFor({ name: 'mixed', instanceTypes: ['m6i.large', 'm7g.large'] })).toThrow(
      /node group mixed mixes architectures: m7g\.large \(arm64\) and m6i\.large \(x86_64\)/,
    );
    const mixed = settings(DEV, {
      cluster: { nodeGroups: [{ name: 'mixed', instanceTypes: ['m6i.large', 'c6g.large'] }] },
    });
    await expect(eksCluster(mixed)).rejects.toThrow(/mixes architectures/);
  });
});

describe('EksCluster add-ons', () => {
  const cases: {
    title: string;
    podSecurityGroups: { enabled: boolean; enforcingMode?: 'standard' | 'strict' };
    expected: VpcCniConfiguration;
  }[] = [
    {
      title: 'pod security groups off',
      podSecurityGroups: { enabled: false },
      expected: { enableNetworkPolicy: 'true' },
    },
    {
      title: 'pod security groups in standard mode',
      podSecurityGroups: { enabled: true, enforcingMode: 'standard' },
      expected: {
        enableNetworkPolicy: 'true',
        env: { ENABLE_POD_ENI: 'true', POD_SECURITY_GROUP_ENFORCING_MODE: 'standard' },
      },
    },
    {
      title: 'pod security groups in strict mode',
      podSecurityGroups: { enabled: true, enforcingMode: 'strict' },
      expected: {
        enableNetworkPolicy: 'true',
        env: { ENABLE_POD_ENI: 'true', POD_SECURITY_GROUP_ENFORCING_MODE: 'strict' },
        init: { env: { DISABLE_TCP_EARLY_DEMUX: 'true' } },
      },
    },
  ];

  test.each(cases)('vpc-cni configuration with $title', async ({ podSecurityGroups, expected }) => {
    const config = settings(PROD, { podSecurityGroups });
    expect(vpcCniConfiguration(config.podSecurityGroups)).toEqual(expected);
    const { run } = await eksCluster(config);
    const vpcCni = run.ofType(ADDON).filter((a) => a.inputs.addonName === 'vpc-cni');
    expect(vpcCni).toHaveLength(1);
    expect(JSON.parse(String(vpcCni[0]?.inputs.configurationValues))).toEqual(expected);
  });

  let dev: ClusterRun;
  beforeAll(async () => {
    dev = await eksCluster(settings(DEV));
  });

  test('installs the five add-ons at the configured versions, replacing the defaults EKS installs', () => {
    const addons = dev.run.ofType(ADDON);
    const versions = Object.fromEntries(addons.map((a) => [a.inputs.addonName, a.inputs.addonVersion]));
    expect(versions).toEqual({
      'vpc-cni': dev.config.cluster.addons.vpcCni,
      'kube-proxy': dev.config.cluster.addons.kubeProxy,
      coredns: dev.config.cluster.addons.coredns,
      'aws-ebs-csi-driver': dev.config.cluster.addons.ebsCsi,
      'metrics-server': dev.config.cluster.addons.metricsServer,
    });
    for (const addon of addons) {
      expect(addon.inputs).toMatchObject({
        clusterName: 'platform-dev',
        resolveConflictsOnCreate: 'OVERWRITE',
        resolveConflictsOnUpdate: 'OVERWRITE',
      });
    }
  });

  test('gives vpc-cni and the EBS CSI driver their own IRSA roles with their AWS policies', () => {
    const roleOf = (addonName: string) => {
      const addon = dev.run.ofType(ADDON).find((a) => a.inputs.addonName === addonName);
      const role = dev.run.ofType(ROLE).find((r) => r.state.arn === addon?.inputs.serviceAccountRoleArn);
      if (!role) throw new Error(`${addonName} has no role of this stack`);
      return String(role.state.name);
    };
    expect(attachedPolicies(dev.run, roleOf('vpc-cni'))).toEqual([`${POLICY}/AmazonEKS_CNI_Policy`]);
    expect(attachedPolicies(dev.run, roleOf('aws-ebs-csi-driver'))).toEqual([
      `${POLICY}/service-role/AmazonEBSCSIDriverPolicy`,
    ]);
  });

  test('creates vpc-cni before the node groups, and coredns, the EBS CSI driver and metrics-server after them', () => {
    const vpcCni = registration(dev.declared, ADDON, 'platform-dev-addon-vpc-cni');
    const nodeGroups = dev.declared.filter((r) => r.type === NODE_GROUP);
    expect(nodeGroups).toHaveLength(1);
    for (const group of nodeGroups) expect(dependsOn(group)).toContain(vpcCni.resource);
    for (const after of ['coredns', 'ebs-csi', 'metrics-server']) {
      const addon = registration(dev.declared, ADDON, `platform-dev-addon-${after}`);
      for (const group of nodeGroups) expect(dependsOn(addon)).toContain(group.resource);
    }
    // The engine saw the same order: registrations wait for their dependencies.
    const order = dev.run.resources.map((r) => `${r.type} ${r.name}`);
    const position = (type: string, name: string) => order.indexOf(`${type} ${name}`);
    expect(position(ADDON, 'platform-dev-addon-vpc-cni')).toBeGreaterThanOrEqual(0);
    expect(position(ADDON, 'platform-dev-addon-vpc-cni')).toBeLessThan(
      position(NODE_GROUP, 'platform-dev-nodes-general'),
    );
    expect(position(NODE_GROUP, 'platform-dev-nodes-general')).toBeLessThan(
      position(ADDON, 'platform-dev-addon-coredns'),
    );
  });

  test('vpc-cni waits for its role policy, so aws-node never starts without its permissions', () => {
    const vpcCni = registration(dev.declared, ADDON, 'platform-dev-addon-vpc-cni');
    const cniPolicy = dev.declared.find(
      (r) => r.type === ATTACHMENT && r.name.startsWith('platform-dev-vpc-cni-'),
    );
    expect(cniPolicy).toBeDefined();
    expect(dependsOn(vpcCni)).toContain(cniPolicy?.resource);
  });

  test('reports workloads ready only with every node group and add-on', () => {
    const ready = dev.run.result.workloadsReady;
    const expected = dev.declared
      .filter((r) => r.type === NODE_GROUP || r.type === ADDON)
      .map((r) => r.resource);
    expect(expected).toHaveLength(6);
    expect(new Set(ready)).toEqual(new Set(expected));
  });
});
