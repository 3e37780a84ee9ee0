import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { toolPath } from '@platform/devstack';
import { named, render } from './chart';

/**
 * The chart's alerts through Prometheus' own tooling (promtool, pinned by scripts/tools.sh): the
 * rendered rule file passes `promtool check rules`, and `promtool test rules` runs
 * alerts/platform.rules.test.yaml, where every alert fires in one case and stays silent in another.
 */
const run = promisify(execFile);
const TESTS = join(__dirname, 'alerts', 'platform.rules.test.yaml');

interface RuleGroup {
  name: string;
  rules: { alert?: string; expr: string }[];
}
interface RuleTests {
  tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

let dir: string;
let groups: RuleGroup[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'alerts-'));
  const objects = await render('prod', { release: 'prod', args: ['--namespace', 'platform-prod'] });
  groups = (named(objects, 'PrometheusRule', 'prod').spec as { groups: RuleGroup[] }).groups;
  writeFileSync(join(dir, 'platform.rules.yaml'), stringify({ groups }));
  copyFileSync(TESTS, join(dir, 'platform.rules.test.yaml'));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function promtool(args: string[]): Promise<{ code: number; out: string }> {
  const binary = await toolPath('promtool');
  try {
    const { stdout, stderr } = await run(binary, args, { cwd: dir, timeout: 60_000 });
    return { code: 0, out: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? 1, out: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

test('the rendered rules pass promtool check rules', async () => {
  const result = await promtool(['check', 'rules', 'platform.rules.yaml']);
  expect(result.out).toMatch(/SUCCESS: \d+ rules found/);
  expect(result.code).toBe(0);
}, 120_000);

test('promtool test rules: every case passes', async () => {
  const result = await promtool(['test', 'rules', 'platform.rules.test.yaml']);
  expect(result.out).toMatch(/SUCCESS/);
  expect(result.code).toBe(0);
}, 120_000);

test('every alert of the chart has a case that fires it and one where it stays silent', () => {
  const cases = (parse(readFileSync(TESTS, 'utf8')) as RuleTests).tests.flatMap(
    (entry) => entry.alert_rule_test ?? [],
  );
  const alerts = groups.flatMap((group) => group.rules.flatMap((rule) => (rule.alert ? [rule.alert] : [])));
  expect(alerts.length).toBeGreaterThan(3);
  for (const alert of alerts) {
    const own = cases.filter((entry) => entry.alertname === alert);
    expect({ alert, fires: own.some((entry) => entry.exp_alerts.length > 0) }).toEqual({
      alert,
      fires: true,
    });
    expect({ alert, silent: own.some((entry) => entry.exp_alerts.length === 0) }).toEqual({
      alert,
      silent: true,
    });
  }
});
