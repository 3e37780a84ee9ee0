import type {
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from '@pulumi/policy';
import { policies } from '../src/policy/policies';
import {
  documentDbProtection,
  ecrRepositoryHardening,
  eksControlPlane,
  flowLogsAndRetention,
  interfaceEndpointPrivateDns,
  isolatedRouteTables,
  isolatedStandaloneRoutes,
  noInternetIngress,
  podEniInstanceTypes,
  securityGroupRuleDescriptions,
  TYPES,
  vpcCniConfiguration,
  type Props,
  type ResourceRule,
  type StackResource,
} from '../src/policy/rules';

/** A case: the resource, and the messages expected (none for a compliant resource). */
interface Case {
  title: string;
  type: string;
  props: Props;
  name?: string;
  violations: string[];
}

function expectViolations(rule: ResourceRule, { type, props, name, violations }: Case): void {
  const found = rule(type, props, name);
  expect(found).toHaveLength(violations.length);
  violations.forEach((expected, index) => expect(found[index]).toContain(expected));
}

const ingressRule = (props: Props): Props => ({
  securityGroupId: 'sg-0123456789abcdef0',
  ipProtocol: 'tcp',
  description: 'clients',
  ...props,
});

describe('(a) no-internet-ingress', () => {
  const LB = 'platform-prod-load-balancer-in-tcp-443-from-0-0-0-0-0';
  const NODES = 'platform-prod-nodes-in-tcp-22-from-0-0-0-0-0';
  const open = "only the load balancer's group may be open to the internet";
  it.each<Case>([
    {
      title: 'load balancer rule, 443 from anywhere',
      type: TYPES.ingressRule,
      name: LB,
      props: ingressRule({ cidrIpv4: '0.0.0.0/0', fromPort: 443, toPort: 443 }),
      violations: [],
    },
    {
      title: 'load balancer rule, 80 from ::/0',
      type: TYPES.ingressRule,
      name: 'platform-prod-load-balancer-in-tcp-80-from-v6',
      props: ingressRule({ cidrIpv6: '::/0', fromPort: 80, toPort: 80 }),
      violations: [],
    },
    {
      title: 'load balancer recognised by its Name tag',
      type: TYPES.ingressRule,
      name: 'rule-1',
      props: ingressRule({
        cidrIpv4: '0.0.0.0/0',
        fromPort: 443,
        toPort: 443,
        tags: { Name: 'prod-lb-https' },
      }),
      violations: [],
    },
    {
      title: 'load balancer group recognised by its role tag',
      type: TYPES.securityGroup,
      name: 'edge',
      props: {
        name: 'edge',
        tags: { 'platform:security-group': 'loadBalancer' },
        ingress: [
          { protocol: 'tcp', fromPort: 80, toPort: 80, cidrBlocks: ['0.0.0.0/0'], description: 'http' },
        ],
      },
      violations: [],
    },
    {
      title: 'load balancer rule, 22 from anywhere',
      type: TYPES.ingressRule,
      name: LB,
      props: ingressRule({ cidrIpv4: '0.0.0.0/0', fromPort: 22, toPort: 22 }),
      violations: [`ingress rule admits 0.0.0.0/0 on tcp 22: ${open}`],
    },
    {
      title: 'load balancer rule, a port range around 443',
      type: TYPES.ingressRule,
      name: LB,
      props: ingressRule({ cidrIpv4: '0.0.0.0/0', fromPort: 80, toPort: 443 }),
      violations: ['ingress rule admits 0.0.0.0/0 on tcp 80-443'],
    },
    {
      title: 'load balancer rule, all protocols',
      type: TYPES.ingressRule,
      name: LB,
      props: ingressRule({ cidrIpv4: '0.0.0.0/0', ipProtocol: '-1' }),
      violations: ['ingress rule admits 0.0.0.0/0 on all ports'],
    },
    {
      title: 'node rule, 443 from anywhere',
      type: TYPES.ingressRule,
      name: 'platform-prod-nodes-in-tcp-443-from-0-0-0-0-0',
      props: ingressRule({ cidrIpv4: '0.0.0.0/0', fromPort: 443, toPort: 443 }),
      violations: [`ingress rule admits 0.0.0.0/0 on tcp 443: ${open}`],
    },
    {
      title: 'node rule from the VPC',
      type: TYPES.ingressRule,
      name: NODES,
      props: ingressRule({ cidrIpv4: '10.0.0.0/16', fromPort: 22, toPort: 22 }),
      violations: [],
    },
    {
      title: 'node rule from another group',
      type: TYPES.ingressRule,
      name: NODES,
      props: ingressRule({ referencedSecurityGroupId: 'sg-0aaaaaaaaaaaaaaaa', fromPort: 8080, toPort: 8080 }),
      violations: [],
    },
    {
      title: 'SecurityGroupRule ingress from ::/0',
      type: TYPES.securityGroupRule,
      name: 'platform-prod-nodes-ssh',
      props: { type: 'ingress', protocol: 'tcp', fromPort: 22, toPort: 22, ipv6CidrBlocks: ['::/0'] },
      violations: ['ingress rule admits ::/0 on tcp 22'],
    },
    {
      title: 'SecurityGroupRule egress to anywhere is not ingress',
      type: TYPES.securityGroupRule,
      name: 'platform-prod-nodes-out',
      props: { type: 'egress', protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'] },
      violations: [],
    },
    {
      title: 'inline ingress of a node group',
      type: TYPES.securityGroup,
      name: 'platform-prod-nodes',
      props: {
        name: 'platform-prod-nodes',
        ingress: [
          { protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['10.0.0.0/16'], description: 'vpc' },
          { protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'], description: 'world' },
        ],
      },
      violations: ['inline ingress rule 1 admits 0.0.0.0/0 on tcp 443'],
    },
    {
      title: 'inline ingress of the load balancer group',
      type: TYPES.securityGroup,
      name: 'platform-prod-load-balancer',
      props: {
        name: 'platform-prod-load-balancer',
        ingress: [
          { protocol: 'tcp', fromPort: 443, toPort: 443, cidrBlocks: ['0.0.0.0/0'], description: 'https' },
        ],
      },
      violations: [],
    },
    {
      title: 'inline ingress of the default group',
      type: TYPES.defaultSecurityGroup,
      name: 'platform-prod-default-sg',
      props: { ingress: [{ protocol: '-1', fromPort: 0, toPort: 0, cidrBlocks: ['0.0.0.0/0'] }] },
      violations: ['inline ingress rule 0 admits 0.0.0.0/0 on all ports'],
    },
    {
      title: 'other resource types',
      type: TYPES.routeTable,
      props: { routes: [{ cidrBlock: '0.0.0.0/0', gatewayId: 'igw-1' }] },
      violations: [],
    },
  ])('$title', (testCase) => expectViolations(noInternetIngress, testCase));
});

describe('(b) security-group-rule-descriptions', () => {
  const missing = 'has no description: say which traffic it admits and why';
  it.each<Case>([
    {
      title: 'ingress rule with a description',
      type: TYPES.ingressRule,
      props: ingressRule({}),
      violations: [],
    },
    {
      title: 'ingress rule without one',
      type: TYPES.ingressRule,
      props: { securityGroupId: 'sg-1', ipProtocol: 'tcp' },
      violations: [`security group rule ${missing}`],
    },
    {
      title: 'egress rule with an empty one',
      type: TYPES.egressRule,
      props: { securityGroupId: 'sg-1', ipProtocol: 'tcp', description: '' },
      violations: [`security group rule ${missing}`],
    },
    {
      title: 'SecurityGroupRule without one',
      type: TYPES.securityGroupRule,
      props: { type: 'egress', protocol: 'tcp', fromPort: 53, toPort: 53 },
      violations: [`security group rule ${missing}`],
    },
    {
      title: 'inline rules, one of each direction undescribed',
      type: TYPES.securityGroup,
      props: {
        ingress: [{ protocol: 'tcp', fromPort: 1, toPort: 1, description: 'ok' }, { protocol: 'tcp' }],
        egress: [{ protocol: '-1' }],
      },
      violations: [`inline ingress rule 1 ${missing}`, `inline egress rule 0 ${missing}`],
    },
    {
      title: 'a group without inline rules',
      type: TYPES.securityGroup,
      props: { name: 'platform-prod-nodes', egress: [] },
      violations: [],
    },
  ])('$title', (testCase) => expectViolations(securityGroupRuleDescriptions, testCase));
});

describe('(c) isolated-route-tables', () => {
  const table = (tier: string, routes: unknown[]): Props => ({
    vpcId: 'vpc-1',
    routes,
    tags: { 'platform:tier': tier },
  });
  it.each<Case>([
    {
      title: 'database table without routes',
      type: TYPES.routeTable,
      props: table('database', []),
      violations: [],
    },
    {
      title: 'database table routing through NAT',
      type: TYPES.routeTable,
      props: table('database', [{ cidrBlock: '0.0.0.0/0', natGatewayId: 'nat-1' }]),
      violations: [
        'database route table routes 0.0.0.0/0 elsewhere: database subnets must reach nothing beyond the VPC',
      ],
    },
    {
      title: 'database table routing to a peered network',
      type: TYPES.routeTable,
      props: table('database', [{ cidrBlock: '172.16.0.0/12', vpcPeeringConnectionId: 'pcx-1' }]),
      violations: ['database route table routes 172.16.0.0/12 elsewhere'],
    },
    {
      title: 'private table through NAT',
      type: TYPES.routeTable,
      props: table('private', [{ cidrBlock: '0.0.0.0/0', natGatewayId: 'nat-1' }]),
      violations: [],
    },
    {
      title: 'private table through the internet gateway',
      type: TYPES.routeTable,
      props: table('private', [{ cidrBlock: '0.0.0.0/0', gatewayId: 'igw-0abc' }]),
      violations: ['private route table sends 0.0.0.0/0 to internet gateway igw-0abc'],
    },
    {
      title: 'public table through the internet gateway',
      type: TYPES.routeTable,
      props: table('public', [{ cidrBlock: '0.0.0.0/0', gatewayId: 'igw-0abc' }]),
      violations: [],
    },
    {
      title: 'other resource types',
      type: TYPES.route,
      props: { routeTableId: 'rtb-1', gatewayId: 'igw-1' },
      violations: [],
    },
  ])('$title', (testCase) => expectViolations(isolatedRouteTables, testCase));

  const tableResource = (tier: string): StackResource => ({
    type: TYPES.routeTable,
    name: `${tier}-rt`,
    urn: `urn:${tier}-rt`,
    props: { tags: { 'platform:tier': tier } },
  });
  const route = (table: StackResource, props: Props): StackResource => ({
    type: TYPES.route,
    name: `route-to-${table.name}`,
    urn: `urn:route-to-${table.name}`,
    props: { routeTableId: 'rtb-1', ...props },
    propertyDependencies: { routeTableId: [table] },
  });

  it.each([
    {
      title: 'a route added to the database table',
      resources: [
        route(tableResource('database'), { destinationCidrBlock: '0.0.0.0/0', natGatewayId: 'nat-1' }),
      ],
      expected: [
        {
          message: 'route route-to-database-rt: database route table routes 0.0.0.0/0 elsewhere',
          urn: 'urn:route-to-database-rt',
        },
      ],
    },
    {
      title: 'an internet route added to a private table',
      resources: [route(tableResource('private'), { destinationCidrBlock: '0.0.0.0/0', gatewayId: 'igw-9' })],
      expected: [{ message: 'to internet gateway igw-9', urn: 'urn:route-to-private-rt' }],
    },
    {
      title: 'a NAT route added to a private table',
      resources: [
        route(tableResource('private'), { destinationCidrBlock: '0.0.0.0/0', natGatewayId: 'nat-1' }),
      ],
      expected: [],
    },
  ])('standalone routes: $title', ({ resources, expected }) => {
    const found = isolatedStandaloneRoutes(resources);
    expect(found).toHaveLength(expected.length);
    expected.forEach((violation, index) => {
      expect(found[index]?.message).toContain(violation.message);
      expect(found[index]?.urn).toBe(violation.urn);
    });
  });
});

describe('(d) eks-control-plane', () => {
  const compliant: Props = {
    name: 'platform-prod',
    encryptionConfig: {
      resources: ['secrets'],
      provider: { keyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1' },
    },
    vpcConfig: { endpointPrivateAccess: true, endpointPublicAccess: false, subnetIds: ['subnet-1'] },
    enabledClusterLogTypes: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
  };
  const vpc = (vpcConfig: Props): Props => ({ ...compliant, vpcConfig });
  it.each<Case>([
    { title: 'private cluster', type: TYPES.eksCluster, props: compliant, violations: [] },
    {
      title: 'public endpoint limited to an office network',
      type: TYPES.eksCluster,
      props: vpc({
        endpointPrivateAccess: true,
        endpointPublicAccess: true,
        publicAccessCidrs: ['203.0.113.0/24'],
      }),
      violations: [],
    },
    {
      title: 'no secrets encryption',
      type: TYPES.eksCluster,
      props: { ...compliant, encryptionConfig: undefined },
      violations: ['secrets encryption is not configured'],
    },
    {
      title: 'encryption of something other than secrets',
      type: TYPES.eksCluster,
      props: { ...compliant, encryptionConfig: { resources: [], provider: { keyArn: 'arn:aws:kms:x' } } },
      violations: ['secrets encryption is not configured'],
    },
    {
      title: 'no private endpoint',
      type: TYPES.eksCluster,
      props: vpc({ endpointPrivateAccess: false, endpointPublicAccess: false }),
      violations: ['endpointPrivateAccess is not true'],
    },
    {
      title: 'public endpoint open to the internet',
      type: TYPES.eksCluster,
      props: vpc({
        endpointPrivateAccess: true,
        endpointPublicAccess: true,
        publicAccessCidrs: ['0.0.0.0/0'],
      }),
      violations: ['the public API endpoint is open to 0.0.0.0/0'],
    },
    {
      title: 'public endpoint left to the AWS default',
      type: TYPES.eksCluster,
      props: vpc({ endpointPrivateAccess: true }),
      violations: ['the public API endpoint is open to 0.0.0.0/0'],
    },
    {
      title: 'log types missing',
      type: TYPES.eksCluster,
      props: { ...compliant, enabledClusterLogTypes: ['api', 'authenticator'] },
      violations: ['control-plane log types not enabled: audit, controllerManager, scheduler'],
    },
  ])('$title', (testCase) => expectViolations(eksControlPlane, testCase));
});

describe('(e) vpc-cni-network-policy', () => {
  const addon = (configuration: unknown, addonName = 'vpc-cni'): Props => ({
    clusterName: 'platform-prod',
    addonName,
    configurationValues: typeof configuration === 'string' ? configuration : JSON.stringify(configuration),
  });
  it.each<Case>([
    {
      title: 'network policies on',
      type: TYPES.eksAddon,
      props: addon({ enableNetworkPolicy: 'true' }),
      violations: [],
    },
    {
      title: 'pod ENIs in standard mode',
      type: TYPES.eksAddon,
      props: addon({
        enableNetworkPolicy: 'true',
        env: { ENABLE_POD_ENI: 'true', POD_SECURITY_GROUP_ENFORCING_MODE: 'standard' },
      }),
      violations: [],
    },
    {
      title: 'pod ENIs in strict mode with early demux disabled',
      type: TYPES.eksAddon,
      props: addon({
        enableNetworkPolicy: 'true',
        env: { ENABLE_POD_ENI: 'true', POD_SECURITY_GROUP_ENFORCING_MODE: 'strict' },
        init: { env: { DISABLE_TCP_EARLY_DEMUX: 'true' } },
      }),
      violations: [],
    },
    {
      title: 'network policies off',
      type: TYPES.eksAddon,
      props: addon({ enableNetworkPolicy: 'false' }),
      violations: ['vpc-cni enableNetworkPolicy is "false", not "true"'],
    },
    {
      title: 'network policies as a boolean',
      type: TYPES.eksAddon,
      props: addon({ enableNetworkPolicy: true }),
      violations: ['vpc-cni enableNetworkPolicy is true, not "true"'],
    },
    {
      title: 'no configuration at all',
      type: TYPES.eksAddon,
      props: { clusterName: 'platform-prod', addonName: 'vpc-cni' },
      violations: ['vpc-cni configurationValues are not set: enableNetworkPolicy must be "true"'],
    },
    {
      title: 'configuration that is not JSON',
      type: TYPES.eksAddon,
      props: addon('enableNetworkPolicy: true'),
      violations: ['vpc-cni configurationValues are not valid JSON'],
    },
    {
      title: 'pod ENIs without an enforcing mode',
      type: TYPES.eksAddon,
      props: addon({ enableNetworkPolicy: 'true', env: { ENABLE_POD_ENI: 'true' } }),
      violations: ['POD_SECURITY_GROUP_ENFORCING_MODE is not set: it must be "standard" or "strict"'],
    },
    {
      title: 'strict mode with early demux left on',
      type: TYPES.eksAddon,
      props: addon({
        enableNetworkPolicy: 'true',
        env: { ENABLE_POD_ENI: 'true', POD_SECURITY_GROUP_ENFORCING_MODE: 'strict' },
      }),
      violations: ['strict enforcing mode needs init env DISABLE_TCP_EARLY_DEMUX "true"'],
    },
    {
      title: 'another add-on',
      type: TYPES.eksAddon,
      props: addon({}, 'coredns'),
      violations: [],
    },
  ])('$title', (testCase) => expectViolations(vpcCniConfiguration, testCase));
});

describe('(f) pod-eni-node-instance-types', () => {
  const cni = (podEni: boolean, clusterName = 'platform-prod'): StackResource => ({
    type: TYPES.eksAddon,
    name: 'vpc-cni',
    urn: 'urn:vpc-cni',
    props: {
      clusterName,
      addonName: 'vpc-cni',
      configurationValues: JSON.stringify({
        enableNetworkPolicy: 'true',
        ...(podEni ? { env: { ENABLE_POD_ENI: 'true', POD_SECURITY_GROUP_ENFORCING_MODE: 'standard' } } : {}),
      }),
    },
  });
  const group = (name: string, props: Props, dependencies: StackResource[] = []): StackResource => ({
    type: TYPES.nodeGroup,
    name,
    urn: `urn:${name}`,
    props: { clusterName: 'platform-prod', ...props },
    dependencies,
  });
  const template = (instanceType: string): StackResource => ({
    type: TYPES.launchTemplate,
    name: 'lt',
    urn: 'urn:lt',
    props: { instanceType },
  });

  it.each([
    {
      title: 'Nitro nodes with pod ENIs',
      resources: [cni(true), group('general', { instanceTypes: ['m6i.large', 'c7g.xlarge'] })],
      expected: [],
    },
    {
      title: 'burstable nodes without pod ENIs',
      resources: [cni(false), group('general', { instanceTypes: ['t3.large'] })],
      expected: [],
    },
    {
      title: 'burstable nodes with pod ENIs',
      resources: [cni(true), group('general', { instanceTypes: ['m6i.large', 't3.large'] })],
      expected: [{ urn: 'urn:general', message: 'node group general uses t3.large (no trunk ENI)' }],
    },
    {
      title: 'a Xen-generation type from the launch template',
      resources: [cni(true), group('general', { instanceTypes: [] }, [template('m4.large')])],
      expected: [{ urn: 'urn:general', message: 'uses m4.large (no trunk ENI)' }],
    },
    {
      title: 'no instance type anywhere (EKS picks t3.medium)',
      resources: [cni(true), group('general', {})],
      expected: [{ urn: 'urn:general', message: 'uses t3.medium (no trunk ENI)' }],
    },
    {
      title: 'burstable nodes of another cluster',
      resources: [cni(true), group('other', { clusterName: 'platform-dev', instanceTypes: ['t3.large'] })],
      expected: [],
    },
    {
      title: 'bare-metal instances of an otherwise unsupported family',
      resources: [cni(true), group('metal', { instanceTypes: ['i3.metal'] })],
      expected: [],
    },
  ])('$title', ({ resources, expected }) => {
    const found = podEniInstanceTypes(resources);
    expect(found).toHaveLength(expected.length);
    expected.forEach((violation, index) => {
      expect(found[index]?.urn).toBe(violation.urn);
      expect(found[index]?.message).toContain(violation.message);
      expect(found[index]?.message).toContain('vpc-cni sets ENABLE_POD_ENI "true"');
    });
  });
});

describe('(g) flow-logs-and-log-retention', () => {
  const flowLog = (props: Props): Props => ({
    vpcId: 'vpc-1',
    logDestinationType: 'cloud-watch-logs',
    ...props,
  });
  it.each<Case>([
    {
      title: 'all traffic every minute',
      type: TYPES.flowLog,
      props: flowLog({ trafficType: 'ALL', maxAggregationInterval: 60 }),
      violations: [],
    },
    {
      title: 'rejected traffic only',
      type: TYPES.flowLog,
      props: flowLog({ trafficType: 'REJECT', maxAggregationInterval: 60 }),
      violations: ['flow log trafficType is "REJECT", not "ALL"'],
    },
    {
      title: 'default aggregation interval',
      type: TYPES.flowLog,
      props: flowLog({ trafficType: 'ALL' }),
      violations: ['flow log maxAggregationInterval is not set (AWS default 600), not 60 seconds'],
    },
    {
      title: 'log group with retention',
      type: TYPES.logGroup,
      props: { name: '/platform/flow-logs', retentionInDays: 14 },
      violations: [],
    },
    {
      title: 'log group kept forever',
      type: TYPES.logGroup,
      props: { name: '/platform/flow-logs' },
      violations: ['log group has no retentionInDays'],
    },
    {
      title: 'log group with retention 0 (never expire)',
      type: TYPES.logGroup,
      props: { name: '/platform/flow-logs', retentionInDays: 0 },
      violations: ['log group has no retentionInDays'],
    },
  ])('$title', (testCase) => expectViolations(flowLogsAndRetention, testCase));
});

describe('(h) documentdb-protection', () => {
  const cluster = (props: Props): Props => ({
    clusterIdentifier: 'platform-prod',
    engine: 'docdb',
    ...props,
  });
  const parameters = (value?: string): Props => ({
    family: 'docdb5.0',
    parameters: value === undefined ? [] : [{ name: 'tls', value, applyMethod: 'pending-reboot' }],
  });
  it.each<Case>([
    {
      title: 'encrypted and backed up',
      type: TYPES.docdbCluster,
      props: cluster({ storageEncrypted: true, backupRetentionPeriod: 7 }),
      violations: [],
    },
    {
      title: 'unencrypted',
      type: TYPES.docdbCluster,
      props: cluster({ backupRetentionPeriod: 7 }),
      violations: ['DocumentDB storageEncrypted is not true'],
    },
    {
      title: 'no backups kept',
      type: TYPES.docdbCluster,
      props: cluster({ storageEncrypted: true, backupRetentionPeriod: 0 }),
      violations: ['DocumentDB backupRetentionPeriod is 0: keep at least 1 day of backups'],
    },
    { title: 'tls enabled', type: TYPES.docdbParameterGroup, props: parameters('enabled'), violations: [] },
    { title: 'tls 1.3 only', type: TYPES.docdbParameterGroup, props: parameters('tls1.3+'), violations: [] },
    {
      title: 'tls disabled',
      type: TYPES.docdbParameterGroup,
      props: parameters('disabled'),
      violations: ['DocumentDB parameter tls is "disabled": clients must connect with TLS'],
    },
    {
      title: 'tls not set',
      type: TYPES.docdbParameterGroup,
      props: parameters(),
      violations: ['DocumentDB parameter group does not set tls'],
    },
  ])('$title', (testCase) => expectViolations(documentDbProtection, testCase));
});

describe('(i) ecr-repository-hardening', () => {
  it.each<Case>([
    {
      title: 'scanned and immutable',
      type: TYPES.ecrRepository,
      props: { imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: true } },
      violations: [],
    },
    {
      title: 'not scanned',
      type: TYPES.ecrRepository,
      props: { imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: false } },
      violations: ['ECR imageScanningConfiguration.scanOnPush is not true'],
    },
    {
      title: 'mutable tags',
      type: TYPES.ecrRepository,
      props: { imageTagMutability: 'MUTABLE', imageScanningConfiguration: { scanOnPush: true } },
      violations: ['ECR imageTagMutability is "MUTABLE", not "IMMUTABLE"'],
    },
    {
      title: 'nothing set',
      type: TYPES.ecrRepository,
      props: {},
      violations: [
        'ECR imageScanningConfiguration.scanOnPush is not true',
        'ECR imageTagMutability is not set (AWS default "MUTABLE"), not "IMMUTABLE"',
      ],
    },
  ])('$title', (testCase) => expectViolations(ecrRepositoryHardening, testCase));
});

describe('(j) interface-endpoint-private-dns', () => {
  const endpoint = (props: Props): Props => ({
    vpcId: 'vpc-1',
    serviceName: 'com.amazonaws.eu-west-1.sts',
    ...props,
  });
  it.each<Case>([
    {
      title: 'interface endpoint with private DNS',
      type: TYPES.vpcEndpoint,
      props: endpoint({ vpcEndpointType: 'Interface', privateDnsEnabled: true }),
      violations: [],
    },
    {
      title: 'interface endpoint without',
      type: TYPES.vpcEndpoint,
      props: endpoint({ vpcEndpointType: 'Interface' }),
      violations: ['interface endpoint for com.amazonaws.eu-west-1.sts has privateDnsEnabled off'],
    },
    {
      title: 'gateway endpoint (no DNS of its own)',
      type: TYPES.vpcEndpoint,
      props: endpoint({ vpcEndpointType: 'Gateway', serviceName: 'com.amazonaws.eu-west-1.s3' }),
      violations: [],
    },
  ])('$title', (testCase) => expectViolations(interfaceEndpointPrivateDns, testCase));
});

describe('the CrossGuard policies', () => {
  const byName = (name: string) => {
    const found = policies.find((policy) => policy.name === name);
    if (!found) throw new Error(`no policy ${name}`);
    return found;
  };

  it('declares every invariant once, each mandatory', () => {
    const names = policies.map((policy) => policy.name);
    expect(names).toEqual([
      'no-internet-ingress',
      'security-group-rule-descriptions',
      'isolated-route-tables',
      'isolated-route-tables-standalone-routes',
      'eks-control-plane',
      'vpc-cni-network-policy',
      'pod-eni-node-instance-types',
      'flow-logs-and-log-retention',
      'documentdb-protection',
      'ecr-repository-hardening',
      'interface-endpoint-private-dns',
    ]);
    for (const policy of policies) expect(policy.enforcementLevel).toBe('mandatory');
  });

  it('reports a resource rule violation for the resource, and ignores other types', async () => {
    const policy = byName('ecr-repository-hardening') as ResourceValidationPolicy;
    const validate = policy.validateResource;
    if (typeof validate !== 'function') throw new Error('expected one validation function');
    const report = jest.fn();
    const args = (type: string, props: Props) =>
      ({ type, props, name: 'repo', urn: 'urn:repo' }) as unknown as ResourceValidationArgs;

    await validate(args(TYPES.ecrRepository, { imageTagMutability: 'MUTABLE' }), report);
    expect(report.mock.calls.map(([message]) => message as string)).toEqual([
      expect.stringContaining('scanOnPush is not true'),
      expect.stringContaining('imageTagMutability is "MUTABLE"'),
    ]);

    report.mockClear();
    await validate(args(TYPES.vpcEndpoint, { vpcEndpointType: 'Interface' }), report);
    expect(report).not.toHaveBeenCalled();
  });

  it('reports a stack rule violation against the offending resource', async () => {
    const policy = byName('pod-eni-node-instance-types') as StackValidationPolicy;
    const report = jest.fn();
    const resources: StackResource[] = [
      {
        type: TYPES.eksAddon,
        name: 'vpc-cni',
        urn: 'urn:vpc-cni',
        props: { addonName: 'vpc-cni', configurationValues: '{"env":{"ENABLE_POD_ENI":"true"}}' },
      },
      { type: TYPES.nodeGroup, name: 'burst', urn: 'urn:burst', props: { instanceTypes: ['t3a.xlarge'] } },
    ];
    await policy.validateStack({ resources } as unknown as StackValidationArgs, report);
    expect(report).toHaveBeenCalledTimes(1);
    expect(report).toHaveBeenCalledWith(expect.stringContaining('uses t3a.xlarge'), 'urn:burst');
  });
});
