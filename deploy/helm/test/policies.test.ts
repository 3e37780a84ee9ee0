import {
  ENVIRONMENTS,
  named,
  ofKind,
  podsOf,
  render,
  type Environment,
  type K8sObject,
  type LabelSelector,
  type PolicyPeer,
  type PolicyRule,
} from './chart';
import { selectorMatches as selects } from '@platform/netpol';

interface PolicySpec {
  podSelector: LabelSelector;
  policyTypes: string[];
  ingress?: PolicyRule[];
  egress?: PolicyRule[];
}

const DATABASE_CIDRS = ['10.0.100.0/24', '10.0.200.0/24', '10.0.210.0/24'];
const rendered = new Map<Environment, K8sObject[]>();

beforeAll(async () => {
  for (const environment of ENVIRONMENTS) rendered.set(environment, await render(environment));
}, 120_000);

const objects = (environment: Environment) => rendered.get(environment) ?? [];
const policies = (environment: Environment) =>
  ofKind(objects(environment), 'NetworkPolicy').filter(
    (policy) => !policy.metadata.annotations?.['helm.sh/hook'],
  );
const specOf = (policy: K8sObject) => policy.spec as PolicySpec;

/** A peer in words: `pod:items`, `ns:monitoring/pod:prometheus`, `cidr:10.0.100.0/24`. */
function describePeer(peer: PolicyPeer): string {
  if (peer.ipBlock) return `cidr:${peer.ipBlock.cidr}`;
  const parts: string[] = [];
  if (peer.namespaceSelector) {
    parts.push(
      `ns:${peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'] ?? JSON.stringify(peer.namespaceSelector)}`,
    );
  }
  if (peer.podSelector) {
    const labels = peer.podSelector.matchLabels ?? {};
    parts.push(
      `pod:${labels['app.kubernetes.io/name'] ?? labels['k8s-app'] ?? JSON.stringify(peer.podSelector)}`,
    );
  }
  return parts.join('/');
}

/** Every (peer, port) a policy's rules in one direction allow, as sorted strings. */
function allowed(rules: PolicyRule[] | undefined, direction: 'from' | 'to'): string[] {
  return (rules ?? [])
    .flatMap((rule) =>
      (rule[direction] ?? []).flatMap((peer) =>
        (rule.ports ?? []).map((port) => `${describePeer(peer)} ${port.port}/${port.protocol}`),
      ),
    )
    .sort();
}

const INGRESS_CONTROLLER = 'ns:ingress-nginx/pod:ingress-nginx';
const PROMETHEUS = 'ns:monitoring/pod:prometheus';

function expectedFlows(environment: Environment): Record<string, { ingress: string[]; egress: string[] }> {
  const database =
    environment === 'dev'
      ? ['pod:mongodb 27017/TCP']
      : DATABASE_CIDRS.map((cidr) => `cidr:${cidr} 27017/TCP`);
  const flows: Record<string, { ingress: string[]; egress: string[] }> = {
    frontend: { ingress: [`${INGRESS_CONTROLLER} 8080/TCP`], egress: [] },
    auth: {
      ingress: [
        `${INGRESS_CONTROLLER} 8080/TCP`,
        `${PROMETHEUS} 9090/TCP`,
        'pod:discounts 8080/TCP',
        'pod:items 8080/TCP',
      ],
      egress: database,
    },
    items: {
      ingress: [`${INGRESS_CONTROLLER} 8080/TCP`, `${PROMETHEUS} 9090/TCP`, 'pod:discounts 8080/TCP'],
      egress: ['pod:auth 8080/TCP', ...database],
    },
    discounts: {
      ingress: [`${INGRESS_CONTROLLER} 8080/TCP`, `${PROMETHEUS} 9090/TCP`],
      egress: ['pod:auth 8080/TCP', 'pod:items 8080/TCP', ...database],
    },
  };
  if (environment === 'dev') {
    flows.mongodb = {
      ingress: ['pod:auth 27017/TCP', 'pod:discounts 27017/TCP', 'pod:items 27017/TCP'],
      egress: [],
    };
  }
  for (const flow of Object.values(flows)) {
    flow.ingress.sort();
    flow.egress.sort();
  }
  return flows;
}

describe.each(ENVIRONMENTS)('NetworkPolicies of %s', (environment) => {
  it('deny all ingress and egress for every pod of the release, the helm test pod included', () => {
    const deny = specOf(named(objects(environment), 'NetworkPolicy', `${environment}-default-deny`));
    expect(deny.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(deny.ingress).toBeUndefined();
    expect(deny.egress).toBeUndefined();
    const pods = podsOf(objects(environment));
    expect(pods.length).toBeGreaterThanOrEqual(5);
    for (const { owner, labels } of pods) {
      expect({ pod: owner.metadata.name, denied: selects(deny.podSelector, labels) }).toEqual({
        pod: owner.metadata.name,
        denied: true,
      });
    }
  });

  it('let every pod resolve names at kube-dns, on 53/UDP and 53/TCP only', () => {
    const dns = specOf(named(objects(environment), 'NetworkPolicy', `${environment}-allow-dns`));
    expect(dns.policyTypes).toEqual(['Egress']);
    expect(allowed(dns.egress, 'to')).toEqual([
      'ns:kube-system/pod:kube-dns 53/TCP',
      'ns:kube-system/pod:kube-dns 53/UDP',
    ]);
    for (const { labels } of podsOf(objects(environment)))
      expect(selects(dns.podSelector, labels)).toBe(true);
  });

  it('render exactly the declared flows, on both sides, and nothing else', () => {
    const perComponent = policies(environment).filter(
      (policy) =>
        !policy.metadata.name.endsWith('-default-deny') && !policy.metadata.name.endsWith('-allow-dns'),
    );
    const actual = Object.fromEntries(
      perComponent.map((policy) => [
        specOf(policy).podSelector.matchLabels?.['app.kubernetes.io/name'],
        { ingress: allowed(specOf(policy).ingress, 'from'), egress: allowed(specOf(policy).egress, 'to') },
      ]),
    );
    expect(actual).toEqual(expectedFlows(environment));
  });

  it('select each component for exactly the directions it has rules for', () => {
    for (const policy of policies(environment)) {
      const spec = specOf(policy);
      if (policy.metadata.name.endsWith('-default-deny')) continue;
      const expected = [...(spec.ingress ? ['Ingress'] : []), ...(spec.egress ? ['Egress'] : [])];
      expect({ policy: policy.metadata.name, types: spec.policyTypes }).toEqual({
        policy: policy.metadata.name,
        types: expected,
      });
    }
  });

  it('select every workload pod in a per-component policy', () => {
    const componentPolicies = policies(environment)
      .map(specOf)
      .filter((spec) => spec.podSelector.matchLabels?.['app.kubernetes.io/name']);
    for (const { owner, labels } of podsOf(objects(environment))) {
      if (owner.metadata.annotations?.['helm.sh/hook']) continue;
      const selecting = componentPolicies.filter((spec) => selects(spec.podSelector, labels));
      expect({ pod: owner.metadata.name, policies: selecting.length }).toEqual({
        pod: owner.metadata.name,
        policies: 1,
      });
    }
  });

  it('open the helm test pod only to the readiness ports, and only as test hooks', () => {
    const hooks = ofKind(objects(environment), 'NetworkPolicy').filter(
      (policy) => policy.metadata.annotations?.['helm.sh/hook'] === 'test',
    );
    expect(hooks.map((hook) => hook.metadata.name).sort()).toEqual(
      ['', '-auth', '-discounts', '-frontend', '-items'].map(
        (suffix) => `${environment}-test-ready${suffix}`,
      ),
    );
    const egress = specOf(named(hooks, 'NetworkPolicy', `${environment}-test-ready`)).egress;
    expect(allowed(egress, 'to')).toEqual([
      'pod:auth 9090/TCP',
      'pod:discounts 9090/TCP',
      'pod:frontend 8080/TCP',
      'pod:items 9090/TCP',
    ]);
    const itemsSide = specOf(named(hooks, 'NetworkPolicy', `${environment}-test-ready-items`));
    expect(allowed(itemsSide.ingress, 'from')).toEqual(['pod:test-ready 9090/TCP']);
  });
});
