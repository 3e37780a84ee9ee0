import { cidrContains, cidrsOverlap, parseCidr } from './cidr';
import { explainSelectorMismatch, selectorMatches } from './selectors';
import type {
  Cluster,
  Connection,
  ContainerPort,
  Endpoint,
  ExternalEndpoint,
  Labels,
  NetworkPolicy,
  PodEndpoint,
  PolicyPeer,
  PolicyPort,
  PolicyRule,
  Protocol,
} from './types';

export type Direction = 'ingress' | 'egress';

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

/**
 * Whether `connection` is allowed: egress must be allowed at the source and ingress at the destination.
 * Throws on input Kubernetes would reject (invalid CIDR, malformed peer, misused endPort).
 */
export function evaluate(cluster: Cluster, connection: Connection): Verdict {
  for (const endpoint of [connection.from, connection.to]) {
    if (endpoint.kind === 'external')
      withContext(`external endpoint ${endpoint.id}`, () => parseCidr(endpoint.cidr));
  }
  const egress = evaluateSide(cluster, connection, 'egress');
  const ingress = evaluateSide(cluster, connection, 'ingress');
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

/** `shop/web -> shop/items 8080/TCP`; external endpoints show their CIDR. */
export function describeConnection(connection: Connection): string {
  const { from, to, port, protocol } = connection;
  return `${describeEndpoint(from)} -> ${describeEndpoint(to)} ${port}/${protocol}`;
}

export function describeEndpoint(endpoint: Endpoint): string {
  return endpoint.kind === 'pod' ? endpoint.id : `${endpoint.id} (${endpoint.cidr})`;
}

export function policyId(policy: NetworkPolicy): string {
  return `${policy.namespace}/${policy.name}`;
}

/** A namespace's labels; one missing from the cluster has only the label the API server always sets. */
export function namespaceLabels(cluster: Cluster, name: string): Labels {
  const declared = cluster.namespaces.find((namespace) => namespace.name === name);
  return { ...declared?.labels, [METADATA_NAME]: name };
}

function evaluateSide(cluster: Cluster, connection: Connection, direction: Direction): SideVerdict {
  const subject = direction === 'egress' ? connection.from : connection.to;
  const other = direction === 'egress' ? connection.to : connection.from;
  const open: SideVerdict = { isolated: false, selectedBy: [], allowed: true, reasons: [] };
  if (subject.kind === 'external') return open;
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
      const problems = withContext(where, () => ruleProblems(rule, { cluster, policy, connection, other }));
      if (problems.length === 0) {
        const admittedBy = { policy: policyId(policy), direction, ruleIndex };
        return { isolated: true, selectedBy, allowed: true, admittedBy, reasons: [] };
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
    if (other.kind === 'external') return ipBlockProblem(peer.ipBlock, other, label);
    return `${label} ipBlock ${peer.ipBlock.cidr} never matches pod ${other.id} (pod IPs are not modelled)`;
  }
  if (other.kind === 'external') {
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

function ipBlockProblem(
  ipBlock: NonNullable<PolicyPeer['ipBlock']>,
  external: ExternalEndpoint,
  label: string,
): string | undefined {
  const { cidr, except = [] } = ipBlock;
  if (!cidrContains(cidr, external.cidr)) {
    return `${label} ipBlock ${cidr} does not contain ${external.cidr} (${external.id})`;
  }
  const excluded = except.find((range) => cidrsOverlap(range, external.cidr));
  if (excluded === undefined) return undefined;
  return `${label} ipBlock ${cidr} except ${excluded} overlaps ${external.cidr} (${external.id})`;
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
  if (destination.kind === 'external') return undefined;
  return destination.ports.find((declared) => declared.name === name && declared.protocol === protocol)
    ?.containerPort;
}

function namedPortProblem(name: string, protocol: Protocol, destination: Endpoint): string {
  if (destination.kind === 'external') {
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
