/**
 * The EKS enforcer and its lint: where the network policy agent and controller enforce otherwise
 * than the Kubernetes API reads a policy, each case against its upstream reading.
 */
import type { Contract } from '../src/contract';
import { analyze, type Enforcer } from '../src/engine';
import { lint, lintEks } from '../src/lint';
import type {
  Cluster,
  ContainerPort,
  Labels,
  NetworkPolicy,
  PodEndpoint,
  PolicyRule,
  Service,
} from '../src/types';

function pod(
  id: string,
  labels: Labels,
  ports: ContainerPort[] = [],
  workloadKind = 'Deployment',
): PodEndpoint {
  const [namespace = '', name = ''] = id.split('/');
  return { kind: 'pod', id, namespace, name, workloadKind, labels, ports };
}

function policy(id: string, spec: Partial<NetworkPolicy>): NetworkPolicy {
  const [namespace = '', name = ''] = id.split('/');
  return { namespace, name, podSelector: {}, policyTypes: ['Ingress'], ingress: [], egress: [], ...spec };
}

const http = (port: number): ContainerPort => ({ name: 'http', containerPort: port, protocol: 'TCP' });
const cluster = (parts: Partial<Cluster>): Cluster => ({
  namespaces: [{ name: 'shop', labels: {} }],
  pods: [],
  externals: [],
  policies: [],
  ...parts,
});
const between = (shop: Cluster, enforcer: Enforcer, from: string, to: string) => {
  const analysis = analyze(shop, { enforcer });
  const endpoint = (id: string) =>
    analysis.cluster.pods.find((candidate) => candidate.id === id) ?? analysis.rangeOf(Number(id));
  return analysis.between(endpoint(from), endpoint(to)).toString();
};

const web = pod('shop/web', { app: 'web' }, [http(8080)]);
const api = pod('shop/api', { app: 'api' }, [http(9000)]);
const client = pod('shop/client', { app: 'client' });

describe('the EKS enforcer', () => {
  it('drops named ports for ipBlock peers: a rule of named ports only admits nothing from the block', () => {
    const shop = cluster({
      pods: [web, client],
      podAddressRanges: ['10.0.0.0/16'],
      policies: [
        policy('shop/web', {
          podSelector: { matchLabels: { app: 'web' } },
          ingress: [
            { peers: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 'http' }] },
          ],
        }),
      ],
    });
    expect(between(shop, 'upstream', 'shop/client', 'shop/web')).toBe('TCP 8080');
    expect(between(shop, 'eks', 'shop/client', 'shop/web')).toBe('No Connections');
    // The same rule with the number works on both.
    const numbered = structuredClone(shop);
    (numbered.policies[0] as NetworkPolicy).ingress = [
      { peers: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ protocol: 'TCP', port: 8080 }] },
    ];
    expect(between(numbered, 'eks', 'shop/client', 'shop/web')).toBe('TCP 8080');
  });

  it('drops named ports of a rule without peers (the agent writes it as 0.0.0.0/0)', () => {
    const rule: PolicyRule = {
      ports: [
        { protocol: 'TCP', port: 'http' },
        { protocol: 'TCP', port: 9090 },
      ],
    };
    const shop = cluster({
      pods: [web, client],
      policies: [policy('shop/web', { podSelector: { matchLabels: { app: 'web' } }, ingress: [rule] })],
    });
    expect(between(shop, 'upstream', 'shop/client', 'shop/web')).toBe('TCP 8080,9090');
    expect(between(shop, 'eks', 'shop/client', 'shop/web')).toBe('TCP 9090');
  });

  it('resolves an ingress named port over every pod the policy selects, and opens the union at each', () => {
    const shop = cluster({
      pods: [web, api, client],
      policies: [
        policy('shop/both', {
          podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'api'] }] },
          ingress: [
            {
              peers: [{ podSelector: { matchLabels: { app: 'client' } } }],
              ports: [{ protocol: 'TCP', port: 'http' }],
            },
          ],
        }),
      ],
    });
    expect(between(shop, 'upstream', 'shop/client', 'shop/web')).toBe('TCP 8080');
    expect(between(shop, 'eks', 'shop/client', 'shop/web')).toBe('TCP 8080,9000');
    expect(lintEks(shop).map((finding) => finding.rule)).toContain('eks/ingress-named-port-union');
  });

  it('applies no policy to a pod without an owner', () => {
    const bare = pod('shop/debug', { app: 'web' }, [http(8080)], 'Pod');
    const shop = cluster({
      pods: [bare, client],
      policies: [policy('shop/deny', { policyTypes: ['Ingress', 'Egress'] })],
    });
    expect(between(shop, 'upstream', 'shop/client', 'shop/debug')).toBe('No Connections');
    expect(between(shop, 'eks', 'shop/client', 'shop/debug')).toBe('No Connections'); // client is isolated
    expect(between(shop, 'eks', 'shop/debug', 'shop/client')).toBe('No Connections');
    const open = cluster({ pods: [bare], policies: shop.policies });
    const analysis = analyze(open, { enforcer: 'eks' });
    const debug = analysis.cluster.pods[0] as PodEndpoint;
    expect(analysis.between(debug, analysis.rangeOf(0x08080808)).isAll()).toBe(true);
    expect(
      analyze(open, { enforcer: 'upstream' }).between(debug, analysis.rangeOf(0x08080808)).isEmpty(),
    ).toBe(true);
  });
});

describe('lint of the EKS profile', () => {
  const service = (spec: Partial<Service>): Service => ({
    namespace: 'shop',
    name: 'web',
    selector: { app: 'web' },
    ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }],
    ...spec,
  });

  it('names an egress rule whose podSelector does not match the Service selector (its ClusterIP is refused)', () => {
    const labelled = pod('shop/web', { app: 'web', tier: 'front' }, [http(8080)]);
    const egress = (matchLabels: Labels): NetworkPolicy =>
      policy('shop/client', {
        podSelector: { matchLabels: { app: 'client' } },
        policyTypes: ['Egress'],
        egress: [{ peers: [{ podSelector: { matchLabels } }], ports: [{ protocol: 'TCP', port: 8080 }] }],
      });
    const wide = cluster({
      pods: [labelled, client],
      services: [service({})],
      policies: [egress({ tier: 'front' })],
    });
    const found = lintEks(wide).filter((finding) => finding.rule === 'eks/service-cluster-ip');
    expect(found).toHaveLength(1);
    expect(found[0]?.message).toContain('shop/client egress[0] reaches the pods of Service shop/web');
    // Selecting by the Service's own selector is fine.
    const same = cluster({
      pods: [labelled, client],
      services: [service({})],
      policies: [egress({ app: 'web' })],
    });
    expect(lintEks(same).some((finding) => finding.rule === 'eks/service-cluster-ip')).toBe(false);
  });

  it('names a Service whose port differs from the container port, by number or by name', () => {
    const shop = cluster({
      pods: [web],
      services: [
        service({ ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] }),
        service({ name: 'named', ports: [{ port: 8080, targetPort: 'http', protocol: 'TCP' }] }),
        // The API server's own Service: no selector, no pod behind it.
        {
          namespace: 'default',
          name: 'kubernetes',
          ports: [{ name: 'https', port: 443, targetPort: 6443, protocol: 'TCP' }],
        },
      ],
    });
    const found = lintEks(shop).filter((finding) => finding.rule === 'eks/service-port');
    expect(found.map((finding) => finding.message)).toEqual([
      expect.stringContaining('Service shop/web port http (80/TCP) forwards to 8080'),
    ]);
  });

  it('counts port/protocol entries per CIDR over every policy, and warns above 24', () => {
    const ports = Array.from({ length: 25 }, (_, index) => ({
      protocol: 'TCP' as const,
      port: 10_000 + index,
    }));
    const shop = cluster({
      pods: [web],
      policies: [
        policy('shop/a', {
          ingress: [{ peers: [{ ipBlock: { cidr: '10.1.0.0/16' } }], ports: ports.slice(0, 13) }],
        }),
        policy('shop/b', {
          ingress: [{ peers: [{ ipBlock: { cidr: '10.1.0.0/16' } }], ports: ports.slice(13) }],
        }),
      ],
    });
    const found = lintEks(shop).filter((finding) => finding.rule === 'eks/port-entries');
    expect(found.map((finding) => finding.message)).toEqual([
      'shop/web ingress: 25 port/protocol entries for 10.1.0.0/16, more than the 24 the agent holds per CIDR',
    ]);
  });

  it('notes the node address and standard mode, and counts only risks on contract flows', () => {
    const bare = pod('shop/debug', { app: 'debug' }, [], 'Pod');
    const shop = cluster({ pods: [web, bare] });
    const rules = lintEks(shop).map((finding) => `${finding.severity} ${finding.rule}`);
    expect(rules).toEqual([
      'risk eks/pod-without-owner',
      'note eks/node-address',
      'note eks/standard-mode-start',
    ]);
    expect(lintEks({ ...shop, enforcingMode: 'strict' }).map((finding) => finding.rule)).not.toContain(
      'eks/standard-mode-start',
    );
    const client2 = pod('shop/client', { app: 'client' });
    const withClient = cluster({ pods: [web, bare, client2] });
    const contract: Contract = {
      scope: ['shop'],
      groups: {
        web: { namespace: 'shop', labels: { app: 'web' } },
        client: { namespace: 'shop', labels: { app: 'client' } },
      },
      allow: [{ from: ['client'], to: ['web'], ports: [{ port: 8080, protocol: 'TCP' }] }],
    };
    // No flow has the bare pod at either end: the risk is printed, but does not fail lint.
    expect(lint(withClient, contract, 'shop').touching).toEqual([]);
    const onFlow: Contract = {
      ...contract,
      groups: { ...contract.groups, client: { namespace: 'shop', labels: { app: 'debug' } } },
    };
    expect(lint(withClient, onFlow, 'shop').touching.map((finding) => finding.rule)).toEqual([
      'eks/pod-without-owner',
    ]);
    expect(lint(shop, undefined, 'shop').touching.map((finding) => finding.rule)).toEqual([
      'eks/pod-without-owner',
    ]);
  });
});
