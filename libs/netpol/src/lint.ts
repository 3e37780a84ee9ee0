import { expectedConnections, type Contract } from './contract';
import { analyze, type Analysis, type AnalysisOptions } from './engine';
import { selectorMatches } from './selectors';
import type { Cluster, ContainerPort, NetworkPolicy, PodEndpoint, PolicyRule, Service } from './types';

/**
 * What the EKS network policy agent and controller do that the policies do not say. Each rule
 * names where it is documented; the analysis under `--enforcer eks` already follows the first
 * three, lint says where they bite.
 */
export const EKS_SOURCES = {
  guide:
    'EKS user guide, "Limit Pod traffic with Kubernetes network policies", Considerations (docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html)',
  cidrPorts:
    'amazon-network-policy-controller-k8s pkg/resolvers/endpoints.go, convertToPolicyInfoPortForCIDRs: "not possible to resolve the named ports" for CIDR rules; issue #81',
  ingressPorts:
    'amazon-network-policy-controller-k8s pkg/resolvers/endpoints.go, getIngressRulesPorts: ingress named ports resolved over every pod the policy selects',
  clusterIp:
    'amazon-network-policy-controller-k8s pkg/resolvers/endpoints.go, getMatchingServiceClusterIPs: "services where the service.spec.Selector matches the pod selector in the egress rules"; aws-network-policy-agent issue #166',
  nodeIp: 'aws-network-policy-agent pull request #65, "Ignore policy restrictions against Node IP"',
  enforcingMode:
    'amazon-vpc-cni-k8s README, NETWORK_POLICY_ENFORCING_MODE: in standard mode a new pod is not isolated until its policies are applied',
} as const;

export type LintSeverity = 'risk' | 'note';

/** The findings whose rule the analysis under `--enforcer eks` follows (the others only warn). */
export const ENFORCED_RULES: readonly string[] = [
  'eks/cidr-named-port',
  'eks/ingress-named-port-union',
  'eks/pod-without-owner',
];

export interface LintFinding {
  rule: string;
  severity: LintSeverity;
  message: string;
  source: string;
  /** Pod ids whose connections the finding is about, and on which side of a connection they are. */
  pods: string[];
  side: 'from' | 'to' | 'either';
}

export interface LintResult {
  findings: LintFinding[];
  /** The risks that touch a flow of the contract (all risks when no contract is given). */
  touching: LintFinding[];
}

/** The port/protocol entries the agent holds per CIDR, over all policies (EKS user guide). */
const PORT_ENTRIES_PER_CIDR = 24;

const podsSelectedBy = (cluster: Cluster, policy: NetworkPolicy): PodEndpoint[] =>
  cluster.pods.filter(
    (pod) => pod.namespace === policy.namespace && selectorMatches(policy.podSelector, pod.labels),
  );

const namedPortsOf = (rule: PolicyRule) =>
  (rule.ports ?? []).flatMap((port) =>
    typeof port.port === 'string' ? [`${port.port}/${port.protocol}`] : [],
  );

const hasCidrPeer = (rule: PolicyRule) => !rule.peers?.length || rule.peers.some((peer) => peer.ipBlock);

function resolveAt(ports: ContainerPort[], name: string, protocol: string): number[] {
  return ports
    .filter((port) => port.name === name && port.protocol === protocol)
    .map((port) => port.containerPort);
}

/** Findings of the EKS profile on a cluster: every place the agent's enforcement differs or is limited. */
export function lintEks(cluster: Cluster): LintFinding[] {
  const findings: LintFinding[] = [];
  const namespaceLabels = new Map(cluster.namespaces.map((namespace) => [namespace.name, namespace.labels]));

  for (const policy of cluster.policies) {
    const selected = podsSelectedBy(cluster, policy).filter((pod) => pod.workloadKind !== 'Pod');
    const ids = selected.map((pod) => pod.id);
    const name = `${policy.namespace}/${policy.name}`;
    for (const direction of ['ingress', 'egress'] as const) {
      if (!policy.policyTypes.includes(direction === 'ingress' ? 'Ingress' : 'Egress')) continue;
      (direction === 'ingress' ? policy.ingress : policy.egress).forEach((rule, index) => {
        const where = `${name} ${direction}[${index}]`;
        const named = namedPortsOf(rule);
        if (named.length > 0 && hasCidrPeer(rule)) {
          const all = named.length === (rule.ports ?? []).length;
          findings.push({
            rule: 'eks/cidr-named-port',
            severity: 'risk',
            message: `${where}: named port(s) ${named.join(', ')} are dropped for its ${rule.peers?.length ? 'ipBlock peers' : 'peers (every address, 0.0.0.0/0)'}${all ? ', so they admit nothing' : ''}: give port numbers`,
            source: EKS_SOURCES.cidrPorts,
            pods: ids,
            side: direction === 'ingress' ? 'to' : 'from',
          });
        }
        if (direction === 'ingress') {
          for (const port of rule.ports ?? []) {
            if (typeof port.port !== 'string') continue;
            const resolutions = new Set(
              selected.map((pod) => resolveAt(pod.ports, port.port as string, port.protocol).join(',')),
            );
            if (resolutions.size > 1) {
              findings.push({
                rule: 'eks/ingress-named-port-union',
                severity: 'risk',
                message: `${where}: port "${port.port}" resolves differently at the pods the policy selects (${[...resolutions].map((text) => text || 'none').join(' / ')}); the agent opens the union at each of them`,
                source: EKS_SOURCES.ingressPorts,
                pods: ids,
                side: 'to',
              });
            }
          }
        }
        if (direction === 'egress')
          findings.push(...clusterIpFindings(cluster, policy, rule, where, ids, namespaceLabels));
      });
    }
  }

  for (const service of cluster.services ?? []) {
    // Without a selector (the API server's own `kubernetes`, hand-kept endpoints) no pod is behind it.
    if (!service.selector || Object.keys(service.selector).length === 0) continue;
    const backends = backendsOf(cluster, service);
    for (const port of service.ports) {
      const targets =
        typeof port.targetPort === 'number'
          ? [port.targetPort]
          : [
              ...new Set(
                backends.flatMap((pod) => resolveAt(pod.ports, port.targetPort as string, port.protocol)),
              ),
            ];
      if (targets.length > 0 && targets.every((target) => target === port.port)) continue;
      findings.push({
        rule: 'eks/service-port',
        severity: 'risk',
        message: `Service ${service.namespace}/${service.name} port ${port.name ?? port.port} (${port.port}/${port.protocol}) forwards to ${typeof port.targetPort === 'number' ? port.targetPort : `"${port.targetPort}" (${targets.join(', ') || 'unresolved'})`}: EKS needs the Service port to equal the container port`,
        source: EKS_SOURCES.guide,
        pods: backends.map((pod) => pod.id),
        side: 'to',
      });
    }
  }

  const bare = cluster.pods.filter((pod) => pod.workloadKind === 'Pod');
  for (const pod of bare) {
    findings.push({
      rule: 'eks/pod-without-owner',
      severity: 'risk',
      message: `${pod.id} has no owner reference: the agent applies no policy to it, so it is open both ways`,
      source: EKS_SOURCES.guide,
      pods: [pod.id],
      side: 'either',
    });
  }
  findings.push(...portEntryFindings(cluster));
  findings.push({
    rule: 'eks/node-address',
    severity: 'note',
    message:
      "traffic between a pod and its own node's address (kubelet probes) is always allowed; no policy can narrow it",
    source: EKS_SOURCES.nodeIp,
    pods: [],
    side: 'either',
  });
  if ((cluster.enforcingMode ?? 'standard') === 'standard') {
    findings.push({
      rule: 'eks/standard-mode-start',
      severity: 'note',
      message:
        'enforcing mode standard: a new pod is default-allow until the agent has applied its policies (seconds at pod start); strict mode denies until then',
      source: EKS_SOURCES.enforcingMode,
      pods: [],
      side: 'either',
    });
  }
  return findings;
}

function backendsOf(cluster: Cluster, service: Service): PodEndpoint[] {
  const selector = service.selector;
  if (!selector || Object.keys(selector).length === 0) return [];
  return cluster.pods.filter(
    (pod) => pod.namespace === service.namespace && selectorMatches({ matchLabels: selector }, pod.labels),
  );
}

/**
 * An egress rule that reaches a Service's pods admits the Service's ClusterIP only when its
 * podSelector matches the Service's selector itself (as a set of labels), in a namespace it covers.
 */
function clusterIpFindings(
  cluster: Cluster,
  policy: NetworkPolicy,
  rule: PolicyRule,
  where: string,
  sources: string[],
  namespaceLabels: Map<string, Record<string, string>>,
): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const peer of rule.peers ?? []) {
    if (peer.ipBlock) continue;
    for (const service of cluster.services ?? []) {
      if (!service.selector || service.clusterIP === 'None') continue;
      const inNamespace = peer.namespaceSelector
        ? selectorMatches(peer.namespaceSelector, {
            ...namespaceLabels.get(service.namespace),
            'kubernetes.io/metadata.name': service.namespace,
          })
        : service.namespace === policy.namespace;
      if (!inNamespace) continue;
      const backends = backendsOf(cluster, service);
      const reached = backends.filter(
        (pod) => !peer.podSelector || selectorMatches(peer.podSelector, pod.labels),
      );
      if (reached.length === 0) continue;
      if (!peer.podSelector || selectorMatches(peer.podSelector, service.selector)) continue;
      findings.push({
        rule: 'eks/service-cluster-ip',
        severity: 'risk',
        message: `${where} reaches the pods of Service ${service.namespace}/${service.name} but its podSelector does not match the Service's selector ${JSON.stringify(service.selector)}: the agent does not admit the Service's ClusterIP, so calls through the Service name fail`,
        source: EKS_SOURCES.clusterIp,
        pods: [...sources, ...reached.map((pod) => pod.id)],
        side: 'either',
      });
    }
  }
  return findings;
}

/** More than 24 port/protocol entries for one peer (a CIDR, or a pod's address) at one pod. */
function portEntryFindings(cluster: Cluster): LintFinding[] {
  const findings: LintFinding[] = [];
  for (const pod of cluster.pods) {
    if (pod.workloadKind === 'Pod') continue;
    for (const direction of ['ingress', 'egress'] as const) {
      const entries = new Map<string, Set<string>>();
      for (const policy of cluster.policies) {
        if (policy.namespace !== pod.namespace || !selectorMatches(policy.podSelector, pod.labels)) continue;
        for (const rule of direction === 'ingress' ? policy.ingress : policy.egress) {
          const ports = (rule.ports ?? []).map(
            (port) => `${port.protocol}:${port.port ?? '*'}-${port.endPort ?? ''}`,
          );
          const peers = rule.peers?.length
            ? rule.peers.map((peer) => (peer.ipBlock ? peer.ipBlock.cidr : `pods ${JSON.stringify(peer)}`))
            : ['0.0.0.0/0'];
          for (const peer of peers) {
            const set = entries.get(peer) ?? new Set<string>();
            for (const port of ports) set.add(port);
            entries.set(peer, set);
          }
        }
      }
      for (const [peer, ports] of entries) {
        if (ports.size <= PORT_ENTRIES_PER_CIDR) continue;
        findings.push({
          rule: 'eks/port-entries',
          severity: 'risk',
          message: `${pod.id} ${direction}: ${ports.size} port/protocol entries for ${peer}, more than the ${PORT_ENTRIES_PER_CIDR} the agent holds per CIDR`,
          source: EKS_SOURCES.guide,
          pods: [pod.id],
          side: direction === 'ingress' ? 'to' : 'from',
        });
      }
    }
  }
  return findings;
}

/**
 * The EKS findings, and which of them touch a flow of the contract: a risk touches a flow when a
 * pod it names is that end of a flow the contract allows (without a contract, every risk counts).
 */
export function lint(
  cluster: Cluster,
  contract: Contract | undefined,
  applicationNamespace: string,
  options: AnalysisOptions = {},
): LintResult {
  const findings = lintEks(cluster);
  const risks = findings.filter((finding) => finding.severity === 'risk');
  if (!contract) return { findings, touching: risks };
  const analysis: Analysis = analyze(cluster, { ...options, enforcer: 'eks' });
  const flows = [...expectedConnections(contract, analysis, applicationNamespace).pairs.values()];
  const touching = risks.filter((finding) =>
    flows.some(
      ({ from, to }) =>
        (finding.side !== 'to' && finding.pods.includes(from.id)) ||
        (finding.side !== 'from' && finding.pods.includes(to.id)),
    ),
  );
  return { findings, touching };
}

export function formatLint(result: LintResult, label: string): string {
  if (result.findings.length === 0) return `${label}: no EKS enforcement findings`;
  const touching = new Set(result.touching);
  const lines = result.findings.map(
    (finding) =>
      `${finding.severity === 'risk' ? (touching.has(finding) ? '!' : '-') : ' '} [${finding.rule}] ${finding.message}\n    source: ${finding.source}`,
  );
  const risks = result.findings.filter((finding) => finding.severity === 'risk').length;
  return [
    `${label}: ${risks} risk(s), ${result.touching.length} touching a contract flow (marked !), ${result.findings.length - risks} note(s)`,
    ...lines,
  ].join('\n');
}
