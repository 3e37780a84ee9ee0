import { evaluate } from './engine';
import { expectedFlows, flowKey, type Contract, type Flow } from './contract';
import type { Cluster, Endpoint, PolicyRule, Protocol } from './types';

/** Ports tried towards external networks besides those the policies and contract name. */
const EXTERNAL_PROBE_PORTS: { port: number; protocol: Protocol }[] = [
  { port: 53, protocol: 'UDP' },
  { port: 53, protocol: 'TCP' },
  { port: 80, protocol: 'TCP' },
  { port: 443, protocol: 'TCP' },
];

const endpoints = (cluster: Cluster): Endpoint[] => [...cluster.pods, ...cluster.externals];

/** The ports worth trying towards a destination: what a pod declares; for a network, every port named anywhere. */
function candidatePorts(
  cluster: Cluster,
  destination: Endpoint,
  extra: Flow[],
): { port: number; protocol: Protocol }[] {
  if (destination.kind === 'pod') {
    return destination.ports.map((port) => ({ port: port.containerPort, protocol: port.protocol }));
  }
  const fromRules = cluster.policies.flatMap((policy) =>
    [...policy.egress, ...policy.ingress].flatMap((rule: PolicyRule) =>
      (rule.ports ?? []).flatMap((port) =>
        typeof port.port === 'number' ? [{ port: port.port, protocol: port.protocol }] : [],
      ),
    ),
  );
  const fromContract = extra.filter((flow) => flow.to === destination.id);
  const all = [...EXTERNAL_PROBE_PORTS, ...fromRules, ...fromContract];
  return [
    ...new Map(
      all.map((port) => [`${port.port}/${port.protocol}`, { port: port.port, protocol: port.protocol }]),
    ).values(),
  ];
}

const inScope = (endpoint: Endpoint, scope: string[]) =>
  endpoint.kind === 'pod' && scope.includes(endpoint.namespace);

/**
 * Every allowed connection with at least one end in the scoped namespaces, to every port a
 * destination declares (networks: every port the policies or the contract name, and common ones).
 */
export function allowedFlows(cluster: Cluster, scope: string[], contractFlows: Flow[] = []): Flow[] {
  const flows: Flow[] = [];
  const all = endpoints(cluster);
  for (const from of all) {
    for (const to of all) {
      if (from.id === to.id || (!inScope(from, scope) && !inScope(to, scope))) continue;
      if (from.kind === 'external' && to.kind === 'external') continue;
      for (const { port, protocol } of candidatePorts(cluster, to, contractFlows)) {
        if (evaluate(cluster, { from, to, port, protocol }).allowed)
          flows.push({ from: from.id, to: to.id, port, protocol });
      }
    }
  }
  return flows.sort((a, b) => flowKey(a).localeCompare(flowKey(b)));
}

export interface CheckResult {
  ok: boolean;
  allowed: Flow[];
  expected: Flow[];
  /** Allowed by the manifests, not by the contract. */
  unexpected: Flow[];
  /** Allowed by the contract, denied by the manifests. */
  missing: Flow[];
  /** Contract entries that match nothing: a group without members, a destination without the named port. */
  unresolved: string[];
}

export function check(cluster: Cluster, contract: Contract, applicationNamespace: string): CheckResult {
  const { flows: expected, unresolved } = expectedFlows(contract, cluster, applicationNamespace);
  const allowed = allowedFlows(cluster, contract.scope, expected);
  const allowedKeys = new Set(allowed.map(flowKey));
  const expectedKeys = new Set(expected.map(flowKey));
  const unexpected = allowed.filter((flow) => !expectedKeys.has(flowKey(flow)));
  const missing = expected
    .filter((flow) => !allowedKeys.has(flowKey(flow)))
    .sort((a, b) => flowKey(a).localeCompare(flowKey(b)));
  return {
    ok: unexpected.length === 0 && missing.length === 0 && unresolved.length === 0,
    allowed,
    expected,
    unexpected,
    missing,
    unresolved,
  };
}

/** Finds an endpoint by `namespace/name`, a bare name in the default namespace, or a network's name. */
export function findEndpoint(
  cluster: Cluster,
  reference: string,
  defaultNamespace: string,
): Endpoint | undefined {
  const withNamespace = reference.includes('/') ? reference : `${defaultNamespace}/${reference}`;
  return (
    cluster.pods.find(
      (pod) => pod.id === withNamespace || `${pod.namespace}/${pod.workloadKind}/${pod.name}` === reference,
    ) ?? cluster.externals.find((external) => external.id === reference || external.cidr === reference)
  );
}
