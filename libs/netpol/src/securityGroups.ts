import { formatRange, parseCidr } from './cidr';
import { ConnectionSet } from './connections';
import type { NetworkModel, SecurityGroup, SecurityGroupRule } from './networkModel';
import { selectorMatches } from './selectors';
import type { AddressRange, Cluster, Endpoint, PodEndpoint, Protocol } from './types';

/**
 * The security group layer of an EKS cluster, as the VPC CNI enforces it. Each rule below is
 * stated with its source in SECURITY_GROUP_SOURCES:
 * - a pod a SecurityGroupPolicy selects gets a branch ENI carrying that policy's groups, and only
 *   those; every other pod, and the node itself, sends and receives through the node's ENIs and
 *   their groups (`sgpp`);
 * - `strict` (POD_SECURITY_GROUP_ENFORCING_MODE): all traffic of a branch-ENI pod goes through its
 *   groups, to and from pods on its own node and the kubelet included (`cni-modes`);
 * - `standard`: a branch-ENI pod's groups decide traffic to and from other hosts in the VPC, not
 *   traffic with its own node (other pods there, the kubelet's probes); traffic leaving the VPC is
 *   SNATed to the node's address, so the node's groups decide it, unless external SNAT is on
 *   (`cni-modes`, `same-node`);
 * - a rule naming a group matches the private addresses of every ENI carrying that group; a CIDR
 *   rule matches by address; groups are stateful, so a connection needs the source's egress and the
 *   destination's ingress only (`rules`).
 */
export const SECURITY_GROUP_SOURCES = {
  sgpp: 'EKS user guide, Security groups for Pods (docs.aws.amazon.com/eks/latest/userguide/security-groups-for-pods.html)',
  'cni-modes':
    'amazon-vpc-cni-k8s README, POD_SECURITY_GROUP_ENFORCING_MODE, and pull request #1907 (github.com/aws/amazon-vpc-cni-k8s)',
  'same-node':
    'EKS user guide, Configure the VPC CNI for security groups for Pods: not enforced between pods on one node in standard mode (docs.aws.amazon.com/eks/latest/userguide/security-groups-pods-deployment.html)',
  probes:
    'EKS user guide, Deploy an example with security groups for Pods: the pod groups must admit the node group for probes (docs.aws.amazon.com/eks/latest/userguide/sg-pods-example-deployment.html)',
  rules:
    'Amazon VPC user guide, Security group rules: a group reference matches the private addresses of the interfaces carrying it; security groups are stateful (docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html)',
  nlb: 'Elastic Load Balancing, Network Load Balancer security groups: targets admit the load balancer by its group (docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html)',
} as const;

/** Something whose traffic the security groups see. */
export interface Party {
  /** For messages: `platform-prod/items`, `the node`, `the database`, an address range. */
  label: string;
  kind: 'pod' | 'node' | 'database' | 'loadBalancer' | 'endpoints' | 'address';
  groups: SecurityGroup[];
  /** A pod with a branch ENI of its own (a SecurityGroupPolicy selects it). */
  branch: boolean;
  /** Address runs it may have. */
  addresses: [number, number][];
  /** A pod or the kubelet: it may share a host with another. */
  onNode: boolean;
  inVpc: boolean;
  /** The CoreDNS pods, for path names. */
  coreDns?: boolean;
}

/** The kinds of path the layer tells apart. */
export type PathName =
  | 'pod to pod on one node'
  | 'pod to pod across nodes'
  | 'node to pod (kubelet probes)'
  | 'pod to the database subnets'
  | 'pod to VPC endpoints'
  | 'load balancer to pod'
  | 'clients to the load balancer'
  | 'within the VPC'
  | 'leaving the VPC'
  | 'from outside the VPC';

export interface SideResult {
  /** Whether security groups see this side of the path at all. */
  applies: boolean;
  /** Names of the groups deciding this side. */
  groups: string[];
  /** What the side admits towards (egress) or from (ingress) the other end. */
  admitted: ConnectionSet;
  /** The rules that matched the other end, each with the ports it admits. */
  rules: { group: string; rule: SecurityGroupRule; ports: ConnectionSet }[];
  /** Why the side does or does not apply. */
  why: string;
}

export type SecurityGroupSource = keyof typeof SECURITY_GROUP_SOURCES;

export interface PathVerdict {
  path: PathName;
  from: Party;
  to: Party;
  egress: SideResult;
  ingress: SideResult;
  admitted: ConnectionSet;
  /** Where the rules that decided this path are stated (SECURITY_GROUP_SOURCES). */
  sources: SecurityGroupSource[];
}

/** Matching a CIDR rule: `may` when some address may match (leaks), `must` when all do (guarantees). */
export type Matching = 'may' | 'must';

export type SecurityGroupMode = 'standard' | 'strict' | 'off';

export interface SecurityLayer {
  model: NetworkModel;
  /** `off`: pod security groups are off, every pod uses the node's groups. */
  mode: SecurityGroupMode;
  node: Party;
  loadBalancer: Party | undefined;
  groupsById: Map<string, SecurityGroup>;
  /** The security groups' view of a pod endpoint. */
  partyOfPod(pod: PodEndpoint): Party;
  /** What may sit at an address range: the first is what contract flows to it mean. */
  partiesOfRange(range: AddressRange): Party[];
  /** A pod endpoint's party, or what may sit at a range endpoint (the first: what flows mean). */
  partiesOf(endpoint: Endpoint): Party[];
  /** Every path traffic from one party to another may take (one node or across, for two pods). */
  paths(from: Party, to: Party): PathVerdictSpec[];
  evaluate(spec: PathVerdictSpec, matching: Matching): PathVerdict;
  /** Problems joining the inputs to the model: unknown group ids, groups without pods. */
  unresolved: string[];
  /** The same outside the namespaces in scope: they decide only for pods there. */
  notes: string[];
}

export interface PathVerdictSpec {
  path: PathName;
  from: Party;
  to: Party;
  sameHost: boolean;
}

const PROTOCOLS: Record<'tcp' | 'udp', Protocol> = { tcp: 'TCP', udp: 'UDP' };

/** The connections one rule admits. */
export function rulePorts(rule: SecurityGroupRule): ConnectionSet {
  if (rule.protocol === 'all') return ConnectionSet.ALL;
  const from = Math.max(1, rule.ports?.from ?? 0);
  const to = rule.ports?.to ?? 65535;
  return to < from ? ConnectionSet.NONE : ConnectionSet.ports(PROTOCOLS[rule.protocol], from, to);
}

/** `egress tcp 8080 to pod-auth ("http of auth to pod-auth")` */
export function describeRule(group: string, rule: SecurityGroupRule): string {
  const ports =
    rule.protocol === 'all'
      ? 'all traffic'
      : `${rule.protocol} ${rule.ports?.from === rule.ports?.to ? rule.ports?.from : `${rule.ports?.from}-${rule.ports?.to}`}`;
  const peer =
    'group' in rule.peer
      ? rule.peer.group
      : 'cidr' in rule.peer
        ? rule.peer.cidr
        : `prefix list ${rule.peer.prefixList}`;
  return `${group} ${rule.direction} ${ports} ${rule.direction === 'ingress' ? 'from' : 'to'} ${peer} ("${rule.description}")`;
}

const runsOf = (cidrs: readonly string[]): [number, number][] =>
  cidrs.map((cidr) => {
    const parsed = parseCidr(cidr);
    return [parsed.first, parsed.last];
  });
const within = (runs: [number, number][], outer: [number, number][]) =>
  runs.every(([first, last]) => outer.some(([a, b]) => a <= first && last <= b));
const overlapping = (runs: [number, number][], other: [number, number][]) =>
  runs.some(([first, last]) => other.some(([a, b]) => first <= b && a <= last));

/** The security group layer of a cluster under a network model. */
export function securityLayer(
  cluster: Cluster,
  model: NetworkModel,
  scope?: readonly string[],
): SecurityLayer {
  const groupsByName = new Map(model.securityGroups.map((group) => [group.name, group]));
  const groupsById = new Map(model.securityGroups.map((group) => [group.id, group]));
  const named = (names: readonly string[]) =>
    names.flatMap((name) => {
      const group = groupsByName.get(name);
      return group ? [group] : [];
    });
  const nodeGroups = model.securityGroups.filter((group) => group.role === 'nodes');
  const vpc = runsOf([model.vpc.cidr]);
  const podRuns = runsOf(model.podCidrs);
  const mode: SecurityGroupMode = model.vpcCni.podSecurityGroups
    ? (model.vpcCni.podSecurityGroupEnforcingMode ?? 'strict')
    : 'off';
  const unresolved: string[] = [];
  const notes: string[] = [];
  // A SecurityGroupPolicy outside the scope decides only for pods there: a note, not a failure.
  const report = (namespace: string, problem: string) =>
    (scope === undefined || scope.includes(namespace) ? unresolved : notes).push(problem);

  const node: Party = {
    label: 'the node (kubelet)',
    kind: 'node',
    groups: nodeGroups,
    branch: false,
    addresses: podRuns,
    onNode: true,
    inVpc: true,
  };
  const loadBalancer: Party | undefined =
    model.loadBalancer.securityGroups.length > 0
      ? {
          label: 'the load balancer',
          kind: 'loadBalancer',
          groups: named(model.loadBalancer.securityGroups),
          branch: false,
          addresses: runsOf(model.loadBalancer.subnets),
          onNode: false,
          inVpc: true,
        }
      : undefined;
  const databaseGroups = model.securityGroups.filter((group) => group.role === 'database');
  const endpointGroups = named(model.interfaceEndpoints.securityGroups);

  // Which groups each pod's branch ENI carries: the union of the SecurityGroupPolicies selecting it.
  const policies = cluster.securityGroupPolicies ?? [];
  if (mode === 'off') {
    for (const namespace of new Set(policies.map((policy) => policy.namespace))) {
      const count = policies.filter((policy) => policy.namespace === namespace).length;
      report(
        namespace,
        `${count} SecurityGroupPolicy object(s) in ${namespace}, but the network model has pod security groups off (ENABLE_POD_ENI): they give no pod a group`,
      );
    }
  }
  for (const policy of mode === 'off' ? [] : policies) {
    for (const id of policy.groupIds) {
      if (!groupsById.has(id)) {
        report(
          policy.namespace,
          `SecurityGroupPolicy ${policy.namespace}/${policy.name} lists ${id}, which is no group of the network model (${model.stack})`,
        );
      }
    }
  }
  const carried = new Set<string>();
  const podParties = new Map<string, Party>();
  const coreDnsSelector = { matchLabels: model.coreDns.labels };
  const partyOfPod = (pod: PodEndpoint): Party => {
    const known = podParties.get(pod.id);
    if (known) return known;
    const serviceAccountLabels =
      cluster.serviceAccounts?.[`${pod.namespace}/${pod.serviceAccount ?? 'default'}`];
    const selecting =
      mode === 'off'
        ? []
        : policies.filter(
            (policy) =>
              policy.namespace === pod.namespace &&
              (!policy.podSelector || selectorMatches(policy.podSelector, pod.labels)) &&
              (!policy.serviceAccountSelector ||
                (serviceAccountLabels !== undefined &&
                  selectorMatches(policy.serviceAccountSelector, serviceAccountLabels))),
          );
    const ids = [...new Set(selecting.flatMap((policy) => policy.groupIds))];
    const own = ids.flatMap((id) => {
      const group = groupsById.get(id);
      return group ? [group] : [];
    });
    for (const group of own) carried.add(group.name);
    const addresses = (pod.addresses ?? []).flatMap((address) => runsOf([`${address}/32`]));
    const party: Party = {
      label: pod.id,
      kind: 'pod',
      groups: selecting.length > 0 ? own : nodeGroups,
      branch: selecting.length > 0,
      addresses: addresses.length > 0 ? addresses : podRuns,
      onNode: true,
      inVpc: true,
      ...(pod.namespace === model.coreDns.namespace && selectorMatches(coreDnsSelector, pod.labels)
        ? { coreDns: true }
        : {}),
    };
    podParties.set(pod.id, party);
    return party;
  };
  for (const pod of cluster.pods) partyOfPod(pod);
  for (const group of model.securityGroups) {
    if ((group.role === 'pod' || group.role === 'podDns') && mode !== 'off' && !carried.has(group.name)) {
      unresolved.push(
        `security group ${group.name} (${group.id}) is given to no pod: no SecurityGroupPolicy of the inputs lists it`,
      );
    }
  }
  const branchSets = [
    ...new Map(
      [...podParties.values()]
        .filter((party) => party.branch)
        .map((party) => [party.groups.map((group) => group.name).join(','), party.groups]),
    ).values(),
  ];

  const partiesOfRange = (range: AddressRange): Party[] => {
    const runs: [number, number][] = [[range.first, range.last]];
    const inVpc = within(runs, vpc);
    const at = (party: Omit<Party, 'addresses' | 'onNode' | 'inVpc' | 'branch'>): Party => ({
      ...party,
      addresses: runs,
      onNode: false,
      inVpc,
      branch: false,
    });
    const label = range.networks.length ? `${range.id} (${range.networks.join(', ')})` : range.id;
    const principal: Party[] = [];
    if (databaseGroups.length && model.databaseCidrs.length && within(runs, runsOf(model.databaseCidrs)))
      principal.push(at({ label: `the database at ${label}`, kind: 'database', groups: databaseGroups }));
    if (loadBalancer && within(runs, loadBalancer.addresses))
      principal.push(
        at({ label: `the load balancer at ${label}`, kind: 'loadBalancer', groups: loadBalancer.groups }),
      );
    const address = at({ label, kind: 'address', groups: [] });
    // Addresses of the pod subnets may be any node or pod ENI (and the interface endpoints').
    const others: Party[] = [];
    if (within(runs, podRuns)) {
      others.push(at({ label: `a node at ${label}`, kind: 'node', groups: nodeGroups }));
      for (const groups of branchSets) others.push(at({ label: `a pod at ${label}`, kind: 'pod', groups }));
      if (endpointGroups.length && within(runs, runsOf(model.interfaceEndpoints.subnets)))
        others.push(at({ label: `a VPC endpoint at ${label}`, kind: 'endpoints', groups: endpointGroups }));
    }
    return [...principal, address, ...others];
  };

  const nameOf = (from: Party, to: Party, sameHost: boolean): PathName => {
    if (from.kind === 'node' && from.onNode && to.kind === 'pod') return 'node to pod (kubelet probes)';
    if (from.onNode && to.onNode) return sameHost ? 'pod to pod on one node' : 'pod to pod across nodes';
    if (to.kind === 'database') return 'pod to the database subnets';
    if (to.kind === 'endpoints') return 'pod to VPC endpoints';
    if (from.kind === 'loadBalancer') return 'load balancer to pod';
    if (to.kind === 'loadBalancer') return 'clients to the load balancer';
    if (!to.inVpc) return 'leaving the VPC';
    if (!from.inVpc) return 'from outside the VPC';
    return 'within the VPC';
  };

  const paths = (from: Party, to: Party): PathVerdictSpec[] => {
    if (from.kind === 'node' && from.onNode)
      return [{ path: nameOf(from, to, true), from, to, sameHost: true }];
    if (from.onNode && to.onNode) {
      return [true, false].map((sameHost) => ({ path: nameOf(from, to, sameHost), from, to, sameHost }));
    }
    return [{ path: nameOf(from, to, false), from, to, sameHost: false }];
  };

  const side = (
    direction: 'egress' | 'ingress',
    groups: SecurityGroup[],
    peer: Party,
    matching: Matching,
    why: string,
  ): SideResult => {
    const peerGroups = new Set(peer.groups.map((group) => group.name));
    const rules: SideResult['rules'] = [];
    let admitted = ConnectionSet.NONE;
    for (const group of groups) {
      for (const rule of group.rules) {
        if (rule.direction !== direction) continue;
        let matches: boolean;
        if ('group' in rule.peer) matches = peerGroups.has(rule.peer.group);
        else if ('cidr' in rule.peer) {
          const runs = runsOf([rule.peer.cidr]);
          matches = matching === 'may' ? overlapping(peer.addresses, runs) : within(peer.addresses, runs);
        } else matches = matching === 'may' && !peer.inVpc;
        if (!matches) continue;
        const ports = rulePorts(rule);
        rules.push({ group: group.name, rule, ports });
        admitted = admitted.union(ports);
      }
    }
    return { applies: true, groups: groups.map((group) => group.name), admitted, rules, why };
  };
  const open = (why: string): SideResult => ({
    applies: false,
    groups: [],
    admitted: ConnectionSet.ALL,
    rules: [],
    why,
  });

  const evaluate = (spec: PathVerdictSpec, matching: Matching): PathVerdict => {
    const { from, to, sameHost } = spec;
    let egress: SideResult;
    let ingress: SideResult;
    if (sameHost) {
      const through = mode === 'strict' && (from.branch || to.branch);
      const why = through
        ? 'strict mode: a branch-ENI pod reaches its own node through the VPC and its groups'
        : mode === 'strict'
          ? 'neither end has a branch ENI: traffic within a node meets no security group'
          : mode === 'standard'
            ? 'standard mode: traffic within a node meets no security group'
            : 'traffic within a node meets no security group';
      egress = through ? side('egress', from.groups, to, matching, why) : open(why);
      ingress = through ? side('ingress', to.groups, from, matching, why) : open(why);
    } else {
      // Leaving the VPC in standard mode, a branch-ENI pod's traffic is SNATed to the node's address.
      const snat = from.branch && !to.inVpc && mode === 'standard' && !model.vpcCni.externalSnat;
      const sourceGroups = snat ? nodeGroups : from.groups;
      egress =
        sourceGroups.length === 0
          ? open(`${from.label} carries no security group of the model`)
          : side(
              'egress',
              sourceGroups,
              to,
              matching,
              snat
                ? 'standard mode without external SNAT: leaving the VPC through the node, its groups decide'
                : from.branch
                  ? `${from.label} sends through its branch ENI`
                  : `${from.label} sends through the node's ENIs`,
            );
      ingress =
        to.groups.length === 0
          ? open(`${to.label} carries no security group of the model`)
          : side(
              'ingress',
              to.groups,
              from,
              matching,
              to.branch ? `${to.label} receives on its branch ENI` : `${to.label} receives on its ENIs`,
            );
    }
    const sources: SecurityGroupSource[] = ['sgpp', 'rules'];
    if (sameHost || (from.branch && !to.inVpc)) sources.push('cni-modes');
    if (sameHost && mode === 'standard') sources.push('same-node');
    if (spec.path === 'node to pod (kubelet probes)') sources.push('probes');
    if (from.kind === 'loadBalancer' || to.kind === 'loadBalancer') sources.push('nlb');
    return {
      path: spec.path,
      from,
      to,
      egress,
      ingress,
      admitted: egress.admitted.intersect(ingress.admitted),
      sources,
    };
  };

  return {
    model,
    mode,
    node,
    loadBalancer,
    groupsById,
    partyOfPod,
    partiesOfRange,
    partiesOf: (endpoint) => (endpoint.kind === 'pod' ? [partyOfPod(endpoint)] : partiesOfRange(endpoint)),
    paths,
    evaluate,
    unresolved,
    notes,
  };
}

/** The CIDRs where the analysis must split the address space for the security groups to decide alike. */
export function networkSplits(model: NetworkModel): string[] {
  const cidrs = new Set<string>([
    model.vpc.cidr,
    ...model.subnets.private,
    ...model.subnets.database,
    ...model.subnets.public,
    ...model.podCidrs,
    ...model.databaseCidrs,
    ...model.loadBalancer.subnets,
    ...model.loadBalancer.sourceCidrs,
    ...model.interfaceEndpoints.subnets,
  ]);
  for (const group of model.securityGroups)
    for (const rule of group.rules) if ('cidr' in rule.peer) cidrs.add(rule.peer.cidr);
  return [...cidrs];
}

/** `10.0.0.0-10.0.0.255` for a run. */
export const formatRun = ([first, last]: [number, number]) => formatRange(first, last);
