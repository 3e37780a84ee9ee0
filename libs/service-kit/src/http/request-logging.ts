import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Request, Response } from 'express';
import type { Logger } from '../logger';

export const REQUEST_ID_HEADER = 'x-request-id';
// Accept caller ids that are safe to echo and log; anything else is replaced.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(req: IncomingMessage): string {
  const incoming = req.headers[REQUEST_ID_HEADER];
  return typeof incoming === 'string' && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** The id the request was given on arrival (echoed in `x-request-id`). */
export function requestIdOf(res: Response): string | undefined {
  const id: unknown = res.locals.requestId;
  return typeof id === 'string' ? id : undefined;
}

/**
 * What a log line says about a request. Express rewrites req.url inside routers; the log shows
 * what the client asked for.
 */
export function requestSummary(req: Request, res: Response) {
  return {
    id: requestIdOf(res),
    method: req.method,
    url: req.originalUrl,
    remoteAddress: req.socket.remoteAddress,
    headers: req.headers,
  };
}

/**
 * Logs one line per finished request: `error` for a 5xx, `info` otherwise. The level is checked
 * first, so a request below the logger's level costs no serialisation at all.
 */
export function logFinishedRequest(logger: Logger, req: Request, res: Response, elapsedMs: number): void {
  const level = res.statusCode >= 500 ? 'error' : 'info';
  if (!logger.isLevelEnabled(level)) return;
  logger[level](
    {
      req: requestSummary(req, res),
      res: { statusCode: res.statusCode },
      responseTime: Math.round(elapsedMs),
    },
    `${req.method} ${req.originalUrl} ${res.statusCode}`,
  );
}
