/**
 * Schemathesis against each service's own OpenAPI document, every check enabled, authenticated as
 * admin where the document asks for a bearer token: no 5xx, and every response (status, headers,
 * content type, body) conforms to the document. Settings and the few documented exceptions are in
 * schemathesis.toml; a finding is fixed in the service or in the schemas the document comes from.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toolPath } from '@platform/devstack';
import type { Operation } from './openapi';
import { fetchDocument, label, operationsOf } from './openapi';
import type { ServiceName, TestPlatform } from './platform';
import { SERVICE_NAMES, startPlatform } from './platform';

const CONFIG_FILE = join(__dirname, '..', 'schemathesis.toml');
/** A run that has not finished by then is stuck; the kill turns it into a failure with its output. */
const RUN_DEADLINE_MS = 150_000;

interface RecordedCase {
  value: { method: string; path: string };
}
interface RecordedInteraction {
  response?: { status_code: number } | null;
}
interface RecordedCheck {
  name: string;
  status: string;
}
interface ScenarioFinished {
  phase: string;
  status: string;
  recorder: {
    label: string;
    cases?: Record<string, RecordedCase>;
    interactions?: Record<string, RecordedInteraction>;
    checks?: Record<string, RecordedCheck[]>;
  };
}

interface RunReport {
  exitCode: number | null;
  output: string;
  /** Responses received, by `METHOD /path/template`. */
  responses: Map<string, number[]>;
  /** `METHOD /path: check` for every check that failed. */
  failedChecks: string[];
  phases: Set<string>;
}

function runSchemathesis(st: string, args: string[], env: Record<string, string>, cwd: string) {
  return new Promise<{ exitCode: number | null; output: string }>((resolve, reject) => {
    const child = spawn(st, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => (output += chunk.toString());
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const deadline = setTimeout(() => child.kill('SIGKILL'), RUN_DEADLINE_MS);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(deadline);
      resolve({
        exitCode: code,
        output: signal ? `${output}\n(killed by ${signal} after the deadline)` : output,
      });
    });
  });
}

/** Reads schemathesis' NDJSON event stream: what was sent, what came back, what failed. */
function readReport(file: string): Pick<RunReport, 'responses' | 'failedChecks' | 'phases'> {
  const responses = new Map<string, number[]>();
  const failedChecks = new Set<string>();
  const phases = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const event = JSON.parse(line) as { ScenarioFinished?: ScenarioFinished };
    const scenario = event.ScenarioFinished;
    if (!scenario) continue;
    const { cases = {}, interactions = {}, checks = {} } = scenario.recorder;
    for (const [caseId, interaction] of Object.entries(interactions)) {
      const recorded = cases[caseId];
      if (!recorded || !interaction.response) continue;
      phases.add(scenario.phase);
      const key = label(recorded.value);
      responses.set(key, [...(responses.get(key) ?? []), interaction.response.status_code]);
    }
    for (const [caseId, results] of Object.entries(checks)) {
      const where = cases[caseId] ? label(cases[caseId].value) : scenario.recorder.label;
      for (const check of results)
        if (check.status !== 'success') failedChecks.add(`${where}: ${check.name}`);
    }
  }
  return { responses, failedChecks: [...failedChecks].sort(), phases };
}

let platform: TestPlatform;
let st: string;
let adminToken: string;
let reportRoot: string;

beforeAll(async () => {
  // Installs the pinned schemathesis when it is missing; throws (the tests fail) when it cannot.
  st = await toolPath('st');
  platform = await startPlatform();
  adminToken = await platform.auth.adminToken();
  reportRoot = mkdtempSync(join(tmpdir(), 'schemathesis-'));
});

afterAll(async () => {
  await platform?.stop();
  if (reportRoot) rmSync(reportRoot, { recursive: true, force: true });
});

test('every exception in schemathesis.toml names an operation that exists', async () => {
  const exceptions = [
    ...readFileSync(CONFIG_FILE, 'utf8').matchAll(/^include-operation-id = "([^"]+)"$/gm),
  ].map((match) => match[1]);
  const known = new Set<string>();
  for (const name of SERVICE_NAMES) {
    for (const operation of operationsOf(await fetchDocument(platform.services[name].url, name))) {
      known.add(operation.operationId);
    }
  }
  expect(exceptions.length).toBeGreaterThan(0);
  expect(exceptions.filter((operationId) => !known.has(operationId!))).toEqual([]);
});

describe.each(SERVICE_NAMES)('schemathesis against %s', (name: ServiceName) => {
  let operations: Operation[];
  let run: RunReport;

  beforeAll(async () => {
    const { url } = platform.services[name];
    // Schemathesis leaves out the operation that served it the document; loading it was its test.
    operations = operationsOf(await fetchDocument(url, name)).filter(
      (operation) => operation.path !== `/api/${name}/openapi.json`,
    );
    const dir = mkdtempSync(join(reportRoot, `${name}-`));
    const { exitCode, output } = await runSchemathesis(
      st,
      [
        '--config-file',
        CONFIG_FILE,
        'run',
        `${url}/api/${name}/openapi.json`,
        '--no-color',
        '--report',
        'ndjson',
        '--report-ndjson-path',
        join(dir, 'events.ndjson'),
      ],
      { ADMIN_TOKEN: adminToken },
      dir,
    );
    const events = readdirSync(dir).includes('events.ndjson')
      ? readReport(join(dir, 'events.ndjson'))
      : { responses: new Map<string, number[]>(), failedChecks: [], phases: new Set<string>() };
    run = { exitCode, output, ...events };
    const total = [...run.responses.values()].reduce((sum, statuses) => sum + statuses.length, 0);
    process.stdout.write(
      `schemathesis ${name}: ${total} requests over ${operations.length} operations (` +
        operations
          .map((op) => {
            const statuses = run.responses.get(label(op)) ?? [];
            return `${label(op)} ${statuses.length} [${statuses.filter((s) => s < 300).length} 2xx]`;
          })
          .join(', ') +
        `), phases ${[...run.phases].join(', ')}\n`,
    );
  });

  it('finds nothing: no failed check, and schemathesis exits 0', () => {
    if (run.failedChecks.length > 0 || run.exitCode !== 0) {
      // Its own report names each failure with a curl command that reproduces it.
      throw new Error(
        `schemathesis exited ${run.exitCode}; failed checks: ${run.failedChecks.join(', ') || 'none'}\n${run.output}`,
      );
    }
    expect(run.failedChecks).toEqual([]);
    expect(run.exitCode).toBe(0);
  });

  it('tested every operation of the document, authenticated where it asks for a token', () => {
    expect(operations.length).toBeGreaterThan(0);
    for (const operation of operations) {
      const statuses = run.responses.get(label(operation)) ?? [];
      expect({ operation: label(operation), tested: statuses.length > 0 }).toEqual({
        operation: label(operation),
        tested: true,
      });
      if (operation.security.includes('bearer')) {
        // The admin token was accepted at least once: the run reached past authentication.
        expect({
          operation: label(operation),
          authenticated: statuses.some((s) => s !== 401 && s !== 403),
        }).toEqual({ operation: label(operation), authenticated: true });
      }
    }
  });

  it('never got a 5xx', () => {
    const serverErrors = [...run.responses].flatMap(([operation, statuses]) =>
      statuses.filter((status) => status >= 500).map((status) => `${operation}: ${status}`),
    );
    expect(serverErrors).toEqual([]);
  });
});
