/** The model the verifier reasons on: what the manifests and the cluster model describe. */

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type Labels = Record<string, string>;

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

/** A Kubernetes label selector. `{}` selects everything. */
export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: LabelSelectorRequirement[];
}

/** Where an object came from, for messages: `rendered.yaml#3` (document index from 0). */
export interface Origin {
  file: string;
  index: number;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol: Protocol;
}

export interface Namespace {
  name: string;
  /** Includes `kubernetes.io/metadata.name`, which the API server sets and the loader adds. */
  labels: Labels;
}

/** A pod, or the pods of a workload (all replicas share labels and ports). */
export interface PodEndpoint {
  kind: 'pod';
  /** `namespace/name`, where name is the pod's or the workload's (`Deployment/items` → `items`). */
  id: string;
  namespace: string;
  name: string;
  /** `Deployment`, `StatefulSet`, ... or `Pod`; `Model` for pods of the cluster model. */
  workloadKind: string;
  labels: Labels;
  ports: ContainerPort[];
  origin?: Origin;
}

/** Addresses outside the cluster (database subnets, the internet), as one CIDR. */
export interface ExternalEndpoint {
  kind: 'external';
  /** The name given in the cluster model, e.g. `database-subnet-a` or `internet`. */
  id: string;
  cidr: string;
}

export type Endpoint = PodEndpoint | ExternalEndpoint;

export interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface PolicyPort {
  /** Defaults to TCP when absent in the manifest; the loader fills it in. */
  protocol: Protocol;
  /** A number, a port name, or absent (every port of the protocol). */
  port?: number | string;
  endPort?: number;
}

export interface PolicyRule {
  /** Absent (or empty) peers: every source/destination. */
  peers?: PolicyPeer[];
  /** Absent (or empty) ports: every port and protocol. */
  ports?: PolicyPort[];
}

export interface NetworkPolicy {
  namespace: string;
  name: string;
  podSelector: LabelSelector;
  /** As declared, or the default: Ingress always, Egress when `egress` is present. */
  policyTypes: ('Ingress' | 'Egress')[];
  ingress: PolicyRule[];
  egress: PolicyRule[];
  origin?: Origin;
}

export interface Cluster {
  namespaces: Namespace[];
  pods: PodEndpoint[];
  externals: ExternalEndpoint[];
  policies: NetworkPolicy[];
}

/** One connection attempt: a destination port (number) and protocol. */
export interface Connection {
  from: Endpoint;
  to: Endpoint;
  port: number;
  protocol: Protocol;
}
