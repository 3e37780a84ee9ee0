/**
 * The conformance data of np-guard/netpol-analyzer (`../shared/netpol-conformance`, read in place):
 * which cases are within NetworkPolicy v1, and the verifier's connectivity list for a case in the
 * analyzer's format, to compare with its golden list.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@platform/devstack';
import { allowedPairs, analyze, buildCluster, formatConnlist, inputFiles, loadManifests } from '../src';

export const CONFORMANCE_DIR = join(repoRoot, '..', 'shared', 'netpol-conformance');

/** Kinds beyond NetworkPolicy v1: a case holding one is out of scope. */
const OUT_OF_SCOPE_KINDS: Record<string, string> = {
  AdminNetworkPolicy: 'AdminNetworkPolicy (policy.networking.k8s.io/v1alpha1) is not NetworkPolicy v1',
  BaselineAdminNetworkPolicy:
    'BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1) is not NetworkPolicy v1',
  UserDefinedNetwork: 'OVN-Kubernetes UserDefinedNetwork: multiple pod networks',
  ClusterUserDefinedNetwork: 'OVN-Kubernetes ClusterUserDefinedNetwork: multiple pod networks',
  NetworkAttachmentDefinition: 'Multus NetworkAttachmentDefinition: multiple pod networks',
  MultiNetworkPolicy: 'MultiNetworkPolicy: policies of secondary pod networks',
  VirtualMachine: 'KubeVirt VirtualMachine: not a pod workload',
};

export interface ConformanceCase {
  name: string;
  dir: string;
  /** The golden list without Ingress/Route lines, sorted; undefined when the case has none. */
  golden?: string[];
  /** Why the case is outside NetworkPolicy v1, when it is. */
  outOfScope?: string;
  /** Why there is nothing to compare, when there is no golden list. */
  noGoldenList?: string;
}

/** The golden connectivity list of a case: the plain list, or the part of the exposure output before its analysis. */
function goldenList(name: string): string[] | undefined {
  const golden = join(CONFORMANCE_DIR, 'golden');
  const plain = join(golden, `${name}_connlist_output.txt`);
  const exposure = join(golden, `${name}_exposure_output.txt`);
  let text: string;
  if (existsSync(plain)) text = readFileSync(plain, 'utf8');
  else if (existsSync(exposure))
    text = readFileSync(exposure, 'utf8').split('Exposure Analysis Result:')[0] ?? '';
  else return undefined;
  return (
    text
      .split('\n')
      .map((line) => line.trim())
      // Ingress and Route objects are the analyzer's own extension, not NetworkPolicy.
      .filter((line) => line.includes('=>') && !line.startsWith('{ingress-controller}'))
      .sort()
  );
}

/** A case's manifests: its folders also hold outputs of the analyzer's other commands. */
function manifestFiles(dir: string): string[] {
  return inputFiles([dir]).filter((file) => !/output[^/]*$/.test(file));
}

/** Kinds named in a case's manifests (read as text, so that a malformed file still shows its kinds). */
function kindsOf(dir: string): Set<string> {
  const kinds = new Set<string>();
  for (const file of manifestFiles(dir)) {
    for (const match of readFileSync(file, 'utf8').matchAll(/^\s*"?kind"?\s*:\s*"?([A-Za-z]+)"?/gm)) {
      if (match[1]) kinds.add(match[1]);
    }
  }
  return kinds;
}

export function conformanceCases(): ConformanceCase[] {
  const casesDir = join(CONFORMANCE_DIR, 'cases');
  return readdirSync(casesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const dir = join(casesDir, name);
      const outside = [...kindsOf(dir)].filter((kind) => kind in OUT_OF_SCOPE_KINDS);
      const golden = goldenList(name);
      const others = readdirSync(join(CONFORMANCE_DIR, 'golden')).some((file) => file.startsWith(`${name}_`));
      return {
        name,
        dir,
        ...(golden
          ? { golden }
          : {
              noGoldenList: others
                ? 'the golden files hold only outputs of other analyzer options (focus on a workload, explain, diff)'
                : "no golden output: an input of the analyzer's other commands",
            }),
        ...(outside.length > 0
          ? { outOfScope: outside.map((kind) => OUT_OF_SCOPE_KINDS[kind]).join('; ') }
          : {}),
      };
    });
}

/** The verifier's list for a case, as the analyzer prints it: ipBlocks never match pods there. */
export function connectivityList(dir: string): string[] {
  const contents = loadManifests(manifestFiles(dir), { defaultNamespace: 'default' });
  const analysis = analyze(buildCluster(contents, undefined), { ipBlocksMatchPods: false });
  const text = formatConnlist(allowedPairs(analysis), analysis.splits);
  return text === '' ? [] : text.split('\n').sort();
}
