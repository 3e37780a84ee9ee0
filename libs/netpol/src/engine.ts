import { formatRange, ipBlockRanges, parseIpv4 } from './cidr';
import { ConnectionSet } from './connections';
import { selectorMatches } from './selectors';
import type {
  AddressRange,
  Cluster,
  ContainerPort,
  Endpoint,
  Labels,
  LabelSelector,
  NetworkPolicy,
  PodEndpoint,
  PolicyPeer,
  PolicyRule,
  Protocol,
} from './types';

export type Direction = 'ingress' | 'egress';

/** Whose semantics decide: the Kubernetes API's, or what the EKS network policy agent enforces. */
export type Enforcer = 'upstream' | 'eks';
export const ENFORCERS: readonly Enforcer[] = ['upstream', 'eks'];

export interface AnalysisOptions {
  /**
   * Whether an ipBlock matches pods whose addresses fall in it, as Kubernetes enforces it (the
   * default). np-guard's netpol-analyzer assumes ipBlocks never match pods; `false` does the same.
   */
  ipBlocksMatchPods?: boolean;
  /**
   * `eks` (amazon-network-policy-controller-k8s, pkg/resolvers/endpoints.go, and the EKS user
   * guide's network policy considerations) differs from upstream in three ways the analysis follows:
   * - a CIDR entry carries numeric ports only (convertToPolicyInfoPortForCIDRs): named ports of a
   *   rule are dropped for its ipBlock peers (pods they cover included) and for a rule without
   *   peers (0.0.0.0/0), and a rule whose ports are all named admits nothing through them;
   * - an ingress rule's named port resolves at every pod the policy selects, and the union applies
   *   to each of them (getIngressRulesPorts), not at each destination alone;
   * - policies apply only to pods with owner references ("Standalone Pods that don't have a
   *   metadata.ownerReferences set can't have network policies applied to them"): bare pods are
   *   open both ways.
   */
  enforcer?: Enforcer;
}

/** The exact set of connections from one endpoint to another. */
export interface EndpointPair {
  from: Endpoint;
  to: Endpoint;
  connections: ConnectionSet;
}

export interface Analysis {
  cluster: Cluster;
  /** The outside address space, split into ranges that every policy treats alike, in order. */
  ranges: AddressRange[];
  /** How ipBlocks were matched against pods, for the reports. */
  notes: string[];
  /** Every connection `from` may open to `to` (empty for an endpoint to itself, or between ranges). */
  between(from: Endpoint, to: Endpoint): ConnectionSet;
  /**
   * Every ordered pair of distinct endpoints with at least one allowed connection and at least one
   * pod end in a namespace `inScope` accepts (all namespaces without it). Ranges never pair with
   * ranges.
   */
  pairs(inScope?: (namespace: string) => boolean): EndpointPair[];
  /** The range holding `address`. */
  rangeOf(address: number): AddressRange;
  /**
   * Where egress rules' and ingress rules' ipBlocks (and the named networks) split the address
   * space: a source range's connections change only at ingress splits, a destination's only at
   * egress splits.
   */
  splits: { egress: ReadonlySet<number>; ingress: ReadonlySet<number> };
}

const ADDRESS_SPACE_END = 2 ** 32;
const METADATA_NAME = 'kubernetes.io/metadata.name';

/** Pods alike for every policy: same namespace, labels, ports and (where it matters) addresses. */
interface PodClass {
  index: number;
  namespace: string;
  labels: Labels;
  ports: ContainerPort[];
  members: PodEndpoint[];
  /** The ranges (indices) its members' addresses fall in. */
  addressRanges: number[];
  /** Some member has no known address, and the cluster says where pod addresses lie. */
  addressUnknown: boolean;
  /** Whether policies apply to its members (EKS: only pods with owners). */
  enforced: boolean;
}

interface NamedPort {
  name: string;
  protocol: Protocol;
}

interface CompiledRule {
  /** No peers: every pod and every address. */
  everyPeer: boolean;
  /** Pods a pod or namespace selector admits. */
  podPeers: Set<number>;
  /** Pods an ipBlock admits by address (EKS: with the rule's numeric ports only). */
  cidrPods: Set<number>;
  /** The policy it belongs to (EKS resolves ingress named ports over all of its pods). */
  policy: number;
  /** Range indices `[first, last]`, sorted and disjoint. */
  rangePeers: [number, number][];
  numericPorts: ConnectionSet;
  namedPorts: NamedPort[];
  resolvedAt: Map<number, ConnectionSet>;
}

interface CompiledPolicy {
  ingress: CompiledRule[];
  egress: CompiledRule[];
}

/** A run of ranges `[first, last]` (indices) with one connection set. */
interface Segment {
  first: number;
  last: number;
  connections: ConnectionSet;
}

/** What one side (egress at a source, ingress at a destination) admits, when it is isolated. */
interface SideAdmits {
  pods: Map<number, ConnectionSet>;
  ranges: Segment[];
}

/**
 * The exact connectivity of a cluster: for every ordered pair of endpoints, the set of protocol ×
 * port intervals that both the source's egress and the destination's ingress admit.
 *
 * Pods that share namespace, labels, ports and address ranges are one class, computed once; each
 * policy's selectors are evaluated once per class; a side's result depends only on the policies
 * selecting it (and, for ingress, the destination's ports), so it is computed once per such set.
 */
export function analyze(cluster: Cluster, options: AnalysisOptions = {}): Analysis {
  const ipBlocksMatchPods = options.ipBlocksMatchPods ?? true;
  const eks = options.enforcer === 'eks';
  const splits = { egress: rangeBreaks(cluster, 'egress'), ingress: rangeBreaks(cluster, 'ingress') };
  const breaks = [...new Set([...splits.egress, ...splits.ingress])].sort((a, b) => a - b);
  const ranges = breaks.map((first, index): AddressRange => {
    const last = (breaks[index + 1] ?? ADDRESS_SPACE_END) - 1;
    return { kind: 'range', id: formatRange(first, last), first, last, networks: [] };
  });
  for (const network of cluster.externals) {
    for (const [first, last] of ipBlockRanges(network.cidr, network.except)) {
      for (let index = rangeIndex(breaks, first); index <= rangeIndex(breaks, last); index++) {
        ranges[index]?.networks.push(network.id);
      }
    }
  }
  const podRanges = (cluster.podAddressRanges ?? []).flatMap((cidr) => ipBlockRanges(cidr));
  const classes = podClasses(
    cluster,
    breaks,
    ipBlocksMatchPods && podRanges.length > 0,
    ipBlocksMatchPods,
    eks,
  );
  const classOf = new Map<string, PodClass>();
  for (const podClass of classes) for (const member of podClass.members) classOf.set(member.id, podClass);

  const namespaceLabels = new Map(cluster.namespaces.map((namespace) => [namespace.name, namespace.labels]));
  // The API server always sets kubernetes.io/metadata.name; a namespace the input lacks has only that.
  const labelsOfNamespace = (name: string): Labels => ({
    ...namespaceLabels.get(name),
    [METADATA_NAME]: name,
  });
  const classesByNamespace = new Map<string, PodClass[]>();
  for (const podClass of classes) {
    const list = classesByNamespace.get(podClass.namespace) ?? [];
    list.push(podClass);
    classesByNamespace.set(podClass.namespace, list);
  }
  const namespaces = [...classesByNamespace.keys()];

  // A peer's selectors, evaluated once for each distinct selector pair and policy namespace.
  const peerCache = new Map<string, number[]>();
  const selectorKey = (selector: LabelSelector | undefined) =>
    selector === undefined ? '-' : JSON.stringify(selector);
  const selectedClasses = (peer: PolicyPeer, policyNamespace: string): number[] => {
    const key = `${peer.namespaceSelector ? '*' : policyNamespace}\u0000${selectorKey(peer.namespaceSelector)}\u0000${selectorKey(peer.podSelector)}`;
    const cached = peerCache.get(key);
    if (cached) return cached;
    const inNamespaces = peer.namespaceSelector
      ? namespaces.filter((name) =>
          selectorMatches(peer.namespaceSelector as LabelSelector, labelsOfNamespace(name)),
        )
      : [policyNamespace];
    const found = inNamespaces.flatMap((name) =>
      (classesByNamespace.get(name) ?? [])
        .filter((podClass) => !peer.podSelector || selectorMatches(peer.podSelector, podClass.labels))
        .map((podClass) => podClass.index),
    );
    peerCache.set(key, found);
    return found;
  };

  const compileRule = (rule: PolicyRule, policy: NetworkPolicy, policyIndex: number): CompiledRule => {
    const peers = rule.peers ?? [];
    const podPeers = new Set<number>();
    const cidrPods = new Set<number>();
    const rangePeers: [number, number][] = [];
    for (const peer of peers) {
      if (peer.ipBlock) {
        const blocks = ipBlockRanges(peer.ipBlock.cidr, peer.ipBlock.except);
        for (const [first, last] of blocks)
          rangePeers.push([rangeIndex(breaks, first), rangeIndex(breaks, last)]);
        if (ipBlocksMatchPods) {
          for (const podClass of classes) {
            if (
              podClass.addressRanges.some((index) => inRuns(blocks, ranges[index]?.first ?? -1)) ||
              (podClass.addressUnknown && overlaps(blocks, podRanges))
            ) {
              cidrPods.add(podClass.index);
            }
          }
        }
      } else {
        for (const index of selectedClasses(peer, policy.namespace)) podPeers.add(index);
      }
    }
    const ports = rule.ports ?? [];
    let numericPorts = ports.length === 0 ? ConnectionSet.ALL : ConnectionSet.NONE;
    const namedPorts: NamedPort[] = [];
    for (const port of ports) {
      if (typeof port.port === 'string') namedPorts.push({ name: port.port, protocol: port.protocol });
      else
        numericPorts = numericPorts.union(
          ConnectionSet.ports(port.protocol, port.port, port.endPort ?? port.port),
        );
    }
    return {
      everyPeer: peers.length === 0,
      podPeers,
      cidrPods,
      policy: policyIndex,
      rangePeers: mergeRuns(rangePeers),
      numericPorts,
      namedPorts,
      resolvedAt: new Map(),
    };
  };

  /** The ports a rule admits towards a destination: named ports resolve at the destination pod. */
  const rulePorts = (rule: CompiledRule, destination: PodClass | undefined): ConnectionSet => {
    if (rule.namedPorts.length === 0 || destination === undefined) return rule.numericPorts;
    const cached = rule.resolvedAt.get(destination.index);
    if (cached) return cached;
    const ports = resolvePorts(rule, destination.ports);
    rule.resolvedAt.set(destination.index, ports);
    return ports;
  };
  const resolvePorts = (rule: CompiledRule, declaredPorts: ContainerPort[]): ConnectionSet => {
    let ports = rule.numericPorts;
    for (const named of rule.namedPorts) {
      for (const declared of declaredPorts) {
        if (declared.name === named.name && declared.protocol === named.protocol) {
          ports = ports.union(ConnectionSet.ports(declared.protocol, declared.containerPort));
        }
      }
    }
    return ports;
  };

  const compiled: CompiledPolicy[] = cluster.policies.map((policy, index) => ({
    ingress: policy.policyTypes.includes('Ingress')
      ? policy.ingress.map((rule) => compileRule(rule, policy, index))
      : [],
    egress: policy.policyTypes.includes('Egress')
      ? policy.egress.map((rule) => compileRule(rule, policy, index))
      : [],
  }));
  const ingressPolicies: number[][] = classes.map(() => []);
  const egressPolicies: number[][] = classes.map(() => []);
  /** EKS: every container port of the pods a policy selects for ingress. */
  const selectedPorts: ContainerPort[][] = cluster.policies.map(() => []);
  cluster.policies.forEach((policy, index) => {
    for (const podClass of classesByNamespace.get(policy.namespace) ?? []) {
      if (!podClass.enforced || !selectorMatches(policy.podSelector, podClass.labels)) continue;
      if (policy.policyTypes.includes('Ingress')) selectedPorts[index]?.push(...podClass.ports);
      if (policy.policyTypes.includes('Ingress')) ingressPolicies[podClass.index]?.push(index);
      if (policy.policyTypes.includes('Egress')) egressPolicies[podClass.index]?.push(index);
    }
  });

  const lastRange = ranges.length - 1;
  const sideCache = new Map<string, SideAdmits>();
  /** EKS: an ingress rule's named ports, resolved over every pod its policy selects. */
  const policyWidePorts = new Map<CompiledRule, ConnectionSet>();
  const ingressPortsEks = (rule: CompiledRule): ConnectionSet => {
    let ports = policyWidePorts.get(rule);
    if (!ports) {
      ports = resolvePorts(rule, selectedPorts[rule.policy] ?? []);
      policyWidePorts.set(rule, ports);
    }
    return ports;
  };
  const admits = (
    rules: CompiledRule[],
    destination: (peer: number) => PodClass | undefined,
    direction: Direction,
  ) => {
    const pods = new Map<number, ConnectionSet>();
    const runs: Segment[] = [];
    const add = (peer: number, ports: ConnectionSet) => {
      if (ports.isEmpty()) return;
      const earlier = pods.get(peer);
      pods.set(peer, earlier ? earlier.union(ports) : ports);
    };
    // What an address-based peer (an ipBlock, or no peers: 0.0.0.0/0) admits; EKS: numeric ports only.
    const cidrPorts = (rule: CompiledRule, peer: number) =>
      eks ? rule.numericPorts : rulePorts(rule, destination(peer));
    for (const rule of rules) {
      if (rule.everyPeer) {
        for (const podClass of classes) add(podClass.index, cidrPorts(rule, podClass.index));
      } else {
        for (const peer of rule.podPeers) {
          const ports =
            eks && direction === 'ingress' ? ingressPortsEks(rule) : rulePorts(rule, destination(peer));
          add(peer, ports);
        }
        for (const peer of rule.cidrPods) add(peer, cidrPorts(rule, peer));
      }
      const rangePorts = cidrPorts(rule, -1);
      if (rangePorts.isEmpty()) continue;
      const peerRanges: [number, number][] = rule.everyPeer ? [[0, lastRange]] : rule.rangePeers;
      for (const [first, last] of peerRanges) runs.push({ first, last, connections: rangePorts });
    }
    return { pods, ranges: flatten(runs) };
  };
  /**
   * What one side of a class admits (undefined: no policy selects it, so everything). Memoised per
   * class, and shared by every class selected by the same policies (for ingress, with the same
   * ports too, as named ports resolve at the destination itself).
   */
  const side = (
    direction: Direction,
    policiesOf: number[][],
    rulesOf: (policy: CompiledPolicy) => CompiledRule[],
    keyOf: (podClass: PodClass, selecting: number[]) => string,
    destination: (podClass: PodClass) => (peer: number) => PodClass | undefined,
  ) => {
    const byClass: (SideAdmits | null | undefined)[] = [];
    return (podClass: PodClass): SideAdmits | undefined => {
      const known = byClass[podClass.index];
      if (known !== undefined) return known ?? undefined;
      const selecting = policiesOf[podClass.index] ?? [];
      let admitted: SideAdmits | undefined;
      if (selecting.length > 0) {
        const key = keyOf(podClass, selecting);
        admitted = sideCache.get(key);
        if (!admitted) {
          const rules = selecting.flatMap((index) => {
            const policy = compiled[index];
            return policy ? rulesOf(policy) : [];
          });
          admitted = admits(rules, destination(podClass), direction);
          sideCache.set(key, admitted);
        }
      }
      byClass[podClass.index] = admitted ?? null;
      return admitted;
    };
  };
  // Egress named ports resolve at each destination pod; towards addresses they match nothing.
  const egressOf = side(
    'egress',
    egressPolicies,
    (policy) => policy.egress,
    (_podClass, selecting) => `E${selecting.join(',')}`,
    () => (peer) => classes[peer],
  );
  // Ingress named ports resolve at the destination itself, whoever the source is.
  const ingressOf = side(
    'ingress',
    ingressPolicies,
    (policy) => policy.ingress,
    (podClass, selecting) => `I${selecting.join(',')}\u0000${portsKey(podClass.ports)}`,
    (podClass) => () => podClass,
  );

  const classBetween = (source: PodClass, destination: PodClass): ConnectionSet => {
    const egress = egressOf(source);
    const ingress = ingressOf(destination);
    const out = egress ? (egress.pods.get(destination.index) ?? ConnectionSet.NONE) : ConnectionSet.ALL;
    if (out.isEmpty()) return out;
    const into = ingress ? (ingress.pods.get(source.index) ?? ConnectionSet.NONE) : ConnectionSet.ALL;
    return out.intersect(into);
  };
  const segmentAt = (segments: Segment[] | undefined, index: number): ConnectionSet => {
    if (segments === undefined) return ConnectionSet.ALL;
    for (const segment of segments) {
      if (index < segment.first) break;
      if (index <= segment.last) return segment.connections;
    }
    return ConnectionSet.NONE;
  };

  const between = (from: Endpoint, to: Endpoint): ConnectionSet => {
    if (from.kind === 'range' && to.kind === 'range') return ConnectionSet.NONE;
    if (from.kind === 'pod' && to.kind === 'pod') {
      if (from.id === to.id) return ConnectionSet.NONE;
      const source = classOf.get(from.id);
      const destination = classOf.get(to.id);
      return source && destination ? classBetween(source, destination) : ConnectionSet.NONE;
    }
    if (from.kind === 'pod' && to.kind === 'range') {
      const source = classOf.get(from.id);
      return source ? segmentAt(egressOf(source)?.ranges, rangeIndex(breaks, to.first)) : ConnectionSet.NONE;
    }
    const destination = to.kind === 'pod' ? classOf.get(to.id) : undefined;
    return destination && from.kind === 'range'
      ? segmentAt(ingressOf(destination)?.ranges, rangeIndex(breaks, from.first))
      : ConnectionSet.NONE;
  };

  const pairs = (inScope: (namespace: string) => boolean = () => true): EndpointPair[] => {
    const result: EndpointPair[] = [];
    const emit = (source: PodClass, destination: PodClass, connections: ConnectionSet) => {
      if (connections.isEmpty()) return;
      if (!inScope(source.namespace) && !inScope(destination.namespace)) return;
      for (const from of source.members) {
        for (const to of destination.members) if (from !== to) result.push({ from, to, connections });
      }
    };
    const egressOpen = classes.filter((podClass) => !egressOf(podClass));
    const ingressOpen = classes.filter((podClass) => !ingressOf(podClass));
    for (const source of classes) {
      const egress = egressOf(source);
      if (!egress) continue;
      for (const [peer, out] of egress.pods) {
        const destination = classes[peer] as PodClass;
        const ingress = ingressOf(destination);
        emit(
          source,
          destination,
          ingress ? out.intersect(ingress.pods.get(source.index) ?? ConnectionSet.NONE) : out,
        );
      }
    }
    for (const destination of classes) {
      const ingress = ingressOf(destination);
      if (!ingress) continue;
      for (const [peer, into] of ingress.pods) {
        const source = classes[peer] as PodClass;
        if (!egressOf(source)) emit(source, destination, into);
      }
    }
    for (const source of egressOpen)
      for (const destination of ingressOpen) emit(source, destination, ConnectionSet.ALL);

    const withRanges = (
      segments: Segment[] | undefined,
      add: (range: AddressRange, connections: ConnectionSet) => void,
    ) => {
      for (const segment of segments ?? [{ first: 0, last: lastRange, connections: ConnectionSet.ALL }]) {
        for (let index = segment.first; index <= segment.last; index++)
          add(ranges[index] as AddressRange, segment.connections);
      }
    };
    for (const podClass of classes) {
      if (!inScope(podClass.namespace)) continue;
      withRanges(egressOf(podClass)?.ranges, (range, connections) => {
        for (const from of podClass.members) result.push({ from, to: range, connections });
      });
      withRanges(ingressOf(podClass)?.ranges, (range, connections) => {
        for (const to of podClass.members) result.push({ from: range, to, connections });
      });
    }
    return result;
  };

  const notes: string[] = [];
  const unknown = cluster.pods.filter(
    (pod) => !pod.addresses?.some((address) => parseIpv4(address) !== undefined),
  );
  if (!ipBlocksMatchPods) notes.push('ipBlocks were not matched against pod addresses');
  else if (unknown.length > 0) {
    notes.push(
      podRanges.length > 0
        ? `${unknown.length} endpoint(s) without a known address were taken to have one anywhere in the pod address ranges (${(cluster.podAddressRanges ?? []).join(', ')}): an ipBlock overlapping those ranges admits them`
        : `${unknown.length} endpoint(s) without a known address and no pod address ranges in the cluster model: ipBlocks were not matched against them`,
    );
  }

  return {
    cluster,
    ranges,
    notes,
    between,
    pairs,
    rangeOf: (address) => ranges[rangeIndex(breaks, address)] as AddressRange,
    splits: { egress: new Set(splits.egress), ingress: new Set(splits.ingress) },
  };
}

/** Every edge of a direction's ipBlocks (each cidr less its excepts) and of the named networks. */
function rangeBreaks(cluster: Cluster, direction: Direction): number[] {
  const points = new Set<number>([0]);
  const add = ([first, last]: [number, number]) => {
    points.add(first);
    if (last + 1 < ADDRESS_SPACE_END) points.add(last + 1);
  };
  for (const policy of cluster.policies) {
    for (const rule of direction === 'ingress' ? policy.ingress : policy.egress) {
      for (const peer of rule.peers ?? []) {
        if (peer.ipBlock) ipBlockRanges(peer.ipBlock.cidr, peer.ipBlock.except).forEach(add);
      }
    }
  }
  for (const network of cluster.externals) ipBlockRanges(network.cidr, network.except).forEach(add);
  for (const cidr of cluster.addressSplits ?? []) ipBlockRanges(cidr).forEach(add);
  return [...points].sort((a, b) => a - b);
}

/** Index of the range holding `address`: the last break at or below it. */
function rangeIndex(breaks: number[], address: number): number {
  let low = 0;
  let high = breaks.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((breaks[middle] as number) <= address) low = middle;
    else high = middle - 1;
  }
  return low;
}

function podClasses(
  cluster: Cluster,
  breaks: number[],
  unknownMatters: boolean,
  addressesMatter: boolean,
  ownersMatter: boolean,
): PodClass[] {
  const byKey = new Map<string, PodClass>();
  for (const pod of cluster.pods) {
    const known = (pod.addresses ?? [])
      .map(parseIpv4)
      .filter((value): value is number => value !== undefined);
    const addressRanges = addressesMatter
      ? [...new Set(known.map((value) => rangeIndex(breaks, value)))].sort()
      : [];
    const addressUnknown = unknownMatters && known.length === 0;
    // A pod of no workload (workloadKind Pod: no controlling owner) is a bare pod.
    const enforced = !ownersMatter || pod.workloadKind !== 'Pod';
    const labels = Object.entries(pod.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const key = [
      pod.namespace,
      JSON.stringify(labels),
      portsKey(pod.ports),
      addressRanges.join(','),
      addressUnknown,
      enforced,
    ].join('\u0000');
    let podClass = byKey.get(key);
    if (!podClass) {
      podClass = {
        index: byKey.size,
        namespace: pod.namespace,
        labels: pod.labels,
        ports: pod.ports,
        members: [],
        addressRanges,
        addressUnknown,
        enforced,
      };
      byKey.set(key, podClass);
    }
    podClass.members.push(pod);
  }
  return [...byKey.values()];
}

function portsKey(ports: ContainerPort[]): string {
  return ports
    .map((port) => `${port.name ?? ''}=${port.containerPort}/${port.protocol}`)
    .sort()
    .join(',');
}

function inRuns(runs: [number, number][], value: number): boolean {
  return runs.some(([first, last]) => first <= value && value <= last);
}

function overlaps(a: [number, number][], b: [number, number][]): boolean {
  return a.some(([first, last]) =>
    b.some(([otherFirst, otherLast]) => first <= otherLast && otherFirst <= last),
  );
}

function mergeRuns(runs: [number, number][]): [number, number][] {
  const sorted = [...runs].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [first, last] of sorted) {
    const previous = merged[merged.length - 1];
    if (previous && first <= previous[1] + 1) previous[1] = Math.max(previous[1], last);
    else merged.push([first, last]);
  }
  return merged;
}

/** Overlapping runs with their connection sets, as disjoint runs each with the union of its sets. */
function flatten(runs: Segment[]): Segment[] {
  if (runs.length === 0) return [];
  const points = [...new Set(runs.flatMap((run) => [run.first, run.last + 1]))].sort((a, b) => a - b);
  const starting = [...runs].sort((a, b) => a.first - b.first);
  const result: Segment[] = [];
  let active: Segment[] = [];
  let next = 0;
  for (let index = 0; index + 1 < points.length; index++) {
    const first = points[index] as number;
    const last = (points[index + 1] as number) - 1;
    active = active.filter((run) => run.last >= first);
    while (next < starting.length && (starting[next] as Segment).first <= first)
      active.push(starting[next++] as Segment);
    let connections = ConnectionSet.NONE;
    for (const run of active) connections = connections.union(run.connections);
    if (connections.isEmpty()) continue;
    const previous = result[result.length - 1];
    if (previous && previous.last + 1 === first && previous.connections.equals(connections))
      previous.last = last;
    else result.push({ first, last, connections });
  }
  return result;
}
