import { createServer } from 'node:http';
import helmet from 'helmet';
import request from 'supertest';
import { dropDatabase, metricValue } from '@platform/devstack';
import type { Service } from '../src';
import { TOKEN_FAILURE_REASONS } from '../src';
import type { CapturedLog } from './fixture';
import { capturedLogger, fixtureConfig, fixtureService } from './fixture';

let service: Service;
let log: CapturedLog;

beforeAll(async () => {
  log = capturedLogger();
  service = fixtureService(fixtureConfig(), log.logger);
  await service.start();
  await service.whenReady();
});

afterAll(async () => {
  await service.stop();
  await dropDatabase(service.config.MONGO_URL);
});

const api = () => request(service.apiUrl);
const management = () => request(service.managementUrl);

describe('API app', () => {
  it('listens on loopback only', () => {
    expect(service.apiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(service.managementUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves a validated route', async () => {
    const res = await api().post('/api/fixture/echo?loud=yes').send({ name: 'ada', count: 2 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ name: 'ADA', count: 2 });
  });

  it('answers invalid input with 400 and field-level details from body, query and params', async () => {
    const res = await api().post('/api/fixture/echo?loud=maybe').send({ name: '', count: 11, extra: true });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const fields = (res.body.error.details as { location: string; path: string }[]).map(
      (d) => `${d.location}:${d.path}`,
    );
    expect(fields).toEqual(expect.arrayContaining(['body:name', 'body:count', 'body:(root)', 'query:loud']));

    const params = await api().get('/api/fixture/things/abc');
    expect(params.status).toBe(400);
    expect(params.body.error.details).toEqual([
      { location: 'params', path: 'id', message: 'must be numeric' },
    ]);
  });

  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const res = await api()
      .post('/api/fixture/echo')
      .set('content-type', 'application/json')
      .send('{"name": "ada",');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: { code: 'MALFORMED_JSON', message: 'Request body is not valid JSON' },
    });
  });

  it('answers a body over 100 kB with 413', async () => {
    const res = await api()
      .post('/api/fixture/echo')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(101 * 1024), count: 1 }));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('accepts a body just under the limit (and validates it)', async () => {
    const res = await api()
      .post('/api/fixture/echo')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(99 * 1024), count: 1 }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
  });

  it.each([
    ['text/plain', 'name=ada'],
    ['application/x-www-form-urlencoded', 'name=ada&count=1'],
    ['multipart/form-data; boundary=x', '--x--'],
  ])('answers a %s body with 415', async (type, body) => {
    const res = await api().post('/api/fixture/echo').set('content-type', type).send(body);
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('treats a missing body as invalid input, not as an unsupported type', async () => {
    const res = await api().post('/api/fixture/echo');
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ location: 'body' });
  });

  it('answers an unknown route with 404 in the error shape', async () => {
    const res = await api().get('/api/fixture/nowhere');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: { code: 'NOT_FOUND', message: 'No route for GET /api/fixture/nowhere' },
    });
  });

  it('answers an unexpected error with a bare 500 and logs the details', async () => {
    const res = await api().get('/api/fixture/boom').set('x-request-id', 'boom-1');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error' } });
    expect(res.text).not.toMatch(/secret internals|\.js:\d+|at /);
    const logged = log.lines.find((line) => line.includes('"boom-1"') && line.includes('secret internals'));
    expect(logged).toBeDefined();
  });

  it('echoes a caller x-request-id and generates one otherwise', async () => {
    const given = await api().get('/api/fixture/things/1').set('x-request-id', 'abc-123');
    expect(given.headers['x-request-id']).toBe('abc-123');
    const generated = await api().get('/api/fixture/things/1');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await api().get('/api/fixture/things/1').set('x-request-id', 'bad id\twith "quotes"');
    expect(unsafe.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(log.lines.some((line) => line.includes('"id":"abc-123"'))).toBe(true);
  });

  it('sends security headers and no framework banner', async () => {
    const res = await api().get('/api/fixture/things/1');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBeDefined();
    expect(res.headers['strict-transport-security']).toBeDefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('sends exactly the headers helmet itself sets, on success and error responses alike', async () => {
    // helmet run as its own middleware on a bare server is the reference for the prepared set.
    const bare = createServer((req, res) => {
      helmet()(req, res, () => res.end());
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    try {
      const reference = await request(bare).get('/');
      const helmetHeaders = Object.keys(reference.headers).filter(
        (name) => !['date', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'].includes(name),
      );
      expect(helmetHeaders.length).toBeGreaterThan(8);
      for (const res of [
        await api().get('/api/fixture/things/1'),
        await api().get('/api/fixture/nowhere'),
        await api().post('/api/fixture/echo').set('content-type', 'text/plain').send('x'),
      ]) {
        for (const name of helmetHeaders)
          expect([name, res.headers[name]]).toEqual([name, reference.headers[name]]);
      }
    } finally {
      await new Promise((resolve) => bare.close(resolve));
    }
  });

  it('redacts credentials from request logs', async () => {
    await api()
      .get('/api/fixture/things/7')
      .set('authorization', 'Bearer very-secret-token')
      .set('cookie', 'refresh_token=very-secret-cookie');
    const line = log.lines.find((entry) => entry.includes('/api/fixture/things/7'));
    expect(line).toBeDefined();
    expect(line).not.toContain('very-secret');
    expect(line).toContain('[redacted]');
  });

  it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const res = await api().get('/api/fixture/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const echo = res.body.paths['/api/fixture/echo'].post;
    expect(echo.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['name', 'count'],
      additionalProperties: false,
      properties: { count: { type: 'integer', minimum: 1, maximum: 10 } },
    });
    expect(echo.parameters).toEqual([
      expect.objectContaining({ name: 'loud', in: 'query', required: false }),
    ]);
    expect(Object.keys(echo.responses as object)).toEqual(
      expect.arrayContaining(['201', '400', '413', '415', 'default']),
    );
    expect(res.body.paths['/api/fixture/things/{id}'].get.parameters[0]).toMatchObject({
      name: 'id',
      in: 'path',
      required: true,
    });
  });
});

describe('management port', () => {
  it('answers /healthz and /readyz', async () => {
    expect((await management().get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await management().get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready', checks: { database: { ok: true } } });
  });

  it('exposes metrics labelled by route template, and the API port does not', async () => {
    await api().get('/api/fixture/things/41');
    await api().get('/api/fixture/things/42');
    await api().get('/api/fixture/boom');
    const res = await management().get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.text).toContain('process_cpu_user_seconds_total');
    expect(res.text).toMatch(
      /http_request_duration_seconds_count\{service="fixture",method="GET",route="\/api\/fixture\/things\/:id",status_code="200"\} [2-9]/,
    );
    expect(res.text).toContain('route="/api/fixture/boom",status_code="500"');
    expect(res.text).not.toContain('/things/41');

    const fromApi = await api().get('/metrics');
    expect(fromApi.status).toBe(404);
    expect((await api().get('/healthz')).status).toBe(404);
  });

  it('times every database command by operation and collection, from the driver command monitoring', async () => {
    const counted = async () =>
      metricValue((await management().get('/metrics')).text, 'db_client_operation_duration_seconds_count', {
        service: 'fixture',
        operation: 'aggregate',
        collection: 'notes',
      });
    const before = await counted();
    expect((await api().get('/api/fixture/notes/count')).status).toBe(200);
    expect((await api().get('/api/fixture/notes/count')).status).toBe(200);
    expect(await counted()).toBe(before + 2);
  });

  it('counts a command the server refuses as a database error of type server', async () => {
    const errors = async () =>
      metricValue((await management().get('/metrics')).text, 'db_client_operation_errors_total', {
        operation: 'aggregate',
        collection: 'notes',
        error_type: 'server',
      });
    const before = await errors();
    await expect(
      service.connection
        .collection('notes')
        .aggregate([{ $noSuchStage: {} }])
        .toArray(),
    ).rejects.toThrow();
    expect(await errors()).toBe(before + 1);
  });

  it('reports the readiness of each dependency as a gauge', async () => {
    const text = (await management().get('/metrics')).text;
    expect(metricValue(text, 'dependency_ready', { service: 'fixture', dependency: 'database' })).toBe(1);
  });

  it('starts every token refusal reason at zero, so a rate is defined before the first refusal', async () => {
    const text = (await management().get('/metrics')).text;
    for (const reason of TOKEN_FAILURE_REASONS) {
      expect(text).toContain(
        `auth_token_verification_failures_total{reason="${reason}",service="fixture"} 0`,
      );
    }
  });

  it('labels a request refused before routing with its route template, not as unmatched', async () => {
    const refused = await api().post('/api/fixture/echo').set('content-type', 'text/plain').send('hello');
    expect(refused.status).toBe(415);
    const tooLarge = await api()
      .post('/api/fixture/echo')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ name: 'x'.repeat(200_000) }));
    expect(tooLarge.status).toBe(413);
    const text = (await management().get('/metrics')).text;
    expect(text).toMatch(/route="\/api\/fixture\/echo",status_code="415"\} [1-9]/);
    expect(text).toMatch(/route="\/api\/fixture\/echo",status_code="413"\} [1-9]/);
    expect(text).not.toMatch(/route="[^"]+\/"/);
  });

  it('labels unmatched paths with one value, so random URLs cannot explode cardinality', async () => {
    await api().get('/api/fixture/random-1');
    await api().get('/api/fixture/random-2');
    const res = await management().get('/metrics');
    expect(res.text).toContain('route="unmatched",status_code="404"');
    expect(res.text).not.toContain('random-1');
  });
});
