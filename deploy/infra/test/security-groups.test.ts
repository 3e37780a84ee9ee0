import { SecurityGroups } from '../src/components/securityGroups';
import type { PlatformConfig } from '../src/config';
import { Naming } from '../src/naming';
import { DEV, PROD, settings } from './settings';
import { resolve, runPulumi, type PulumiRun, type RegisteredResource } from './harness';

const VPC_CIDR = '10.0.0.0/16';
const INGRESS = 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule';
const EGRESS = 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule';
const GROUP = 'aws:ec2/securityGroup:SecurityGroup';

function securityGroups(config: PlatformConfig): Promise<PulumiRun<SecurityGroups>> {
  return runPulumi(
    () =>
      new SecurityGroups('sg', {
        config,
        naming: new Naming(config),
        vpcId: 'vpc-0123456789abcdef0',
        vpcCidr: VPC_CIDR,
      }),
  );
}

/** Each registered rule as `group direction protocol/port peer`, peers named by group. */
function ruleTable(run: PulumiRun<SecurityGroups>): string[] {
  const groupName = new Map(
    run
      .ofType(GROUP)
      .map((g) => [g.id, (g.inputs.tags as Record<string, string>)['platform:security-group']]),
  );
  const describe = (rule: RegisteredResource, direction: string) => {
    const i = rule.inputs;
    const peer = i.referencedSecurityGroupId
      ? groupName.get(i.referencedSecurityGroupId as string)
      : i.cidrIpv4 === VPC_CIDR
        ? 'vpc'
        : (i.cidrIpv4 ?? i.prefixListId);
    const port = i.ipProtocol === '-1' ? 'all' : `${String(i.ipProtocol)}/${String(i.fromPort)}`;
    if (i.fromPort !== i.toPort) throw new Error(`${rule.name} spans a port range`);
    return `${groupName.get(i.securityGroupId as string)} ${direction} ${port} ${String(peer)}`;
  };
  return [
    ...run.ofType(INGRESS).map((r) => describe(r, 'in')),
    ...run.ofType(EGRESS).map((r) => describe(r, 'out')),
  ].sort();
}

const CONTROL_PLANE = [
  'cluster in tcp/443 nodes',
  'cluster out tcp/10250 nodes',
  'cluster out tcp/8443 nodes',
  'cluster out tcp/9443 nodes',
  'cluster out tcp/10251 nodes',
  'nodes out tcp/443 cluster',
  'nodes in tcp/10250 cluster',
  'nodes in tcp/8443 cluster',
  'nodes in tcp/9443 cluster',
  'nodes in tcp/10251 cluster',
  'nodes in all nodes',
  'nodes out all nodes',
  'nodes out udp/53 vpc',
  'nodes out tcp/53 vpc',
  'endpoints in tcp/443 vpc',
];
const PUBLIC_EDGE = [
  'loadBalancer in tcp/80 0.0.0.0/0',
  'loadBalancer in tcp/443 0.0.0.0/0',
  'loadBalancer out tcp/80 nodes',
  'loadBalancer out tcp/443 nodes',
  'nodes in tcp/80 loadBalancer',
  'nodes in tcp/443 loadBalancer',
];
const NAT_EGRESS = ['nodes out tcp/443 0.0.0.0/0', 'nodes out tcp/80 0.0.0.0/0'];

const POD_GROUPS = [
  'podDns out udp/53 nodes',
  'podDns out tcp/53 nodes',
  'nodes in udp/53 podDns',
  'nodes in tcp/53 podDns',
  // The ingress path and kubelet probes come from the node group.
  'pod-frontend in tcp/8080 nodes',
  'nodes out tcp/8080 pod-frontend',
  ...['auth', 'items', 'discounts'].flatMap((service) => [
    `pod-${service} in tcp/8080 nodes`,
    `nodes out tcp/8080 pod-${service}`,
    `pod-${service} in tcp/9090 nodes`,
    `nodes out tcp/9090 pod-${service}`,
  ]),
  // Service to service, as in the flow contract.
  'pod-items out tcp/8080 pod-auth',
  'pod-auth in tcp/8080 pod-items',
  'pod-discounts out tcp/8080 pod-auth',
  'pod-auth in tcp/8080 pod-discounts',
  'pod-discounts out tcp/8080 pod-items',
  'pod-items in tcp/8080 pod-discounts',
];
// The API pods reach DocumentDB through their own groups when they have them, else the node group's.
const DOCUMENTDB = (apiPodGroups: boolean) =>
  apiPodGroups
    ? ['auth', 'items', 'discounts'].flatMap((s) => [
        `pod-${s} out tcp/27017 database`,
        `database in tcp/27017 pod-${s}`,
      ])
    : ['nodes out tcp/27017 database', 'database in tcp/27017 nodes'];

describe.each([
  [
    'dev: node group only, in-cluster database',
    settings(DEV),
    [...CONTROL_PLANE, ...PUBLIC_EDGE, ...NAT_EGRESS],
  ],
  [
    'prod: pod security groups and DocumentDB',
    settings(PROD),
    [...CONTROL_PLANE, ...PUBLIC_EDGE, ...NAT_EGRESS, ...POD_GROUPS, ...DOCUMENTDB(true)],
  ],
  [
    'pod security groups with the in-cluster database: 27017 to the node group',
    settings(PROD, { database: { engine: 'inCluster' } }),
    [
      ...CONTROL_PLANE,
      ...PUBLIC_EDGE,
      ...NAT_EGRESS,
      ...POD_GROUPS,
      ...['auth', 'items', 'discounts'].flatMap((s) => [
        `pod-${s} out tcp/27017 nodes`,
        `nodes in tcp/27017 pod-${s}`,
      ]),
    ],
  ],
  [
    'no NAT, internal ingress: HTTPS only to endpoints and the S3 prefix list, clients from the VPC',
    settings(DEV, {
      network: { natMode: 'none' },
      ingress: { public: false },
      tls: { challenge: 'dns01', route53ZoneId: 'Z0123456789ABC' },
    }),
    [
      ...CONTROL_PLANE,
      ...PUBLIC_EDGE.map((rule) => rule.replace('0.0.0.0/0', 'vpc')),
      'nodes out tcp/443 vpc',
      'nodes out tcp/443 pl-6da54004',
    ],
  ],
  [
    'DNS-01 with NAT: no port 80 to the internet',
    settings(DEV, { tls: { challenge: 'dns01', route53ZoneId: 'Z0123456789ABC' } }),
    [...CONTROL_PLANE, ...PUBLIC_EDGE, 'nodes out tcp/443 0.0.0.0/0'],
  ],
])('%s', (_title, config, expected) => {
  let run: PulumiRun<SecurityGroups>;
  beforeAll(async () => {
    run = await securityGroups(config);
  });

  test('registers exactly the expected rules (group, direction, protocol/port, peer)', () => {
    expect(run.ofType(INGRESS).length + run.ofType(EGRESS).length).toBeGreaterThan(CONTROL_PLANE.length);
    expect(ruleTable(run)).toEqual([...expected].sort());
  });

  test('every rule has a description AWS accepts', () => {
    for (const rule of [...run.ofType(INGRESS), ...run.ofType(EGRESS)]) {
      expect(rule.inputs.description).toMatch(/^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{10,255}$/);
    }
  });

  test('nothing admits 0.0.0.0/0 but the load balancer on 80 and 443', () => {
    const open = run.ofType(INGRESS).filter((r) => r.inputs.cidrIpv4 === '0.0.0.0/0');
    for (const rule of open) {
      expect(rule.name).toMatch(/-load-balancer-in-tcp-(80|443)-from-0-0-0-0-0$/);
    }
  });

  test('groups start empty: no inline rules and no default allow-all egress', () => {
    for (const group of run.ofType(GROUP)) {
      expect(group.inputs.egress).toEqual([]);
      expect(group.inputs.ingress ?? []).toEqual([]);
      expect(group.inputs.description).toMatch(/^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]+$/);
    }
  });
});

test('restricted client CIDRs replace 0.0.0.0/0 on the load balancer', async () => {
  const run = await securityGroups(
    settings(DEV, { ingress: { sourceCidrs: ['203.0.113.0/24', '198.51.100.0/24'] } }),
  );
  expect(ruleTable(run).filter((r) => r.startsWith('loadBalancer in'))).toEqual(
    [
      'loadBalancer in tcp/443 198.51.100.0/24',
      'loadBalancer in tcp/443 203.0.113.0/24',
      'loadBalancer in tcp/80 198.51.100.0/24',
      'loadBalancer in tcp/80 203.0.113.0/24',
    ].sort(),
  );
});

test('each service pod gets its own group plus the DNS group; none without pod security groups', async () => {
  const run = await securityGroups(settings(PROD));
  const byName = new Map(
    run
      .ofType(GROUP)
      .map((g) => [(g.inputs.tags as Record<string, string>)['platform:security-group'], g.id]),
  );
  for (const service of ['frontend', 'auth', 'items', 'discounts'] as const) {
    expect(await resolve(run.result.podGroupIds?.[service] ?? [])).toEqual([
      byName.get(`pod-${service}`),
      byName.get('podDns'),
    ]);
  }
  expect((await securityGroups(settings(DEV))).result.podGroupIds).toBeUndefined();
});
