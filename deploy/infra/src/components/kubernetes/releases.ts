import * as pulumi from '@pulumi/pulumi';
import type { PlatformConfig } from '../../config';
import { SERVICE_PORTS } from './networkPolicies';

/** A chart from its repository, at a pinned version: an upgrade is a reviewed change of this table. */
export interface ChartPin {
  chart: string;
  version: string;
  repository: string;
}

export const CHARTS = {
  awsLoadBalancerController: {
    chart: 'aws-load-balancer-controller',
    version: '1.14.0',
    repository: 'https://aws.github.io/eks-charts',
  },
  ingressNginx: {
    chart: 'ingress-nginx',
    version: '4.13.0',
    repository: 'https://kubernetes.github.io/ingress-nginx',
  },
  certManager: { chart: 'cert-manager', version: 'v1.18.2', repository: 'https://charts.jetstack.io' },
  kubePrometheusStack: {
    chart: 'kube-prometheus-stack',
    version: '77.1.1',
    repository: 'https://prometheus-community.github.io/helm-charts',
  },
  fluentBit: { chart: 'fluent-bit', version: '0.50.0', repository: 'https://fluent.github.io/helm-charts' },
} as const satisfies Record<string, ChartPin>;

/** Helm values: plain data in which any leaf may be a Pulumi input. */
export type HelmValues = Record<string, unknown>;

/** The annotation through which EKS gives a service account's pods an IAM role (IRSA). */
export const IRSA_ANNOTATION = 'eks.amazonaws.com/role-arn';

export const INGRESS_CLASS = 'nginx';
export const STORAGE_CLASS = 'gp3';
export const LOAD_BALANCER_CONTROLLER_ACCOUNT = 'aws-load-balancer-controller';
export const CERT_MANAGER_ACCOUNT = 'cert-manager';
export const FLUENT_BIT_ACCOUNT = 'fluent-bit';
/** Secrets kube-prometheus-stack's Grafana and the Prometheus ingress read their credentials from. */
export const GRAFANA_ADMIN_SECRET = 'grafana-admin';
export const PROMETHEUS_BASIC_AUTH_SECRET = 'prometheus-basic-auth';

const RUNTIME_DEFAULT = { seccompProfile: { type: 'RuntimeDefault' } };

export function loadBalancerControllerValues(args: {
  clusterName: pulumi.Input<string>;
  region: pulumi.Input<string>;
  vpcId: pulumi.Input<string>;
  roleArn: pulumi.Input<string>;
}): HelmValues {
  return {
    clusterName: args.clusterName,
    // Given rather than read from instance metadata, which pods cannot reach with a hop limit of 1.
    region: args.region,
    vpcId: args.vpcId,
    replicaCount: 2,
    serviceAccount: {
      create: true,
      name: LOAD_BALANCER_CONTROLLER_ACCOUNT,
      annotations: { [IRSA_ANNOTATION]: args.roleArn },
    },
    // Only Services that ask for it (aws-load-balancer-type: external) get a load balancer.
    enableServiceMutatorWebhook: false,
  };
}

/** The NLB in front of ingress-nginx, as the load balancer controller reads it from the Service. */
export function ingressServiceAnnotations(args: {
  publicIngress: boolean;
  securityGroupId: pulumi.Input<string>;
  subnetIds: pulumi.Input<string>;
}): Record<string, pulumi.Input<string>> {
  const prefix = 'service.beta.kubernetes.io/aws-load-balancer';
  return {
    [`${prefix}-type`]: 'external',
    // Pod IPs as targets: the NLB reaches the controller pods straight from its subnets.
    [`${prefix}-nlb-target-type`]: 'ip',
    [`${prefix}-scheme`]: args.publicIngress ? 'internet-facing' : 'internal',
    [`${prefix}-subnets`]: args.subnetIds,
    // Our own group, whose rules the stack manages; the controller leaves the nodes' group alone.
    [`${prefix}-security-groups`]: args.securityGroupId,
    [`${prefix}-manage-backend-security-group-rules`]: 'false',
    [`${prefix}-attributes`]: 'load_balancing.cross_zone.enabled=true',
  };
}

export function ingressNginxValues(args: {
  config: PlatformConfig;
  annotations: Record<string, pulumi.Input<string>>;
}): HelmValues {
  const { config } = args;
  return {
    controller: {
      replicaCount: 2,
      ingressClass: INGRESS_CLASS,
      ingressClassResource: { name: INGRESS_CLASS, enabled: true, default: true },
      config: { 'server-tokens': 'false' },
      // Restricted Pod Security: non-root, no privilege escalation, the runtime's seccomp profile.
      image: {
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        ...RUNTIME_DEFAULT,
      },
      podSecurityContext: { runAsNonRoot: true, ...RUNTIME_DEFAULT },
      admissionWebhooks: { enabled: true, port: SERVICE_PORTS.ingressAdmission },
      service: {
        type: 'LoadBalancer',
        annotations: args.annotations,
        loadBalancerSourceRanges: config.ingress.sourceCidrs,
      },
      metrics: {
        enabled: true,
        port: SERVICE_PORTS.ingressMetrics,
        serviceMonitor: {
          enabled: true,
          additionalLabels: { release: config.monitoring.serviceMonitorLabel },
        },
      },
      resources: { requests: { cpu: '100m', memory: '128Mi' } },
    },
  };
}

export function certManagerValues(args: {
  config: PlatformConfig;
  dns01RoleArn?: pulumi.Input<string>;
}): HelmValues {
  const irsa = args.dns01RoleArn !== undefined;
  return {
    crds: { enabled: true, keep: true },
    global: { leaderElection: { namespace: 'cert-manager' } },
    serviceAccount: {
      create: true,
      name: CERT_MANAGER_ACCOUNT,
      ...(irsa ? { annotations: { [IRSA_ANNOTATION]: args.dns01RoleArn } } : {}),
    },
    // A non-root process reads the projected web identity token only through its group.
    securityContext: { runAsNonRoot: true, ...RUNTIME_DEFAULT, ...(irsa ? { fsGroup: 1001 } : {}) },
    prometheus: {
      enabled: true,
      servicemonitor: { enabled: true, labels: { release: args.config.monitoring.serviceMonitorLabel } },
    },
  };
}

function ingress(host: string, annotations: Record<string, string>) {
  return {
    enabled: true,
    ingressClassName: INGRESS_CLASS,
    annotations,
    tls: [{ secretName: `${host.replace(/\./g, '-')}-tls`, hosts: [host] }],
  };
}

export function kubePrometheusStackValues(args: {
  config: PlatformConfig;
  clusterIssuer: string;
}): HelmValues {
  const { config, clusterIssuer } = args;
  const monitoring = config.monitoring;
  const selector = { matchLabels: { release: monitoring.serviceMonitorLabel } };
  const issuer = { 'cert-manager.io/cluster-issuer': clusterIssuer };
  const grafanaHost = config.ingress.grafanaHost;
  const prometheusHost = config.ingress.prometheusHost;
  return {
    crds: { enabled: true },
    // EKS runs these on its control plane, out of Prometheus's reach.
    kubeEtcd: { enabled: false },
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeProxy: { enabled: false },
    prometheus: {
      ingress: {
        ...ingress(prometheusHost, {
          ...issuer,
          // Prometheus has no authentication of its own.
          'nginx.ingress.kubernetes.io/auth-type': 'basic',
          'nginx.ingress.kubernetes.io/auth-secret': PROMETHEUS_BASIC_AUTH_SECRET,
          'nginx.ingress.kubernetes.io/auth-realm': 'Prometheus',
        }),
        hosts: [prometheusHost],
        paths: ['/'],
        pathType: 'Prefix',
      },
      prometheusSpec: {
        externalUrl: `https://${prometheusHost}`,
        retention: monitoring.prometheusRetention,
        // Every namespace's monitors and rules that carry the label, and nothing else.
        serviceMonitorSelectorNilUsesHelmValues: false,
        serviceMonitorSelector: selector,
        serviceMonitorNamespaceSelector: {},
        podMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelector: selector,
        podMonitorNamespaceSelector: {},
        ruleSelectorNilUsesHelmValues: false,
        ruleSelector: selector,
        ruleNamespaceSelector: {},
        storageSpec: {
          volumeClaimTemplate: {
            spec: {
              storageClassName: STORAGE_CLASS,
              accessModes: ['ReadWriteOnce'],
              resources: { requests: { storage: `${monitoring.prometheusStorageGiB}Gi` } },
            },
          },
        },
      },
    },
    grafana: {
      admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: 'admin-user', passwordKey: 'admin-password' },
      ingress: { ...ingress(grafanaHost, issuer), hosts: [grafanaHost], path: '/' },
      'grafana.ini': {
        server: { root_url: `https://${grafanaHost}` },
        users: { allow_sign_up: false },
        // Nothing in the monitoring namespace reaches the internet.
        analytics: { reporting_enabled: false, check_for_updates: false, check_for_plugin_updates: false },
      },
      serviceMonitor: { labels: { release: monitoring.serviceMonitorLabel } },
      sidecar: {
        // The chart's dashboards live in the application namespaces.
        dashboards: {
          enabled: true,
          label: 'grafana_dashboard',
          labelValue: '1',
          searchNamespace: 'ALL',
          folderAnnotation: 'grafana_folder',
          provider: { foldersFromFilesStructure: true },
        },
      },
    },
  };
}

/** Container logs to CloudWatch Logs, one stream per container. */
export function fluentBitValues(args: {
  config: PlatformConfig;
  region: pulumi.Input<string>;
  logGroupName: pulumi.Input<string>;
  roleArn: pulumi.Input<string>;
}): HelmValues {
  return {
    kind: 'DaemonSet',
    serviceAccount: {
      create: true,
      name: FLUENT_BIT_ACCOUNT,
      annotations: { [IRSA_ANNOTATION]: args.roleArn },
    },
    testFramework: { enabled: false },
    metricsPort: SERVICE_PORTS.fluentBitMetrics,
    serviceMonitor: {
      enabled: true,
      additionalLabels: { release: args.config.monitoring.serviceMonitorLabel },
    },
    podSecurityContext: RUNTIME_DEFAULT,
    // Root reads the nodes' log files (owned by root); it needs no capability beyond that.
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    },
    tolerations: [{ operator: 'Exists', effect: 'NoSchedule' }],
    daemonSetVolumes: [
      { name: 'varlog', hostPath: { path: '/var/log' } },
      { name: 'state', hostPath: { path: '/var/fluent-bit/state', type: 'DirectoryOrCreate' } },
    ],
    daemonSetVolumeMounts: [
      { name: 'varlog', mountPath: '/var/log', readOnly: true },
      { name: 'state', mountPath: '/var/fluent-bit/state' },
    ],
    config: {
      service: [
        '[SERVICE]',
        '    Daemon Off',
        '    Flush 5',
        '    Log_Level info',
        '    Parsers_File /fluent-bit/etc/parsers.conf',
        '    HTTP_Server On',
        '    HTTP_Listen 0.0.0.0',
        `    HTTP_Port ${SERVICE_PORTS.fluentBitMetrics}`,
        '    Health_Check On',
        '    storage.path /var/fluent-bit/state/buffers',
        '',
      ].join('\n'),
      inputs: [
        '[INPUT]',
        '    Name tail',
        '    Tag kube.*',
        '    Path /var/log/containers/*.log',
        '    multiline.parser cri, docker',
        '    DB /var/fluent-bit/state/containers.db',
        '    Mem_Buf_Limit 50MB',
        '    Skip_Long_Lines On',
        '    Refresh_Interval 10',
        '    storage.type filesystem',
        '',
      ].join('\n'),
      filters: [
        '[FILTER]',
        '    Name kubernetes',
        '    Match kube.*',
        '    Merge_Log On',
        '    Keep_Log Off',
        '    K8S-Logging.Parser On',
        '    K8S-Logging.Exclude On',
        '',
      ].join('\n'),
      outputs: pulumi
        .all([args.region, args.logGroupName])
        .apply(([region, group]) => cloudWatchOutput(region, group)),
    },
  };
}

/** The cloudwatch_logs output: the group exists already (retention set by the stack). */
function cloudWatchOutput(region: string, logGroupName: string): string {
  return [
    '[OUTPUT]',
    '    Name cloudwatch_logs',
    '    Match kube.*',
    `    region ${region}`,
    `    log_group_name ${logGroupName}`,
    "    log_stream_template $kubernetes['namespace_name'].$kubernetes['pod_name'].$kubernetes['container_name']",
    '    log_stream_prefix unlabelled-',
    '    auto_create_group Off',
    '',
  ].join('\n');
}
