import { createHash } from 'node:crypto';
import * as aws from '@pulumi/aws';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import type { PlatformConfig } from '../config';
import { Naming } from '../naming';
import { API_SERVICES } from '../services';
import type { ClusterNetwork, DatabaseEndpoint, EdgeSecurityGroups, KubernetesCluster } from './contracts';
import {
  containerLogsPolicy,
  loadBalancerControllerPolicy,
  route53ChallengePolicy,
} from './kubernetes/iamPolicies';
import { NAMESPACES, PART_OF, namespaceLabels, type PodSecurityLevel } from './kubernetes/labels';
import { clusterServicePolicies } from './kubernetes/networkPolicies';
import { DEPLOYERS_GROUP, DEPLOYER_RULES } from './kubernetes/rbac';
import {
  CERT_MANAGER_ACCOUNT,
  CHARTS,
  FLUENT_BIT_ACCOUNT,
  GRAFANA_ADMIN_SECRET,
  INGRESS_CLASS,
  LOAD_BALANCER_CONTROLLER_ACCOUNT,
  PROMETHEUS_BASIC_AUTH_SECRET,
  STORAGE_CLASS,
  certManagerValues,
  fluentBitValues,
  ingressNginxValues,
  ingressServiceAnnotations,
  kubePrometheusStackValues,
  loadBalancerControllerValues,
  type HelmValues,
} from './kubernetes/releases';

export interface ClusterServicesArgs {
  config: PlatformConfig;
  naming: Naming;
  cluster: KubernetesCluster;
  network: ClusterNetwork;
  securityGroups: EdgeSecurityGroups;
  /** The managed database: its connection strings are published to every application namespace. */
  database?: DatabaseEndpoint;
  /** The CA bundle the database's TLS certificate chains to (required with a database). */
  caBundlePem?: string;
}

/** Let's Encrypt's ACME directories: staging to try an issuer out, production for real certificates. */
const ACME_SERVERS = {
  'letsencrypt-staging': 'https://acme-staging-v02.api.letsencrypt.org/directory',
  letsencrypt: 'https://acme-v02.api.letsencrypt.org/directory',
} as const;

const PROMETHEUS_USER = 'prometheus';

/**
 * What runs in the cluster besides the application: namespaces with Pod Security labels, the
 * default StorageClass, the AWS Load Balancer Controller, ingress-nginx behind an NLB, cert-manager
 * with Let's Encrypt issuers, kube-prometheus-stack, fluent-bit to CloudWatch Logs, the network
 * policies of these namespaces, and per application namespace the database Secret, the CA bundle
 * and the deployers' Role. Everything goes through one provider built from the cluster's kubeconfig
 * and waits for the node groups and add-ons.
 */
export class ClusterServices extends pulumi.ComponentResource {
  /** Secret in each application namespace with one `<service>-mongo-url` key per API service. */
  readonly databaseSecretName: string = 'platform-database';
  /** ConfigMap in each application namespace holding `global-bundle.pem`. */
  readonly caBundleConfigMapName: string = 'rds-ca-bundle';
  /** The production ClusterIssuer (the chart's values-prod.yaml names it). */
  readonly clusterIssuer: string = 'letsencrypt';
  readonly appNamespaces: string[];
  /** CloudWatch Logs group of the containers' logs. */
  readonly containerLogGroup: pulumi.Output<string>;
  /** Grafana's `admin` password (secret). */
  readonly grafanaAdminPassword: pulumi.Output<string>;
  /** The password of the `prometheus` user at the Prometheus ingress (secret). */
  readonly prometheusPassword: pulumi.Output<string>;

  constructor(name: string, args: ClusterServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('platform:infra:ClusterServices', name, {}, opts);
    const { config, naming, cluster, network, securityGroups } = args;
    const database = args.database
      ? { endpoint: args.database, caBundlePem: requireCaBundle(args) }
      : undefined;
    const parent = { parent: this };
    const provider = new k8s.Provider(naming.name('kubernetes'), { kubeconfig: cluster.kubeconfig }, parent);
    const k8sOpts = (dependsOn: pulumi.Resource[] = []): pulumi.CustomResourceOptions => ({
      parent: this,
      provider,
      dependsOn: [...cluster.workloadsReady, ...dependsOn],
    });
    const labels = { ...PART_OF, 'app.kubernetes.io/managed-by': 'pulumi' };
    const region = aws.getRegionOutput({}, parent).region;
    const partition = aws.getPartitionOutput({}, parent).partition;

    // Namespaces: Pod Security restricted unless a chart genuinely needs more.
    this.appNamespaces = config.environments.map((environment) => Naming.appNamespace(environment));
    const serviceNamespaces: Record<string, { level: PodSecurityLevel; extra?: Record<string, string> }> = {
      // The load balancer controller holds pods back until the NLB sees them healthy.
      [NAMESPACES.ingress]: {
        level: 'restricted',
        extra: { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' },
      },
      [NAMESPACES.certManager]: { level: 'restricted' },
      // node-exporter uses the host's network, PID namespace and file system.
      [NAMESPACES.monitoring]: { level: 'privileged' },
      // fluent-bit reads the nodes' log files through hostPath volumes.
      [NAMESPACES.logging]: { level: 'privileged' },
      ...Object.fromEntries(this.appNamespaces.map((ns) => [ns, { level: 'restricted' as const }])),
    };
    const namespaces: Record<string, k8s.core.v1.Namespace> = {};
    for (const [namespace, { level, extra }] of Object.entries(serviceNamespaces)) {
      namespaces[namespace] = new k8s.core.v1.Namespace(
        naming.name('namespace', namespace),
        { metadata: { name: namespace, labels: namespaceLabels(level, extra) } },
        k8sOpts(),
      );
    }
    const namespaceOf = (namespace: string): pulumi.Output<string> => {
      const resource = namespaces[namespace];
      if (!resource) throw new Error(`ClusterServices: namespace ${namespace} is not declared`);
      return resource.metadata.name;
    };

    const storageClass = new k8s.storage.v1.StorageClass(
      naming.name('storage-class', STORAGE_CLASS),
      {
        metadata: {
          name: STORAGE_CLASS,
          labels,
          annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
        },
        provisioner: 'ebs.csi.aws.com',
        parameters: { type: 'gp3', encrypted: 'true', 'csi.storage.k8s.io/fstype': 'ext4' },
        reclaimPolicy: 'Delete',
        // Volumes are created in the zone of the pod that first uses them.
        volumeBindingMode: 'WaitForFirstConsumer',
        allowVolumeExpansion: true,
      },
      k8sOpts(),
    );

    // Network policies first: a chart's pods start under their namespace's full set of rules.
    const ingressSourceCidrs = config.ingress.public
      ? pulumi
          .output(network.loadBalancerSubnetCidrs)
          .apply((subnets) => [...subnets, ...config.ingress.sourceCidrs])
      : network.loadBalancerSubnetCidrs;
    const policies = new Map<string, k8s.networking.v1.NetworkPolicy[]>();
    for (const policy of clusterServicePolicies({
      vpcCidr: network.vpcCidr,
      ingressSourceCidrs,
      appNamespaces: this.appNamespaces,
      challenge: config.tls.challenge,
    })) {
      const resource = new k8s.networking.v1.NetworkPolicy(
        naming.name('network-policy', policy.namespace, policy.name),
        {
          metadata: { name: policy.name, namespace: namespaceOf(policy.namespace), labels },
          spec: policy.spec,
        },
        k8sOpts(),
      );
      policies.set(policy.namespace, [...(policies.get(policy.namespace) ?? []), resource]);
    }
    const policiesOf = (namespace: string) => policies.get(namespace) ?? [];

    const release = (
      chart: keyof typeof CHARTS,
      releaseName: string,
      namespace: pulumi.Input<string>,
      values: HelmValues,
      dependsOn: pulumi.Resource[],
    ) => {
      const pin = CHARTS[chart];
      return new k8s.helm.v3.Release(
        naming.name('release', releaseName),
        {
          name: releaseName,
          chart: pin.chart,
          version: pin.version,
          repositoryOpts: { repo: pin.repository },
          namespace,
          values,
          createNamespace: false,
          // A failed upgrade rolls back rather than leaving half a release behind.
          atomic: true,
          cleanupOnFail: true,
          maxHistory: 10,
          timeout: 900,
        },
        k8sOpts(dependsOn),
      );
    };

    // Monitoring: credentials generated here, kept in Secrets the chart and the ingress read.
    const grafanaPassword = new random.RandomPassword(
      naming.name('grafana-admin'),
      { length: 32, special: false },
      parent,
    );
    const prometheusPassword = new random.RandomPassword(
      naming.name('prometheus-basic-auth'),
      { length: 32, special: false },
      parent,
    );
    this.grafanaAdminPassword = pulumi.secret(grafanaPassword.result);
    this.prometheusPassword = pulumi.secret(prometheusPassword.result);
    const grafanaAdmin = new k8s.core.v1.Secret(
      naming.name('grafana-admin'),
      {
        metadata: { name: GRAFANA_ADMIN_SECRET, namespace: namespaceOf(NAMESPACES.monitoring), labels },
        type: 'Opaque',
        stringData: { 'admin-user': 'admin', 'admin-password': this.grafanaAdminPassword },
      },
      k8sOpts(),
    );
    const prometheusAuth = new k8s.core.v1.Secret(
      naming.name('prometheus-basic-auth'),
      {
        metadata: {
          name: PROMETHEUS_BASIC_AUTH_SECRET,
          namespace: namespaceOf(NAMESPACES.monitoring),
          labels,
        },
        type: 'Opaque',
        stringData: {
          auth: pulumi.secret(
            this.prometheusPassword.apply((password) => htpasswdLine(PROMETHEUS_USER, password)),
          ),
        },
      },
      k8sOpts(),
    );
    // Its release name is the label kube-prometheus-stack puts on its own monitors and rules.
    const monitoring = release(
      'kubePrometheusStack',
      config.monitoring.serviceMonitorLabel,
      namespaceOf(NAMESPACES.monitoring),
      kubePrometheusStackValues({ config, clusterIssuer: this.clusterIssuer }),
      [storageClass, grafanaAdmin, prometheusAuth, ...policiesOf(NAMESPACES.monitoring)],
    );

    // The load balancer controller, through IRSA.
    const loadBalancerRole = cluster.serviceAccountRole(naming.name('load-balancer-controller'), {
      namespace: NAMESPACES.kubeSystem,
      serviceAccount: LOAD_BALANCER_CONTROLLER_ACCOUNT,
      policy: loadBalancerControllerPolicy(partition),
    });
    const vpcId = aws.ec2.getSubnetOutput({ id: network.privateSubnetIds.apply(firstSubnet) }, parent).vpcId;
    const loadBalancerController = release(
      'awsLoadBalancerController',
      'aws-load-balancer-controller',
      NAMESPACES.kubeSystem,
      loadBalancerControllerValues({
        clusterName: cluster.name,
        region,
        vpcId,
        roleArn: loadBalancerRole.arn,
      }),
      [],
    );

    // ingress-nginx behind the NLB; it goes after the controller that builds its load balancer
    // (and is deleted before it), and after the monitoring CRDs its ServiceMonitor needs.
    const loadBalancerSubnets = config.ingress.public ? network.publicSubnetIds : network.privateSubnetIds;
    release(
      'ingressNginx',
      'ingress-nginx',
      namespaceOf(NAMESPACES.ingress),
      ingressNginxValues({
        config,
        annotations: ingressServiceAnnotations({
          publicIngress: config.ingress.public,
          securityGroupId: securityGroups.loadBalancer,
          subnetIds: loadBalancerSubnets.apply((ids) => ids.join(',')),
        }),
      }),
      [loadBalancerController, monitoring, ...policiesOf(NAMESPACES.ingress)],
    );

    // cert-manager, with a Route 53 role only for DNS-01.
    const route53ZoneId = config.tls.challenge === 'dns01' ? requireZone(config) : undefined;
    const dns01Role =
      route53ZoneId === undefined
        ? undefined
        : cluster.serviceAccountRole(naming.name('cert-manager-dns01'), {
            namespace: NAMESPACES.certManager,
            serviceAccount: CERT_MANAGER_ACCOUNT,
            policy: route53ChallengePolicy(partition, route53ZoneId),
          });
    const certManager = release(
      'certManager',
      'cert-manager',
      namespaceOf(NAMESPACES.certManager),
      certManagerValues({ config, dns01RoleArn: dns01Role?.arn }),
      [monitoring, ...policiesOf(NAMESPACES.certManager)],
    );
    const solver =
      route53ZoneId === undefined
        ? { http01: { ingress: { ingressClassName: INGRESS_CLASS } } }
        : { dns01: { route53: { region, hostedZoneID: route53ZoneId } } };
    for (const [issuer, server] of Object.entries(ACME_SERVERS)) {
      new k8s.apiextensions.CustomResource(
        naming.name('cluster-issuer', issuer),
        {
          apiVersion: 'cert-manager.io/v1',
          kind: 'ClusterIssuer',
          metadata: { name: issuer, labels },
          spec: {
            acme: {
              server,
              email: config.tls.email,
              privateKeySecretRef: { name: `${issuer}-account-key` },
              solvers: [solver],
            },
          },
        },
        k8sOpts([certManager]),
      );
    }

    // Container logs to CloudWatch Logs, through a role that may write to this one group only.
    const logGroup = new aws.cloudwatch.LogGroup(
      naming.name('container-logs'),
      {
        name: pulumi.interpolate`/eks/${cluster.name}/containers`,
        retentionInDays: config.logRetentionDays,
        tags: naming.tags('container-logs'),
      },
      parent,
    );
    this.containerLogGroup = logGroup.name;
    const fluentBitRole = cluster.serviceAccountRole(naming.name('fluent-bit'), {
      namespace: NAMESPACES.logging,
      serviceAccount: FLUENT_BIT_ACCOUNT,
      policy: containerLogsPolicy(logGroup.arn),
    });
    release(
      'fluentBit',
      'fluent-bit',
      namespaceOf(NAMESPACES.logging),
      fluentBitValues({ config, region, logGroupName: logGroup.name, roleArn: fluentBitRole.arn }),
      [monitoring, ...policiesOf(NAMESPACES.logging)],
    );

    // Per application namespace: database connection, CA bundle, and what the deployers may do.
    for (const namespace of this.appNamespaces) {
      const inNamespace = { namespace: namespaceOf(namespace), labels };
      if (database) {
        new k8s.core.v1.Secret(
          naming.name('database', namespace),
          {
            metadata: { name: this.databaseSecretName, ...inNamespace },
            type: 'Opaque',
            stringData: Object.fromEntries(
              API_SERVICES.map((service) => [
                `${service}-mongo-url`,
                pulumi.secret(database.endpoint.connectionUrl(service)),
              ]),
            ),
          },
          k8sOpts(),
        );
        new k8s.core.v1.ConfigMap(
          naming.name('ca-bundle', namespace),
          {
            metadata: { name: this.caBundleConfigMapName, ...inNamespace },
            data: { 'global-bundle.pem': database.caBundlePem },
          },
          k8sOpts(),
        );
      }
      const role = new k8s.rbac.v1.Role(
        naming.name('deployer', namespace),
        { metadata: { name: DEPLOYERS_GROUP, ...inNamespace }, rules: DEPLOYER_RULES },
        k8sOpts(),
      );
      new k8s.rbac.v1.RoleBinding(
        naming.name('deployer-binding', namespace),
        {
          metadata: { name: DEPLOYERS_GROUP, ...inNamespace },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
          subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: DEPLOYERS_GROUP }],
        },
        k8sOpts(),
      );
    }

    this.registerOutputs({
      appNamespaces: this.appNamespaces,
      containerLogGroup: this.containerLogGroup,
      clusterIssuer: this.clusterIssuer,
    });
  }
}

/** The API services verify the database's TLS certificate against this bundle: no bundle, no database. */
function requireCaBundle(args: ClusterServicesArgs): string {
  if (args.caBundlePem === undefined) {
    throw new Error(
      'ClusterServices: a database was given without caBundlePem; the API services cannot verify its TLS ' +
        'certificate without the CA bundle (platform:database.caBundleFile)',
    );
  }
  return args.caBundlePem;
}

function firstSubnet(ids: string[]): string {
  const first = ids[0];
  if (first === undefined) throw new Error('ClusterServices: the network has no private subnets');
  return first;
}

/** parseConfig refuses dns01 without a zone; this only tells the type checker so. */
function requireZone(config: PlatformConfig): string {
  const zone = config.tls.route53ZoneId;
  if (zone === undefined) throw new Error('tls.route53ZoneId is required by the dns01 challenge');
  return zone;
}

/**
 * An htpasswd line nginx checks natively: salted SHA-1 ({SSHA}). The salt is derived from the
 * password so the line, and the Secret, stay the same from one deployment to the next.
 */
export function htpasswdLine(user: string, password: string): string {
  const salt = createHash('sha256').update(`${user}:${password}`).digest().subarray(0, 8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `${user}:{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}
