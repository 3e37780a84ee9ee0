import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, toolPath } from '@platform/devstack';

const run = promisify(execFile);

/**
 * zizmor, pinned by scripts/tools.sh, offline over every workflow with its strictest persona: no
 * finding of medium severity or above. A finding kept on purpose carries an inline
 * `# zizmor: ignore[<audit>]` with its reason next to it.
 */
test('zizmor finds nothing of medium severity or above in any workflow', async () => {
  const zizmor = await toolPath('zizmor');
  const result = await run(
    zizmor,
    [
      '--offline',
      '--no-progress',
      '--persona',
      'auditor',
      '--min-severity',
      'medium',
      '--format',
      'plain',
      join(repoRoot, '.github', 'workflows'),
    ],
    { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 },
  ).catch((error: { stdout?: string; stderr?: string; code?: number }) => ({
    stdout: error.stdout ?? '',
    stderr: `${error.stderr ?? ''} (exit ${String(error.code)})`,
  }));
  expect(result.stdout).toMatch(
    /^No findings to report\.|0 findings|findings \(.*\): 0 informational, 0 low, 0 medium, 0 high/m,
  );
  expect(result.stdout).not.toMatch(/^(error|warning|help|info)\[/m);
}, 180_000);
