/**
 * The namespaces of the cluster services and the labels their charts give the pods: the network
 * policies select pods by these, so they must be what the charts really render (and what the flow
 * model deploy/netpol/cluster-eks.yaml describes).
 */

export type Labels = Record<string, string>;

export const NAMESPACES = {
  kubeSystem: 'kube-system',
  ingress: 'ingress-nginx',
  certManager: 'cert-manager',
  monitoring: 'monitoring',
  logging: 'logging',
} as const;

/** The label the API server sets on every namespace: selects a namespace by name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export const PART_OF = { 'app.kubernetes.io/part-of': 'platform' } as const satisfies Labels;

/** Pods of the chart name and component, as ingress-nginx renders them (release-independent). */
export const POD_LABELS = {
  ingressController: {
    'app.kubernetes.io/name': 'ingress-nginx',
    'app.kubernetes.io/component': 'controller',
  },
  ingressAdmissionJobs: {
    'app.kubernetes.io/name': 'ingress-nginx',
    'app.kubernetes.io/component': 'admission-webhook',
  },
  /** Set by the Prometheus Operator on the pods of every Prometheus it runs. */
  prometheus: { 'app.kubernetes.io/name': 'prometheus' },
  alertmanager: { 'app.kubernetes.io/name': 'alertmanager' },
  grafana: { 'app.kubernetes.io/name': 'grafana' },
  kubeStateMetrics: { 'app.kubernetes.io/name': 'kube-state-metrics' },
  /** kube-prometheus-stack labels its operator `app: <chart name>-operator`. */
  prometheusOperator: { app: 'kube-prometheus-stack-operator' },
  certManagerController: {
    'app.kubernetes.io/name': 'cert-manager',
    'app.kubernetes.io/component': 'controller',
  },
  certManagerWebhook: { 'app.kubernetes.io/name': 'webhook', 'app.kubernetes.io/component': 'webhook' },
  /** The pods cert-manager starts next to an Ingress to answer HTTP-01 challenges. */
  acmeSolver: { 'acme.cert-manager.io/http01-solver': 'true' },
  fluentBit: { 'app.kubernetes.io/name': 'fluent-bit' },
  kubeDns: { 'k8s-app': 'kube-dns' },
} as const satisfies Record<string, Labels>;

/** kube-prometheus-stack's hook jobs that create and patch its admission webhook certificate. */
export const PROMETHEUS_ADMISSION_JOBS = [
  'kube-prometheus-stack-admission-create',
  'kube-prometheus-stack-admission-patch',
];

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/**
 * Pod Security Admission: enforce the given level, and audit against restricted everywhere so that
 * any pod needing more than restricted shows up in the audit log.
 */
export function namespaceLabels(enforce: PodSecurityLevel, extra: Labels = {}): Labels {
  return {
    ...PART_OF,
    'pod-security.kubernetes.io/enforce': enforce,
    'pod-security.kubernetes.io/enforce-version': 'latest',
    'pod-security.kubernetes.io/warn': enforce,
    'pod-security.kubernetes.io/audit': 'restricted',
    ...extra,
  };
}
