/**
 * Conformance with an independent analyzer: every np-guard/netpol-analyzer case within NetworkPolicy
 * v1 must give exactly its golden connectivity list (workloads, address ranges, protocols and
 * ports). The analyzer assumes ipBlocks never match pods, so these runs do too; the cases where
 * Kubernetes' own semantics (ipBlocks matching pod addresses) differ are checked apart.
 */
import { existsSync } from 'node:fs';
import { InputError } from '../src';
import { CONFORMANCE_DIR, conformanceCases, connectivityList, type ConformanceCase } from './conformance';

/**
 * Cases with a golden list whose manifests the API server itself rejects: the analyzer reads them
 * anyway (Go's JSON decoding matches `containerport` to `containerPort`); the verifier refuses them,
 * naming the rule, as `kubectl apply` would.
 */
const REJECTED: Record<string, { rule: string; message: RegExp }> = {
  netpol_named_port_test: {
    rule: 'core/v1 validateContainerPorts: containerPort is required',
    message: /pods\.yaml#1: spec\.template\.spec\.containers\[0\]\.ports\[1\]\.containerPort: required/,
  },
  netpol_named_port_test_2: {
    rule: 'core/v1 validateContainerPorts: containerPort is required',
    message: /spec\.template\.spec\.containers\[0\]\.ports\[1\]\.containerPort: required/,
  },
};

/** Cases without a golden list that exist to be refused: each must be, with its place named. */
const REFUSED: Record<string, RegExp> = {
  bad_netpols: /spec\.ingress\[2\]\.from\[0\]\.ipBlock\.cidr: invalid IPv4 CIDR "A"/,
  np_bad_path_test_1: /NetworkPolicy default\/backend-netpol is defined twice/,
  np_bad_path_test_2:
    /spec\.ingress\[1\]\.ports\[0\]\.endPort: may not be specified when port is non-numeric/,
  np_test_with_empty_port_range:
    /spec\.egress\[0\]\.ports\[1\]\.endPort: 1 must be greater than or equal to port 10/,
  bad_path_namespace_with_same_name: /Namespace blue is defined twice with different labels/,
  malformed_pod_example: /spec\.containers\[0\]\.ports\[0\]\.containerPort: must be an integer/,
  'malformed-pod-example-2': /items\[0\]: spec\.containers\[0\]\.ports: must be a list/,
  'malformed-pod-example-3': /kind/,
  'malformed-pod-example-4': /kind/,
  'malformed-pod-example-5': /malformed YAML/,
  document_with_syntax_error: /malformed YAML/,
  onlineboutique_with_pods_severe_error: /malformed YAML/,
  bad_yamls: /not_a_k8s_resource\.yaml#0: not a Kubernetes object: kind is missing/,
  dirty: /backend\.yaml#0: malformed YAML/,
  // A flow sequence continued on a less indented line: go-yaml takes it, YAML 1.2 (and this reader) does not.
  // One Deployment in two files: which one is meant is ambiguous, so neither is guessed.
  workload_resources: /my-namespace\/nginx-deployment is defined twice/,
  'acs-security-demos-added-workloads':
    /webapp\/deployment\.yaml#0: malformed YAML: Flow sequence in block collection must be sufficiently indented/,
};

const available = existsSync(CONFORMANCE_DIR);
if (!available && process.env.CI === 'true') {
  throw new Error(`the conformance data is missing: ${CONFORMANCE_DIR}`);
}
const cases: ConformanceCase[] = available ? conformanceCases() : [];
const inScope = cases.filter((entry) => !entry.outOfScope);
const compared = inScope.filter((entry) => entry.golden && !(entry.name in REJECTED));

(available ? describe : describe.skip)('np-guard/netpol-analyzer conformance', () => {
  it('reads every case and compares most of them', () => {
    expect(cases.length).toBeGreaterThan(300);
    expect(compared.length).toBeGreaterThan(100);
  });

  // Listed as skipped tests, each with why: outside NetworkPolicy v1, or nothing to compare.
  it.skip.each(
    cases
      .filter((entry) => entry.outOfScope || (!entry.golden && !(entry.name in REFUSED)))
      .map((entry) => [entry.name, entry.outOfScope ?? entry.noGoldenList] as const),
  )('%s: %s', () => undefined);

  it.each(compared.map((entry) => [entry.name, entry] as const))('%s agrees', (_name, entry) => {
    expect(connectivityList(entry.dir)).toEqual(entry.golden);
  });

  it.each(Object.entries(REJECTED).map(([name, { rule, message }]) => [name, rule, message] as const))(
    '%s is refused as the API server refuses it (%s)',
    (name, _rule, message) => refused(name, message),
  );

  it.each(Object.entries(REFUSED))('%s, malformed, is a clear input error', refused);

  it('analyzes every other case within NetworkPolicy v1, even without a golden list to compare', () => {
    const failures = inScope
      .filter((entry) => !entry.golden && !(entry.name in REFUSED))
      .flatMap((entry) => {
        try {
          connectivityList(entry.dir);
          return [];
        } catch (error) {
          return [`${entry.name}: ${(error as Error).message}`];
        }
      });
    expect(failures).toEqual([]);
  });
});

function refused(name: string, message: RegExp): void {
  const entry = cases.find((candidate) => candidate.name === name);
  if (!entry) throw new Error(`no conformance case ${name}`);
  expect(() => connectivityList(entry.dir)).toThrow(InputError);
  expect(() => connectivityList(entry.dir)).toThrow(message);
}
