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

/**
 * A pod, or the pods of a workload that share labels and ports (the replicas of a Deployment, the
 * pods one controller owns).
 */
export interface PodEndpoint {
  kind: 'pod';
  /**
   * `namespace/name`, unique in a cluster: name is the workload's (`Deployment/items` → `items`),
   * the owning controller's for a pod that has one, else the pod's. Pods of one controller whose
   * labels or ports differ are endpoints of their own, `namespace/owner/pod`.
   */
  id: string;
  namespace: string;
  /** The workload's (or bare pod's) name, shared by every endpoint of one workload. */
  name: string;
  /** `Deployment`, `StatefulSet`, ... or `Pod`; `Model` for pods of the cluster model. */
  workloadKind: string;
  labels: Labels;
  ports: ContainerPort[];
  /**
   * IPv4 addresses of the pods (`status.podIPs`, `status.podIP`) when the input gives them; absent
   * when unknown (a workload's template, a pod without status).
   */
  addresses?: string[];
  /** TCP ports the kubelet probes (liveness, readiness, startup: httpGet, tcpSocket, grpc), resolved. */
  probePorts?: number[];
  /** spec.serviceAccountName (the API's default: `default`); SecurityGroupPolicies may select by it. */
  serviceAccount?: string;
  origin?: Origin;
}

/** A named network of the cluster model (database subnets, node subnets), as one CIDR. */
export interface ExternalEndpoint {
  kind: 'external';
  /** The name given in the cluster model, e.g. `database-subnet-a`. */
  id: string;
  cidr: string;
  /** Parts of `cidr` outside the network. */
  except?: string[];
}

/**
 * A range of addresses outside the cluster: one piece of the IPv4 space, split at every boundary
 * of the policies' ipBlocks (and their excepts) and the model's named networks, so that every
 * address of the range is treated alike by every policy.
 */
export interface AddressRange {
  kind: 'range';
  /** `10.0.0.0-10.255.255.255` */
  id: string;
  first: number;
  last: number;
  /** The named networks of the cluster model that contain the whole range. */
  networks: string[];
}

/** What can send or receive: a pod endpoint or a range of outside addresses. */
export type Endpoint = PodEndpoint | AddressRange;

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
  /** As declared, or the API server's default: Ingress always, Egress when `egress` has a rule. */
  policyTypes: ('Ingress' | 'Egress')[];
  ingress: PolicyRule[];
  egress: PolicyRule[];
  origin?: Origin;
}

/** A Service: which pods it selects and how its ports map to theirs (the EKS agent cares). */
export interface Service {
  namespace: string;
  name: string;
  /** Absent: a Service without a selector (its endpoints are managed by hand). */
  selector?: Labels;
  /** `None` for a headless Service. */
  clusterIP?: string;
  ports: ServicePort[];
  origin?: Origin;
}

export interface ServicePort {
  name?: string;
  port: number;
  /** A number, or the name of a container port; the API defaults it to `port`. */
  targetPort: number | string;
  protocol: Protocol;
}

/**
 * A SecurityGroupPolicy (vpcresources.k8s.aws/v1beta1): the pods it selects in its namespace get a
 * branch ENI carrying these security groups instead of the node's.
 */
export interface SecurityGroupPolicy {
  namespace: string;
  name: string;
  podSelector?: LabelSelector;
  /** Selects pods by the labels of their ServiceAccount. */
  serviceAccountSelector?: LabelSelector;
  groupIds: string[];
  origin?: Origin;
}

export interface Cluster {
  namespaces: Namespace[];
  /** Services of the inputs (the EKS profile's lint reads them; connections are pod to pod). */
  services?: Service[];
  /** SecurityGroupPolicies of the inputs (the security group layer reads them). */
  securityGroupPolicies?: SecurityGroupPolicy[];
  /** Labels of the inputs' ServiceAccounts, by `namespace/name`. */
  serviceAccounts?: Record<string, Labels>;
  /** Address ranges the analysis must split at although no policy names them (security group CIDRs). */
  addressSplits?: string[];
  pods: PodEndpoint[];
  /** Named networks (the cluster model's externals). */
  externals: ExternalEndpoint[];
  policies: NetworkPolicy[];
  /**
   * Where pods without a known address take theirs from (the cluster model's `podAddressRanges`,
   * on EKS the private subnets): an ipBlock that overlaps them may match such a pod. Absent: ipBlocks
   * never match pods of unknown address.
   */
  podAddressRanges?: string[];
  /** Whose semantics the cluster enforces, as its model says (the command line may override). */
  enforcer?: 'upstream' | 'eks';
  /** EKS: NETWORK_POLICY_ENFORCING_MODE of the VPC CNI, as its model says (default standard). */
  enforcingMode?: 'standard' | 'strict';
}

/** One connection attempt: a destination port (number) and protocol. */
export interface Connection {
  from: Endpoint;
  to: Endpoint;
  port: number;
  protocol: Protocol;
}
