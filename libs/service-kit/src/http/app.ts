import express from 'express';
import type { Express, NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import { requestMetrics } from '../metrics';
import { HttpError } from '../errors';
import { errorHandler, notFoundHandler } from './errors-middleware';
import { requestLogging } from './request-logging';
import type { ApiRouter } from './router';

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

/** The API port's Express app: security headers, request ids and logs, metrics, JSON only, SPEC errors. */
export function createApiApp(options: ApiAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy);
  app.set('etag', false);
  app.use(requestLogging(options.logger));
  app.use(requestMetrics(options.metrics));
  app.use(helmet());
  app.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    if (options.isShuttingDown()) res.setHeader('Connection', 'close');
    next();
  });
  app.use(requireJsonBody);
  app.use(express.json({ limit: JSON_BODY_LIMIT, strict: true, type: JSON_TYPES }));
  for (const middleware of options.middleware ?? []) app.use(middleware);
  for (const router of options.routers) app.use(router.expressRouter());
  app.use(notFoundHandler);
  app.use(errorHandler(options.logger));
  return app;
}
