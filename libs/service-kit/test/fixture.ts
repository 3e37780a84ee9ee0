import type { Connection } from 'mongoose';
import { z } from 'zod';
import { testDatabaseUrl } from '@platform/devstack';
import type { ServiceEnv } from '../src';
import { ApiRouter, createLogger, loadConfig, Service, serviceEnvSchema } from '../src';

/** A small service built on the kit, with routes that exercise validation and error paths. */
export function fixtureRouter(connection?: Connection): ApiRouter {
  return new ApiRouter('/api/fixture', { title: 'fixture', version: '1.0.0' })
    .route({
      method: 'get',
      path: '/notes/count',
      operationId: 'countNotes',
      summary: 'Counts documents (needs the database)',
      responses: { 200: { description: 'Count' } },
      handler: async ({ res }) => {
        if (!connection) throw new Error('no connection');
        res.json({ count: await connection.collection('notes').countDocuments() });
      },
    })
    .route({
      method: 'post',
      path: '/echo',
      operationId: 'echo',
      summary: 'Echo a validated body',
      body: z.strictObject({ name: z.string().min(1).max(20), count: z.number().int().min(1).max(10) }),
      query: z.object({ loud: z.enum(['yes', 'no']).optional() }),
      responses: {
        201: { description: 'Echoed', schema: z.object({ name: z.string(), count: z.number() }) },
      },
      handler: ({ body, query, res }) => {
        res
          .status(201)
          .json({ name: query.loud === 'yes' ? body.name.toUpperCase() : body.name, count: body.count });
      },
    })
    .route({
      method: 'get',
      path: '/things/:id',
      operationId: 'getThing',
      summary: 'A thing by id',
      params: z.object({ id: z.string().regex(/^\d+$/, 'must be numeric') }),
      responses: { 200: { description: 'The thing' } },
      handler: ({ params, res }) => {
        res.json({ id: params.id });
      },
    })
    .route({
      method: 'get',
      path: '/boom',
      operationId: 'boom',
      summary: 'Fails unexpectedly',
      responses: {},
      handler: () => {
        throw new Error('secret internals at /srv/app.js:42');
      },
    });
}

export interface CapturedLog {
  lines: string[];
  logger: ReturnType<typeof createLogger>;
}

export function capturedLogger(service = 'fixture'): CapturedLog {
  const lines: string[] = [];
  const logger = createLogger({
    service,
    level: 'info',
    destination: { write: (line: string) => lines.push(line) },
  });
  return { lines, logger };
}

export function fixtureConfig(overrides: Record<string, string> = {}): ServiceEnv {
  return loadConfig(serviceEnvSchema, {
    NODE_ENV: 'test',
    PORT: '0',
    MANAGEMENT_PORT: '0',
    MONGO_URL: testDatabaseUrl('kit'),
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}

export function fixtureService(config: ServiceEnv, logger = capturedLogger().logger): Service {
  return new Service({
    name: 'fixture',
    config,
    logger,
    build: ({ connection }) => ({ routers: [fixtureRouter(connection)] }),
  });
}
