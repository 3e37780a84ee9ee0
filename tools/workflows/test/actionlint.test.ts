import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { repoRoot, toolPath } from '@platform/devstack';

const run = promisify(execFile);

const WORKFLOWS_DIR = join(repoRoot, '.github', 'workflows');
const files = readdirSync(WORKFLOWS_DIR)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();

interface Job {
  'timeout-minutes'?: number | string;
  permissions?: unknown;
  concurrency?: string | { group?: string; 'cancel-in-progress'?: boolean | string };
  environment?: string | { name: string };
  steps?: { uses?: string; with?: Record<string, unknown> }[];
  uses?: string;
}
interface Workflow {
  permissions?: unknown;
  jobs: Record<string, Job>;
}

const text = (file: string) => readFileSync(join(WORKFLOWS_DIR, file), 'utf8');
const workflow = (file: string) => parse(text(file)) as Workflow;
const jobsOf = (file: string) => Object.entries(workflow(file).jobs);

test('there are workflows to check', () => {
  expect(files).toEqual(expect.arrayContaining(['ci.yml', 'deploy.yml', 'infra.yml']));
});

describe('actionlint', () => {
  // toolPath builds actionlint with scripts/tools.sh when it is missing and throws when it cannot
  // be had, so a machine without it (CI included) fails here instead of skipping the check.
  test.each(files)(
    '%s is clean',
    async (file) => {
      const actionlint = await toolPath('actionlint');
      const result = await run(
        actionlint,
        ['-no-color', '-shellcheck=', '-pyflakes=', join(WORKFLOWS_DIR, file)],
        {
          cwd: repoRoot,
          maxBuffer: 16 * 1024 * 1024,
        },
      ).then(
        ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
        (error: { code?: number; stdout?: string; stderr?: string }) => ({
          code: typeof error.code === 'number' ? error.code : 1,
          output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
        }),
      );
      expect(result.output).toBe('');
      expect(result.code).toBe(0);
    },
    15 * 60_000,
  );
});

describe.each(files)('%s', (file) => {
  test('denies every permission at the top level', () => {
    expect(workflow(file).permissions).toEqual({});
  });

  test('every job has timeout-minutes and its own permissions block', () => {
    for (const [name, job] of jobsOf(file)) {
      expect({ name, timeout: job['timeout-minutes'] }).toEqual({ name, timeout: expect.anything() });
      expect({ name, permissions: job.permissions }).toEqual({ name, permissions: expect.any(Object) });
    }
  });

  test('every non-local action is pinned to a full commit SHA with its version in a comment', () => {
    const lines = text(file)
      .split('\n')
      .filter((line) => /^\s*(-\s+)?uses:/.test(line));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const ref = /uses:\s*['"]?([^\s'"#]+)/.exec(line)?.[1] ?? '';
      if (ref.startsWith('./') || ref.startsWith('docker://')) continue;
      expect(line).toMatch(/uses:\s*[\w.-]+\/[\w./-]+@[0-9a-f]{40}\s+# v\d+(\.\d+)*\s*$/);
    }
  });

  test('no image is tagged latest', () => {
    expect(text(file)).not.toMatch(/:latest\b/);
    expect(text(file)).not.toMatch(/\btags?:.*\blatest\b/);
  });
});

describe('deploy.yml', () => {
  const jobs = Object.fromEntries(jobsOf('deploy.yml'));

  test('deploys dev, then staging, then prod behind the production environment', () => {
    expect(Object.keys(jobs)).toEqual(['dev', 'staging', 'prod']);
    expect(jobs.prod?.environment).toBe('production');
  });

  test.each(['dev', 'staging', 'prod'])('%s is serialised in its own concurrency group', (env) => {
    expect(jobs[env]?.concurrency).toEqual({ group: `deploy-${env}`, 'cancel-in-progress': false });
  });

  test('uses OIDC and never long-lived AWS keys', () => {
    for (const job of Object.values(jobs)) {
      expect(job.permissions).toMatchObject({ 'id-token': 'write' });
    }
    expect(text('deploy.yml')).not.toMatch(/aws-access-key-id|aws-secret-access-key/);
  });
});

test('no workflow uses long-lived AWS keys', () => {
  for (const file of files) expect(text(file)).not.toMatch(/aws-access-key-id|AWS_SECRET_ACCESS_KEY/i);
});
