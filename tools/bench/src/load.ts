/**
 * One measurement: a probe request (correctness, and how long one request takes), a warm-up, then
 * autocannon for a bounded time while the peak memory of the processes involved is watched.
 */
import autocannon from 'autocannon';
import type { PeakRss } from './memory';
import { RssWatch } from './memory';

export interface CaseRequest {
  method: 'GET' | 'POST';
  /** Paths (with query) used in turn, one per request, so a case can spread over many records. */
  paths: string[];
  headers: Record<string, string>;
  body?: string;
}

export interface Target {
  kind: 'service' | 'baseline';
  url: string;
  /** The processes serving the case, whose peak memory is reported. */
  processes: { name: string; pid: number }[];
}

/**
 * A case is bound by the database (a full scan on FerretDB) when, served one request at a time,
 * its connections could not complete this many rounds within the duration: more connections would
 * only queue behind the database, and the last round would be cut off. Such a case is measured on
 * one connection for as many requests as fill the duration.
 */
export const MIN_ROUNDS = 10;
export const DATABASE_BOUND_RULE = `one request × connections × ${MIN_ROUNDS} ≥ the duration`;

export type LoadMode = 'throughput' | 'database-bound';

export interface Measurement {
  target: Target['kind'];
  mode: LoadMode;
  connections: number;
  /** Seconds the measured load ran. */
  seconds: number;
  /** Responses with a 2xx status. */
  requests: number;
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  /** Peak resident memory per process over the measured load. */
  peakRss: Record<string, PeakRss>;
  /** Latency of the single probe request before any load. */
  probeMs: number;
  /** `probe`: one request outlasted the whole duration, so that request is the measurement. */
  source: 'autocannon' | 'probe';
}

export interface LoadSettings {
  durationSec: number;
  warmupSec: number;
  connections: number;
  signal?: AbortSignal;
}

export interface ProbeResult {
  status: number;
  body: unknown;
  ms: number;
  /** Peak memory of the target's processes while probing (when probed through a Target). */
  peakRss?: Record<string, PeakRss>;
}

/** A probe this fast is repeated, and the faster one kept: the first request may pay for a cold start. */
const REPEAT_PROBE_BELOW_MS = 2000;

/** Longest a single probe may take (a page of 100,000 items on FerretDB takes a minute or two). */
const PROBE_TIMEOUT_MS = 300_000;

/** One request, timed, with its parsed JSON body. */
export async function probeOnce(
  baseUrl: string,
  request: CaseRequest,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  const started = performance.now();
  const res = await fetch(`${baseUrl}${request.paths[0]!}`, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
  });
  const text = await res.text();
  const ms = performance.now() - started;
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // Not JSON: kept as text for the error message.
  }
  return { status: res.status, body, ms };
}

/** The probe of a case: one request, or two when the first was quick enough to repeat cheaply. */
export async function probe(
  baseUrl: string,
  request: CaseRequest,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const first = await probeOnce(baseUrl, request, signal);
  if (first.ms >= REPEAT_PROBE_BELOW_MS || first.status < 200 || first.status >= 300) return first;
  const second = await probeOnce(baseUrl, request, signal);
  return second.ms < first.ms ? second : first;
}

/** The probe of a target, with its processes' peak memory meanwhile. */
export async function probeTarget(
  target: Target,
  request: CaseRequest,
  signal?: AbortSignal,
): Promise<ProbeResult> {
  const watch = new RssWatch(target.processes);
  let result: ProbeResult;
  let peakRss: Record<string, PeakRss>;
  try {
    result = await probe(target.url, request, signal);
  } finally {
    peakRss = watch.stop();
  }
  return { ...result, peakRss };
}

function runAutocannon(options: autocannon.Options, signal?: AbortSignal): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error: unknown, result: autocannon.Result) => {
      signal?.removeEventListener('abort', stop);
      if (error)
        reject(error instanceof Error ? error : new Error(`autocannon failed: ${JSON.stringify(error)}`));
      else resolve(result);
    });
    function stop() {
      instance.stop();
    }
    signal?.addEventListener('abort', stop, { once: true });
  });
}

function autocannonOptions(
  url: string,
  request: CaseRequest,
  load: { connections: number; durationSec?: number; amount?: number; timeoutSec: number },
): autocannon.Options {
  let next = 0;
  const { paths } = request;
  return {
    url: `${url}${paths[0]!}`,
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    connections: load.connections,
    pipelining: 1,
    timeout: load.timeoutSec,
    ...(load.amount === undefined ? { duration: load.durationSec ?? 1 } : { amount: load.amount }),
    ...(paths.length > 1
      ? {
          requests: [
            {
              setupRequest: (req: autocannon.Request) => ({ ...req, path: paths[next++ % paths.length]! }),
            },
          ],
        }
      : {}),
  };
}

/** Requests to send one after another so that a database-bound case fills about `durationSec`. */
export function databaseBoundAmount(durationSec: number, probeMs: number): number {
  return Math.max(1, Math.round((durationSec * 1000) / Math.max(probeMs, 1)));
}

/** The mode for a case whose single requests took `probeMs` (the slowest decides, so both sides match). */
export function loadMode(probeMs: number[], connections: number, durationSec: number): LoadMode {
  return Math.max(...probeMs) * connections * MIN_ROUNDS >= durationSec * 1000
    ? 'database-bound'
    : 'throughput';
}

/** A database-bound request that alone outlasted the duration: sending it again would only repeat it. */
function measurementFromProbe(target: Target, probed: ProbeResult): Measurement {
  const ms = Math.round(probed.ms);
  const ok = probed.status >= 200 && probed.status < 300;
  return {
    target: target.kind,
    mode: 'database-bound',
    connections: 1,
    seconds: probed.ms / 1000,
    requests: ok ? 1 : 0,
    rps: ok ? 1000 / probed.ms : 0,
    latencyMs: { p50: ms, p90: ms, p99: ms, max: ms, mean: ms },
    errors: 0,
    timeouts: 0,
    non2xx: ok ? 0 : 1,
    statusCodes: { [String(probed.status)]: 1 },
    peakRss: probed.peakRss ?? {},
    probeMs: probed.ms,
    source: 'probe',
  };
}

/**
 * Warms up (throughput mode), then measures for the duration (or the database-bound amount). A
 * database-bound request that alone took longer than the duration is measured by its probe.
 */
export async function measure(
  target: Target,
  request: CaseRequest,
  settings: LoadSettings,
  plan: { mode: LoadMode; probe: ProbeResult },
): Promise<Measurement> {
  const { mode } = plan;
  const probeMs = plan.probe.ms;
  if (mode === 'database-bound' && probeMs >= settings.durationSec * 1000) {
    return measurementFromProbe(target, plan.probe);
  }
  const connections = mode === 'throughput' ? settings.connections : 1;
  let load: Parameters<typeof autocannonOptions>[2];
  if (mode === 'throughput') {
    if (settings.warmupSec > 0) {
      await runAutocannon(
        autocannonOptions(target.url, request, {
          connections,
          durationSec: settings.warmupSec,
          timeoutSec: 10,
        }),
        settings.signal,
      );
    }
    load = { connections, durationSec: settings.durationSec, timeoutSec: 10 };
  } else {
    // The probe was the warm-up; a request may take several times the probe before it is a failure.
    load = {
      connections,
      amount: databaseBoundAmount(settings.durationSec, probeMs),
      timeoutSec: Math.ceil(Math.max(10, (4 * probeMs) / 1000)),
    };
  }
  settings.signal?.throwIfAborted();

  const watch = new RssWatch(target.processes);
  let result: autocannon.Result;
  let peakRss: Record<string, PeakRss>;
  try {
    result = await runAutocannon(autocannonOptions(target.url, request, load), settings.signal);
  } finally {
    peakRss = watch.stop();
  }
  settings.signal?.throwIfAborted();

  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = stats.count ?? 0;
  }
  const seconds = result.duration;
  const ok = result['2xx'];
  return {
    target: target.kind,
    mode,
    connections,
    seconds,
    requests: ok,
    rps: seconds > 0 ? ok / seconds : 0,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.mean,
    },
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    peakRss,
    probeMs,
    source: 'autocannon',
  };
}

/** Why a measurement cannot stand, or undefined when every request got a 2xx answer. */
export function measurementProblem(measurement: Measurement): string | undefined {
  const problems: string[] = [];
  const failedStatuses = Object.entries(measurement.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, count]) => `${count} x ${code}`);
  if (measurement.non2xx > 0)
    problems.push(
      `${measurement.non2xx} non-2xx responses (${failedStatuses.join(', ') || 'status unknown'})`,
    );
  if (measurement.timeouts > 0) problems.push(`${measurement.timeouts} timeouts`);
  const otherErrors = measurement.errors - measurement.timeouts;
  if (otherErrors > 0) problems.push(`${otherErrors} connection errors`);
  if (measurement.requests === 0) problems.push('no request completed');
  return problems.length > 0 ? problems.join('; ') : undefined;
}
