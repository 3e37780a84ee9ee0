import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { toolPath } from '@platform/devstack';
import { CHART_DIR, ENVIRONMENTS, helm, template } from './chart';

const run = promisify(execFile);

interface KubeScoreConfig {
  enableOptionalTests: string[];
  ignoreTests: { test: string; reason: string }[];
}
const config = parse(readFileSync(join(CHART_DIR, '..', 'kube-score.yaml'), 'utf8')) as KubeScoreConfig;

/** kube-score's findings (warnings and criticals) over a rendered manifest; empty means clean. */
async function kubeScore(manifest: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'kube-score-'));
  try {
    const file = join(dir, 'rendered.yaml');
    writeFileSync(file, manifest);
    const args = [
      'score',
      '--output-format',
      'ci',
      ...config.enableOptionalTests.flatMap((test) => ['--enable-optional-test', test]),
      ...config.ignoreTests.flatMap(({ test }) => ['--ignore-test', test]),
      file,
    ];
    // kube-score exits 1 when it finds something: read its report either way.
    const output = await run(await toolPath('kube-score'), args, { maxBuffer: 16 * 1024 * 1024 }).catch(
      (error: { stdout?: string; code?: number }) => {
        if (typeof error.stdout !== 'string' || error.stdout === '') throw error;
        return { stdout: error.stdout };
      },
    );
    return output.stdout.split('\n').filter((line) => /^\[(WARNING|CRITICAL)\]/.test(line));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.each(ENVIRONMENTS)('the %s environment', (environment) => {
  it('passes helm lint --strict', async () => {
    const result = await helm([
      'lint',
      '--strict',
      CHART_DIR,
      '-f',
      join(CHART_DIR, `values-${environment}.yaml`),
    ]);
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(result.code).toBe(0);
  });

  it('gets no kube-score findings', async () => {
    expect(await kubeScore(await template(environment))).toEqual([]);
  }, 60_000);
});

describe('the kube-score set-up', () => {
  it('justifies every check it leaves out', () => {
    expect(config.ignoreTests.length).toBeGreaterThan(0);
    for (const { test, reason } of config.ignoreTests) {
      expect({ test, justified: typeof reason === 'string' && reason.length > 80 }).toEqual({
        test,
        justified: true,
      });
    }
  });

  it('does find problems: a privileged, probe-less, unlimited pod is reported', async () => {
    const findings = await kubeScore(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: careless }
spec:
  replicas: 2
  selector: { matchLabels: { app: careless } }
  template:
    metadata: { labels: { app: careless } }
    spec:
      containers:
        - name: app
          image: example/app:latest
          securityContext: { privileged: true }
`);
    expect(findings.join('\n')).toMatch(/privileged/i);
    expect(findings.join('\n')).toMatch(/NetworkPolicy/);
    expect(findings.join('\n')).toMatch(/resource|limit/i);
  }, 60_000);
});
