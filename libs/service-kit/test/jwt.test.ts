import type { KeyObject } from 'node:crypto';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { metricValue } from '@platform/devstack';
import type { HttpError, Principal, ServiceMetrics, TokenFailureReason } from '../src';
import {
  ApiRouter,
  createApiApp,
  createLogger,
  createMetrics,
  JwksClient,
  principalOf,
  requireAuth,
  requireRole,
  TokenVerifier,
} from '../src';
import { capturedLogger } from './fixture';

const ISSUER = 'https://auth.test';
const AUDIENCE = 'platform';
const logger = createLogger({ service: 'jwt-test', level: 'silent' });

interface TestKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: KeyObject;
  publicKey: KeyObject;
}

function makeKey(kid: string, alg: 'RS256' | 'ES256'): TestKey {
  const { privateKey, publicKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { kid, alg, privateKey, publicKey };
}

const rsa = makeKey('rsa-1', 'RS256');
const ec = makeKey('ec-1', 'ES256');
const rotated = makeKey('rsa-2', 'RS256');

function sign(key: TestKey, claims: Record<string, unknown> = {}, options: jwt.SignOptions = {}): string {
  return jwt.sign({ roles: ['user'], ...claims }, key.privateKey, {
    algorithm: key.alg,
    keyid: key.kid,
    issuer: ISSUER,
    audience: AUDIENCE,
    subject: 'user-1',
    expiresIn: 300,
    ...options,
  });
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWKS endpoint on loopback whose key set and health the tests control. */
class JwksServer {
  keys: TestKey[] = [rsa, ec];
  failing = false;
  /** Answers 200 with a body that is not a key set. */
  garbled = false;
  requests = 0;
  private server: Server = createServer((_req, res) => {
    this.requests++;
    if (this.failing) {
      res.writeHead(500).end();
      return;
    }
    if (this.garbled) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
      return;
    }
    const keys = this.keys.map((k) => ({
      ...k.publicKey.export({ format: 'jwk' }),
      kid: k.kid,
      alg: k.alg,
      use: 'sig',
    }));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/auth/jwks.json`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

let jwks: JwksServer;
let url: string;
let metrics: ServiceMetrics;

beforeEach(async () => {
  jwks = new JwksServer();
  url = await jwks.start();
  metrics = createMetrics('jwt-test');
});
afterEach(() => jwks.stop());

function verifierWith(client: JwksClient, overrides: Partial<{ issuer: string; audience: string }> = {}) {
  return new TokenVerifier({ keys: client, issuer: ISSUER, audience: AUDIENCE, metrics, ...overrides });
}

/** The refusals counted so far, by reason: the service's /metrics text, read as Prometheus would. */
async function refusals(): Promise<Partial<Record<TokenFailureReason, number>>> {
  const text = await metrics.registry.metrics();
  const counted: Partial<Record<TokenFailureReason, number>> = {};
  for (const line of text.matchAll(/^auth_token_verification_failures_total\{reason="(\w+)".*\} (\d+)$/gm)) {
    if (Number(line[2]) > 0) counted[line[1] as TokenFailureReason] = Number(line[2]);
  }
  return counted;
}

async function outbound(outcome: string): Promise<number> {
  return metricValue(await metrics.registry.metrics(), 'http_client_request_duration_seconds_count', {
    target: 'auth_jwks',
    outcome,
  });
}

async function rejection(promise: Promise<Principal>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    return error as HttpError;
  }
  throw new Error('expected the token to be rejected');
}

describe('TokenVerifier with a JWKS', () => {
  it('accepts RS256 and ES256 tokens from the key set', async () => {
    const verifier = verifierWith(new JwksClient({ url, logger, metrics }));
    await expect(verifier.verify(sign(rsa, { roles: ['user', 'admin'] }))).resolves.toMatchObject({
      userId: 'user-1',
      roles: ['user', 'admin'],
    });
    await expect(verifier.verify(sign(ec))).resolves.toMatchObject({ userId: 'user-1' });
    expect(jwks.requests).toBe(1);
    expect(await outbound('success')).toBe(1);
    expect(await refusals()).toEqual({});
  });

  it('rejects a token whose payload was tampered with', async () => {
    const verifier = verifierWith(new JwksClient({ url, logger }));
    const [header, , signature] = sign(rsa).split('.');
    const forged = `${header}.${b64({ sub: 'user-1', roles: ['admin'], iss: ISSUER, aud: AUDIENCE, exp: 9_999_999_999 })}.${signature}`;
    const error = await rejection(verifier.verify(forged));
    expect([error.status, error.code]).toEqual([401, 'INVALID_TOKEN']);
    expect(await refusals()).toEqual({ bad_signature: 1 });
  });

  it('rejects an expired token as TOKEN_EXPIRED', async () => {
    const verifier = verifierWith(new JwksClient({ url, logger }));
    const expired = sign(rsa, {}, { expiresIn: -60 });
    const error = await rejection(verifier.verify(expired));
    expect([error.status, error.code]).toEqual([401, 'TOKEN_EXPIRED']);
    expect(await refusals()).toEqual({ expired: 1 });
  });

  it('rejects alg "none"', async () => {
    const verifier = verifierWith(new JwksClient({ url, logger }));
    const unsigned = `${b64({ alg: 'none', typ: 'JWT', kid: rsa.kid })}.${b64({
      sub: 'user-1',
      roles: ['admin'],
      iss: ISSUER,
      aud: AUDIENCE,
      exp: 9_999_999_999,
    })}.`;
    const error = await rejection(verifier.verify(unsigned));
    expect([error.status, error.code]).toEqual([401, 'INVALID_TOKEN']);
    expect(await refusals()).toEqual({ unsupported_algorithm: 1 });
  });

  it('rejects HS256 signed with the public key (algorithm confusion)', async () => {
    const verifier = verifierWith(new JwksClient({ url, logger }));
    const publicPem = createPublicKey(rsa.privateKey).export({ type: 'spki', format: 'pem' }).toString();
    const header = b64({ alg: 'HS256', typ: 'JWT', kid: rsa.kid });
    const payload = b64({ sub: 'user-1', roles: ['admin'], iss: ISSUER, aud: AUDIENCE, exp: 9_999_999_999 });
    const { createHmac } = await import('node:crypto');
    const signature = createHmac('sha256', publicPem).update(`${header}.${payload}`).digest('base64url');
    const error = await rejection(verifier.verify(`${header}.${payload}.${signature}`));
    expect([error.status, error.code]).toEqual([401, 'INVALID_TOKEN']);
    expect(await refusals()).toEqual({ unsupported_algorithm: 1 });
  });

  it('rejects a token whose header algorithm differs from its key', async () => {
    const verifier = verifierWith(new JwksClient({ url, logger }));
    // Signed correctly with the EC key, but claims the RSA key id.
    const swapped = jwt.sign({ roles: ['user'] }, ec.privateKey, {
      algorithm: 'ES256',
      keyid: rsa.kid,
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: 'user-1',
      expiresIn: 60,
    });
    const error = await rejection(verifier.verify(swapped));
    expect(error.code).toBe('INVALID_TOKEN');
    expect(await refusals()).toEqual({ unsupported_algorithm: 1 });
  });

  it.each([
    ['wrong audience', { audience: 'another-platform' }, 'wrong_audience'],
    ['wrong issuer', { issuer: 'https://evil.test' }, 'wrong_issuer'],
    ['start in the future', { notBefore: 600 }, 'not_yet_valid'],
  ])('rejects a token with the %s', async (_name, options, reason) => {
    const verifier = verifierWith(new JwksClient({ url, logger }));
    const error = await rejection(verifier.verify(sign(rsa, {}, options)));
    expect([error.status, error.code]).toEqual([401, 'INVALID_TOKEN']);
    expect(await refusals()).toEqual({ [reason]: 1 });
  });

  it('rejects tokens without a kid, roles or expiry, or that are not JWTs', async () => {
    const verifier = verifierWith(new JwksClient({ url, logger }));
    const noKid = jwt.sign({ roles: ['user'] }, rsa.privateKey, {
      algorithm: 'RS256',
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: 'u',
      expiresIn: 60,
    });
    const noExpiry = jwt.sign({ roles: ['user'] }, rsa.privateKey, {
      algorithm: 'RS256',
      keyid: rsa.kid,
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: 'u',
    });
    expect((await rejection(verifier.verify(noKid))).code).toBe('INVALID_TOKEN');
    expect((await rejection(verifier.verify(sign(rsa, { roles: 'admin' })))).code).toBe('INVALID_TOKEN');
    expect((await rejection(verifier.verify(noExpiry))).code).toBe('INVALID_TOKEN');
    expect((await rejection(verifier.verify('not-a-jwt'))).code).toBe('INVALID_TOKEN');
    expect((await rejection(verifier.verify(undefined))).status).toBe(401);
    expect(await refusals()).toEqual({ malformed: 2, missing_claims: 2, missing: 1 });
  });

  it('refetches once for an unknown kid, so a rotated key is picked up, and rate-limits further refetches', async () => {
    const client = new JwksClient({ url, logger, unknownKidRefetchesPerMinute: 1 });
    const verifier = verifierWith(client);
    await verifier.verify(sign(rsa));
    expect(jwks.requests).toBe(1);

    jwks.keys = [rsa, ec, rotated];
    await expect(verifier.verify(sign(rotated))).resolves.toMatchObject({ userId: 'user-1' });
    expect(jwks.requests).toBe(2);

    const forged = makeKey('never-published', 'RS256');
    for (let i = 0; i < 5; i++)
      expect((await rejection(verifier.verify(sign(forged)))).code).toBe('INVALID_TOKEN');
    expect(jwks.requests).toBe(2);
    expect(await refusals()).toEqual({ unknown_key: 5 });
  });

  it('answers 503 AUTH_UNAVAILABLE when no keys can be fetched', async () => {
    jwks.failing = true;
    const verifier = verifierWith(new JwksClient({ url, logger, metrics }));
    const error = await rejection(verifier.verify(sign(rsa)));
    expect([error.status, error.code]).toEqual([503, 'AUTH_UNAVAILABLE']);
    expect(await refusals()).toEqual({ keys_unavailable: 1 });
    expect(await outbound('server_error')).toBe(1);
  });

  it('counts a key set answer that is not JSON as an invalid response', async () => {
    jwks.garbled = true;
    const verifier = verifierWith(new JwksClient({ url, logger, metrics }));
    expect((await rejection(verifier.verify(sign(rsa)))).code).toBe('AUTH_UNAVAILABLE');
    expect(await outbound('invalid_response')).toBe(1);
    expect(await outbound('success')).toBe(0);
  });

  it('keeps using cached keys when a refresh fails, and says so in the log', async () => {
    const { lines, logger: captured } = capturedLogger('jwt-test');
    const verifier = verifierWith(new JwksClient({ url, logger: captured, cacheTtlMs: 1 }));
    await verifier.verify(sign(rsa));
    jwks.failing = true;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(verifier.verify(sign(rsa))).resolves.toMatchObject({ userId: 'user-1' });
    expect(jwks.requests).toBe(2);
    expect(lines.map((line) => JSON.parse(line))).toContainEqual(
      expect.objectContaining({ level: 'warn', msg: 'JWKS refresh failed; using the cached keys' }),
    );

    // A key the cached set does not list cannot be checked: 503, after one attempt to fetch.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const error = await rejection(verifier.verify(sign(rotated)));
    expect([error.status, error.code]).toEqual([503, 'AUTH_UNAVAILABLE']);
    expect(jwks.requests).toBe(3);
    expect(await refusals()).toEqual({ keys_unavailable: 1 });
  });

  it('counts a JWKS endpoint that refuses connections as a connection error', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const closedUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/jwks.json`;
    await new Promise((resolve) => closed.close(resolve));
    const verifier = verifierWith(new JwksClient({ url: closedUrl, logger, metrics }));
    expect((await rejection(verifier.verify(sign(rsa)))).code).toBe('AUTH_UNAVAILABLE');
    expect(await outbound('connection_error')).toBe(1);
  });

  it('times out a JWKS endpoint that does not answer', async () => {
    const silent = createServer(() => undefined);
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/jwks.json`;
    try {
      const verifier = verifierWith(new JwksClient({ url: silentUrl, logger, timeoutMs: 200, metrics }));
      expect((await rejection(verifier.verify(sign(rsa)))).code).toBe('AUTH_UNAVAILABLE');
      expect(await outbound('timeout')).toBe(1);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});

describe('requireAuth and requireRole', () => {
  let server: Server;
  let base: string;

  beforeEach(async () => {
    const verifier = verifierWith(new JwksClient({ url, logger }));
    const router = new ApiRouter('/api/guarded', { title: 'guarded', version: '1' }).route({
      method: 'get',
      path: '/admin',
      operationId: 'admin',
      summary: 'Admins only',
      security: 'bearer',
      before: [requireAuth(verifier), requireRole('admin')],
      responses: { 200: { description: 'ok' } },
      handler: ({ req, res }) => {
        res.json({ userId: principalOf(req).userId });
      },
    });
    const app = createApiApp({
      logger,
      metrics: createMetrics('guarded'),
      routers: [router],
      trustProxy: 'loopback',
      isShuttingDown: () => false,
    });
    server = createServer(app).listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers 401 with WWW-Authenticate without a token', async () => {
    const res = await request(base).get('/api/guarded/admin');
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    expect(res.body.error.code).toBe('UNAUTHORIZED');
  });

  it('answers 401 for a malformed authorization header', async () => {
    const res = await request(base).get('/api/guarded/admin').set('authorization', 'Basic dXNlcjpwYXNz');
    expect(res.status).toBe(401);
  });

  it('answers 403 for a valid token without the role', async () => {
    const res = await request(base)
      .get('/api/guarded/admin')
      .set('authorization', `Bearer ${sign(rsa)}`);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
  });

  it('lets an admin through', async () => {
    const res = await request(base)
      .get('/api/guarded/admin')
      .set('authorization', `Bearer ${sign(ec, { roles: ['user', 'admin'] })}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId: 'user-1' });
  });
});
