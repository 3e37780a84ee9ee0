import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
  if?: string;
  'timeout-minutes'?: number | string;
  permissions?: unknown;
  concurrency?: string | { group?: string; 'cancel-in-progress'?: boolean | string };
  environment?: string | { name: string };
  needs?: string | string[];
  steps?: { uses?: string; with?: Record<string, unknown> }[];
  /** A job that calls a reusable workflow: its timeout lives in the called workflow's jobs. */
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on?: Record<string, unknown>;
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

  test('every job has its own permissions block, and a timeout unless it calls a reusable workflow', () => {
    for (const [name, job] of jobsOf(file)) {
      expect({ name, permissions: job.permissions }).toEqual({ name, permissions: expect.any(Object) });
      if (job.uses) {
        expect({ name, uses: job.uses }).toEqual({
          name,
          uses: expect.stringMatching(/^\.\/\.github\/workflows\//),
        });
        expect(existsSync(join(repoRoot, job.uses))).toBe(true);
      } else {
        expect({ name, timeout: job['timeout-minutes'] }).toEqual({ name, timeout: expect.anything() });
      }
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

/** The jobs of a workflow that call `reusable`, with the inputs they pass. */
const callersOf = (file: string, reusable: string) =>
  jobsOf(file).filter(([, job]) => job.uses === `./.github/workflows/${reusable}`);

describe('deploy.yml', () => {
  const jobs = Object.fromEntries(jobsOf('deploy.yml'));

  test('deploys dev, then staging, then prod, prod behind the production environment', () => {
    expect(Object.keys(jobs)).toEqual(['dev', 'staging', 'prod']);
    expect([jobs.staging?.needs, jobs.prod?.needs]).toEqual(['dev', 'staging']);
    expect(callersOf('deploy.yml', 'deploy-environment.yml').map(([, job]) => job.with)).toEqual([
      expect.objectContaining({ environment: 'dev', 'github-environment': 'dev' }),
      expect.objectContaining({ environment: 'staging', 'github-environment': 'staging' }),
      expect.objectContaining({ environment: 'prod', 'github-environment': 'production' }),
    ]);
  });

  test('uses OIDC and never long-lived AWS keys', () => {
    for (const job of Object.values(jobs)) {
      expect(job.permissions).toMatchObject({ 'id-token': 'write' });
    }
    expect(text('deploy.yml')).not.toMatch(/aws-access-key-id|aws-secret-access-key/);
  });
});

describe('deploy-environment.yml', () => {
  const job = workflow('deploy-environment.yml').jobs.deploy;

  test('is a reusable workflow with one job in the given GitHub environment', () => {
    expect(Object.keys(workflow('deploy-environment.yml').on ?? {})).toEqual(['workflow_call']);
    expect(job?.environment).toBe('${{ inputs.github-environment }}');
  });

  test('runs one deployment per environment at a time, never cancelling one under way', () => {
    expect(job?.concurrency).toEqual({
      group: 'deploy-${{ inputs.environment }}',
      'cancel-in-progress': false,
    });
  });

  test('deploys through the one deploy step the tests run, with the environment, the image and the infrastructure values', () => {
    const body = text('deploy-environment.yml');
    expect(body).toMatch(
      /npm run -s deploy -- "\$ENVIRONMENT" --image-tag "\$DEPLOY_SHA" --release "\$RELEASE" \\\n\s+-f "\$RUNNER_TEMP\/infra-values\.yaml" --timeout \d+m/,
    );
    // Upgrading, testing and rolling back are the deploy step's (tools/deploy, tested on a real
    // control plane): no second copy of them in the workflow.
    expect(body).not.toMatch(/"\$HELM" (upgrade|test|rollback)/);
  });
});

describe('infra.yml', () => {
  test('previews every stack on pull requests with the policy pack', () => {
    const preview = workflow('infra.yml').jobs.preview;
    expect(preview?.if).toBe("github.event_name == 'pull_request'");
    expect(text('infra.yml')).toMatch(/command: preview[\s\S]*policyPacks: .*deploy\/infra\/policy-pack/);
  });

  test('updates dev, then staging, then prod behind the production environment', () => {
    expect(callersOf('infra.yml', 'infra-up.yml').map(([, job]) => [job.needs, job.with])).toEqual([
      [undefined, { stack: 'dev', 'github-environment': 'infra-dev' }],
      ['up-dev', { stack: 'staging', 'github-environment': 'infra-staging' }],
      ['up-staging', { stack: 'prod', 'github-environment': 'production' }],
    ]);
    const up = workflow('infra-up.yml').jobs.up;
    expect(up?.concurrency).toEqual({ group: 'infra-${{ inputs.stack }}', 'cancel-in-progress': false });
    expect(up?.environment).toBe('${{ inputs.github-environment }}');
    expect(text('infra-up.yml')).toMatch(/command: up[\s\S]*policyPacks: .*deploy\/infra\/policy-pack/);
  });
});

test('no workflow uses long-lived AWS keys', () => {
  for (const file of files) expect(text(file)).not.toMatch(/aws-access-key-id|AWS_SECRET_ACCESS_KEY/i);
});
