import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseCidr } from './cidr';
import type {
  Cluster,
  ContainerPort,
  ExternalEndpoint,
  LabelSelector,
  LabelSelectorRequirement,
  Labels,
  Namespace,
  NetworkPolicy,
  Origin,
  PodEndpoint,
  PolicyPeer,
  PolicyPort,
  PolicyRule,
  Protocol,
  SecurityGroupPolicy,
  Service,
  ServicePort,
} from './types';

/** An Origin, plus the List item the object was (`items[3]`) when it came from a List. */
export interface ManifestOrigin extends Origin {
  item?: string;
}

/** `file#document`, `file#document: items[3]`, or the file alone. */
export function formatOrigin(origin: ManifestOrigin | { file: string }): string {
  if (!('index' in origin)) return origin.file;
  return `${origin.file}#${origin.index}${origin.item ? `: ${origin.item}` : ''}`;
}

/** A problem in an input file, located by file, document index (from 0) and List item. */
export class InputError extends Error {
  constructor(
    readonly origin: ManifestOrigin | { file: string },
    message: string,
  ) {
    super(`${formatOrigin(origin)}: ${message}`);
    this.name = 'InputError';
  }
}

/** The path `-` names standard input; messages call it this. */
export const STDIN_NAME = '<stdin>';

export interface ManifestInput {
  /** Namespace of objects that name none (helm template output names none). */
  defaultNamespace: string;
  /** Reads standard input, for the path `-`; defaults to reading file descriptor 0. */
  readStdin?: () => string;
}

/** The part of a cluster the manifests describe. */
export interface ManifestContents {
  namespaces: Namespace[];
  pods: PodEndpoint[];
  policies: NetworkPolicy[];
  services: Service[];
  securityGroupPolicies: SecurityGroupPolicy[];
  /** Labels of ServiceAccounts, by `namespace/name`. */
  serviceAccounts: Record<string, Labels>;
  /** Objects of the kinds the verifier does not read (Services, custom resources, ...), by kind. */
  ignored: { kind: string; count: number }[];
}

/** What the manifests do not render: namespaces, pods of other namespaces, external networks. */
export interface ClusterModel {
  namespaces: Namespace[];
  pods: PodEndpoint[];
  externals: ExternalEndpoint[];
  /** Where pods of unknown address take theirs from (see `Cluster.podAddressRanges`). */
  podAddressRanges?: string[];
  /** Whose semantics the cluster enforces: `eks` or `upstream`. */
  enforcer?: 'upstream' | 'eks';
  /** EKS: the VPC CNI's NETWORK_POLICY_ENFORCING_MODE. */
  enforcingMode?: 'standard' | 'strict';
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isAbsent = (value: unknown): value is null | undefined => value === undefined || value === null;
/** A value for a message, cut short: the value may be a whole object. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Kinds that make pods, and the path of their pod template (the Pod is its own). */
const POD_TEMPLATES = new Map<string, string[]>(
  Object.entries({
    Pod: [],
    ReplicationController: ['spec', 'template'],
    Deployment: ['spec', 'template'],
    ReplicaSet: ['spec', 'template'],
    StatefulSet: ['spec', 'template'],
    DaemonSet: ['spec', 'template'],
    Job: ['spec', 'template'],
    CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
  }),
);
/**
 * The groups NetworkPolicy is served from (extensions/v1beta1 before networking.k8s.io/v1, with the
 * same spec): Calico's and Antrea's NetworkPolicy kinds are custom resources of another schema.
 */
const POLICY_GROUPS = ['networking.k8s.io', 'extensions'];
/** Where the VPC resource controller serves SecurityGroupPolicy. */
const SECURITY_GROUP_POLICY_GROUP = 'vpcresources.k8s.aws';

/** Labels as text that does not depend on the order of keys. */
const canonical = (labels: Labels): string =>
  JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** True when the object's apiVersion is of one of the groups, or absent (items of typed lists). */
function inGroup(object: Json, groups: string[]): boolean {
  const apiVersion = object.apiVersion;
  if (typeof apiVersion !== 'string') return true;
  const slash = apiVersion.indexOf('/');
  return groups.includes(slash < 0 ? '' : apiVersion.slice(0, slash));
}

/** Every .yaml/.yml/.json file of the given files and directories (directories recursively, sorted); `-` is kept. */
export function inputFiles(paths: string[]): string[] {
  return paths.flatMap((path) => {
    if (path === '-') return [path];
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
        if (/\.(ya?ml|json)$/.test(entry)) return inputFiles([child]);
        try {
          return statSync(child).isDirectory() ? inputFiles([child]) : [];
        } catch {
          return []; // a dangling link that is no manifest file
        }
      });
  });
}

/**
 * The documents of a multi-document YAML (or JSON) file, each with its origin; empty documents
 * are skipped. `text` is the content when it does not come from the file (standard input).
 */
export function readDocuments(file: string, text?: string): { origin: Origin; value: unknown }[] {
  let source = text;
  if (source === undefined) {
    try {
      source = readFileSync(file, 'utf8');
    } catch (error) {
      throw new InputError(
        { file },
        `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
  }
  return parseAllDocuments(source).flatMap((document, index) => {
    const origin = { file, index };
    const error = document.errors[0];
    if (error) throw new InputError(origin, `malformed YAML: ${error.message.split('\n')[0]}`);
    let value: unknown;
    try {
      value = document.toJS();
    } catch (failure) {
      // Alias bombs and unresolvable aliases surface here, not in errors.
      throw new InputError(origin, `malformed YAML: ${(failure as Error).message.split('\n')[0]}`);
    }
    return isAbsent(value) ? [] : [{ origin, value }];
  });
}

/** Reads values of one object, failing with its origin and the path in it. */
class Reader {
  constructor(readonly origin: ManifestOrigin) {}

  fail(path: string, message: string): never {
    throw new InputError(this.origin, path ? `${path}: ${message}` : message);
  }

  map(value: unknown, path: string): Json {
    if (isAbsent(value)) return {};
    if (!isObject(value)) this.fail(path, `must be a map, not ${show(value)}`);
    return value;
  }

  list(value: unknown, path: string): unknown[] {
    if (isAbsent(value)) return [];
    if (!Array.isArray(value)) this.fail(path, `must be a list, not ${show(value)}`);
    return value;
  }

  string(value: unknown, path: string): string {
    if (typeof value !== 'string') this.fail(path, `must be a string, not ${show(value)}`);
    return value;
  }

  /** Labels as the API decodes them: a map of strings (an unquoted `1.0` is no string). */
  labels(value: unknown, path: string): Labels {
    const map = this.map(value, path);
    return Object.fromEntries(
      Object.entries(map).map(([key, label]) => [key, this.string(label, `${path}.${key}`)]),
    );
  }

  protocol(value: unknown, path: string): Protocol {
    if (isAbsent(value)) return 'TCP'; // SetDefaults_NetworkPolicyPort, and the container port default
    if (value === 'TCP' || value === 'UDP' || value === 'SCTP') return value;
    return this.fail(path, `unsupported value ${show(value)}: must be TCP, UDP or SCTP`);
  }

  integer(value: unknown, path: string): number {
    if (typeof value !== 'number' || !Number.isInteger(value))
      this.fail(path, `must be an integer, not ${show(value)}`);
    return value;
  }
}

// --- The API's validation rules, from k8s.io/apimachinery/pkg/util/validation and content. ---

/** IsValidPortNum. */
function portNumberProblem(port: number): string | undefined {
  return port >= 1 && port <= 65535 ? undefined : 'must be between 1 and 65535, inclusive';
}

/** IsValidPortName (IANA_SVC_NAME): every problem, as upstream lists them. */
export function portNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length > 15) problems.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(name))
    problems.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(name)) problems.push('must contain at least one letter (a-z)');
  if (name.includes('--')) problems.push('must not contain consecutive hyphens');
  if (name.startsWith('-') || name.endsWith('-')) problems.push('must not begin or end with a hyphen');
  return problems;
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** IsQualifiedName (content.IsLabelKey): an optional DNS subdomain prefix and `/`, then a name. */
function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/');
  if (parts.length > 2) return 'a label key has at most one "/" (prefix/name)';
  const name = parts.length === 2 ? (parts[1] ?? '') : key;
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (!prefix) return 'the prefix part must be non-empty';
    if (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))
      return 'the prefix part must be a lowercase RFC 1123 subdomain of at most 253 characters';
  }
  if (!name) return 'the name part must be non-empty';
  if (name.length > 63) return 'the name part must be no more than 63 characters';
  if (!LABEL_NAME.test(name))
    return "the name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  return undefined;
}

/** IsValidLabelValue (content.IsLabelValue): empty, or a label name of at most 63 characters. */
function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return 'must be no more than 63 characters';
  if (value && !LABEL_NAME.test(value))
    return "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  return undefined;
}

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
type Operator = (typeof OPERATORS)[number];
const isOperator = (value: unknown): value is Operator => OPERATORS.some((operator) => operator === value);

/** ValidateLabelSelector (apimachinery meta/v1 validation), with label values checked as on create. */
function selectorOf(read: Reader, value: unknown, path: string): LabelSelector {
  const spec = read.map(value, path);
  const selector: LabelSelector = {};
  if (!isAbsent(spec.matchLabels)) {
    const where = `${path}.matchLabels`;
    const labels = read.labels(spec.matchLabels, where);
    for (const [key, label] of Object.entries(labels)) {
      const keyProblem = labelKeyProblem(key);
      if (keyProblem) read.fail(where, `${show(key)} is not a valid label key: ${keyProblem}`);
      const valueProblem = labelValueProblem(label);
      if (valueProblem)
        read.fail(`${where}.${key}`, `${show(label)} is not a valid label value: ${valueProblem}`);
    }
    selector.matchLabels = labels;
  }
  if (!isAbsent(spec.matchExpressions)) {
    selector.matchExpressions = read
      .list(spec.matchExpressions, `${path}.matchExpressions`)
      .map((entry, index): LabelSelectorRequirement => {
        const where = `${path}.matchExpressions[${index}]`;
        const expression = read.map(entry, where);
        const key = read.string(expression.key, `${where}.key`);
        const keyProblem = labelKeyProblem(key);
        if (keyProblem) read.fail(`${where}.key`, `${show(key)} is not a valid label key: ${keyProblem}`);
        const operator = expression.operator;
        if (!isOperator(operator)) {
          read.fail(
            `${where}.operator`,
            `${show(operator)} is not a valid selector operator (In, NotIn, Exists, DoesNotExist)`,
          );
        }
        const values = read.list(expression.values, `${where}.values`).map((item, i) => {
          const label = read.string(item, `${where}.values[${i}]`);
          const problem = labelValueProblem(label);
          if (problem)
            read.fail(`${where}.values[${i}]`, `${show(label)} is not a valid label value: ${problem}`);
          return label;
        });
        if ((operator === 'In' || operator === 'NotIn') && values.length === 0) {
          read.fail(`${where}.values`, `must be specified when operator is ${operator}`);
        }
        if ((operator === 'Exists' || operator === 'DoesNotExist') && values.length > 0) {
          read.fail(`${where}.values`, `may not be specified when operator is ${operator}`);
        }
        return { key, operator, ...(values.length ? { values } : {}) };
      });
  }
  return selector;
}

/** A CIDR the verifier can reason on (IPv4; parseCidr names the problem). */
function cidrOf(read: Reader, value: unknown, path: string) {
  const text = read.string(value, path);
  try {
    return parseCidr(text);
  } catch (error) {
    return read.fail(path, (error as Error).message);
  }
}

/** ValidateIPBlock: cidr required and valid; each except a strict subset of cidr. */
function ipBlockOf(read: Reader, value: unknown, path: string): { cidr: string; except?: string[] } {
  const block = read.map(value, path);
  if (isAbsent(block.cidr) || block.cidr === '') read.fail(`${path}.cidr`, 'required');
  const cidr = cidrOf(read, block.cidr, `${path}.cidr`);
  const except = read.list(block.except, `${path}.except`).map((entry, index) => {
    const where = `${path}.except[${index}]`;
    const inner = cidrOf(read, entry, where);
    // Upstream: cidr must contain the except's network address and have a shorter prefix.
    if (!(cidr.first <= inner.first && inner.first <= cidr.last) || cidr.prefixLength >= inner.prefixLength) {
      read.fail(where, `${inner.text} must be a strict subset of cidr ${cidr.text}`);
    }
    return entry as string;
  });
  return { cidr: block.cidr as string, ...(except.length ? { except } : {}) };
}

/** ValidateNetworkPolicyPeer: exactly one kind of peer, or pod and namespace selectors together. */
function peerOf(read: Reader, value: unknown, path: string): PolicyPeer {
  const peer = read.map(value, path);
  const result: PolicyPeer = {};
  if (!isAbsent(peer.podSelector))
    result.podSelector = selectorOf(read, peer.podSelector, `${path}.podSelector`);
  if (!isAbsent(peer.namespaceSelector)) {
    result.namespaceSelector = selectorOf(read, peer.namespaceSelector, `${path}.namespaceSelector`);
  }
  if (!isAbsent(peer.ipBlock)) {
    if (result.podSelector || result.namespaceSelector) {
      read.fail(path, 'may not specify both ipBlock and another peer');
    }
    result.ipBlock = ipBlockOf(read, peer.ipBlock, `${path}.ipBlock`);
  }
  if (!result.podSelector && !result.namespaceSelector && !result.ipBlock) {
    read.fail(path, 'must specify a peer (podSelector, namespaceSelector or ipBlock)');
  }
  return result;
}

/** ValidateNetworkPolicyPort, after SetDefaults_NetworkPolicyPort (protocol TCP). */
function policyPortOf(read: Reader, value: unknown, path: string): PolicyPort {
  const entry = read.map(value, path);
  const protocol = read.protocol(entry.protocol, `${path}.protocol`);
  const { port } = entry;
  const endPort = isAbsent(entry.endPort) ? undefined : read.integer(entry.endPort, `${path}.endPort`);
  if (isAbsent(port)) {
    if (endPort !== undefined)
      read.fail(`${path}.endPort`, 'may not be specified when port is not specified');
    return { protocol };
  }
  if (typeof port === 'number') {
    // intstr: an unquoted number is a port number...
    if (!Number.isInteger(port)) read.fail(`${path}.port`, `must be an integer or a port name, not ${port}`);
    const problem = portNumberProblem(port);
    if (problem) read.fail(`${path}.port`, `${port} ${problem}`);
    if (endPort !== undefined) {
      if (endPort < port)
        read.fail(`${path}.endPort`, `${endPort} must be greater than or equal to port ${port}`);
      const endProblem = portNumberProblem(endPort);
      if (endProblem) read.fail(`${path}.endPort`, `${endPort} ${endProblem}`);
    }
    return { protocol, port, ...(endPort !== undefined ? { endPort } : {}) };
  }
  if (typeof port !== 'string') read.fail(`${path}.port`, `must be a port number or name, not ${show(port)}`);
  // ...and a string, even "80", a port name.
  if (endPort !== undefined) read.fail(`${path}.endPort`, 'may not be specified when port is non-numeric');
  const problems = portNameProblems(port);
  if (problems.length)
    read.fail(`${path}.port`, `${show(port)} is not a valid port name: ${problems.join('; ')}`);
  return { protocol, port };
}

function rulesOf(read: Reader, value: unknown, direction: 'ingress' | 'egress'): PolicyRule[] {
  const peerKey = direction === 'ingress' ? 'from' : 'to';
  return read.list(value, `spec.${direction}`).map((entry, index) => {
    const where = `spec.${direction}[${index}]`;
    const rule = read.map(entry, where);
    const peers = read
      .list(rule[peerKey], `${where}.${peerKey}`)
      .map((peer, i) => peerOf(read, peer, `${where}.${peerKey}[${i}]`));
    const ports = read
      .list(rule.ports, `${where}.ports`)
      .map((port, i) => policyPortOf(read, port, `${where}.ports[${i}]`));
    return { ...(peers.length ? { peers } : {}), ...(ports.length ? { ports } : {}) };
  });
}

/** ValidateNetworkPolicySpec, after SetDefaults_NetworkPolicy. */
function policyOf(read: Reader, object: Json, namespace: string, name: string): NetworkPolicy {
  const spec = read.map(object.spec, 'spec');
  const podSelector = selectorOf(read, spec.podSelector, 'spec.podSelector');
  const ingress = rulesOf(read, spec.ingress, 'ingress');
  const egress = rulesOf(read, spec.egress, 'egress');
  const declared = read.list(spec.policyTypes, 'spec.policyTypes');
  if (declared.length > 2) read.fail('spec.policyTypes', 'may not specify more than two policyTypes');
  // Duplicates pass upstream (each entry is only checked to be Ingress or Egress).
  const policyTypes = declared.map((type, index): 'Ingress' | 'Egress' => {
    if (type === 'Ingress' || type === 'Egress') return type;
    return read.fail(
      `spec.policyTypes[${index}]`,
      `unsupported value ${show(type)}: must be Ingress or Egress`,
    );
  });
  if (policyTypes.length === 0) {
    // SetDefaults_NetworkPolicy: Ingress always, Egress when there is an egress rule (`egress: []` is none).
    policyTypes.push('Ingress');
    if (egress.length > 0) policyTypes.push('Egress');
  }
  return { namespace, name, podSelector, policyTypes, ingress, egress, origin: read.origin };
}

/** A SecurityGroupPolicy's selectors and groups, validated as its CRD's schema does. */
function securityGroupPolicyOf(
  read: Reader,
  object: Json,
  namespace: string,
  name: string,
): SecurityGroupPolicy {
  const spec = read.map(object.spec, 'spec');
  const groups = read.map(spec.securityGroups, 'spec.securityGroups');
  const groupIds = read.list(groups.groupIds, 'spec.securityGroups.groupIds').map((entry, index) => {
    const id = read.string(entry, `spec.securityGroups.groupIds[${index}]`);
    if (!/^sg-[0-9a-f]{8,17}$/.test(id))
      read.fail(`spec.securityGroups.groupIds[${index}]`, `${show(id)} is not a security group id (sg-...)`);
    return id;
  });
  if (groupIds.length === 0) read.fail('spec.securityGroups.groupIds', 'must list at least one group');
  if (groupIds.length > 5)
    read.fail('spec.securityGroups.groupIds', 'at most 5 groups (a branch ENI carries no more)');
  const policy: SecurityGroupPolicy = { namespace, name, groupIds, origin: read.origin };
  if (!isAbsent(spec.podSelector))
    policy.podSelector = selectorOf(read, spec.podSelector, 'spec.podSelector');
  if (!isAbsent(spec.serviceAccountSelector))
    policy.serviceAccountSelector = selectorOf(
      read,
      spec.serviceAccountSelector,
      'spec.serviceAccountSelector',
    );
  if (!policy.podSelector && !policy.serviceAccountSelector)
    read.fail('spec', 'needs a podSelector or a serviceAccountSelector');
  return policy;
}

/** A Service's selector and ports, with the API's defaults (targetPort = port, protocol TCP). */
function serviceOf(read: Reader, object: Json, namespace: string, name: string): Service {
  const spec = read.map(object.spec, 'spec');
  const ports = read.list(spec.ports, 'spec.ports').map((entry, index): ServicePort => {
    const where = `spec.ports[${index}]`;
    const port = read.map(entry, where);
    const number = read.integer(port.port, `${where}.port`);
    const problem = portNumberProblem(number);
    if (problem) read.fail(`${where}.port`, `${number} ${problem}`);
    const target = isAbsent(port.targetPort) ? number : port.targetPort;
    if (typeof target !== 'number' && typeof target !== 'string')
      read.fail(`${where}.targetPort`, `must be a port number or name, not ${show(target)}`);
    return {
      ...(isAbsent(port.name) ? {} : { name: read.string(port.name, `${where}.name`) }),
      port: number,
      targetPort: target,
      protocol: read.protocol(port.protocol, `${where}.protocol`),
    };
  });
  return {
    namespace,
    name,
    ...(isAbsent(spec.selector) ? {} : { selector: read.labels(spec.selector, 'spec.selector') }),
    ...(isAbsent(spec.clusterIP) ? {} : { clusterIP: read.string(spec.clusterIP, 'spec.clusterIP') }),
    ports,
    origin: read.origin,
  };
}

/** The labels and container ports of a pod template (or pod), read at `prefix`. */
function templateOf(
  read: Reader,
  template: Json,
  prefix: string,
): { labels: Labels; ports: ContainerPort[]; probePorts: number[]; serviceAccount: string } {
  const metadata = read.map(template.metadata, `${prefix}metadata`);
  const labels = read.labels(metadata.labels, `${prefix}metadata.labels`);
  const spec = read.map(template.spec, `${prefix}spec`);
  const probePorts = new Set<number>();
  const ports = (['containers', 'initContainers'] as const).flatMap((key) =>
    read.list(spec[key], `${prefix}spec.${key}`).flatMap((entry, index) => {
      const where = `${prefix}spec.${key}[${index}]`;
      const container = read.map(entry, where);
      const declared = containerPortsOf(read, container, where);
      if (key === 'containers')
        for (const port of probePortsOf(read, container, where, declared)) probePorts.add(port);
      return declared;
    }),
  );
  const serviceAccount = isAbsent(spec.serviceAccountName)
    ? 'default'
    : read.string(spec.serviceAccountName, `${prefix}spec.serviceAccountName`);
  return { labels, ports, probePorts: [...probePorts].sort((a, b) => a - b), serviceAccount };
}

const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

/** The TCP ports a container's probes connect to (exec probes connect to none), names resolved. */
function probePortsOf(read: Reader, container: Json, where: string, declared: ContainerPort[]): number[] {
  return PROBES.flatMap((probeKey) => {
    if (isAbsent(container[probeKey])) return [];
    const probe = read.map(container[probeKey], `${where}.${probeKey}`);
    return (['httpGet', 'tcpSocket', 'grpc'] as const).flatMap((handlerKey) => {
      if (isAbsent(probe[handlerKey])) return [];
      const path = `${where}.${probeKey}.${handlerKey}.port`;
      const port = read.map(probe[handlerKey], `${where}.${probeKey}.${handlerKey}`).port;
      if (typeof port === 'number') {
        const problem = portNumberProblem(port);
        if (problem) read.fail(path, `${port} ${problem}`);
        return [port];
      }
      const name = read.string(port, path);
      const found = declared.find((candidate) => candidate.name === name);
      if (!found) read.fail(path, `${show(name)} names no port of the container`);
      return [found.containerPort];
    });
  });
}

function containerPortsOf(read: Reader, container: Json, where: string): ContainerPort[] {
  return read.list(container.ports, `${where}.ports`).map((value, i): ContainerPort => {
    const path = `${where}.ports[${i}]`;
    const port = read.map(value, path);
    // core/v1 validateContainerPorts: containerPort is required (field names are case-sensitive).
    if (isAbsent(port.containerPort))
      read.fail(`${path}.containerPort`, 'required: every container port needs one');
    const number = read.integer(port.containerPort, `${path}.containerPort`);
    const problem = portNumberProblem(number);
    if (problem) read.fail(`${path}.containerPort`, `${number} ${problem}`);
    const name = isAbsent(port.name) ? undefined : read.string(port.name, `${path}.name`);
    return {
      ...(name ? { name } : {}),
      containerPort: number,
      protocol: read.protocol(port.protocol, `${path}.protocol`),
    };
  });
}

/** The pod template of a workload, each step of its path a map. */
function templateAt(read: Reader, object: Json, kind: string, path: string[]): Json {
  let node: Json = object;
  path.forEach((key, index) => {
    const where = path.slice(0, index + 1).join('.');
    const next = node[key];
    if (isAbsent(next)) read.fail(where, `missing: a ${kind} needs a pod template`);
    node = read.map(next, where);
  });
  return node;
}

/** IPv4 addresses of a pod's status (podIPs, else podIP); IPv6 ones are left out. */
function addressesOf(read: Reader, value: unknown): string[] {
  const status = read.map(value, 'status');
  const listed = read.list(status.podIPs, 'status.podIPs').map((entry, index) => ({
    ip: read.map(entry, `status.podIPs[${index}]`).ip,
    path: `status.podIPs[${index}].ip`,
  }));
  const given = listed.length
    ? listed
    : isAbsent(status.podIP)
      ? []
      : [{ ip: status.podIP, path: 'status.podIP' }];
  return given.flatMap(({ ip, path }) => {
    const text = read.string(ip, path);
    if (text.includes(':')) return []; // IPv6: outside what the verifier reasons on
    cidrOf(read, `${text}/32`, path);
    return [text];
  });
}

/** A pod's controlling owner: a Node owns mirror pods, which are bare pods to the verifier. */
function ownerOf(read: Reader, metadata: Json): { kind: string; name: string } | undefined {
  const references = read.list(metadata.ownerReferences, 'metadata.ownerReferences');
  for (const [index, entry] of references.entries()) {
    const where = `metadata.ownerReferences[${index}]`;
    const reference = read.map(entry, where);
    if (reference.controller !== true) continue;
    // np-guard/netpol-analyzer shows an owner of no kind as a Pod.
    const kind = isAbsent(reference.kind) ? 'Pod' : read.string(reference.kind, `${where}.kind`);
    if (kind === 'Node') continue;
    const name = read.string(reference.name, `${where}.name`);
    if (!name) read.fail(`${where}.name`, 'required');
    return { kind, name };
  }
  return undefined;
}

interface PodObject {
  namespace: string;
  name: string;
  owner?: { kind: string; name: string };
  labels: Labels;
  ports: ContainerPort[];
  probePorts: number[];
  serviceAccount: string;
  addresses: string[];
  origin: ManifestOrigin;
}

/** What identifies pods that may share an endpoint: their labels and ports. */
const signature = (pod: PodObject): string =>
  JSON.stringify([
    canonical(pod.labels),
    pod.ports.map((port) => JSON.stringify([port.name, port.containerPort, port.protocol])).sort(),
  ]);

/**
 * The endpoints of the pods one controller owns (or of one bare pod): one `namespace/owner` when
 * they share labels and ports, else one `namespace/owner/pod` for each set of alike pods.
 */
function ownedEndpoints(pods: PodObject[]): PodEndpoint[] {
  const alike = new Map<string, PodObject[]>();
  for (const pod of pods) alike.set(signature(pod), [...(alike.get(signature(pod)) ?? []), pod]);
  return [...alike.values()].map((group) => {
    const first = group[0] as PodObject;
    const name = first.owner?.name ?? first.name;
    const addresses = [...new Set(group.flatMap((pod) => pod.addresses))];
    return {
      kind: 'pod',
      id: alike.size === 1 ? `${first.namespace}/${name}` : `${first.namespace}/${name}/${first.name}`,
      namespace: first.namespace,
      name,
      workloadKind: first.owner?.kind ?? 'Pod',
      labels: first.labels,
      ports: first.ports,
      ...(addresses.length ? { addresses } : {}),
      ...(first.probePorts.length ? { probePorts: first.probePorts } : {}),
      serviceAccount: first.serviceAccount,
      origin: first.origin,
    };
  });
}

const defaultStdin = (): string => readFileSync(0, 'utf8');

/** An object read from a file, standard input or a cluster, with where it came from. */
export interface ManifestDocument {
  origin: ManifestOrigin;
  value: unknown;
}

/**
 * The documents of files, directories and standard input (`-`, read once however often given),
 * one file at a time: a file's objects are let go before the next one is parsed.
 */
export function* readInputs(
  paths: string[],
  input: Pick<ManifestInput, 'readStdin'>,
): Generator<ManifestDocument> {
  let stdin: string | undefined;
  const readStdin = (): string => {
    try {
      return (input.readStdin ?? defaultStdin)();
    } catch (error) {
      throw new InputError({ file: STDIN_NAME }, `cannot read: ${(error as Error).message}`);
    }
  };
  for (const file of inputFiles(paths)) {
    if (file !== '-') yield* readDocuments(file);
    else if (stdin === undefined) yield* readDocuments(STDIN_NAME, (stdin = readStdin()));
  }
}

/**
 * Reads Namespaces, NetworkPolicies (defaulted and validated as the API server does) and the pods
 * of Pods and workloads from files, directories and standard input (`-`). Lists are flattened;
 * every other kind is counted in `ignored`.
 */
export function loadManifests(paths: string[], input: ManifestInput): ManifestContents {
  return loadDocuments(readInputs(paths, input), input);
}

/** What `loadManifests` reads, from documents already parsed (a live cluster's objects among them). */
export function loadDocuments(documents: Iterable<ManifestDocument>, input: ManifestInput): ManifestContents {
  const namespaces = new Map<string, Namespace & { origin: ManifestOrigin }>();
  const policies: NetworkPolicy[] = [];
  const services: Service[] = [];
  const securityGroupPolicies: SecurityGroupPolicy[] = [];
  const serviceAccounts: Record<string, Labels> = {};
  const policyOrigins = new Map<string, ManifestOrigin>();
  const ignored = new Map<string, number>();
  // In input order: a workload's template endpoint, or the key of a group of owned pods.
  const entries: (PodEndpoint | string)[] = [];
  const groups = new Map<string, PodObject[]>();
  const podsSeen = new Map<string, ManifestOrigin>();

  const visit = (value: unknown, origin: ManifestOrigin, itemKind?: string): void => {
    const read: Reader = new Reader(origin);
    if (!isObject(value))
      read.fail(
        '',
        `not a Kubernetes object (expected a map, not ${Array.isArray(value) ? 'a list' : show(value)})`,
      );
    const kind = isAbsent(value.kind) && itemKind ? itemKind : value.kind;
    if (typeof kind !== 'string' || !kind) read.fail('', 'not a Kubernetes object: kind is missing');
    if (kind.endsWith('List')) {
      // kind: List (kubectl get -o yaml) and typed lists, whose items may lack a kind.
      if (!isAbsent(value.items) && !Array.isArray(value.items)) {
        read.fail('items', `must be a list of objects, as in every ${kind}`);
      }
      const items = Array.isArray(value.items) ? (value.items as unknown[]) : [];
      const inner = kind === 'List' ? undefined : kind.slice(0, -'List'.length);
      items.forEach((item, index) => {
        const at = `${origin.item ? `${origin.item}.` : ''}items[${index}]`;
        visit(item, { ...origin, item: at }, inner);
      });
      return;
    }
    const template = POD_TEMPLATES.get(kind);
    const isPolicy = kind === 'NetworkPolicy' && inGroup(value, POLICY_GROUPS);
    const isService = kind === 'Service' && inGroup(value, ['']);
    const isGroupPolicy = kind === 'SecurityGroupPolicy' && inGroup(value, [SECURITY_GROUP_POLICY_GROUP]);
    const isServiceAccount = kind === 'ServiceAccount' && inGroup(value, ['']);
    if (!template && kind !== 'Namespace' && !isPolicy && !isService && !isGroupPolicy && !isServiceAccount) {
      const label = kind === 'NetworkPolicy' ? `${kind} (${show(value.apiVersion)})` : kind;
      ignored.set(label, (ignored.get(label) ?? 0) + 1);
      return;
    }
    const metadata = read.map(value.metadata, 'metadata');
    if (typeof metadata.name !== 'string' || !metadata.name)
      read.fail('metadata.name', `required for a ${kind}`);
    const name = metadata.name;
    const namespace = isAbsent(metadata.namespace)
      ? input.defaultNamespace
      : read.string(metadata.namespace, 'metadata.namespace');

    if (kind === 'Namespace') {
      const labels = {
        ...read.labels(metadata.labels, 'metadata.labels'),
        'kubernetes.io/metadata.name': name,
      };
      const earlier = namespaces.get(name);
      if (earlier && canonical(earlier.labels) !== canonical(labels)) {
        read.fail(
          '',
          `Namespace ${name} is defined twice with different labels (also ${formatOrigin(earlier.origin)})`,
        );
      }
      if (!earlier) namespaces.set(name, { name, labels, origin });
    } else if (isPolicy) {
      const key = `${namespace}/${name}`;
      const earlier = policyOrigins.get(key);
      if (earlier) read.fail('', `NetworkPolicy ${key} is defined twice (also ${formatOrigin(earlier)})`);
      policyOrigins.set(key, origin);
      policies.push(policyOf(read, value, namespace, name));
    } else if (isService) {
      services.push(serviceOf(read, value, namespace, name));
    } else if (isGroupPolicy) {
      securityGroupPolicies.push(securityGroupPolicyOf(read, value, namespace, name));
    } else if (isServiceAccount) {
      serviceAccounts[`${namespace}/${name}`] = read.labels(metadata.labels, 'metadata.labels');
    } else if (kind === 'Pod') {
      const key = `${namespace}/${name}`;
      const earlier = podsSeen.get(key);
      if (earlier) read.fail('', `Pod ${key} is defined twice (also ${formatOrigin(earlier)})`);
      podsSeen.set(key, origin);
      const owner = ownerOf(read, metadata);
      const pod: PodObject = {
        namespace,
        name,
        ...(owner ? { owner } : {}),
        ...templateOf(read, value, ''),
        addresses: addressesOf(read, value.status),
        origin,
      };
      const group = owner ? `${namespace}/${owner.kind}/${owner.name}` : `${namespace}//${name}`;
      if (!groups.has(group)) {
        groups.set(group, []);
        entries.push(group);
      }
      groups.get(group)?.push(pod);
    } else if (template) {
      const { labels, ports, probePorts, serviceAccount } = templateOf(
        read,
        templateAt(read, value, kind, template),
        `${template.join('.')}.`,
      );
      entries.push({
        kind: 'pod',
        id: `${namespace}/${name}`,
        namespace,
        name,
        workloadKind: kind,
        labels,
        ports,
        ...(probePorts.length ? { probePorts } : {}),
        serviceAccount,
        origin,
      });
    }
  };

  for (const { origin, value } of documents) visit(value, origin);

  const pods = entries.flatMap((entry) => {
    if (typeof entry === 'string') return ownedEndpoints(groups.get(entry) ?? []);
    // A workload whose pods are given is those pods: they carry the addresses and live labels.
    return groups.has(`${entry.namespace}/${entry.workloadKind}/${entry.name}`) ? [] : [entry];
  });
  return {
    namespaces: [...namespaces.values()].map(({ name, labels }) => ({ name, labels })),
    pods,
    policies,
    services,
    securityGroupPolicies,
    serviceAccounts,
    ignored: [...ignored]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([kind, count]) => ({ kind, count })),
  };
}

export function loadClusterModel(file: string): ClusterModel {
  const documents = readDocuments(file);
  const document = documents[0];
  if (!document || documents.length > 1)
    throw new InputError({ file }, 'a cluster model is exactly one YAML document');
  const read: Reader = new Reader(document.origin);
  const { value } = document;
  if (!isObject(value))
    read.fail('', 'a cluster model is a map with namespaces, pods, externals and podAddressRanges');
  const keys = ['namespaces', 'pods', 'externals', 'podAddressRanges', 'enforcer', 'enforcingMode'];
  const unknown = Object.keys(value).filter((key) => !keys.includes(key));
  if (unknown.length) read.fail('', `unknown keys ${unknown.join(', ')} (${keys.join(', ')})`);
  const list = (key: string): Json[] =>
    read.list(value[key], key).map((entry, index) => read.map(entry, `${key}[${index}]`));

  const namespaces = list('namespaces').map((entry, index) => {
    const name = read.string(entry.name, `namespaces[${index}].name`);
    return { name, labels: read.labels(entry.labels, `namespaces[${index}].labels`) };
  });
  const pods = list('pods').map((entry, index): PodEndpoint => {
    const where = `pods[${index}]`;
    const name = read.string(entry.name, `${where}.name`);
    const namespace = read.string(entry.namespace, `${where}.namespace`);
    const ports = read.list(entry.ports, `${where}.ports`).map((value, i): ContainerPort => {
      const path = `${where}.ports[${i}]`;
      const port = read.map(value, path);
      const number = read.integer(port.containerPort, `${path}.containerPort`);
      const name = isAbsent(port.name) ? undefined : read.string(port.name, `${path}.name`);
      return {
        ...(name ? { name } : {}),
        containerPort: number,
        protocol: read.protocol(port.protocol, `${path}.protocol`),
      };
    });
    return {
      kind: 'pod',
      id: `${namespace}/${name}`,
      namespace,
      name,
      workloadKind: 'Model',
      labels: read.labels(entry.labels, `${where}.labels`),
      ports,
      origin: read.origin,
    };
  });
  const externals = list('externals').map((entry, index): ExternalEndpoint => {
    const where = `externals[${index}]`;
    const name = read.string(entry.name, `${where}.name`);
    const network = cidrOf(read, entry.cidr, `${where}.cidr`);
    // A network may leave parts out, as an ipBlock does: the internet is 0.0.0.0/0 less the private ranges.
    const except = isAbsent(entry.except)
      ? []
      : read.list(entry.except, `${where}.except`).map((hole, i) => {
          const inner = cidrOf(read, hole, `${where}.except[${i}]`);
          if (inner.first < network.first || inner.last > network.last) {
            read.fail(`${where}.except[${i}]`, `${inner.text} is not inside ${network.text}`);
          }
          return hole as string;
        });
    return { kind: 'external', id: name, cidr: entry.cidr as string, ...(except.length ? { except } : {}) };
  });
  const model: ClusterModel = { namespaces, pods, externals };
  if (!isAbsent(value.enforcer)) {
    if (value.enforcer !== 'eks' && value.enforcer !== 'upstream')
      read.fail('enforcer', `${show(value.enforcer)}: eks or upstream`);
    model.enforcer = value.enforcer;
  }
  if (!isAbsent(value.enforcingMode)) {
    if (value.enforcingMode !== 'standard' && value.enforcingMode !== 'strict')
      read.fail('enforcingMode', `${show(value.enforcingMode)}: standard or strict`);
    model.enforcingMode = value.enforcingMode;
  }
  if (!isAbsent(value.podAddressRanges)) {
    model.podAddressRanges = read.list(value.podAddressRanges, 'podAddressRanges').map((entry, index) => {
      cidrOf(read, entry, `podAddressRanges[${index}]`);
      return entry as string;
    });
  }
  return model;
}

/**
 * The cluster the verifier reasons about: manifests plus model. The model only adds what the
 * manifests lack (a namespace in both has the model's labels overridden by the manifests'). Every
 * namespace a pod or policy lives in exists, with `kubernetes.io/metadata.name` as the API server sets it.
 */
export function buildCluster(
  contents: Pick<ManifestContents, 'namespaces' | 'pods' | 'policies'> &
    Partial<Pick<ManifestContents, 'services' | 'securityGroupPolicies' | 'serviceAccounts'>>,
  model?: ClusterModel,
): Cluster {
  const namespaces = new Map<string, Labels>();
  const add = (name: string, labels: Labels = {}) =>
    namespaces.set(name, { ...(namespaces.get(name) ?? {}), ...labels, 'kubernetes.io/metadata.name': name });
  for (const namespace of [...(model?.namespaces ?? []), ...contents.namespaces])
    add(namespace.name, namespace.labels);
  const seen = new Map<string, PodEndpoint>();
  for (const pod of contents.pods) {
    const earlier = seen.get(pod.id);
    if (earlier) {
      throw new InputError(
        pod.origin ?? { file: 'manifests' },
        `${pod.id} is defined twice (also ${earlier.workloadKind}${earlier.origin ? ` at ${formatOrigin(earlier.origin)}` : ''})`,
      );
    }
    seen.set(pod.id, pod);
  }
  const modelPods: PodEndpoint[] = [];
  for (const pod of model?.pods ?? []) {
    if (seen.has(pod.id)) continue; // the manifests' own pod wins
    if (modelPods.some((other) => other.id === pod.id)) {
      throw new InputError(
        pod.origin ?? { file: 'cluster model' },
        `${pod.id} is defined twice in the cluster model`,
      );
    }
    modelPods.push(pod);
  }
  const pods = [...contents.pods, ...modelPods];
  for (const { namespace } of [...pods, ...contents.policies]) if (!namespaces.has(namespace)) add(namespace);
  return {
    namespaces: [...namespaces].map(([name, labels]) => ({ name, labels })),
    pods,
    externals: model?.externals ?? [],
    policies: contents.policies,
    ...(contents.services?.length ? { services: contents.services } : {}),
    ...(contents.securityGroupPolicies?.length
      ? { securityGroupPolicies: contents.securityGroupPolicies }
      : {}),
    ...(contents.serviceAccounts && Object.keys(contents.serviceAccounts).length
      ? { serviceAccounts: contents.serviceAccounts }
      : {}),
    ...(model?.podAddressRanges ? { podAddressRanges: model.podAddressRanges } : {}),
    ...(model?.enforcer ? { enforcer: model.enforcer } : {}),
    ...(model?.enforcingMode ? { enforcingMode: model.enforcingMode } : {}),
  };
}
