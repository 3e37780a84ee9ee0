import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseCidr } from './cidr';
import { InputError, STDIN_NAME } from './manifests';

/**
 * The network a cluster's infrastructure builds, as the flow verifier reads it (`--network-model`):
 * the security groups with every rule as declared, where the VPC's parts lie, and how the VPC CNI
 * enforces. The infrastructure program writes it (`npm run network-model -- --stack <name>`).
 */
const cidr = z.string().refine(
  (text) => {
    try {
      parseCidr(text);
      return true;
    } catch {
      return false;
    }
  },
  { error: 'must be an IPv4 CIDR such as 10.0.0.0/16' },
);
const cidrs = z.array(cidr);
const groupName = z.string().regex(/^[A-Za-z][A-Za-z0-9-]*$/, { error: 'must be a group name' });
const port = z.number().int().min(0).max(65535);

const ruleSchema = z
  .strictObject({
    direction: z.enum(['ingress', 'egress']),
    protocol: z.enum(['tcp', 'udp', 'all']),
    /** Absent: every port (protocol all). */
    ports: z.strictObject({ from: port, to: port }).optional(),
    peer: z.union([
      z.strictObject({ group: groupName }),
      z.strictObject({ cidr }),
      z.strictObject({ prefixList: z.string().min(1) }),
    ]),
    description: z.string(),
  })
  .refine((rule) => rule.protocol === 'all' || rule.ports !== undefined, {
    error: 'a tcp or udp rule needs ports',
  })
  .refine((rule) => !rule.ports || rule.ports.from <= rule.ports.to, {
    error: 'ports.from must not be greater than ports.to',
  });

const GROUP_ROLES = ['cluster', 'nodes', 'database', 'endpoints', 'loadBalancer', 'podDns', 'pod'] as const;

const groupSchema = z.strictObject({
  name: groupName,
  /** The EC2 security group id: the one SecurityGroupPolicies name (a placeholder before deployment). */
  id: z.string().regex(/^sg-[0-9a-f]{8,17}$/, { error: 'must be a security group id (sg-...)' }),
  role: z.enum(GROUP_ROLES),
  description: z.string(),
  service: z.string().optional(),
  rules: z.array(ruleSchema),
});

const modeSchema = z.enum(['standard', 'strict']);

export const networkModelSchema = z
  .strictObject({
    stack: z.string().min(1),
    vpc: z.strictObject({ cidr }),
    subnets: z.strictObject({ private: cidrs, database: cidrs, public: cidrs }),
    podCidrs: cidrs.min(1),
    databaseCidrs: cidrs,
    securityGroups: z.array(groupSchema),
    /** Per service, the groups of its pods (what the chart's SecurityGroupPolicies should assign). */
    podGroups: z.record(z.string(), z.array(groupName)),
    coreDns: z.strictObject({
      namespace: z.string().min(1),
      labels: z.record(z.string(), z.string()),
      securityGroups: z.array(groupName),
      port,
    }),
    loadBalancer: z.strictObject({
      scheme: z.enum(['internet-facing', 'internal']),
      subnets: cidrs,
      securityGroups: z.array(groupName),
      sourceCidrs: cidrs,
      /** The pods it sends to (IP targets) and their ports. */
      targets: z
        .strictObject({
          namespace: z.string().min(1),
          labels: z.record(z.string(), z.string()),
          ports: z.array(port).min(1),
        })
        .optional(),
    }),
    interfaceEndpoints: z.strictObject({
      enabled: z.boolean(),
      securityGroups: z.array(groupName),
      subnets: cidrs,
    }),
    vpcCni: z.strictObject({
      networkPolicy: z.boolean(),
      networkPolicyEnforcingMode: modeSchema,
      podSecurityGroups: z.boolean(),
      podSecurityGroupEnforcingMode: modeSchema.optional(),
      /** AWS_VPC_K8S_CNI_EXTERNALSNAT: false (the default) SNATs traffic leaving the VPC to the node's address. */
      externalSnat: z.boolean().default(false),
    }),
  })
  .superRefine((model, context) => {
    const names = new Set<string>();
    const ids = new Set<string>();
    model.securityGroups.forEach((group, index) => {
      if (names.has(group.name))
        context.addIssue({
          code: 'custom',
          path: ['securityGroups', index, 'name'],
          message: `${group.name} twice`,
        });
      if (ids.has(group.id))
        context.addIssue({
          code: 'custom',
          path: ['securityGroups', index, 'id'],
          message: `${group.id} twice`,
        });
      names.add(group.name);
      ids.add(group.id);
    });
    const referenced: [string, (string | number)[]][] = [
      ...model.securityGroups.flatMap((group, index) =>
        group.rules.flatMap((rule, ruleIndex): [string, (string | number)[]][] =>
          'group' in rule.peer
            ? [[rule.peer.group, ['securityGroups', index, 'rules', ruleIndex, 'peer', 'group']]]
            : [],
        ),
      ),
      ...Object.entries(model.podGroups).flatMap(([service, groups]) =>
        groups.map((name, index): [string, (string | number)[]] => [name, ['podGroups', service, index]]),
      ),
      ...model.coreDns.securityGroups.map((name, index): [string, (string | number)[]] => [
        name,
        ['coreDns', 'securityGroups', index],
      ]),
      ...model.loadBalancer.securityGroups.map((name, index): [string, (string | number)[]] => [
        name,
        ['loadBalancer', 'securityGroups', index],
      ]),
      ...model.interfaceEndpoints.securityGroups.map((name, index): [string, (string | number)[]] => [
        name,
        ['interfaceEndpoints', 'securityGroups', index],
      ]),
    ];
    for (const [name, path] of referenced) {
      if (!names.has(name))
        context.addIssue({ code: 'custom', path, message: `no security group named ${name}` });
    }
    if (model.vpcCni.podSecurityGroups && !model.vpcCni.podSecurityGroupEnforcingMode) {
      context.addIssue({
        code: 'custom',
        path: ['vpcCni', 'podSecurityGroupEnforcingMode'],
        message: 'required when podSecurityGroups is true',
      });
    }
  });

export type NetworkModel = z.output<typeof networkModelSchema>;
/** What the infrastructure writes (externalSnat may be left to its default). */
export type NetworkModelInput = z.input<typeof networkModelSchema>;
export type SecurityGroup = NetworkModel['securityGroups'][number];
export type SecurityGroupRule = SecurityGroup['rules'][number];
export type SecurityGroupRole = (typeof GROUP_ROLES)[number];

/** Validates a network model, naming every problem with its path. */
export function parseNetworkModel(value: unknown, file: string): NetworkModel {
  const parsed = networkModelSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `  - ${issue.path.map(String).join('.') || '(top level)'}: ${issue.message}`,
  );
  throw new InputError({ file }, `not a network model:\n${problems.join('\n')}`);
}

/** Reads a network model from a JSON file (`-`: standard input). */
export function loadNetworkModel(file: string, readStdin?: () => string): NetworkModel {
  const name = file === '-' ? STDIN_NAME : file;
  let text: string;
  try {
    text = file === '-' ? (readStdin ?? (() => readFileSync(0, 'utf8')))() : readFileSync(file, 'utf8');
  } catch (error) {
    throw new InputError({ file: name }, `cannot read: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError({ file: name }, `not JSON: ${(error as Error).message}`);
  }
  return parseNetworkModel(value, name);
}
