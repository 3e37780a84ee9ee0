import { createHash } from 'node:crypto';
import type * as pulumi from '@pulumi/pulumi';
import { htpasswdLine } from '../src/components/clusterServices';
import { ACCOUNT_ID, EXISTING_VPC_ID, REGION, isSecret, resolve, type RegisteredResource } from './harness';
import {
  CA_BUNDLE,
  LOAD_BALANCER_SG,
  PRIVATE_SUBNET_IDS,
  PUBLIC_SUBNET_IDS,
  clusterServicesRun,
  type ServicesRun,
} from './clusterServicesRun';
import { dependsOn, registration } from './registrations';
import { PROD, settings } from './settings';

const RELEASE = 'kubernetes:helm.sh/v3:Release';
const NAMESPACE = 'kubernetes:core/v1:Namespace';
const SECRET = 'kubernetes:core/v1:Secret';
const CONFIG_MAP = 'kubernetes:core/v1:ConfigMap';
const ISSUER = 'kubernetes:cert-manager.io/v1:ClusterIssuer';
const STORAGE_CLASS = 'kubernetes:storage.k8s.io/v1:StorageClass';
const ROLE = 'kubernetes:rbac.authorization.k8s.io/v1:Role';
const ROLE_BINDING = 'kubernetes:rbac.authorization.k8s.io/v1:RoleBinding';
const IAM_ROLE = 'aws:iam/role:Role';
const IAM_POLICY = 'aws:iam/rolePolicy:RolePolicy';
const LOG_GROUP = 'aws:cloudwatch/logGroup:LogGroup';
const K8S_PROVIDER = 'pulumi:providers:kubernetes';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const actions = (statement: Statement) => [statement.Action].flat();
const resources = (statement: Statement) => [statement.Resource].flat();

/** Settings of a production stack hosting two environments (http01, public ingress, DocumentDB). */
const TWO_ENVIRONMENTS = settings(PROD, { environments: ['dev', 'prod'] });
/** An internal ingress: certificates through DNS-01 in Route 53. */
const INTERNAL = settings(PROD, {
  environments: ['prod'],
  ingress: { public: false, sourceCidrs: ['10.20.0.0/16'] },
  tls: { challenge: 'dns01', route53ZoneId: 'Z0123456789ABCDEFGHIJ' },
  monitoring: {
    serviceMonitorLabel: 'platform-monitoring',
    prometheusRetention: '30d',
    prometheusStorageGiB: 120,
  },
  logRetentionDays: 90,
});

function release(run: ServicesRun, name: string): Json {
  const found = run.run.ofType(RELEASE).filter((r) => r.inputs.name === name);
  expect(found).toHaveLength(1);
  return found[0]!.inputs;
}

function named(run: ServicesRun, type: string, name: string, namespace?: string): RegisteredResource {
  const found = run.run.ofType(type).filter((r) => {
    const metadata = r.inputs.metadata as Json;
    return metadata.name === name && (namespace === undefined || metadata.namespace === namespace);
  });
  expect(found).toHaveLength(1);
  return found[0]!;
}

/** The inline policy of the role the cluster made for a service account. */
function serviceAccountPolicy(run: ServicesRun, namespace: string, account: string) {
  const requests = run.cluster.roleRequests.filter(
    (request) => request.args.namespace === namespace && request.args.serviceAccount === account,
  );
  expect(requests).toHaveLength(1);
  const roleName = requests[0]!.name;
  const role = run.run.named(IAM_ROLE, roleName);
  const policy = run.run.ofType(IAM_POLICY).find((p) => p.inputs.role === role.state.name);
  if (!policy) throw new Error(`no inline policy on ${roleName}`);
  const document = JSON.parse(String(policy.inputs.policy)) as { Statement: Statement[] };
  return { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/${roleName}`, statements: document.Statement };
}

describe('ClusterServices on a public, two-environment cluster', () => {
  let services: ServicesRun;
  beforeAll(async () => {
    services = await clusterServicesRun(TWO_ENVIRONMENTS, { database: true });
  });

  test.each([
    [
      'aws-load-balancer-controller',
      'aws-load-balancer-controller',
      'https://aws.github.io/eks-charts',
      'kube-system',
    ],
    ['ingress-nginx', 'ingress-nginx', 'https://kubernetes.github.io/ingress-nginx', 'ingress-nginx'],
    ['cert-manager', 'cert-manager', 'https://charts.jetstack.io', 'cert-manager'],
    [
      'kube-prometheus-stack',
      'kube-prometheus-stack',
      'https://prometheus-community.github.io/helm-charts',
      'monitoring',
    ],
    ['fluent-bit', 'fluent-bit', 'https://fluent.github.io/helm-charts', 'logging'],
  ])('installs the release %s from chart %s of %s, pinned, in %s', (name, chart, repo, namespace) => {
    const inputs = release(services, name);
    expect(inputs).toMatchObject({ chart, namespace, repositoryOpts: { repo }, atomic: true });
    expect(inputs.version).toMatch(/^v?\d+\.\d+\.\d+$/);
  });

  test('declares every Kubernetes object through its own provider, after the node groups and add-ons', () => {
    const provider = registration(services.declared, K8S_PROVIDER, 'platform-prod-kubernetes').resource;
    const workloads = services.cluster.workloadsReady;
    const objects = services.declared.filter((r) => r.type.startsWith('kubernetes:'));
    expect(objects.length).toBeGreaterThan(40);
    for (const object of objects) {
      expect({ name: object.name, provider: object.opts.provider === provider }).toEqual({
        name: object.name,
        provider: true,
      });
      expect(dependsOn(object)).toEqual(expect.arrayContaining(workloads));
    }
  });

  test.each([
    ['ingress-nginx', 'restricted'],
    ['cert-manager', 'restricted'],
    ['monitoring', 'privileged'],
    ['logging', 'privileged'],
    ['platform-dev', 'restricted'],
    ['platform-prod', 'restricted'],
  ])('labels namespace %s part of the platform, enforcing %s pod security', (name, level) => {
    const labels = (named(services, NAMESPACE, name).inputs.metadata as Json).labels as Record<
      string,
      string
    >;
    expect(labels).toMatchObject({
      'app.kubernetes.io/part-of': 'platform',
      'pod-security.kubernetes.io/enforce': level,
      'pod-security.kubernetes.io/audit': 'restricted',
    });
  });

  test('makes encrypted gp3 EBS volumes the default storage', () => {
    const storage = services.run.ofType(STORAGE_CLASS);
    expect(storage).toHaveLength(1);
    expect(storage[0]!.inputs).toMatchObject({
      metadata: { name: 'gp3', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
      provisioner: 'ebs.csi.aws.com',
      parameters: { type: 'gp3', encrypted: 'true' },
      volumeBindingMode: 'WaitForFirstConsumer',
    });
  });

  test('gives the load balancer controller its IRSA role, its cluster, region and VPC', () => {
    const { roleArn, statements } = serviceAccountPolicy(
      services,
      'kube-system',
      'aws-load-balancer-controller',
    );
    expect(release(services, 'aws-load-balancer-controller').values).toMatchObject({
      clusterName: 'platform-prod',
      region: REGION,
      vpcId: EXISTING_VPC_ID,
      serviceAccount: {
        name: 'aws-load-balancer-controller',
        annotations: { 'eks.amazonaws.com/role-arn': roleArn },
      },
    });
    // Deleting or reconfiguring a load balancer or security group needs the controller's own tag on it.
    const destructive = statements.filter((statement) =>
      actions(statement).some((action) =>
        /^(elasticloadbalancing:(Delete|Modify|Set)(LoadBalancer|TargetGroup|SecurityGroups|Subnets|IpAddressType)|ec2:DeleteSecurityGroup)/.test(
          action,
        ),
      ),
    );
    expect(destructive.length).toBeGreaterThan(0);
    for (const statement of destructive) {
      expect(statement.Condition?.Null?.['aws:ResourceTag/elbv2.k8s.aws/cluster']).toBe('false');
    }
    expect(statements.flatMap(actions)).not.toContain('*');
  });

  test('puts ingress-nginx behind an internet-facing NLB with IP targets and the load balancer group', () => {
    const values = release(services, 'ingress-nginx').values as Json;
    const service = values.controller.service as Json;
    expect(service.type).toBe('LoadBalancer');
    expect(service.annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
      'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
      'service.beta.kubernetes.io/aws-load-balancer-security-groups': LOAD_BALANCER_SG,
      'service.beta.kubernetes.io/aws-load-balancer-manage-backend-security-group-rules': 'false',
      'service.beta.kubernetes.io/aws-load-balancer-subnets': PUBLIC_SUBNET_IDS.join(','),
    });
    expect(service.loadBalancerSourceRanges).toEqual(['0.0.0.0/0']);
    expect(values.controller.metrics).toMatchObject({
      enabled: true,
      serviceMonitor: { enabled: true, additionalLabels: { release: 'kube-prometheus-stack' } },
    });
    expect(values.controller.image).toMatchObject({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('installs ingress-nginx after the load balancer controller and the monitoring CRDs', () => {
    const byName = (name: string) =>
      services.declared.find((r) => r.type === RELEASE && r.name === `platform-prod-release-${name}`)!;
    expect(dependsOn(byName('ingress-nginx'))).toEqual(
      expect.arrayContaining([
        byName('aws-load-balancer-controller').resource,
        byName('kube-prometheus-stack').resource,
      ]),
    );
    for (const dependent of ['cert-manager', 'fluent-bit']) {
      expect(dependsOn(byName(dependent))).toContain(byName('kube-prometheus-stack').resource);
    }
  });

  test('has Prometheus select labelled monitors and rules in every namespace, and keeps its data as configured', () => {
    const spec = (release(services, 'kube-prometheus-stack').values as Json).prometheus
      .prometheusSpec as Json;
    const selector = { matchLabels: { release: 'kube-prometheus-stack' } };
    expect(spec).toMatchObject({
      serviceMonitorSelectorNilUsesHelmValues: false,
      serviceMonitorSelector: selector,
      serviceMonitorNamespaceSelector: {},
      ruleSelectorNilUsesHelmValues: false,
      ruleSelector: selector,
      ruleNamespaceSelector: {},
      retention: '15d',
      storageSpec: {
        volumeClaimTemplate: {
          spec: { storageClassName: 'gp3', resources: { requests: { storage: '50Gi' } } },
        },
      },
    });
  });

  test('serves Grafana and Prometheus over TLS from the letsencrypt issuer, Prometheus behind basic auth', () => {
    const values = release(services, 'kube-prometheus-stack').values as Json;
    const prometheus = values.prometheus.ingress as Json;
    expect(prometheus).toMatchObject({
      enabled: true,
      ingressClassName: 'nginx',
      hosts: ['prometheus.example.com'],
      tls: [{ hosts: ['prometheus.example.com'] }],
      annotations: {
        'cert-manager.io/cluster-issuer': 'letsencrypt',
        'nginx.ingress.kubernetes.io/auth-type': 'basic',
        'nginx.ingress.kubernetes.io/auth-secret': 'prometheus-basic-auth',
      },
    });
    const grafana = values.grafana as Json;
    expect(grafana.ingress).toMatchObject({
      enabled: true,
      ingressClassName: 'nginx',
      hosts: ['grafana.example.com'],
      tls: [{ hosts: ['grafana.example.com'] }],
      annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt' },
    });
    expect(grafana.admin).toEqual({
      existingSecret: 'grafana-admin',
      userKey: 'admin-user',
      passwordKey: 'admin-password',
    });
    expect(grafana.adminPassword).toBeUndefined();
    expect(services.run.result.clusterIssuer).toBe('letsencrypt');
  });

  test('generates the Grafana and Prometheus credentials and keeps them secret', async () => {
    const result = services.run.result;
    const grafanaSecret = registration(services.declared, SECRET, 'platform-prod-grafana-admin');
    const grafanaData = grafanaSecret.props.stringData as Record<string, pulumi.Input<string>>;
    expect(await isSecret(grafanaData['admin-password']!)).toBe(true);
    expect(await resolve(grafanaData['admin-password']!)).toBe(await resolve(result.grafanaAdminPassword));
    expect(await resolve(result.grafanaAdminPassword)).not.toBe('prom-operator');

    const authSecret = registration(services.declared, SECRET, 'platform-prod-prometheus-basic-auth');
    const auth = (authSecret.props.stringData as Record<string, pulumi.Input<string>>).auth!;
    expect(await isSecret(auth)).toBe(true);
    expect(await isSecret(result.prometheusPassword)).toBe(true);
    // nginx's {SSHA}: base64 of SHA-1(password + salt) followed by the salt.
    const line = await resolve(auth);
    const password = await resolve(result.prometheusPassword);
    const [user, hash] = line.split(':{SSHA}') as [string, string];
    expect(user).toBe('prometheus');
    const decoded = Buffer.from(hash, 'base64');
    const salt = decoded.subarray(20);
    expect(salt.length).toBeGreaterThan(0);
    expect(decoded.subarray(0, 20)).toEqual(createHash('sha1').update(password).update(salt).digest());
    expect(htpasswdLine('prometheus', password)).toBe(line);
  });

  test('issues certificates over HTTP-01 through nginx, with no Route 53 role', () => {
    const issuers = services.run.ofType(ISSUER);
    expect(issuers.map((issuer) => (issuer.inputs.metadata as Json).name).sort()).toEqual([
      'letsencrypt',
      'letsencrypt-staging',
    ]);
    for (const issuer of issuers) {
      const acme = (issuer.inputs.spec as Json).acme as Json;
      expect(acme.email).toBe('platform-team@example.com');
      expect(acme.solvers).toEqual([{ http01: { ingress: { ingressClassName: 'nginx' } } }]);
    }
    expect(services.cluster.roleRequests.map((r) => r.args.namespace)).not.toContain('cert-manager');
    expect(release(services, 'cert-manager').values).toMatchObject({
      crds: { enabled: true },
      prometheus: { servicemonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } } },
    });
  });

  test('creates the issuers once cert-manager (and its CRDs) is installed', () => {
    const certManager = registration(
      services.declared,
      RELEASE,
      'platform-prod-release-cert-manager',
    ).resource;
    for (const name of ['letsencrypt', 'letsencrypt-staging']) {
      expect(
        dependsOn(registration(services.declared, ISSUER, `platform-prod-cluster-issuer-${name}`)),
      ).toContain(certManager);
    }
  });

  test('ships container logs to /eks/<cluster>/containers through a role limited to that group', () => {
    const groups = services.run.ofType(LOG_GROUP);
    expect(groups.map((g) => g.inputs)).toEqual([
      expect.objectContaining({ name: '/eks/platform-prod/containers', retentionInDays: 30 }),
    ]);
    const groupArn = String(groups[0]!.state.arn);
    const { roleArn, statements } = serviceAccountPolicy(services, 'logging', 'fluent-bit');
    expect(statements).toHaveLength(1);
    expect(actions(statements[0]!).sort()).toEqual([
      'logs:CreateLogStream',
      'logs:DescribeLogStreams',
      'logs:PutLogEvents',
    ]);
    expect(resources(statements[0]!)).toEqual([`${groupArn}:*`]);
    const values = release(services, 'fluent-bit').values as Json;
    expect(values.serviceAccount.annotations).toEqual({ 'eks.amazonaws.com/role-arn': roleArn });
    expect(values.serviceMonitor).toMatchObject({
      enabled: true,
      additionalLabels: { release: 'kube-prometheus-stack' },
    });
    const output = values.config.outputs as string;
    expect(output).toContain('Name cloudwatch_logs');
    expect(output).toContain('log_group_name /eks/platform-prod/containers');
    expect(output).toContain(`region ${REGION}`);
    expect(output).toContain('auto_create_group Off');
  });

  test.each(['platform-dev', 'platform-prod'])(
    'publishes the database connection strings to %s as secrets, with TLS and no retryable writes',
    async (namespace) => {
      const environment = namespace.replace('platform-', '');
      const secret = registration(
        services.declared,
        SECRET,
        `platform-prod-database-platform-${environment}`,
      );
      expect((secret.props.metadata as Json).name).toBe('platform-database');
      expect(await resolve((secret.props.metadata as Json).namespace as pulumi.Output<string>)).toBe(
        namespace,
      );
      const stringData = secret.props.stringData as pulumi.Output<Record<string, string>>;
      expect(await isSecret(stringData)).toBe(true);
      const data = await resolve(stringData);
      expect(Object.keys(data).sort()).toEqual(['auth-mongo-url', 'discounts-mongo-url', 'items-mongo-url']);
      for (const [key, url] of Object.entries(data)) {
        expect(url).toMatch(new RegExp(`^mongodb://.+/${key.replace('-mongo-url', '')}\\?`));
        expect(url).toContain('tls=true');
        expect(url).toContain('retryWrites=false');
      }
      const bundle = named(services, CONFIG_MAP, 'rds-ca-bundle', namespace);
      expect(bundle.inputs.data).toEqual({ 'global-bundle.pem': CA_BUNDLE });
      expect(services.run.result.databaseSecretName).toBe('platform-database');
      expect(services.run.result.caBundleConfigMapName).toBe('rds-ca-bundle');
    },
  );

  test.each(['platform-dev', 'platform-prod'])(
    'lets platform-deployers manage the release in %s, and nothing cluster-wide',
    (namespace) => {
      const role = named(services, ROLE, 'platform-deployers', namespace);
      const rules = role.inputs.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[];
      expect(rules.length).toBeGreaterThan(5);
      for (const rule of rules) {
        for (const field of [rule.apiGroups, rule.resources, rule.verbs]) expect(field).not.toContain('*');
        expect(rule.resources).not.toEqual(
          expect.arrayContaining([
            expect.stringMatching(/^(namespaces|nodes|clusterroles|clusterrolebindings)$/),
          ]),
        );
        expect(rule.verbs).not.toEqual(expect.arrayContaining(['escalate', 'bind', 'impersonate']));
      }
      const binding = named(services, ROLE_BINDING, 'platform-deployers', namespace);
      expect(binding.inputs).toMatchObject({
        roleRef: { kind: 'Role', name: 'platform-deployers' },
        subjects: [{ kind: 'Group', name: 'platform-deployers' }],
      });
      expect(services.run.ofType('kubernetes:rbac.authorization.k8s.io/v1:ClusterRole')).toEqual([]);
      expect(services.run.ofType('kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding')).toEqual([]);
    },
  );
});

describe('ClusterServices on an internal cluster with DNS-01', () => {
  let services: ServicesRun;
  beforeAll(async () => {
    services = await clusterServicesRun(INTERNAL);
  });

  test('puts ingress-nginx behind an internal NLB in the private subnets', () => {
    const service = (release(services, 'ingress-nginx').values as Json).controller.service as Json;
    expect(service.annotations).toMatchObject({
      'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
      'service.beta.kubernetes.io/aws-load-balancer-security-groups': LOAD_BALANCER_SG,
      'service.beta.kubernetes.io/aws-load-balancer-subnets': PRIVATE_SUBNET_IDS.join(','),
    });
    expect(service.loadBalancerSourceRanges).toEqual(['10.20.0.0/16']);
  });

  test('solves DNS-01 in the configured zone through a role limited to its challenge records', () => {
    for (const issuer of services.run.ofType(ISSUER)) {
      expect(((issuer.inputs.spec as Json).acme as Json).solvers).toEqual([
        { dns01: { route53: { region: REGION, hostedZoneID: 'Z0123456789ABCDEFGHIJ' } } },
      ]);
    }
    const { roleArn, statements } = serviceAccountPolicy(services, 'cert-manager', 'cert-manager');
    expect(statements.flatMap(actions).sort()).toEqual([
      'route53:ChangeResourceRecordSets',
      'route53:GetChange',
      'route53:ListResourceRecordSets',
    ]);
    const zone = 'arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ';
    for (const statement of statements) {
      const expected = actions(statement).includes('route53:GetChange')
        ? ['arn:aws:route53:::change/*']
        : [zone];
      expect(resources(statement)).toEqual(expected);
    }
    expect(release(services, 'cert-manager').values).toMatchObject({
      serviceAccount: { name: 'cert-manager', annotations: { 'eks.amazonaws.com/role-arn': roleArn } },
    });
  });

  test('names the monitoring release after the configured label and keeps data as configured', () => {
    const monitoring = release(services, 'platform-monitoring');
    expect(monitoring.chart).toBe('kube-prometheus-stack');
    const spec = (monitoring.values as Json).prometheus.prometheusSpec as Json;
    expect(spec.serviceMonitorSelector).toEqual({ matchLabels: { release: 'platform-monitoring' } });
    expect(spec.retention).toBe('30d');
    expect(spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe('120Gi');
    const ingressValues = release(services, 'ingress-nginx').values as Json;
    expect(ingressValues.controller.metrics.serviceMonitor.additionalLabels).toEqual({
      release: 'platform-monitoring',
    });
    expect(services.run.ofType(LOG_GROUP)[0]?.inputs.retentionInDays).toBe(90);
  });

  test('publishes no database objects without a database', () => {
    expect(services.run.ofType(SECRET).map((s) => (s.inputs.metadata as Json).name)).not.toContain(
      'platform-database',
    );
    expect(services.run.ofType(CONFIG_MAP)).toEqual([]);
  });
});

test('refuses a database without its CA bundle', async () => {
  await expect(
    clusterServicesRun(TWO_ENVIRONMENTS, { database: true, withoutCaBundle: true }),
  ).rejects.toThrow(/caBundlePem/);
});
