import type { OutboundOutcome, ServiceMetrics } from '../metrics';

/** An outbound call that did not give a usable answer, with how it ended. */
export class UpstreamError extends Error {
  constructor(
    readonly outcome: Exclude<OutboundOutcome, 'success'>,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }

  /** Worth another try: the upstream may answer next time (the request must be idempotent). */
  get retryable(): boolean {
    return (
      this.outcome === 'server_error' || this.outcome === 'timeout' || this.outcome === 'connection_error'
    );
  }
}

export interface UpstreamRequest<T> {
  /** The metric label of the upstream (`items`, `auth_jwks`): a fixed name, never a URL. */
  target: string;
  url: URL | string;
  timeoutMs: number;
  headers?: Record<string, string>;
  /** The body as the caller needs it, or undefined when it is not what the upstream promised. */
  parse: (body: unknown) => T | undefined;
  metrics?: ServiceMetrics | undefined;
  fetch?: typeof fetch | undefined;
}

// By name, not instanceof: fetch's errors (a DOMException for the deadline) may come from another realm.
interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}
const errorLike = (error: unknown): ErrorLike => (typeof error === 'object' && error !== null ? error : {});

function timedOut(error: unknown): boolean {
  const { name, code, cause } = errorLike(error);
  return (
    name === 'TimeoutError' ||
    /^UND_ERR_\w+_TIMEOUT$/.test(String(code)) ||
    (cause !== undefined && timedOut(cause))
  );
}

const failure = (error: unknown) => String(errorLike(error).message ?? error);

/**
 * One GET of a JSON document from another service, within a deadline that covers the body too.
 * Each attempt is timed in `http_client_request_duration_seconds` by target and outcome; anything
 * short of a 2xx with the promised body throws an UpstreamError saying how it ended.
 */
export async function fetchUpstreamJson<T>(request: UpstreamRequest<T>): Promise<T> {
  const stop = request.metrics?.outboundRequestDuration.startTimer({ target: request.target });
  const end = (outcome: OutboundOutcome) => stop?.({ outcome });
  const fail = (outcome: Exclude<OutboundOutcome, 'success'>, message: string): never => {
    end(outcome);
    throw new UpstreamError(outcome, `${request.target}: ${message}`);
  };
  let response: Response;
  try {
    response = await (request.fetch ?? fetch)(request.url, {
      headers: { accept: 'application/json', ...request.headers },
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    return fail(timedOut(error) ? 'timeout' : 'connection_error', `request failed: ${failure(error)}`);
  }
  if (!response.ok) {
    // The body is not needed: release the connection.
    await response.body?.cancel().catch(() => undefined);
    return fail(response.status >= 500 ? 'server_error' : 'client_error', `answered ${response.status}`);
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    if (errorLike(error).name === 'SyntaxError')
      return fail('invalid_response', 'answered with a body that is not JSON');
    return fail(
      timedOut(error) ? 'timeout' : 'connection_error',
      `reading the answer failed: ${failure(error)}`,
    );
  }
  const parsed = request.parse(body);
  if (parsed === undefined) return fail('invalid_response', 'answered with an unexpected body');
  end('success');
  return parsed;
}
