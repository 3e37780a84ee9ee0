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

interface Step {
  name?: string;
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  run?: string;
}
interface Job {
  name?: string;
  if?: string;
  'timeout-minutes'?: number | string;
  permissions?: unknown;
  concurrency?: string | { group?: string; 'cancel-in-progress'?: boolean | string };
  environment?: string | { name: string };
  needs?: string | string[];
  steps?: Step[];
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

describe('ci.yml', () => {
  describe('the chart job', () => {
    const steps = workflow('ci.yml').jobs.chart?.steps ?? [];
    const commands = steps
      .map((step) => step.run ?? '')
      .join('\n')
      .replace(/\s*\\\n\s*/g, ' ');

    test('checks each environment’s render against the contract on both layers, with its stack’s network model', () => {
      expect(commands).toContain('npm run --silent network-model -- --stack "${ENVIRONMENT}" >"$network"');
      expect(commands).toContain(
        'npm run netpol -- check "$rendered" --model deploy/netpol/cluster-eks.yaml --network-model "$network" --namespace "platform-${ENVIRONMENT}" --expect deploy/netpol/contract.yaml',
      );
    });
  });

  describe('the flow diff job', () => {
    const job = workflow('ci.yml').jobs['flow-diff'];
    const steps = job?.steps ?? [];
    const run = steps.map((step) => step.run ?? '').join('\n');
    // Each command on one line: continuation lines joined.
    const commands = run.replace(/\s*\\\n\s*/g, ' ');

    test('runs on pull requests only, with the full history and no credentials left behind', () => {
      expect(job?.name).toBe('Flow diff (dev, staging, prod)');
      expect(job?.if).toBe("github.event_name == 'pull_request'");
      expect(job?.permissions).toEqual({ contents: 'read' });
      expect(steps[0]?.uses).toMatch(/^actions\/checkout@/);
      expect(steps[0]?.with).toEqual({ 'fetch-depth': 0, 'persist-credentials': false });
    });

    test('renders the chart at the base and at the head for dev, staging and prod', () => {
      expect(run).toMatch(/\n\s*for env in dev staging prod; do\n/);
      expect(run).toContain('git worktree add --detach "$base" "$BASE_SHA"');
      expect(run).toContain('base_chart="$base/deploy/helm/platform"');
      // The chart job's render, of the base's chart and of the head's.
      expect(commands).toContain(
        '"$helm" template platform "$base_chart" --namespace "platform-${env}" -f "$base_chart/values-${env}.yaml" --skip-tests >"$base_render"',
      );
      expect(commands).toContain(
        '"$helm" template platform deploy/helm/platform --namespace "platform-${env}" -f "deploy/helm/platform/values-${env}.yaml" --skip-tests >"$head_render"',
      );
    });

    test('writes each environment’s diff to the job summary under its heading, without failing on a change', () => {
      // Both sides on the networks of the environment's stack (its network model).
      expect(commands).toContain('npm run --silent network-model -- --stack "${env}" >"$network"');
      expect(commands).toMatch(
        /\{\n\s*echo "### \$\{env\}"\n[^}]*\n\s*npm run --silent netpol -- diff "\$base_render" "\$head_render" --model deploy\/netpol\/cluster-eks\.yaml --network-model "\$network" --namespace "platform-\$\{env\}" --format markdown\n[^}]*\} >>"\$GITHUB_STEP_SUMMARY"/,
      );
      expect(run).not.toContain('--fail-on-change');
    });

    test('takes the pull request’s data through the environment, never into the script', () => {
      expect(run).not.toContain('${{');
      expect(steps.flatMap((step) => Object.values(step.env ?? {}))).toEqual([
        '${{ github.event.pull_request.base.sha }}',
      ]);
    });
  });
});

describe('deploy.yml', () => {
  const jobs = Object.fromEntries(jobsOf('deploy.yml'));

  test('deploys dev, then staging, then prod, prod behind the production environment', () => {
    expect(Object.keys(jobs)).toEqual(['target', 'dev', 'staging', 'prod']);
    expect([jobs.dev?.needs, jobs.staging?.needs, jobs.prod?.needs]).toEqual([
      'target',
      ['target', 'dev'],
      ['target', 'staging'],
    ]);
    expect(callersOf('deploy.yml', 'deploy-environment.yml').map(([, job]) => job.with)).toEqual([
      expect.objectContaining({ environment: 'dev', 'github-environment': 'dev' }),
      expect.objectContaining({ environment: 'staging', 'github-environment': 'staging' }),
      expect.objectContaining({ environment: 'prod', 'github-environment': 'production' }),
    ]);
  });

  test('deploys only a checked commit: a full SHA, from a green push to main of this repository', () => {
    const target = jobs.target;
    expect(target?.permissions).toEqual({});
    for (const guard of [
      "github.event.workflow_run.conclusion == 'success'",
      "github.event.workflow_run.event == 'push'",
      "github.event.workflow_run.head_branch == 'main'",
      'github.event.workflow_run.head_repository.full_name == github.repository',
    ])
      expect(target?.if).toContain(guard);
    const step = target?.steps?.[0];
    // The inputs reach the script through the environment only, and are checked before any use.
    expect(step?.run).not.toContain('${{');
    expect(step?.env).toMatchObject({ INPUT_SHA: '${{ inputs.sha }}' });
    expect(step?.run).toContain('[[ ! "$sha" =~ ^[0-9a-f]{40}$ ]]');
    for (const name of ['dev', 'staging', 'prod'])
      expect(jobs[name]?.with).toMatchObject({ sha: '${{ needs.target.outputs.sha }}' });
    expect(text('deploy.yml')).not.toMatch(/sha: \$\{\{ (inputs|github\.event)/);
  });

  test('uses OIDC and never long-lived AWS keys', () => {
    for (const [name, job] of Object.entries(jobs)) {
      if (name === 'target') continue;
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
    // Only branches of this repository, in the environment that holds the preview's passphrase.
    expect(preview?.if).toBe(
      "github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository",
    );
    expect(preview?.environment).toBe('infra-preview');
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
