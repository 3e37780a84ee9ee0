import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CHART_DIR,
  helm,
  named,
  ofKind,
  podsOf,
  render,
  template,
  valuesArgs,
  type Container,
} from './chart';

/** Renders dev with extra values and returns helm's error message (the render must fail). */
async function renderError(
  values: Record<string, unknown>,
  environment: 'dev' | 'prod' = 'dev',
): Promise<string> {
  const { args, cleanup } = valuesArgs(environment, values);
  try {
    const result = await helm(['template', environment, CHART_DIR, ...args]);
    expect(result.code).not.toBe(0);
    return result.stderr;
  } finally {
    cleanup();
  }
}

describe('values.schema.json', () => {
  it.each([
    [{ replicaCount: 3 }, "at '': additional properties 'replicaCount' not allowed"],
    [{ services: { auth: { replicas: 'three' } } }, "at '/services/auth/replicas': got string, want integer"],
    [
      { services: { auth: { replica: 3 } } },
      "at '/services/auth': additional properties 'replica' not allowed",
    ],
    [{ networkPolicy: { enabled: 'yes' } }, "at '/networkPolicy/enabled': got string, want boolean"],
    [{ mongodb: { mode: 'sharded' } }, "at '/mongodb/mode': value must be one of 'inCluster', 'external'"],
    [
      { global: { containerSecurityContext: { privileged: true } } },
      "at '/global/containerSecurityContext/privileged': value must be false",
    ],
    [
      { global: { containerSecurityContext: { readOnlyRootFilesystem: false } } },
      "at '/global/containerSecurityContext/readOnlyRootFilesystem': value must be true",
    ],
    [
      { podSecurityGroups: { groupIds: { auth: ['default'] } } },
      "at '/podSecurityGroups/groupIds/auth/0': 'default' does not match pattern",
    ],
    [
      { networkPolicy: { peers: { ingressController: { ipBlocks: ['10.0.0.0'] } } } },
      "at '/networkPolicy/peers/ingressController/ipBlocks/0'",
    ],
  ])('rejects %j with a message naming the path', async (values, message) => {
    const stderr = await renderError(values);
    expect(stderr).toContain("values don't meet the specifications of the schema");
    expect(stderr).toContain(message);
  });
});

describe('rules the chart enforces itself', () => {
  it.each([
    [
      { networkPolicy: { flows: { items: { http: ['ingressController', 'discount'] } } } },
      'networkPolicy.flows.items.http: caller "discount" is neither a component of this release nor a peer',
    ],
    [
      { networkPolicy: { flows: { items: { metrics: ['prometheus'] } } } },
      'networkPolicy.flows.items.metrics: items has no port named "metrics" (it has http, management)',
    ],
    [
      { networkPolicy: { flows: { cart: { http: ['frontend'] } } } },
      'networkPolicy.flows.cart: no component named "cart"',
    ],
    [
      {
        networkPolicy: {
          peers: { prometheus: { namespaceSelector: null, podSelector: null, ipBlocks: [] } },
        },
      },
      'networkPolicy.peers.prometheus admits nothing',
    ],
    [{ jwt: { generate: false } }, 'jwt.existingSecret is required when jwt.generate is false'],
    [
      { mongodb: { mode: 'external', external: { cidrs: ['10.0.100.0/24'] } } },
      'mongodb.external.existingSecret is required when mongodb.mode is external',
    ],
    [
      { mongodb: { mode: 'external', external: { existingSecret: 'db' } } },
      'mongodb.external.cidrs must list the database subnets',
    ],
    [
      { podSecurityGroups: { enabled: true } },
      'podSecurityGroups.groupIds.auth must list the security group ids of auth',
    ],
    [
      { ingress: { host: '', tls: { enabled: true } } },
      'ingress.host is required when ingress.tls.enabled is true',
    ],
    [
      { services: { items: { serviceUrls: { AUTH_JWKS_URL: { service: 'authn' } } } } },
      'services.items.serviceUrls.AUTH_JWKS_URL names the unknown service "authn"',
    ],
  ])('fails the render for %j', async (values, message) => {
    const stderr = await renderError(values);
    expect(stderr).toContain(message);
  });
});

describe('toggles', () => {
  it('networkPolicy.enabled=false removes every NetworkPolicy, test hooks included', async () => {
    const objects = await render('dev', { values: { networkPolicy: { enabled: false } } });
    expect(ofKind(objects, 'NetworkPolicy')).toEqual([]);
    expect(ofKind(objects, 'Deployment')).toHaveLength(4);
  });

  it('ingress, monitoring, disruption budgets and helm test each turn off', async () => {
    const objects = await render('prod', {
      values: {
        ingress: { enabled: false },
        monitoring: {
          serviceMonitor: { enabled: false },
          prometheusRule: { enabled: false },
          dashboard: { enabled: false },
        },
        services: { auth: { podDisruptionBudget: { enabled: false }, autoscaling: { enabled: false } } },
        tests: { enabled: false },
      },
    });
    for (const kind of ['Ingress', 'ServiceMonitor', 'PrometheusRule', 'Job'])
      expect(ofKind(objects, kind)).toEqual([]);
    expect(ofKind(objects, 'ConfigMap').map((c) => c.metadata.name)).not.toContain('prod-dashboard');
    expect(ofKind(objects, 'PodDisruptionBudget').map((p) => p.metadata.name)).not.toContain('prod-auth');
    expect(ofKind(objects, 'HorizontalPodAutoscaler').map((h) => h.metadata.name)).not.toContain('prod-auth');
    expect((named(objects, 'Deployment', 'prod-auth').spec as { replicas: number }).replicas).toBe(3);
  });

  it('pod security groups: one SecurityGroupPolicy per component with its own ids, off by default', async () => {
    expect(ofKind(await render('dev'), 'SecurityGroupPolicy')).toEqual([]);
    const groupIds = {
      frontend: ['sg-0aaaaaaaaaaaaaaa1'],
      auth: ['sg-0bbbbbbbbbbbbbbb2', 'sg-0ccccccccccccccc3'],
      items: ['sg-0ddddddddddddddd4'],
      discounts: ['sg-0eeeeeeeeeeeeeee5'],
      mongodb: ['sg-0fffffffffffffff6'],
    };
    const objects = await render('dev', { values: { podSecurityGroups: { enabled: true, groupIds } } });
    const policies = ofKind(objects, 'SecurityGroupPolicy');
    expect(policies.map((p) => p.apiVersion)).toEqual(Array(5).fill('vpcresources.k8s.aws/v1beta1'));
    for (const [component, ids] of Object.entries(groupIds)) {
      const spec = named(policies, 'SecurityGroupPolicy', `dev-${component}`).spec as {
        podSelector: { matchLabels: Record<string, string> };
        securityGroups: { groupIds: string[] };
      };
      expect(spec.securityGroups.groupIds).toEqual(ids);
      expect(spec.podSelector.matchLabels).toEqual({
        'app.kubernetes.io/name': component,
        'app.kubernetes.io/instance': 'dev',
      });
    }
    const prod = ofKind(await render('prod'), 'SecurityGroupPolicy');
    expect(
      Object.fromEntries(
        prod.map((p) => [
          p.metadata.name,
          (p.spec as { securityGroups: { groupIds: string[] } }).securityGroups.groupIds,
        ]),
      ),
    ).toEqual({
      // Each service's own group and the pod DNS group (the prod network model's placeholder ids).
      'prod-auth': ['sg-32bed67fa7fbe544f', 'sg-c7cdef88de008a14f'],
      'prod-discounts': ['sg-e420d36c2572fc752', 'sg-c7cdef88de008a14f'],
      'prod-frontend': ['sg-830e6a491a8441764', 'sg-c7cdef88de008a14f'],
      'prod-items': ['sg-69753df2f89787616', 'sg-c7cdef88de008a14f'],
    });
  });

  it('load balancer subnets join the ingress controller on the http ports only', async () => {
    const objects = await render('dev', {
      values: {
        networkPolicy: { peers: { ingressController: { ipBlocks: ['10.0.1.0/24', '10.0.2.0/24'] } } },
      },
    });
    for (const component of ['frontend', 'auth', 'items', 'discounts']) {
      const rules = (
        named(objects, 'NetworkPolicy', `dev-${component}`).spec as {
          ingress: { from: { ipBlock?: { cidr: string } }[]; ports: { port: number }[] }[];
        }
      ).ingress;
      const withBlocks = rules.filter((rule) => rule.from.some((peer) => peer.ipBlock));
      expect(withBlocks.map((rule) => rule.ports.map((p) => p.port))).toEqual([[8080]]);
      expect(withBlocks[0]?.from.flatMap((peer) => (peer.ipBlock ? [peer.ipBlock.cidr] : []))).toEqual([
        '10.0.1.0/24',
        '10.0.2.0/24',
      ]);
    }
  });

  it('images take the global registry and tag unless a service sets its own', async () => {
    const objects = await render('dev', {
      values: {
        global: { image: { registry: 'registry.example.com/team', tag: 'abc123' } },
        services: { items: { image: { registry: 'other.example.com', tag: 'pinned' } } },
      },
    });
    const image = (name: string) =>
      (podsOf([named(objects, 'Deployment', `dev-${name}`)])[0]?.spec.containers[0] as Container).image;
    expect(image('auth')).toBe('registry.example.com/team/platform/auth:abc123');
    expect(image('items')).toBe('other.example.com/platform/items:pinned');
    const defaults = await render('dev');
    const defaultImage = (
      podsOf([named(defaults, 'Deployment', 'dev-auth')])[0]?.spec.containers[0] as Container
    ).image;
    expect(defaultImage).toBe('platform/auth:0.1.0');
  });

  it('rolls pods when their configuration changes, and only then', async () => {
    const checksum = (objects: Awaited<ReturnType<typeof render>>, name: string) =>
      (
        named(objects, 'Deployment', `dev-${name}`).spec as {
          template: { metadata: { annotations: Record<string, string> } };
        }
      ).template.metadata.annotations['checksum/config'];
    const before = await render('dev');
    const after = await render('dev', { values: { services: { items: { env: { ITEMS_TIMEOUT: '3s' } } } } });
    expect(named(after, 'ConfigMap', 'dev-items').data?.ITEMS_TIMEOUT).toBe('3s');
    expect(checksum(after, 'items')).not.toBe(checksum(before, 'items'));
    expect(checksum(after, 'auth')).toBe(checksum(before, 'auth'));
  });
});

describe('NOTES.txt', () => {
  // helm prints NOTES only on install; render it as a template of a copy of the chart instead.
  let chartCopy: string;
  beforeAll(() => {
    chartCopy = mkdtempSync(join(tmpdir(), 'chart-notes-'));
    cpSync(CHART_DIR, chartCopy, { recursive: true });
    cpSync(join(CHART_DIR, 'templates', 'NOTES.txt'), join(chartCopy, 'notes.txt'));
    writeFileSync(
      join(chartCopy, 'templates', 'notes-under-test.yaml'),
      'notes: {{ tpl (.Files.Get "notes.txt") . | toJson }}\n',
    );
  });
  afterAll(() => rmSync(chartCopy, { recursive: true, force: true }));

  async function notes(environment: 'dev' | 'prod', extra: string[] = []): Promise<string> {
    const result = await helm([
      'template',
      environment,
      chartCopy,
      '-f',
      join(CHART_DIR, `values-${environment}.yaml`),
      '--show-only',
      'templates/notes-under-test.yaml',
      ...extra,
    ]);
    expect(result.stderr).toBe('');
    const match = /^notes: (.*)$/m.exec(result.stdout);
    return JSON.parse(match?.[1] ?? '""') as string;
  }

  it('tells how to reach, test and watch the release, and where its database and key come from', async () => {
    const dev = await notes('dev');
    expect(dev).toContain('Web app and API: http://platform.dev.example.com/');
    expect(dev).toContain('helm test dev -n default');
    expect(dev).toContain('in-cluster MongoDB (dev-mongodb, development only');
    expect(dev).toContain('generated once into Secret "dev-jwt"');
    const prod = await notes('prod');
    expect(prod).toContain('Web app and API: https://platform.example.com/');
    expect(prod).toContain('TLS certificate: issued by the cert-manager ClusterIssuer "letsencrypt"');
    expect(prod).toContain('external, connection strings from Secret "platform-database"');
    expect(prod).toContain('Security groups for pods are on');
  });

  it('warns when the NetworkPolicies are off', async () => {
    expect(await notes('dev', ['--set', 'networkPolicy.enabled=false'])).toContain(
      'WARNING: networkPolicy.enabled is false',
    );
    expect(await notes('dev')).not.toContain('WARNING');
  });
});

describe('chart files', () => {
  it('renders with the release namespace and a different release name', async () => {
    const text = await template('staging', { release: 'shop' });
    expect(text).toContain('name: shop-auth');
    expect(text).not.toContain('staging-auth');
  });
});
