import { formatRange, ipBlockRanges, parseIpv4 } from './cidr';
import type { Direction } from './engine';
import { explainSelectorMismatch, selectorMatches } from './selectors';
import type {
  AddressRange,
  Cluster,
  Connection,
  ContainerPort,
  Endpoint,
  Labels,
  NetworkPolicy,
  PodEndpoint,
  PolicyPeer,
  PolicyPort,
  PolicyRule,
  Protocol,
} from './types';

export interface RuleMatch {
  /** `namespace/name` */
  policy: string;
  direction: Direction;
  ruleIndex: number;
}

export interface SideVerdict {
  /** false when no policy selects the pod for this direction: everything is allowed on this side. */
  isolated: boolean;
  /** namespace/name of every policy selecting the pod for this direction. */
  selectedBy: string[];
  allowed: boolean;
  admittedBy?: RuleMatch;
  /** How the admitting rule matched a pod through an ipBlock, when it did. */
  admittedThrough?: string;
  /** When not allowed: one entry per selecting policy and rule, saying precisely why the rule did not admit the connection. */
  reasons: string[];
}

export interface Verdict {
  allowed: boolean;
  egress: SideVerdict;
  ingress: SideVerdict;
  connection: Connection;
}

const METADATA_NAME = 'kubernetes.io/metadata.name';

export interface EvaluateOptions {
  /** As `AnalysisOptions.ipBlocksMatchPods`: Kubernetes matches ipBlocks against pod addresses. */
  ipBlocksMatchPods?: boolean;
}

/**
 * Whether `connection` is allowed, with the reason: egress must be allowed at the source and
 * ingress at the destination. The slow path of `analyze`, one connection at a time, for `explain`.
 * A range endpoint must be one of the analysis' ranges (every policy treats its addresses alike).
 */
export function evaluate(cluster: Cluster, connection: Connection, options: EvaluateOptions = {}): Verdict {
  const settings = { ipBlocksMatchPods: options.ipBlocksMatchPods ?? true };
  const egress = evaluateSide(cluster, connection, 'egress', settings);
  const ingress = evaluateSide(cluster, connection, 'ingress', settings);
  return { allowed: egress.allowed && ingress.allowed, egress, ingress, connection };
}

/** Policies of the pod's own namespace that select it and list `direction` in policyTypes, in cluster order. */
export function policiesSelecting(cluster: Cluster, pod: PodEndpoint, direction: Direction): NetworkPolicy[] {
  const type = direction === 'ingress' ? 'Ingress' : 'Egress';
  return cluster.policies.filter(
    (policy) =>
      policy.namespace === pod.namespace &&
      policy.policyTypes.includes(type) &&
      selectorMatches(policy.podSelector, pod.labels),
  );
}

/** `shop/web -> shop/items 8080/TCP`; ranges show the named networks they fall in. */
export function describeConnection(connection: Connection): string {
  const { from, to, port, protocol } = connection;
  return `${describeEndpoint(from)} -> ${describeEndpoint(to)} ${port}/${protocol}`;
}

export function describeEndpoint(endpoint: Endpoint): string {
  if (endpoint.kind === 'pod') return endpoint.id;
  return endpoint.networks.length === 0 ? endpoint.id : `${endpoint.id} (${endpoint.networks.join(', ')})`;
}

export function policyId(policy: NetworkPolicy): string {
  return `${policy.namespace}/${policy.name}`;
}

/** A namespace's labels; one missing from the cluster has only the label the API server always sets. */
export function namespaceLabels(cluster: Cluster, name: string): Labels {
  const declared = cluster.namespaces.find((namespace) => namespace.name === name);
  return { ...declared?.labels, [METADATA_NAME]: name };
}

interface Settings {
  ipBlocksMatchPods: boolean;
}

function evaluateSide(
  cluster: Cluster,
  connection: Connection,
  direction: Direction,
  settings: Settings,
): SideVerdict {
  const subject = direction === 'egress' ? connection.from : connection.to;
  const other = direction === 'egress' ? connection.to : connection.from;
  const open: SideVerdict = { isolated: false, selectedBy: [], allowed: true, reasons: [] };
  if (subject.kind === 'range') return open;
  const policies = policiesSelecting(cluster, subject, direction);
  if (policies.length === 0) return open;

  const selectedBy = policies.map(policyId);
  const reasons: string[] = [];
  for (const policy of policies) {
    const rules = direction === 'egress' ? policy.egress : policy.ingress;
    if (rules.length === 0) {
      reasons.push(
        `policy ${policyId(policy)} selects ${subject.id} for ${direction} and has no ${direction} rules (default deny)`,
      );
    }
    for (const [ruleIndex, rule] of rules.entries()) {
      const where = `policy ${policyId(policy)} ${direction} rule ${ruleIndex}`;
      const problems = withContext(where, () =>
        ruleProblems(rule, { cluster, policy, connection, other, settings }),
      );
      if (problems.length === 0) {
        const admittedBy = { policy: policyId(policy), direction, ruleIndex };
        const through = ipBlockAdmission(rule, { cluster, policy, connection, other, settings });
        return {
          isolated: true,
          selectedBy,
          allowed: true,
          admittedBy,
          reasons: [],
          ...(through ? { admittedThrough: through } : {}),
        };
      }
      reasons.push(`${where}: ${problems.join('; ')}`);
    }
  }
  return { isolated: true, selectedBy, allowed: false, reasons };
}

interface RuleContext {
  cluster: Cluster;
  policy: NetworkPolicy;
  connection: Connection;
  /** The endpoint the rule's peers must match: the destination for egress, the source for ingress. */
  other: Endpoint;
  settings: Settings;
}

/** Why the rule does not admit the connection; empty when it does. */
function ruleProblems(rule: PolicyRule, context: RuleContext): string[] {
  const problems: string[] = [];
  const peers = peersProblem(rule.peers ?? [], context);
  if (peers !== undefined) problems.push(peers);
  const ports = portsProblem(rule.ports ?? [], context.connection);
  if (ports !== undefined) problems.push(ports);
  return problems;
}

function peersProblem(peers: PolicyPeer[], context: RuleContext): string | undefined {
  if (peers.length === 0) return undefined;
  const problems: string[] = [];
  for (const [index, peer] of peers.entries()) {
    const problem = peerProblem(peer, `peer ${index}`, context);
    if (problem === undefined) return undefined;
    problems.push(problem);
  }
  return problems.join('; ');
}

function peerProblem(peer: PolicyPeer, label: string, context: RuleContext): string | undefined {
  checkPeerShape(peer, label);
  const { other } = context;
  if (peer.ipBlock) {
    if (other.kind === 'range') return ipBlockProblem(peer.ipBlock, other, label);
    return podAddressProblem(peer.ipBlock, other, label, context);
  }
  if (other.kind === 'range') {
    return `${label} ${selectorKinds(peer)} never matches external endpoint ${describeEndpoint(other)}`;
  }
  const problems = [namespaceProblem(peer, other, context), podProblem(peer, other)].filter(
    (problem): problem is string => problem !== undefined,
  );
  return problems.length === 0 ? undefined : `${label} ${problems.join(' and ')}`;
}

function checkPeerShape(peer: PolicyPeer, label: string): void {
  const hasSelector = peer.podSelector !== undefined || peer.namespaceSelector !== undefined;
  if (peer.ipBlock && hasSelector) {
    throw new Error(`${label} combines ipBlock with a selector, which Kubernetes rejects`);
  }
  if (!peer.ipBlock && !hasSelector) {
    throw new Error(
      `${label} sets none of podSelector, namespaceSelector and ipBlock, which Kubernetes rejects`,
    );
  }
}

function selectorKinds(peer: PolicyPeer): string {
  const kinds = [peer.namespaceSelector && 'namespaceSelector', peer.podSelector && 'podSelector'];
  return kinds.filter(Boolean).join('+');
}

// Without a namespaceSelector, a peer only covers the policy's own namespace.
function namespaceProblem(peer: PolicyPeer, pod: PodEndpoint, context: RuleContext): string | undefined {
  if (peer.namespaceSelector === undefined) {
    const own = context.policy.namespace;
    if (pod.namespace === own) return undefined;
    return `podSelector only selects pods in namespace "${own}", ${pod.id} is in "${pod.namespace}"`;
  }
  const labels = namespaceLabels(context.cluster, pod.namespace);
  const why = explainSelectorMismatch(peer.namespaceSelector, labels, 'namespace');
  if (why.length === 0) return undefined;
  return `namespaceSelector does not match namespace "${pod.namespace}" (labels ${formatLabels(labels)}): ${why.join(', ')}`;
}

function podProblem(peer: PolicyPeer, pod: PodEndpoint): string | undefined {
  if (peer.podSelector === undefined) return undefined;
  const why = explainSelectorMismatch(peer.podSelector, pod.labels);
  return why.length === 0 ? undefined : `podSelector does not match ${pod.id}: ${why.join(', ')}`;
}

type IpBlock = NonNullable<PolicyPeer['ipBlock']>;

function describeIpBlock({ cidr, except = [] }: IpBlock): string {
  return except.length === 0 ? `ipBlock ${cidr}` : `ipBlock ${cidr} except ${except.join(', ')}`;
}

function ipBlockProblem(ipBlock: IpBlock, range: AddressRange, label: string): string | undefined {
  const blocks = ipBlockRanges(ipBlock.cidr, ipBlock.except);
  if (blocks.some(([first, last]) => first <= range.first && range.last <= last)) return undefined;
  return `${label} ${describeIpBlock(ipBlock)} does not contain ${describeEndpoint(range)}`;
}

/** Pods are matched by ipBlocks through their addresses (or the model's pod ranges when unknown). */
function podAddressProblem(ipBlock: IpBlock, pod: PodEndpoint, label: string, context: RuleContext) {
  const where = `${label} ${describeIpBlock(ipBlock)}`;
  if (!context.settings.ipBlocksMatchPods) return `${where} is not matched against pod addresses`;
  const blocks = ipBlockRanges(ipBlock.cidr, ipBlock.except);
  const inBlock = (value: number) => blocks.some(([first, last]) => first <= value && value <= last);
  const known = (pod.addresses ?? []).filter((address) => parseIpv4(address) !== undefined);
  if (known.length > 0) {
    const matched = known.find((address) => inBlock(parseIpv4(address) as number));
    return matched === undefined
      ? `${where} holds none of ${pod.id}'s addresses (${known.join(', ')})`
      : undefined;
  }
  const podRanges = (context.cluster.podAddressRanges ?? []).flatMap((cidr) => ipBlockRanges(cidr));
  if (podRanges.length === 0) {
    return `${where}: ${pod.id} has no known address and the cluster model gives no pod address ranges`;
  }
  const overlap = podRanges.some(([first, last]) =>
    blocks.some(([blockFirst, blockLast]) => first <= blockLast && blockFirst <= last),
  );
  return overlap
    ? undefined
    : `${where} does not overlap the pod address ranges (${podRanges.map(([first, last]) => formatRange(first, last)).join(', ')}) where ${pod.id}'s unknown address lies`;
}

/** When a pod was admitted through an ipBlock rather than a selector, how: for `explain`. */
function ipBlockAdmission(rule: PolicyRule, context: RuleContext): string | undefined {
  const { other } = context;
  if (other.kind !== 'pod') return undefined;
  const peers = rule.peers ?? [];
  const admitting = peers.find((peer, index) => peerProblem(peer, `peer ${index}`, context) === undefined);
  if (!admitting?.ipBlock) return undefined;
  const known = (other.addresses ?? []).filter((address) => parseIpv4(address) !== undefined);
  return known.length > 0
    ? `${other.id} is admitted through ${describeIpBlock(admitting.ipBlock)}, which holds its address (${known.join(', ')})`
    : `${other.id} is admitted through ${describeIpBlock(admitting.ipBlock)}: its address is unknown and may lie in the pod address ranges the ipBlock overlaps`;
}

function portsProblem(ports: PolicyPort[], connection: Connection): string | undefined {
  if (ports.length === 0) return undefined;
  ports.forEach(checkPort);
  if (ports.some((port) => portMatches(port, connection))) return undefined;
  const { port, protocol, to } = connection;
  if (!ports.some((candidate) => candidate.protocol === protocol)) {
    return `protocol ${protocol} not in [${[...new Set(ports.map((candidate) => candidate.protocol))].join(', ')}]`;
  }
  const unresolved = ports.flatMap(({ port: name, protocol: candidate }) =>
    candidate === protocol && typeof name === 'string' && resolveNamedPort(to, name, protocol) === undefined
      ? [namedPortProblem(name, protocol, to)]
      : [],
  );
  const listed = ports.map((candidate) => formatPolicyPort(candidate, to)).join(', ');
  return [`port ${port}/${protocol} not in [${listed}]`, ...unresolved].join('; ');
}

function portMatches(policyPort: PolicyPort, connection: Connection): boolean {
  const { port, endPort, protocol } = policyPort;
  if (protocol !== connection.protocol) return false;
  if (port === undefined) return true;
  if (typeof port === 'number') return port <= connection.port && connection.port <= (endPort ?? port);
  return resolveNamedPort(connection.to, port, protocol) === connection.port;
}

// Named ports resolve against the destination's declared ports, whichever side the policy is on.
function resolveNamedPort(destination: Endpoint, name: string, protocol: Protocol): number | undefined {
  if (destination.kind === 'range') return undefined;
  return destination.ports.find((declared) => declared.name === name && declared.protocol === protocol)
    ?.containerPort;
}

function namedPortProblem(name: string, protocol: Protocol, destination: Endpoint): string {
  if (destination.kind === 'range') {
    return `named port "${name}" is not declared by ${describeEndpoint(destination)} for ${protocol}: named ports only resolve against pods`;
  }
  return `named port "${name}" is not declared by ${destination.id} for ${protocol} (declares ${formatDeclaredPorts(destination.ports)})`;
}

function checkPort(policyPort: PolicyPort): void {
  const { port, endPort } = policyPort;
  if (typeof port === 'number') checkPortNumber(port, 'port');
  if (endPort === undefined) return;
  if (typeof port !== 'number')
    throw new Error(`endPort ${endPort} requires a numeric port, which Kubernetes enforces`);
  checkPortNumber(endPort, 'endPort');
  if (endPort < port) throw new Error(`endPort ${endPort} is below port ${port}`);
}

function checkPortNumber(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${field} ${value} is not an integer from 1 to 65535`);
  }
}

function formatPolicyPort(policyPort: PolicyPort, destination: Endpoint): string {
  const { port, endPort, protocol } = policyPort;
  if (port === undefined) return `any/${protocol}`;
  if (typeof port === 'number')
    return endPort === undefined ? `${port}/${protocol}` : `${port}-${endPort}/${protocol}`;
  const resolved = resolveNamedPort(destination, port, protocol);
  return resolved === undefined ? `"${port}"/${protocol}` : `"${port}"=${resolved}/${protocol}`;
}

function formatDeclaredPorts(ports: ContainerPort[]): string {
  if (ports.length === 0) return 'no ports';
  return ports
    .map((port) => `${port.name === undefined ? '' : `${port.name}=`}${port.containerPort}/${port.protocol}`)
    .join(', ');
}

function formatLabels(labels: Labels): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(', ');
}

/** Runs `fn`, prefixing any error message with where it happened. */
function withContext<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`${where}: ${message}`, { cause: error });
  }
}
