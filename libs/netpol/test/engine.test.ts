import { cidrContains, cidrsOverlap, parseCidr } from '../src/cidr';
import { analyze } from '../src/engine';
import { describeConnection, evaluate, policiesSelecting } from '../src/explain';
import { explainSelectorMismatch, selectorMatches } from '../src/selectors';
import type {
  Cluster,
  ContainerPort,
  Endpoint,
  AddressRange,
  Labels,
  NetworkPolicy,
  PodEndpoint,
  PolicyPeer,
  PolicyPort,
  PolicyRule,
  Protocol,
} from '../src/types';

function pod(id: string, labels: Labels = {}, ports: ContainerPort[] = []): PodEndpoint {
  const [namespace = '', name = ''] = id.split('/');
  return { kind: 'pod', id, namespace, name, workloadKind: 'Deployment', labels, ports };
}

/** The addresses of a named network, as one range endpoint. */
function external(id: string, cidr: string): AddressRange {
  const { first, last } = parseCidr(cidr);
  return { kind: 'range', id: cidr, first, last, networks: [id] };
}

interface PolicySpec {
  podSelector?: NetworkPolicy['podSelector'];
  policyTypes?: NetworkPolicy['policyTypes'];
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
}

/** policyTypes defaults as the API server's do: Ingress always, Egress when there is an egress rule. */
function policy(id: string, spec: PolicySpec = {}): NetworkPolicy {
  const [namespace = '', name = ''] = id.split('/');
  const policyTypes = spec.policyTypes ?? (spec.egress?.length ? ['Ingress', 'Egress'] : ['Ingress']);
  return {
    namespace,
    name,
    podSelector: spec.podSelector ?? {},
    policyTypes,
    ingress: spec.ingress ?? [],
    egress: spec.egress ?? [],
  };
}

function cluster(parts: Partial<Cluster>): Cluster {
  return { namespaces: [], pods: [], externals: [], policies: [], ...parts };
}

/**
 * The explained verdict on one connection, checked against the exact analysis: every test of a
 * verdict here is also a test of the connection sets `matrix` and `check` use.
 */
function check(
  policies: NetworkPolicy[],
  from: Endpoint,
  to: Endpoint,
  port = 8080,
  protocol: Protocol = 'TCP',
) {
  return evaluated(cluster({ policies }), { from, to, port, protocol });
}

function evaluated(c: Cluster, connection: Parameters<typeof evaluate>[1]) {
  const verdict = evaluate(c, connection);
  const { from, to, port, protocol } = connection;
  const pods = [from, to].filter((endpoint): endpoint is PodEndpoint => endpoint.kind === 'pod');
  const withPods = {
    ...c,
    pods: [...c.pods.filter((candidate) => !pods.some((p) => p.id === candidate.id)), ...pods],
  };
  const analysis = analyze(withPods);
  // A range is allowed when every piece of it is: the explained verdict needs one ipBlock to hold it all.
  const pieces = (endpoint: Endpoint) =>
    endpoint.kind === 'pod'
      ? [endpoint]
      : analysis.ranges.filter((range) => range.last >= endpoint.first && range.first <= endpoint.last);
  const exact = pieces(from).every((source) =>
    pieces(to).every((destination) => analysis.between(source, destination).has(protocol, port)),
  );
  if (from.id !== to.id)
    expect({ exact, connection: describeConnection(connection) }).toEqual({
      exact: verdict.allowed,
      connection: describeConnection(connection),
    });
  return verdict;
}

const app = (name: string): Labels => ({ 'app.kubernetes.io/name': name });
const web = pod('shop/web', app('web'));
const items = pod('shop/items', app('items'), [
  { name: 'http', containerPort: 8080, protocol: 'TCP' },
  { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
  { name: 'dns', containerPort: 5353, protocol: 'UDP' },
]);
const prometheus = pod('monitoring/prometheus', app('prometheus'));
const internet = external('internet', '0.0.0.0/0');
const database = external('database-subnet-a', '10.20.1.0/24');

const denyAll = (id: string, podSelector = {}) =>
  policy(id, { podSelector, policyTypes: ['Ingress', 'Egress'] });
const allowEgress = (id: string, rule: PolicyRule, podSelector = {}) =>
  policy(id, { podSelector, policyTypes: ['Egress'], egress: [rule] });
const allowIngress = (id: string, rule: PolicyRule, podSelector = {}) =>
  policy(id, { podSelector, policyTypes: ['Ingress'], ingress: [rule] });

describe('selectorMatches', () => {
  it('matches everything with an empty selector, even a pod without labels', () => {
    expect(selectorMatches({}, {})).toBe(true);
    expect(selectorMatches({}, { a: 'b' })).toBe(true);
    expect(selectorMatches({ matchLabels: {}, matchExpressions: [] }, { a: 'b' })).toBe(true);
  });

  it('requires every matchLabels entry to be present with the same value', () => {
    const selector = { matchLabels: { app: 'items', tier: 'api' } };
    expect(selectorMatches(selector, { app: 'items', tier: 'api', extra: 'x' })).toBe(true);
    expect(selectorMatches(selector, { app: 'items', tier: 'db' })).toBe(false);
    expect(selectorMatches(selector, { app: 'items' })).toBe(false);
  });

  it('supports In', () => {
    const selector = { matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['a', 'b'] }] };
    expect(selectorMatches(selector, { tier: 'b' })).toBe(true);
    expect(selectorMatches(selector, { tier: 'c' })).toBe(false);
    expect(selectorMatches(selector, {})).toBe(false);
  });

  it('supports NotIn, which holds when the key is absent', () => {
    const selector = { matchExpressions: [{ key: 'tier', operator: 'NotIn' as const, values: ['a', 'b'] }] };
    expect(selectorMatches(selector, { tier: 'c' })).toBe(true);
    expect(selectorMatches(selector, {})).toBe(true);
    expect(selectorMatches(selector, { tier: 'a' })).toBe(false);
  });

  it('supports Exists and DoesNotExist, whatever the value (even empty)', () => {
    const exists = { matchExpressions: [{ key: 'tier', operator: 'Exists' as const }] };
    const absent = { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' as const }] };
    expect(selectorMatches(exists, { tier: '' })).toBe(true);
    expect(selectorMatches(exists, {})).toBe(false);
    expect(selectorMatches(absent, {})).toBe(true);
    expect(selectorMatches(absent, { tier: 'x' })).toBe(false);
  });

  it('ANDs matchLabels with all matchExpressions', () => {
    const selector = {
      matchLabels: { app: 'items' },
      matchExpressions: [
        { key: 'tier', operator: 'Exists' as const },
        { key: 'env', operator: 'NotIn' as const, values: ['dev'] },
      ],
    };
    expect(selectorMatches(selector, { app: 'items', tier: 'api', env: 'prod' })).toBe(true);
    expect(selectorMatches(selector, { app: 'items', tier: 'api', env: 'dev' })).toBe(false);
    expect(selectorMatches(selector, { app: 'items', env: 'prod' })).toBe(false);
    expect(selectorMatches(selector, { app: 'web', tier: 'api' })).toBe(false);
  });

  it('does not read inherited object properties as labels', () => {
    expect(selectorMatches({ matchExpressions: [{ key: 'constructor', operator: 'Exists' }] }, {})).toBe(
      false,
    );
    expect(selectorMatches({ matchExpressions: [{ key: 'toString', operator: 'DoesNotExist' }] }, {})).toBe(
      true,
    );
  });
});

describe('explainSelectorMismatch', () => {
  it('returns nothing when the selector matches', () => {
    expect(explainSelectorMismatch({ matchLabels: { a: 'b' } }, { a: 'b' })).toEqual([]);
  });

  it('shows the wanted and the actual label value side by side', () => {
    expect(explainSelectorMismatch({ matchLabels: app('items') }, app('item'))).toEqual([
      'app.kubernetes.io/name: wants "items", pod has "item"',
    ]);
    expect(explainSelectorMismatch({ matchLabels: app('items') }, {})).toEqual([
      'app.kubernetes.io/name: wants "items", pod has no such label',
    ]);
  });

  it('explains each failed expression operator', () => {
    const reasons = explainSelectorMismatch(
      {
        matchExpressions: [
          { key: 'tier', operator: 'In', values: ['a', 'b'] },
          { key: 'env', operator: 'NotIn', values: ['dev'] },
          { key: 'team', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
          { key: 'zone', operator: 'In', values: ['x'] },
        ],
      },
      { tier: 'c', env: 'dev', legacy: 'yes' },
    );
    expect(reasons).toEqual([
      'tier In [a, b]: pod has "c"',
      'env NotIn [dev]: pod has "dev"',
      'team Exists: pod has no such label',
      'legacy DoesNotExist: pod has "yes"',
      'zone In [x]: pod has no such label',
    ]);
  });

  it('lists matchLabels reasons first and names the subject', () => {
    const reasons = explainSelectorMismatch(
      { matchLabels: { team: 'ops' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
      {},
      'namespace',
    );
    expect(reasons).toEqual([
      'team: wants "ops", namespace has no such label',
      'tier Exists: namespace has no such label',
    ]);
  });
});

describe('cidr', () => {
  it('parses a CIDR into its address range, clearing host bits', () => {
    expect(parseCidr('10.0.0.0/16')).toEqual({
      text: '10.0.0.0/16',
      prefixLength: 16,
      first: 10 * 2 ** 24,
      last: 10 * 2 ** 24 + 65535,
    });
    expect(parseCidr('10.0.3.7/16').text).toBe('10.0.0.0/16');
    expect(parseCidr('255.255.255.255/32')).toMatchObject({ first: 2 ** 32 - 1, last: 2 ** 32 - 1 });
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ first: 0, last: 2 ** 32 - 1 });
  });

  it.each([
    ['10.0.0.0', /expected address\/prefix.*\/32/],
    ['10.0.0.0/33', /prefix length 33 is greater than 32/],
    ['10.0.0.0/x', /prefix length "x"/],
    ['10.0.0.0/', /prefix length ""/],
    ['10.0.256.0/24', /octet 256 is greater than 255/],
    ['10.0.0/24', /four dot-separated octets/],
    ['010.0.0.0/8', /octet "010"/],
    ['10.a.0.0/16', /octet "a"/],
    ['', /invalid IPv4 CIDR ""/],
    ['fd00::/8', /IPv6 is not supported/],
  ])('rejects %j with a clear message', (text, message) => {
    expect(() => parseCidr(text)).toThrow(message);
    expect(() => parseCidr(text)).toThrow(`invalid IPv4 CIDR "${text}"`);
  });

  it('tells whether one range lies entirely inside another', () => {
    expect(cidrContains('10.0.0.0/16', '10.0.5.0/24')).toBe(true);
    expect(cidrContains('10.0.0.0/16', '10.0.0.0/16')).toBe(true);
    expect(cidrContains('10.0.0.0/16', '10.0.255.255/32')).toBe(true);
    expect(cidrContains('10.0.0.0/16', '10.1.0.0/24')).toBe(false);
    expect(cidrContains('10.0.0.0/16', '10.0.0.0/8')).toBe(false);
    expect(cidrContains('10.0.0.0/16', '0.0.0.0/0')).toBe(false);
    expect(cidrContains('0.0.0.0/0', '203.0.113.7/32')).toBe(true);
  });

  it('tells whether two ranges share an address', () => {
    expect(cidrsOverlap('10.0.0.0/8', '10.1.0.0/16')).toBe(true);
    expect(cidrsOverlap('10.1.0.0/16', '10.0.0.0/8')).toBe(true);
    expect(cidrsOverlap('10.0.0.0/24', '10.0.0.255/32')).toBe(true);
    expect(cidrsOverlap('10.0.0.0/24', '10.0.1.0/24')).toBe(false);
    expect(cidrsOverlap('0.0.0.0/0', '192.168.0.0/16')).toBe(true);
  });
});

describe('describeConnection', () => {
  it('names both endpoints, the port and the protocol', () => {
    expect(describeConnection({ from: web, to: items, port: 8080, protocol: 'TCP' })).toBe(
      'shop/web -> shop/items 8080/TCP',
    );
    expect(describeConnection({ from: web, to: internet, port: 443, protocol: 'TCP' })).toBe(
      'shop/web -> 0.0.0.0/0 (internet) 443/TCP',
    );
  });
});

describe('policiesSelecting', () => {
  it('returns the policies of the pod namespace that select it for the direction', () => {
    const ingressOnly = allowIngress('shop/ingress', {});
    const egressOnly = allowEgress('shop/egress', {});
    const both = denyAll('shop/both', { matchLabels: app('web') });
    const otherPod = denyAll('shop/other', { matchLabels: app('items') });
    const otherNamespace = denyAll('monitoring/all');
    const c = cluster({ policies: [ingressOnly, egressOnly, both, otherPod, otherNamespace] });
    expect(policiesSelecting(c, web, 'ingress').map((p) => p.name)).toEqual(['ingress', 'both']);
    expect(policiesSelecting(c, web, 'egress').map((p) => p.name)).toEqual(['egress', 'both']);
  });
});

describe('evaluate: isolation', () => {
  it('allows everything when no policy exists, with both sides not isolated', () => {
    const verdict = check([], web, items);
    expect(verdict.allowed).toBe(true);
    expect(verdict.egress).toEqual({ isolated: false, selectedBy: [], allowed: true, reasons: [] });
    expect(verdict.ingress).toEqual({ isolated: false, selectedBy: [], allowed: true, reasons: [] });
    expect(verdict.connection).toEqual({ from: web, to: items, port: 8080, protocol: 'TCP' });
  });

  it('isolates only the pods a policy selects', () => {
    const policies = [denyAll('shop/deny-items', { matchLabels: app('items') })];
    const toItems = check(policies, web, items);
    expect(toItems.allowed).toBe(false);
    expect(toItems.egress.isolated).toBe(false);
    expect(toItems.ingress).toMatchObject({
      isolated: true,
      selectedBy: ['shop/deny-items'],
      allowed: false,
    });

    const toWeb = check(policies, pod('shop/other'), web);
    expect(toWeb.allowed).toBe(true);
    expect(toWeb.ingress.isolated).toBe(false);
  });

  it('selects every pod of its namespace with an empty podSelector', () => {
    const policies = [denyAll('shop/deny-all')];
    expect(check(policies, web, items).ingress.isolated).toBe(true);
    expect(check(policies, items, web).ingress.isolated).toBe(true);
    expect(check(policies, pod('shop/unlabelled'), web).egress.isolated).toBe(true);
  });

  it('never isolates pods of another namespace', () => {
    const verdict = check([denyAll('monitoring/deny-all')], web, items);
    expect(verdict.allowed).toBe(true);
    expect(verdict.egress.isolated).toBe(false);
    expect(verdict.ingress.isolated).toBe(false);
  });

  it('isolates per direction: an Egress-only policy leaves ingress open', () => {
    const policies = [policy('shop/egress-deny', { policyTypes: ['Egress'] })];
    const verdict = check(policies, prometheus, items);
    expect(verdict.allowed).toBe(true);
    expect(verdict.ingress).toMatchObject({ isolated: false, allowed: true });

    const outgoing = check(policies, items, prometheus);
    expect(outgoing.allowed).toBe(false);
    expect(outgoing.egress).toMatchObject({ isolated: true, selectedBy: ['shop/egress-deny'] });
  });

  it('isolates per direction: an Ingress-only policy leaves egress open', () => {
    const verdict = check([policy('shop/ingress-deny')], items, prometheus);
    expect(verdict.allowed).toBe(true);
    expect(verdict.egress.isolated).toBe(false);
  });

  it('ignores egress rules of a policy whose policyTypes lack Egress', () => {
    const ignored = policy('shop/p', {
      policyTypes: ['Ingress'],
      egress: [{ peers: [{ podSelector: { matchLabels: app('none') } }] }],
    });
    const verdict = check([ignored], items, web);
    expect(verdict.egress.isolated).toBe(false);
    expect(verdict.ingress).toMatchObject({ isolated: true, allowed: false });
  });

  it('explains default deny when a selecting policy has no rules for the direction', () => {
    const verdict = check([denyAll('shop/deny-all')], web, items);
    expect(verdict.egress.reasons).toEqual([
      'policy shop/deny-all selects shop/web for egress and has no egress rules (default deny)',
    ]);
    expect(verdict.ingress.reasons).toEqual([
      'policy shop/deny-all selects shop/items for ingress and has no ingress rules (default deny)',
    ]);
  });

  it('requires both egress at the source and ingress at the destination', () => {
    const egressOpen = allowEgress('shop/web-out', {}, { matchLabels: app('web') });
    const itemsClosed = policy('shop/items-in', { podSelector: { matchLabels: app('items') } });
    const verdict = check([egressOpen, itemsClosed], web, items);
    expect(verdict.egress).toMatchObject({ allowed: true, isolated: true });
    expect(verdict.ingress).toMatchObject({ allowed: false, isolated: true });
    expect(verdict.allowed).toBe(false);

    const egressClosed = policy('shop/web-out', {
      podSelector: { matchLabels: app('web') },
      policyTypes: ['Egress'],
    });
    const itemsOpen = allowIngress('shop/items-in', {}, { matchLabels: app('items') });
    const reverse = check([egressClosed, itemsOpen], web, items);
    expect(reverse.egress.allowed).toBe(false);
    expect(reverse.ingress.allowed).toBe(true);
    expect(reverse.allowed).toBe(false);
  });
});

describe('evaluate: unions', () => {
  it('allows when any selecting policy admits, even if another denies all', () => {
    const policies = [
      denyAll('shop/deny-all'),
      allowIngress('shop/allow-web', { peers: [{ podSelector: {} }] }),
    ];
    const verdict = check(policies, web, items);
    expect(verdict.ingress).toEqual({
      isolated: true,
      selectedBy: ['shop/deny-all', 'shop/allow-web'],
      allowed: true,
      admittedBy: { policy: 'shop/allow-web', direction: 'ingress', ruleIndex: 0 },
      reasons: [],
    });
  });

  it('allows when any rule of a policy admits and reports which one', () => {
    const p = policy('shop/p', {
      ingress: [
        { peers: [{ podSelector: { matchLabels: app('nobody') } }] },
        { peers: [{ podSelector: { matchLabels: app('web') } }] },
      ],
    });
    expect(check([p], web, items).ingress.admittedBy).toEqual({
      policy: 'shop/p',
      direction: 'ingress',
      ruleIndex: 1,
    });
  });

  it('gives one reason per selecting policy and rule when nothing admits', () => {
    const policies = [
      policy('shop/a', {
        ingress: [{ ports: [{ protocol: 'TCP', port: 1 }] }, { ports: [{ protocol: 'TCP', port: 2 }] }],
      }),
      denyAll('shop/b'),
      policy('shop/c', { ingress: [{ ports: [{ protocol: 'TCP', port: 3 }] }] }),
    ];
    const verdict = check(policies, web, items);
    expect(verdict.ingress.admittedBy).toBeUndefined();
    expect(verdict.ingress.reasons).toEqual([
      'policy shop/a ingress rule 0: port 8080/TCP not in [1/TCP]',
      'policy shop/a ingress rule 1: port 8080/TCP not in [2/TCP]',
      'policy shop/b selects shop/items for ingress and has no ingress rules (default deny)',
      'policy shop/c ingress rule 0: port 8080/TCP not in [3/TCP]',
    ]);
  });
});

describe('evaluate: pod and namespace peers', () => {
  const namespaces = [
    { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop', team: 'shop' } },
    { name: 'monitoring', labels: { 'kubernetes.io/metadata.name': 'monitoring', team: 'ops' } },
  ];
  const run = (peers: PolicyPeer[], from: Endpoint) =>
    evaluated(cluster({ namespaces, policies: [allowIngress('shop/p', { peers })] }), {
      from,
      to: items,
      port: 8080,
      protocol: 'TCP',
    });
  const otherWeb = pod('monitoring/web', app('web'));

  it('podSelector alone matches pods of the policy namespace only', () => {
    const peers = [{ podSelector: { matchLabels: app('web') } }];
    expect(run(peers, web).allowed).toBe(true);
    const verdict = run(peers, otherWeb);
    expect(verdict.allowed).toBe(false);
    expect(verdict.ingress.reasons).toEqual([
      'policy shop/p ingress rule 0: peer 0 podSelector only selects pods in namespace "shop", monitoring/web is in "monitoring"',
    ]);
  });

  it('explains a podSelector that does not match the pod labels', () => {
    const verdict = run([{ podSelector: { matchLabels: app('webz') } }], web);
    expect(verdict.ingress.reasons).toEqual([
      'policy shop/p ingress rule 0: peer 0 podSelector does not match shop/web: app.kubernetes.io/name: wants "webz", pod has "web"',
    ]);
  });

  it('podSelector {} matches every pod of the policy namespace only', () => {
    expect(run([{ podSelector: {} }], web).allowed).toBe(true);
    expect(run([{ podSelector: {} }], prometheus).allowed).toBe(false);
  });

  it('supports matchExpressions in peers', () => {
    const peers = [
      {
        podSelector: {
          matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'NotIn' as const, values: ['web'] }],
        },
      },
    ];
    expect(run(peers, pod('shop/batch', app('batch'))).allowed).toBe(true);
    expect(run(peers, pod('shop/bare')).allowed).toBe(true);
    const verdict = run(peers, web);
    expect(verdict.ingress.reasons[0]).toContain('app.kubernetes.io/name NotIn [web]: pod has "web"');
  });

  it('namespaceSelector alone matches every pod of the matching namespaces', () => {
    const peers = [{ namespaceSelector: { matchLabels: { team: 'ops' } } }];
    expect(run(peers, prometheus).allowed).toBe(true);
    expect(run(peers, otherWeb).allowed).toBe(true);
    const verdict = run(peers, web);
    expect(verdict.allowed).toBe(false);
    expect(verdict.ingress.reasons).toEqual([
      'policy shop/p ingress rule 0: peer 0 namespaceSelector does not match namespace "shop" ' +
        '(labels kubernetes.io/metadata.name=shop, team=shop): team: wants "ops", namespace has "shop"',
    ]);
  });

  it('namespaceSelector {} matches pods of all namespaces, including undeclared ones', () => {
    const peers = [{ namespaceSelector: {} }];
    expect(run(peers, prometheus).allowed).toBe(true);
    expect(run(peers, web).allowed).toBe(true);
    expect(run(peers, pod('elsewhere/x')).allowed).toBe(true);
  });

  it('matches a namespace by kubernetes.io/metadata.name, even one absent from cluster.namespaces', () => {
    const peers = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'payments' } } }];
    expect(run(peers, pod('payments/api')).allowed).toBe(true);
    const verdict = run([{ namespaceSelector: { matchLabels: { team: 'payments' } } }], pod('payments/api'));
    expect(verdict.ingress.reasons).toEqual([
      'policy shop/p ingress rule 0: peer 0 namespaceSelector does not match namespace "payments" ' +
        '(labels kubernetes.io/metadata.name=payments): team: wants "payments", namespace has no such label',
    ]);
  });

  it('adds kubernetes.io/metadata.name to a declared namespace that lacks it', () => {
    const c = cluster({
      namespaces: [{ name: 'monitoring', labels: { team: 'ops' } }],
      policies: [
        allowIngress('shop/p', {
          peers: [
            {
              namespaceSelector: {
                matchLabels: { 'kubernetes.io/metadata.name': 'monitoring', team: 'ops' },
              },
            },
          ],
        }),
      ],
    });
    expect(evaluated(c, { from: prometheus, to: items, port: 8080, protocol: 'TCP' }).allowed).toBe(true);
  });

  it('ANDs namespaceSelector and podSelector in one peer', () => {
    const peers = [
      {
        namespaceSelector: { matchLabels: { team: 'ops' } },
        podSelector: { matchLabels: app('prometheus') },
      },
    ];
    expect(run(peers, prometheus).allowed).toBe(true);
    const wrongPod = run(peers, otherWeb);
    expect(wrongPod.allowed).toBe(false);
    expect(wrongPod.ingress.reasons).toEqual([
      'policy shop/p ingress rule 0: peer 0 podSelector does not match monitoring/web: ' +
        'app.kubernetes.io/name: wants "prometheus", pod has "web"',
    ]);
    const wrongNamespace = run(peers, pod('shop/prometheus', app('prometheus')));
    expect(wrongNamespace.allowed).toBe(false);
    expect(wrongNamespace.ingress.reasons[0]).toContain(
      'peer 0 namespaceSelector does not match namespace "shop"',
    );
  });

  it('reports both halves of an AND peer when both fail', () => {
    const peers = [
      {
        namespaceSelector: { matchLabels: { team: 'ops' } },
        podSelector: { matchLabels: app('prometheus') },
      },
    ];
    expect(run(peers, web).ingress.reasons[0]).toMatch(
      /peer 0 namespaceSelector does not match namespace "shop" .* and podSelector does not match shop\/web: /,
    );
  });

  it('ORs separate peers', () => {
    const peers = [
      { namespaceSelector: { matchLabels: { team: 'ops' } } },
      { podSelector: { matchLabels: app('web') } },
    ];
    expect(run(peers, prometheus).allowed).toBe(true);
    expect(run(peers, web).allowed).toBe(true);
    const verdict = run(peers, pod('shop/batch', app('batch')));
    expect(verdict.allowed).toBe(false);
    expect(verdict.ingress.reasons).toHaveLength(1);
    expect(verdict.ingress.reasons[0]).toMatch(
      /^policy shop\/p ingress rule 0: peer 0 namespaceSelector does not match .*; peer 1 podSelector does not match shop\/batch: /,
    );
  });

  it('uses the policy namespace for podSelector peers, not the other pod namespace', () => {
    const c = cluster({
      policies: [
        allowEgress('monitoring/scrape', { peers: [{ podSelector: { matchLabels: app('items') } }] }),
      ],
    });
    const verdict = evaluated(c, { from: prometheus, to: items, port: 8080, protocol: 'TCP' });
    expect(verdict.egress.allowed).toBe(false);
    expect(verdict.egress.reasons[0]).toContain('podSelector only selects pods in namespace "monitoring"');
  });
});

describe('evaluate: rules without peers or ports', () => {
  it('admits every source, including external addresses, when peers are absent or empty', () => {
    for (const rule of [{}, { peers: [] }]) {
      const policies = [allowIngress('shop/p', rule)];
      expect(check(policies, web, items).allowed).toBe(true);
      expect(check(policies, prometheus, items).allowed).toBe(true);
      expect(check(policies, internet, items).allowed).toBe(true);
    }
  });

  it('admits every destination, including the internet, when egress peers are absent', () => {
    expect(check([allowEgress('shop/p', {})], web, internet, 443).allowed).toBe(true);
  });

  it('admits every port and protocol when ports are absent or empty', () => {
    for (const rule of [{}, { ports: [] }]) {
      const policies = [allowIngress('shop/p', { peers: [{ podSelector: {} }], ...rule })];
      expect(check(policies, web, items, 1, 'TCP').allowed).toBe(true);
      expect(check(policies, web, items, 53, 'UDP').allowed).toBe(true);
      expect(check(policies, web, items, 65535, 'SCTP').allowed).toBe(true);
    }
  });

  it('reports both the peer and the port problem of one rule', () => {
    const policies = [
      allowIngress('shop/p', {
        peers: [{ podSelector: { matchLabels: app('x') } }],
        ports: [{ protocol: 'TCP', port: 1 }],
      }),
    ];
    expect(check(policies, web, items).ingress.reasons).toEqual([
      'policy shop/p ingress rule 0: peer 0 podSelector does not match shop/web: ' +
        'app.kubernetes.io/name: wants "x", pod has "web"; port 8080/TCP not in [1/TCP]',
    ]);
  });
});

describe('evaluate: ports', () => {
  const ingressOn = (...ports: PolicyPort[]) => [allowIngress('shop/p', { ports })];

  it('matches a numeric port exactly', () => {
    const policies = ingressOn({ protocol: 'TCP', port: 8080 });
    expect(check(policies, web, items, 8080).allowed).toBe(true);
    const verdict = check(policies, web, items, 8081);
    expect(verdict.allowed).toBe(false);
    expect(verdict.ingress.reasons).toEqual([
      'policy shop/p ingress rule 0: port 8081/TCP not in [8080/TCP]',
    ]);
  });

  it('matches an inclusive endPort range', () => {
    const policies = ingressOn({ protocol: 'TCP', port: 9000, endPort: 9100 });
    expect(check(policies, web, items, 9000).allowed).toBe(true);
    expect(check(policies, web, items, 9050).allowed).toBe(true);
    expect(check(policies, web, items, 9100).allowed).toBe(true);
    expect(check(policies, web, items, 8999).allowed).toBe(false);
    const verdict = check(policies, web, items, 9101);
    expect(verdict.ingress.reasons).toEqual([
      'policy shop/p ingress rule 0: port 9101/TCP not in [9000-9100/TCP]',
    ]);
  });

  it('matches every port of the protocol when only the protocol is given', () => {
    const policies = ingressOn({ protocol: 'UDP' });
    expect(check(policies, web, items, 53, 'UDP').allowed).toBe(true);
    expect(check(policies, web, items, 5353, 'UDP').allowed).toBe(true);
    const verdict = check(policies, web, items, 53, 'TCP');
    expect(verdict.allowed).toBe(false);
    expect(verdict.ingress.reasons).toEqual(['policy shop/p ingress rule 0: protocol TCP not in [UDP]']);
  });

  it('never treats UDP or SCTP as TCP', () => {
    const tcp = ingressOn({ protocol: 'TCP', port: 53 });
    expect(check(tcp, web, items, 53, 'UDP').ingress.reasons).toEqual([
      'policy shop/p ingress rule 0: protocol UDP not in [TCP]',
    ]);
    expect(check(tcp, web, items, 53, 'SCTP').allowed).toBe(false);
    const udp = ingressOn({ protocol: 'UDP', port: 53 }, { protocol: 'SCTP', port: 53 });
    expect(check(udp, web, items, 53, 'TCP').ingress.reasons).toEqual([
      'policy shop/p ingress rule 0: protocol TCP not in [UDP, SCTP]',
    ]);
    expect(check(udp, web, items, 53, 'SCTP').allowed).toBe(true);
  });

  it('lists every port entry when the protocol matches but the port does not', () => {
    const policies = ingressOn({ protocol: 'TCP', port: 9090 }, { protocol: 'UDP', port: 8080 });
    expect(check(policies, web, items, 8080, 'TCP').ingress.reasons).toEqual([
      'policy shop/p ingress rule 0: port 8080/TCP not in [9090/TCP, 8080/UDP]',
    ]);
  });

  it('resolves a named port against the destination pod for ingress', () => {
    const policies = ingressOn({ protocol: 'TCP', port: 'metrics' });
    expect(check(policies, web, items, 9090).allowed).toBe(true);
    const verdict = check(policies, web, items, 8080);
    expect(verdict.allowed).toBe(false);
    expect(verdict.ingress.reasons).toEqual([
      'policy shop/p ingress rule 0: port 8080/TCP not in ["metrics"=9090/TCP]',
    ]);
  });

  it('resolves a named port against the destination pod for egress, not the selected source', () => {
    const source = pod('shop/scraper', app('scraper'), [
      { name: 'metrics', containerPort: 7000, protocol: 'TCP' },
    ]);
    const policies = [allowEgress('shop/p', { ports: [{ protocol: 'TCP', port: 'metrics' }] })];
    expect(check(policies, source, items, 9090).allowed).toBe(true);
    expect(check(policies, source, items, 7000).allowed).toBe(false);
  });

  it('requires the named port to be declared with the same protocol', () => {
    const policies = ingressOn({ protocol: 'TCP', port: 'dns' });
    const verdict = check(policies, web, items, 5353, 'TCP');
    expect(verdict.allowed).toBe(false);
    expect(verdict.ingress.reasons).toEqual([
      'policy shop/p ingress rule 0: port 5353/TCP not in ["dns"/TCP]; named port "dns" is not declared by shop/items ' +
        'for TCP (declares http=8080/TCP, metrics=9090/TCP, dns=5353/UDP)',
    ]);
    expect(check(ingressOn({ protocol: 'UDP', port: 'dns' }), web, items, 5353, 'UDP').allowed).toBe(true);
  });

  it('matches nothing when the destination does not declare the named port', () => {
    const bare = pod('shop/bare', app('bare'));
    const policies = [allowIngress('shop/p', { ports: [{ protocol: 'TCP', port: 'http' }] })];
    const verdict = check(policies, web, bare, 8080);
    expect(verdict.allowed).toBe(false);
    expect(verdict.ingress.reasons).toEqual([
      'policy shop/p ingress rule 0: port 8080/TCP not in ["http"/TCP]; named port "http" is not declared by shop/bare ' +
        'for TCP (declares no ports)',
    ]);
  });

  it('never resolves a named port against an external destination', () => {
    const policies = [allowEgress('shop/p', { ports: [{ protocol: 'TCP', port: 'https' }] })];
    const verdict = check(policies, web, internet, 443);
    expect(verdict.allowed).toBe(false);
    expect(verdict.egress.reasons[0]).toContain(
      'named port "https" is not declared by 0.0.0.0/0 (internet) for TCP: named ports only resolve against pods',
    );
  });

  it('admits when any port entry matches', () => {
    const policies = ingressOn({ protocol: 'TCP', port: 'nope' }, { protocol: 'TCP', port: 8080 });
    expect(check(policies, web, items, 8080).allowed).toBe(true);
  });
});

describe('evaluate: external endpoints and ipBlock', () => {
  const egressTo = (ipBlock: PolicyPeer['ipBlock']) => [allowEgress('shop/p', { peers: [{ ipBlock }] })];

  it('does not subject the external side to policies', () => {
    const verdict = check([allowEgress('shop/p', {})], web, internet, 443);
    expect(verdict.ingress).toEqual({ isolated: false, selectedBy: [], allowed: true, reasons: [] });
    const incoming = check([policy('shop/p', { policyTypes: ['Egress'] })], internet, items);
    expect(incoming.egress.isolated).toBe(false);
    expect(incoming.allowed).toBe(true);
  });

  it('allows egress to a CIDR inside the ipBlock', () => {
    const verdict = check(egressTo({ cidr: '10.20.0.0/16' }), web, database, 5432);
    expect(verdict.allowed).toBe(true);
    expect(verdict.egress.admittedBy).toEqual({ policy: 'shop/p', direction: 'egress', ruleIndex: 0 });
  });

  it('does not treat the internet as contained by a /16', () => {
    const verdict = check(egressTo({ cidr: '10.0.0.0/16' }), web, internet, 443);
    expect(verdict.allowed).toBe(false);
    expect(verdict.egress.reasons).toEqual([
      'policy shop/p egress rule 0: peer 0 ipBlock 10.0.0.0/16 does not contain 0.0.0.0/0 (internet)',
    ]);
  });

  it('requires the whole external CIDR to be inside the ipBlock', () => {
    const wide = external('wide', '10.20.0.0/15');
    expect(check(egressTo({ cidr: '10.20.0.0/16' }), web, wide).allowed).toBe(false);
  });

  it('refuses an external CIDR that overlaps an except entry', () => {
    const policies = egressTo({ cidr: '10.0.0.0/8', except: ['10.99.0.0/16', '10.20.1.128/25'] });
    const verdict = check(policies, web, database, 5432);
    expect(verdict.allowed).toBe(false);
    expect(verdict.egress.reasons).toEqual([
      'policy shop/p egress rule 0: peer 0 ipBlock 10.0.0.0/8 except 10.99.0.0/16, 10.20.1.128/25 does not contain 10.20.1.0/24 (database-subnet-a)',
    ]);
  });

  it('allows an external CIDR that overlaps no except entry', () => {
    const policies = egressTo({
      cidr: '0.0.0.0/0',
      except: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'],
    });
    expect(check(policies, web, external('api', '203.0.113.0/24'), 443).allowed).toBe(true);
    expect(check(policies, web, database, 5432).allowed).toBe(false);
  });

  it('matches a pod through an ipBlock holding its address, as Kubernetes does', () => {
    const addressed = { ...items, addresses: ['10.0.3.7'] };
    const verdict = check(egressTo({ cidr: '10.0.0.0/16' }), web, addressed);
    expect(verdict.allowed).toBe(true);
    expect(verdict.egress.admittedThrough).toBe(
      'shop/items is admitted through ipBlock 10.0.0.0/16, which holds its address (10.0.3.7)',
    );
    expect(
      check(egressTo({ cidr: '10.0.0.0/16', except: ['10.0.3.0/24'] }), web, addressed).egress.reasons,
    ).toEqual([
      "policy shop/p egress rule 0: peer 0 ipBlock 10.0.0.0/16 except 10.0.3.0/24 holds none of shop/items's addresses (10.0.3.7)",
    ]);
  });

  it('says how it treats a pod of unknown address: unmatched, or anywhere in the pod ranges', () => {
    const verdict = check(egressTo({ cidr: '0.0.0.0/0' }), web, items);
    expect(verdict.allowed).toBe(false);
    expect(verdict.egress.reasons).toEqual([
      'policy shop/p egress rule 0: peer 0 ipBlock 0.0.0.0/0: shop/items has no known address and the cluster model gives no pod address ranges',
    ]);
    const withRanges = cluster({
      policies: egressTo({ cidr: '10.0.0.0/8' }),
      podAddressRanges: ['10.0.0.0/19'],
    });
    expect(evaluated(withRanges, { from: web, to: items, port: 8080, protocol: 'TCP' }).allowed).toBe(true);
    const elsewhere = cluster({
      policies: egressTo({ cidr: '192.168.0.0/16' }),
      podAddressRanges: ['10.0.0.0/19'],
    });
    expect(
      evaluated(elsewhere, { from: web, to: items, port: 8080, protocol: 'TCP' }).egress.reasons,
    ).toEqual([
      "policy shop/p egress rule 0: peer 0 ipBlock 192.168.0.0/16 does not overlap the pod address ranges (10.0.0.0-10.0.31.255) where shop/items's unknown address lies",
    ]);
  });

  it('ignores pod addresses when asked to, as np-guard/netpol-analyzer does', () => {
    const addressed = { ...items, addresses: ['10.0.3.7'] };
    const c = cluster({ policies: egressTo({ cidr: '10.0.0.0/16' }), pods: [web, addressed] });
    const connection = { from: web, to: addressed, port: 8080, protocol: 'TCP' as const };
    expect(evaluate(c, connection, { ipBlocksMatchPods: false }).allowed).toBe(false);
    expect(analyze(c, { ipBlocksMatchPods: false }).between(web, addressed).isEmpty()).toBe(true);
    expect(analyze(c).between(web, addressed).toString()).toBe('All Connections');
  });

  it('never matches an external endpoint with pod or namespace selectors', () => {
    const policies = [allowEgress('shop/p', { peers: [{ namespaceSelector: {} }, { podSelector: {} }] })];
    const verdict = check(policies, web, internet, 443);
    expect(verdict.allowed).toBe(false);
    expect(verdict.egress.reasons).toEqual([
      'policy shop/p egress rule 0: peer 0 namespaceSelector never matches external endpoint 0.0.0.0/0 (internet); ' +
        'peer 1 podSelector never matches external endpoint 0.0.0.0/0 (internet)',
    ]);
    const both = [allowEgress('shop/p', { peers: [{ namespaceSelector: {}, podSelector: {} }] })];
    expect(check(both, web, internet, 443).egress.reasons[0]).toContain(
      'peer 0 namespaceSelector+podSelector never matches',
    );
  });

  it('admits ingress from an external source inside the ipBlock', () => {
    const policies = [allowIngress('shop/p', { peers: [{ ipBlock: { cidr: '10.20.0.0/16' } }] })];
    expect(check(policies, database, items).allowed).toBe(true);
    expect(check(policies, internet, items).allowed).toBe(false);
  });

  it('combines ipBlock and port checks for external destinations', () => {
    const policies = [
      allowEgress('shop/p', {
        peers: [{ ipBlock: { cidr: '10.20.0.0/16' } }],
        ports: [{ protocol: 'TCP', port: 5432 }],
      }),
    ];
    expect(check(policies, web, database, 5432).allowed).toBe(true);
    expect(check(policies, web, database, 3306).egress.reasons).toEqual([
      'policy shop/p egress rule 0: port 3306/TCP not in [5432/TCP]',
    ]);
  });
});

describe('evaluate: invalid input', () => {
  it('throws with the rule location on an invalid ipBlock CIDR', () => {
    const policies = [allowEgress('shop/p', { peers: [{ ipBlock: { cidr: '10.0.0.0/40' } }] })];
    expect(() => check(policies, web, database)).toThrow(
      'policy shop/p egress rule 0: invalid IPv4 CIDR "10.0.0.0/40": prefix length 40 is greater than 32',
    );
  });

  it('throws on peers Kubernetes would reject', () => {
    const combined = [
      allowEgress('shop/p', { peers: [{ ipBlock: { cidr: '10.0.0.0/8' }, podSelector: {} }] }),
    ];
    expect(() => check(combined, web, database)).toThrow(
      'policy shop/p egress rule 0: peer 0 combines ipBlock with a selector',
    );
    const empty = [allowEgress('shop/p', { peers: [{}] })];
    expect(() => check(empty, web, database)).toThrow(
      'peer 0 sets none of podSelector, namespaceSelector and ipBlock',
    );
  });

  it('throws on endPort without a numeric port, or below the port', () => {
    const named = [allowIngress('shop/p', { ports: [{ protocol: 'TCP', port: 'http', endPort: 9000 }] })];
    expect(() => check(named, web, items)).toThrow(
      'policy shop/p ingress rule 0: endPort 9000 requires a numeric port',
    );
    const reversed = [allowIngress('shop/p', { ports: [{ protocol: 'TCP', port: 9000, endPort: 8000 }] })];
    expect(() => check(reversed, web, items)).toThrow('endPort 8000 is below port 9000');
    const outOfRange = [allowIngress('shop/p', { ports: [{ protocol: 'TCP', port: 70000 }] })];
    expect(() => check(outOfRange, web, items)).toThrow('port 70000 is not an integer from 1 to 65535');
  });
});
