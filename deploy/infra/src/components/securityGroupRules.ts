import { databaseClients, readChartFlows, serviceCallers } from '../chartFlows';
import type { PlatformConfig } from '../config';
import {
  DATABASE_PORT,
  DNS_PORT,
  HTTP_PORT,
  HTTPS_PORT,
  MANAGEMENT_PORT,
  SERVICES,
  isApiService,
  type Service,
} from '../services';

/**
 * Every security group rule of the stack as data, so that the rule set can be read, reviewed and
 * tested as one table. The component turns each row into one SecurityGroupIngressRule or
 * SecurityGroupEgressRule resource.
 */

export type PodGroup = `pod-${Service}`;
export type GroupName = 'cluster' | 'nodes' | 'database' | 'endpoints' | 'loadBalancer' | 'podDns' | PodGroup;

export type Peer =
  | { group: GroupName }
  | { cidr: string }
  /** The VPC's CIDR, known once the VPC exists (or is looked up). */
  | { vpcCidr: true }
  /** The regional S3 prefix list, for the gateway endpoint. */
  | { s3PrefixList: true };

export interface RuleSpec {
  group: GroupName;
  direction: 'ingress' | 'egress';
  protocol: 'tcp' | 'udp' | '-1';
  /** Absent for protocol -1 (all traffic). */
  port?: number;
  peer: Peer;
  description: string;
}

export interface GroupSpec {
  name: GroupName;
  description: string;
}

/** Admission webhooks the control plane calls on pods: cert-manager and prometheus-operator (10250), ingress-nginx (8443), AWS load balancer controller (9443). */
export const WEBHOOK_PORTS = [10250, 8443, 9443] as const;
export const KUBELET_PORT = 10250;
/** The EKS metrics-server add-on serves the resource metrics API (HPAs, kubectl top) here. */
export const METRICS_SERVER_PORT = 10251;
/** What the load balancer listens on and forwards to the ingress controller pods. */
export const LOAD_BALANCER_PORTS = [80, 443] as const;

export function podGroup(service: Service): PodGroup {
  return `pod-${service}`;
}

export function securityGroupSpecs(config: PlatformConfig): GroupSpec[] {
  const groups: GroupSpec[] = [
    {
      name: 'cluster',
      description: 'EKS control plane ENIs: Kubernetes API for nodes, kubelet and webhooks',
    },
    { name: 'nodes', description: 'EKS nodes and the pods without their own security group' },
    { name: 'endpoints', description: 'Interface VPC endpoints: HTTPS from inside the VPC only' },
    { name: 'loadBalancer', description: 'Ingress load balancer: HTTP and HTTPS from clients' },
  ];
  if (config.database.engine === 'documentdb') {
    groups.push({ name: 'database', description: 'DocumentDB: port 27017 from the API pods only' });
  }
  if (config.podSecurityGroups.enabled) {
    groups.push({
      name: 'podDns',
      description: 'Pods with their own security group: DNS to CoreDNS on the nodes',
    });
    for (const service of SERVICES) {
      groups.push({
        name: podGroup(service),
        description: `Pods of the ${service} service (SecurityGroupPolicy)`,
      });
    }
  }
  return groups;
}

export function securityGroupRules(config: PlatformConfig): RuleSpec[] {
  const rules: RuleSpec[] = [];
  const add = (
    group: GroupName,
    direction: RuleSpec['direction'],
    protocol: RuleSpec['protocol'],
    port: number | undefined,
    peer: Peer,
    description: string,
  ) => rules.push({ group, direction, protocol, ...(port === undefined ? {} : { port }), peer, description });
  /** A connection needs egress on the caller's group and ingress on the callee's: stateful groups answer back. */
  const connect = (from: GroupName, to: GroupName, protocol: 'tcp' | 'udp', port: number, what: string) => {
    add(from, 'egress', protocol, port, { group: to }, `${what} to ${to}`);
    add(to, 'ingress', protocol, port, { group: from }, `${what} from ${from}`);
  };

  const podSecurityGroups = config.podSecurityGroups.enabled;
  const documentDb = config.database.engine === 'documentdb';
  const hasNat = config.network.natMode !== 'none';

  // Control plane and nodes.
  connect('nodes', 'cluster', 'tcp', HTTPS_PORT, 'Kubernetes API');
  connect('cluster', 'nodes', 'tcp', KUBELET_PORT, 'kubelet API and webhooks on 10250');
  for (const port of WEBHOOK_PORTS.filter((p) => p !== KUBELET_PORT)) {
    connect('cluster', 'nodes', 'tcp', port, `admission webhook on ${port}`);
  }
  connect('cluster', 'nodes', 'tcp', METRICS_SERVER_PORT, 'resource metrics API (metrics-server)');
  add(
    'nodes',
    'ingress',
    '-1',
    undefined,
    { group: 'nodes' },
    'node to node and pod to pod; NetworkPolicies narrow it',
  );
  add(
    'nodes',
    'egress',
    '-1',
    undefined,
    { group: 'nodes' },
    'node to node and pod to pod; NetworkPolicies narrow it',
  );
  add('nodes', 'egress', 'udp', DNS_PORT, { vpcCidr: true }, 'DNS to the VPC resolver (CoreDNS upstream)');
  add(
    'nodes',
    'egress',
    'tcp',
    DNS_PORT,
    { vpcCidr: true },
    'DNS over TCP to the VPC resolver (CoreDNS upstream)',
  );
  if (hasNat) {
    add(
      'nodes',
      'egress',
      'tcp',
      HTTPS_PORT,
      { cidr: '0.0.0.0/0' },
      'HTTPS through the NAT gateway: AWS APIs, registries, ACME',
    );
    if (config.tls.challenge === 'http01') {
      add(
        'nodes',
        'egress',
        'tcp',
        80,
        { cidr: '0.0.0.0/0' },
        'HTTP-01 self-check of cert-manager through the public address',
      );
    }
  } else {
    add('nodes', 'egress', 'tcp', HTTPS_PORT, { vpcCidr: true }, 'HTTPS to the interface endpoints (no NAT)');
    add(
      'nodes',
      'egress',
      'tcp',
      HTTPS_PORT,
      { s3PrefixList: true },
      'image layers from S3 through the gateway endpoint',
    );
  }

  // Interface endpoints.
  add('endpoints', 'ingress', 'tcp', HTTPS_PORT, { vpcCidr: true }, 'HTTPS to AWS APIs from inside the VPC');

  // Load balancer: clients in, and on to the ingress controller pods (IP targets, health checks included).
  const clients: Peer[] = config.ingress.public
    ? config.ingress.sourceCidrs.map((cidr) => ({ cidr }))
    : [{ vpcCidr: true }];
  for (const port of LOAD_BALANCER_PORTS) {
    for (const peer of clients) add('loadBalancer', 'ingress', 'tcp', port, peer, `clients on ${port}`);
    connect('loadBalancer', 'nodes', 'tcp', port, `ingress controller pods on ${port}`);
  }

  // Database: the API pods only, through the node group, or through their own groups alone when they
  // have them: the node group is shared by CoreDNS, the ingress controller, Prometheus and others.
  if (documentDb && !podSecurityGroups)
    connect('nodes', 'database', 'tcp', DATABASE_PORT, 'MongoDB protocol');

  if (podSecurityGroups) {
    // Callee -> callers over http, and who calls the database: the chart's networkPolicy.flows.
    const flows = readChartFlows();
    const callers = serviceCallers(flows);
    const databaseCallers = databaseClients(flows);
    for (const service of SERVICES) {
      const group = podGroup(service);
      connect('podDns', 'nodes', 'udp', DNS_PORT, 'DNS');
      connect('podDns', 'nodes', 'tcp', DNS_PORT, 'DNS over TCP');
      connect('nodes', group, 'tcp', HTTP_PORT, 'http from the ingress controller and kubelet probes');
      if (isApiService(service)) {
        connect('nodes', group, 'tcp', MANAGEMENT_PORT, 'management port: kubelet probes and Prometheus');
      }
      if (databaseCallers.includes(service)) {
        connect(group, documentDb ? 'database' : 'nodes', 'tcp', DATABASE_PORT, 'MongoDB protocol');
      }
      for (const caller of callers[service] ?? []) {
        connect(podGroup(caller), group, 'tcp', HTTP_PORT, `http of ${service}`);
      }
    }
  }
  return dedupe(rules);
}

/** The DNS rules are declared per service but exist once. */
function dedupe(rules: RuleSpec[]): RuleSpec[] {
  const seen = new Set<string>();
  return rules.filter((rule) => {
    const key = ruleKey(rule);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A stable identity for a rule: its resource name is derived from it. */
export function ruleKey(rule: RuleSpec): string {
  const peer =
    'group' in rule.peer
      ? rule.peer.group
      : 'cidr' in rule.peer
        ? rule.peer.cidr.replace(/[./]/g, '-')
        : 'vpcCidr' in rule.peer
          ? 'vpc'
          : 's3';
  const direction = rule.direction === 'ingress' ? 'in' : 'out';
  const protocol = rule.protocol === '-1' ? 'all' : `${rule.protocol}-${rule.port}`;
  return `${rule.group}-${direction}-${protocol}-${direction === 'in' ? 'from' : 'to'}-${peer}`;
}
