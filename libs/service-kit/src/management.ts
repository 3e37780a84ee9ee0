import express from 'express';
import type { Express } from 'express';
import type { Logger } from './logger';
import type { ServiceMetrics } from './metrics';
import type { Readiness } from './readiness';
import { errorHandler, notFoundHandler } from './http/errors-middleware';

/**
 * The management port: liveness, readiness and metrics. It is never routed by the edge, so
 * a NetworkPolicy can admit Prometheus and the kubelet here without exposing the API.
 */
export function createManagementApp(options: {
  logger: Logger;
  metrics: ServiceMetrics;
  readiness: Readiness;
}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const report = await options.readiness.evaluate();
    if (!report.ready) options.logger.debug({ readiness: report }, 'not ready');
    res.status(report.ready ? 200 : 503).json({ status: report.status, checks: report.checks });
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', options.metrics.registry.contentType);
    res.send(await options.metrics.registry.metrics());
  });
  app.use(notFoundHandler);
  app.use(errorHandler(options.logger));
  return app;
}
