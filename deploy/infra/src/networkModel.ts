import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { vpcCniConfiguration } from './components/addons';
import {
  podGroup,
  securityGroupRules,
  securityGroupSpecs,
  type GroupName,
  type RuleSpec,
} from './components/securityGroupRules';
import { hasPublicSubnets, parseConfig, type PlatformConfig } from './config';
import { SERVICES, type Service } from './services';
import { CONFIG_NAMESPACE, PROJECT_DIR } from './stackConfig';

/**
 * The network a stack builds, as data: what the flow verifier needs to reason about the security
 * group layer next to the NetworkPolicies. Everything comes from the stack's configuration and the
 * same rule table the program creates its resources from, so no cloud account is needed.
 */
export interface NetworkModel {
  stack: string;
  vpc: { cidr: string };
  subnets: { private: string[]; database: string[]; public: string[] };
  /** Where the VPC CNI takes pod addresses from: the private (node) subnets. */
  podCidrs: string[];
  /** DocumentDB's subnets, when the stack has one. */
  databaseCidrs: string[];
  /** Groups by role, each with the rules declared on it. */
  securityGroups: NetworkModelGroup[];
  /** Per service, the groups its pods get through the chart's SecurityGroupPolicy (none: the node group's). */
  podGroups: Partial<Record<Service, GroupName[]>>;
  /** CoreDNS runs as ordinary pods on the nodes: the node group, the pod subnets. */
  coreDns: { namespace: string; labels: Record<string, string>; securityGroups: GroupName[]; port: number };
  /** The NLB in front of the ingress controller, which it reaches by pod address (IP targets). */
  loadBalancer: {
    scheme: 'internet-facing' | 'internal';
    subnets: string[];
    securityGroups: GroupName[];
    sourceCidrs: string[];
  };
  interfaceEndpoints: { enabled: boolean; securityGroups: GroupName[]; subnets: string[] };
  vpcCni: {
    networkPolicy: boolean;
    /** The add-on's NETWORK_POLICY_ENFORCING_MODE (the platform keeps its default). */
    networkPolicyEnforcingMode: 'standard' | 'strict';
    podSecurityGroups: boolean;
    /** POD_SECURITY_GROUP_ENFORCING_MODE, when pod security groups are on. */
    podSecurityGroupEnforcingMode?: 'standard' | 'strict';
  };
}

export interface NetworkModelGroup {
  name: GroupName;
  role: 'cluster' | 'nodes' | 'database' | 'endpoints' | 'loadBalancer' | 'podDns' | 'pod';
  description: string;
  /** The service, for a pod group. */
  service?: Service;
  rules: NetworkModelRule[];
}

export interface NetworkModelRule {
  direction: 'ingress' | 'egress';
  protocol: 'tcp' | 'udp' | 'all';
  /** Absent: every port (protocol all). */
  ports?: { from: number; to: number };
  peer: { group: GroupName } | { cidr: string } | { prefixList: 's3' };
  description: string;
}

export class NetworkModelError extends Error {
  override name = 'NetworkModelError';
}

/** The `platform:*` settings of a stack file (stacks/Pulumi.<stack>.yaml), validated as the program does. */
export function readStackConfig(stack: string, projectDir: string = PROJECT_DIR): PlatformConfig {
  if (!/^[a-z][a-z0-9-]*$/.test(stack)) throw new NetworkModelError(`stack "${stack}": not a stack name`);
  const file = join(projectDir, 'stacks', `Pulumi.${stack}.yaml`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new NetworkModelError(`no stack "${stack}": ${file} does not exist`);
  }
  const config = (parse(text) as { config?: Record<string, unknown> } | null)?.config ?? {};
  const prefix = `${CONFIG_NAMESPACE}:`;
  const settings = Object.fromEntries(
    Object.entries(config)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value]),
  );
  return parseConfig(settings);
}

const roleOf = (name: GroupName): NetworkModelGroup['role'] =>
  name.startsWith('pod-') ? 'pod' : (name as Exclude<GroupName, `pod-${string}`>);

/** The network model of a validated configuration. */
export function networkModel(config: PlatformConfig, stack: string): NetworkModel {
  const network = config.network;
  if (network.existing) {
    throw new NetworkModelError(
      `stack ${stack} builds into an existing VPC (${network.existing.vpcId}): its CIDRs are not in the configuration, so no model can be written without the cloud account`,
    );
  }
  const zones = network.availabilityZoneCount;
  const subnets = {
    private: network.privateSubnetCidrs.slice(0, zones),
    database: network.databaseSubnetCidrs.slice(0, zones),
    public: hasPublicSubnets(config) ? network.publicSubnetCidrs.slice(0, zones) : [],
  };
  const rule = (spec: RuleSpec): NetworkModelRule => ({
    direction: spec.direction,
    protocol: spec.protocol === '-1' ? 'all' : spec.protocol,
    ...(spec.port === undefined ? {} : { ports: { from: spec.port, to: spec.port } }),
    peer:
      'group' in spec.peer
        ? { group: spec.peer.group }
        : 'cidr' in spec.peer
          ? { cidr: spec.peer.cidr }
          : 'vpcCidr' in spec.peer
            ? { cidr: network.vpcCidr }
            : { prefixList: 's3' },
    description: spec.description,
  });
  const rules = securityGroupRules(config);
  const securityGroups = securityGroupSpecs(config).map((group): NetworkModelGroup => {
    const service = SERVICES.find((candidate) => podGroup(candidate) === group.name);
    return {
      name: group.name,
      role: roleOf(group.name),
      description: group.description,
      ...(service ? { service } : {}),
      rules: rules.filter((spec) => spec.group === group.name).map(rule),
    };
  });
  const pods = config.podSecurityGroups.enabled;
  const cni = vpcCniConfiguration(config.podSecurityGroups);
  return {
    stack,
    vpc: { cidr: network.vpcCidr },
    subnets,
    podCidrs: subnets.private,
    databaseCidrs: config.database.engine === 'documentdb' ? subnets.database : [],
    securityGroups,
    podGroups: pods
      ? Object.fromEntries(SERVICES.map((service) => [service, [podGroup(service), 'podDns']]))
      : {},
    coreDns: {
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns' },
      securityGroups: ['nodes'],
      port: 53,
    },
    loadBalancer: {
      scheme: config.ingress.public ? 'internet-facing' : 'internal',
      subnets: config.ingress.public ? subnets.public : subnets.private,
      securityGroups: ['loadBalancer'],
      sourceCidrs: config.ingress.public ? config.ingress.sourceCidrs : [network.vpcCidr],
    },
    interfaceEndpoints: {
      enabled: network.interfaceEndpoints,
      securityGroups: network.interfaceEndpoints ? ['endpoints'] : [],
      subnets: network.interfaceEndpoints ? subnets.private : [],
    },
    vpcCni: {
      networkPolicy: cni.enableNetworkPolicy === 'true',
      networkPolicyEnforcingMode: 'standard',
      podSecurityGroups: pods,
      ...(cni.env ? { podSecurityGroupEnforcingMode: cni.env.POD_SECURITY_GROUP_ENFORCING_MODE } : {}),
    },
  };
}
