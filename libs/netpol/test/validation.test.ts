/**
 * The API server's own defaulting and validation of NetworkPolicy (networking/v1), applied by the
 * loader. Each test names the upstream rule it follows, in k8s.io/kubernetes:
 * - pkg/apis/networking/v1/defaults.go: SetDefaults_NetworkPolicy, SetDefaults_NetworkPolicyPort
 * - pkg/apis/networking/validation/validation.go: ValidateNetworkPolicySpec, ValidateNetworkPolicyPort,
 *   ValidateNetworkPolicyPeer, ValidateIPBlock
 * - staging/src/k8s.io/apimachinery/pkg/apis/meta/v1/validation/validation.go: ValidateLabelSelector,
 *   ValidateLabelSelectorRequirement, ValidateLabels (IsQualifiedName and IsValidLabelValue from
 *   apimachinery's util/validation; IsValidPortNum and IsValidPortName likewise)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, loadManifests } from '../src/manifests';
import type { NetworkPolicy } from '../src/types';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'netpol-validation-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Loads a NetworkPolicy of the given spec as the third document of policy.yaml (document #2). */
function load(spec: string): NetworkPolicy {
  const path = join(dir, 'policy.yaml');
  writeFileSync(
    path,
    `apiVersion: v1
kind: Namespace
metadata: { name: shop }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: settings }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: p }
spec:
${spec.replace(/^/gm, '  ')}
`,
  );
  const policy = loadManifests([path], { defaultNamespace: 'shop' }).policies[0];
  if (!policy) throw new Error('no policy loaded');
  return policy;
}

/** The message of the InputError that loading the spec throws, without the file's directory. */
function rejection(spec: string): string {
  try {
    load(spec);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).message.replace(`${dir}/`, '');
  }
  throw new Error(`accepted: ${spec}`);
}

const ingressPort = (port: string) => `podSelector: {}\ningress: [{ ports: [${port}] }]`;
const from = (peer: string) => `podSelector: {}\ningress: [{ from: [${peer}] }]`;

describe('SetDefaults_NetworkPolicy (pkg/apis/networking/v1/defaults.go)', () => {
  it('without policyTypes: Ingress, and Egress only when spec.egress has a rule (len(Egress) != 0)', () => {
    expect(load('podSelector: {}').policyTypes).toEqual(['Ingress']);
    expect(load('podSelector: {}\negress: []').policyTypes).toEqual(['Ingress']);
    expect(load('podSelector: {}\negress: null').policyTypes).toEqual(['Ingress']);
    expect(load('podSelector: {}\negress: [{}]').policyTypes).toEqual(['Ingress', 'Egress']);
  });

  it('an empty policyTypes list is defaulted too (len(PolicyTypes) == 0)', () => {
    expect(load('podSelector: {}\npolicyTypes: []\negress: [{}]').policyTypes).toEqual(['Ingress', 'Egress']);
  });

  it('with policyTypes given, uses them as given', () => {
    const policy = load('podSelector: {}\npolicyTypes: [Egress]\ningress: [{}]');
    expect(policy.policyTypes).toEqual(['Egress']);
    expect(policy.ingress).toEqual([{}]);
  });
});

describe('SetDefaults_NetworkPolicyPort (pkg/apis/networking/v1/defaults.go)', () => {
  it('defaults an absent protocol to TCP', () => {
    expect(load(ingressPort('{ port: 80 }, { protocol: UDP }, {}')).ingress[0]?.ports).toEqual([
      { protocol: 'TCP', port: 80 },
      { protocol: 'UDP' },
      { protocol: 'TCP' },
    ]);
  });
});

describe('ValidateNetworkPolicySpec: policyTypes', () => {
  it('rejects more than two policyTypes ("may not specify more than two policyTypes")', () => {
    expect(rejection('podSelector: {}\npolicyTypes: [Ingress, Egress, Ingress]')).toBe(
      'policy.yaml#2: spec.policyTypes: may not specify more than two policyTypes',
    );
  });

  it('rejects a policy type other than Ingress or Egress (field.NotSupported)', () => {
    expect(rejection('podSelector: {}\npolicyTypes: [Ingress, ingress]')).toBe(
      'policy.yaml#2: spec.policyTypes[1]: unsupported value "ingress": must be Ingress or Egress',
    );
  });

  it('accepts a duplicate, as upstream only checks each entry against the allowed set', () => {
    expect(load('podSelector: {}\npolicyTypes: [Egress, Egress]').policyTypes).toEqual(['Egress', 'Egress']);
  });
});

describe('ValidateNetworkPolicyPort', () => {
  it('rejects a protocol other than TCP, UDP or SCTP (field.NotSupported)', () => {
    expect(rejection(ingressPort('{ port: 80, protocol: ICMP }'))).toBe(
      'policy.yaml#2: spec.ingress[0].ports[0].protocol: unsupported value "ICMP": must be TCP, UDP or SCTP',
    );
    expect(rejection(ingressPort('{ port: 80, protocol: tcp }'))).toContain('unsupported value "tcp"');
    expect(load(ingressPort('{ port: 80, protocol: SCTP }')).ingress[0]?.ports).toEqual([
      { protocol: 'SCTP', port: 80 },
    ]);
  });

  it('a numeric port must be 1-65535 (IsValidPortNum)', () => {
    expect(rejection(ingressPort('{ port: 0 }'))).toBe(
      'policy.yaml#2: spec.ingress[0].ports[0].port: 0 must be between 1 and 65535, inclusive',
    );
    expect(rejection(ingressPort('{ port: 65536 }'))).toContain('port: 65536 must be between 1 and 65535');
    expect(rejection(ingressPort('{ port: 80.5 }'))).toContain(
      'port: must be an integer or a port name, not 80.5',
    );
    expect(
      load(ingressPort('{ port: 1 }, { port: 65535 }')).ingress[0]?.ports?.map((port) => port.port),
    ).toEqual([1, 65535]);
  });

  it.each([
    ['HTTP', 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'],
    ['web_ui', 'must contain only alpha-numeric characters'],
    ['abcdefghijklmnop', 'must be no more than 15 characters'],
    ['-http', 'must not begin or end with a hyphen'],
    ['http-', 'must not begin or end with a hyphen'],
    ['ht--tp', 'must not contain consecutive hyphens'],
    // intstr: a quoted number is a string, and IsValidPortName wants a letter.
    ['"8080"', 'must contain at least one letter (a-z)'],
  ])('a named port must be an IANA_SVC_NAME (IsValidPortName): rejects %s', (name, problem) => {
    const message = rejection(ingressPort(`{ port: ${name} }`));
    expect(message).toMatch(
      /^policy\.yaml#2: spec\.ingress\[0\]\.ports\[0\]\.port: ".*" is not a valid port name: /,
    );
    expect(message).toContain(problem);
  });

  it('accepts valid port names (IsValidPortName)', () => {
    expect(
      load(ingressPort('{ port: http }, { port: h2c-alt }, { port: 123456789012abc }')).ingress[0]?.ports,
    ).toEqual([
      { protocol: 'TCP', port: 'http' },
      { protocol: 'TCP', port: 'h2c-alt' },
      { protocol: 'TCP', port: '123456789012abc' },
    ]);
  });

  it('endPort must be greater than or equal to port, and itself 1-65535', () => {
    expect(rejection(ingressPort('{ port: 80, endPort: 79 }'))).toBe(
      'policy.yaml#2: spec.ingress[0].ports[0].endPort: 79 must be greater than or equal to port 80',
    );
    expect(rejection(ingressPort('{ port: 80, endPort: 65536 }'))).toBe(
      'policy.yaml#2: spec.ingress[0].ports[0].endPort: 65536 must be between 1 and 65535, inclusive',
    );
    expect(
      load(ingressPort('{ port: 80, endPort: 80 }, { port: 80, endPort: 65535 }')).ingress[0]?.ports,
    ).toEqual([
      { protocol: 'TCP', port: 80, endPort: 80 },
      { protocol: 'TCP', port: 80, endPort: 65535 },
    ]);
  });

  it('endPort may not be given with a named port, nor without a port', () => {
    expect(rejection(ingressPort('{ port: http, endPort: 90 }'))).toBe(
      'policy.yaml#2: spec.ingress[0].ports[0].endPort: may not be specified when port is non-numeric',
    );
    expect(rejection(ingressPort('{ endPort: 90 }'))).toBe(
      'policy.yaml#2: spec.ingress[0].ports[0].endPort: may not be specified when port is not specified',
    );
  });

  it('validates egress ports alike', () => {
    expect(
      rejection('podSelector: {}\negress: [{ ports: [{ port: 53, protocol: UDP }, { port: 0 }] }]'),
    ).toContain('spec.egress[0].ports[1].port: 0 must be between 1 and 65535');
  });
});

describe('ValidateNetworkPolicyPeer', () => {
  it('a peer must specify a podSelector, namespaceSelector or ipBlock ("must specify a peer")', () => {
    expect(rejection(from('{}'))).toBe(
      'policy.yaml#2: spec.ingress[0].from[0]: must specify a peer (podSelector, namespaceSelector or ipBlock)',
    );
    expect(
      rejection('podSelector: {}\negress: [{ to: [{ podSelector: {} }, { podSelector: null }] }]'),
    ).toContain('spec.egress[0].to[1]: must specify a peer');
  });

  it('ipBlock may not be combined with another peer; pod and namespace selectors may', () => {
    expect(rejection(from('{ ipBlock: { cidr: 10.0.0.0/8 }, podSelector: {} }'))).toBe(
      'policy.yaml#2: spec.ingress[0].from[0]: may not specify both ipBlock and another peer',
    );
    expect(rejection(from('{ namespaceSelector: {}, ipBlock: { cidr: 10.0.0.0/8 } }'))).toContain(
      'may not specify both ipBlock and another peer',
    );
    expect(
      load(from('{ namespaceSelector: {}, podSelector: { matchLabels: { app: a } } }')).ingress[0]?.peers,
    ).toEqual([{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'a' } } }]);
  });
});

describe('ValidateIPBlock', () => {
  it('cidr is required', () => {
    expect(rejection(from('{ ipBlock: { except: [10.0.0.0/8] } }'))).toBe(
      'policy.yaml#2: spec.ingress[0].from[0].ipBlock.cidr: required',
    );
    expect(rejection(from('{ ipBlock: { cidr: "" } }'))).toContain('ipBlock.cidr: required');
  });

  it('cidr and each except must be valid CIDRs', () => {
    expect(rejection(from('{ ipBlock: { cidr: 10.0.0.0 } }'))).toContain(
      'spec.ingress[0].from[0].ipBlock.cidr: invalid IPv4 CIDR "10.0.0.0"',
    );
    expect(rejection(from('{ ipBlock: { cidr: 10.0.0.0/8, except: [10.1.0.0/33] } }'))).toContain(
      'spec.ingress[0].from[0].ipBlock.except[0]: invalid IPv4 CIDR "10.1.0.0/33"',
    );
  });

  it('IPv6 is rejected as unsupported by this verifier (upstream accepts it; the verifier is IPv4-only)', () => {
    expect(rejection(from('{ ipBlock: { cidr: "fd00::/8" } }'))).toBe(
      'policy.yaml#2: spec.ingress[0].from[0].ipBlock.cidr: invalid IPv4 CIDR "fd00::/8": IPv6 is not supported',
    );
  });

  it('each except must be a strict subset of cidr: cidr contains it and has a shorter prefix', () => {
    expect(rejection(from('{ ipBlock: { cidr: 10.0.0.0/16, except: [10.1.0.0/24] } }'))).toBe(
      'policy.yaml#2: spec.ingress[0].from[0].ipBlock.except[0]: 10.1.0.0/24 must be a strict subset of cidr 10.0.0.0/16',
    );
    // Upstream: !cidr.Contains(except.IP) || cidrMaskLen >= exceptMaskLen — an equal block is no subset.
    expect(rejection(from('{ ipBlock: { cidr: 10.0.0.0/16, except: [10.0.0.0/16] } }'))).toContain(
      'except[0]: 10.0.0.0/16 must be a strict subset of cidr 10.0.0.0/16',
    );
    expect(rejection(from('{ ipBlock: { cidr: 10.0.0.0/16, except: [10.0.0.0/8] } }'))).toContain(
      'must be a strict subset',
    );
    expect(
      load(from('{ ipBlock: { cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.2.3.4/32] } }')).ingress[0]?.peers,
    ).toEqual([{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '10.2.3.4/32'] } }]);
  });
});

describe('ValidateLabelSelector / ValidateLabelSelectorRequirement (apimachinery meta/v1 validation)', () => {
  const expression = (requirement: string) => `podSelector: { matchExpressions: [${requirement}] }`;

  it('In and NotIn need a non-empty values list', () => {
    expect(rejection(expression('{ key: app, operator: In }'))).toBe(
      'policy.yaml#2: spec.podSelector.matchExpressions[0].values: must be specified when operator is In',
    );
    expect(rejection(expression('{ key: app, operator: NotIn, values: [] }'))).toContain(
      'matchExpressions[0].values: must be specified when operator is NotIn',
    );
  });

  it('Exists and DoesNotExist may not have values', () => {
    expect(rejection(expression('{ key: app, operator: Exists, values: [a] }'))).toBe(
      'policy.yaml#2: spec.podSelector.matchExpressions[0].values: may not be specified when operator is Exists',
    );
    expect(rejection(expression('{ key: app, operator: DoesNotExist, values: [a] }'))).toContain(
      'may not be specified when operator is DoesNotExist',
    );
    expect(
      load(expression('{ key: app, operator: Exists }, { key: tier, operator: DoesNotExist, values: [] }'))
        .podSelector,
    ).toEqual({
      matchExpressions: [
        { key: 'app', operator: 'Exists' },
        { key: 'tier', operator: 'DoesNotExist' },
      ],
    });
  });

  it('rejects an unknown operator ("not a valid selector operator")', () => {
    expect(rejection(expression('{ key: app, operator: in, values: [a] }'))).toBe(
      'policy.yaml#2: spec.podSelector.matchExpressions[0].operator: "in" is not a valid selector operator (In, NotIn, Exists, DoesNotExist)',
    );
  });

  it('keys must be qualified names and values label values (ValidateLabelName, ValidateLabels)', () => {
    expect(rejection('podSelector: { matchLabels: { "bad key": a } }')).toContain(
      'spec.podSelector.matchLabels: "bad key" is not a valid label key',
    );
    expect(rejection('podSelector: { matchLabels: { "Example.com/app": a } }')).toContain('prefix part');
    expect(rejection('podSelector: { matchLabels: { app: "a b" } }')).toContain(
      'spec.podSelector.matchLabels.app: "a b" is not a valid label value',
    );
    expect(rejection(`podSelector: { matchLabels: { app: ${'a'.repeat(64)} } }`)).toContain(
      'no more than 63 characters',
    );
    expect(rejection(expression('{ key: "-app", operator: Exists }'))).toContain(
      'spec.podSelector.matchExpressions[0].key: "-app" is not a valid label key',
    );
    expect(rejection(expression('{ key: app, operator: In, values: [ok, "not ok"] }'))).toContain(
      'spec.podSelector.matchExpressions[0].values[1]: "not ok" is not a valid label value',
    );
    expect(
      load('podSelector: { matchLabels: { app.kubernetes.io/name: web, tier: "" } }').podSelector,
    ).toEqual({
      matchLabels: { 'app.kubernetes.io/name': 'web', tier: '' },
    });
  });

  it("applies to the peers' selectors too", () => {
    expect(
      rejection(from('{ namespaceSelector: { matchExpressions: [{ key: team, operator: In }] } }')),
    ).toContain(
      'spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values: must be specified when operator is In',
    );
    expect(
      rejection('podSelector: {}\negress: [{ to: [{ podSelector: { matchLabels: { app: "%" } } }] }]'),
    ).toContain('spec.egress[0].to[0].podSelector.matchLabels.app: "%" is not a valid label value');
  });
});
