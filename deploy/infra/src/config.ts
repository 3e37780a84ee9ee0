import { z } from 'zod';
import { cidrContains, cidrsOverlap, parseCidr } from '@platform/netpol';

/**
 * The stack's settings: every key of the `platform:` namespace in Pulumi.<stack>.yaml, validated
 * in one pass so that a stack with several mistakes reports all of them before anything is created.
 */

export class InfraConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid stack configuration:\n${problems.map((p) => `  - platform:${p}`).join('\n')}`);
    this.name = 'InfraConfigError';
  }
}

const cidr = z.string().refine(isCanonicalCidr, {
  error: 'must be an IPv4 CIDR with its host bits clear, such as 10.0.0.0/16',
});

function isCanonicalCidr(text: string): boolean {
  try {
    return parseCidr(text).text === text;
  } catch {
    return false;
  }
}
const awsId = (prefix: string) =>
  z
    .string()
    .regex(new RegExp(`^${prefix}-[0-9a-f]{8,17}$`), { error: `must be an id like ${prefix}-0abc1234` });
const name = z.string().regex(/^[a-z][a-z0-9-]{1,38}[a-z0-9]$/, {
  error: 'lower-case letters, digits and hyphens, 3-40 characters',
});

/** Retention values CloudWatch Logs accepts. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 3653];
const retentionDays = z.number().refine((d) => LOG_RETENTION_DAYS.includes(d), {
  error: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
});

const existingNetwork = z.strictObject({
  vpcId: awsId('vpc'),
  privateSubnetIds: z.array(awsId('subnet')).min(2),
  /** Missing: isolated database subnets are created in the existing VPC from databaseSubnetCidrs. */
  databaseSubnetIds: z.array(awsId('subnet')).min(2).optional(),
  /** Required when ingress is public: the existing VPC's public subnets for the load balancer. */
  publicSubnetIds: z.array(awsId('subnet')).min(2).optional(),
});

const network = z.strictObject({
  vpcCidr: cidr.default('10.0.0.0/16'),
  availabilityZoneCount: z.union([z.literal(2), z.literal(3)]).default(3),
  privateSubnetCidrs: z.array(cidr).default(['10.0.10.0/24', '10.0.20.0/24', '10.0.30.0/24']),
  databaseSubnetCidrs: z.array(cidr).default(['10.0.100.0/24', '10.0.200.0/24', '10.0.210.0/24']),
  publicSubnetCidrs: z.array(cidr).default(['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']),
  /** none: no route to the internet at all (images and AWS APIs through endpoints); single: one NAT gateway; perAz: one per zone. */
  natMode: z.enum(['none', 'single', 'perAz']).default('single'),
  /** Interface endpoints keep AWS API traffic inside the VPC; required when natMode is none. */
  interfaceEndpoints: z.boolean().default(true),
  existing: existingNetwork.optional(),
});

const nodeGroup = z.strictObject({
  name,
  instanceTypes: z
    .array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, { error: 'must be like m6i.large' }))
    .min(1),
  minSize: z.number().int().min(1).default(2),
  desiredSize: z.number().int().min(1).default(3),
  maxSize: z.number().int().min(1).default(6),
  diskSizeGiB: z.number().int().min(20).default(50),
  capacityType: z.enum(['ON_DEMAND', 'SPOT']).default('ON_DEMAND'),
});

const addonVersion = z
  .string()
  .regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, { error: 'must be like v1.20.4-eksbuild.1' });

const cluster = z.strictObject({
  version: z
    .string()
    .regex(/^1\.\d+$/, { error: 'must be like 1.34' })
    .default('1.34'),
  /** The API server is always reachable from inside the VPC; this adds a public endpoint. */
  publicEndpoint: z.boolean().default(false),
  publicEndpointCidrs: z.array(cidr).default([]),
  logTypes: z
    .array(z.enum(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']))
    .default(['api', 'audit', 'authenticator', 'controllerManager', 'scheduler']),
  logRetentionDays: retentionDays.default(30),
  nodeGroups: z
    .array(nodeGroup)
    .min(1)
    .prefault([{ name: 'general', instanceTypes: ['m6i.large'] }]),
  addons: z
    .strictObject({
      vpcCni: addonVersion.default('v1.20.4-eksbuild.1'),
      coredns: addonVersion.default('v1.12.4-eksbuild.1'),
      kubeProxy: addonVersion.default('v1.34.1-eksbuild.2'),
      ebsCsi: addonVersion.default('v1.50.1-eksbuild.1'),
      /** The resource metrics API the HorizontalPodAutoscalers scale on. */
      metricsServer: addonVersion.default('v0.8.0-eksbuild.2'),
    })
    .prefault({}),
  /** IAM roles given cluster-admin through EKS access entries (people, break-glass). */
  adminRoleArns: z.array(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/)).default([]),
});

const podSecurityGroups = z.strictObject({
  enabled: z.boolean().default(false),
  /** standard: pod groups apply to traffic leaving the node; strict: to all pod traffic. */
  enforcingMode: z.enum(['standard', 'strict']).default('standard'),
});

const database = z.strictObject({
  /** inCluster: the chart's MongoDB StatefulSet; documentdb: an Amazon DocumentDB cluster. */
  engine: z.enum(['inCluster', 'documentdb']).default('inCluster'),
  instanceClass: z
    .string()
    .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/)
    .default('db.r6g.large'),
  instances: z.number().int().min(1).max(16).default(3),
  engineVersion: z.string().default('5.0.0'),
  masterUsername: z
    .string()
    .regex(/^[a-zA-Z][a-zA-Z0-9]{0,62}$/)
    .default('platform'),
  backupRetentionDays: z.number().int().min(1).max(35).default(7),
  preferredBackupWindow: z.string().default('03:00-04:00'),
  deletionProtection: z.boolean().default(true),
  /** The RDS CA bundle (global-bundle.pem), published to the app namespaces for TLS verification. */
  caBundleFile: z.string().optional(),
});

const ingress = z.strictObject({
  /** Public: an internet-facing NLB in public subnets; otherwise an internal NLB. */
  public: z.boolean().default(true),
  /** Client CIDRs admitted by the load balancer security group on 80/443. */
  sourceCidrs: z.array(cidr).default(['0.0.0.0/0']),
  host: z.string().regex(/^[a-z0-9.-]+$/),
  grafanaHost: z.string().regex(/^[a-z0-9.-]+$/),
  prometheusHost: z.string().regex(/^[a-z0-9.-]+$/),
});

const tls = z.strictObject({
  email: z.email(),
  /** http01: answered through the ingress; dns01: TXT records in Route 53, through IRSA. */
  challenge: z.enum(['http01', 'dns01']).default('http01'),
  route53ZoneId: z
    .string()
    .regex(/^Z[A-Z0-9]{4,32}$/)
    .optional(),
});

const monitoring = z.strictObject({
  prometheusRetention: z
    .string()
    .regex(/^\d+[dhw]$/)
    .default('15d'),
  prometheusStorageGiB: z.number().int().min(10).default(50),
  /** Namespaces Prometheus selects ServiceMonitors and PrometheusRules in, by this label. */
  serviceMonitorLabel: z.string().default('kube-prometheus-stack'),
});

/**
 * ECR repositories `<repositoryPrefix>/<service>`, shared by every environment so the image CI
 * built and scanned once is the image each environment runs. One stack per account creates them;
 * the others look them up.
 */
const registry = z.strictObject({
  repositoryPrefix: z
    .string()
    .regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/)
    .default('platform'),
  create: z.boolean().default(true),
});

const ci = z.strictObject({
  /** owner/name of the repository whose workflows may deploy. */
  githubRepository: z.string().regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/),
  /**
   * The GitHub OIDC provider is one per account: `create` it in one stack, and in the others use
   * `existing` (looked up by its URL) or name it with githubOidcProviderArn.
   */
  githubOidcProvider: z.enum(['create', 'existing']).default('create'),
  githubOidcProviderArn: z.string().startsWith('arn:').optional(),
  /** GitHub environments whose jobs may assume the deploy role (see the CI workflow). */
  githubEnvironments: z.array(z.string().min(1)).min(1),
});

const schema = z.strictObject({
  name,
  environment: z.enum(['dev', 'staging', 'prod']),
  tags: z.record(z.string(), z.string()).default({}),
  /** Application environments this cluster hosts, each in namespace platform-<env>. */
  environments: z.array(z.string().regex(/^[a-z][a-z0-9-]{0,20}$/)).min(1),
  network: network.prefault({}),
  cluster: cluster.prefault({}),
  podSecurityGroups: podSecurityGroups.prefault({}),
  database: database.prefault({}),
  flowLogRetentionDays: retentionDays.default(14),
  logRetentionDays: retentionDays.default(30),
  ingress,
  tls,
  monitoring: monitoring.prefault({}),
  registry: registry.prefault({}),
  ci: ci.optional(),
});

export type PlatformConfig = z.output<typeof schema>;
export type PlatformConfigInput = z.input<typeof schema>;
export type NetworkConfig = PlatformConfig['network'];
export type ClusterConfig = PlatformConfig['cluster'];
export type NodeGroupConfig = ClusterConfig['nodeGroups'][number];
export type DatabaseConfig = PlatformConfig['database'];

/**
 * Instance families without trunk ENIs (burstable t-family and the Xen generation): pods on them
 * cannot get their own security groups, and the VPC resource controller leaves such pods pending.
 */
const NO_TRUNK_ENI = /^(t\d[a-z]*|m4|c4|r4|x1e?|d2|h1|i2|i3|p2|p3|g3s?|f1)\./;

export function supportsPodSecurityGroups(instanceType: string): boolean {
  return !NO_TRUNK_ENI.test(instanceType) || instanceType.endsWith('.metal');
}

/** Parses and cross-checks a stack's settings; throws InfraConfigError listing every problem. */
export function parseConfig(input: unknown): PlatformConfig {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new InfraConfigError(
      parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`),
    );
  }
  const problems = crossCheck(parsed.data);
  if (problems.length > 0) throw new InfraConfigError(problems);
  return parsed.data;
}

function crossCheck(config: PlatformConfig): string[] {
  const problems: string[] = [];
  const { network: net, cluster: eks, ingress: edge, tls: acme } = config;
  const zones = net.availabilityZoneCount;

  if (!net.existing) {
    const lists = {
      privateSubnetCidrs: net.privateSubnetCidrs,
      databaseSubnetCidrs: net.databaseSubnetCidrs,
    };
    const withPublic = hasPublicSubnets(config)
      ? { ...lists, publicSubnetCidrs: net.publicSubnetCidrs }
      : lists;
    checkSubnetCidrs(net.vpcCidr, zones, withPublic, problems);
  } else {
    if (edge.public && !net.existing.publicSubnetIds) {
      problems.push(
        'network.existing.publicSubnetIds: required when ingress.public is true (the load balancer lives there)',
      );
    }
    if (!net.existing.databaseSubnetIds && config.database.engine === 'documentdb') {
      checkSubnetCidrs(net.vpcCidr, zones, { databaseSubnetCidrs: net.databaseSubnetCidrs }, problems);
    }
  }
  if (net.natMode === 'none' && !net.interfaceEndpoints) {
    problems.push(
      'network.interfaceEndpoints: must be true when natMode is none: nodes could not pull images or reach the EKS API',
    );
  }

  if (eks.publicEndpoint) {
    if (eks.publicEndpointCidrs.length === 0) {
      problems.push('cluster.publicEndpointCidrs: list the CIDRs allowed to reach the public API endpoint');
    }
    if (eks.publicEndpointCidrs.some((c) => c.endsWith('/0'))) {
      problems.push('cluster.publicEndpointCidrs: 0.0.0.0/0 would open the API server to the internet');
    }
  }
  if (versionBelow(eks.addons.vpcCni, [1, 14])) {
    problems.push(
      `cluster.addons.vpcCni: ${eks.addons.vpcCni} cannot enforce NetworkPolicies; v1.14 or later is required`,
    );
  }
  eks.nodeGroups.forEach((group, index) => {
    if (group.minSize > group.desiredSize || group.desiredSize > group.maxSize) {
      problems.push(`cluster.nodeGroups.${index}: sizes must satisfy minSize <= desiredSize <= maxSize`);
    }
    if (!config.podSecurityGroups.enabled) return;
    for (const type of group.instanceTypes.filter((t) => !supportsPodSecurityGroups(t))) {
      problems.push(
        `cluster.nodeGroups.${index}.instanceTypes: ${type} cannot carry security groups for pods (no trunk ENI); ` +
          'use a Nitro type such as m6i.large, or set podSecurityGroups.enabled to false',
      );
    }
  });

  if (config.database.engine === 'documentdb' && !config.database.caBundleFile) {
    problems.push(
      'database.caBundleFile: required for DocumentDB: download https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem and give its path',
    );
  }

  if (acme.challenge === 'http01') {
    if (net.natMode === 'none') {
      problems.push(
        'tls.challenge: http01 needs outbound internet (cert-manager checks the challenge URL through the public address) ' +
          'but network.natMode is none; use dns01 with tls.route53ZoneId, or natMode single/perAz',
      );
    }
    if (!edge.public) {
      problems.push(
        "tls.challenge: http01 needs Let's Encrypt to reach the ingress, which is internal (ingress.public false); use dns01 with tls.route53ZoneId",
      );
    }
  } else if (!acme.route53ZoneId) {
    problems.push(
      'tls.route53ZoneId: required by the dns01 challenge (cert-manager writes TXT records there)',
    );
  }
  return problems;
}

function checkSubnetCidrs(
  vpcCidr: string,
  zones: number,
  lists: Record<string, string[]>,
  problems: string[],
): void {
  const all: { key: string; cidr: string }[] = [];
  for (const [key, cidrs] of Object.entries(lists)) {
    if (cidrs.length < zones)
      problems.push(`network.${key}: ${zones} zones need ${zones} CIDRs, got ${cidrs.length}`);
    for (const block of cidrs.slice(0, zones)) {
      if (!cidrContains(vpcCidr, block))
        problems.push(`network.${key}: ${block} is outside the VPC ${vpcCidr}`);
      const clash = all.find((other) => cidrsOverlap(other.cidr, block));
      if (clash) problems.push(`network.${key}: ${block} overlaps ${clash.cidr} (${clash.key})`);
      all.push({ key, cidr: block });
    }
  }
}

/** Public subnets exist for the internet-facing load balancer and for NAT gateways, nothing else. */
export function hasPublicSubnets(config: PlatformConfig): boolean {
  return config.ingress.public || config.network.natMode !== 'none';
}

function versionBelow(version: string, [major, minor]: [number, number]): boolean {
  const match = /^v(\d+)\.(\d+)\./.exec(version);
  if (!match) return true;
  const [maj, min] = [Number(match[1]), Number(match[2])];
  return maj < major || (maj === major && min < minor);
}
