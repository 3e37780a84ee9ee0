import { randomBytes } from 'node:crypto';
import { Agent, request as httpRequest } from 'node:http';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  token?: string;
  body?: unknown;
}

/** What happened to one request, as its client saw it. */
export interface Outcome {
  /** Sent as x-request-id, so the service's request log can be matched against this record. */
  requestId: string;
  method: string;
  path: string;
  /** Epoch milliseconds. */
  startedAt: number;
  endedAt: number;
  /** Set once a response head arrived. */
  status?: number;
  body?: unknown;
  retryAfter?: string;
  /**
   * Why there is no complete response: the socket error code (ECONNREFUSED, ECONNRESET, ...),
   * CLIENT_TIMEOUT when the client gave up, or RESPONSE_ABORTED when the body was cut short.
   */
  error?: string;
}

export interface LoadOptions {
  baseUrl: string;
  /** Concurrent clients, each with its own keep-alive connection and one request at a time. */
  clients: number;
  /** The n-th request of a client. */
  next: (client: number, n: number) => LoadRequest;
  /** Hard bound on the run, whatever else happens. */
  maxDurationMs: number;
  /** A request without a complete response by then counts as CLIENT_TIMEOUT. */
  timeoutMs: number;
  /** Pause after a request that got no response, so clients do not spin on a closed port. */
  pauseAfterErrorMs?: number;
  /** Whether to keep a response body (default: all); long runs keep only what they check. */
  keepBody?: (status: number) => boolean;
  /**
   * Each client sends one request, then waits until every client has had its first one back, so
   * all connections are open before the load starts. Without it many clients connect into an
   * already busy server, and as Node accepts one connection per event-loop turn, they trickle in.
   */
  connectFirst?: boolean;
}

export interface LoadRun {
  /** Every finished request so far (live). */
  outcomes: Outcome[];
  /** Requests answered so far, per client. */
  answeredBy: number[];
  /** Resolves when every client has had a first request answered (with connectFirst), or at once. */
  connected: Promise<void>;
  /** Lets the requests in flight finish, starts no more. */
  stop: () => void;
  finished: Promise<Outcome[]>;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A bounded load generator that keeps a record per request: concurrent keep-alive clients, each
 * sending its next request as soon as the previous one ends, until stopped or maxDurationMs.
 * Unlike a benchmark tool it never retries and tells apart "no answer" from "an answer".
 */
export function startLoad(options: LoadOptions): LoadRun {
  const agent = new Agent({ keepAlive: true, maxSockets: options.clients });
  const base = new URL(options.baseUrl);
  const runId = randomBytes(4).toString('hex');
  const outcomes: Outcome[] = [];
  const answeredBy = new Array<number>(options.clients).fill(0);
  const deadline = Date.now() + options.maxDurationMs;
  let stopped = false;
  let firstDone = 0;
  let allConnected: () => void = () => undefined;
  const connected = options.connectFirst
    ? new Promise<void>((resolve) => (allConnected = resolve))
    : Promise.resolve();

  const firstEnded = () => {
    firstDone += 1;
    if (firstDone === options.clients) allConnected();
  };

  const client = async (index: number) => {
    let n = 0;
    for (; !stopped && Date.now() < deadline; n++) {
      if (n === 1 && options.connectFirst) {
        firstEnded();
        // Every first request ends (answered, failed or timed out), or stop() releases the wait.
        await connected;
      }
      const spec = options.next(index, n);
      const requestId = `load-${runId}-${index}-${n}`;
      const outcome = await send(agent, base, spec, requestId, options.timeoutMs, options.keepBody);
      outcomes.push(outcome);
      if (outcome.status !== undefined) answeredBy[index] = (answeredBy[index] ?? 0) + 1;
      if (outcome.status === undefined && options.pauseAfterErrorMs) await pause(options.pauseAfterErrorMs);
    }
    // A client that ends before its second request must not hold the others back.
    if (n < 2) firstEnded();
  };
  const finished = Promise.all(Array.from({ length: options.clients }, (_, index) => client(index))).then(
    () => {
      agent.destroy();
      return outcomes;
    },
  );
  const stop = () => {
    stopped = true;
    allConnected();
  };
  return { outcomes, answeredBy, connected, stop, finished };
}

function send(
  agent: Agent,
  base: URL,
  spec: LoadRequest,
  requestId: string,
  timeoutMs: number,
  keepBody: (status: number) => boolean = () => true,
) {
  return new Promise<Outcome>((resolve) => {
    const startedAt = Date.now();
    const payload = spec.body === undefined ? undefined : Buffer.from(JSON.stringify(spec.body));
    let settled = false;
    const finish = (fields: Partial<Outcome>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ requestId, method: spec.method, path: spec.path, startedAt, endedAt: Date.now(), ...fields });
    };
    const req = httpRequest({
      host: base.hostname,
      port: base.port,
      path: spec.path,
      method: spec.method,
      agent,
      headers: {
        accept: 'application/json',
        'x-request-id': requestId,
        ...(spec.token ? { authorization: `Bearer ${spec.token}` } : {}),
        ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
      },
    });
    let status: number | undefined;
    const timer = setTimeout(() => {
      finish({ ...(status === undefined ? {} : { status }), error: 'CLIENT_TIMEOUT' });
      req.destroy();
    }, timeoutMs);
    req.on('response', (res) => {
      status = res.statusCode ?? 0;
      const keep = keepBody(status);
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => keep && chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // Kept as text: the assertions show what came back.
        }
        const retryAfter = res.headers['retry-after'];
        finish({ status, ...(keep ? { body } : {}), ...(retryAfter ? { retryAfter } : {}) });
      });
      res.on('close', () => {
        if (!res.complete) finish({ status, error: 'RESPONSE_ABORTED' });
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      finish({ ...(status === undefined ? {} : { status }), error: error.code ?? error.message });
    });
    req.end(payload);
  });
}

/** How many requests ended each way: by status code, or by client error when there was no answer. */
export function tally(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) {
    const key = outcome.error
      ? `${outcome.status ?? 'no response'} ${outcome.error}`
      : String(outcome.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** The error code (docs/contract.md §3.2) of a response body, if it has one. */
export function errorCode(outcome: Outcome): string | undefined {
  const body = outcome.body as { error?: { code?: unknown } } | undefined;
  return typeof body?.error?.code === 'string' ? body.error.code : undefined;
}

/** The promise's value, or undefined if it has not settled within ms (the timer is cleared either way). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
