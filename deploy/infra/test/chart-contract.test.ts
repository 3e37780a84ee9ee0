/**
 * The platform's chart, rendered by the pinned helm for every environment, checked against the
 * hand-written contract (deploy/netpol/contract.yaml) on the EKS cluster model, with the networks
 * of the environment's stack (its network model); then broken on purpose, to show that `check`
 * fails and `explain` names the cause. (The security group layer: network-proof.test.ts.)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments, stringify } from 'yaml';
import { repoRoot, toolPath } from '@platform/devstack';
import { runCli } from '@platform/netpol';
import { networkModel, readStackConfig } from '../src/networkModel';

const run = promisify(execFile);
const CHART = join(repoRoot, 'deploy', 'helm', 'platform');
const CONTRACT = join(repoRoot, 'deploy', 'netpol', 'contract.yaml');
const MODEL = join(repoRoot, 'deploy', 'netpol', 'cluster-eks.yaml');
const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;

type Manifest = Record<string, unknown> & { kind: string; metadata: { name: string } };
const rendered = new Map<string, Manifest[]>();
let dir: string;

const networkFile = (environment: string) => join(dir, `network-${environment}.json`);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'netpol-chart-'));
  const helm = await toolPath('helm');
  for (const environment of ENVIRONMENTS) {
    writeFileSync(
      networkFile(environment),
      JSON.stringify(networkModel(readStackConfig(environment), environment)),
    );
    const { stdout } = await run(
      helm,
      ['template', environment, CHART, '-f', join(CHART, `values-${environment}.yaml`), '--skip-tests'],
      { maxBuffer: 32 * 1024 * 1024 },
    );
    rendered.set(
      environment,
      parseAllDocuments(stdout)
        .map((document) => document.toJS() as Manifest | null)
        .filter((object): object is Manifest => object !== null),
    );
  }
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes manifests to a file and runs the CLI on them in the environment's namespace. */
async function cli(environment: string, manifests: Manifest[], ...args: string[]) {
  const file = join(dir, `${environment}-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, manifests.map((manifest) => stringify(manifest)).join('---\n'));
  const out: string[] = [];
  const err: string[] = [];
  const [command = 'check', ...rest] = args;
  const code = await runCli(
    [
      command,
      file,
      '--model',
      MODEL,
      '--network-model',
      networkFile(environment),
      '--namespace',
      `platform-${environment}`,
      ...rest,
    ],
    {
      out: (text) => out.push(text),
      err: (text) => err.push(text),
    },
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const checkContract = (environment: string, manifests: Manifest[]) =>
  cli(environment, manifests, 'check', '--expect', CONTRACT);

const explain = (environment: string, manifests: Manifest[], from: string, to: string, port: string) =>
  cli(environment, manifests, 'explain', '--from', from, '--to', to, '--port', port);

const copy = (environment: string): Manifest[] => structuredClone(rendered.get(environment) ?? []);
const find = (manifests: Manifest[], kind: string, name: string) => {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found as Manifest & { spec: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
};

describe.each(ENVIRONMENTS)('the %s chart', (environment) => {
  it('holds the traffic-flow contract exactly, on every port and address', async () => {
    const result = await checkContract(environment, copy(environment));
    // The one line naming the kinds that carry no pods or policies, and nothing else.
    expect(result.err).toMatch(/^netpol: ignored \d+ object\(s\) that neither make pods .*ConfigMap \(\d+\)/);
    expect(result.err.split('\n')).toHaveLength(1);
    expect(result.out).toMatch(
      /the contract holds on both layers \([^)]*\): \d+ connected pairs, every connection of each in the contract, none missing/,
    );
    expect(result.code).toBe(0);
  });

  it('lets no pod reach any address outside the cluster but the database subnets, and nothing of another environment in', async () => {
    const matrix = await cli(environment, copy(environment), 'matrix', '--format', 'json');
    const { connections } = JSON.parse(matrix.out) as {
      connections: { from: string; to: string; toNetworks?: string[]; fromNetworks?: string[] }[];
    };
    expect(connections.length).toBeGreaterThan(15);
    const outside = connections.filter(
      (pair) => pair.toNetworks && !pair.toNetworks.some((network) => network.startsWith('database-subnet-')),
    );
    expect(outside).toEqual([]);
    expect(
      connections.filter((pair) => pair.fromNetworks || pair.from.startsWith('platform-other/')),
    ).toEqual([]);
    if (environment !== 'dev') {
      // Every piece of the three database subnets, and only there, on 27017 alone.
      const database = connections.filter((pair) => pair.toNetworks);
      expect(new Set(database.map((pair) => pair.to))).toEqual(
        new Set(['10.0.100.0-10.0.100.255', '10.0.200.0-10.0.200.255', '10.0.210.0-10.0.210.255']),
      );
    }
    const fromOther = await explain(
      environment,
      copy(environment),
      'platform-other/items',
      `${environment}-auth`,
      'http',
    );
    expect(fromOther.code).toBe(1);
    expect(fromOther.out).toContain('podSelector only selects pods in namespace');
  });
});

describe('a chart broken on purpose', () => {
  it('a mislabelled pod: check lists the lost flows, explain shows the labels side by side', async () => {
    const manifests = copy('dev');
    const items = find(manifests, 'Deployment', 'dev-items');
    items.spec.template.metadata.labels['app.kubernetes.io/name'] = 'item';
    const result = await checkContract('dev', manifests);
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'group "items" matches nothing: no pod in namespace platform-dev with labels app.kubernetes.io/name=items',
    );
    const why = await explain('dev', manifests, 'dev-discounts', 'dev-items', '8080/TCP');
    expect(why.code).toBe(1);
    expect(why.out).toContain('app.kubernetes.io/name: wants "items", pod has "item"');
  });

  it('the DNS rule removed: every pod loses name resolution, and explain says DNS is not allowed', async () => {
    const manifests = copy('dev').filter((manifest) => manifest.metadata.name !== 'dev-allow-dns');
    const result = await checkContract('dev', manifests);
    expect(result.code).toBe(1);
    expect(result.err).toContain('- platform-dev/dev-frontend -> kube-system/coredns: TCP 53,UDP 53');
    const why = await explain('dev', manifests, 'dev-discounts', 'dev-items', 'http');
    expect(why.code).toBe(0);
    const dns = await explain('dev', manifests, 'dev-items', 'kube-system/coredns', '53/UDP');
    expect(dns.code).toBe(1);
    expect(dns.out).toContain(
      'selects platform-dev/dev-items for egress and has no egress rules (default deny)',
    );
    expect(dns.out).toContain(
      'note: DNS not allowed: platform-dev/dev-items cannot reach kube-system/coredns on 53/UDP',
    );
  });

  it('a port renamed: the contract flow is unresolved and a policy naming the old port matches nothing', async () => {
    const manifests = copy('dev');
    const policy = find(manifests, 'NetworkPolicy', 'dev-items');
    policy.spec.ingress[0].ports = [{ port: 'http', protocol: 'TCP' }];
    expect((await checkContract('dev', manifests)).code).toBe(0); // a named port in the policy is fine...
    const container = find(manifests, 'Deployment', 'dev-items').spec.template.spec.containers[0];
    container.ports[0].name = 'web'; // ...until the pod calls it something else
    const result = await checkContract('dev', manifests);
    expect(result.code).toBe(1);
    expect(result.err).toContain('platform-dev/dev-items declares no port named "http"');
    const why = await explain('dev', manifests, 'dev-discounts', 'dev-items', '8080/TCP');
    expect(why.code).toBe(1);
    expect(why.out).toContain('named port "http" is not declared by platform-dev/dev-items for TCP');
  });

  it('an extra allow: check lists the unexpected flow, explain names the policy and rule that admit it', async () => {
    const manifests = copy('prod');
    manifests.push({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'frontend-to-the-world' },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'frontend' } },
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ port: 443 }] }],
      },
    });
    const result = await checkContract('prod', manifests);
    expect(result.code).toBe(1);
    expect(result.err).toContain('allowed beyond the contract:');
    expect(result.err).toContain(
      '+ platform-prod/prod-frontend -> 0.0.0.0-9.255.255.255 (internet): TCP 443',
    );
    expect(result.err).toContain(
      '+ platform-prod/prod-frontend -> 10.0.100.0-10.0.100.255 (database-subnet-a): TCP 443',
    );
    // Pods have addresses too: an ipBlock over the pod subnets admits them, here another environment's.
    expect(result.err).toContain('+ platform-prod/prod-frontend -> platform-other/items: TCP 443');
    expect(result.err).toContain(
      'note: 8 endpoint(s) without a known address were taken to have one anywhere',
    );
    const toPod = await explain('prod', manifests, 'prod-frontend', 'platform-other/items', '443/TCP');
    expect(toPod.code).toBe(0);
    expect(toPod.out).toContain(
      'platform-other/items is admitted through ipBlock 0.0.0.0/0: its address is unknown and may lie in the pod address ranges the ipBlock overlaps',
    );
    const why = await explain('prod', manifests, 'prod-frontend', '8.8.8.8', '443/TCP');
    expect(why.code).toBe(0);
    expect(why.out).toContain('admitted by platform-prod/frontend-to-the-world egress rule 0');
  });

  it('a wrong namespace selector: Prometheus loses the metrics ports, explain shows the namespace labels', async () => {
    const manifests = copy('staging');
    const policy = find(manifests, 'NetworkPolicy', 'staging-auth');
    const rule = policy.spec.ingress.find(
      (candidate: { ports: { port: number }[] }) => candidate.ports[0]?.port === 9090,
    );
    rule.from[0].namespaceSelector.matchLabels['kubernetes.io/metadata.name'] = 'prometheus';
    const result = await checkContract('staging', manifests);
    expect(result.code).toBe(1);
    expect(result.err).toContain('- monitoring/prometheus -> platform-staging/staging-auth: TCP 9090');
    const why = await explain('staging', manifests, 'monitoring/prometheus', 'staging-auth', 'management');
    expect(why.out).toContain('namespaceSelector does not match namespace "monitoring"');
    expect(why.out).toContain('kubernetes.io/metadata.name: wants "prometheus", namespace has "monitoring"');
  });
});

describe('the EKS profile', () => {
  it.each(ENVIRONMENTS)(
    'finds no risk in the %s chart, its helm test included, and names each one broken on purpose',
    async (environment) => {
      const helm = await toolPath('helm');
      const { stdout } = await run(
        helm,
        ['template', environment, CHART, '-f', join(CHART, `values-${environment}.yaml`)],
        { maxBuffer: 32 * 1024 * 1024 },
      );
      const withTests = parseAllDocuments(stdout)
        .map((document) => document.toJS() as Manifest | null)
        .filter((object): object is Manifest => object !== null);
      const clean = await cli(environment, withTests, 'lint', '--expect', CONTRACT);
      expect(clean.out).toMatch(/: 0 risk\(s\), 0 touching a contract flow/);
      expect(clean.code).toBe(0);

      // A Service port that is not the container port, and the test run as a bare Pod.
      const broken = structuredClone(withTests);
      find(broken, 'Service', `${environment}-items`).spec.ports[0].port = 80;
      const job = find(broken, 'Job', `${environment}-test-ready`);
      broken.push({
        ...job.spec.template,
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { ...job.metadata, labels: job.spec.template.metadata.labels },
      });
      broken.splice(broken.indexOf(job), 1);
      const result = await cli(environment, broken, 'lint', '--expect', CONTRACT);
      expect(result.code).toBe(1);
      expect(result.out).toMatch(
        new RegExp(
          `^! \\[eks/service-port\\] Service platform-${environment}/${environment}-items port http \\(80/TCP\\) forwards to "http" \\(8080\\)`,
          'm',
        ),
      );
      expect(result.out).toMatch(
        new RegExp(
          `^! \\[eks/pod-without-owner\\] platform-${environment}/${environment}-test-ready has no owner reference`,
          'm',
        ),
      );
    },
  );
});
