import { allowedPairs, type CheckResult } from './analysis';
import { parseCidr } from './cidr';
import { ConnectionSet } from './connections';
import { expectedConnections, pairKey, type Contract } from './contract';
import { analyze, type Analysis, type AnalysisOptions, type EndpointPair } from './engine';
import type { NetworkModel } from './networkModel';
import { rangeLabel } from './report';
import {
  describeRule,
  networkSplits,
  rulePorts,
  securityLayer,
  type Matching,
  type Party,
  type PathVerdict,
  type SecurityLayer,
  type SideResult,
} from './securityGroups';
import { selectorMatches } from './selectors';
import type { Cluster, Endpoint, ExternalEndpoint, PodEndpoint } from './types';

/** Letters of the zones, for the names of the model's subnets: database-subnet-a, node-subnet-b. */
const zone = (index: number) => String.fromCharCode('a'.charCodeAt(0) + index);

/** The named networks of a network model, as the contract names them. */
export function networkExternals(model: NetworkModel): ExternalEndpoint[] {
  const named = (prefix: string, cidrs: string[]) =>
    cidrs.map((cidr, index): ExternalEndpoint => ({
      kind: 'external',
      id: `${prefix}-${zone(index)}`,
      cidr,
    }));
  return [
    ...named('database-subnet', model.subnets.database),
    ...named('node-subnet', model.subnets.private),
    ...named('public-subnet', model.subnets.public),
    {
      kind: 'external',
      id: 'internet',
      cidr: '0.0.0.0/0',
      except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
    },
  ];
}

/**
 * The cluster under a network model: its networks (the model's, replacing the cluster model's of
 * the same name), where pod addresses lie, where the security groups split the address space, and
 * the VPC CNI's NetworkPolicy enforcement (none at all when the model turns it off).
 */
export function withNetwork(cluster: Cluster, model: NetworkModel): Cluster {
  const externals = networkExternals(model);
  const names = new Set(externals.map((external) => external.id));
  return {
    ...cluster,
    externals: [...externals, ...cluster.externals.filter((external) => !names.has(external.id))],
    podAddressRanges: model.podCidrs,
    addressSplits: networkSplits(model),
    enforcer: 'eks',
    enforcingMode: model.vpcCni.networkPolicyEnforcingMode,
    ...(model.vpcCni.networkPolicy ? {} : { policies: [] }),
  };
}

export interface LayerFinding {
  kind: 'refused' | 'over-broad';
  message: string;
}

export interface LayeredCheckResult extends CheckResult {
  network: {
    stack: string;
    mode: SecurityLayer['mode'];
    /** Per unexpected or missing pair (by pairKey), what each layer does with those connections. */
    reasons: Map<string, string[]>;
    /** Platform paths the security groups refuse, and rules wider than any flow needs. */
    findings: LayerFinding[];
  };
}

/** Every path between two endpoints, evaluated (cached per pair of parties and matching). */
function pathVerdicts(layer: SecurityLayer) {
  const cache = new Map<string, PathVerdict[]>();
  return (from: Party, to: Party, matching: Matching): PathVerdict[] => {
    const key = `${matching}\u0000${from.kind}:${from.label}\u0000${to.kind}:${to.label}`;
    let verdicts = cache.get(key);
    if (!verdicts) {
      verdicts = layer.paths(from, to).map((spec) => layer.evaluate(spec, matching));
      cache.set(key, verdicts);
    }
    return verdicts;
  };
}

function describeSide(side: SideResult, direction: 'egress' | 'ingress', connections: ConnectionSet): string {
  if (!side.applies) return `${direction}: not enforced (${side.why})`;
  const matched = side.rules.filter((entry) => !entry.ports.intersect(connections).isEmpty());
  if (matched.length > 0)
    return `${direction}: admitted by ${matched.map((entry) => describeRule(entry.group, entry.rule)).join('; ')}`;
  return `${direction}: refused, no rule of ${side.groups.join(', ') || 'no group'} admits ${connections.toString()} (${side.why})`;
}

/** `egress: admitted by ...; ingress: refused, no rule ...` */
export function describeSides(verdict: PathVerdict, connections: ConnectionSet): string {
  return `${describeSide(verdict.egress, 'egress', connections)}; ${describeSide(verdict.ingress, 'ingress', connections)}`;
}

/** `security groups on pod to pod across nodes: egress: admitted by ...; ingress: refused, ...` */
export function describePath(verdict: PathVerdict, connections: ConnectionSet): string {
  return `security groups on ${verdict.path}: ${describeSides(verdict, connections)}`;
}

/**
 * The contract on both layers, as exact sets. A connection is possible when the NetworkPolicies
 * admit it and the security groups admit it on some path it may take (one node or across nodes);
 * it is assured only when both admit it on every path. The check fails when the NetworkPolicies
 * admit anything beyond the contract (saying whether the groups stop it), anything of the contract
 * is not assured, a path the platform needs (kubelet probes, the load balancer to its targets,
 * clients to the load balancer) is refused, or a rule of a pod, pod DNS or database group admits
 * more than the flows between its members and its peer need.
 */
export function checkLayers(
  cluster: Cluster,
  contract: Contract,
  applicationNamespace: string,
  options: AnalysisOptions,
  model: NetworkModel,
): LayeredCheckResult {
  const networked = withNetwork(cluster, model);
  const analysis = analyze(networked, { ...options, enforcer: 'eks' });
  const layer = securityLayer(networked, model, contract.scope);
  const verdicts = pathVerdicts(layer);
  const { pairs: expectedByKey, unresolved } = expectedConnections(contract, analysis, applicationNamespace);
  const reasons = new Map<string, string[]>();
  const npOff = model.vpcCni.networkPolicy
    ? []
    : ['the VPC CNI enforces no NetworkPolicy (network policy off)'];

  const possible = (from: Endpoint, to: Endpoint): PathVerdict[] =>
    layer
      .partiesOf(from)
      .flatMap((source) =>
        layer.partiesOf(to).flatMap((destination) => verdicts(source, destination, 'may')),
      );
  const assured = (from: Endpoint, to: Endpoint): PathVerdict[] => {
    const [source] = layer.partiesOf(from);
    const [destination] = layer.partiesOf(to);
    return source && destination ? verdicts(source, destination, 'must') : [];
  };

  // The NetworkPolicies alone must hold the contract: they are the one layer on every path (within
  // a node in standard mode, the security groups see nothing). What they admit beyond it is
  // unexpected whatever the groups do; the reasons say whether the groups stop it on every path.
  const allowed: EndpointPair[] = [];
  const unexpected: EndpointPair[] = [];
  for (const pair of allowedPairs(analysis, contract.scope)) {
    const paths = possible(pair.from, pair.to);
    const sg = paths.reduce((set, verdict) => set.union(verdict.admitted), ConnectionSet.NONE);
    const connections = pair.connections.intersect(sg);
    if (!connections.isEmpty()) allowed.push({ ...pair, connections });
    const expected = expectedByKey.get(pairKey(pair.from, pair.to))?.connections ?? ConnectionSet.NONE;
    const extra = pair.connections.subtract(expected);
    if (extra.isEmpty()) continue;
    unexpected.push({ ...pair, connections: extra });
    const through = extra.intersect(sg);
    const stopped = extra.subtract(sg);
    reasons.set(pairKey(pair.from, pair.to), [
      ...npOff,
      `NetworkPolicy admits ${extra.toString()}`,
      ...(stopped.isEmpty()
        ? []
        : [
            `the security groups refuse ${stopped.toString()} on every path: held by one layer only, the NetworkPolicies let it through`,
          ]),
      ...paths
        .filter((verdict) => !verdict.admitted.intersect(through).isEmpty())
        .map((verdict) => describePath(verdict, verdict.admitted.intersect(through))),
    ]);
  }

  const missing: EndpointPair[] = [];
  const expected = [...expectedByKey.values()];
  for (const pair of expected) {
    const np = analysis.between(pair.from, pair.to);
    const paths = assured(pair.from, pair.to);
    const sg = paths.reduce((set, verdict) => set.intersect(verdict.admitted), ConnectionSet.ALL);
    const lacking = pair.connections.subtract(np.intersect(sg));
    if (lacking.isEmpty()) continue;
    missing.push({ ...pair, connections: lacking });
    const npLacking = lacking.subtract(np);
    reasons.set(pairKey(pair.from, pair.to), [
      npLacking.isEmpty()
        ? `NetworkPolicy admits ${lacking.toString()}`
        : `NetworkPolicy refuses ${npLacking.toString()} (netpol explain names the policies)`,
      ...paths
        .filter((verdict) => !lacking.subtract(verdict.admitted).isEmpty())
        .map((verdict) => describePath(verdict, lacking.subtract(verdict.admitted))),
    ]);
  }

  const platform = platformFlows(networked, analysis, layer, contract.scope);
  const findings = [
    ...platformFindings(platform, analysis, verdicts),
    ...overBroadRules(networked, analysis, layer, expected, platform),
  ];
  const combinedUnresolved = [...unresolved, ...layer.unresolved];
  return {
    ok:
      unexpected.length === 0 &&
      missing.length === 0 &&
      combinedUnresolved.length === 0 &&
      findings.length === 0,
    allowed,
    expected,
    unexpected,
    missing,
    unresolved: combinedUnresolved,
    notes: [...analysis.notes, ...npOff, ...layer.notes],
    network: { stack: model.stack, mode: layer.mode, reasons, findings },
  };
}

/** A flow the platform itself needs, which no contract lists. */
interface PlatformFlow {
  what: string;
  from: Party;
  to: Party;
  /** Keys for the over-broad check: pod ids, range ids, `node`, `loadBalancer`. */
  fromKey: string;
  toKey: string;
  connections: ConnectionSet;
  /** Whether the NetworkPolicies have a say (the kubelet's traffic they always admit). */
  np?: [Endpoint, Endpoint];
}

function platformFlows(cluster: Cluster, analysis: Analysis, layer: SecurityLayer, scope: readonly string[]) {
  const flows: PlatformFlow[] = [];
  const inScope = (pod: PodEndpoint) => scope.includes(pod.namespace);
  for (const pod of cluster.pods.filter(inScope)) {
    const ports = (pod.probePorts ?? []).reduce(
      (set, port) => set.union(ConnectionSet.ports('TCP', port)),
      ConnectionSet.NONE,
    );
    if (ports.isEmpty()) continue;
    flows.push({
      what: `kubelet probes of ${pod.id}`,
      from: layer.node,
      to: layer.partyOfPod(pod),
      fromKey: 'node',
      toKey: pod.id,
      connections: ports,
    });
  }
  const balancer = layer.loadBalancer;
  const targets = layer.model.loadBalancer.targets;
  if (balancer && targets) {
    const ports = targets.ports.reduce(
      (set, port) => set.union(ConnectionSet.ports('TCP', port)),
      ConnectionSet.NONE,
    );
    const selector = { matchLabels: targets.labels };
    for (const pod of cluster.pods) {
      if (pod.namespace !== targets.namespace || !selectorMatches(selector, pod.labels)) continue;
      for (const range of analysis.ranges.filter((candidate) =>
        layer.model.loadBalancer.subnets.some((cidr) => rangeIn(candidate, cidr)),
      )) {
        flows.push({
          what: `the load balancer to its target ${pod.id}`,
          from: balancer,
          to: layer.partyOfPod(pod),
          fromKey: 'loadBalancer',
          toKey: pod.id,
          connections: ports,
          np: [range, pod],
        });
      }
    }
    for (const range of analysis.ranges.filter((candidate) =>
      layer.model.loadBalancer.sourceCidrs.some((cidr) => rangeIn(candidate, cidr)),
    )) {
      const [client] = layer.partiesOfRange(range);
      if (!client) continue;
      flows.push({
        what: `clients at ${rangeLabel(range)} to the load balancer`,
        from: { ...client, kind: 'address', groups: [] },
        to: balancer,
        fromKey: range.id,
        toKey: 'loadBalancer',
        connections: ports,
      });
    }
  }
  return flows;
}

function rangeIn(range: { first: number; last: number }, cidr: string): boolean {
  const { first, last } = parseCidr(cidr);
  return first <= range.first && range.last <= last;
}

function platformFindings(
  platform: PlatformFlow[],
  analysis: Analysis,
  verdicts: ReturnType<typeof pathVerdicts>,
): LayerFinding[] {
  const findings: LayerFinding[] = [];
  const seen = new Set<string>();
  for (const flow of platform) {
    const np = flow.np ? analysis.between(flow.np[0], flow.np[1]) : ConnectionSet.ALL;
    const npLacking = flow.connections.subtract(np);
    for (const verdict of verdicts(flow.from, flow.to, 'must')) {
      const lacking = flow.connections.subtract(verdict.admitted);
      if (lacking.isEmpty()) continue;
      const message = `${flow.what}: ${lacking.toString()} refused; ${describePath(verdict, lacking)}`;
      if (seen.has(message)) continue;
      seen.add(message);
      findings.push({ kind: 'refused', message });
    }
    if (!npLacking.isEmpty() && flow.np) {
      const message = `${flow.what}: ${npLacking.toString()} refused by NetworkPolicy (netpol explain --from ${flow.np[0].id} --to ${flow.np[1].id})`;
      if (!seen.has(message)) findings.push({ kind: 'refused', message });
      seen.add(message);
    }
  }
  return findings;
}

/**
 * Each rule of a pod group, the pod DNS group and the database group must be needed: its ports
 * must lie within what the flows (the contract's and the platform's) between the group's members
 * and the rule's peer need. A CIDR peer admits every address in it, so each address range of it
 * must be needed alone. The node, cluster, load balancer and endpoint groups are shared by
 * everything on the nodes and are not held to single flows.
 */
function overBroadRules(
  cluster: Cluster,
  analysis: Analysis,
  layer: SecurityLayer,
  expected: EndpointPair[],
  platform: PlatformFlow[],
): LayerFinding[] {
  const needed = new Map<string, ConnectionSet>();
  const need = (from: string, to: string, connections: ConnectionSet) => {
    const key = `${from}\u0000${to}`;
    needed.set(key, (needed.get(key) ?? ConnectionSet.NONE).union(connections));
  };
  for (const pair of expected) need(pair.from.id, pair.to.id, pair.connections);
  for (const flow of platform) need(flow.fromKey, flow.toKey, flow.connections);

  const databaseRanges = analysis.ranges.filter((range) =>
    layer.model.databaseCidrs.some((cidr) => rangeIn(range, cidr)),
  );
  const carriers = (group: string): string[] => {
    const keys = cluster.pods
      .filter((pod) => layer.partyOfPod(pod).groups.some((candidate) => candidate.name === group))
      .map((pod) => pod.id);
    const model = layer.model;
    const role = model.securityGroups.find((candidate) => candidate.name === group)?.role;
    if (role === 'nodes') keys.push('node');
    if (model.loadBalancer.securityGroups.includes(group)) keys.push('loadBalancer');
    if (role === 'database') keys.push(...databaseRanges.map((range) => range.id));
    return keys;
  };
  const findings: LayerFinding[] = [];
  for (const group of layer.model.securityGroups) {
    if (group.role !== 'pod' && group.role !== 'podDns' && group.role !== 'database') continue;
    const members = carriers(group.name);
    if (members.length === 0) continue;
    for (const rule of group.rules) {
      const ports = rulePorts(rule);
      const between = (peer: string) =>
        members.reduce(
          (set, member) =>
            set.union(
              (rule.direction === 'egress'
                ? needed.get(`${member}\u0000${peer}`)
                : needed.get(`${peer}\u0000${member}`)) ?? ConnectionSet.NONE,
            ),
          ConnectionSet.NONE,
        );
      let justified: ConnectionSet;
      let peers: string;
      if ('group' in rule.peer) {
        const peerKeys = carriers(rule.peer.group);
        justified = peerKeys.reduce((set, peer) => set.union(between(peer)), ConnectionSet.NONE);
        peers = `${rule.peer.group}'s members`;
      } else if ('cidr' in rule.peer) {
        const cidr = rule.peer.cidr;
        const inside = analysis.ranges.filter((range) => rangeIn(range, cidr));
        justified = inside.reduce((set, range) => set.intersect(between(range.id)), ConnectionSet.ALL);
        peers = `every address of ${cidr}`;
      } else {
        justified = ConnectionSet.NONE;
        peers = `prefix list ${rule.peer.prefixList}`;
      }
      const excess = ports.subtract(justified);
      if (excess.isEmpty()) continue;
      findings.push({
        kind: 'over-broad',
        message: `${describeRule(group.name, rule)} admits ${excess.toString()}, which no flow of the contract or the platform needs between ${group.name}'s members and ${peers}`,
      });
    }
  }
  return findings;
}
