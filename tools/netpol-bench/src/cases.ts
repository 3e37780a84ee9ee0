/** The measured clusters and the two commands run on each. */
import type { GenerateOptions } from './generate';

export interface BenchCase {
  /** What `--sizes` names it by. */
  id: string;
  label: string;
  cluster: Omit<GenerateOptions, 'seed'>;
  /** Part of the size series whose growth is compared with pods × policies. */
  series: boolean;
}

export const CASES: BenchCase[] = [
  {
    id: '500',
    label: '500 pods',
    cluster: { pods: 500, namespaces: 20, policies: 100, portsPerPod: 10 },
    series: true,
  },
  {
    id: '2000',
    label: '2,000 pods',
    cluster: { pods: 2000, namespaces: 100, policies: 500, portsPerPod: 10 },
    series: true,
  },
  {
    id: '5000',
    label: '5,000 pods',
    cluster: { pods: 5000, namespaces: 200, policies: 1000, portsPerPod: 10 },
    series: true,
  },
  {
    id: 'cidr',
    label: '1,000-CIDR policy',
    cluster: { pods: 40, namespaces: 4, policies: 8, portsPerPod: 10, wideIpBlocks: 1000 },
    series: false,
  },
];

export type CommandName = 'matrix' | 'check';
export const COMMANDS: CommandName[] = ['matrix', 'check'];

/**
 * How matrix is told to cover every namespace. `--all-namespaces` is the verifier's flag for it;
 * `--scope` with the full list is what a verifier without that flag understands.
 */
export const SCOPE_STYLE: 'all-namespaces' | 'scope-list' = 'all-namespaces';

export function commandArgs(
  command: CommandName,
  paths: { manifests: string; contract: string },
  namespaces: string[],
): string[] {
  if (command === 'matrix') {
    const scope = SCOPE_STYLE === 'all-namespaces' ? ['--all-namespaces'] : ['--scope', namespaces.join(',')];
    return ['matrix', paths.manifests, ...scope, '--format', 'json'];
  }
  return ['check', paths.manifests, '--expect', paths.contract, '--namespace', namespaces[0] ?? 'default'];
}

/** Where the sizes meet the targets: the largest series case. */
export const TARGET = { caseId: '5000', label: '5,000 pods / 1,000 policies', wallSec: 5, rssMiB: 1024 };
