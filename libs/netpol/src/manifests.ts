import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseCidr } from './cidr';
import type {
  Cluster,
  ContainerPort,
  ExternalEndpoint,
  LabelSelector,
  Labels,
  Namespace,
  NetworkPolicy,
  Origin,
  PodEndpoint,
  PolicyPeer,
  PolicyPort,
  PolicyRule,
  Protocol,
} from './types';

/** A problem in an input file, located by file and document index (from 0). */
export class InputError extends Error {
  constructor(
    readonly origin: Origin | { file: string },
    message: string,
  ) {
    super(`${'index' in origin ? `${origin.file}#${origin.index}` : origin.file}: ${message}`);
    this.name = 'InputError';
  }
}

/** Kinds that carry pods: their pod template (or the pod itself) is what policies select. */
const POD_TEMPLATE_PATHS: Record<string, string[]> = {
  Pod: [],
  Deployment: ['spec', 'template'],
  StatefulSet: ['spec', 'template'],
  DaemonSet: ['spec', 'template'],
  ReplicaSet: ['spec', 'template'],
  Job: ['spec', 'template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

/** Kinds that do not change reachability and are read past without a word. */
const IGNORED_KINDS = new Set([
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ClusterRole',
  'ClusterRoleBinding',
  'Ingress',
  'IngressClass',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'PersistentVolumeClaim',
  'PersistentVolume',
  'StorageClass',
  'Endpoints',
  'EndpointSlice',
  'LimitRange',
  'ResourceQuota',
  'PriorityClass',
  'CustomResourceDefinition',
  'ServiceMonitor',
  'PodMonitor',
  'PrometheusRule',
  'Certificate',
  'Issuer',
  'ClusterIssuer',
  'Service',
  'SecurityGroupPolicy',
]);

export const KNOWN_KINDS = [
  ...Object.keys(POD_TEMPLATE_PATHS),
  'Namespace',
  'NetworkPolicy',
  ...IGNORED_KINDS,
].sort();

export interface ManifestInput {
  /** Namespace of objects that name none (helm template output names none). */
  defaultNamespace: string;
  /** Kinds accepted and ignored besides the built-in list (custom resources of the user's own). */
  ignoreKinds?: string[];
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Every .yaml/.yml/.json file of the given files and directories (directories recursively, sorted). */
export function inputFiles(paths: string[]): string[] {
  return paths.flatMap((path) => {
    let stats;
    try {
      stats = statSync(path);
    } catch {
      throw new InputError({ file: path }, 'no such file or directory');
    }
    if (!stats.isDirectory()) return [path];
    return readdirSync(path)
      .sort()
      .flatMap((entry) => {
        const child = join(path, entry);
        return statSync(child).isDirectory() || /\.(ya?ml|json)$/.test(entry) ? inputFiles([child]) : [];
      });
  });
}

/** The documents of a multi-document YAML file, each with its origin; empty documents are skipped. */
export function readDocuments(file: string): { origin: Origin; value: unknown }[] {
  const documents = parseAllDocuments(readFileSync(file, 'utf8'));
  return documents.flatMap((document, index) => {
    const origin = { file, index };
    const error = document.errors[0];
    if (error) throw new InputError(origin, `malformed YAML: ${error.message.split('\n')[0]}`);
    const value: unknown = document.toJS();
    return value === null || value === undefined ? [] : [{ origin, value }];
  });
}

function labelsOf(value: unknown, origin: Origin, what: string): Labels {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new InputError(origin, `${what} must be a map of strings`);
  return Object.fromEntries(Object.entries(value).map(([key, label]) => [key, String(label)]));
}

function protocolOf(value: unknown, origin: Origin): Protocol {
  if (value === undefined) return 'TCP';
  if (value === 'TCP' || value === 'UDP' || value === 'SCTP') return value;
  throw new InputError(origin, `unknown protocol ${JSON.stringify(value)} (TCP, UDP or SCTP)`);
}

function selectorOf(value: unknown, origin: Origin, what: string): LabelSelector {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new InputError(origin, `${what} must be a label selector`);
  const selector: LabelSelector = {};
  if (value.matchLabels !== undefined)
    selector.matchLabels = labelsOf(value.matchLabels, origin, `${what}.matchLabels`);
  if (value.matchExpressions !== undefined) {
    if (!Array.isArray(value.matchExpressions))
      throw new InputError(origin, `${what}.matchExpressions must be a list`);
    selector.matchExpressions = value.matchExpressions.map((expression: unknown, index) => {
      const where = `${what}.matchExpressions[${index}]`;
      if (!isObject(expression) || typeof expression.key !== 'string')
        throw new InputError(origin, `${where} needs a key`);
      const operator = expression.operator;
      if (operator !== 'In' && operator !== 'NotIn' && operator !== 'Exists' && operator !== 'DoesNotExist') {
        throw new InputError(origin, `${where}: unknown operator ${JSON.stringify(operator)}`);
      }
      const values = Array.isArray(expression.values) ? expression.values.map(String) : undefined;
      if ((operator === 'In' || operator === 'NotIn') && !values?.length) {
        throw new InputError(origin, `${where}: ${operator} needs a non-empty values list`);
      }
      return { key: expression.key, operator, ...(values ? { values } : {}) };
    });
  }
  return selector;
}

function portsOfContainers(template: Json, origin: Origin): ContainerPort[] {
  const spec = isObject(template.spec) ? template.spec : {};
  const containers = [spec.containers, spec.initContainers].flatMap((list): unknown[] =>
    Array.isArray(list) ? (list as unknown[]) : [],
  );
  return containers.flatMap((container: unknown) => {
    if (!isObject(container) || !Array.isArray(container.ports)) return [];
    return container.ports.filter(isObject).map((port) => {
      if (typeof port.containerPort !== 'number')
        throw new InputError(origin, 'a container port has no containerPort number');
      return {
        ...(typeof port.name === 'string' ? { name: port.name } : {}),
        containerPort: port.containerPort,
        protocol: protocolOf(port.protocol, origin),
      };
    });
  });
}

function at(value: Json, path: string[]): unknown {
  return path.reduce<unknown>((node, key) => (isObject(node) ? node[key] : undefined), value);
}

function podOf(object: Json, kind: string, namespace: string, name: string, origin: Origin): PodEndpoint {
  const template = at(object, POD_TEMPLATE_PATHS[kind] ?? []);
  if (!isObject(template)) throw new InputError(origin, `${kind} ${name} has no pod template`);
  const metadata = isObject(template.metadata) ? template.metadata : {};
  return {
    kind: 'pod',
    id: `${namespace}/${name}`,
    namespace,
    name,
    workloadKind: kind,
    labels: labelsOf(metadata.labels, origin, `${kind} ${name} pod labels`),
    ports: portsOfContainers(template, origin),
    origin,
  };
}

function peersOf(value: unknown, origin: Origin, where: string): PolicyPeer[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new InputError(origin, `${where} must be a list`);
  return value.map((peer: unknown, index) => {
    const at = `${where}[${index}]`;
    if (!isObject(peer)) throw new InputError(origin, `${at} must be a map`);
    const result: PolicyPeer = {};
    if (peer.podSelector !== undefined)
      result.podSelector = selectorOf(peer.podSelector, origin, `${at}.podSelector`);
    if (peer.namespaceSelector !== undefined) {
      result.namespaceSelector = selectorOf(peer.namespaceSelector, origin, `${at}.namespaceSelector`);
    }
    if (peer.ipBlock !== undefined) {
      const block = peer.ipBlock;
      if (!isObject(block) || typeof block.cidr !== 'string')
        throw new InputError(origin, `${at}.ipBlock needs a cidr`);
      if (result.podSelector || result.namespaceSelector) {
        throw new InputError(origin, `${at}: ipBlock cannot be combined with a pod or namespace selector`);
      }
      const except = Array.isArray(block.except) ? block.except.map(String) : [];
      for (const cidr of [block.cidr, ...except]) {
        try {
          parseCidr(cidr);
        } catch (error) {
          throw new InputError(origin, `${at}.ipBlock: ${(error as Error).message}`);
        }
      }
      result.ipBlock = { cidr: block.cidr, ...(except.length ? { except } : {}) };
    }
    if (!result.podSelector && !result.namespaceSelector && !result.ipBlock) {
      throw new InputError(origin, `${at} has no podSelector, namespaceSelector or ipBlock`);
    }
    return result;
  });
}

function policyPortsOf(value: unknown, origin: Origin, where: string): PolicyPort[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw new InputError(origin, `${where} must be a list`);
  return value.map((entry: unknown, index) => {
    if (!isObject(entry)) throw new InputError(origin, `${where}[${index}] must be a map`);
    const port = entry.port;
    if (port !== undefined && typeof port !== 'number' && typeof port !== 'string') {
      throw new InputError(origin, `${where}[${index}].port must be a number or a name`);
    }
    if (entry.endPort !== undefined && typeof entry.endPort !== 'number') {
      throw new InputError(origin, `${where}[${index}].endPort must be a number`);
    }
    // What the API server rejects, rejected here with the place named.
    if (typeof port === 'number' && (!Number.isInteger(port) || port < 1 || port > 65535)) {
      throw new InputError(origin, `${where}[${index}].port ${port} is not a port number (1-65535)`);
    }
    if (typeof entry.endPort === 'number') {
      if (typeof port !== 'number') {
        throw new InputError(origin, `${where}[${index}].endPort needs a numeric port`);
      }
      if (entry.endPort < port || entry.endPort > 65535) {
        throw new InputError(
          origin,
          `${where}[${index}].endPort ${entry.endPort} must be from ${port} to 65535`,
        );
      }
    }
    return {
      protocol: protocolOf(entry.protocol, origin),
      ...(port !== undefined ? { port } : {}),
      ...(typeof entry.endPort === 'number' ? { endPort: entry.endPort } : {}),
    };
  });
}

function rulesOf(value: unknown, origin: Origin, direction: 'ingress' | 'egress'): PolicyRule[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InputError(origin, `spec.${direction} must be a list`);
  const peerKey = direction === 'ingress' ? 'from' : 'to';
  return value.map((rule: unknown, index) => {
    const where = `spec.${direction}[${index}]`;
    if (!isObject(rule)) throw new InputError(origin, `${where} must be a map`);
    const peers = peersOf(rule[peerKey], origin, `${where}.${peerKey}`);
    const ports = policyPortsOf(rule.ports, origin, `${where}.ports`);
    return { ...(peers ? { peers } : {}), ...(ports ? { ports } : {}) };
  });
}

function policyOf(object: Json, namespace: string, name: string, origin: Origin): NetworkPolicy {
  const spec = isObject(object.spec) ? object.spec : {};
  const declared = spec.policyTypes;
  let policyTypes: ('Ingress' | 'Egress')[];
  if (declared === undefined) {
    // The API server's default: Ingress always, Egress only when egress rules are present.
    policyTypes = spec.egress !== undefined ? ['Ingress', 'Egress'] : ['Ingress'];
  } else if (Array.isArray(declared) && declared.every((type) => type === 'Ingress' || type === 'Egress')) {
    policyTypes = declared as ('Ingress' | 'Egress')[];
  } else {
    throw new InputError(origin, `spec.policyTypes must list Ingress and/or Egress`);
  }
  return {
    namespace,
    name,
    podSelector: selectorOf(spec.podSelector, origin, 'spec.podSelector'),
    policyTypes,
    ingress: rulesOf(spec.ingress, origin, 'ingress'),
    egress: rulesOf(spec.egress, origin, 'egress'),
    origin,
  };
}

/** The part of a cluster the manifests describe. */
export interface ManifestContents {
  namespaces: Namespace[];
  pods: PodEndpoint[];
  policies: NetworkPolicy[];
}

export function loadManifests(paths: string[], input: ManifestInput): ManifestContents {
  const contents: ManifestContents = { namespaces: [], pods: [], policies: [] };
  const ignored = new Set([...IGNORED_KINDS, ...(input.ignoreKinds ?? [])]);
  for (const file of inputFiles(paths)) {
    for (const { origin, value } of readDocuments(file)) {
      if (!isObject(value)) throw new InputError(origin, 'not a Kubernetes object (expected a map)');
      const kind = value.kind;
      const metadata = isObject(value.metadata) ? value.metadata : {};
      if (typeof kind !== 'string' || typeof metadata.name !== 'string') {
        throw new InputError(origin, 'not a Kubernetes object: kind and metadata.name are required');
      }
      if (kind === 'List' && Array.isArray(value.items)) {
        throw new InputError(origin, 'List objects are not supported: give the items as separate documents');
      }
      const name = metadata.name;
      const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : input.defaultNamespace;
      if (kind === 'Namespace') {
        contents.namespaces.push({ name, labels: labelsOf(metadata.labels, origin, 'metadata.labels') });
      } else if (kind === 'NetworkPolicy') {
        contents.policies.push(policyOf(value, namespace, name, origin));
      } else if (kind in POD_TEMPLATE_PATHS) {
        contents.pods.push(podOf(value, kind, namespace, name, origin));
      } else if (!ignored.has(kind)) {
        throw new InputError(
          origin,
          `unknown kind ${kind} (${String(value.apiVersion)}): the verifier reads pods, workloads, Namespaces and ` +
            `NetworkPolicies and ignores the usual others; pass --ignore-kind ${kind} if it carries no pods`,
        );
      }
    }
  }
  return contents;
}

/** What the manifests do not render: namespaces, pods of other namespaces, external networks. */
export interface ClusterModel {
  namespaces: Namespace[];
  pods: PodEndpoint[];
  externals: ExternalEndpoint[];
}

export function loadClusterModel(file: string): ClusterModel {
  const documents = readDocuments(file);
  const document = documents[0];
  if (!document || documents.length > 1)
    throw new InputError({ file }, 'a cluster model is exactly one YAML document');
  const { origin, value } = document;
  if (!isObject(value))
    throw new InputError(origin, 'a cluster model is a map with namespaces, pods and externals');
  const unknown = Object.keys(value).filter((key) => !['namespaces', 'pods', 'externals'].includes(key));
  if (unknown.length)
    throw new InputError(origin, `unknown keys ${unknown.join(', ')} (namespaces, pods, externals)`);
  const list = (key: string): Json[] => {
    const entries = value[key] ?? [];
    if (!Array.isArray(entries) || !entries.every(isObject))
      throw new InputError(origin, `${key} must be a list of maps`);
    return entries;
  };
  const namespaces = list('namespaces').map((entry, index) => {
    if (typeof entry.name !== 'string') throw new InputError(origin, `namespaces[${index}] needs a name`);
    return { name: entry.name, labels: labelsOf(entry.labels, origin, `namespaces[${index}].labels`) };
  });
  const pods = list('pods').map((entry, index): PodEndpoint => {
    const where = `pods[${index}]`;
    if (typeof entry.name !== 'string' || typeof entry.namespace !== 'string') {
      throw new InputError(origin, `${where} needs a name and a namespace`);
    }
    const ports = Array.isArray(entry.ports) ? entry.ports : [];
    return {
      kind: 'pod',
      id: `${entry.namespace}/${entry.name}`,
      namespace: entry.namespace,
      name: entry.name,
      workloadKind: 'Model',
      labels: labelsOf(entry.labels, origin, `${where}.labels`),
      ports: ports.map((port: unknown) => {
        if (!isObject(port) || typeof port.containerPort !== 'number') {
          throw new InputError(origin, `${where}.ports entries need a containerPort`);
        }
        return {
          ...(typeof port.name === 'string' ? { name: port.name } : {}),
          containerPort: port.containerPort,
          protocol: protocolOf(port.protocol, origin),
        };
      }),
      origin,
    };
  });
  const externals = list('externals').map((entry, index): ExternalEndpoint => {
    if (typeof entry.name !== 'string' || typeof entry.cidr !== 'string') {
      throw new InputError(origin, `externals[${index}] needs a name and a cidr`);
    }
    try {
      parseCidr(entry.cidr);
    } catch (error) {
      throw new InputError(origin, `externals[${index}]: ${(error as Error).message}`);
    }
    return { kind: 'external', id: entry.name, cidr: entry.cidr };
  });
  return { namespaces, pods, externals };
}

/**
 * The cluster the verifier reasons about: manifests plus model. Every namespace a pod or policy
 * lives in exists, and every namespace carries `kubernetes.io/metadata.name` as the API server sets it.
 */
export function buildCluster(contents: ManifestContents, model: ClusterModel | undefined): Cluster {
  const namespaces = new Map<string, Labels>();
  const add = (name: string, labels: Labels = {}) =>
    namespaces.set(name, { ...(namespaces.get(name) ?? {}), ...labels, 'kubernetes.io/metadata.name': name });
  for (const namespace of [...(model?.namespaces ?? []), ...contents.namespaces])
    add(namespace.name, namespace.labels);
  const pods = [...contents.pods, ...(model?.pods ?? [])];
  for (const { namespace } of [...pods, ...contents.policies]) if (!namespaces.has(namespace)) add(namespace);
  const seen = new Map<string, PodEndpoint>();
  for (const pod of pods) {
    const earlier = seen.get(pod.id);
    if (earlier) {
      throw new InputError(
        pod.origin ?? { file: 'cluster model' },
        `${pod.id} is defined twice (also ${earlier.workloadKind})`,
      );
    }
    seen.set(pod.id, pod);
  }
  return {
    namespaces: [...namespaces].map(([name, labels]) => ({ name, labels })),
    pods,
    externals: model?.externals ?? [],
    policies: contents.policies,
  };
}
