/**
 * The security group layer on a small cluster of its own: which groups a pod's traffic meets on
 * each path under each enforcing mode, how CIDR rules match pods of unknown address, and what the
 * inputs (network models, SecurityGroupPolicies, probes) must say to be read at all.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../src/engine';
import { buildCluster, loadManifests } from '../src/manifests';
import {
  loadNetworkModel,
  parseNetworkModel,
  type NetworkModel,
  type NetworkModelInput,
} from '../src/networkModel';
import { securityLayer, type Party } from '../src/securityGroups';
import type { Cluster } from '../src/types';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'netpol-sg-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const deployment = (name: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: shop }
spec:
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      ${extra}containers:
        - name: main
          ports: [{ name: http, containerPort: 8080 }, { name: management, containerPort: 9090 }]
          readinessProbe: { httpGet: { path: /ready, port: management } }
          livenessProbe: { tcpSocket: { port: 8080 } }
`;
const groupPolicy = (
  name: string,
  ids: string[],
  selector = `podSelector: { matchLabels: { app: ${name} } }`,
) => `apiVersion: vpcresources.k8s.aws/v1beta1
kind: SecurityGroupPolicy
metadata: { name: ${name}, namespace: shop }
spec:
  ${selector}
  securityGroups: { groupIds: [${ids.join(', ')}] }
`;

const WEB = 'sg-0000000000000000a';
const API = 'sg-0000000000000000b';
const NODES = 'sg-0000000000000000c';
const DATABASE = 'sg-0000000000000000d';

function model(overrides: Partial<NetworkModelInput['vpcCni']> = {}): NetworkModel {
  const input: NetworkModelInput = {
    stack: 'test',
    vpc: { cidr: '10.0.0.0/16' },
    subnets: { private: ['10.0.0.0/24'], database: ['10.0.100.0/24'], public: ['10.0.200.0/24'] },
    podCidrs: ['10.0.0.0/24'],
    databaseCidrs: ['10.0.100.0/24'],
    securityGroups: [
      {
        name: 'nodes',
        id: NODES,
        role: 'nodes',
        description: 'nodes',
        rules: [
          { direction: 'ingress', protocol: 'all', peer: { group: 'nodes' }, description: 'node to node' },
          { direction: 'egress', protocol: 'all', peer: { group: 'nodes' }, description: 'node to node' },
          {
            direction: 'egress',
            protocol: 'tcp',
            ports: { from: 443, to: 443 },
            peer: { cidr: '0.0.0.0/0' },
            description: 'https out',
          },
          {
            direction: 'egress',
            protocol: 'tcp',
            ports: { from: 9090, to: 9090 },
            peer: { group: 'pod-api' },
            description: 'probes',
          },
        ],
      },
      {
        name: 'pod-web',
        id: WEB,
        role: 'pod',
        service: 'web',
        description: 'web',
        rules: [
          {
            direction: 'egress',
            protocol: 'tcp',
            ports: { from: 8080, to: 8080 },
            peer: { group: 'pod-api' },
            description: 'web to api',
          },
          {
            direction: 'egress',
            protocol: 'tcp',
            ports: { from: 8000, to: 8999 },
            peer: { cidr: '10.0.0.0/25' },
            description: 'half the pod subnet',
          },
        ],
      },
      {
        name: 'pod-api',
        id: API,
        role: 'pod',
        service: 'api',
        description: 'api',
        rules: [
          {
            direction: 'ingress',
            protocol: 'tcp',
            ports: { from: 8080, to: 8080 },
            peer: { group: 'pod-web' },
            description: 'web to api',
          },
          {
            direction: 'ingress',
            protocol: 'tcp',
            ports: { from: 9090, to: 9090 },
            peer: { group: 'nodes' },
            description: 'probes',
          },
          {
            direction: 'egress',
            protocol: 'tcp',
            ports: { from: 27017, to: 27017 },
            peer: { group: 'database' },
            description: 'database',
          },
        ],
      },
      {
        name: 'database',
        id: DATABASE,
        role: 'database',
        description: 'database',
        rules: [
          {
            direction: 'ingress',
            protocol: 'tcp',
            ports: { from: 27017, to: 27017 },
            peer: { group: 'pod-api' },
            description: 'database',
          },
        ],
      },
    ],
    podGroups: { web: ['pod-web'], api: ['pod-api'] },
    coreDns: {
      namespace: 'kube-system',
      labels: { 'k8s-app': 'kube-dns' },
      securityGroups: ['nodes'],
      port: 53,
    },
    loadBalancer: { scheme: 'internal', subnets: [], securityGroups: [], sourceCidrs: [] },
    interfaceEndpoints: { enabled: false, securityGroups: [], subnets: [] },
    vpcCni: {
      networkPolicy: true,
      networkPolicyEnforcingMode: 'standard',
      podSecurityGroups: true,
      podSecurityGroupEnforcingMode: 'standard',
      ...overrides,
    },
  };
  return parseNetworkModel(input, 'test-model');
}

let counter = 0;
function shop(extra: string[] = []): Cluster {
  const file = join(dir, `shop-${counter++}.yaml`);
  writeFileSync(
    file,
    [
      deployment('web'),
      deployment('api'),
      deployment('worker'),
      groupPolicy('web', [WEB]),
      groupPolicy('api', [API]),
      ...extra,
    ].join('---\n'),
  );
  return buildCluster(loadManifests([file], { defaultNamespace: 'shop' }));
}

/** `one node: ...; across nodes: ...` for a pod-to-pod pair, `must` matching. */
function verdicts(networkModel: NetworkModel, from: string, to: string, cluster = shop()) {
  const layer = securityLayer(cluster, networkModel);
  const party = (id: string): Party => {
    if (id === 'node') return layer.node;
    const pod = cluster.pods.find((candidate) => candidate.id === `shop/${id}`);
    if (!pod) throw new Error(id);
    return layer.partyOfPod(pod);
  };
  return layer
    .paths(party(from), party(to))
    .map((spec) => layer.evaluate(spec, 'must'))
    .map((verdict) => `${verdict.path}: ${verdict.admitted.toString()}`);
}

describe('which groups a path meets', () => {
  it('standard mode: pods on one node meet none, pods across nodes both ends', () => {
    expect(verdicts(model(), 'web', 'api')).toEqual([
      'pod to pod on one node: All Connections',
      'pod to pod across nodes: TCP 8080',
    ]);
  });

  it('strict mode: a branch-ENI pod meets its groups on its own node too', () => {
    expect(verdicts(model({ podSecurityGroupEnforcingMode: 'strict' }), 'web', 'api')).toEqual([
      'pod to pod on one node: TCP 8080',
      'pod to pod across nodes: TCP 8080',
    ]);
  });

  it('a pod without a SecurityGroupPolicy uses the node group: across nodes the api group admits it on the probe port only', () => {
    expect(verdicts(model(), 'worker', 'api')).toEqual([
      'pod to pod on one node: All Connections',
      'pod to pod across nodes: TCP 9090',
    ]);
    // Two pods of the node group meet no group on one node, and node to node across.
    expect(verdicts(model({ podSecurityGroupEnforcingMode: 'strict' }), 'worker', 'worker')).toEqual([
      'pod to pod on one node: All Connections',
      'pod to pod across nodes: All Connections',
    ]);
  });

  it("the kubelet's probes meet the pod's groups in strict mode only", () => {
    expect(verdicts(model(), 'node', 'api')).toEqual(['node to pod (kubelet probes): All Connections']);
    expect(verdicts(model({ podSecurityGroupEnforcingMode: 'strict' }), 'node', 'api')).toEqual([
      'node to pod (kubelet probes): TCP 9090',
    ]);
  });

  it('without pod security groups every pod is the node group and SecurityGroupPolicies are reported', () => {
    const layer = securityLayer(
      shop(),
      model({ podSecurityGroups: false, podSecurityGroupEnforcingMode: undefined }),
    );
    expect(layer.mode).toBe('off');
    expect(layer.unresolved).toEqual([
      expect.stringMatching(
        /^2 SecurityGroupPolicy object\(s\) in shop, but the network model has pod security groups off/,
      ),
    ]);
  });

  it('leaving the VPC in standard mode the node group decides (SNAT), with external SNAT the pod group', () => {
    const outside = (networkModel: NetworkModel) => {
      const cluster = shop();
      const analysis = analyze({ ...cluster, addressSplits: ['10.0.0.0/16'] });
      const layer = securityLayer(cluster, networkModel);
      const api = cluster.pods.find((pod) => pod.id === 'shop/api') as (typeof cluster.pods)[number];
      const internet = analysis.rangeOf(8 * 2 ** 24); // 8.0.0.0
      const [address] = layer.partiesOfRange(internet);
      const [spec] = layer.paths(layer.partyOfPod(api), address as Party);
      const verdict = layer.evaluate(spec as never, 'must');
      return `${verdict.path}: ${verdict.admitted.toString()} (${verdict.egress.groups.join(', ')})`;
    };
    expect(outside(model())).toBe('leaving the VPC: TCP 443 (nodes)');
    expect(outside(model({ externalSnat: true }))).toBe('leaving the VPC: No Connections (pod-api)');
    expect(outside(model({ podSecurityGroupEnforcingMode: 'strict' }))).toBe(
      'leaving the VPC: No Connections (pod-api)',
    );
  });
});

describe('CIDR rules against pods of unknown address', () => {
  it('a CIDR over part of the pod subnet may match any pod, and assures none', () => {
    const cluster = shop();
    const layer = securityLayer(cluster, model());
    const [web, api] = ['shop/web', 'shop/api'].map((id) =>
      layer.partyOfPod(cluster.pods.find((pod) => pod.id === id) as (typeof cluster.pods)[number]),
    ) as [Party, Party];
    const across = layer.paths(web, api).find((spec) => !spec.sameHost);
    if (!across) throw new Error('no path across nodes');
    // Egress of pod-web: the group rule (8080) for both; the half-subnet rule (8000-8999) only may.
    expect(layer.evaluate(across, 'may').egress.admitted.toString()).toBe('TCP 8000-8999');
    expect(layer.evaluate(across, 'must').egress.admitted.toString()).toBe('TCP 8080');
  });

  it('a pod whose address is known is matched by it', () => {
    const file = join(dir, 'pod.yaml');
    writeFileSync(
      file,
      `apiVersion: v1
kind: Pod
metadata: { name: api-1, namespace: shop, labels: { app: api }, ownerReferences: [{ kind: ReplicaSet, name: api-5f, controller: true, apiVersion: apps/v1, uid: u }] }
spec: { containers: [{ name: main }] }
status: { podIP: 10.0.0.7 }
`,
    );
    const cluster = buildCluster(loadManifests([file], { defaultNamespace: 'shop' }));
    const party = securityLayer(cluster, model()).partyOfPod(
      cluster.pods[0] as (typeof cluster.pods)[number],
    );
    expect(party.addresses).toEqual([[167772167, 167772167]]);
  });
});

describe('inputs', () => {
  it('reads probe ports, names resolved, and the service account', () => {
    const [web] = shop().pods;
    expect(web?.probePorts).toEqual([8080, 9090]);
    expect(web?.serviceAccount).toBe('default');
  });

  it('selects pods by their ServiceAccount labels', () => {
    const cluster = shop([
      deployment('reporter', 'serviceAccountName: reports\n      '),
      'apiVersion: v1\nkind: ServiceAccount\nmetadata: { name: reports, namespace: shop, labels: { team: data } }\n',
      groupPolicy('by-account', [API], 'serviceAccountSelector: { matchLabels: { team: data } }'),
    ]);
    const layer = securityLayer(cluster, model());
    const reporter = cluster.pods.find((pod) => pod.id === 'shop/reporter') as (typeof cluster.pods)[number];
    expect(layer.partyOfPod(reporter).groups.map((group) => group.name)).toEqual(['pod-api']);
  });

  it.each([
    [
      'securityGroups: { groupIds: [sg-1] }\n  podSelector: {}',
      'spec.securityGroups.groupIds[0]: "sg-1" is not a security group id (sg-...)',
    ],
    [
      'securityGroups: { groupIds: [] }\n  podSelector: {}',
      'spec.securityGroups.groupIds: must list at least one group',
    ],
    [`securityGroups: { groupIds: [${WEB}] }`, 'spec: needs a podSelector or a serviceAccountSelector'],
  ])('refuses a SecurityGroupPolicy with %s', (spec, message) => {
    const file = join(dir, `sgp-${counter++}.yaml`);
    writeFileSync(
      file,
      `apiVersion: vpcresources.k8s.aws/v1beta1\nkind: SecurityGroupPolicy\nmetadata: { name: bad }\nspec:\n  ${spec}\n`,
    );
    expect(() => loadManifests([file], { defaultNamespace: 'shop' })).toThrow(`${file}#0: ${message}`);
  });

  it('refuses a probe on a port the container does not name', () => {
    const file = join(dir, 'probe.yaml');
    writeFileSync(file, deployment('web').replace('port: management', 'port: metrics'));
    expect(() => loadManifests([file], { defaultNamespace: 'shop' })).toThrow(
      'spec.template.spec.containers[0].readinessProbe.httpGet.port: "metrics" names no port of the container',
    );
  });

  it('names every problem of a network model with its path', () => {
    const broken = JSON.parse(JSON.stringify(model())) as Record<string, unknown> & {
      securityGroups: { rules: { peer: unknown }[] }[];
      vpc: { cidr: string };
    };
    broken.vpc.cidr = '10.0.0.0/33';
    (broken.securityGroups[1] as { rules: { peer: unknown }[] }).rules[0] = {
      direction: 'egress',
      protocol: 'tcp',
      peer: { group: 'nowhere' },
      description: 'no ports, unknown group',
    } as never;
    const file = join(dir, 'model.json');
    writeFileSync(file, JSON.stringify(broken));
    expect(() => loadNetworkModel(file)).toThrow(
      new RegExp(
        [
          `^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not a network model:`,
          '  - vpc.cidr: must be an IPv4 CIDR such as 10.0.0.0/16',
          '  - securityGroups.1.rules.0: a tcp or udp rule needs ports',
        ].join('\n'),
      ),
    );
    writeFileSync(file, '{');
    expect(() => loadNetworkModel(file)).toThrow(/not JSON/);
  });

  it('refuses rules naming a group the model lacks', () => {
    const input = JSON.parse(JSON.stringify(model())) as NetworkModelInput;
    const rule = input.securityGroups[1]?.rules[0];
    if (rule) rule.peer = { group: 'nowhere' };
    expect(() => parseNetworkModel(input, 'm.json')).toThrow(
      'm.json: not a network model:\n  - securityGroups.1.rules.0.peer.group: no security group named nowhere',
    );
  });
});
