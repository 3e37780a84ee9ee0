import { ConnectionSet } from './connections';
import { expectedConnections, pairKey, type Contract } from './contract';
import { analyze, type Analysis, type AnalysisOptions, type EndpointPair } from './engine';
import { parseIpv4 } from './cidr';
import type { Cluster, Endpoint } from './types';

export interface CheckResult {
  ok: boolean;
  /** Every allowed pair with an end in the contract's scope. */
  allowed: EndpointPair[];
  /** Every pair the contract allows, with exactly the connections it allows. */
  expected: EndpointPair[];
  /** Per pair, what the manifests allow beyond the contract. */
  unexpected: EndpointPair[];
  /** Per pair, what the contract allows and the manifests deny. */
  missing: EndpointPair[];
  /** Contract entries that match nothing: a group without members, a destination without the named port. */
  unresolved: string[];
  /** How ipBlocks were matched against pods. */
  notes: string[];
}

const byEndpoints = (a: EndpointPair, b: EndpointPair) =>
  compareEndpoints(a.from, b.from) || compareEndpoints(a.to, b.to);

/** Pods by id, then ranges by address. */
export function compareEndpoints(a: Endpoint, b: Endpoint): number {
  if (a.kind === 'range' && b.kind === 'range') return a.first - b.first;
  if (a.kind !== b.kind) return a.kind === 'pod' ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Every allowed pair with at least one pod end in the scoped namespaces, sorted. */
export function allowedPairs(analysis: Analysis, scope?: readonly string[]): EndpointPair[] {
  const inScope = scope ? new Set(scope) : undefined;
  return analysis.pairs(inScope ? (namespace) => inScope.has(namespace) : undefined).sort(byEndpoints);
}

/**
 * The contract against the manifests, as exact sets: any connection allowed beyond a pair's
 * contract rows, on any port or address, is unexpected; any connection a row names and the
 * manifests deny is missing.
 */
export function check(
  cluster: Cluster,
  contract: Contract,
  applicationNamespace: string,
  options: AnalysisOptions = {},
): CheckResult {
  const analysis = analyze(cluster, options);
  const { pairs: expectedByKey, unresolved } = expectedConnections(contract, analysis, applicationNamespace);
  const allowed = allowedPairs(analysis, contract.scope);
  const allowedByKey = new Map(allowed.map((pair) => [pairKey(pair.from, pair.to), pair]));
  const unexpected: EndpointPair[] = [];
  for (const pair of allowed) {
    const expected = expectedByKey.get(pairKey(pair.from, pair.to))?.connections ?? ConnectionSet.NONE;
    const extra = pair.connections.subtract(expected);
    if (!extra.isEmpty()) unexpected.push({ ...pair, connections: extra });
  }
  const expected = [...expectedByKey.values()].sort(byEndpoints);
  const missing: EndpointPair[] = [];
  for (const pair of expected) {
    const granted =
      allowedByKey.get(pairKey(pair.from, pair.to))?.connections ?? analysis.between(pair.from, pair.to);
    const lacking = pair.connections.subtract(granted);
    if (!lacking.isEmpty()) missing.push({ ...pair, connections: lacking });
  }
  return {
    ok: unexpected.length === 0 && missing.length === 0 && unresolved.length === 0,
    allowed,
    expected,
    unexpected,
    missing,
    unresolved,
    notes: analysis.notes,
  };
}

/**
 * Finds an endpoint by `namespace/name` (or `namespace/Kind/name`), a bare name in the default
 * namespace, a named network of the cluster model, or an IPv4 address (its range).
 */
export function findEndpoint(
  analysis: Analysis,
  reference: string,
  defaultNamespace: string,
): Endpoint | undefined {
  const { cluster } = analysis;
  const withNamespace = reference.includes('/') ? reference : `${defaultNamespace}/${reference}`;
  const pod = cluster.pods.find(
    (candidate) =>
      candidate.id === withNamespace ||
      `${candidate.namespace}/${candidate.workloadKind}/${candidate.name}` === reference,
  );
  if (pod) return pod;
  // A named network: its first range (a network the policies split has several).
  const network = analysis.ranges.find((range) => range.networks.includes(reference));
  if (network) return network;
  const address = parseIpv4(reference.replace(/\/32$/, ''));
  if (address !== undefined) return analysis.rangeOf(address);
  return analysis.ranges.find((range) => range.id === reference);
}
