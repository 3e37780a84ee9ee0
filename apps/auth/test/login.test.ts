import crypto from 'node:crypto';
import { metricValue } from '@platform/devstack';
import type { RunningAuth } from './support';
import { PASSWORD, refreshCookie, startAuth, uniqueEmail } from './support';

let auth: RunningAuth;
beforeAll(async () => {
  auth = await startAuth({
    LOGIN_MAX_FAILURES_PER_EMAIL: '3',
    LOGIN_MAX_FAILURES_PER_CLIENT: '6',
    LOGIN_FAILURE_WINDOW: '10m',
  });
});
afterAll(() => auth.stop());

// Each test logs in from its own client address (the service trusts X-Forwarded-For from loopback).
let clientCounter = 0;
const nextClient = () => `198.51.100.${++clientCounter}`;

async function registered(email = uniqueEmail()): Promise<string> {
  const res = await auth.api().post('/api/auth/register').send({ email, password: PASSWORD });
  expect(res.status).toBe(201);
  return email;
}

const throttleRefusals = async (limit: 'email' | 'client') =>
  metricValue((await auth.management().get('/metrics')).text, 'auth_login_throttle_refusals_total', {
    limit,
  });

const login = (body: unknown, client: string) =>
  auth
    .api()
    .post('/api/auth/login')
    .set('x-forwarded-for', client)
    .send(body as object);

describe('POST /api/auth/login', () => {
  it('returns an access token, the user, and the refresh token in a strict httpOnly cookie', async () => {
    const email = await registered();
    const res = await login({ email: email.toUpperCase(), password: PASSWORD }, nextClient());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      tokenType: 'Bearer',
      expiresIn: 900,
      user: { id: expect.any(String), email, name: null, roles: ['user'] },
    });
    const cookie = refreshCookie(res);
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie?.attributes).toEqual(
      expect.arrayContaining(['Path=/api/auth', 'HttpOnly', 'SameSite=Strict', 'Max-Age=604800']),
    );
    expect(JSON.stringify(res.body)).not.toContain(cookie?.value);
  });

  it('answers an unknown email and a wrong password identically', async () => {
    const email = await registered();
    const unknown = await login({ email: uniqueEmail('nobody'), password: PASSWORD }, nextClient());
    const wrong = await login({ email, password: 'not the right password' }, nextClient());
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(unknown.body).toEqual({
      error: { code: 'INVALID_CREDENTIALS', message: 'Email or password is incorrect' },
    });
    expect(refreshCookie(unknown)).toBeUndefined();
    expect(refreshCookie(wrong)).toBeUndefined();
  });

  it('spends the same password-hashing work on an unknown email as on a wrong password', async () => {
    const email = await registered();
    // Warm the decoy hash, which is computed once per process.
    await login({ email: uniqueEmail('warm'), password: PASSWORD }, nextClient());
    const scrypt = jest.spyOn(crypto, 'scrypt');
    try {
      await login({ email: uniqueEmail('nobody'), password: PASSWORD }, nextClient());
      const forUnknown = scrypt.mock.calls.map((call) => JSON.stringify(call[3]));
      scrypt.mockClear();
      await login({ email, password: 'not the right password' }, nextClient());
      const forWrongPassword = scrypt.mock.calls.map((call) => JSON.stringify(call[3]));
      expect(forUnknown).toHaveLength(1);
      expect(forUnknown).toEqual(forWrongPassword);
    } finally {
      scrypt.mockRestore();
    }
  });

  it.each([
    ['an operator object as email', { email: { $gt: '' }, password: PASSWORD }, 'email'],
    ['an operator object as password', { email: 'a@example.com', password: { $ne: '' } }, 'password'],
    ['a missing password', { email: 'a@example.com' }, 'password'],
    ['an extra field', { email: 'a@example.com', password: PASSWORD, admin: true }, '(root)'],
  ])('rejects %s with 400', async (_case, body, field) => {
    const res = await login(body, nextClient());
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: field })]),
    );
  });

  it('limits failed attempts per email with 429 and Retry-After, even for the right password', async () => {
    const email = await registered();
    const [emailBefore, clientBefore] = [await throttleRefusals('email'), await throttleRefusals('client')];
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await login({ email, password: 'wrong password!' }, nextClient())).status).toBe(401);
    }
    const limited = await login({ email, password: PASSWORD }, nextClient());
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(await throttleRefusals('email')).toBe(emailBefore + 1);
    expect(await throttleRefusals('client')).toBe(clientBefore);
  });

  it('counts a burst of parallel guesses, so none slips past the limit', async () => {
    const email = await registered();
    const client = nextClient();
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => login({ email, password: `guess number ${i}` }, `${client}${i}`)),
    );
    const statuses = results.map((res) => res.status);
    // Never more than the limit get a password check; under a burst, possibly fewer.
    const checked = statuses.filter((status) => status === 401).length;
    expect(checked).toBeLessThanOrEqual(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(8 - checked);
    expect((await login({ email, password: PASSWORD }, nextClient())).status).toBe(429);
  });

  it('resets the email count after a successful login', async () => {
    const email = await registered();
    const client = nextClient();
    for (let attempt = 0; attempt < 2; attempt++) {
      expect((await login({ email, password: 'wrong password!' }, client)).status).toBe(401);
    }
    expect((await login({ email, password: PASSWORD }, client)).status).toBe(200);
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await login({ email, password: 'wrong password!' }, client)).status).toBe(401);
    }
  });

  it('limits failed attempts per client across emails, without affecting other clients', async () => {
    const client = nextClient();
    const clientBefore = await throttleRefusals('client');
    for (let attempt = 0; attempt < 6; attempt++) {
      expect((await login({ email: uniqueEmail('spray'), password: 'wrong password!' }, client)).status).toBe(
        401,
      );
    }
    const email = await registered();
    const limited = await login({ email, password: PASSWORD }, client);
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(await throttleRefusals('client')).toBe(clientBefore + 1);
    expect((await login({ email, password: PASSWORD }, nextClient())).status).toBe(200);
  });
});
