import { UnknownValueError } from '@pulumi/policy';
import { supportsPodSecurityGroups } from '../config';

/**
 * The invariants the policy pack enforces, as pure functions of a resource's type token and
 * properties: each returns the violation messages (none when the resource complies or the rule does
 * not concern its type). policies.ts wraps them for CrossGuard; tests call them directly.
 *
 * During a preview some properties are unknown (ids of resources not yet created). Reading one
 * throws UnknownValueError, which CrossGuard turns into an advisory "cannot check during preview";
 * the rules therefore read only what they judge, and test mere presence without reading the value.
 */

export type Props = Readonly<Record<string, unknown>>;
export type ResourceRule = (type: string, props: Props, name?: string) => string[];

/** A resource in a stack-wide check; CrossGuard's PolicyResource has this shape. */
export interface StackResource {
  type: string;
  name: string;
  urn: string;
  props: Props;
  dependencies?: readonly StackResource[];
  propertyDependencies?: Readonly<Record<string, readonly StackResource[]>>;
}

export interface StackViolation {
  message: string;
  urn: string;
}

export const TYPES = {
  securityGroup: 'aws:ec2/securityGroup:SecurityGroup',
  defaultSecurityGroup: 'aws:ec2/defaultSecurityGroup:DefaultSecurityGroup',
  securityGroupRule: 'aws:ec2/securityGroupRule:SecurityGroupRule',
  ingressRule: 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule',
  egressRule: 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule',
  routeTable: 'aws:ec2/routeTable:RouteTable',
  route: 'aws:ec2/route:Route',
  eksCluster: 'aws:eks/cluster:Cluster',
  eksAddon: 'aws:eks/addon:Addon',
  nodeGroup: 'aws:eks/nodeGroup:NodeGroup',
  launchTemplate: 'aws:ec2/launchTemplate:LaunchTemplate',
  flowLog: 'aws:ec2/flowLog:FlowLog',
  logGroup: 'aws:cloudwatch/logGroup:LogGroup',
  docdbCluster: 'aws:docdb/cluster:Cluster',
  docdbParameterGroup: 'aws:docdb/clusterParameterGroup:ClusterParameterGroup',
  ecrRepository: 'aws:ecr/repository:Repository',
  vpcEndpoint: 'aws:ec2/vpcEndpoint:VpcEndpoint',
} as const;

const GROUPS_WITH_INLINE_RULES: string[] = [TYPES.securityGroup, TYPES.defaultSecurityGroup];

export const CONTROL_PLANE_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];
export const WEB_PORTS = [80, 443];

// ---------------------------------------------------------------------------------------------
// Reading properties

function record(value: unknown): Props {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Props) : {};
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function strings(value: unknown): string[] {
  return list(value).filter((item): item is string => typeof item === 'string');
}

/** Whether a property is set, without reading it (an unknown value counts as set). */
function isSet(props: Props, key: string): boolean {
  const descriptor = Object.getOwnPropertyDescriptor(props, key);
  const value: unknown = descriptor?.value;
  return value !== undefined && value !== null && value !== '';
}

/** The value, or undefined when it cannot be known yet (a preview of a resource not yet created). */
function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof UnknownValueError) return undefined;
    throw error;
  }
}

function tagsOf(props: Props): Props {
  return record(props.tags);
}

const describe = (value: unknown) => (value === undefined ? 'not set' : JSON.stringify(value));

// ---------------------------------------------------------------------------------------------
// (a) No ingress from the internet, except 80/443 on the load balancer's group

/** One ingress permission, however the rule is declared (standalone rule or inline block). */
interface Permission {
  label: string;
  ipv4: string[];
  ipv6: string[];
  protocol?: string;
  fromPort?: number;
  toPort?: number;
}

function ingressPermissions(type: string, props: Props): Permission[] {
  const port = (value: unknown) => (typeof value === 'number' ? value : undefined);
  if (type === TYPES.ingressRule) {
    return [
      {
        label: 'ingress rule',
        ipv4: strings([props.cidrIpv4]),
        ipv6: strings([props.cidrIpv6]),
        protocol: text(props.ipProtocol),
        fromPort: port(props.fromPort),
        toPort: port(props.toPort),
      },
    ];
  }
  if (type === TYPES.securityGroupRule) {
    if (props.type !== 'ingress') return [];
    return [
      {
        label: 'ingress rule',
        ipv4: strings(props.cidrBlocks),
        ipv6: strings(props.ipv6CidrBlocks),
        protocol: text(props.protocol),
        fromPort: port(props.fromPort),
        toPort: port(props.toPort),
      },
    ];
  }
  if (GROUPS_WITH_INLINE_RULES.includes(type)) {
    return list(props.ingress).map((entry, index) => {
      const rule = record(entry);
      return {
        label: `inline ingress rule ${index}`,
        ipv4: strings(rule.cidrBlocks),
        ipv6: strings(rule.ipv6CidrBlocks),
        protocol: text(rule.protocol),
        fromPort: port(rule.fromPort),
        toPort: port(rule.toPort),
      };
    });
  }
  return [];
}

const LOAD_BALANCER_NAME = /(^|[^a-z0-9])(load-?balancer|lb|nlb|alb|elb)([^a-z0-9]|$)/i;

/** The tag SecurityGroups puts on each group, naming its role. */
export const SECURITY_GROUP_ROLE_TAG = 'platform:security-group';

/**
 * Whether the resource belongs to the load balancer: its role tag says so, or its logical name,
 * physical name or Name tag (all made by Naming from the purpose) does, e.g.
 * `platform-prod-load-balancer-in-tcp-443-from-0-0-0-0-0`. A rule's name mentions the load balancer
 * otherwise only when the group is its peer, and then the rule has no CIDR to be open with.
 */
export function isLoadBalancerResource(props: Props, name = ''): boolean {
  if (known(() => tagsOf(props)[SECURITY_GROUP_ROLE_TAG]) === 'loadBalancer') return true;
  const names = [
    name,
    known(() => props.name),
    known(() => props.namePrefix),
    known(() => tagsOf(props).Name),
  ];
  return names.some((candidate) => typeof candidate === 'string' && LOAD_BALANCER_NAME.test(candidate));
}

function isWebPort(permission: Permission): boolean {
  const tcp = permission.protocol === 'tcp' || permission.protocol === '6';
  return (
    tcp &&
    permission.fromPort !== undefined &&
    permission.fromPort === permission.toPort &&
    WEB_PORTS.includes(permission.fromPort)
  );
}

function portText(permission: Permission): string {
  if (permission.protocol === '-1' || permission.protocol === 'all') return 'all ports';
  const range =
    permission.fromPort === permission.toPort
      ? String(permission.fromPort)
      : `${permission.fromPort}-${permission.toPort}`;
  return `${permission.protocol ?? 'tcp'} ${range}`;
}

const isWorld = (cidr: string) => cidr.trim().endsWith('/0');

export const noInternetIngress: ResourceRule = (type, props, name = '') => {
  const loadBalancer = isLoadBalancerResource(props, name);
  return ingressPermissions(type, props).flatMap((permission) => {
    const open = [...permission.ipv4, ...permission.ipv6].filter(isWorld);
    if (open.length === 0 || (loadBalancer && isWebPort(permission))) return [];
    return [
      `${permission.label} admits ${open.join(' and ')} on ${portText(permission)}: only the load balancer's ` +
        'group may be open to the internet, and only on tcp 80 and 443',
    ];
  });
};

// ---------------------------------------------------------------------------------------------
// (b) Every security group rule says what it is for

export const securityGroupRuleDescriptions: ResourceRule = (type, props) => {
  if (type === TYPES.ingressRule || type === TYPES.egressRule || type === TYPES.securityGroupRule) {
    return isSet(props, 'description')
      ? []
      : ['security group rule has no description: say which traffic it admits and why'];
  }
  if (!GROUPS_WITH_INLINE_RULES.includes(type)) return [];
  return (['ingress', 'egress'] as const).flatMap((direction) =>
    list(props[direction]).flatMap((entry, index) =>
      isSet(record(entry), 'description')
        ? []
        : [`inline ${direction} rule ${index} has no description: say which traffic it admits and why`],
    ),
  );
};

// ---------------------------------------------------------------------------------------------
// (c) Database route tables have no routes; private ones no internet gateway route

export const TIER_TAG = 'platform:tier';

const isInternetGateway = (gatewayId: unknown) =>
  typeof gatewayId === 'string' && gatewayId.startsWith('igw-');

function destination(route: Props): string {
  return (
    text(route.cidrBlock) ??
    text(route.destinationCidrBlock) ??
    text(route.ipv6CidrBlock) ??
    text(route.destinationIpv6CidrBlock) ??
    'a prefix list'
  );
}

function tableRouteViolations(tier: unknown, route: Props): string[] {
  if (tier === 'database') {
    return [
      `database route table routes ${destination(route)} elsewhere: database subnets must reach nothing beyond the VPC`,
    ];
  }
  if (tier === 'private' && isInternetGateway(route.gatewayId)) {
    return [
      `private route table sends ${destination(route)} to internet gateway ${String(route.gatewayId)}: ` +
        'private subnets reach the internet only through NAT, if at all',
    ];
  }
  return [];
}

export const isolatedRouteTables: ResourceRule = (type, props) => {
  if (type !== TYPES.routeTable) return [];
  const tier = tagsOf(props)[TIER_TAG];
  return list(props.routes).flatMap((route) => tableRouteViolations(tier, record(route)));
};

/** Routes declared as separate resources, judged by the tier of the table they are added to. */
export function isolatedStandaloneRoutes(resources: readonly StackResource[]): StackViolation[] {
  return resources
    .filter((resource) => resource.type === TYPES.route)
    .flatMap((route) =>
      (route.propertyDependencies?.routeTableId ?? [])
        .filter((table) => table.type === TYPES.routeTable)
        .flatMap((table) =>
          tableRouteViolations(tagsOf(table.props)[TIER_TAG], route.props).map((message) => ({
            message: `route ${route.name}: ${message}`,
            urn: route.urn,
          })),
        ),
    );
}

// ---------------------------------------------------------------------------------------------
// (d) EKS control plane

export const eksControlPlane: ResourceRule = (type, props) => {
  if (type !== TYPES.eksCluster) return [];
  const violations: string[] = [];

  const encryption = record(props.encryptionConfig);
  if (!isSet(record(encryption.provider), 'keyArn') || !strings(encryption.resources).includes('secrets')) {
    violations.push(
      'secrets encryption is not configured: set encryptionConfig with a KMS key ARN and resources ["secrets"]',
    );
  }

  const vpc = record(props.vpcConfig);
  if (vpc.endpointPrivateAccess !== true) {
    violations.push(
      'endpointPrivateAccess is not true: nodes and in-VPC clients must reach the API server privately',
    );
  }
  // AWS enables the public endpoint unless told otherwise, and opens it to 0.0.0.0/0 when no CIDRs are given.
  if (vpc.endpointPublicAccess !== false) {
    const cidrs = strings(vpc.publicAccessCidrs);
    if (cidrs.length === 0 || cidrs.some(isWorld)) {
      violations.push(
        'the public API endpoint is open to 0.0.0.0/0: set endpointPublicAccess false, or publicAccessCidrs to ' +
          'the networks that administer the cluster',
      );
    }
  }

  const logged = strings(props.enabledClusterLogTypes);
  const missing = CONTROL_PLANE_LOG_TYPES.filter((logType) => !logged.includes(logType));
  if (missing.length > 0) violations.push(`control-plane log types not enabled: ${missing.join(', ')}`);
  return violations;
};

// ---------------------------------------------------------------------------------------------
// (e) The VPC CNI enforces NetworkPolicies, and pod ENIs are configured consistently

export interface VpcCniSettings {
  enableNetworkPolicy?: unknown;
  env: Props;
  initEnv: Props;
}

/** The vpc-cni add-on's configurationValues (JSON), or a message saying why they cannot be read. */
export function parseVpcCniConfiguration(configurationValues: unknown): VpcCniSettings | string {
  if (typeof configurationValues !== 'string' || configurationValues.trim() === '') {
    return 'vpc-cni configurationValues are not set';
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(configurationValues);
  } catch {
    return 'vpc-cni configurationValues are not valid JSON';
  }
  const settings = record(parsed);
  return {
    enableNetworkPolicy: settings.enableNetworkPolicy,
    env: record(settings.env),
    initEnv: record(record(settings.init).env),
  };
}

const isVpcCni = (type: string, props: Props) => type === TYPES.eksAddon && props.addonName === 'vpc-cni';

export const vpcCniConfiguration: ResourceRule = (type, props) => {
  if (!isVpcCni(type, props)) return [];
  const settings = parseVpcCniConfiguration(props.configurationValues);
  if (typeof settings === 'string') {
    return [`${settings}: enableNetworkPolicy must be "true" for NetworkPolicies to be enforced`];
  }
  const violations: string[] = [];
  if (settings.enableNetworkPolicy !== 'true') {
    violations.push(
      `vpc-cni enableNetworkPolicy is ${describe(settings.enableNetworkPolicy)}, not "true": NetworkPolicies ` +
        'would be accepted by the API server but not enforced',
    );
  }
  if (settings.env.ENABLE_POD_ENI === 'true') {
    const mode = settings.env.POD_SECURITY_GROUP_ENFORCING_MODE;
    if (mode !== 'standard' && mode !== 'strict') {
      violations.push(
        `POD_SECURITY_GROUP_ENFORCING_MODE is ${describe(mode)}: it must be "standard" or "strict" when ` +
          'ENABLE_POD_ENI is "true"',
      );
    }
    if (mode === 'strict' && settings.initEnv.DISABLE_TCP_EARLY_DEMUX !== 'true') {
      violations.push(
        'strict enforcing mode needs init env DISABLE_TCP_EARLY_DEMUX "true": kubelet probes to pods on branch ' +
          'ENIs would fail otherwise',
      );
    }
  }
  return violations;
};

// ---------------------------------------------------------------------------------------------
// (f) Nodes can carry pod ENIs wherever the VPC CNI hands them out

/** EKS's instance type for a managed node group that names none (and no launch template does). */
export const EKS_DEFAULT_INSTANCE_TYPE = 't3.medium';

function enablesPodEni(addon: StackResource): boolean {
  const settings = parseVpcCniConfiguration(known(() => addon.props.configurationValues));
  return typeof settings !== 'string' && settings.env.ENABLE_POD_ENI === 'true';
}

/** The instance types a node group launches, or undefined while they cannot be known (preview). */
function nodeGroupInstanceTypes(group: StackResource): string[] | undefined {
  const declared = known(() => strings(group.props.instanceTypes));
  const fromTemplates = (group.dependencies ?? [])
    .filter((dependency) => dependency.type === TYPES.launchTemplate)
    .map((template) => known(() => strings([template.props.instanceType])));
  if (declared === undefined || fromTemplates.includes(undefined)) return undefined;
  const types = [...declared, ...fromTemplates.flatMap((found) => found ?? [])];
  return types.length > 0 ? types : [EKS_DEFAULT_INSTANCE_TYPE];
}

/**
 * When a cluster's vpc-cni add-on enables pod ENIs (security groups for pods), none of its node
 * groups may use instance types without trunk ENIs: such pods would stay pending. A cluster name
 * that is not known yet matches every node group, to stay on the safe side.
 */
export function podEniInstanceTypes(resources: readonly StackResource[]): StackViolation[] {
  const clusterName = (resource: StackResource) => text(known(() => resource.props.clusterName));
  const podEniClusters = resources
    .filter((resource) => isVpcCni(resource.type, resource.props) && enablesPodEni(resource))
    .map(clusterName);
  if (podEniClusters.length === 0) return [];

  return resources
    .filter((resource) => resource.type === TYPES.nodeGroup)
    .filter((group) => {
      const cluster = clusterName(group);
      return podEniClusters.some((name) => name === undefined || cluster === undefined || name === cluster);
    })
    .flatMap((group) => {
      const unsupported = (nodeGroupInstanceTypes(group) ?? []).filter(
        (type) => !supportsPodSecurityGroups(type),
      );
      if (unsupported.length === 0) return [];
      return [
        {
          message:
            `node group ${group.name} uses ${unsupported.join(', ')} (no trunk ENI) while the cluster's vpc-cni ` +
            'sets ENABLE_POD_ENI "true": pods with security groups could not start there; use a Nitro type such ' +
            'as m6i.large',
          urn: group.urn,
        },
      ];
    });
}

// ---------------------------------------------------------------------------------------------
// (g) Flow logs record everything, every minute; logs expire

export const flowLogsAndRetention: ResourceRule = (type, props) => {
  if (type === TYPES.flowLog) {
    const violations: string[] = [];
    if (props.trafficType !== 'ALL') {
      violations.push(
        `flow log trafficType is ${describe(props.trafficType)}, not "ALL": rejected traffic matters too`,
      );
    }
    if (props.maxAggregationInterval !== 60) {
      violations.push(
        `flow log maxAggregationInterval is ${describe(props.maxAggregationInterval)} (AWS default 600), not 60 seconds`,
      );
    }
    return violations;
  }
  if (type === TYPES.logGroup) {
    const days = props.retentionInDays;
    return typeof days === 'number' && days > 0
      ? []
      : ['log group has no retentionInDays: its logs would be kept, and billed, forever'];
  }
  return [];
};

// ---------------------------------------------------------------------------------------------
// (h) DocumentDB: encrypted, TLS only, backed up

/** Values of the DocumentDB `tls` parameter that require TLS. */
export const DOCUMENTDB_TLS_ON = ['enabled', 'tls1.2+', 'tls1.3+', 'fips-140-3'];

export const documentDbProtection: ResourceRule = (type, props) => {
  if (type === TYPES.docdbCluster) {
    const violations: string[] = [];
    if (props.storageEncrypted !== true) {
      violations.push('DocumentDB storageEncrypted is not true: data at rest must be encrypted');
    }
    const retention = props.backupRetentionPeriod;
    if (retention !== undefined && (typeof retention !== 'number' || retention < 1)) {
      violations.push(
        `DocumentDB backupRetentionPeriod is ${describe(retention)}: keep at least 1 day of backups`,
      );
    }
    return violations;
  }
  if (type === TYPES.docdbParameterGroup) {
    const tls = list(props.parameters)
      .map(record)
      .find((parameter) => parameter.name === 'tls');
    if (!tls) return ['DocumentDB parameter group does not set tls: set it to "enabled"'];
    return DOCUMENTDB_TLS_ON.includes(String(tls.value))
      ? []
      : [`DocumentDB parameter tls is ${describe(tls.value)}: clients must connect with TLS ("enabled")`];
  }
  return [];
};

// ---------------------------------------------------------------------------------------------
// (i) ECR: images are scanned and tags never move

export const ecrRepositoryHardening: ResourceRule = (type, props) => {
  if (type !== TYPES.ecrRepository) return [];
  const violations: string[] = [];
  if (record(props.imageScanningConfiguration).scanOnPush !== true) {
    violations.push('ECR imageScanningConfiguration.scanOnPush is not true: pushed images must be scanned');
  }
  const mutability = props.imageTagMutability;
  if (mutability !== 'IMMUTABLE') {
    const current = mutability === undefined ? 'not set (AWS default "MUTABLE")' : JSON.stringify(mutability);
    violations.push(
      `ECR imageTagMutability is ${current}, not "IMMUTABLE": a pushed tag could be overwritten`,
    );
  }
  return violations;
};

// ---------------------------------------------------------------------------------------------
// (j) Interface endpoints answer under the service's own name

export const interfaceEndpointPrivateDns: ResourceRule = (type, props) => {
  if (type !== TYPES.vpcEndpoint || props.vpcEndpointType !== 'Interface') return [];
  if (props.privateDnsEnabled === true) return [];
  const service = text(known(() => props.serviceName)) ?? 'a service';
  return [
    `interface endpoint for ${service} has privateDnsEnabled off: clients would resolve the service's public ` +
      'address and bypass the endpoint',
  ];
};
