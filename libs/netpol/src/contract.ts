import { ConnectionSet } from './connections';
import type { Analysis, EndpointPair } from './engine';
import { readDocuments, InputError } from './manifests';
import type { Endpoint, Labels, Protocol } from './types';

/** A named set of endpoints: pods by namespace and labels, or external networks by name. */
export interface GroupDefinition {
  /** Defaults to the application namespace. */
  namespace?: string;
  labels?: Labels;
  externals?: string[];
  /** Group used instead when this one matches nothing (an in-cluster or an external database). */
  otherwise?: string;
}

/** A port of a flow: a number with a protocol, or a port name resolved at each destination pod. */
export type ContractPort = { port: number; endPort?: number; protocol: Protocol } | { name: string };

export interface AllowedFlow {
  from: string[];
  to: string[];
  ports: ContractPort[];
  /** Why the flow exists, shown in reports. */
  reason?: string;
}

export interface Contract {
  /** Namespaces whose traffic the contract covers (default: the application namespace). */
  scope: string[];
  groups: Record<string, GroupDefinition>;
  allow: AllowedFlow[];
}

/** Identifies an ordered pair of endpoints. */
export const pairKey = (from: Endpoint, to: Endpoint) => `${from.id}\u0000${to.id}`;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const names = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value)]);

/** `8080/TCP`, `53/UDP`, `8080` (TCP), a range `30000-32767/TCP`, or a port name such as `http`. */
export function parsePort(text: string): ContractPort {
  const numeric = /^(\d+)(?:-(\d+))?(?:\/(TCP|UDP|SCTP))?$/i.exec(text);
  if (numeric) {
    const port = Number(numeric[1]);
    const endPort = numeric[2] === undefined ? undefined : Number(numeric[2]);
    for (const value of [port, endPort ?? port]) {
      if (value < 1 || value > 65535) throw new Error(`port ${value} is out of range (1-65535)`);
    }
    if (endPort !== undefined && endPort < port) throw new Error(`port range ${text} ends before it starts`);
    return {
      port,
      ...(endPort === undefined ? {} : { endPort }),
      protocol: (numeric[3]?.toUpperCase() ?? 'TCP') as Protocol,
    };
  }
  if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(text)) return { name: text };
  throw new Error(
    `"${text}" is neither a port such as 8080/TCP, a range such as 8000-8100/TCP, nor a port name`,
  );
}

export function loadContract(file: string, applicationNamespace: string): Contract {
  const documents = readDocuments(file);
  const document = documents[0];
  if (!document || documents.length > 1)
    throw new InputError({ file }, 'a contract is exactly one YAML document');
  const { origin, value } = document;
  if (!isObject(value) || !isObject(value.groups) || !Array.isArray(value.allow)) {
    throw new InputError(origin, 'a contract has groups (a map) and allow (a list)');
  }
  const groups: Record<string, GroupDefinition> = {};
  for (const [name, raw] of Object.entries(value.groups)) {
    const definition = isObject(raw) ? raw : {};
    const unknown = Object.keys(definition).filter(
      (key) => !['namespace', 'labels', 'externals', 'otherwise'].includes(key),
    );
    if (unknown.length) throw new InputError(origin, `group ${name}: unknown keys ${unknown.join(', ')}`);
    if (
      definition.externals !== undefined &&
      (definition.labels !== undefined || definition.namespace !== undefined)
    ) {
      throw new InputError(origin, `group ${name}: externals cannot be combined with namespace or labels`);
    }
    groups[name] = {
      ...(typeof definition.namespace === 'string' ? { namespace: definition.namespace } : {}),
      ...(isObject(definition.labels)
        ? { labels: Object.fromEntries(Object.entries(definition.labels).map(([k, v]) => [k, String(v)])) }
        : {}),
      ...(definition.externals !== undefined ? { externals: names(definition.externals) } : {}),
      ...(typeof definition.otherwise === 'string' ? { otherwise: definition.otherwise } : {}),
    };
  }
  for (const [name, group] of Object.entries(groups)) {
    if (group.otherwise && !groups[group.otherwise]) {
      throw new InputError(origin, `group ${name}: otherwise names the unknown group ${group.otherwise}`);
    }
  }
  const allow = value.allow.map((entry: unknown, index): AllowedFlow => {
    if (!isObject(entry) || entry.from === undefined || entry.to === undefined || entry.ports === undefined) {
      throw new InputError(origin, `allow[${index}] needs from, to and ports`);
    }
    const flow = { from: names(entry.from), to: names(entry.to) };
    for (const group of [...flow.from, ...flow.to]) {
      if (!groups[group]) throw new InputError(origin, `allow[${index}] names the unknown group ${group}`);
    }
    let ports: ContractPort[];
    try {
      ports = names(entry.ports).map(parsePort);
    } catch (error) {
      throw new InputError(origin, `allow[${index}]: ${(error as Error).message}`);
    }
    return { ...flow, ports, ...(typeof entry.reason === 'string' ? { reason: entry.reason } : {}) };
  });
  const scope = value.scope === undefined ? [applicationNamespace] : names(value.scope);
  return {
    scope: scope.map((namespace) => (namespace === '$application' ? applicationNamespace : namespace)),
    groups,
    allow,
  };
}

/**
 * The endpoints of a group: its pods, or every address range of its named networks; following
 * `otherwise` when it matches nothing.
 */
export function groupMembers(
  contract: Contract,
  analysis: Analysis,
  group: string,
  applicationNamespace: string,
  seen: string[] = [],
): Endpoint[] {
  const definition = contract.groups[group];
  if (!definition) throw new Error(`unknown group ${group}`);
  if (seen.includes(group)) throw new Error(`groups ${[...seen, group].join(' -> ')} form a cycle`);
  let members: Endpoint[];
  if (definition.externals) {
    const wanted = definition.externals;
    members = analysis.ranges.filter((range) => range.networks.some((network) => wanted.includes(network)));
  } else {
    const namespace = definition.namespace ?? applicationNamespace;
    members = analysis.cluster.pods.filter(
      (pod) =>
        pod.namespace === namespace &&
        Object.entries(definition.labels ?? {}).every(([key, value]) => pod.labels[key] === value),
    );
  }
  if (members.length === 0 && definition.otherwise) {
    return groupMembers(contract, analysis, definition.otherwise, applicationNamespace, [...seen, group]);
  }
  return members;
}

function describeGroup(contract: Contract, group: string, applicationNamespace: string): string {
  const definition = contract.groups[group];
  if (!definition) return 'unknown group';
  if (definition.externals) return `no network named ${definition.externals.join(', ')} in the cluster model`;
  const labels = Object.entries(definition.labels ?? {}).map(([key, value]) => `${key}=${value}`);
  const base = `no pod in namespace ${definition.namespace ?? applicationNamespace} with labels ${labels.join(', ') || '(any)'}`;
  return definition.otherwise ? `${base}, nor in ${definition.otherwise}` : base;
}

/** A contract port at one destination: named ports resolve against the pod's declared ports. */
function resolvePort(port: ContractPort, destination: Endpoint): ConnectionSet {
  if ('port' in port) return ConnectionSet.ports(port.protocol, port.port, port.endPort ?? port.port);
  if (destination.kind !== 'pod') return ConnectionSet.NONE;
  return destination.ports
    .filter((declared) => declared.name === port.name)
    .reduce(
      (ports, declared) => ports.union(ConnectionSet.ports(declared.protocol, declared.containerPort)),
      ConnectionSet.NONE,
    );
}

export interface ExpectedConnections {
  /** For every pair the contract names, exactly the connections it allows, keyed by `pairKey`. */
  pairs: Map<string, EndpointPair>;
  /** Groups that match nothing and named ports a destination does not declare. */
  unresolved: string[];
}

/** Every connection the contract allows in this cluster, as exact sets per pair of endpoints. */
export function expectedConnections(
  contract: Contract,
  analysis: Analysis,
  applicationNamespace: string,
): ExpectedConnections {
  const pairs = new Map<string, EndpointPair>();
  const unresolved: string[] = [];
  // A group that matches nothing would silently drop its flows from the contract (a mislabelled pod).
  const members = (group: string) => {
    const found = groupMembers(contract, analysis, group, applicationNamespace);
    if (found.length === 0) {
      unresolved.push(
        `group "${group}" matches nothing: ${describeGroup(contract, group, applicationNamespace)}`,
      );
    }
    return found;
  };
  for (const entry of contract.allow) {
    const sources = entry.from.flatMap(members);
    const destinations = entry.to.flatMap(members);
    for (const from of sources) {
      for (const to of destinations) {
        if (from.id === to.id || (from.kind === 'range' && to.kind === 'range')) continue;
        let connections = ConnectionSet.NONE;
        for (const port of entry.ports) {
          const resolved = resolvePort(port, to);
          if (resolved.isEmpty() && 'name' in port) {
            unresolved.push(`${to.id} declares no port named "${port.name}" (needed by ${from.id})`);
          }
          connections = connections.union(resolved);
        }
        if (connections.isEmpty()) continue;
        const key = pairKey(from, to);
        const earlier = pairs.get(key);
        pairs.set(key, {
          from,
          to,
          connections: earlier ? earlier.connections.union(connections) : connections,
        });
      }
    }
  }
  return { pairs, unresolved: [...new Set(unresolved)] };
}
