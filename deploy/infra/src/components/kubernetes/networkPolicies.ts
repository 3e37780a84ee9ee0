import type * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { DNS_PORT, HTTP_PORT, HTTPS_PORT, MANAGEMENT_PORT } from '../../services';
import {
  NAMESPACE_NAME_LABEL,
  NAMESPACES,
  PART_OF,
  POD_LABELS,
  PROMETHEUS_ADMISSION_JOBS,
  type Labels,
} from './labels';

type PolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;
type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type Port = k8s.types.input.networking.v1.NetworkPolicyPort;
type IngressRule = k8s.types.input.networking.v1.NetworkPolicyIngressRule;
type EgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;

/** Ports of the cluster services' pods, as their charts declare them. */
export const SERVICE_PORTS = {
  ingressHttp: 80,
  ingressHttps: HTTPS_PORT,
  ingressMetrics: 10254,
  ingressAdmission: 8443,
  acmeSolver: 8089,
  prometheus: 9090,
  /** The config-reloader sidecar's metrics, next to Prometheus and Alertmanager. */
  configReloader: 8080,
  alertmanager: 9093,
  alertmanagerMesh: 9094,
  grafana: 3000,
  kubeStateMetrics: 8080,
  prometheusOperator: 10250,
  nodeExporter: 9100,
  kubelet: 10250,
  coreDnsMetrics: 9153,
  certManagerMetrics: 9402,
  certManagerWebhook: 10250,
  fluentBitMetrics: 2020,
} as const;

export interface PolicyInputs {
  vpcCidr: pulumi.Input<string>;
  /** Sources of the ingress controller's 80/443: the load balancer subnets, plus the clients when public. */
  ingressSourceCidrs: pulumi.Input<string[]>;
  /** The application namespaces, platform-<env>. */
  appNamespaces: string[];
  challenge: 'http01' | 'dns01';
}

/** One NetworkPolicy of a cluster-services namespace. */
export interface ServicePolicy {
  namespace: string;
  name: string;
  spec: PolicySpec;
}

const ANYWHERE = '0.0.0.0/0';

const tcp = (...ports: number[]): Port[] => ports.map((port) => ({ port, protocol: 'TCP' }));
const tcpAndUdp = (port: number): Port[] => [
  { port, protocol: 'UDP' },
  { port, protocol: 'TCP' },
];

/** Pods with these labels in this same namespace. */
const local = (labels: Labels): Peer => ({ podSelector: { matchLabels: labels } });

/** Pods with these labels in another namespace, selected by its name. */
const inNamespace = (namespace: string, labels: Labels = {}): Peer => ({
  namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
  podSelector: { matchLabels: labels },
});

const inNamespaces = (namespaces: string[], labels: Labels): Peer => ({
  namespaceSelector: {
    matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: 'In', values: namespaces }],
  },
  podSelector: { matchLabels: labels },
});

const block = (cidr: pulumi.Input<string>): Peer => ({ ipBlock: { cidr } });

function policy(
  namespace: string,
  name: string,
  podSelector: Labels | { matchExpressions: { key: string; operator: string; values: string[] }[] },
  rules: { ingress?: IngressRule[]; egress?: EgressRule[] },
): ServicePolicy {
  const selector = 'matchExpressions' in podSelector ? podSelector : { matchLabels: podSelector };
  const policyTypes = [...(rules.ingress ? ['Ingress'] : []), ...(rules.egress ? ['Egress'] : [])];
  return { namespace, name, spec: { podSelector: selector, policyTypes, ...rules } };
}

/** Nothing in or out of any pod of the namespace unless another policy allows it, then DNS for all. */
function baseline(namespace: string): ServicePolicy[] {
  return [
    { namespace, name: 'default-deny', spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    policy(
      namespace,
      'allow-dns',
      {},
      {
        egress: [
          { to: [inNamespace(NAMESPACES.kubeSystem, POD_LABELS.kubeDns)], ports: tcpAndUdp(DNS_PORT) },
        ],
      },
    ),
  ];
}

/**
 * The EKS API server answers on 443 from its network interfaces inside the VPC, and calls
 * admission webhooks from there: the VPC CIDR is the narrowest block that holds them.
 */
const apiServer = (vpcCidr: pulumi.Input<string>): EgressRule => ({
  to: [block(vpcCidr)],
  ports: tcp(HTTPS_PORT),
});

function ingressNginxPolicies(inputs: PolicyInputs): ServicePolicy[] {
  const ns = NAMESPACES.ingress;
  const sources = pulumi
    .output(inputs.ingressSourceCidrs)
    .apply((cidrs) => [...new Set(cidrs)].map((cidr): Peer => ({ ipBlock: { cidr } })));
  const solverEgress: EgressRule[] =
    inputs.challenge === 'http01'
      ? [
          {
            to: [inNamespaces([...inputs.appNamespaces, NAMESPACES.monitoring], POD_LABELS.acmeSolver)],
            ports: tcp(SERVICE_PORTS.acmeSolver),
          },
        ]
      : [];
  return [
    ...baseline(ns),
    policy(ns, 'controller', POD_LABELS.ingressController, {
      ingress: [
        { from: sources, ports: tcp(SERVICE_PORTS.ingressHttp, SERVICE_PORTS.ingressHttps) },
        {
          from: [inNamespace(NAMESPACES.monitoring, POD_LABELS.prometheus)],
          ports: tcp(SERVICE_PORTS.ingressMetrics),
        },
        { from: [block(inputs.vpcCidr)], ports: tcp(SERVICE_PORTS.ingressAdmission) },
      ],
      egress: [
        // The application's http ports only: never the management ports, never the database.
        { to: [inNamespaces(inputs.appNamespaces, PART_OF)], ports: tcp(HTTP_PORT) },
        { to: [inNamespace(NAMESPACES.monitoring, POD_LABELS.grafana)], ports: tcp(SERVICE_PORTS.grafana) },
        {
          to: [inNamespace(NAMESPACES.monitoring, POD_LABELS.prometheus)],
          ports: tcp(SERVICE_PORTS.prometheus),
        },
        ...solverEgress,
        apiServer(inputs.vpcCidr),
      ],
    }),
    policy(ns, 'admission-jobs', POD_LABELS.ingressAdmissionJobs, { egress: [apiServer(inputs.vpcCidr)] }),
  ];
}

function monitoringPolicies(inputs: PolicyInputs): ServicePolicy[] {
  const ns = NAMESPACES.monitoring;
  const vpc = block(inputs.vpcCidr);
  const prometheus = local(POD_LABELS.prometheus);
  const grafana = local(POD_LABELS.grafana);
  const alertmanager = local(POD_LABELS.alertmanager);
  return [
    ...baseline(ns),
    policy(ns, 'prometheus', POD_LABELS.prometheus, {
      ingress: [
        {
          from: [inNamespace(NAMESPACES.ingress, POD_LABELS.ingressController), grafana, prometheus],
          ports: tcp(SERVICE_PORTS.prometheus),
        },
        { from: [prometheus], ports: tcp(SERVICE_PORTS.configReloader) },
      ],
      egress: [
        // The application's management ports (metrics) only: Prometheus never reaches an API port.
        { to: [inNamespaces(inputs.appNamespaces, PART_OF)], ports: tcp(MANAGEMENT_PORT) },
        { to: [prometheus], ports: tcp(SERVICE_PORTS.prometheus, SERVICE_PORTS.configReloader) },
        { to: [alertmanager], ports: tcp(SERVICE_PORTS.alertmanager, SERVICE_PORTS.configReloader) },
        { to: [grafana], ports: tcp(SERVICE_PORTS.grafana) },
        { to: [local(POD_LABELS.kubeStateMetrics)], ports: tcp(SERVICE_PORTS.kubeStateMetrics) },
        { to: [local(POD_LABELS.prometheusOperator)], ports: tcp(SERVICE_PORTS.prometheusOperator) },
        {
          to: [inNamespace(NAMESPACES.ingress, POD_LABELS.ingressController)],
          ports: tcp(SERVICE_PORTS.ingressMetrics),
        },
        {
          to: [inNamespace(NAMESPACES.certManager, POD_LABELS.certManagerController)],
          ports: tcp(SERVICE_PORTS.certManagerMetrics),
        },
        {
          to: [inNamespace(NAMESPACES.logging, POD_LABELS.fluentBit)],
          ports: tcp(SERVICE_PORTS.fluentBitMetrics),
        },
        {
          to: [inNamespace(NAMESPACES.kubeSystem, POD_LABELS.kubeDns)],
          ports: tcp(SERVICE_PORTS.coreDnsMetrics),
        },
        // Node exporter (host network) and the kubelets listen on the nodes' addresses.
        { to: [vpc], ports: tcp(SERVICE_PORTS.nodeExporter, SERVICE_PORTS.kubelet) },
        apiServer(inputs.vpcCidr),
      ],
    }),
    policy(ns, 'grafana', POD_LABELS.grafana, {
      ingress: [
        {
          from: [inNamespace(NAMESPACES.ingress, POD_LABELS.ingressController), prometheus],
          ports: tcp(SERVICE_PORTS.grafana),
        },
      ],
      egress: [
        { to: [prometheus], ports: tcp(SERVICE_PORTS.prometheus) },
        { to: [alertmanager], ports: tcp(SERVICE_PORTS.alertmanager) },
        // The dashboard and datasource sidecars watch ConfigMaps and Secrets.
        apiServer(inputs.vpcCidr),
      ],
    }),
    policy(ns, 'alertmanager', POD_LABELS.alertmanager, {
      ingress: [
        { from: [prometheus, grafana], ports: tcp(SERVICE_PORTS.alertmanager) },
        { from: [prometheus], ports: tcp(SERVICE_PORTS.configReloader) },
        { from: [alertmanager], ports: tcpAndUdp(SERVICE_PORTS.alertmanagerMesh) },
      ],
      egress: [{ to: [alertmanager], ports: tcpAndUdp(SERVICE_PORTS.alertmanagerMesh) }],
    }),
    policy(ns, 'kube-state-metrics', POD_LABELS.kubeStateMetrics, {
      ingress: [{ from: [prometheus], ports: tcp(SERVICE_PORTS.kubeStateMetrics) }],
      egress: [apiServer(inputs.vpcCidr)],
    }),
    policy(ns, 'prometheus-operator', POD_LABELS.prometheusOperator, {
      // Its admission webhook is called by the API server; Prometheus scrapes the same port.
      ingress: [{ from: [vpc, prometheus], ports: tcp(SERVICE_PORTS.prometheusOperator) }],
      egress: [apiServer(inputs.vpcCidr)],
    }),
    policy(
      ns,
      'admission-jobs',
      { matchExpressions: [{ key: 'app', operator: 'In', values: PROMETHEUS_ADMISSION_JOBS }] },
      { egress: [apiServer(inputs.vpcCidr)] },
    ),
  ];
}

function certManagerPolicies(inputs: PolicyInputs): ServicePolicy[] {
  const ns = NAMESPACES.certManager;
  const internet = block(ANYWHERE);
  // HTTP-01: the controller checks the challenge URL through the public load balancer first.
  // DNS-01: it asks the zone's authoritative name servers whether the TXT record is there.
  const challengeEgress: EgressRule[] =
    inputs.challenge === 'http01'
      ? [{ to: [internet], ports: tcp(SERVICE_PORTS.ingressHttp) }]
      : [{ to: [internet], ports: tcpAndUdp(DNS_PORT) }];
  return [
    ...baseline(ns),
    // Controller, cainjector, webhook and the startup check all work through the API server.
    policy(ns, 'api-server', {}, { egress: [apiServer(inputs.vpcCidr)] }),
    policy(ns, 'controller', POD_LABELS.certManagerController, {
      ingress: [
        {
          from: [inNamespace(NAMESPACES.monitoring, POD_LABELS.prometheus)],
          ports: tcp(SERVICE_PORTS.certManagerMetrics),
        },
      ],
      // The ACME directory (and Route 53 and STS for DNS-01) over HTTPS.
      egress: [{ to: [internet], ports: tcp(HTTPS_PORT) }, ...challengeEgress],
    }),
    policy(ns, 'webhook', POD_LABELS.certManagerWebhook, {
      ingress: [{ from: [block(inputs.vpcCidr)], ports: tcp(SERVICE_PORTS.certManagerWebhook) }],
    }),
  ];
}

function loggingPolicies(): ServicePolicy[] {
  const ns = NAMESPACES.logging;
  return [
    ...baseline(ns),
    policy(ns, 'fluent-bit', POD_LABELS.fluentBit, {
      ingress: [
        {
          from: [inNamespace(NAMESPACES.monitoring, POD_LABELS.prometheus)],
          ports: tcp(SERVICE_PORTS.fluentBitMetrics),
        },
      ],
      // CloudWatch Logs and STS (through NAT or interface endpoints) and the API server, all HTTPS.
      egress: [{ to: [block(ANYWHERE)], ports: tcp(HTTPS_PORT) }],
    }),
  ];
}

/**
 * HTTP-01 solver pods, which cert-manager starts next to each Ingress it holds a certificate for
 * (the application namespaces and monitoring): reached by the ingress controller on their port,
 * reaching nothing. The chart's policies select only the release's own pods, so without this the
 * solvers would be open while they run.
 */
function acmeSolverPolicies(inputs: PolicyInputs): ServicePolicy[] {
  if (inputs.challenge !== 'http01') return [];
  return [...inputs.appNamespaces, NAMESPACES.monitoring].map((namespace) =>
    policy(namespace, 'acme-http01-solver', POD_LABELS.acmeSolver, {
      ingress: [
        {
          from: [inNamespace(NAMESPACES.ingress, POD_LABELS.ingressController)],
          ports: tcp(SERVICE_PORTS.acmeSolver),
        },
      ],
      egress: [],
    }),
  );
}

/**
 * The flow contract of the cluster services' namespaces: default deny in each, DNS for every pod,
 * then exactly the flows each service needs. The application namespaces keep their own policies
 * (the chart's); these complete both ends of the flows that cross into them, and contain the
 * HTTP-01 solvers cert-manager starts there.
 */
export function clusterServicePolicies(inputs: PolicyInputs): ServicePolicy[] {
  return [
    ...ingressNginxPolicies(inputs),
    ...monitoringPolicies(inputs),
    ...certManagerPolicies(inputs),
    ...loggingPolicies(),
    ...acmeSolverPolicies(inputs),
  ];
}
