/**
 * The instruction mode: each target process (the service under test, the baseline) runs under
 * valgrind's callgrind with instrumentation off; per case and side, a warm-up, then instructions
 * counted over windows of a fixed number of requests sent one after another on one kept-alive
 * connection, until two windows in a row agree. Only those processes run under valgrind: the
 * database and the other services run as usual.
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from './args';
import { parseCallgrind } from './callgrind';
import type { BenchCase } from './cases';
import { errorCases, hotPathCases, selectCases } from './cases';
import type { LayerId, MergedProfile } from './layers';
import {
  attributeLayers,
  LAYERS,
  layerOf,
  mergeProfile,
  PerfMap,
  renderCallgrind,
  topFunctions,
} from './layers';
import type { CaseRequest } from './load';
import type { LaunchUnder, ServiceName } from './platform';
import { authEnv, discountsEnv, SERVICE_SETTINGS, startBaselineProcess, startService } from './platform';
import type { ProcessGroup } from './processes';
import type {
  BenchReport,
  InstructionCaseResult,
  InstructionCount,
  InstructionSettings,
  LayerBreakdown,
} from './report';
import { collectInstructionFailures, formatCount, instructionRatio } from './report';
import type { BenchEnvironment, RunHooks } from './run';
import { ITEMS_TIMEOUT_OVERRIDE, probeProblems, withEnvironment } from './run';
import type { CallgrindDump, CallgrindTools } from './valgrind';
import {
  CallgrindProcess,
  callgrindLauncher,
  findCallgrindTools,
  PROFILE_CALLGRIND_OPTIONS,
} from './valgrind';

/**
 * node's flags for a kept profile: generated code named in /tmp/perf-<pid>.map, interpreted
 * functions too, and no function inlined into another by the optimizing compiler. A perf map names
 * whole functions: a small function inlined into its caller (the kit's request id, headers and route
 * label into its arrival middleware) would count as the caller's, whatever layer it belongs to.
 * The counts differ a little from a plain run's for it (a call where the code was inlined).
 */
export const PROFILE_NODE_FLAGS = [
  '--perf-basic-prof',
  '--interpreted-frames-native-stack',
  '--no-turbo-inlining',
];
/** Starting node under valgrind takes a while, and longer on a busy machine. */
const READY_TIMEOUT_MS = 600_000;
/** One request under valgrind: a quote waits for items (also under valgrind) and a scanning database. */
const REQUEST_TIMEOUT_MS = 300_000;
/**
 * Before zeroing and before dumping: the work a response leaves behind (its 'close' listener: the
 * histogram, the log line) runs, so the counted window holds exactly the requests' own work.
 */
const SETTLE_MS = 1_000;
const TOP_FUNCTIONS = 25;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const roundedLoad = () => loadavg().map((value) => Math.round(value * 100) / 100);

/** How many requests answered with each status. */
export interface SentRequests {
  sent: number;
  statuses: Record<string, number>;
  seconds: number;
  /** The first answer's body (JSON when it parses), for the probe. */
  firstBody?: unknown;
}

/** One request on `agent`, its status and body. */
function send(
  baseUrl: string,
  request: CaseRequest,
  path: string,
  agent: Agent,
  signal?: AbortSignal,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, baseUrl);
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: request.method,
        headers: {
          ...request.headers,
          ...(request.body === undefined ? {} : { 'content-length': Buffer.byteLength(request.body) }),
        },
        agent,
        timeout: REQUEST_TIMEOUT_MS,
        ...(signal ? { signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on('error', reject);
    req.end(request.body);
  });
}

/** `count` requests one after another (the paths in turn, from the first), on one kept-alive connection. */
export async function sendInTurn(
  baseUrl: string,
  request: CaseRequest,
  count: number,
  agent: Agent,
  signal?: AbortSignal,
): Promise<SentRequests> {
  const statuses: Record<string, number> = {};
  let firstBody: unknown;
  const started = performance.now();
  for (let index = 0; index < count; index++) {
    signal?.throwIfAborted();
    const path = request.paths[index % request.paths.length]!;
    const answer = await send(baseUrl, request, path, agent, signal);
    statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
    if (index === 0) {
      try {
        firstBody = JSON.parse(answer.body) as unknown;
      } catch {
        firstBody = answer.body;
      }
    }
  }
  return { sent: count, statuses, seconds: (performance.now() - started) / 1000, firstBody };
}

/**
 * Instructions of a dump (or of several windows' dumps joined): the main thread (thread 1), all
 * threads, and the work reported apart.
 */
export function countOf(
  dump: CallgrindDump,
  window: {
    requests: number;
    seconds: number;
    requestsBefore: number;
    windows?: number[];
    keptWindows?: number;
  },
): InstructionCount {
  const { requests, seconds, requestsBefore } = window;
  const sum = (files: CallgrindDump['files'], figure: 'instructions' | 'jitCompile' | 'majorGc') =>
    files.reduce((total, file) => total + file[figure], 0);
  const allThreads = sum(dump.files, 'instructions');
  const jitCompile = sum(dump.files, 'jitCompile');
  const majorGc = sum(dump.files, 'majorGc');
  const mainThread = sum(
    dump.files.filter((file) => file.thread === 1),
    'instructions',
  );
  const threadNumbers = [...new Set(dump.files.map((file) => file.thread))].sort((a, b) => a - b);
  return {
    requests,
    seconds,
    requestsBefore,
    windows: window.windows ?? [],
    keptWindows: window.keptWindows ?? 1,
    mainThread,
    allThreads,
    jitCompile,
    majorGc,
    threads: threadNumbers.map((thread) => {
      const files = dump.files.filter((file) => file.thread === thread);
      return {
        thread,
        instructions: sum(files, 'instructions'),
        jitCompile: sum(files, 'jitCompile'),
        majorGc: sum(files, 'majorGc'),
      };
    }),
    perRequest: {
      mainThread: mainThread / requests,
      allThreads: allThreads / requests,
      jitCompile: jitCompile / requests,
      majorGc: majorGc / requests,
      counted: (allThreads - jitCompile - majorGc) / requests,
    },
  };
}

/** Why the answers of a counted window do not stand: another status than the case expects. */
export function unexpectedStatuses(
  sent: SentRequests,
  expectedStatus: number | undefined,
): string | undefined {
  const wrong = Object.entries(sent.statuses).filter(([status]) =>
    expectedStatus === undefined ? !status.startsWith('2') : Number(status) !== expectedStatus,
  );
  if (wrong.length === 0) return undefined;
  return `${wrong.map(([status, count]) => `${count} x ${status}`).join(', ')} where ${expectedStatus ?? '2xx'} was expected`;
}

/** A process under callgrind, and where its profile files and perf map go. */
interface Counted {
  callgrind: CallgrindProcess;
  url: string;
}

interface CountedWindow {
  sent: SentRequests;
  dumps: CallgrindDump[];
  /** Requests the side answered before counting (the warm-up, and more while it waited its turn). */
  requestsBefore: number;
  /** Instructions per request of each window counted (the first process), in order. */
  windows: number[];
  /** How many of the last windows the count is made of. */
  keptWindows: number;
  lastWindowRequests: number;
  /** Warm-up answers other than the case expects. */
  warmupProblem?: string;
}

/**
 * The warm-up's connections: under valgrind the process is slow to begin with, and a request that
 * waits for the database leaves it idle; a few requests at a time keep it busy.
 */
export const WARMUP_CONNECTIONS = 4;

/** A bound on a load that runs until stopped: far more than any warm-up waits for. */
const MAX_LOAD_REQUESTS = 1_000_000;

/** Requests on several connections until stopped; `warm` resolves once `warmupRequests` were answered. */
export interface RunningLoad {
  warm: Promise<void>;
  /** Stops sending, waits for the requests in flight, and says what was sent. */
  stop: () => Promise<SentRequests>;
}

/**
 * Keeps a process busy with the case's requests until stopped. A process left idle for long (while
 * the other side warms up or is counted) is not what it was: V8's memory reducer collects the heap
 * several times, code is deoptimized, and the next few hundred requests cost up to a third more.
 */
export function startLoad(
  url: string,
  request: CaseRequest,
  connections: number,
  warmupRequests: number,
  signal: AbortSignal,
): RunningLoad {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const statuses: Record<string, number> = {};
  const started = performance.now();
  let sent = 0;
  let answered = 0;
  let stopped = false;
  let markWarm!: () => void;
  let failWarm!: (error: unknown) => void;
  const warm = new Promise<void>((resolve, reject) => {
    markWarm = resolve;
    failWarm = reject;
  });
  if (warmupRequests <= 0) markWarm();
  const connection = async () => {
    while (!stopped && sent < MAX_LOAD_REQUESTS) {
      const path = request.paths[sent % request.paths.length]!;
      sent += 1;
      const answer = await send(url, request, path, agent, signal);
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      answered += 1;
      if (answered === warmupRequests) markWarm();
    }
  };
  const running = Promise.all(Array.from({ length: connections }, connection)).catch((error: unknown) => {
    stopped = true;
    failWarm(error);
    throw error;
  });
  // A failure is reported by `warm` or `stop`, whichever is awaited: never an unhandled rejection.
  warm.catch(() => undefined);
  running.catch(() => undefined);
  let stopping: Promise<SentRequests> | undefined;
  return {
    warm,
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        try {
          await running;
        } finally {
          agent.destroy();
        }
        return { sent: answered, statuses, seconds: (performance.now() - started) / 1000 };
      })()),
  };
}

/** One side of a case: the process it asks, and the processes counted (the first, then what it calls). */
interface CountedSide {
  url: string;
  processes: CallgrindProcess[];
  label: string;
}

/** Windows are counted one after another until two in a row agree within this share… */
export const WINDOW_AGREEMENT = 0.01;
/** …or this many were counted. */
export const MAX_WINDOWS = 4;

/** Whether the last two windows' instructions per request agree within `agreement`. */
export function windowsAgree(perRequest: number[], agreement = WINDOW_AGREEMENT): boolean {
  if (perRequest.length < 2) return false;
  const [previous, last] = perRequest.slice(-2) as [number, number];
  return Math.abs(last - previous) <= agreement * Math.max(last, previous);
}

/** Several dumps of one process as one: their files together (thread numbers repeat). */
const joinDumps = (dumps: CallgrindDump[]): CallgrindDump => ({ files: dumps.flatMap((dump) => dump.files) });

/**
 * Counts windows of `requests` on the side's processes, one after another on a connection opened
 * just before (so no counted request pays for connecting), until two in a row agree: a process
 * still settling (JIT code installed late, a collection's deoptimizations) shows as a difference.
 * Keeps the last two windows (or the last, when none agreed) and switches instrumentation off.
 */
async function countWindow(
  side: CountedSide,
  request: CaseRequest,
  warm: SentRequests,
  settings: { requests: number; expectedStatus?: number },
  hooks: RunHooks,
): Promise<CountedWindow> {
  const { signal } = hooks;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await sendInTurn(side.url, request, 1, agent, signal);
    await pause(SETTLE_MS);
    for (const proc of side.processes) await proc.instrumentation(true);
    const windows: { sent: SentRequests; dumps: CallgrindDump[] }[] = [];
    const perRequest: number[] = [];
    const statuses: Record<string, number> = {};
    while (windows.length < MAX_WINDOWS && !windowsAgree(perRequest)) {
      for (const proc of side.processes) await proc.zero();
      const sent = await sendInTurn(side.url, request, settings.requests, agent, signal);
      for (const [status, count] of Object.entries(sent.statuses))
        statuses[status] = (statuses[status] ?? 0) + count;
      await pause(SETTLE_MS);
      const dumps: CallgrindDump[] = [];
      for (const proc of side.processes)
        dumps.push(await proc.dump(`${side.label} window ${windows.length + 1}`));
      windows.push({ sent, dumps });
      const { counted } = countOf(dumps[0]!, {
        requests: sent.sent,
        seconds: sent.seconds,
        requestsBefore: 0,
      }).perRequest;
      perRequest.push(counted);
      hooks.log(
        `  ${side.label}: window ${windows.length}, ${sent.sent} requests in ${sent.seconds.toFixed(0)} s: ${formatCount(Math.round(counted))} instr/req`,
      );
    }
    for (const proc of side.processes) await proc.instrumentation(false);
    const kept = windowsAgree(perRequest) ? windows.slice(-2) : windows.slice(-1);
    const unexpected = unexpectedStatuses(warm, settings.expectedStatus);
    return {
      sent: {
        sent: kept.reduce((sum, window) => sum + window.sent.sent, 0),
        statuses,
        seconds: kept.reduce((sum, window) => sum + window.sent.seconds, 0),
      },
      dumps: side.processes.map((_, index) => joinDumps(kept.map((window) => window.dumps[index]!))),
      requestsBefore: warm.sent,
      windows: perRequest,
      keptWindows: kept.length,
      lastWindowRequests: kept[kept.length - 1]!.sent.sent,
      ...(unexpected ? { warmupProblem: unexpected } : {}),
    };
  } finally {
    agent.destroy();
  }
}

/**
 * Warms both sides up at once (separate processes: a count does not depend on what else runs), and
 * keeps each busy until its turn, then counts one side after the other.
 */
async function countSides(
  sides: CountedSide[],
  request: CaseRequest,
  settings: { requests: number; warmupRequests: number; expectedStatus?: number },
  hooks: RunHooks,
): Promise<CountedWindow[]> {
  const started = performance.now();
  const loads = sides.map((side) =>
    startLoad(side.url, request, WARMUP_CONNECTIONS, settings.warmupRequests, hooks.signal),
  );
  try {
    await Promise.all(loads.map((load) => load.warm));
    hooks.log(
      `  ${settings.warmupRequests} warm-up requests each in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    );
    const windows: CountedWindow[] = [];
    for (const [index, side] of sides.entries()) {
      const warm = await loads[index]!.stop();
      hooks.log(`  ${side.label}: ${warm.sent} requests before counting`);
      windows.push(await countWindow(side, request, warm, settings, hooks));
    }
    return windows;
  } finally {
    await Promise.allSettled(loads.map((load) => load.stop()));
  }
}

/** The perf map node wrote for `pid`, copied next to the profiles (and removed from /tmp once it exits). */
const perfMapPath = (pid: number) => join(tmpdir(), `perf-${pid}.map`);

/**
 * The layers of the windows kept (`requests` in all), and the main thread's profile of the last
 * window (`lastWindowRequests`) named for callgrind_annotate, with its costliest functions.
 */
function layerBreakdown(
  dump: CallgrindDump,
  perfMap: PerfMap | undefined,
  counted: { requests: number; lastWindowRequests: number },
  namedFile: string,
  description: string,
): LayerBreakdown {
  const { requests, lastWindowRequests } = counted;
  const sources = new Map<string, string[] | undefined>();
  const firstLine = (file: string, line: number | undefined) => {
    if (line === undefined) return undefined;
    if (!sources.has(file)) {
      sources.set(file, existsSync(file) ? readFileSync(file, 'utf8').split('\n') : undefined);
    }
    return sources.get(file)?.[line - 1];
  };
  const totals = Object.fromEntries(LAYERS.map((layer) => [layer.id, 0])) as Record<LayerId, number>;
  const mainThread = dump.files.filter((file) => file.thread === 1).pop();
  let top: LayerBreakdown['topFunctions'] = [];
  for (const file of dump.files) {
    const profile = parseCallgrind(readFileSync(file.path, 'utf8'));
    const inContext = mergeProfile(profile, perfMap, { context: true });
    const layers = attributeLayers(inContext, (fn) =>
      layerOf(fn, fn.file ? firstLine(fn.file, fn.line) : undefined),
    );
    const merged: MergedProfile = mergeProfile(profile, perfMap);
    for (const layer of LAYERS) totals[layer.id] += layers[layer.id];
    if (file === mainThread) {
      writeFileSync(namedFile, renderCallgrind(merged, description));
      top = topFunctions(merged, TOP_FUNCTIONS).map((fn) => ({
        function: fn.label,
        selfPerRequest: fn.self / lastWindowRequests,
        inclusivePerRequest: fn.inclusive / lastWindowRequests,
      }));
    }
  }
  return {
    perRequest: Object.fromEntries(LAYERS.map((layer) => [layer.id, totals[layer.id] / requests])) as Record<
      LayerId,
      number
    >,
    namedProfile: namedFile,
    topFunctions: top,
  };
}

interface TargetProcesses {
  baseline: Counted;
  services: Partial<Record<ServiceName, Counted>>;
}

/** The services a case needs under callgrind: the one it asks, and the one the quote asks in turn. */
export function servicesFor(caseIds: readonly string[]): ServiceName[] {
  const needed = new Set<ServiceName>();
  for (const id of caseIds) {
    if (id === 'me' || id === 'me-no-token') needed.add('auth');
    else if (id === 'quote') {
      needed.add('discounts');
      needed.add('items');
    } else needed.add('items');
  }
  return (['auth', 'items', 'discounts'] as const).filter((name) => needed.has(name));
}

async function startTargets(
  environment: BenchEnvironment,
  group: ProcessGroup,
  tools: CallgrindTools,
  workDir: string,
  options: BenchOptions,
  hooks: RunHooks,
): Promise<TargetProcesses> {
  const launch = options.keepProfiles
    ? { nodeArgs: PROFILE_NODE_FLAGS, callgrindArgs: PROFILE_CALLGRIND_OPTIONS }
    : { nodeArgs: [] };
  const under = (fileLabel: string): LaunchUnder => ({
    launcher: callgrindLauncher(tools, workDir, fileLabel, launch),
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
  const { urls, key, admin, platform } = environment;
  const needed = servicesFor(options.cases);
  hooks.log(`starting ${[...needed, 'the baseline'].join(', ')} under callgrind (slow)…`);
  const counted = (fileLabel: string, running: { process: CallgrindProcess['process']; url: string }) => ({
    callgrind: new CallgrindProcess(tools, running.process, workDir, fileLabel),
    url: running.url,
  });
  const services: TargetProcesses['services'] = {};
  const startOne = async (name: ServiceName): Promise<void> => {
    const env =
      name === 'auth'
        ? authEnv(urls.auth, key, admin)
        : name === 'items'
          ? { MONGO_URL: urls.items, ...platform.verifierEnv }
          : // The quote's items lookups go to the items under callgrind, to be counted apart.
            discountsEnv(urls.discounts, platform.verifierEnv, services.items?.url ?? platform.items.api);
    const running = await startService(group, name, env, `${name} (callgrind)`, under(name));
    services[name] = counted(name, { process: running.process, url: running.api });
  };
  // In parallel, but discounts only once items is up, since it is told items' address.
  const [baseline] = await Promise.all([
    startBaselineProcess(group, 'baseline (callgrind)', urls, key.publicKeyPem, under('baseline')),
    (async () => {
      await Promise.all(needed.filter((name) => name !== 'discounts').map(startOne));
      if (needed.includes('discounts')) await startOne('discounts');
    })(),
  ]);
  return { baseline: counted('baseline', { process: baseline.process, url: baseline.url }), services };
}

function casesFor(
  environment: BenchEnvironment,
  targets: TargetProcesses,
  ids: readonly string[],
): BenchCase[] {
  const target = (name: ServiceName) => {
    const service = targets.services[name];
    return service ? { url: service.url, process: name } : { url: '', process: name };
  };
  const context = {
    ...environment.caseContext,
    auth: target('auth'),
    items: target('items'),
    discounts: target('discounts'),
  };
  const all = [...hotPathCases(context), ...errorCases(context)];
  return ids.map((id) => selectCases(all, [id])[0]!);
}

async function runCase(
  benchCase: BenchCase,
  targets: TargetProcesses,
  options: BenchOptions,
  profileDir: string | undefined,
  hooks: RunHooks,
): Promise<InstructionCaseResult> {
  const [serviceName, ...downstreamNames] = benchCase.service.processes as ServiceName[];
  const service = targets.services[serviceName!]!;
  const downstream = downstreamNames.map((name) => ({ name, counted: targets.services[name]! }));
  const result: InstructionCaseResult = {
    id: benchCase.id,
    title: benchCase.title,
    baselineDescription: benchCase.baseline,
    ...(benchCase.expectedStatus === undefined ? {} : { expectedStatus: benchCase.expectedStatus }),
    service: { process: serviceName! },
    downstream: downstream.map(({ name }) => ({ process: name })),
    baseline: { process: 'baseline' },
    loadAverage: { before: roundedLoad(), after: [] },
    problems: [],
  };
  hooks.log(`case ${benchCase.title}…`);
  try {
    // The probe: both sides answer, and answer what the case means to measure.
    const probeAgent = new Agent({ keepAlive: false });
    const [serviceProbe, baselineProbe] = [
      await sendInTurn(service.url, benchCase.request, 1, probeAgent, hooks.signal),
      await sendInTurn(targets.baseline.url, benchCase.request, 1, probeAgent, hooks.signal),
    ];
    probeAgent.destroy();
    const statusOf = (sent: SentRequests) => Number(Object.keys(sent.statuses)[0]);
    if (benchCase.expectedStatus === undefined) {
      result.problems.push(
        ...probeProblems(
          { status: statusOf(serviceProbe), body: serviceProbe.firstBody },
          { status: statusOf(baselineProbe), body: baselineProbe.firstBody },
          benchCase.check,
        ),
      );
    } else {
      for (const [side, probe] of [
        ['service', serviceProbe],
        ['baseline', baselineProbe],
      ] as const) {
        const wrong = unexpectedStatuses(probe, benchCase.expectedStatus);
        if (wrong) result.problems.push(`the ${side} answered ${wrong}`);
      }
      const wrongBody = benchCase.check(serviceProbe.firstBody);
      if (wrongBody) result.problems.push(`the service's answer is not what the case measures: ${wrongBody}`);
    }
    if (result.problems.length > 0) return result;

    const settings = {
      requests: options.requests,
      warmupRequests: options.warmupRequests,
      ...(benchCase.expectedStatus === undefined ? {} : { expectedStatus: benchCase.expectedStatus }),
    };
    const [serviceWindow, baselineWindow] = (await countSides(
      [
        {
          url: service.url,
          processes: [service.callgrind, ...downstream.map(({ counted }) => counted.callgrind)],
          label: `${benchCase.id} service`,
        },
        {
          url: targets.baseline.url,
          processes: [targets.baseline.callgrind],
          label: `${benchCase.id} baseline`,
        },
      ],
      benchCase.request,
      settings,
      hooks,
    )) as [CountedWindow, CountedWindow];
    for (const [side, window] of [
      ['service', serviceWindow],
      ['baseline', baselineWindow],
    ] as const) {
      const wrong = unexpectedStatuses(window.sent, benchCase.expectedStatus);
      if (wrong) result.problems.push(`${side}: ${wrong}`);
      if (window.warmupProblem) result.problems.push(`${side} warm-up: ${window.warmupProblem}`);
    }
    const windowOf = (window: CountedWindow) => ({
      requests: window.sent.sent,
      seconds: window.sent.seconds,
      requestsBefore: window.requestsBefore,
      windows: window.windows,
      keptWindows: window.keptWindows,
    });
    const [serviceDump, ...downstreamDumps] = serviceWindow.dumps;
    result.service.count = countOf(serviceDump!, windowOf(serviceWindow));
    downstreamDumps.forEach((dump, index) => {
      result.downstream[index]!.count = countOf(dump, windowOf(serviceWindow));
    });
    result.baseline.count = countOf(baselineWindow.dumps[0]!, windowOf(baselineWindow));
    result.ratio = instructionRatio(result.service.count, result.baseline.count);

    if (profileDir) {
      interface ProfiledSide {
        name: string;
        proc: CallgrindProcess;
        dump: CallgrindDump;
        window: CountedWindow;
        into: { layers?: LayerBreakdown };
      }
      const sides: ProfiledSide[] = [
        {
          name: serviceName!,
          proc: service.callgrind,
          dump: serviceDump!,
          window: serviceWindow,
          into: result.service,
        },
        ...downstream.map(({ name, counted }, index) => ({
          name,
          proc: counted.callgrind,
          dump: downstreamDumps[index]!,
          window: serviceWindow,
          into: result.downstream[index]!,
        })),
        {
          name: 'baseline',
          proc: targets.baseline.callgrind,
          dump: baselineWindow.dumps[0]!,
          window: baselineWindow,
          into: result.baseline,
        },
      ];
      for (const { name, proc, dump, window, into } of sides) {
        const mapFile = join(profileDir, `perf-${proc.fileLabel}.map`);
        if (existsSync(perfMapPath(proc.pid))) copyFileSync(perfMapPath(proc.pid), mapFile);
        const perfMap = existsSync(mapFile) ? new PerfMap(readFileSync(mapFile, 'utf8')) : undefined;
        into.layers = layerBreakdown(
          dump,
          perfMap,
          { requests: window.sent.sent, lastWindowRequests: window.lastWindowRequests },
          join(profileDir, `${benchCase.id}.${name}.named.callgrind`),
          `${benchCase.title}: ${name}, the last window of ${window.lastWindowRequests} requests`,
        );
      }
    }
  } catch (error) {
    hooks.signal.throwIfAborted();
    result.problems.push(error instanceof Error ? error.message : String(error));
  } finally {
    result.loadAverage.after = roundedLoad();
  }
  const perRequest = (count: InstructionCount | undefined) =>
    count
      ? `${formatCount(Math.round(count.perRequest.counted))} instr/req (main thread ${formatCount(Math.round(count.perRequest.mainThread))})`
      : '-';
  hooks.log(
    `  ${benchCase.id}: service ${perRequest(result.service.count)} | baseline ${perRequest(result.baseline.count)}` +
      (result.ratio?.counted ? ` | ${result.ratio.counted.toFixed(2)}×` : ''),
  );
  for (const problem of result.problems) hooks.log(`  problem: ${problem}`);
  return result;
}

export async function runInstructionBenchmark(
  options: BenchOptions,
  hooks: RunHooks,
  group: ProcessGroup,
): Promise<BenchReport> {
  const started = new Date();
  const tools = await findCallgrindTools();
  const profileDir = options.keepProfiles
    ? join(
        options.outDir,
        `profiles-${started
          .toISOString()
          .replace(/\.\d{3}Z$/, 'Z')
          .replace(/:/g, '-')}`,
      )
    : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  // callgrind's files (and its control pipes): kept with the profiles, else removed at the end.
  const workDir = profileDir ?? mkdtempSync(join(tmpdir(), 'bench-callgrind-'));
  const pids: number[] = [];
  try {
    return await withEnvironment(options, hooks, group, async (environment) => {
      const loadAtStart = roundedLoad();
      const targets = await startTargets(environment, group, tools, workDir, options, hooks);
      pids.push(
        targets.baseline.callgrind.pid,
        ...Object.values(targets.services).map((s) => s.callgrind.pid),
      );
      const results: InstructionCaseResult[] = [];
      for (const benchCase of casesFor(environment, targets, options.cases)) {
        results.push(await runCase(benchCase, targets, options, profileDir, hooks));
      }
      const finished = new Date();
      const instructionSettings: InstructionSettings = {
        requests: options.requests,
        warmupRequests: options.warmupRequests,
        windowAgreement: WINDOW_AGREEMENT,
        maxWindows: MAX_WINDOWS,
        items: options.items,
        valgrind: tools.version,
        callgrindOptions: callgrindLauncher(tools, '<dir>', '<process>', {
          nodeArgs: [],
          callgrindArgs: options.keepProfiles ? PROFILE_CALLGRIND_OPTIONS : [],
        }).args,
        nodeFlags: options.keepProfiles ? PROFILE_NODE_FLAGS : [],
        serviceSettings: { ...SERVICE_SETTINGS },
        serviceOverrides: [ITEMS_TIMEOUT_OVERRIDE],
        cores: cpus().length,
        loadAverageAtStart: loadAtStart,
        ...(profileDir ? { profileDir } : {}),
      };
      const failures = collectInstructionFailures(results);
      return {
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        wallSeconds: (finished.getTime() - started.getTime()) / 1000,
        status: failures.length === 0 ? 'ok' : 'failed',
        machine: environment.machine,
        cases: [],
        scale: [],
        instructions: { settings: instructionSettings, cases: results },
        failures,
      };
    });
  } finally {
    for (const pid of pids) rmSync(perfMapPath(pid), { force: true });
    if (!profileDir) rmSync(workDir, { recursive: true, force: true });
  }
}
