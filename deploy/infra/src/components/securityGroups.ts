import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { PlatformConfig } from '../config';
import type { Naming } from '../naming';
import { SERVICES, type Service } from '../services';
import {
  podGroup,
  ruleKey,
  securityGroupRules,
  securityGroupSpecs,
  type GroupName,
  type RuleSpec,
} from './securityGroupRules';

export interface SecurityGroupsArgs {
  config: PlatformConfig;
  naming: Naming;
  vpcId: pulumi.Input<string>;
  vpcCidr: pulumi.Input<string>;
}

/**
 * The stack's security groups, created empty (no default egress), with each rule of
 * securityGroupRules() as its own resource carrying a description.
 */
export class SecurityGroups extends pulumi.ComponentResource {
  readonly cluster: pulumi.Output<string>;
  readonly nodes: pulumi.Output<string>;
  readonly endpoints: pulumi.Output<string>;
  readonly loadBalancer: pulumi.Output<string>;
  /** Present only with DocumentDB. */
  readonly database: pulumi.Output<string> | undefined;
  /** Per service, the groups its pods get (its own and the DNS group); absent without pod security groups. */
  readonly podGroupIds: Record<Service, pulumi.Output<string[]>> | undefined;
  /** Every group's id by its role name: what the network model names (scripts/network-model --outputs). */
  readonly ids: Partial<Record<GroupName, pulumi.Output<string>>>;

  constructor(name: string, args: SecurityGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super('platform:infra:SecurityGroups', name, {}, opts);
    const { config, naming } = args;
    const parent = { parent: this };

    const groups = new Map<GroupName, aws.ec2.SecurityGroup>();
    for (const spec of securityGroupSpecs(config)) {
      const groupName = naming.name(kebab(spec.name));
      groups.set(
        spec.name,
        new aws.ec2.SecurityGroup(
          groupName,
          {
            name: groupName,
            vpcId: args.vpcId,
            description: spec.description,
            // Rules are separate resources; an empty egress list removes AWS's default allow-all.
            egress: [],
            revokeRulesOnDelete: true,
            tags: naming.tags(kebab(spec.name), { 'platform:security-group': spec.name }),
          },
          parent,
        ),
      );
    }
    const idOf = (group: GroupName): pulumi.Output<string> => {
      const found = groups.get(group);
      if (!found) throw new Error(`security group ${group} is referenced by a rule but not declared`);
      return found.id;
    };

    const needsPrefixList = securityGroupRules(config).some((rule) => 's3PrefixList' in rule.peer);
    const s3PrefixListId = needsPrefixList
      ? aws.ec2.getPrefixListOutput(
          { name: pulumi.interpolate`com.amazonaws.${aws.getRegionOutput({}, parent).region}.s3` },
          parent,
        ).id
      : undefined;

    for (const rule of securityGroupRules(config)) {
      const target = peerArgs(rule, idOf, args.vpcCidr, s3PrefixListId);
      const common = {
        securityGroupId: idOf(rule.group),
        ipProtocol: rule.protocol,
        ...(rule.port === undefined ? {} : { fromPort: rule.port, toPort: rule.port }),
        description: rule.description,
        ...target,
        tags: naming.tags(undefined, { Name: naming.name(ruleKey(rule)) }),
      };
      const ruleName = naming.name(kebab(ruleKey(rule)));
      if (rule.direction === 'ingress') new aws.vpc.SecurityGroupIngressRule(ruleName, common, parent);
      else new aws.vpc.SecurityGroupEgressRule(ruleName, common, parent);
    }

    this.cluster = idOf('cluster');
    this.nodes = idOf('nodes');
    this.endpoints = idOf('endpoints');
    this.loadBalancer = idOf('loadBalancer');
    this.database = groups.get('database')?.id;
    this.ids = Object.fromEntries([...groups].map(([name, group]) => [name, group.id]));
    this.podGroupIds = config.podSecurityGroups.enabled
      ? (Object.fromEntries(
          SERVICES.map((service) => [
            service,
            pulumi.all([idOf(podGroup(service)), idOf('podDns')]).apply((ids): string[] => ids),
          ]),
        ) as Record<Service, pulumi.Output<string[]>>)
      : undefined;
    this.registerOutputs({ cluster: this.cluster, nodes: this.nodes, loadBalancer: this.loadBalancer });
  }
}

/** The database group, which exists only when the stack has a DocumentDB cluster. */
export function requireDatabaseGroup(groups: SecurityGroups): pulumi.Output<string> {
  if (!groups.database)
    throw new Error('the database security group exists only when database.engine is documentdb');
  return groups.database;
}

function peerArgs(
  rule: RuleSpec,
  idOf: (group: GroupName) => pulumi.Output<string>,
  vpcCidr: pulumi.Input<string>,
  s3PrefixListId: pulumi.Output<string> | undefined,
) {
  const peer = rule.peer;
  if ('group' in peer) return { referencedSecurityGroupId: idOf(peer.group) };
  if ('cidr' in peer) return { cidrIpv4: peer.cidr };
  if ('vpcCidr' in peer) return { cidrIpv4: vpcCidr };
  if (!s3PrefixListId) throw new Error('the S3 prefix list was not looked up');
  return { prefixListId: s3PrefixListId };
}

function kebab(text: string): string {
  return text.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
