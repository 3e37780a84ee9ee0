/**
 * Two independent implementations checked against each other on random clusters: the set engine
 * (`analyze`, what `matrix` and `check` use) and the rule-by-rule evaluation of one connection
 * (`evaluate`, what `explain` uses). For every ordered pair of endpoints and address ranges, every
 * port at and around each boundary any policy or pod names must get the same answer.
 */
import { analyze, evaluate, type Cluster, type Endpoint, type NetworkPolicy, type PodEndpoint } from '../src';
import type {
  ContainerPort,
  LabelSelector,
  LabelSelectorRequirement,
  PolicyPeer,
  PolicyPort,
  PolicyRule,
  Protocol,
} from '../src/types';

/** A small deterministic generator (a linear congruential one): the same seed, the same cluster. */
function generator(seed: number) {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const int = (below: number) => Math.floor(next() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const chance = (p: number) => next() < p;
  return { int, pick, chance };
}

const NAMESPACES = ['a', 'b', 'c'];
const APPS = ['web', 'api', 'db', 'cache'];
const TIERS = ['front', 'back'];
const PROTOCOLS: Protocol[] = ['TCP', 'UDP', 'SCTP'];
const PORT_NAMES = ['http', 'metrics', 'dns'];
const CIDRS = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '0.0.0.0/0', '192.168.0.0/16', '10.1.2.128/25'];

function randomCluster(seed: number): Cluster {
  const { int, pick, chance } = generator(seed);
  const pods: PodEndpoint[] = [];
  for (let index = 0; index < 8; index++) {
    const namespace = pick(NAMESPACES);
    const ports: ContainerPort[] = [];
    for (let p = 0; p < 1 + int(3); p++) {
      const port: ContainerPort = {
        containerPort: pick([53, 80, 443, 8080, 9090]),
        protocol: pick(PROTOCOLS),
      };
      if (chance(0.6)) port.name = pick(PORT_NAMES);
      ports.push(port);
    }
    pods.push({
      kind: 'pod',
      id: `${namespace}/pod${index}`,
      namespace,
      name: `pod${index}`,
      workloadKind: 'Deployment',
      labels: { app: pick(APPS), ...(chance(0.5) ? { tier: pick(TIERS) } : {}) },
      ports,
      ...(chance(0.5) ? { addresses: [`10.1.${pick([2, 3])}.${int(256)}`] } : {}),
    });
  }
  const selector = (): LabelSelector => {
    if (chance(0.3)) return {};
    if (chance(0.5)) return { matchLabels: { app: pick(APPS) } };
    const key = pick(['app', 'tier']);
    const operator = pick(['In', 'NotIn', 'Exists', 'DoesNotExist'] as const);
    const requirement: LabelSelectorRequirement =
      operator === 'Exists' || operator === 'DoesNotExist'
        ? { key, operator }
        : { key, operator, values: [pick([...APPS, ...TIERS]), pick([...APPS, ...TIERS])] };
    return { matchExpressions: [requirement] };
  };
  const peer = (): PolicyPeer => {
    const kind = int(4);
    if (kind === 0) {
      const cidr = pick(CIDRS);
      const inside = CIDRS.filter((candidate) => candidate !== cidr && contains(cidr, candidate));
      return { ipBlock: { cidr, ...(inside.length && chance(0.5) ? { except: [pick(inside)] } : {}) } };
    }
    if (kind === 1) return { podSelector: selector() };
    if (kind === 2) return { namespaceSelector: { matchLabels: { team: pick(['x', 'y']) } } };
    return { namespaceSelector: selector(), podSelector: selector() };
  };
  const port = (): PolicyPort => {
    const protocol = pick(PROTOCOLS);
    const kind = int(4);
    if (kind === 0) return { protocol };
    if (kind === 1) return { protocol, port: pick(PORT_NAMES) };
    const first = pick([53, 80, 443, 8000, 9090]);
    return kind === 2 ? { protocol, port: first } : { protocol, port: first, endPort: first + int(100) };
  };
  const rule = (): PolicyRule => ({
    ...(chance(0.8) ? { peers: Array.from({ length: 1 + int(2) }, peer) } : {}),
    ...(chance(0.8) ? { ports: Array.from({ length: 1 + int(2) }, port) } : {}),
  });
  const policies: NetworkPolicy[] = Array.from({ length: 1 + int(5) }, (_, index) => {
    const types: NetworkPolicy['policyTypes'] = pick([['Ingress'], ['Egress'], ['Ingress', 'Egress']]);
    return {
      namespace: pick(NAMESPACES),
      name: `p${index}`,
      podSelector: selector(),
      policyTypes: types,
      ingress: types.includes('Ingress') ? Array.from({ length: int(3) }, rule) : [],
      egress: types.includes('Egress') ? Array.from({ length: int(3) }, rule) : [],
    };
  });
  return {
    namespaces: NAMESPACES.map((name) => ({
      name,
      labels: { 'kubernetes.io/metadata.name': name, team: name === 'a' ? 'x' : 'y' },
    })),
    pods,
    externals: [],
    policies,
    ...(seed % 2 === 0 ? { podAddressRanges: ['10.1.2.0/24', '10.1.3.0/24'] } : {}),
  };
}

function contains(outer: string, inner: string): boolean {
  const [outerAddress = '', outerBits = '0'] = outer.split('/');
  const [innerAddress = '', innerBits = '0'] = inner.split('/');
  const value = (address: string) => address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(outerBits));
  return (
    Number(innerBits) > Number(outerBits) &&
    Math.floor(value(innerAddress) / size) === Math.floor(value(outerAddress) / size)
  );
}

/** Every port where some set could change, and its neighbours. */
function boundaryPorts(cluster: Cluster): number[] {
  const ports = new Set([1, 65535]);
  const add = (port: number) =>
    [port - 1, port, port + 1].forEach((p) => p >= 1 && p <= 65535 && ports.add(p));
  for (const pod of cluster.pods) pod.ports.forEach((port) => add(port.containerPort));
  for (const policy of cluster.policies) {
    for (const rule of [...policy.ingress, ...policy.egress]) {
      for (const port of rule.ports ?? []) {
        if (typeof port.port === 'number') add(port.port);
        if (port.endPort !== undefined) add(port.endPort);
      }
    }
  }
  return [...ports].sort((a, b) => a - b);
}

describe('the set engine and the rule-by-rule evaluation', () => {
  it.each(Array.from({ length: 60 }, (_, index) => index + 1))('agree on random cluster %i', (seed) => {
    const cluster = randomCluster(seed);
    for (const ipBlocksMatchPods of [true, false]) {
      const analysis = analyze(cluster, { ipBlocksMatchPods });
      const endpoints: Endpoint[] = [...cluster.pods, ...analysis.ranges];
      const ports = boundaryPorts(cluster);
      const disagreements: string[] = [];
      for (const from of endpoints) {
        for (const to of endpoints) {
          if (from === to || (from.kind === 'range' && to.kind === 'range')) continue;
          const exact = analysis.between(from, to);
          for (const protocol of PROTOCOLS) {
            for (const port of ports) {
              const verdict = evaluate(cluster, { from, to, port, protocol }, { ipBlocksMatchPods });
              if (verdict.allowed !== exact.has(protocol, port)) {
                disagreements.push(
                  `${from.id} -> ${to.id} ${port}/${protocol}: explain ${verdict.allowed}, sets ${exact.toString()}`,
                );
              }
            }
          }
        }
      }
      expect(disagreements.slice(0, 5)).toEqual([]);
    }
  });

  it('list in matrix exactly the pairs with a connection, each with its set', () => {
    let allowed = 0;
    let denied = 0;
    for (let seed = 100; seed < 140; seed++) {
      const cluster = randomCluster(seed);
      const analysis = analyze(cluster);
      const listed = new Map(
        analysis.pairs().map((pair) => [`${pair.from.id} ${pair.to.id}`, pair.connections]),
      );
      const endpoints: Endpoint[] = [...cluster.pods, ...analysis.ranges];
      for (const from of endpoints) {
        for (const to of endpoints) {
          if (from === to || (from.kind === 'range' && to.kind === 'range')) continue;
          const exact = analysis.between(from, to);
          const pair = listed.get(`${from.id} ${to.id}`);
          if (exact.isEmpty()) {
            denied++;
            expect(pair).toBeUndefined();
          } else {
            allowed++;
            expect(pair?.equals(exact)).toBe(true);
          }
        }
      }
    }
    // The generator makes both outcomes common, or the agreement above would prove little.
    expect(Math.min(allowed, denied)).toBeGreaterThan(500);
  });
});
