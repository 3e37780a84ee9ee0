import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { repoRoot, toolPath } from '@platform/devstack';

/** The application chart rendered by the repository's pinned helm, as the pipeline installs it. */

const run = promisify(execFile);

export const CHART_DIR = join(repoRoot, 'deploy', 'helm', 'platform');
export const NETPOL_DIR = join(repoRoot, 'deploy', 'netpol');

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** `helm template <environment>` with values-<environment>.yaml into the namespace platform-<environment>. */
export async function renderChart(
  environment: 'dev' | 'staging' | 'prod',
  options: { withTests?: boolean } = {},
): Promise<{ namespace: string; text: string; manifests: Manifest[] }> {
  const namespace = `platform-${environment}`;
  const { stdout } = await run(
    await toolPath('helm'),
    [
      'template',
      environment,
      CHART_DIR,
      '-f',
      join(CHART_DIR, `values-${environment}.yaml`),
      '--namespace',
      namespace,
      ...(options.withTests ? [] : ['--skip-tests']),
    ],
    { maxBuffer: 32 * 1024 * 1024, timeout: 120_000, env: { ...process.env, KUBECONFIG: '/dev/null' } },
  );
  const manifests = parseAllDocuments(stdout)
    .map((document) => document.toJS() as Manifest | null)
    .filter((object): object is Manifest => object !== null && typeof object === 'object');
  return { namespace, text: stdout, manifests };
}
