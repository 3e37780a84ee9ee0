import type { Request, Response } from 'express';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Readiness } from './readiness';

/** Why a token was refused: a fixed set, so the label stays bounded whatever callers send. */
export const TOKEN_FAILURE_REASONS = [
  'missing',
  'malformed',
  'unsupported_algorithm',
  'unknown_key',
  'expired',
  'not_yet_valid',
  'bad_signature',
  'wrong_issuer',
  'wrong_audience',
  'missing_claims',
  'keys_unavailable',
] as const;
export type TokenFailureReason = (typeof TOKEN_FAILURE_REASONS)[number];

/** How one outbound HTTP attempt ended. */
export const OUTBOUND_OUTCOMES = [
  'success',
  'client_error',
  'server_error',
  'timeout',
  'connection_error',
  'invalid_response',
] as const;
export type OutboundOutcome = (typeof OUTBOUND_OUTCOMES)[number];

/** How a database command failed: cut off by a deadline, the server out of reach, or refused by it. */
export const DATABASE_ERROR_TYPES = ['timeout', 'unavailable', 'server'] as const;
export type DatabaseErrorType = (typeof DATABASE_ERROR_TYPES)[number];

export interface ServiceMetrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  databaseOperationDuration: Histogram<'operation' | 'collection'>;
  databaseOperationErrors: Counter<'operation' | 'collection' | 'error_type'>;
  outboundRequestDuration: Histogram<'target' | 'outcome'>;
  tokenVerificationFailures: Counter<'reason'>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const DATABASE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * One registry per service instance, so several services can live in one process (tests). Names
 * follow Prometheus conventions (base units, `_total` counters); every label has a bounded set of
 * values. Counters with a fixed label set start at zero, so a rate is defined before the first event.
 */
export function createMetrics(service: string, readiness?: Readiness): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const tokenVerificationFailures = new Counter({
    name: 'auth_token_verification_failures_total',
    help: 'Access tokens refused, by reason.',
    labelNames: ['reason'] as const,
    registers,
  });
  for (const reason of TOKEN_FAILURE_REASONS) tokenVerificationFailures.inc({ reason }, 0);
  if (readiness) {
    new Gauge({
      name: 'dependency_ready',
      help: 'Whether the readiness check of each dependency passes (1) or not (0), evaluated at scrape time.',
      labelNames: ['dependency'] as const,
      registers,
      async collect() {
        const report = await readiness.evaluate();
        for (const [dependency, result] of Object.entries(report.checks)) {
          this.set({ dependency }, result.ok ? 1 : 0);
        }
      },
    });
  }
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Duration of HTTP requests served by the API port, by method, route template and status code.',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    databaseOperationDuration: new Histogram({
      name: 'db_client_operation_duration_seconds',
      help: 'Duration of the commands the MongoDB driver sent, succeeded or failed, by command and collection.',
      labelNames: ['operation', 'collection'] as const,
      buckets: DATABASE_BUCKETS,
      registers,
    }),
    databaseOperationErrors: new Counter({
      name: 'db_client_operation_errors_total',
      help: 'MongoDB commands that failed, by command, collection and error type (timeout, unavailable, server).',
      labelNames: ['operation', 'collection', 'error_type'] as const,
      registers,
    }),
    outboundRequestDuration: new Histogram({
      name: 'http_client_request_duration_seconds',
      help: 'Duration of outbound HTTP attempts, by target and outcome (success, client_error, server_error, timeout, connection_error, invalid_response).',
      labelNames: ['target', 'outcome'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    tokenVerificationFailures,
  };
}

/** The matched route template (`/api/items/:id`), never the raw path, to keep label cardinality bounded. */
export function routeTemplate(req: Request, res: Response): string {
  // Set by ApiRouter when a route matches: req.baseUrl is already unwound once an error leaves the router.
  const recorded: unknown = res.locals.routeTemplate;
  if (typeof recorded === 'string') return recorded;
  const route: unknown = req.route;
  if (route && typeof route === 'object' && 'path' in route && typeof route.path === 'string') {
    return `${req.baseUrl}${route.path}`;
  }
  return 'unmatched';
}

/**
 * Observes request durations under method, route template and status code. Each combination's
 * labelled series is looked up once and kept, so a request allocates no label object.
 */
export function requestDurationRecorder(
  histogram: ServiceMetrics['httpRequestDuration'],
): (method: string, route: string, statusCode: number, seconds: number) => void {
  type Series = ReturnType<typeof histogram.labels>;
  // route -> status code -> method: every label set is bounded (route templates, the HTTP
  // parser's methods, three-digit statuses).
  const byRoute = new Map<string, Map<number, Map<string, Series>>>();
  return (method, route, statusCode, seconds) => {
    let byStatus = byRoute.get(route);
    if (!byStatus) byRoute.set(route, (byStatus = new Map<number, Map<string, Series>>()));
    let byMethod = byStatus.get(statusCode);
    if (!byMethod) byStatus.set(statusCode, (byMethod = new Map<string, Series>()));
    let series = byMethod.get(method);
    if (!series) {
      series = histogram.labels({ method, route, status_code: String(statusCode) });
      byMethod.set(method, series);
    }
    series.observe(seconds);
  };
}
