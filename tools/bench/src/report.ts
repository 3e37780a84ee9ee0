/** The report: ratios to the baseline, and the Markdown and JSON forms. Pure functions only. */
import type { BenchOptions } from './args';
import type { WorkApart } from './callgrind';
import type { Layer, LayerId } from './layers';
import { LAYERS } from './layers';
import type { Measurement } from './load';

export interface MachineInfo {
  node: string;
  os: string;
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  /** 1, 5 and 15 minute load averages when the run started: other work on the machine skews numbers. */
  loadAverage: number[];
  database: { engine: 'ferretdb' | 'mongodb'; version: string; where: string };
}

/** The run's options as the report records them, and what else shaped the numbers. */
export type RunSettings = Pick<
  BenchOptions,
  'durationSec' | 'warmupSec' | 'connections' | 'loginConnections' | 'items' | 'scaleSizes'
> & {
  /** When a case counts as database-bound (see load.ts). */
  databaseBoundRule: string;
  /** Environment every service ran with (beyond ports, database and keys). */
  serviceSettings: Record<string, string>;
  /** Settings of individual services that differ from their defaults, and why. */
  serviceOverrides: { service: string; setting: string; reason: string }[];
  loadGenerator: string;
};

export interface Ratios {
  /** service / baseline requests per second (1 = as fast as the floor). */
  rps: number | null;
  /** service / baseline latency (1 = as fast as the floor). */
  p50: number | null;
  p99: number | null;
}

export interface CaseResult {
  id: string;
  title: string;
  baselineDescription: string;
  service?: Measurement;
  baseline?: Measurement;
  ratios?: Ratios;
  problems: string[];
}

export interface ScaleResult {
  size: number;
  service?: Measurement;
  baseline?: Measurement;
  ratios?: Ratios;
  problems: string[];
}

export interface LoginResult {
  title: string;
  measurement?: Measurement;
  scrypt: { N: number; r: number; p: number };
  /** Hashes per second of scrypt alone at the same concurrency, in the bench process. */
  scryptFloor?: { hashesPerSecond: number; concurrency: number; seconds: number };
  problems: string[];
}

/** Instructions counted by callgrind over one window of requests. */
export interface InstructionCount {
  requests: number;
  /** Wall time of the counted requests (under valgrind: many times the usual). */
  seconds: number;
  /** Requests answered before counting: the warm-up, and more while waiting for its turn. */
  requestsBefore: number;
  /**
   * Instructions per request of each window counted, in order (for the process the side asks; a
   * downstream process gets its side's). The count is made of the last `keptWindows` of them.
   */
  windows: number[];
  keptWindows: number;
  /** Thread 1: JavaScript, node's event loop, and the GC work done on it. */
  mainThread: number;
  /** Every thread: V8's helpers (concurrent GC, the optimizing compiler) and libuv's pool too. */
  allThreads: number;
  /** Of allThreads, V8's optimizing compiler in background jobs: JIT warm-up, which a busy service finishes. */
  jitCompile: number;
  /** Of allThreads, a major GC on any thread (marking, its barrier, the pause, sweeping): one every few thousand requests, or none. */
  majorGc: number;
  threads: ({ thread: number; instructions: number } & WorkApart)[];
  perRequest: {
    mainThread: number;
    allThreads: number;
    jitCompile: number;
    majorGc: number;
    /** All threads without the two above: the figure compared. */
    counted: number;
  };
}

/** Instructions per request by layer of the request path (all threads), from a kept profile. */
export interface LayerBreakdown {
  perRequest: Record<LayerId, number>;
  /** The main thread's profile with generated code named, for callgrind_annotate. */
  namedProfile: string;
  /** The main thread's functions with the highest inclusive cost. */
  topFunctions: { function: string; selfPerRequest: number; inclusivePerRequest: number }[];
}

export interface InstructionSide {
  process: string;
  count?: InstructionCount;
  layers?: LayerBreakdown;
}

export interface InstructionRatio {
  /** service / baseline instructions per request, all threads without the work apart (1 = the floor's cost). */
  counted: number | null;
  mainThread: number | null;
}

export interface InstructionCaseResult {
  id: string;
  title: string;
  baselineDescription: string;
  /** The error status both sides answered, for a case of the error path. */
  expectedStatus?: number;
  service: InstructionSide;
  /** Services the service under test calls (items behind the quote), counted over the same requests. */
  downstream: InstructionSide[];
  baseline: InstructionSide;
  ratio?: InstructionRatio;
  /** 1, 5 and 15 minute load averages before and after the case. */
  loadAverage: { before: number[]; after: number[] };
  problems: string[];
}

export interface InstructionSettings {
  /** Requests per counted window. */
  requests: number;
  warmupRequests: number;
  /** Windows are counted until two in a row agree within this share, at most maxWindows. */
  windowAgreement: number;
  maxWindows: number;
  items: number;
  valgrind: string;
  callgrindOptions: string[];
  /** node flags of the processes under valgrind (only with kept profiles). */
  nodeFlags: string[];
  serviceSettings: Record<string, string>;
  serviceOverrides: { service: string; setting: string; reason: string }[];
  cores: number;
  loadAverageAtStart: number[];
  /** Where the callgrind files, perf maps and named profiles were kept. */
  profileDir?: string;
}

export interface InstructionReport {
  settings: InstructionSettings;
  cases: InstructionCaseResult[];
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  status: 'ok' | 'failed';
  machine: MachineInfo;
  /** The wall-time run's settings (absent in the instruction mode). */
  settings?: RunSettings;
  cases: CaseResult[];
  scale: ScaleResult[];
  login?: LoginResult;
  /** The instruction mode's counts. */
  instructions?: InstructionReport;
  failures: string[];
}

const ratio = (numerator: number, denominator: number): number | null =>
  Number.isFinite(numerator) && Number.isFinite(denominator) && denominator > 0 && numerator >= 0
    ? numerator / denominator
    : null;

export function computeRatios(service: Measurement, baseline: Measurement): Ratios {
  return {
    rps: ratio(service.rps, baseline.rps),
    p50: ratio(service.latencyMs.p50, baseline.latencyMs.p50),
    p99: ratio(service.latencyMs.p99, baseline.latencyMs.p99),
  };
}

export function instructionRatio(service: InstructionCount, baseline: InstructionCount): InstructionRatio {
  return {
    counted: ratio(service.perRequest.counted, baseline.perRequest.counted),
    mainThread: ratio(service.perRequest.mainThread, baseline.perRequest.mainThread),
  };
}

export function collectInstructionFailures(cases: InstructionCaseResult[]): string[] {
  return cases.flatMap((result) => result.problems.map((problem) => `${result.title}: ${problem}`));
}

/** Every problem of the run, each prefixed with where it happened. */
export function collectFailures(parts: {
  cases: CaseResult[];
  scale: ScaleResult[];
  login?: LoginResult | undefined;
}): string[] {
  return [
    ...parts.cases.flatMap((result) => result.problems.map((problem) => `${result.title}: ${problem}`)),
    ...parts.scale.flatMap((result) =>
      result.problems.map((problem) => `list at ${formatCount(result.size)} items: ${problem}`),
    ),
    ...(parts.login?.problems.map((problem) => `${parts.login!.title}: ${problem}`) ?? []),
  ];
}

export const formatCount = (value: number) => value.toLocaleString('en-US');

export function formatRate(value: number): string {
  if (value >= 100) return formatCount(Math.round(value));
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function formatMs(value: number): string {
  if (value >= 100) return formatCount(Math.round(value));
  if (value >= 10) return value.toFixed(1);
  return value.toFixed(2).replace(/\.?0+$/, '') || '0';
}

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined) return 'n/a';
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

export function formatRatio(value: number | null | undefined): string {
  return value === null || value === undefined ? 'n/a' : `${value.toFixed(2)}×`;
}

export function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  return minutes > 0 ? `${minutes} min ${whole % 60} s` : `${whole} s`;
}

const escapeCell = (text: string) => text.replace(/\|/g, '\\|');

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`),
  ];
}

function memory(measurement: Measurement | undefined): string {
  if (!measurement) return '-';
  const entries = Object.entries(measurement.peakRss);
  if (entries.length === 1) return formatBytes(entries[0]![1].bytes);
  return entries.map(([name, peak]) => `${name} ${formatBytes(peak.bytes)}`).join(' + ');
}

function load(measurement: Measurement | undefined): string {
  if (!measurement) return '-';
  return measurement.mode === 'throughput'
    ? `${measurement.connections} conn, ${measurement.seconds.toFixed(1)} s`
    : `1 conn, ${measurement.requests} req (db-bound)`;
}

const cells = (measurement: Measurement | undefined) =>
  measurement
    ? [formatRate(measurement.rps), formatMs(measurement.latencyMs.p50), formatMs(measurement.latencyMs.p99)]
    : ['-', '-', '-'];

function hotPathTable(cases: CaseResult[]): string[] {
  return table(
    [
      'case',
      'load',
      'service req/s',
      'p50 ms',
      'p99 ms',
      'service peak RSS',
      'baseline req/s',
      'p50 ms',
      'p99 ms',
      'baseline peak RSS',
      'req/s ratio',
      'p50 ratio',
      'p99 ratio',
    ],
    cases.map((result) => [
      result.problems.length > 0 ? `${result.title} **FAILED**` : result.title,
      load(result.service),
      ...cells(result.service),
      memory(result.service),
      ...cells(result.baseline),
      memory(result.baseline),
      formatRatio(result.ratios?.rps),
      formatRatio(result.ratios?.p50),
      formatRatio(result.ratios?.p99),
    ]),
  );
}

function growth(scale: ScaleResult[], side: 'service' | 'baseline'): string {
  const first = scale[0]?.[side]?.latencyMs.p50;
  const last = scale[scale.length - 1]?.[side]?.latencyMs.p50;
  return first !== undefined && last !== undefined ? formatRatio(ratio(last, first)) : 'n/a';
}

function scaleSection(scale: ScaleResult[]): string[] {
  if (scale.length === 0) return [];
  const lines = [
    '',
    '## List latency by catalogue size',
    '',
    'The same `GET /api/items?limit=20` (page 1, whole catalogue) on a second items database, grown in place.',
    '',
    ...table(
      [
        'items',
        'load',
        'service req/s',
        'p50 ms',
        'p99 ms',
        'baseline req/s',
        'p50 ms',
        'p99 ms',
        'p50 ratio',
      ],
      scale.map((result) => [
        result.problems.length > 0 ? `${formatCount(result.size)} **FAILED**` : formatCount(result.size),
        load(result.service),
        ...cells(result.service),
        ...cells(result.baseline),
        formatRatio(result.ratios?.p50),
      ]),
    ),
  ];
  if (scale.length > 1) {
    lines.push(
      '',
      `From ${formatCount(scale[0]!.size)} to ${formatCount(scale[scale.length - 1]!.size)} items the p50 grew ` +
        `${growth(scale, 'service')} for the service and ${growth(scale, 'baseline')} for the baseline.`,
    );
  }
  return lines;
}

function loginSection(login: LoginResult | undefined): string[] {
  if (!login) return [];
  const { measurement, scrypt, scryptFloor } = login;
  const floor = scryptFloor ? `${formatRate(scryptFloor.hashesPerSecond)} hashes/s` : 'n/a';
  return [
    '',
    '## Login (reported apart: bound by the password hash by design)',
    '',
    ...table(
      ['case', 'load', 'req/s', 'p50 ms', 'p99 ms', 'auth peak RSS', 'scrypt alone'],
      [
        [
          login.problems.length > 0 ? `${login.title} **FAILED**` : login.title,
          load(measurement),
          ...cells(measurement),
          memory(measurement),
          floor,
        ],
      ],
    ),
    '',
    `Each login verifies an scrypt hash (N=${scrypt.N}, r=${scrypt.r}, p=${scrypt.p}, auth's production cost), ` +
      `which is meant to be slow. "scrypt alone" is the same hash computed ${scryptFloor?.concurrency ?? '-'} at a time ` +
      'in the bench process with nothing else: the ceiling login can approach on this machine.',
  ];
}

function wallSection(report: BenchReport, settings: RunSettings): string[] {
  return [
    `- Load: ${settings.loadGenerator} on loopback, in the bench process; ${settings.durationSec} s measured per case and target after ${settings.warmupSec} s of warm-up, ${settings.connections} connections`,
    `- Data: ${formatCount(settings.items)} items; list latency at ${settings.scaleSizes.map(formatCount).join(' and ') || '(skipped)'} items`,
    ...servicesLines(settings.serviceSettings, settings.serviceOverrides),
    `- Wall time: ${formatDuration(report.wallSeconds)}`,
    '',
    '## Hot paths against the bare baseline',
    '',
    ...hotPathTable(report.cases),
    '',
    'Ratios are service / baseline: for req/s 1.00× means as fast as the floor and lower is slower; for latency',
    "1.00× means as fast and higher is slower. Peak RSS is each process's peak resident memory during the",
    "measured load (Linux /proc: the kernel's high-water mark, reset at the start of the case).",
    `A case is "db-bound" when ${settings.databaseBoundRule} (one request measured alone first): the`,
    'database serves it so slowly (a full scan on FerretDB) that more connections would only queue behind it. It',
    'then runs on one connection for as many requests as fill the duration, and its percentiles come from those;',
    'a request that alone takes longer than the duration is measured once (that first request is the measurement).',
    '',
    'What the baseline does for each case (node:http, no framework, in its own process, same database):',
    '',
    ...report.cases.map((result) => `- ${result.title}: ${result.baselineDescription}.`),
    ...scaleSection(report.scale),
    ...loginSection(report.login),
  ];
}

function servicesLines(
  serviceSettings: Record<string, string>,
  overrides: { service: string; setting: string; reason: string }[],
): string[] {
  return [
    `- Services: each its own process, ${Object.entries(serviceSettings)
      .map(([name, value]) => `${name}=${value}`)
      .join(', ')}`,
    ...overrides.map((override) => `- ${override.service}: ${override.setting} (${override.reason})`),
  ];
}

/** Instructions in thousands, the unit the tables use: `2,656k`. */
export function formatKilo(value: number | undefined): string {
  return value === undefined ? '-' : `${formatCount(Math.round(value / 1000))}k`;
}

type PerRequestFigure = keyof InstructionCount['perRequest'];
const perRequestCell = (side: InstructionSide, figure: PerRequestFigure) =>
  formatKilo(side.count?.perRequest[figure]);
/** The work apart, `JIT + major GC`, thousands per request. */
const apartCell = (side: InstructionSide) =>
  side.count ? `${perRequestCell(side, 'jitCompile')} + ${perRequestCell(side, 'majorGc')}` : '-';

function instructionTable(cases: InstructionCaseResult[]): string[] {
  return table(
    [
      'case',
      'service',
      'service instr/req',
      'main thread',
      'apart: JIT + major GC',
      'baseline instr/req',
      'main thread',
      'apart: JIT + major GC',
      'ratio',
      'ratio, main thread',
      'load average before → after',
    ],
    cases.map((result) => [
      result.problems.length > 0 ? `${result.title} **FAILED**` : result.title,
      result.service.process,
      perRequestCell(result.service, 'counted'),
      perRequestCell(result.service, 'mainThread'),
      apartCell(result.service),
      perRequestCell(result.baseline, 'counted'),
      perRequestCell(result.baseline, 'mainThread'),
      apartCell(result.baseline),
      formatRatio(result.ratio?.counted),
      formatRatio(result.ratio?.mainThread),
      `${result.loadAverage.before.join(' / ')} → ${result.loadAverage.after.join(' / ')}`,
    ]),
  );
}

function downstreamLines(cases: InstructionCaseResult[]): string[] {
  const lines = cases.flatMap((result) =>
    result.downstream
      .filter((side) => side.count)
      .map(
        (side) =>
          `- ${result.title}: ${side.process}, which ${result.service.process} asks, spent ${perRequestCell(side, 'counted')} per request (main thread ${perRequestCell(side, 'mainThread')}); not in the ratio, which compares ${result.service.process}'s own cost with the whole baseline.`,
      ),
  );
  return lines.length > 0 ? ['', ...lines] : [];
}

/** A side's windows, the kept ones in bold: `2,901k, **2,850k**, **2,840k**`. */
function windowsCell(count: InstructionCount | undefined): string {
  if (!count) return '-';
  const firstKept = count.windows.length - count.keptWindows;
  return count.windows
    .map((value, index) => (index >= firstKept ? `**${formatKilo(value)}**` : formatKilo(value)))
    .join(', ');
}

/** Per case and side: requests answered before counting, and each window counted. */
function windowTable(cases: InstructionCaseResult[]): string[] {
  const counted = cases.filter((result) => result.service.count || result.baseline.count);
  if (counted.length === 0) return [];
  const before = (count: InstructionCount | undefined) => (count ? formatCount(count.requestsBefore) : '-');
  return [
    '',
    ...table(
      [
        'case',
        'service: requests before counting',
        'service windows (instr/req)',
        'baseline: requests before counting',
        'baseline windows (instr/req)',
      ],
      counted.map((result) => [
        result.id,
        before(result.service.count),
        windowsCell(result.service.count),
        before(result.baseline.count),
        windowsCell(result.baseline.count),
      ]),
    ),
    '',
    'Requests before counting: the warm-up, and more while a side waited for its turn (it is kept busy: a process',
    "left idle is not what it was). Windows in bold are the count's (two in a row that agreed, or the last one).",
  ];
}

/**
 * Instructions per request by layer, a column per case: the service's side, its total (the counted
 * figure), the work apart, and the baseline's total.
 */
export function layerTable(cases: InstructionCaseResult[]): string[] {
  const profiled = cases.filter((result) => result.service.layers);
  if (profiled.length === 0) return [];
  const counted = LAYERS.filter((layer) => !layer.apart);
  const apart = LAYERS.filter((layer) => layer.apart);
  const cell = (side: InstructionSide, layer: Layer) => formatKilo(side.layers?.perRequest[layer.id]);
  const total = (side: InstructionSide) =>
    side.layers ? counted.reduce((sum, layer) => sum + side.layers!.perRequest[layer.id], 0) : undefined;
  const rows = [
    ...counted.map((layer) => [layer.title, ...profiled.map((result) => cell(result.service, layer))]),
    ['**service, total**', ...profiled.map((result) => `**${formatKilo(total(result.service))}**`)],
    ...apart.map((layer) => [layer.title, ...profiled.map((result) => cell(result.service, layer))]),
    ['baseline, total', ...profiled.map((result) => formatKilo(total(result.baseline)))],
    [
      'baseline: no application frame',
      ...profiled.map((result) => formatKilo(result.baseline.layers?.perRequest.runtime)),
    ],
  ];
  return table(
    ['layer (instructions per request, all threads)', ...profiled.map((result) => result.id)],
    rows,
  );
}

function instructionSection(report: BenchReport, instructions: InstructionReport): string[] {
  const { settings } = instructions;
  return [
    `- Counting: ${settings.valgrind} (${settings.callgrindOptions.join(' ')}); per case and side, at least ${settings.warmupRequests} warm-up requests, then windows of ${settings.requests} requests one after another on one kept-alive connection until two in a row agree within ${settings.windowAgreement * 100}% (at most ${settings.maxWindows}): the count is those two; only the process under test runs under valgrind`,
    `- Machine load: load average ${settings.loadAverageAtStart.join(' / ')} (1 / 5 / 15 min) on ${settings.cores} cores when counting began; per case below`,
    `- node flags under valgrind: ${settings.nodeFlags.length > 0 ? settings.nodeFlags.join(' ') : 'none'}`,
    `- Data: ${formatCount(settings.items)} items`,
    ...servicesLines(settings.serviceSettings, settings.serviceOverrides),
    `- Wall time: ${formatDuration(report.wallSeconds)}`,
    '',
    '## Instructions per request against the bare baseline',
    '',
    ...instructionTable(instructions.cases),
    ...downstreamLines(instructions.cases),
    ...windowTable(instructions.cases),
    '',
    'Instructions executed per request (callgrind, thousands), all threads of the process: the main thread runs the',
    "JavaScript and node's event loop; V8's helper threads share the garbage collection and compile, and libuv's pool",
    'runs asynchronous crypto. Two kinds of work are left out and shown apart, since a window of a few hundred',
    "requests holds them or not by chance: V8's optimizing compiler working in the background (JIT warm-up, which a",
    'long-running service finishes) and a major GC on any thread (marking, its write barrier, the pause, sweeping:',
    "one every few thousand requests). Scavenges, the young generation's collections, stay in.",
    "The ratio is service / baseline (1.00× is the floor). A count does not depend on the machine's speed or load,",
    'unlike the wall time; the load average is shown since it can still shift work between threads.',
    ...(instructions.cases.some((result) => result.service.layers)
      ? [
          '',
          "## Where a request's instructions go",
          '',
          ...layerTable(instructions.cases),
          '',
          `Each JavaScript function's own instructions, with the engine, node and library work it calls (not the other`,
          'layers it calls), grouped by its source file; see tools/bench/README.md for the method.',
          ...(settings.nodeFlags.includes('--no-turbo-inlining')
            ? [
                'node ran with no function inlined into another (`--no-turbo-inlining`), so that each function keeps its',
                "own instructions: the totals are above a plain run's, which are the ones to compare.",
              ]
            : []),
          settings.profileDir
            ? `Profiles (the main thread, generated code named): ${settings.profileDir}/<case>.<process>.named.callgrind; \`callgrind_annotate --inclusive=yes <file>\` lists them by inclusive cost.`
            : '',
        ]
      : []),
    '',
    'What the baseline does for each case (node:http, no framework, in its own process, same database):',
    '',
    ...instructions.cases.map((result) => `- ${result.title}: ${result.baselineDescription}.`),
  ];
}

export function renderMarkdown(report: BenchReport): string {
  const { machine, settings, instructions } = report;
  const lines: string[] = [
    `# Benchmark ${report.startedAt}${instructions ? ': instructions per request' : ''}`,
    '',
    report.status === 'ok'
      ? instructions
        ? 'Status: **ok**: every counted request was answered as its case expects (2xx, or the error of an error-path case).'
        : 'Status: **ok**: every request of every case was answered 2xx.'
      : `Status: **FAILED**: ${report.failures.length} problem(s), listed at the end. A benchmark of error responses means nothing.`,
    '',
    `- Machine: Node ${machine.node} on ${machine.os}, ${machine.cpus} × ${machine.cpuModel}, ${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB RAM; load average ${machine.loadAverage.join(' / ')} (1 / 5 / 15 min) at the start`,
    `- Database: ${machine.database.engine === 'ferretdb' ? 'FerretDB' : 'MongoDB'} ${machine.database.version} (${machine.database.where})`,
    ...(settings ? wallSection(report, settings) : []),
    ...(instructions ? instructionSection(report, instructions) : []),
  ];
  if (report.failures.length > 0) {
    lines.push('', '## Problems', '', ...report.failures.map((failure) => `- ${failure}`));
  }
  return `${lines.join('\n')}\n`;
}

export const renderJson = (report: BenchReport) => `${JSON.stringify(report, null, 2)}\n`;

/** `bench-2024-05-01T10-20-30Z`: sortable, and safe in any file system. */
export function reportBaseName(startedAt: Date): string {
  return `bench-${startedAt
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-')}`;
}
