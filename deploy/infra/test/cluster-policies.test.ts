/**
 * The network policies ClusterServices declares, checked with the repository's flow verifier
 * (@platform/netpol) together with the application chart as the pipeline renders it and the EKS
 * cluster model: the flow contract still holds in the application namespaces, and the cluster
 * services' own namespaces allow exactly what they need.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import {
  allowedPairs,
  analyze,
  buildCluster,
  check,
  evaluate,
  findEndpoint,
  loadClusterModel,
  parseNetworkModel,
  withNetwork,
  loadContract,
  loadManifests,
  type Cluster,
  type Endpoint,
  type ManifestContents,
  type Protocol,
} from '@platform/netpol';
import { networkModel, readStackConfig } from '../src/networkModel';
import { NETPOL_DIR, renderChart, type Manifest } from './chartRender';
import { VPC_CIDR, clusterServicesRun } from './clusterServicesRun';
import { PROD, settings } from './settings';

const MODEL = join(NETPOL_DIR, 'cluster-eks.yaml');
const PROD_NETWORK = parseNetworkModel(networkModel(readStackConfig('prod'), 'prod'), 'prod');
const CONTRACT = join(NETPOL_DIR, 'contract.yaml');
const INTERNET = 'internet';

type Port = { name?: string; containerPort: number; protocol?: Protocol };

/**
 * Pods of the cluster services that the cluster model leaves out, labelled as their charts label
 * them (ingress-nginx's controller and Prometheus come from the model itself).
 */
function servicePod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  ports: Port[],
): Manifest {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { containers: [{ name, image: `${name}:test`, ports }] },
  };
}

const SERVICE_PODS: Manifest[] = [
  servicePod(
    'monitoring',
    'grafana',
    { 'app.kubernetes.io/name': 'grafana', 'app.kubernetes.io/instance': 'kube-prometheus-stack' },
    [{ name: 'grafana', containerPort: 3000 }],
  ),
  servicePod(
    'monitoring',
    'alertmanager',
    {
      'app.kubernetes.io/name': 'alertmanager',
      'app.kubernetes.io/instance': 'kube-prometheus-stack-alertmanager',
      alertmanager: 'kube-prometheus-stack-alertmanager',
    },
    [
      { name: 'http-web', containerPort: 9093 },
      { name: 'mesh-tcp', containerPort: 9094 },
      { name: 'mesh-udp', containerPort: 9094, protocol: 'UDP' },
      { name: 'reloader-web', containerPort: 8080 },
    ],
  ),
  servicePod(
    'monitoring',
    'kube-state-metrics',
    { 'app.kubernetes.io/name': 'kube-state-metrics', 'app.kubernetes.io/instance': 'kube-prometheus-stack' },
    [{ name: 'http', containerPort: 8080 }],
  ),
  servicePod(
    'monitoring',
    'prometheus-operator',
    {
      app: 'kube-prometheus-stack-operator',
      release: 'kube-prometheus-stack',
      'app.kubernetes.io/instance': 'kube-prometheus-stack',
    },
    [{ name: 'https', containerPort: 10250 }],
  ),
  servicePod(
    'cert-manager',
    'cert-manager',
    {
      app: 'cert-manager',
      'app.kubernetes.io/name': 'cert-manager',
      'app.kubernetes.io/instance': 'cert-manager',
      'app.kubernetes.io/component': 'controller',
    },
    [
      { name: 'http-metrics', containerPort: 9402 },
      { name: 'http-healthz', containerPort: 9403 },
    ],
  ),
  servicePod(
    'cert-manager',
    'cert-manager-webhook',
    {
      app: 'webhook',
      'app.kubernetes.io/name': 'webhook',
      'app.kubernetes.io/instance': 'cert-manager',
      'app.kubernetes.io/component': 'webhook',
    },
    [{ name: 'https', containerPort: 10250 }],
  ),
  servicePod(
    'logging',
    'fluent-bit',
    { 'app.kubernetes.io/name': 'fluent-bit', 'app.kubernetes.io/instance': 'fluent-bit' },
    [{ name: 'http', containerPort: 2020 }],
  ),
];

/** The HTTP-01 solver pods cert-manager starts while a challenge is open. */
const SOLVER_PODS: Manifest[] = ['platform-prod', 'monitoring'].map((namespace) =>
  servicePod(namespace, 'cm-acme-http-solver', { 'acme.cert-manager.io/http01-solver': 'true' }, [
    { name: 'http', containerPort: 8089 },
  ]),
);

let dir: string;
let counter = 0;
const charts: Record<string, { namespace: string; text: string }> = {};

/** Loads manifests through the verifier's own reader (one file per namespace the documents default to). */
function load(manifests: Manifest[] | string, defaultNamespace: string): ManifestContents {
  const file = join(dir, `manifests-${counter++}.yaml`);
  writeFileSync(
    file,
    typeof manifests === 'string' ? manifests : manifests.map((m) => stringify(m)).join('---\n'),
  );
  return loadManifests([file], { defaultNamespace });
}

const merge = (parts: ManifestContents[]): ManifestContents => ({
  namespaces: parts.flatMap((part) => part.namespaces),
  pods: parts.flatMap((part) => part.pods),
  policies: parts.flatMap((part) => part.policies),
  services: parts.flatMap((part) => part.services),
  securityGroupPolicies: parts.flatMap((part) => part.securityGroupPolicies),
  serviceAccounts: Object.assign({}, ...parts.map((part) => part.serviceAccounts)) as Record<
    string,
    Record<string, string>
  >,
  ignored: parts.flatMap((part) => part.ignored),
});

/** The Namespaces and NetworkPolicies ClusterServices registered, as the manifests it applies. */
async function declaredObjects(
  config = settings(PROD, { environments: ['dev', 'prod'] }),
): Promise<Manifest[]> {
  const { run } = await clusterServicesRun(config);
  const objects = [
    ...run.ofType('kubernetes:core/v1:Namespace'),
    ...run.ofType('kubernetes:networking.k8s.io/v1:NetworkPolicy'),
  ].map((resource) => resource.inputs as unknown as Manifest);
  expect(objects.filter((object) => object.kind === 'NetworkPolicy').length).toBeGreaterThan(15);
  return objects;
}

function clusterOf(servicesObjects: Manifest[], extraPods: Manifest[] = []): Cluster {
  const parts = [
    load([...servicesObjects, ...SERVICE_PODS, ...extraPods], 'default'),
    ...Object.values(charts).map((chart) => load(chart.text, chart.namespace)),
  ];
  // The networks (database subnets, pod addresses) of the prod stack, from its configuration.
  return withNetwork(buildCluster(merge(parts), loadClusterModel(MODEL)), PROD_NETWORK);
}

/**
 * A pod, or every address range of a named network (a network the policies split is reached only
 * when all of it is, and counts as unreached only when none of it is).
 */
function endpoints(cluster: Cluster, reference: string): Endpoint[] {
  const analysis = analyze(cluster);
  const network = analysis.ranges.filter((range) => range.networks.includes(reference));
  if (network.length > 0) return network;
  const found = findEndpoint(analysis, reference, 'platform-prod');
  if (!found) throw new Error(`no endpoint ${reference} in the cluster`);
  return [found];
}

function verdict(cluster: Cluster, from: string, to: string, port: number, protocol: Protocol) {
  const verdicts = endpoints(cluster, from).flatMap((source) =>
    endpoints(cluster, to).map((destination) =>
      evaluate(cluster, { from: source, to: destination, port, protocol }),
    ),
  );
  const answer = (side: (v: (typeof verdicts)[number]) => boolean) => {
    const allowed = verdicts.filter(side).length;
    if (allowed !== 0 && allowed !== verdicts.length) {
      throw new Error(`${from} -> ${to} ${port}/${protocol}: allowed for part of the addresses only`);
    }
    return allowed === verdicts.length;
  };
  return { allowed: answer((v) => v.allowed), egress: { allowed: answer((v) => v.egress.allowed) } };
}

/** Whether the connection is allowed at both ends. */
const reaches = (cluster: Cluster, from: string, to: string, port: number, protocol: Protocol = 'TCP') =>
  verdict(cluster, from, to, port, protocol).allowed;

/**
 * Whether the source's own egress policies let the connection out: the cluster services' side of
 * a flow, whatever the chart's ingress rules at the other end say.
 */
const sends = (cluster: Cluster, from: string, to: string, port: number, protocol: Protocol = 'TCP') =>
  verdict(cluster, from, to, port, protocol).egress.allowed;

const CONTROLLER = 'ingress-nginx/ingress-nginx-controller';
const PROMETHEUS = 'monitoring/prometheus';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cluster-policies-'));
  for (const environment of ['dev', 'prod'] as const) {
    const { namespace, text } = await renderChart(environment);
    charts[environment] = { namespace, text };
  }
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the cluster services policies with the prod and dev charts on the EKS model', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = clusterOf(await declaredObjects());
  });

  test.each(['platform-prod', 'platform-dev'])(
    'keep the traffic-flow contract of %s exactly',
    (namespace) => {
      const result = check(cluster, loadContract(CONTRACT, namespace), namespace);
      expect(result.expected.length).toBeGreaterThan(15);
      expect({
        unexpected: result.unexpected,
        missing: result.missing,
        unresolved: result.unresolved,
      }).toEqual({
        unexpected: [],
        missing: [],
        unresolved: [],
      });
      expect(result.ok).toBe(true);
    },
  );

  test.each([['prod-items'], ['prod-auth'], ['prod-discounts'], ['platform-dev/dev-items']])(
    'let Prometheus scrape %s on its management port, never its API port',
    (service) => {
      expect(reaches(cluster, PROMETHEUS, service, 9090)).toBe(true);
      expect(reaches(cluster, PROMETHEUS, service, 8080)).toBe(false);
      // Prometheus's own egress already stops it, not only the chart's ingress rules.
      expect(sends(cluster, PROMETHEUS, service, 8080)).toBe(false);
    },
  );

  test.each([
    ['prod-frontend', 8080, true],
    ['prod-items', 8080, true],
    ['platform-dev/dev-frontend', 8080, true],
    ['prod-items', 9090, false],
    ['platform-dev/dev-mongodb', 27017, false],
    ['platform-other/items', 8080, false],
    ['monitoring/grafana', 3000, true],
    [PROMETHEUS, 9090, true],
    ['monitoring/alertmanager', 9093, false],
    ['database-subnet-a', 27017, false],
    [INTERNET, 443, false],
    [INTERNET, 80, false],
  ] as const)('let the ingress controller reach %s on %i: %s', (destination, port, allowed) => {
    expect(reaches(cluster, CONTROLLER, destination, port)).toBe(allowed);
    expect(sends(cluster, CONTROLLER, destination, port)).toBe(allowed);
  });

  test('admit the load balancer subnets and the clients to the ingress controller on 80 and 443 only', () => {
    for (const port of [80, 443]) expect(reaches(cluster, INTERNET, CONTROLLER, port)).toBe(true);
    expect(reaches(cluster, INTERNET, CONTROLLER, 10254)).toBe(false);
    expect(reaches(cluster, PROMETHEUS, CONTROLLER, 10254)).toBe(true);
    expect(reaches(cluster, 'monitoring/grafana', CONTROLLER, 10254)).toBe(false);
  });

  test('let nothing in the monitoring namespace reach the internet, while its flows inside still work', () => {
    const analysis = analyze(cluster);
    const pairs = allowedPairs(analysis, ['monitoring']);
    const fromMonitoring = pairs.filter((pair) => pair.from.id.startsWith('monitoring/'));
    expect(
      fromMonitoring.filter((pair) => pair.to.kind === 'range' && pair.to.networks.includes(INTERNET)),
    ).toEqual([]);
    const allowed = (from: string, to: string, port: number, protocol: Protocol = 'TCP') => {
      const [source] = endpoints(cluster, from);
      const [destination] = endpoints(cluster, to);
      return source && destination ? analysis.between(source, destination).has(protocol, port) : false;
    };
    expect(allowed('monitoring/grafana', PROMETHEUS, 9090)).toBe(true);
    expect(allowed(PROMETHEUS, 'monitoring/kube-state-metrics', 8080)).toBe(true);
    expect(allowed(PROMETHEUS, 'logging/fluent-bit', 2020)).toBe(true);
    expect(allowed(PROMETHEUS, 'cert-manager/cert-manager', 9402)).toBe(true);
    expect(allowed('monitoring/grafana', 'kube-system/coredns', 53, 'UDP')).toBe(true);
    // From outside the cluster, only the API server's call of the operator's admission webhook: the
    // VPC CIDR is the narrowest block holding the control plane's ENIs, never the internet.
    const fromOutside = pairs.filter((pair) => pair.from.kind === 'range');
    expect([...new Set(fromOutside.map((pair) => `${pair.to.id} ${pair.connections.toString()}`))]).toEqual([
      'monitoring/prometheus-operator TCP 10250',
    ]);
    expect(
      fromOutside.filter(
        (pair) => pair.from.kind === 'range' && (pair.from.first < 0x0a000000 || pair.from.last > 0x0a00ffff),
      ),
    ).toEqual([]);
  });

  test('admit pods through the VPC block only on the control plane ports, and never an application pod', () => {
    // On EKS pods take addresses of the subnets the control plane's ENIs sit in, so the VPC block
    // the cluster services use for the API server and webhooks matches pods too.
    const exact = analyze(cluster);
    const byLabels = analyze(cluster, { ipBlocksMatchPods: false });
    const throughBlocks = allowedPairs(exact).flatMap((pair) => {
      if (pair.from.kind !== 'pod' || pair.to.kind !== 'pod') return [];
      const extra = pair.connections.subtract(byLabels.between(pair.from, pair.to));
      return extra.isEmpty() ? [] : [{ from: pair.from.id, to: pair.to.id, connections: extra }];
    });
    expect(throughBlocks.length).toBeGreaterThan(0);
    const ports = new Set(
      throughBlocks.flatMap(({ connections }) =>
        connections.intervals('TCP').flatMap(([first, last]) => (first === last ? [first] : [-1])),
      ),
    );
    expect([...ports].sort((a, b) => a - b)).toEqual([80, 443, 8443, 9100, 10250]);
    expect(throughBlocks.every(({ connections }) => connections.protocols().join() === 'TCP')).toBe(true);
    expect(
      throughBlocks.filter(
        ({ from, to }) => /^platform-(prod|dev)\//.test(from) || /^platform-(prod|dev)\//.test(to),
      ),
    ).toEqual([]);
  });

  test('keep every other cluster service off the application ports', () => {
    for (const source of [
      'monitoring/grafana',
      'monitoring/alertmanager',
      'cert-manager/cert-manager',
      'logging/fluent-bit',
    ]) {
      for (const port of [8080, 9090]) expect(sends(cluster, source, 'prod-items', port)).toBe(false);
    }
  });

  test('let cert-manager and fluent-bit reach AWS and ACME over HTTPS, and nothing else outside', () => {
    expect(reaches(cluster, 'cert-manager/cert-manager', INTERNET, 443)).toBe(true);
    expect(reaches(cluster, 'cert-manager/cert-manager', INTERNET, 80)).toBe(true);
    expect(reaches(cluster, 'cert-manager/cert-manager', INTERNET, 53, 'UDP')).toBe(false);
    expect(reaches(cluster, 'logging/fluent-bit', INTERNET, 443)).toBe(true);
    expect(reaches(cluster, 'logging/fluent-bit', INTERNET, 80)).toBe(false);
    expect(reaches(cluster, 'cert-manager/cert-manager-webhook', INTERNET, 443)).toBe(false);
  });

  test('are what keeps the ingress controller in: without them it would reach anything', () => {
    const withoutServicePolicies = clusterOf([]);
    expect(reaches(withoutServicePolicies, CONTROLLER, INTERNET, 443)).toBe(true);
    expect(reaches(withoutServicePolicies, PROMETHEUS, INTERNET, 443)).toBe(true);
    expect(reaches(cluster, CONTROLLER, INTERNET, 443)).toBe(false);
    expect(reaches(cluster, PROMETHEUS, INTERNET, 443)).toBe(false);
  });
});

describe('the HTTP-01 solvers while a challenge is open', () => {
  test('are reached by the ingress controller on 8089 only, and reach nothing', async () => {
    const cluster = clusterOf(await declaredObjects(), SOLVER_PODS);
    for (const namespace of ['platform-prod', 'monitoring']) {
      const solver = `${namespace}/cm-acme-http-solver`;
      expect(reaches(cluster, CONTROLLER, solver, 8089)).toBe(true);
      expect(reaches(cluster, INTERNET, solver, 8089)).toBe(false);
      expect(reaches(cluster, 'prod-items', solver, 8089)).toBe(false);
      expect(reaches(cluster, solver, INTERNET, 443)).toBe(false);
      expect(reaches(cluster, solver, 'prod-items', 8080)).toBe(false);
    }
  });

  test('get no opening with DNS-01, where cert-manager asks the name servers instead', async () => {
    const dns01 = settings(PROD, {
      environments: ['dev', 'prod'],
      ingress: { public: false, sourceCidrs: [VPC_CIDR] },
      tls: { challenge: 'dns01', route53ZoneId: 'Z0123456789ABCDEFGHIJ' },
    });
    const objects = await declaredObjects(dns01);
    const duringChallenge = clusterOf(objects, SOLVER_PODS);
    expect(reaches(duringChallenge, CONTROLLER, 'platform-prod/cm-acme-http-solver', 8089)).toBe(false);
    const cluster = clusterOf(objects);
    expect(reaches(cluster, 'cert-manager/cert-manager', INTERNET, 53, 'UDP')).toBe(true);
    expect(reaches(cluster, 'cert-manager/cert-manager', INTERNET, 80)).toBe(false);
    // An internal ingress admits its own load balancer subnets only.
    expect(reaches(cluster, INTERNET, CONTROLLER, 443)).toBe(false);
    expect(reaches(cluster, 'node-subnet-a', CONTROLLER, 443)).toBe(true);
    for (const namespace of ['platform-prod', 'platform-dev']) {
      expect(check(cluster, loadContract(CONTRACT, namespace), namespace).ok).toBe(true);
    }
  });
});

describe("the deployers' Role in an application namespace", () => {
  type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };
  let rules: Rule[];
  beforeAll(async () => {
    const { run } = await clusterServicesRun(settings(PROD, { environments: ['prod'] }));
    const roles = run.ofType('kubernetes:rbac.authorization.k8s.io/v1:Role');
    expect(roles).toHaveLength(1);
    rules = roles[0]!.inputs.rules as Rule[];
  });

  const grants = (group: string, resource: string, verb: string) =>
    rules.some(
      (rule) =>
        rule.apiGroups.includes(group) && rule.resources.includes(resource) && rule.verbs.includes(verb),
    );

  /** The REST resource of a kind: lower case, plural. */
  const resourceOf = (kind: string) => {
    const lower = kind.toLowerCase();
    if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
    return lower.endsWith('s') ? `${lower}es` : `${lower}s`;
  };

  test.each(['dev', 'staging', 'prod'] as const)(
    'lets helm upgrade --install and helm test manage every object the %s chart renders',
    async (environment) => {
      const { manifests } = await renderChart(environment, { withTests: true });
      const hook = (m: Manifest) =>
        Boolean((m.metadata as { annotations?: object }).annotations?.['helm.sh/hook' as never]);
      const kinds = new Map(manifests.map((m) => [`${m.apiVersion} ${m.kind} ${hook(m)}`, m]));
      expect(kinds.size).toBeGreaterThan(8);
      for (const manifest of kinds.values()) {
        const { apiVersion, kind } = manifest;
        const group = apiVersion.includes('/') ? apiVersion.split('/')[0]! : '';
        // Upgrades patch objects in place; hook objects (the test pod) are only created and deleted.
        const verbs = hook(manifest) ? ['get', 'create', 'delete'] : ['get', 'create', 'patch', 'delete'];
        for (const verb of verbs) {
          expect({ kind, verb, granted: grants(group, resourceOf(kind), verb) }).toEqual({
            kind,
            verb,
            granted: true,
          });
        }
      }
      // Helm keeps releases in Secrets; --wait follows ReplicaSets; helm test reads the pod and its log.
      expect(grants('', 'secrets', 'list')).toBe(true);
      expect(grants('apps', 'replicasets', 'list')).toBe(true);
      expect(grants('', 'pods/log', 'get')).toBe(true);
      expect(grants('', 'events', 'list')).toBe(true);
    },
    120_000,
  );
});
