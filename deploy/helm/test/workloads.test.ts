import { createPrivateKey, createSign, createVerify, createPublicKey } from 'node:crypto';
import {
  decode,
  ENVIRONMENTS,
  named,
  ofKind,
  podsOf,
  render,
  type Container,
  type Environment,
  type K8sObject,
} from './chart';

const SERVICES = ['auth', 'discounts', 'frontend', 'items'];
const APIS = ['auth', 'discounts', 'items'];
const rendered = new Map<Environment, K8sObject[]>();

beforeAll(async () => {
  for (const environment of ENVIRONMENTS) rendered.set(environment, await render(environment));
}, 120_000);

const objects = (environment: Environment) => rendered.get(environment) ?? [];
const workloadContainers = (environment: Environment) =>
  podsOf(objects(environment)).flatMap(({ owner, spec }) =>
    spec.containers.map((container) => ({ owner: `${owner.kind}/${owner.metadata.name}`, container, spec })),
  );

describe.each(ENVIRONMENTS)('the %s environment', (environment) => {
  it("renders one Deployment, Service, ServiceAccount per service, the contract's labels on every pod", () => {
    const all = objects(environment);
    for (const kind of ['Deployment', 'Service', 'ServiceAccount']) {
      const names = ofKind(all, kind).map((object) => object.metadata.name);
      for (const service of SERVICES) expect(names).toContain(`${environment}-${service}`);
    }
    for (const { owner, labels } of podsOf(all)) {
      expect({ owner: owner.metadata.name, labels }).toEqual({
        owner: owner.metadata.name,
        labels: expect.objectContaining({
          'app.kubernetes.io/name': expect.any(String),
          'app.kubernetes.io/instance': environment,
          'app.kubernetes.io/part-of': 'platform',
          'app.kubernetes.io/component': expect.stringMatching(/^(frontend|api|database|test)$/),
        }) as unknown,
      });
    }
    for (const service of SERVICES) {
      const labels = podsOf([named(all, 'Deployment', `${environment}-${service}`)])[0]?.labels;
      expect(labels?.['app.kubernetes.io/name']).toBe(service);
      expect(labels?.['app.kubernetes.io/component']).toBe(service === 'frontend' ? 'frontend' : 'api');
    }
  });

  it('names ports http and management, and Service ports equal container ports', () => {
    const all = objects(environment);
    for (const service of SERVICES) {
      const deployment = named(all, 'Deployment', `${environment}-${service}`);
      const container = podsOf([deployment])[0]?.spec.containers[0] as Container;
      const ports = Object.fromEntries(
        (container.ports ?? []).map((port) => [port.name, port.containerPort]),
      );
      expect(ports).toEqual(service === 'frontend' ? { http: 8080 } : { http: 8080, management: 9090 });
      const servicePorts = (
        named(all, 'Service', `${environment}-${service}`).spec as {
          ports: { name: string; port: number; targetPort: string }[];
        }
      ).ports;
      for (const port of servicePorts) expect(port.port).toBe(ports[port.targetPort]);
    }
  });

  it('probes every long-running container, API services on the management port', () => {
    for (const { owner, container } of workloadContainers(environment)) {
      if (owner.startsWith('Job/')) continue; // the helm test Job runs once and exits
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) {
        expect({ owner, probe, defined: container[probe] !== undefined }).toEqual({
          owner,
          probe,
          defined: true,
        });
      }
    }
    for (const api of APIS) {
      const container = podsOf([named(objects(environment), 'Deployment', `${environment}-${api}`)])[0]?.spec
        .containers[0] as Container;
      expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'management' });
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'management' });
      expect(container.startupProbe?.httpGet).toEqual({ path: '/healthz', port: 'management' });
    }
  });

  it('runs every container restricted: non-root, read-only root, no capabilities, no escalation, seccomp', () => {
    const all = workloadContainers(environment);
    expect(all.length).toBeGreaterThanOrEqual(5);
    for (const { owner, container, spec } of all) {
      const context = container.securityContext ?? {};
      const summary = {
        owner,
        runAsNonRoot: context.runAsNonRoot,
        readOnlyRootFilesystem: context.readOnlyRootFilesystem,
        allowPrivilegeEscalation: context.allowPrivilegeEscalation,
        privileged: context.privileged,
        drop: context.capabilities?.drop,
        add: context.capabilities?.add,
        seccomp: context.seccompProfile,
        podSeccomp: spec.securityContext?.seccompProfile,
        podNonRoot: spec.securityContext?.runAsNonRoot,
        automount: spec.automountServiceAccountToken,
      };
      expect(summary).toEqual({
        owner,
        runAsNonRoot: true,
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        privileged: false,
        drop: ['ALL'],
        add: undefined,
        seccomp: { type: 'RuntimeDefault' },
        podSeccomp: { type: 'RuntimeDefault' },
        podNonRoot: true,
        automount: false,
      });
      expect(container.resources?.requests).toEqual(
        expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
      );
      expect(container.resources?.limits).toEqual(
        expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
      );
    }
    for (const account of ofKind(objects(environment), 'ServiceAccount')) {
      expect(account.automountServiceAccountToken).toBe(false);
    }
  });

  it('gives writable emptyDirs only to the processes that write (the web server, the database)', () => {
    for (const { owner, container, spec } of workloadContainers(environment)) {
      const emptyDirs = new Set(
        (spec.volumes ?? []).filter((v) => v.emptyDir !== undefined).map((v) => v.name),
      );
      const writable = (container.volumeMounts ?? [])
        .filter((m) => emptyDirs.has(m.name))
        .map((m) => m.mountPath);
      const expected = owner.endsWith('-frontend')
        ? ['/tmp']
        : owner.endsWith('-mongodb')
          ? ['/data/configdb', '/tmp']
          : [];
      expect({ owner, writable: writable.sort() }).toEqual({ owner, writable: expected });
    }
  });

  it('rolls out with surge and no unavailability, and spreads replicas across zones and hosts', () => {
    for (const deployment of ofKind(objects(environment), 'Deployment')) {
      const spec = deployment.spec as {
        strategy: { type: string; rollingUpdate: { maxSurge: number; maxUnavailable: number } };
        template: { spec: { topologySpreadConstraints: { topologyKey: string }[] } };
      };
      expect(spec.strategy).toEqual({
        type: 'RollingUpdate',
        rollingUpdate: { maxSurge: 1, maxUnavailable: 0 },
      });
      expect(spec.template.spec.topologySpreadConstraints.map((c) => c.topologyKey)).toEqual([
        'topology.kubernetes.io/zone',
        'kubernetes.io/hostname',
      ]);
    }
  });

  it('configures each API service as docs/contract.md §2 says, secrets only through Secrets', () => {
    const all = objects(environment);
    const config = (name: string) => named(all, 'ConfigMap', `${environment}-${name}`).data ?? {};
    for (const api of APIS) {
      expect(config(api)).toEqual(
        expect.objectContaining({
          PORT: '8080',
          MANAGEMENT_PORT: '9090',
          NODE_ENV: 'production',
          LOG_LEVEL: environment === 'dev' ? 'debug' : 'info',
          JWT_ISSUER: 'platform',
          JWT_AUDIENCE: 'platform',
        }),
      );
      expect(Object.keys(config(api))).not.toContain('MONGO_URL');
      const container = podsOf([named(all, 'Deployment', `${environment}-${api}`)])[0]?.spec
        .containers[0] as Container;
      const mongoUrl = container.env?.find((variable) => variable.name === 'MONGO_URL');
      expect(mongoUrl?.valueFrom?.secretKeyRef).toEqual({
        name: environment === 'dev' ? 'dev-mongodb' : 'platform-database',
        key: `${api}-mongo-url`,
      });
    }
    expect(config('items').AUTH_JWKS_URL).toBe(`http://${environment}-auth:8080/api/auth/jwks.json`);
    expect(config('discounts').AUTH_JWKS_URL).toBe(`http://${environment}-auth:8080/api/auth/jwks.json`);
    expect(config('discounts').ITEMS_URL).toBe(`http://${environment}-items:8080`);
    expect(config('auth').JWT_PRIVATE_KEY_FILE).toBe('/var/run/secrets/platform/jwt/private-key.pem');
    const auth = podsOf([named(all, 'Deployment', `${environment}-auth`)])[0]?.spec;
    const keyVolume = auth?.volumes?.find((volume) => volume.name === 'jwt');
    expect(keyVolume?.secret?.secretName).toBe(environment === 'dev' ? 'dev-jwt' : 'platform-jwt');
  });

  it('routes the edge table of docs/contract.md §5 through the Ingress', () => {
    const ingress = named(objects(environment), 'Ingress', environment);
    const rules = (
      ingress.spec as {
        rules: {
          host: string;
          http: {
            paths: {
              path: string;
              pathType: string;
              backend: { service: { name: string; port: { name: string } } };
            }[];
          };
        }[];
      }
    ).rules;
    expect(rules).toHaveLength(1);
    expect(
      rules[0]?.http.paths.map((path) => [
        path.path,
        path.pathType,
        path.backend.service.name,
        path.backend.service.port.name,
      ]),
    ).toEqual([
      ['/api/auth', 'Prefix', `${environment}-auth`, 'http'],
      ['/api/items', 'Prefix', `${environment}-items`, 'http'],
      ['/api/discounts', 'Prefix', `${environment}-discounts`, 'http'],
      ['/', 'Prefix', `${environment}-frontend`, 'http'],
    ]);
    const tls = (ingress.spec as { tls?: { hosts: string[]; secretName: string }[] }).tls;
    if (environment === 'dev') {
      expect(tls).toBeUndefined();
      expect(ingress.metadata.annotations?.['cert-manager.io/cluster-issuer']).toBeUndefined();
    } else {
      expect(tls).toEqual([{ hosts: [rules[0]?.host], secretName: `${environment}-tls` }]);
      expect(ingress.metadata.annotations?.['cert-manager.io/cluster-issuer']).toBe('letsencrypt');
    }
  });

  it('monitors the API services on the management port, with alerts and a dashboard', () => {
    const all = objects(environment);
    const monitors = ofKind(all, 'ServiceMonitor');
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(APIS.map((api) => `${environment}-${api}`));
    for (const monitor of monitors) {
      const endpoints = (monitor.spec as { endpoints: { port: string; path: string }[] }).endpoints;
      expect(endpoints.map((e) => [e.port, e.path])).toEqual([['management', '/metrics']]);
      expect(monitor.metadata.labels?.release).toBe('kube-prometheus-stack');
    }
    const rule = ofKind(all, 'PrometheusRule')[0];
    const alerts = (rule?.spec as { groups: { rules: { alert: string; expr: string }[] }[] }).groups.flatMap(
      (group) => group.rules,
    );
    expect(alerts.map((alert) => alert.alert)).toEqual([
      'PlatformHighErrorRatio',
      'PlatformHighLatencyP99',
      'PlatformUpstreamErrorRatio',
      'PlatformDatabaseErrorRatio',
      'PlatformScrapeTargetDown',
      'PlatformPodNotReady',
      'PlatformPodRestarting',
    ]);
    for (const alert of alerts) expect(alert.expr).toContain('namespace="platform-test"');
    const dashboard = named(all, 'ConfigMap', `${environment}-dashboard`);
    expect(dashboard.metadata.labels?.grafana_dashboard).toBe('1');
    const json = JSON.parse(dashboard.data?.['platform-services.json'] ?? '') as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    const queries = json.panels.flatMap((panel) => panel.targets ?? []).map((target) => target.expr);
    expect(queries.some((query) => query.includes('histogram_quantile(0.99'))).toBe(true);
    expect(queries.some((query) => query.includes('status_code=~"5.."'))).toBe(true);
    expect(queries.some((query) => query.includes('by (service, route'))).toBe(true);
  });
});

describe('environment shapes', () => {
  it('dev runs an in-cluster MongoDB on a volume, with credentials from a Secret', () => {
    const all = objects('dev');
    const statefulSet = named(all, 'StatefulSet', 'dev-mongodb');
    const spec = statefulSet.spec as {
      serviceName: string;
      volumeClaimTemplates: { spec: { resources: { requests: { storage: string } } } }[];
      template: { spec: { containers: Container[] } };
    };
    expect(spec.serviceName).toBe('dev-mongodb');
    expect(named(all, 'Service', 'dev-mongodb').spec).toEqual(expect.objectContaining({ clusterIP: 'None' }));
    expect(spec.volumeClaimTemplates[0]?.spec.resources.requests.storage).toBe('8Gi');
    const env = spec.template.spec.containers[0]?.env ?? [];
    expect(env.find((v) => v.name === 'MONGO_INITDB_ROOT_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({
      name: 'dev-mongodb',
      key: 'root-password',
    });
    const secret = named(all, 'Secret', 'dev-mongodb');
    const url = decode(secret.data?.['items-mongo-url'] ?? '');
    const password = decode(secret.data?.['items-password'] ?? '');
    expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(url).toBe(`mongodb://items:${password}@dev-mongodb:27017/items`);
    expect(secret.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
    const init = named(all, 'ConfigMap', 'dev-mongodb-init').data?.['create-service-users.js'] ?? '';
    for (const api of APIS) expect(init).toContain(`db.getSiblingDB("${api}").createUser({`);
  });

  it('dev generates a usable ES256 signing key, kept on uninstall', () => {
    const secret = named(objects('dev'), 'Secret', 'dev-jwt');
    expect(secret.metadata.annotations?.['helm.sh/resource-policy']).toBe('keep');
    const pem = decode(secret.data?.['private-key.pem'] ?? '');
    const key = createPrivateKey(pem);
    expect(key.asymmetricKeyType).toBe('ec');
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const signature = createSign('SHA256').update('payload').sign(key);
    expect(createVerify('SHA256').update('payload').verify(createPublicKey(key), signature)).toBe(true);
  });

  it('staging and prod use the external database, its CA bundle and existing Secrets, and create none', () => {
    for (const environment of ['staging', 'prod'] as const) {
      const all = objects(environment);
      expect(ofKind(all, 'StatefulSet')).toEqual([]);
      expect(ofKind(all, 'Secret')).toEqual([]);
      for (const api of APIS) {
        const pod = podsOf([named(all, 'Deployment', `${environment}-${api}`)])[0]?.spec;
        const container = pod?.containers[0] as Container;
        const caFile = container.env?.find((variable) => variable.name === 'NODE_EXTRA_CA_CERTS')?.value;
        const mount = container.volumeMounts?.find((m) => m.name === 'database-ca');
        expect(`${mount?.mountPath}/ca.pem`).toBe(caFile);
        expect(mount?.readOnly).toBe(true);
        expect(pod?.volumes?.find((volume) => volume.name === 'database-ca')?.configMap).toEqual({
          name: 'rds-ca-bundle',
          items: [{ key: 'global-bundle.pem', path: 'ca.pem' }],
        });
      }
      const frontend = podsOf([named(all, 'Deployment', `${environment}-frontend`)])[0]?.spec.containers[0];
      expect(frontend?.env).toBeUndefined();
    }
  });

  it('prod runs at least three replicas under an HPA, with PDBs and pod security groups', () => {
    const all = objects('prod');
    for (const service of SERVICES) {
      const hpa = named(all, 'HorizontalPodAutoscaler', `prod-${service}`).spec as {
        minReplicas: number;
        maxReplicas: number;
        scaleTargetRef: { kind: string; name: string };
      };
      expect(hpa.minReplicas).toBeGreaterThanOrEqual(3);
      expect(hpa.maxReplicas).toBeGreaterThan(hpa.minReplicas);
      expect(hpa.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: `prod-${service}`,
      });
      // The HPA owns the replica count: a fixed one would fight it on every upgrade.
      expect(
        (named(all, 'Deployment', `prod-${service}`).spec as { replicas?: number }).replicas,
      ).toBeUndefined();
      expect(named(all, 'PodDisruptionBudget', `prod-${service}`).spec).toEqual(
        expect.objectContaining({ maxUnavailable: 1 }),
      );
    }
    expect(ofKind(all, 'SecurityGroupPolicy')).toHaveLength(4);
    const spread = podsOf([named(all, 'Deployment', 'prod-auth')])[0]?.spec.topologySpreadConstraints ?? [];
    expect(spread.find((c) => c.topologyKey === 'topology.kubernetes.io/zone')?.whenUnsatisfiable).toBe(
      'DoNotSchedule',
    );
  });

  it('staging runs two replicas of each service with PDBs, and no pod security groups', () => {
    const all = objects('staging');
    for (const service of SERVICES) {
      expect((named(all, 'Deployment', `staging-${service}`).spec as { replicas: number }).replicas).toBe(2);
      expect(named(all, 'PodDisruptionBudget', `staging-${service}`)).toBeDefined();
    }
    expect(ofKind(all, 'SecurityGroupPolicy')).toEqual([]);
  });
});
