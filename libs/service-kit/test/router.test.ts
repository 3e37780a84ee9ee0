import { once } from 'node:events';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { z } from 'zod';
import {
  ApiRouter,
  createApiApp,
  createLogger,
  createMetrics,
  documentOnlyDependencies,
  queryInt,
  requireAuth,
  unauthorized,
} from '../src';
import type { TokenVerifier } from '../src';

const router = new ApiRouter('/api/kit', { title: 'kit', version: '1' })
  .route({
    method: 'get',
    path: '/things/special',
    operationId: 'special',
    summary: 'A literal path beside a templated one',
    responses: { 200: { description: 'ok' } },
    handler: ({ res }) => {
      res.json({ special: true });
    },
  })
  .route({
    method: 'patch',
    path: '/things/:id',
    operationId: 'patchThing',
    summary: 'Change a thing',
    params: z.object({ id: z.string() }),
    body: z.strictObject({ name: z.string().max(20) }),
    responses: { 200: { description: 'ok' } },
    handler: ({ params, body, res }) => {
      res.json({ id: params.id, name: body.name });
    },
  })
  .route({
    method: 'post',
    path: '/guarded',
    operationId: 'guarded',
    summary: 'Refuses everyone',
    security: 'bearer',
    before: [(_req, _res, next) => next(unauthorized())],
    body: z.strictObject({ name: z.string() }),
    responses: { 204: { description: 'never' } },
    handler: ({ res }) => {
      res.status(204).end();
    },
  })
  .route({
    method: 'post',
    path: '/logout',
    operationId: 'logout',
    summary: 'Works with or without a session',
    security: 'refreshCookie',
    securityOptional: true,
    responses: { 204: { description: 'done' } },
    handler: ({ res }) => {
      res.status(204).end();
    },
  })
  .route({
    method: 'get',
    path: '/list',
    operationId: 'list',
    summary: 'Query parameters',
    query: z.object({
      page: queryInt(1, 50).default(1),
      ids: z
        .string()
        .transform((text) => text.split(','))
        .pipe(z.array(z.string().regex(/^\d+$/)).max(3))
        .optional(),
    }),
    responses: { 200: { description: 'ok' } },
    handler: ({ query, res }) => {
      res.json(query);
    },
  });

const app = createApiApp({
  logger: createLogger({ service: 'kit', level: 'silent' }),
  metrics: createMetrics('kit'),
  routers: [router],
  trustProxy: 'loopback',
  isShuttingDown: () => false,
});

describe('methods the document does not list', () => {
  it.each([
    ['DELETE', '/api/kit/things/7', 'PATCH, OPTIONS'],
    ['PUT', '/api/kit/logout', 'POST, OPTIONS'],
    ['POST', '/api/kit/openapi.json', 'GET, HEAD, OPTIONS'],
    // A literal path wins over a template, as in OpenAPI: this is not thing "special".
    ['PATCH', '/api/kit/things/special', 'GET, HEAD, OPTIONS'],
  ])('answers %s %s with 405 and Allow', async (method, path, allow) => {
    const res = await request(app)[method.toLowerCase() as 'delete'](path);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe(allow);
    expect(res.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers OPTIONS with 204 and Allow, and still routes the listed methods', async () => {
    const options = await request(app).options('/api/kit/things/7');
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe('PATCH, OPTIONS');
    expect((await request(app).patch('/api/kit/things/7').send({ name: 'ok' })).body).toEqual({
      id: '7',
      name: 'ok',
    });
    expect((await request(app).get('/api/kit/things/special')).body).toEqual({ special: true });
    expect((await request(app).head('/api/kit/things/special')).status).toBe(200);
    expect((await request(app).get('/api/kit/nowhere')).status).toBe(404);
  });
});

describe('a route guard', () => {
  it('runs before validation: a caller who may not use the route learns nothing about its input', async () => {
    const res = await request(app).post('/api/kit/guarded').send({ unexpected: true });
    expect(res.status).toBe(401);
  });
});

describe('request bodies that are not UTF-8 JSON text', () => {
  const patch = () => request(app).patch('/api/kit/things/7');
  // Byte-exact bodies: supertest would serialize a Buffer sent as JSON.
  let server: Server;
  beforeAll(async () => {
    server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const patchBytes = async (body: Buffer, contentType: string) => {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/api/kit/things/7`, {
      method: 'PATCH',
      headers: { 'content-type': contentType },
      body,
    });
    return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
  };

  it('accepts any text that is valid UTF-8', async () => {
    const res = await patch().set('content-type', 'application/json').send('{"name":"Zoë 😀 日本"}');
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('Zoë 😀 日本');
  });

  it('refuses bytes that are not UTF-8, instead of storing U+FFFD', async () => {
    const body = Buffer.concat([Buffer.from('{"name":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const res = await patchBytes(body, 'application/json');
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'MALFORMED_JSON', message: 'Request body is not valid UTF-8' });
  });

  it('refuses an unpaired surrogate, in a value or a key, however deep', async () => {
    for (const text of [
      '{"name":"a\\ud800"}',
      '{"\\udc00":1}',
      `${'['.repeat(5000)}"\\ud800"${']'.repeat(5000)}`,
    ]) {
      const res = await patch().set('content-type', 'application/json').send(text);
      expect([text.slice(0, 20), res.status, res.body.error.code]).toEqual([
        text.slice(0, 20),
        400,
        'MALFORMED_JSON',
      ]);
    }
  });

  it('refuses other charsets with 415', async () => {
    const res = await patchBytes(
      Buffer.from('{"name":"a"}', 'utf16le'),
      'application/json; charset=utf-16le',
    );
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('validates a 10,000-deep body like any other wrong value', async () => {
    const res = await patch()
      .set('content-type', 'application/json')
      .send(`{"name":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ location: 'body', path: 'name' });
  });
});

describe('the OpenAPI document', () => {
  const document = router.openApiDocument() as {
    paths: Record<string, Record<string, { security?: unknown; parameters?: unknown }>>;
  };

  it('marks a credential the route can do without as optional', () => {
    expect(document.paths['/api/kit/logout']!.post!.security).toEqual([{ refreshCookie: [] }, {}]);
    expect(document.paths['/api/kit/guarded']!.post!.security).toEqual([{ bearer: [] }]);
  });

  it('documents query parameters by the value they parse to', () => {
    expect(document.paths['/api/kit/list']!.get!.parameters).toEqual([
      expect.objectContaining({
        name: 'page',
        required: false,
        schema: expect.objectContaining({ type: 'integer', minimum: 1, maximum: 50 }),
      }),
      expect.objectContaining({
        name: 'ids',
        style: 'form',
        explode: false,
        schema: expect.objectContaining({ type: 'array', maxItems: 3 }),
      }),
    ]);
  });
});

describe('a router built only for its document', () => {
  interface Deps {
    store: { find: (id: string) => Promise<unknown> };
    verifier: TokenVerifier;
    settings: { secure: boolean };
  }
  const books = (deps: Deps) => {
    const { store, settings } = deps;
    return new ApiRouter('/api/books', { title: 'books', version: '1' }).route({
      method: 'get',
      path: '/:id',
      operationId: 'getBook',
      summary: 'One book',
      security: 'bearer',
      before: [requireAuth(deps.verifier)],
      params: z.object({ id: z.string() }),
      responses: { 200: { description: 'The book', schema: z.object({ title: z.string() }) } },
      handler: async ({ params, res }) => {
        res.json({ secure: settings.secure, book: await store.find(params.id) });
      },
    });
  };

  it('needs no real dependencies, and yields the document the real router serves', () => {
    const deps = documentOnlyDependencies<Deps>('books');
    const real: Deps = {
      store: { find: () => Promise.resolve({}) },
      verifier: {} as TokenVerifier,
      settings: { secure: true },
    };
    expect(books(deps).openApiDocument()).toEqual(books(real).openApiDocument());
  });

  it('fails loudly if a handler ever uses one', () => {
    const deps = documentOnlyDependencies<Deps>('books');
    expect(() => deps.store.find('1')).toThrow(
      'dependencies.store.find() was called, but the books routers were built only for their OpenAPI document',
    );
    expect(() => `${String(deps.settings.secure)}`).toThrow(
      /dependencies\.settings\.secure was read as a value/,
    );
    expect(() => new (deps.store.find as unknown as new () => unknown)()).toThrow(/new dependencies/);
  });
});

describe('route templates', () => {
  const shelf = new ApiRouter('/api/shelf', { title: 'shelf', version: '1.0.0' })
    .route({
      method: 'get',
      path: '/',
      operationId: 'listBooks',
      summary: 'List',
      responses: { 200: { description: 'Books' } },
      handler: ({ res }) => void res.json({ books: [] }),
    })
    .route({
      method: 'get',
      path: '/:id',
      operationId: 'getBook',
      summary: 'One',
      responses: { 200: { description: 'Book' } },
      handler: ({ res }) => void res.json({}),
    });

  it('name the route of a path before routing, without a trailing slash, whatever the method', () => {
    expect(shelf.templateFor('/api/shelf')).toBe('/api/shelf');
    expect(shelf.templateFor('/api/shelf/')).toBe('/api/shelf');
    expect(shelf.templateFor('/api/shelf/42')).toBe('/api/shelf/:id');
    expect(shelf.templateFor('/api/shelf/42/pages')).toBeUndefined();
    expect(shelf.templateFor('/api/elsewhere')).toBeUndefined();
  });

  it('label the metrics of the base-path route without its trailing slash', async () => {
    const metrics = createMetrics('shelf');
    const shelfApp = createApiApp({
      logger: createLogger({ service: 'shelf', level: 'silent' }),
      metrics,
      routers: [shelf],
      trustProxy: 'loopback',
      isShuttingDown: () => false,
    });
    expect((await request(shelfApp).get('/api/shelf/')).status).toBe(200);
    expect((await request(shelfApp).get('/api/shelf')).status).toBe(200);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/route="\/api\/shelf",status_code="200"\} 2/);
    expect(text).not.toContain('route="/api/shelf/"');
  });
});
