/**
 * Synthetic clusters for the verifier: Kubernetes YAML (Namespaces, Deployments, bare Pods,
 * NetworkPolicies) and a traffic-flow contract over them. Pure and seeded: the same options give
 * byte-identical text.
 */
import { stringify } from 'yaml';
import { Random } from './random';

export interface GenerateOptions {
  /** Pods in all: Deployment replicas plus bare Pods. */
  pods: number;
  /** Namespaces in all, `kube-system` (the last) included. */
  namespaces: number;
  /** NetworkPolicies in all. */
  policies: number;
  /** Container ports of every pod (split over its containers). */
  portsPerPod?: number;
  seed: number;
  /**
   * When set, one policy of the first namespace has an egress rule listing this many distinct
   * ipBlocks (some with excepts); it counts among `policies`.
   */
  wideIpBlocks?: number;
}

export interface GeneratedCluster {
  /** Multi-document YAML. */
  manifests: string;
  /** The contract, one YAML document, for `netpol check --expect`. */
  contract: string;
  /** Every namespace, in the order generated (`kube-system` last). */
  namespaces: string[];
  counts: {
    pods: number;
    deployments: number;
    barePods: number;
    podsWithAddress: number;
    policies: number;
    ipBlocks: number;
    documents: number;
    contractGroups: number;
    contractRows: number;
  };
}

type Protocol = 'TCP' | 'UDP' | 'SCTP';
type Labels = Record<string, string>;

interface Port {
  name?: string;
  containerPort: number;
  protocol: Protocol;
}

interface Workload {
  kind: 'Deployment' | 'Pod';
  name: string;
  /** The `app` label. */
  app: string;
  replicas: number;
  labels: Labels;
  containers: { name: string; image: string; ports: Port[] }[];
  podIP?: string;
}

interface NamespaceModel {
  name: string;
  labels: Labels;
  team: string;
  env: string;
  workloads: Workload[];
}

interface Expression {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists';
  values?: string[];
}
interface Selector {
  matchLabels?: Labels;
  matchExpressions?: Expression[];
}
interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface PolicyPort {
  protocol?: Protocol;
  port?: number | string;
  endPort?: number;
}
interface PolicySpec {
  podSelector: Selector;
  policyTypes: ('Ingress' | 'Egress')[];
  ingress?: { from?: Peer[]; ports?: PolicyPort[] }[];
  egress?: { to?: Peer[]; ports?: PolicyPort[] }[];
}

const TEAMS = [
  'payments',
  'orders',
  'search',
  'identity',
  'catalog',
  'shipping',
  'billing',
  'ads',
  'media',
  'analytics',
  'messaging',
  'reviews',
];
const ENVS = ['prod', 'staging', 'dev'];
const APPS: [string, string][] = [
  ['web', 'web'],
  ['api', 'api'],
  ['worker', 'worker'],
  ['cache', 'data'],
  ['gateway', 'web'],
  ['auth', 'api'],
  ['indexer', 'worker'],
  ['scheduler', 'worker'],
  ['notifier', 'worker'],
  ['frontend', 'web'],
  ['backend', 'api'],
  ['queue', 'data'],
  ['db-proxy', 'data'],
  ['exporter', 'monitoring'],
  ['ingest', 'worker'],
  ['reporter', 'worker'],
];
const NAMED_PORTS: Port[] = [
  { name: 'grpc', containerPort: 9000, protocol: 'TCP' },
  { name: 'health', containerPort: 8081, protocol: 'TCP' },
  { name: 'https', containerPort: 8443, protocol: 'TCP' },
  { name: 'statsd', containerPort: 8125, protocol: 'UDP' },
  { name: 'syslog', containerPort: 5140, protocol: 'UDP' },
  { name: 'diameter', containerPort: 3868, protocol: 'SCTP' },
  { name: 'admin', containerPort: 8082, protocol: 'TCP' },
  { name: 'debug', containerPort: 6060, protocol: 'TCP' },
  { name: 'amqp', containerPort: 5672, protocol: 'TCP' },
  { name: 'redis', containerPort: 6379, protocol: 'TCP' },
];
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
/** Where pods with a status take their addresses from. */
const POD_NETWORK = '10.0.0.0/16';
const KUBE_SYSTEM = 'kube-system';

const YAML_OPTIONS = { aliasDuplicateObjects: false, lineWidth: 0 } as const;

function checkCount(what: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) throw new RangeError(`${what} must be an integer >= ${min}`);
}

/** `count` split in parts of at least `min[i]`, the rest spread by random weights. */
function split(random: Random, count: number, minimums: number[]): number[] {
  const parts = [...minimums];
  let rest = count - minimums.reduce((sum, value) => sum + value, 0);
  const weights = minimums.map(() => 0.5 + random.float());
  const total = weights.reduce((sum, value) => sum + value, 0);
  const shares = weights.map((weight) => Math.floor((rest * weight) / total));
  shares.forEach((share, index) => {
    parts[index] = (parts[index] ?? 0) + share;
    rest -= share;
  });
  for (let index = 0; rest > 0; index = (index + 1) % parts.length, rest--)
    parts[index] = (parts[index] ?? 0) + 1;
  return parts;
}

function portsFor(random: Random, count: number, fixed: Port[]): Port[] {
  const ports: Port[] = [];
  const add = (port: Port) => {
    if (ports.length >= count) return;
    const clash = ports.some(
      (other) =>
        (other.containerPort === port.containerPort && other.protocol === port.protocol) ||
        (port.name !== undefined && other.name === port.name),
    );
    if (!clash) ports.push(port);
  };
  fixed.forEach(add);
  for (const port of random.sample(NAMED_PORTS, random.int(1, 4))) add(port);
  while (ports.length < count) {
    const roll = random.float();
    if (roll < 0.6) add({ containerPort: random.int(30000, 30199), protocol: 'TCP' });
    else if (roll < 0.8) add({ containerPort: random.int(5000, 5999), protocol: 'UDP' });
    else if (roll < 0.9) add({ containerPort: random.int(38000, 38099), protocol: 'SCTP' });
    else add({ containerPort: random.int(10000, 10999), protocol: 'TCP' });
  }
  return ports;
}

class AddressPool {
  private next = 0;
  /** An odd stride visits all 65,536 offsets of the /16 before repeating. */
  private readonly stride = 0x9e5;
  private readonly start: number;

  constructor(random: Random) {
    this.start = random.int(0, 0xffff);
  }

  take(): string {
    for (;;) {
      const offset = (this.start + this.next++ * this.stride) & 0xffff;
      const host = offset & 0xff;
      if (offset >= 0x100 && host !== 0 && host !== 0xff) return `10.0.${offset >> 8}.${host}`;
    }
  }
}

function namespacesOf(random: Random, count: number): NamespaceModel[] {
  const result: NamespaceModel[] = [];
  for (let index = 0; index < count - 1; index++) {
    const team = TEAMS[index % TEAMS.length] ?? 'team';
    const env = ENVS[Math.floor(index / TEAMS.length) % ENVS.length] ?? 'prod';
    const round = Math.floor(index / (TEAMS.length * ENVS.length));
    const name = round === 0 ? `${team}-${env}` : `${team}-${env}-${round + 1}`;
    const labels: Labels = { team, env };
    if (random.chance(0.5)) labels['istio-injection'] = 'enabled';
    if (random.chance(0.6)) labels.monitoring = 'enabled';
    result.push({ name, labels, team, env, workloads: [] });
  }
  result.push({
    name: KUBE_SYSTEM,
    labels: { team: 'platform', env: 'prod', monitoring: 'enabled' },
    team: 'platform',
    env: 'prod',
    workloads: [],
  });
  return result;
}

function podLabels(random: Random, app: string, tier: string, team: string): Labels {
  const roll = random.float();
  const labels: Labels = {
    app,
    tier,
    version: roll < 0.7 ? 'v1' : roll < 0.9 ? 'v2' : 'canary',
    'app.kubernetes.io/part-of': team,
  };
  if (random.chance(0.5)) labels.scrape = 'true';
  return labels;
}

function containersFor(random: Random, team: string, app: string, ports: Port[]): Workload['containers'] {
  const image = (name: string) => `registry.example.com/${team}/${name}:1.${random.int(0, 30)}.0`;
  if (ports.length >= 4 && random.chance(0.4)) {
    return [
      { name: app, image: image(app), ports: ports.slice(0, -3) },
      { name: 'proxy', image: image('envoy'), ports: ports.slice(-3) },
    ];
  }
  return [{ name: app, image: image(app), ports }];
}

function fillNamespace(
  random: Random,
  namespace: NamespaceModel,
  quota: number,
  portsPerPod: number,
  addresses: AddressPool,
): void {
  let remaining = quota;
  const used = new Set<string>();
  const unique = (base: string) => {
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
    used.add(name);
    return name;
  };
  const standard: Port[] = [
    { name: 'http', containerPort: 8080, protocol: 'TCP' },
    { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
  ];
  if (namespace.name === KUBE_SYSTEM) {
    const dnsPorts: Port[] = [
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
      { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
    ];
    const replicas = Math.min(2, remaining);
    namespace.workloads.push({
      kind: 'Deployment',
      name: unique('coredns'),
      app: 'coredns',
      replicas,
      labels: { 'k8s-app': 'kube-dns', app: 'coredns', tier: 'platform' },
      containers: [
        {
          name: 'coredns',
          image: 'registry.k8s.io/coredns/coredns:v1.11.3',
          ports: portsFor(random, portsPerPod, dnsPorts),
        },
      ],
    });
    remaining -= replicas;
    if (remaining > 0) {
      namespace.workloads.push({
        kind: 'Deployment',
        name: unique('prometheus'),
        app: 'prometheus',
        replicas: 1,
        labels: { app: 'prometheus', tier: 'monitoring' },
        containers: containersFor(random, 'platform', 'prometheus', portsFor(random, portsPerPod, standard)),
      });
      remaining -= 1;
    }
  }
  let appIndex = random.int(0, APPS.length - 1);
  while (remaining > 0) {
    const [base, tier] = APPS[appIndex++ % APPS.length] ?? ['app', 'api'];
    const ports = portsFor(random, portsPerPod, standard);
    if (remaining === 1 || random.chance(0.2)) {
      // A bare pod: a one-off job or debug pod, its own labels; most have an address.
      const app = `${base}-job`;
      const name = unique(`${app}-${random.next().toString(36).slice(0, 5)}`);
      const labels = { ...podLabels(random, app, tier, namespace.team), run: name };
      const podIP = random.chance(0.7) ? addresses.take() : undefined;
      namespace.workloads.push({
        kind: 'Pod',
        name,
        app,
        replicas: 1,
        labels,
        containers: containersFor(random, namespace.team, base, ports),
        ...(podIP ? { podIP } : {}),
      });
      remaining -= 1;
    } else {
      const name = unique(base);
      const replicas = Math.min(remaining, random.int(2, 6));
      namespace.workloads.push({
        kind: 'Deployment',
        name,
        app: name,
        replicas,
        labels: podLabels(random, name, tier, namespace.team),
        containers: containersFor(random, namespace.team, base, ports),
      });
      remaining -= replicas;
    }
  }
}

function workloadObject(namespace: string, workload: Workload): Record<string, unknown> {
  const containers = workload.containers.map((container, index) => ({
    name: container.name,
    image: container.image,
    ports: container.ports.map((port) => ({
      ...(port.name !== undefined ? { name: port.name } : {}),
      containerPort: port.containerPort,
      // TCP is the default: written out on some ports only, as hand-written charts do.
      ...(port.protocol !== 'TCP' || (port.containerPort + index) % 2 === 0
        ? { protocol: port.protocol }
        : {}),
    })),
  }));
  if (workload.kind === 'Pod') {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: workload.name, namespace, labels: workload.labels },
      spec: { containers },
      ...(workload.podIP
        ? { status: { phase: 'Running', podIP: workload.podIP, podIPs: [{ ip: workload.podIP }] } }
        : {}),
    };
  }
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: workload.name, namespace, labels: { app: workload.app } },
    spec: {
      replicas: workload.replicas,
      selector: { matchLabels: { app: workload.app } },
      template: { metadata: { labels: workload.labels }, spec: { containers } },
    },
  };
}

const octets = (address: number) =>
  [address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff].join('.');
const masked = (address: number, prefix: number) =>
  prefix === 0 ? 0 : (address & (0xffffffff << (32 - prefix))) >>> 0;

/** A block inside `network/prefix`, `length` bits long. */
function subBlock(random: Random, network: number, prefix: number, length: number): string {
  const inside = prefix === 32 ? 0 : random.next() & (0xffffffff >>> prefix);
  return `${octets(masked((network | inside) >>> 0, length))}/${length}`;
}

/** `count` distinct ipBlocks: mostly public networks of many sizes, a few on the pod network. */
function wideIpBlocks(random: Random, count: number): Peer[] {
  const seen = new Set<string>();
  const peers: Peer[] = [];
  while (peers.length < count) {
    let network: number;
    let prefix: number;
    if (random.chance(0.05)) {
      prefix = random.pick([24, 26, 28]);
      // On the pod network 10.0.0.0/16, where pods with a status have their addresses.
      network = masked((0x0a000000 | random.int(0, 0xffff)) >>> 0, prefix);
    } else {
      let first = random.int(11, 223);
      if ([127, 169, 172, 192].includes(first)) first = 45;
      prefix = random.pick([32, 32, 32, 32, 24, 24, 24, 28, 20, 16]);
      network = masked(((first << 24) | (random.next() & 0xffffff)) >>> 0, prefix);
    }
    const cidr = `${octets(network)}/${prefix}`;
    if (seen.has(cidr)) continue;
    seen.add(cidr);
    if (prefix <= 26 && random.chance(0.15)) {
      const except = [
        ...new Set(
          Array.from({ length: random.int(1, 2) }, () =>
            subBlock(random, network, prefix, Math.min(32, prefix + random.int(4, 8))),
          ),
        ),
      ];
      peers.push({ ipBlock: { cidr, except } });
    } else {
      peers.push({ ipBlock: { cidr } });
    }
  }
  return peers;
}

const byName = (name: string): Selector => ({ matchLabels: { 'kubernetes.io/metadata.name': name } });

type PolicyKind = (namespace: NamespaceModel, others: NamespaceModel[]) => PolicySpec;

function policyKinds(random: Random): [string, PolicyKind][] {
  const target = (namespace: NamespaceModel): Selector => {
    const workload = random.pick(namespace.workloads);
    return { matchLabels: { app: workload.app } };
  };
  const otherApp = (namespace: NamespaceModel) => random.pick(namespace.workloads).app;
  return [
    [
      'allow-same-namespace',
      (namespace) => ({
        podSelector: target(namespace),
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { app: otherApp(namespace) } } }],
            ports: [{ port: 'http' }, { protocol: 'TCP', port: 8443 }],
          },
        ],
      }),
    ],
    [
      'allow-from-team',
      (namespace, others) => {
        const other = random.pick(others);
        return {
          podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] },
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: [
                {
                  namespaceSelector: { matchLabels: { team: other.team } },
                  podSelector: {
                    matchExpressions: [{ key: 'version', operator: 'NotIn', values: ['canary'] }],
                  },
                },
                {
                  namespaceSelector: {
                    matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }],
                  },
                  podSelector: { matchLabels: { tier: 'web' } },
                },
              ],
              ports: [{ port: 'grpc' }, { protocol: 'TCP', port: 9000, endPort: 9010 }],
            },
          ],
        };
      },
    ],
    [
      'allow-egress-to',
      (namespace, others) => {
        const other = random.pick(others);
        return {
          podSelector: target(namespace),
          policyTypes: ['Egress'],
          egress: [
            {
              to: [
                {
                  namespaceSelector: {
                    matchExpressions: [
                      { key: 'env', operator: 'NotIn', values: ['dev'] },
                      { key: 'team', operator: 'In', values: [other.team, namespace.team] },
                    ],
                  },
                  podSelector: { matchLabels: { app: random.pick(other.workloads).app } },
                },
                { namespaceSelector: byName(other.name) },
              ],
              ports: [{ port: 'http' }, { port: 'grpc' }, { protocol: 'TCP', port: 8443 }],
            },
          ],
        };
      },
    ],
    [
      'allow-internet',
      () => ({
        podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE_RANGES } }],
            ports: [
              { protocol: 'TCP', port: 443 },
              { protocol: 'TCP', port: 80 },
            ],
          },
        ],
      }),
    ],
    [
      'allow-node-ports',
      (namespace) => {
        const third = random.int(0, 255);
        return {
          podSelector: target(namespace),
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: [
                { ipBlock: { cidr: POD_NETWORK, except: [`10.0.${third}.0/24`, '10.0.128.0/17'] } },
                { ipBlock: { cidr: '192.168.10.0/24', except: ['192.168.10.128/25'] } },
              ],
              ports: [{ protocol: 'TCP', port: 30000, endPort: 30100 }],
            },
          ],
        };
      },
    ],
    [
      'allow-scrape',
      () => ({
        podSelector: { matchExpressions: [{ key: 'scrape', operator: 'Exists' }] },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: { matchLabels: { team: 'platform' } },
                podSelector: { matchLabels: { app: 'prometheus' } },
              },
            ],
            ports: [{ port: 'metrics' }],
          },
        ],
      }),
    ],
    [
      'allow-telemetry',
      (namespace) => ({
        podSelector: target(namespace),
        policyTypes: ['Ingress', 'Egress'],
        ingress: [
          {
            from: [{ podSelector: {} }],
            ports: [
              { protocol: 'UDP', port: 'statsd' },
              { protocol: 'UDP', port: 5140 },
              { protocol: 'SCTP', port: 3868 },
            ],
          },
        ],
        egress: [
          {
            to: [{ ipBlock: { cidr: POD_NETWORK } }],
            ports: [
              { protocol: 'UDP', port: 8125 },
              { protocol: 'UDP', port: 5000, endPort: 5999 },
              { protocol: 'SCTP', port: 38000, endPort: 38099 },
            ],
          },
        ],
      }),
    ],
    [
      'allow-pod-addresses',
      (namespace) => {
        const third = random.int(0, 255);
        return {
          podSelector: target(namespace),
          policyTypes: ['Egress'],
          egress: [
            {
              to: [
                { ipBlock: { cidr: `10.0.${third}.0/24`, except: [`10.0.${third}.0/28`] } },
                { ipBlock: { cidr: `10.0.${(third + 1) % 256}.0/24` } },
              ],
              ports: [{ protocol: 'TCP', port: 8080, endPort: 8090 }],
            },
          ],
        };
      },
    ],
    [
      'allow-mesh',
      () => ({
        podSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] },
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchExpressions: [{ key: 'istio-injection', operator: 'Exists' }] },
              },
            ],
            ports: [{ port: 'https' }, { protocol: 'TCP', port: 15000, endPort: 15090 }],
          },
        ],
      }),
    ],
  ];
}

function policiesOf(
  random: Random,
  namespace: NamespaceModel,
  quota: number,
  appNamespaces: NamespaceModel[],
  wide: number,
): { name: string; spec: PolicySpec }[] {
  const policies: { name: string; spec: PolicySpec }[] = [];
  const kinds = policyKinds(random);
  const others = appNamespaces.filter((other) => other !== namespace);
  const peers = others.length > 0 ? others : [namespace];
  const dnsPorts: PolicyPort[] = [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ];
  const names = new Map<string, number>();
  const add = (base: string, spec: PolicySpec) => {
    const n = (names.get(base) ?? 0) + 1;
    names.set(base, n);
    if (policies.length < quota) policies.push({ name: n === 1 ? base : `${base}-${n}`, spec });
  };
  const system = namespace.name === KUBE_SYSTEM;
  add('default-deny', {
    podSelector: {},
    policyTypes: system ? ['Ingress'] : ['Ingress', 'Egress'],
  });
  if (wide > 0) {
    add('allow-partners', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: wideIpBlocks(random, wide),
          ports: [
            { protocol: 'TCP', port: 443 },
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 8000, endPort: 8100 },
          ],
        },
      ],
    });
  }
  if (system) {
    add('allow-dns', {
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ namespaceSelector: {} }], ports: dnsPorts }],
    });
  } else {
    add('allow-dns', {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              namespaceSelector: byName(KUBE_SYSTEM),
              podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: dnsPorts,
        },
      ],
    });
  }
  while (policies.length < quota) {
    const [name, make] = random.pick(kinds);
    add(name, make(namespace, peers));
  }
  return policies;
}

function contractOf(
  random: Random,
  namespaces: NamespaceModel[],
): { text: string; groups: number; rows: number } {
  const candidates = namespaces
    .filter((namespace) => namespace.name !== KUBE_SYSTEM)
    .flatMap((namespace) => namespace.workloads.map((workload) => ({ namespace: namespace.name, workload })));
  const chosen = random.sample(candidates, 24);
  const groups: Record<string, { namespace: string; labels: Labels }> = {
    dns: { namespace: KUBE_SYSTEM, labels: { 'k8s-app': 'kube-dns' } },
  };
  for (const { namespace, workload } of chosen) {
    groups[`${namespace}.${workload.app}`] = { namespace, labels: { app: workload.app } };
  }
  const names = Object.keys(groups).filter((name) => name !== 'dns');
  const allow: { from: string; to: string; ports: string[] }[] = [];
  for (const name of names.slice(0, 8)) allow.push({ from: name, to: 'dns', ports: ['53/UDP', '53/TCP'] });
  const portChoices = ['http', 'grpc', 'metrics', '8080/TCP', '8443/TCP', '8125/UDP', '30010/TCP'];
  if (names.length > 1) {
    for (let row = 0; row < 28; row++) {
      const [from, to] = random.sample(names, 2) as [string, string];
      allow.push({ from, to, ports: random.sample(portChoices, random.int(1, 2)) });
    }
  }
  const text = stringify(
    { scope: namespaces.map((namespace) => namespace.name), groups, allow },
    YAML_OPTIONS,
  );
  return { text, groups: Object.keys(groups).length, rows: allow.length };
}

export function generateCluster(options: GenerateOptions): GeneratedCluster {
  const portsPerPod = options.portsPerPod ?? 10;
  const wide = options.wideIpBlocks ?? 0;
  checkCount('namespaces', options.namespaces, 2);
  checkCount('pods', options.pods, options.namespaces + 1);
  checkCount('policies', options.policies, 0);
  checkCount('portsPerPod', portsPerPod, 2);
  checkCount('wideIpBlocks', wide, 0);
  if (wide > 0 && options.policies < 2) throw new RangeError('wideIpBlocks needs policies >= 2');
  if (!Number.isInteger(options.seed)) throw new RangeError('seed must be an integer');

  const random = new Random(options.seed);
  const namespaces = namespacesOf(random, options.namespaces);
  const addresses = new AddressPool(random);
  const podQuotas = split(
    random,
    options.pods,
    namespaces.map((namespace) => (namespace.name === KUBE_SYSTEM ? 2 : 1)),
  );
  namespaces.forEach((namespace, index) =>
    fillNamespace(random, namespace, podQuotas[index] ?? 1, portsPerPod, addresses),
  );
  const appNamespaces = namespaces.filter((namespace) => namespace.name !== KUBE_SYSTEM);
  const policyQuotas = namespaces.map(
    (_, index) =>
      Math.floor(options.policies / namespaces.length) +
      (index < options.policies % namespaces.length ? 1 : 0),
  );
  // The wide policy needs a second slot in the first namespace.
  if (wide > 0 && (policyQuotas[0] ?? 0) < 2) {
    const donor = policyQuotas.findIndex((quota, index) => index > 0 && quota > 0);
    policyQuotas[donor] = (policyQuotas[donor] ?? 0) - 1;
    policyQuotas[0] = (policyQuotas[0] ?? 0) + 1;
  }

  const documents: unknown[] = namespaces.map((namespace) => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace.name, labels: namespace.labels },
  }));
  let ipBlocks = 0;
  let policyCount = 0;
  namespaces.forEach((namespace, index) => {
    for (const workload of namespace.workloads) documents.push(workloadObject(namespace.name, workload));
    const policies = policiesOf(
      random,
      namespace,
      policyQuotas[index] ?? 0,
      appNamespaces,
      index === 0 ? wide : 0,
    );
    for (const { name, spec } of policies) {
      policyCount++;
      for (const rule of [
        ...(spec.ingress ?? []).map((r) => r.from),
        ...(spec.egress ?? []).map((r) => r.to),
      ])
        ipBlocks += (rule ?? []).filter((peer) => peer.ipBlock).length;
      documents.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name, namespace: namespace.name },
        spec,
      });
    }
  });

  const workloads = namespaces.flatMap((namespace) => namespace.workloads);
  const contract = contractOf(random, namespaces);
  return {
    manifests: documents.map((document) => stringify(document, YAML_OPTIONS)).join('---\n'),
    contract: contract.text,
    namespaces: namespaces.map((namespace) => namespace.name),
    counts: {
      pods: workloads.reduce((sum, workload) => sum + workload.replicas, 0),
      deployments: workloads.filter((workload) => workload.kind === 'Deployment').length,
      barePods: workloads.filter((workload) => workload.kind === 'Pod').length,
      podsWithAddress: workloads.filter((workload) => workload.podIP !== undefined).length,
      policies: policyCount,
      ipBlocks,
      documents: documents.length,
      contractGroups: contract.groups,
      contractRows: contract.rows,
    },
  };
}
