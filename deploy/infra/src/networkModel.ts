import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NetworkModelInput } from '@platform/netpol';
import { parse } from 'yaml';
import { NAMESPACES, POD_LABELS } from './components/kubernetes/labels';
import { vpcCniConfiguration } from './components/addons';
import {
  LOAD_BALANCER_PORTS,
  podGroup,
  securityGroupRules,
  securityGroupSpecs,
  type GroupName,
  type RuleSpec,
} from './components/securityGroupRules';
import { hasPublicSubnets, parseConfig, type PlatformConfig } from './config';
import { SERVICES } from './services';
import { CONFIG_NAMESPACE, PROJECT_DIR } from './stackConfig';

/**
 * The network a stack builds, as data: what the flow verifier needs to reason about the security
 * group layer next to the NetworkPolicies (its format is the verifier's, `NetworkModelInput` of
 * @platform/netpol). Everything comes from the stack's configuration and the same rule table the
 * program creates its resources from, so no cloud account is needed. Group ids are placeholders
 * (see `placeholderGroupId`) until the stack is deployed.
 */
export type NetworkModel = NetworkModelInput;
type NetworkModelGroup = NetworkModel['securityGroups'][number];
type NetworkModelRule = NetworkModelGroup['rules'][number];

/**
 * A stable stand-in for a group's id before deployment: the prod chart values carry these, so the
 * rendered SecurityGroupPolicies and the model name the same groups (a test keeps them equal).
 */
export function placeholderGroupId(stack: string, name: string): string {
  return `sg-${createHash('sha256').update(`${stack}/${name}`).digest('hex').slice(0, 17)}`;
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

/**
 * The model with the deployed stack's group ids (`securityGroupIds` of `pulumi stack output
 * --json`) in place of the placeholders, so it joins the SecurityGroupPolicies of the live cluster
 * and of charts rendered with write-values' file.
 */
export function withDeployedIds(model: NetworkModel, outputs: unknown): NetworkModel {
  const ids =
    outputs !== null && typeof outputs === 'object' && 'securityGroupIds' in outputs
      ? outputs.securityGroupIds
      : undefined;
  if (ids === null || typeof ids !== 'object' || Array.isArray(ids)) {
    throw new NetworkModelError(
      'the stack outputs have no securityGroupIds: give `pulumi stack output --json` of a deployed stack',
    );
  }
  const byName = ids as Record<string, unknown>;
  return {
    ...model,
    securityGroups: model.securityGroups.map((group) => {
      const id = byName[group.name];
      if (typeof id !== 'string' || !/^sg-[0-9a-f]{8,17}$/.test(id)) {
        throw new NetworkModelError(
          `the stack outputs give no security group id for ${group.name} (securityGroupIds.${group.name}: ${JSON.stringify(id) ?? 'missing'})`,
        );
      }
      return { ...group, id };
    }),
  };
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
      id: placeholderGroupId(stack, group.name),
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
      namespace: NAMESPACES.kubeSystem,
      labels: { ...POD_LABELS.kubeDns },
      securityGroups: ['nodes'],
      port: 53,
    },
    loadBalancer: {
      scheme: config.ingress.public ? 'internet-facing' : 'internal',
      subnets: config.ingress.public ? subnets.public : subnets.private,
      securityGroups: ['loadBalancer'],
      sourceCidrs: config.ingress.public ? config.ingress.sourceCidrs : [network.vpcCidr],
      // IP targets: the ingress controller pods, on the ports the load balancer rules open.
      targets: {
        namespace: NAMESPACES.ingress,
        labels: { ...POD_LABELS.ingressController },
        ports: [...LOAD_BALANCER_PORTS],
      },
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
      // The add-on keeps AWS_VPC_K8S_CNI_EXTERNALSNAT at its default: traffic leaving the VPC is SNATed.
      externalSnat: false,
    },
  };
}
