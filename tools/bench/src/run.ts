/**
 * The whole run: database, seed, services and baselines, the hot-path cases, login, list latency
 * by catalogue size, and the report. Everything started here is stopped here, however it ends.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { MongoClient } from 'mongodb';
import { dropDatabase, launchDatabase } from '@platform/devstack';
import type { BenchOptions } from './args';
import type { BenchCase, CaseContext } from './cases';
import { hotPathCases, selectCases } from './cases';
import { insertCatalog, itemsCollection, QUOTE_POSITIONS } from './catalog';
import type { CaseRequest, LoadSettings, Measurement, Target } from './load';
import { DATABASE_BOUND_RULE, loadMode, measure, measurementProblem, probe, probeTarget } from './load';
import { databaseInfo, machineInfo } from './machine';
import type { BenchPlatform, RunningBaseline, RunningService, SigningKey } from './platform';
import {
  createDiscounts,
  generateSigningKey,
  ITEMS_TIMEOUT,
  login,
  QUOTE_CODE,
  SCRYPT,
  SERVICE_SETTINGS,
  startBaselineProcess,
  startPlatform,
  startService,
} from './platform';
import type { NodeProcess } from './processes';
import { ProcessGroup } from './processes';
import type { BenchReport, CaseResult, LoginResult, MachineInfo, ScaleResult } from './report';
import { collectFailures, computeRatios, formatCount, formatMs, formatRate } from './report';
import { scryptRate } from './scrypt-floor';

/** The only databases the bench writes, dropped before and after a run on a server it did not start. */
export const BENCH_DATABASES = {
  auth: 'bench_auth',
  items: 'bench_items',
  discounts: 'bench_discounts',
  scale: 'bench_items_scale',
} as const;

export interface RunHooks {
  log: (line: string) => void;
  signal: AbortSignal;
}

const ID_SAMPLES = 100;

export const ITEMS_TIMEOUT_OVERRIDE = {
  service: 'discounts',
  setting: `ITEMS_TIMEOUT=${ITEMS_TIMEOUT}`,
  reason:
    'default 2s; on a database that scans, one batch lookup in items can take longer, which would make every quote a 503 instead of a measurement',
};
const SCRYPT_FLOOR_MAX_SECONDS = 5;

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));
const shorten = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
};

/** Catalogue positions spread evenly over `itemCount` items, whose ids the get-by-id case uses in turn. */
export function spreadPositions(itemCount: number, samples = ID_SAMPLES): number[] {
  const count = Math.min(samples, itemCount);
  return Array.from({ length: count }, (_, k) => Math.floor(((k + 0.5) * itemCount) / count));
}

async function seedItems(
  url: string,
  range: { from: number; to: number },
  keep: number[],
  signal: AbortSignal,
): Promise<Map<number, string>> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 10_000 });
  try {
    return await insertCatalog(itemsCollection(client.db()), range, { keep, signal });
  } finally {
    await client.close();
  }
}

const problemOf = (name: string, answer: { status: number; body: unknown }) =>
  answer.status >= 200 && answer.status < 300
    ? undefined
    : `the ${name} answered ${answer.status}: ${shorten(answer.body)}`;

/** Why the probes show the case cannot be measured: an error, a wrong answer, or two different answers. */
export function probeProblems(
  service: { status: number; body: unknown },
  baseline: { status: number; body: unknown },
  check: (body: unknown) => string | undefined,
): string[] {
  const statusProblems = [problemOf('service', service), problemOf('baseline', baseline)].filter(
    (problem): problem is string => problem !== undefined,
  );
  if (statusProblems.length > 0) return statusProblems;
  const wrong = check(service.body);
  if (wrong) return [`the service's answer is not what the case measures: ${wrong}`];
  if (!isDeepStrictEqual(service.body, baseline.body)) {
    return [
      `the baseline answered differently from the service: service ${shorten(service.body)}, baseline ${shorten(baseline.body)}`,
    ];
  }
  return [];
}

const exited = (processes: NodeProcess[]) =>
  processes.flatMap((proc) => {
    const reason = proc.exitReason();
    return reason ? [`${proc.name} ${reason}:\n${proc.output()}`] : [];
  });

interface Side {
  target: Target;
  processes: NodeProcess[];
}

/** Probes both sides, then measures the service and the baseline the same way. */
async function compare(
  request: CaseRequest,
  service: Side,
  baseline: Side,
  check: (body: unknown) => string | undefined,
  settings: LoadSettings,
): Promise<{ service?: Measurement; baseline?: Measurement; problems: string[] }> {
  const serviceProbe = await probeTarget(service.target, request, settings.signal);
  const baselineProbe = await probeTarget(baseline.target, request, settings.signal);
  const problems = probeProblems(serviceProbe, baselineProbe, check);
  if (problems.length > 0) return { problems };
  const mode = loadMode([serviceProbe.ms, baselineProbe.ms], settings.connections, settings.durationSec);
  const serviceMeasurement = await measure(service.target, request, settings, { mode, probe: serviceProbe });
  const baselineMeasurement = await measure(baseline.target, request, settings, {
    mode,
    probe: baselineProbe,
  });
  for (const [name, measurement] of [
    ['service', serviceMeasurement],
    ['baseline', baselineMeasurement],
  ] as const) {
    const problem = measurementProblem(measurement);
    if (problem) problems.push(`${name}: ${problem}`);
  }
  problems.push(...exited([...service.processes, ...baseline.processes]));
  return { service: serviceMeasurement, baseline: baselineMeasurement, problems };
}

type Comparison = Pick<CaseResult, 'service' | 'baseline' | 'ratios' | 'problems'>;

/** compare, with the ratios, any error kept as a problem (unless the run was stopped), and logged. */
async function comparison(
  label: string,
  request: CaseRequest,
  service: Side,
  baseline: Side,
  check: (body: unknown) => string | undefined,
  settings: LoadSettings,
  hooks: RunHooks,
): Promise<Comparison> {
  let result: Comparison = { problems: [] };
  try {
    const outcome = await compare(request, service, baseline, check, settings);
    result =
      outcome.service && outcome.baseline
        ? { ...outcome, ratios: computeRatios(outcome.service, outcome.baseline) }
        : outcome;
  } catch (error) {
    hooks.signal.throwIfAborted();
    result.problems.push(describe(error));
  }
  hooks.log(summary(label, result.service, result.baseline));
  for (const problem of result.problems) hooks.log(`  problem: ${problem}`);
  return result;
}

const targetOf = (kind: Target['kind'], url: string, processes: NodeProcess[]): Side => ({
  target: { kind, url, processes: processes.map((proc) => ({ name: proc.name, pid: proc.pid })) },
  processes,
});

function summary(label: string, service?: Measurement, baseline?: Measurement): string {
  const side = (m: Measurement | undefined) =>
    m
      ? `${formatRate(m.rps)} req/s, p50 ${formatMs(m.latencyMs.p50)} ms, p99 ${formatMs(m.latencyMs.p99)} ms`
      : '-';
  return `${label}: service ${side(service)} | baseline ${side(baseline)}`;
}

async function runCases(
  cases: BenchCase[],
  processByName: Map<string, NodeProcess>,
  baseline: RunningBaseline,
  settings: LoadSettings,
  hooks: RunHooks,
): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const benchCase of cases) {
    hooks.log(`case ${benchCase.title}…`);
    const serviceProcesses = benchCase.service.processes.map((name) => processByName.get(name)!);
    const result: CaseResult = {
      id: benchCase.id,
      title: benchCase.title,
      baselineDescription: benchCase.baseline,
      ...(await comparison(
        `  ${benchCase.id}`,
        benchCase.request,
        targetOf('service', benchCase.service.url, serviceProcesses),
        targetOf('baseline', baseline.url, [baseline.process]),
        benchCase.check,
        settings,
        hooks,
      )),
    };
    results.push(result);
  }
  return results;
}

async function runLogin(
  auth: RunningService,
  admin: { email: string; password: string },
  options: BenchOptions,
  hooks: RunHooks,
): Promise<LoginResult> {
  const title = 'POST /api/auth/login';
  hooks.log(`login (${options.loginConnections} connections)…`);
  const result: LoginResult = { title, scrypt: { ...SCRYPT }, problems: [] };
  const request: CaseRequest = {
    method: 'POST',
    paths: ['/api/auth/login'],
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify(admin),
  };
  try {
    const first = await probe(auth.api, request, hooks.signal);
    const token = (first.body as { accessToken?: unknown } | undefined)?.accessToken;
    if (first.status !== 200 || typeof token !== 'string') {
      result.problems.push(`login answered ${first.status}: ${shorten(first.body)}`);
      return result;
    }
    result.measurement = await measure(
      targetOf('service', auth.api, [auth.process]).target,
      request,
      {
        durationSec: options.durationSec,
        warmupSec: options.warmupSec,
        connections: options.loginConnections,
        signal: hooks.signal,
      },
      // Hashing is CPU work, not a scan: always measured for the duration at the login concurrency.
      { mode: 'throughput', probe: first },
    );
    const problem = measurementProblem(result.measurement);
    if (problem) result.problems.push(problem);
    result.problems.push(...exited([auth.process]));
    result.scryptFloor = await scryptRate(
      SCRYPT,
      options.loginConnections,
      Math.min(options.durationSec, SCRYPT_FLOOR_MAX_SECONDS),
      hooks.signal,
    );
  } catch (error) {
    hooks.signal.throwIfAborted();
    result.problems.push(describe(error));
  }
  hooks.log(summary('  login', result.measurement));
  for (const problem of result.problems) hooks.log(`  problem: ${problem}`);
  return result;
}

/** List latency on a second items database grown in place through each size. */
async function runScale(
  group: ProcessGroup,
  url: string,
  verifierEnv: Record<string, string>,
  settings: LoadSettings,
  sizes: number[],
  hooks: RunHooks,
): Promise<ScaleResult[]> {
  if (sizes.length === 0) return [];
  const results: ScaleResult[] = [];
  hooks.log(`list latency by size: seeding ${formatCount(sizes[0]!)} items…`);
  await seedItems(url, { from: 0, to: sizes[0]! }, [], hooks.signal);
  const items = await startService(group, 'items', { MONGO_URL: url, ...verifierEnv }, 'items (scale)');
  const baseline = await startBaselineProcess(group, 'baseline (scale)', { items: url });
  try {
    const request: CaseRequest = {
      method: 'GET',
      paths: ['/api/items?limit=20'],
      headers: { accept: 'application/json' },
    };
    let seeded = sizes[0]!;
    for (const size of sizes) {
      if (size > seeded) {
        hooks.log(`list latency by size: growing to ${formatCount(size)} items…`);
        await seedItems(url, { from: seeded, to: size }, [], hooks.signal);
        seeded = size;
      }
      hooks.log(`list at ${formatCount(size)} items…`);
      const result: ScaleResult = {
        size,
        ...(await comparison(
          `  ${formatCount(size)} items`,
          request,
          targetOf('service', items.api, [items.process]),
          targetOf('baseline', baseline.url, [baseline.process]),
          (body) => {
            const total = (body as { total?: unknown } | undefined)?.total;
            return total === size ? undefined : `expected total ${size}, got ${String(total)}`;
          },
          settings,
          hooks,
        )),
      };
      results.push(result);
    }
  } finally {
    await baseline.process.stop();
    await items.process.stop();
  }
  return results;
}

/** What every mode works on: the seeded database, the platform, the baseline's inputs, the cases' data. */
export interface BenchEnvironment {
  urls: Record<keyof typeof BENCH_DATABASES, string>;
  machine: MachineInfo;
  key: SigningKey;
  admin: { email: string; password: string };
  platform: BenchPlatform;
  token: string;
  /** The data of the hot-path cases, with the platform's own services as targets. */
  caseContext: CaseContext;
}

/**
 * Starts the database, seeds it, starts the platform, logs in and creates the discounts, runs
 * `body`, and stops everything however it ends (dropping the bench databases on a server it did
 * not start).
 */
export async function withEnvironment<T>(
  options: BenchOptions,
  hooks: RunHooks,
  group: ProcessGroup,
  body: (environment: BenchEnvironment) => Promise<T>,
): Promise<T> {
  const { log, signal } = hooks;
  log('starting the database…');
  const database = await launchDatabase();
  const external = database.kind === 'external';
  const urls = {
    auth: database.urlFor(BENCH_DATABASES.auth),
    items: database.urlFor(BENCH_DATABASES.items),
    discounts: database.urlFor(BENCH_DATABASES.discounts),
    scale: database.urlFor(BENCH_DATABASES.scale),
  };
  // Only on a server the bench did not start: a fresh one has nothing to drop, and is removed anyway.
  const dropBenchDatabases = async () => {
    for (const url of Object.values(urls)) await dropDatabase(url);
  };
  const onAbort = () => void group.stopAll();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (external) await dropBenchDatabases();
    const engine = await databaseInfo(database.urlFor('admin'));
    const where = external
      ? `MONGO_URL, databases ${Object.values(BENCH_DATABASES).join(', ')}`
      : `${database.kind === 'ferretdb' ? 'embedded, SQLite backend' : 'mongod from PATH'}, started for this run`;
    const machine = machineInfo({ ...engine, where });

    log(`seeding ${formatCount(options.items)} items…`);
    const spread = spreadPositions(options.items);
    const quotePositions = QUOTE_POSITIONS.filter((position) => position < options.items);
    const ids = await seedItems(
      urls.items,
      { from: 0, to: options.items },
      [...spread, ...quotePositions],
      signal,
    );

    log('starting auth, items and discounts…');
    const key = generateSigningKey();
    const admin = { email: 'bench-admin@example.com', password: randomBytes(18).toString('base64url') };
    const platform = await startPlatform(group, urls, key, admin);
    const token = await login(platform.auth, admin);
    await createDiscounts(platform.discounts, token);
    const caseContext: CaseContext = {
      items: { url: platform.items.api, process: platform.items.name },
      auth: { url: platform.auth.api, process: platform.auth.name },
      discounts: { url: platform.discounts.api, process: platform.discounts.name },
      itemCount: options.items,
      itemIds: spread.map((position) => ids.get(position)!),
      quoteItemIds: quotePositions.map((position) => ids.get(position)!),
      quoteCode: QUOTE_CODE,
      token,
      adminEmail: admin.email,
    };
    return await body({ urls, machine, key, admin, platform, token, caseContext });
  } finally {
    signal.removeEventListener('abort', onAbort);
    await group.stopAll();
    if (external)
      await dropBenchDatabases().catch((error: unknown) =>
        log(`could not drop the bench databases: ${describe(error)}`),
      );
    await database.stop();
  }
}

export async function runBenchmark(
  options: BenchOptions,
  hooks: RunHooks,
  group: ProcessGroup = new ProcessGroup(),
): Promise<BenchReport> {
  const started = new Date();
  return withEnvironment(
    options,
    hooks,
    group,
    async ({ urls, machine, key, admin, platform, caseContext }) => {
      hooks.log('starting the baseline…');
      const baseline = await startBaselineProcess(group, 'baseline', urls, key.publicKeyPem);
      const settings: LoadSettings = {
        durationSec: options.durationSec,
        warmupSec: options.warmupSec,
        connections: options.connections,
        signal: hooks.signal,
      };
      const cases = selectCases(hotPathCases(caseContext), options.cases);
      const processByName = new Map(
        [platform.auth, platform.items, platform.discounts].map((service) => [service.name, service.process]),
      );
      const caseResults = await runCases(cases, processByName, baseline, settings, hooks);
      const loginResult = await runLogin(platform.auth, admin, options, hooks);
      const scale = await runScale(
        group,
        urls.scale,
        platform.verifierEnv,
        settings,
        options.scaleSizes,
        hooks,
      );

      const finished = new Date();
      const failures = collectFailures({ cases: caseResults, scale, login: loginResult });
      return {
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        wallSeconds: (finished.getTime() - started.getTime()) / 1000,
        status: failures.length === 0 ? 'ok' : 'failed',
        machine,
        settings: {
          durationSec: options.durationSec,
          warmupSec: options.warmupSec,
          connections: options.connections,
          loginConnections: options.loginConnections,
          items: options.items,
          scaleSizes: options.scaleSizes,
          databaseBoundRule: DATABASE_BOUND_RULE,
          serviceSettings: { ...SERVICE_SETTINGS },
          serviceOverrides: [ITEMS_TIMEOUT_OVERRIDE],
          loadGenerator: `autocannon ${autocannonVersion()}`,
        },
        cases: caseResults,
        scale,
        login: loginResult,
        failures,
      };
    },
  );
}

function autocannonVersion(): string {
  try {
    return (
      JSON.parse(readFileSync(require.resolve('autocannon/package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
}
