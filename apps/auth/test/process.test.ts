import { spawnSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import request from 'supertest';
import type { LocalDatabase } from '@platform/devstack';
import { eventually, launchDatabase, spawnServiceProcess } from '@platform/devstack';
import { openApiDocument } from '../src/openapi';
import type { RunningAuth } from './support';
import { authEnv, PASSWORD, startAuth, uniqueEmail } from './support';

const MAIN = join(__dirname, '..', 'dist', 'main.js');

describe('the auth process', () => {
  it('exits 1 with one line naming the variable when configuration is invalid', () => {
    const { JWT_ISSUER: _issuer, ...env } = authEnv({ PORT: 'not-a-port' });
    const result = spawnSync(process.execPath, [MAIN], {
      env: { PATH: process.env.PATH, ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'auth: invalid configuration: PORT must be a whole number between 0 and 65535; JWT_ISSUER is required\n',
    );
  });

  it('finishes a login in flight when SIGTERM arrives, then exits 0', async () => {
    const env = authEnv({ LOG_LEVEL: 'info', PASSWORD_SCRYPT_N: '65536', PASSWORD_SCRYPT_P: '2' });
    const service = await spawnServiceProcess('auth', MAIN, env);
    await eventually(async () => (await request(service.management).get('/readyz')).status === 200);
    const email = uniqueEmail('sigterm');
    expect(
      (await request(service.api).post('/api/auth/register').send({ email, password: PASSWORD })).status,
    ).toBe(201);

    // Send the login, and SIGTERM once the server has the whole request (it is then hashing).
    const body = JSON.stringify({ email, password: PASSWORD });
    const login = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${service.api}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.end(body, () => setTimeout(() => service.child.kill('SIGTERM'), 20));
    });

    const res = await login;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ tokenType: 'Bearer', user: { email } });
    const [code] = await service.exited;
    expect(code).toBe(0);
    expect(service.output()).toContain('"signal":"SIGTERM"');
    expect(service.output()).toContain('"msg":"stopped"');
  });
});

describe('readiness of auth across a database outage', () => {
  let database: LocalDatabase;
  let auth: RunningAuth | undefined;

  beforeAll(async () => {
    database = await launchDatabase({ useExternal: false });
  });
  afterAll(async () => {
    await auth?.service.stop();
    await database.stop();
  });

  it('answers 503 while the database is stopped and 200 again after it is back', async () => {
    const { dataDir, port } = database as { dataDir: string; port: number };
    auth = await startAuth({ MONGO_URL: `mongodb://127.0.0.1:${port}/auth`, DATABASE_TIMEOUT: '1s' });
    const email = uniqueEmail('outage');
    expect((await auth.api().post('/api/auth/register').send({ email, password: PASSWORD })).status).toBe(
      201,
    );
    expect((await auth.management().get('/readyz')).status).toBe(200);

    await database.stop({ keepData: true });
    await eventually(async () => (await auth!.management().get('/readyz')).status === 503);
    const report = await auth.management().get('/readyz');
    expect(report.body).toMatchObject({ status: 'not_ready', checks: { database: { ok: false } } });
    const during = await auth.api().post('/api/auth/login').send({ email, password: PASSWORD });
    expect([during.status, during.body.error.code]).toEqual([503, 'DATABASE_UNAVAILABLE']);
    expect(during.headers['retry-after']).toBe('5');

    database = await launchDatabase({ useExternal: false, dataDir, port, removeOnStop: true });
    await eventually(async () => (await auth!.management().get('/readyz')).status === 200);
    // The account written before the outage is still there.
    expect((await auth.api().post('/api/auth/login').send({ email, password: PASSWORD })).status).toBe(200);
  });
});

describe('service surface', () => {
  let auth: RunningAuth;
  beforeAll(async () => {
    auth = await startAuth();
  });
  afterAll(() => auth.stop());

  it('serves an OpenAPI 3.1 document generated from the validating schemas', async () => {
    const res = await auth.api().get('/api/auth/openapi.json');
    expect(res.status).toBe(200);
    // The document built without a database (the web app's API types) is the one served.
    expect(res.body).toEqual(openApiDocument());
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths as object).sort()).toEqual(
      [
        '/api/auth/jwks.json',
        '/api/auth/login',
        '/api/auth/logout',
        '/api/auth/me',
        '/api/auth/openapi.json',
        '/api/auth/refresh',
        '/api/auth/register',
      ].sort(),
    );
    const register = res.body.paths['/api/auth/register'].post;
    expect(register.requestBody.content['application/json'].schema).toMatchObject({
      type: 'object',
      required: ['email', 'password'],
      additionalProperties: false,
      properties: { password: { type: 'string', minLength: 10, maxLength: 128 } },
    });
    expect(register.responses['201'].content['application/json'].schema.properties.user.required).toEqual(
      expect.arrayContaining(['id', 'email', 'name', 'roles']),
    );
    expect(res.body.paths['/api/auth/me'].get.security).toEqual([{ bearer: [] }]);
    expect(res.body.paths['/api/auth/login'].post.responses['429']).toBeDefined();
  });

  it('exposes request metrics on the management port only', async () => {
    await auth.api().post('/api/auth/login').send({ email: uniqueEmail(), password: PASSWORD });
    const metrics = await auth.management().get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(
      /http_request_duration_seconds_count\{service="auth",method="POST",route="\/api\/auth\/login",status_code="401"\} \d+/,
    );
    expect((await auth.api().get('/metrics')).status).toBe(404);
    expect((await auth.api().get('/readyz')).status).toBe(404);
  });

  it('echoes x-request-id', async () => {
    const res = await auth.api().get('/api/auth/jwks.json').set('x-request-id', 'trace-42');
    expect(res.headers['x-request-id']).toBe('trace-42');
  });
});
