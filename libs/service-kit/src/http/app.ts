import { isUtf8 } from 'node:buffer';
import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import { requestDurationRecorder, routeTemplate } from '../metrics';
import { HttpError } from '../errors';
import { errorHandler, notFoundHandler } from './errors-middleware';
import { logFinishedRequest, REQUEST_ID_HEADER, requestIdFor } from './request-logging';
import { sendJson } from './json-response';
import type { ApiRouter } from './router';
import { recordDocumentedPath } from './router';
import type { DocumentedPath } from './router';

export const JSON_BODY_LIMIT = '100kb';
const JSON_TYPES = ['application/json', 'application/*+json'];

export interface ApiAppOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  routers: ApiRouter[];
  /** Express `trust proxy` setting: which hops may set X-Forwarded-For (edge router, ingress). */
  trustProxy: string;
  /** While true, responses ask keep-alive clients to reconnect elsewhere. */
  isShuttingDown: () => boolean;
  /** Extra middleware that needs the raw request (e.g. cookie parsing), mounted before the routes. */
  middleware?: express.RequestHandler[];
}

/** Rejects bodies that are not JSON with 415, before any parser sees them. */
function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  // An empty POST (Content-Length: 0, as browsers send for /refresh) has no media type to check.
  const empty = req.headers['content-length'] === '0' && req.headers['transfer-encoding'] === undefined;
  const matched = empty ? null : req.is(JSON_TYPES);
  if (matched === null || matched) {
    next(); // no body at all, or a JSON one
    return;
  }
  next(
    new HttpError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      'Request body must be JSON (Content-Type: application/json)',
    ),
  );
}

/**
 * JSON text is UTF-8 (RFC 8259): any other charset is refused, and so are bytes that are not
 * UTF-8, which the parser would otherwise turn into U+FFFD and let the service store.
 */
function requireUtf8(_req: unknown, _res: unknown, body: Buffer, encoding: string): void {
  if (encoding !== 'utf-8')
    throw Object.assign(new Error('JSON must be UTF-8'), { type: 'charset.unsupported' });
  if (!isUtf8(body)) throw Object.assign(new Error('Body is not UTF-8'), { type: 'charset.invalid' });
}

/** An unpaired surrogate (`"\ud800"`) is a valid JSON escape but no text: the database would store U+FFFD. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Walks a parsed body without recursion (a body may nest thousands deep) looking for one. */
function hasLoneSurrogate(body: unknown): boolean {
  const pending: unknown[] = [body];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value)) return true;
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        if (LONE_SURROGATE.test(key)) return true;
        pending.push(child);
      }
    }
  }
  return false;
}

function rejectLoneSurrogates(req: Request, _res: Response, next: NextFunction): void {
  if (hasLoneSurrogate(req.body)) {
    next(
      new HttpError(400, 'MALFORMED_JSON', 'Request body contains an unpaired surrogate (not valid Unicode)'),
    );
    return;
  }
  next();
}

/**
 * The headers helmet sets, read once: they are the same for every response, so helmet's chain of
 * middleware need not run per request. (Its only removal, X-Powered-By, is never set: the app
 * disables it.)
 */
export function securityHeaders(): [string, string][] {
  const headers = new Map<string, string>();
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name, String(value));
    },
    removeHeader(name: string) {
      headers.delete(name);
    },
  };
  let done = false;
  helmet()({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error instanceof Error ? error : new Error('helmet refused its own defaults');
    done = true;
  });
  if (!done) throw new Error('helmet did not finish synchronously: its headers cannot be read once');
  return [...headers];
}

/** A request without Content-Length or Transfer-Encoding has no body: no body layer has work. */
const hasNoBody = (req: Request) =>
  req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined;

/** The request's id (the caller's, when safe to echo, or a new one), kept and echoed. */
function assignRequestId(req: Request, res: Response): void {
  const id = requestIdFor(req);
  res.locals.requestId = id;
  res.setHeader(REQUEST_ID_HEADER, id);
}

function setResponseHeaders(res: Response, headers: [string, string][], isShuttingDown: () => boolean): void {
  for (const [name, value] of headers) res.setHeader(name, value);
  if (isShuttingDown()) res.setHeader('Connection', 'close');
}

/**
 * The route label, known before the body is read: a body refused there keeps its route. The
 * match is kept for the routers' method guards, which need not match the path again.
 */
function labelRoute(req: Request, res: Response, routers: ApiRouter[]): void {
  let documented: DocumentedPath | null = null;
  for (const router of routers) {
    documented = router.documentedPath(req.path) ?? null;
    if (documented) {
      res.locals.routeTemplate = documented.template;
      break;
    }
  }
  recordDocumentedPath(res, documented);
}

/** One listener per request: 'close' follows 'finish' for every response, and alone marks one the client gave up on. */
function observeWhenClosed(
  req: Request,
  res: Response,
  observeDuration: ReturnType<typeof requestDurationRecorder>,
  logger: Logger,
): void {
  const startedAt = performance.now();
  res.once('close', function recordClosedRequest() {
    const elapsedMs = performance.now() - startedAt;
    if (res.writableFinished) {
      observeDuration(req.method, routeTemplate(req, res), res.statusCode, elapsedMs / 1000);
    }
    logFinishedRequest(logger, req, res, elapsedMs);
  });
}

/**
 * The API port's Express app: security headers, request ids and logs, metrics, JSON only, and
 * errors in the contract's shape (docs/contract.md §3.2). What every request needs (its id, the
 * response headers, its route label, one listener that observes and logs it) is done in one
 * layer, with everything that can be prepared prepared here, once.
 */
export function createApiApp(options: ApiAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy);
  app.set('etag', false);
  app.response.json = sendJson;
  const responseHeaders: [string, string][] = [...securityHeaders(), ['Cache-Control', 'no-store']];
  const observeDuration = requestDurationRecorder(options.metrics.httpRequestDuration);
  const { logger, routers, isShuttingDown } = options;
  app.use(function arrive(req: Request, res: Response, next: NextFunction) {
    assignRequestId(req, res);
    setResponseHeaders(res, responseHeaders, isShuttingDown);
    labelRoute(req, res, routers);
    observeWhenClosed(req, res, observeDuration, logger);
    next();
  });
  const parseJson = express.json({
    limit: JSON_BODY_LIMIT,
    strict: true,
    type: JSON_TYPES,
    verify: requireUtf8,
  });
  app.use(function readJsonBody(req: Request, res: Response, next: NextFunction) {
    if (hasNoBody(req)) {
      next();
      return;
    }
    requireJsonBody(req, res, (refused?: unknown) => {
      if (refused) {
        next(refused);
        return;
      }
      parseJson(req, res, (failed?: unknown) => {
        if (failed) next(failed);
        else rejectLoneSurrogates(req, res, next);
      });
    });
  });
  for (const middleware of options.middleware ?? []) app.use(middleware);
  for (const router of routers) app.use(router.expressRouter());
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}
