import type { ApiError } from '../src/api/client';
import { ApiClient } from '../src/api/client';
import { formatPrice } from '../src/format';
import { parseCents } from '../src/pages/admin/values';
import { validateCredentials } from '../src/pages/AuthPages';

const pathOf = (input: RequestInfo | URL) =>
  typeof input === 'string' ? input : input instanceof URL ? input.pathname : input.url;
const json = (status: number, body?: unknown) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json' },
  });

describe('ApiClient', () => {
  it('renews the access token once on a 401 and retries with the new one', async () => {
    const seen: string[] = [];
    const client = new ApiClient((input, init) => {
      const path = pathOf(input);
      seen.push(`${path} ${new Headers(init?.headers).get('authorization') ?? '-'}`);
      if (path === '/api/auth/refresh')
        return Promise.resolve(
          json(200, {
            accessToken: 'fresh',
            expiresIn: 900,
            user: { id: 'u', email: 'e', name: null, roles: ['user'] },
          }),
        );
      const fresh = new Headers(init?.headers).get('authorization') === 'Bearer fresh';
      return Promise.resolve(
        fresh ? json(200, { ok: true }) : json(401, { error: { code: 'TOKEN_EXPIRED', message: 'expired' } }),
      );
    });
    client.setSession({
      accessToken: 'stale',
      expiresIn: 900,
      user: { id: 'u', email: 'e', name: null, roles: ['user'] },
    });
    await expect(client.get('/api/auth/me')).resolves.toEqual({ ok: true });
    expect(seen).toEqual([
      '/api/auth/me Bearer stale',
      '/api/auth/refresh Bearer stale',
      '/api/auth/me Bearer fresh',
    ]);
  });

  it('gives up after one failed renewal and forgets the session', async () => {
    let calls = 0;
    const client = new ApiClient((input) => {
      calls++;
      const code = pathOf(input) === '/api/auth/refresh' ? 'INVALID_REFRESH_TOKEN' : 'TOKEN_EXPIRED';
      return Promise.resolve(json(401, { error: { code, message: 'no' } }));
    });
    client.setSession({
      accessToken: 'stale',
      expiresIn: 900,
      user: { id: 'u', email: 'e', name: null, roles: ['user'] },
    });
    await expect(client.get('/api/auth/me')).rejects.toMatchObject({ status: 401, code: 'TOKEN_EXPIRED' });
    expect(calls).toBe(2);
    expect(client.currentSession).toBeNull();
  });

  it('turns error bodies into ApiErrors with field errors, and no answer into NETWORK', async () => {
    const client = new ApiClient(() =>
      Promise.resolve(
        json(400, {
          error: {
            code: 'VALIDATION_FAILED',
            message: 'Request is invalid',
            details: [{ location: 'body', path: 'email', message: 'must be an email address' }],
          },
        }),
      ),
    );
    const error = (await client
      .post('/api/auth/register', {})
      .catch((caught: unknown) => caught)) as ApiError;
    expect(error.fieldErrors()).toEqual({ email: 'must be an email address' });
    const offline = new ApiClient(() => Promise.reject(new TypeError('Failed to fetch')));
    await expect(offline.get('/api/items')).rejects.toMatchObject({ status: 0, code: 'NETWORK' });
    const gateway = new ApiClient(() =>
      Promise.resolve(new Response('<html>bad gateway</html>', { status: 502 })),
    );
    await expect(gateway.get('/api/items')).rejects.toMatchObject({
      status: 502,
      message: expect.stringContaining('unavailable'),
    });
  });
});

describe('formatting and parsing', () => {
  it('formats integer cents as money with Intl', () => {
    expect(formatPrice(123456, 'EUR', 'en-IE')).toBe('€1,234.56');
    expect(formatPrice(5, 'USD', 'en-US')).toBe('$0.05');
    expect(formatPrice(1999, 'EUR', 'de-DE')).toBe('19,99\u00a0€'); // a no-break space, as Intl writes it
  });

  it.each([
    ['12', 1200],
    ['12.5', 1250],
    ['12,50', 1250],
    ['0.07', 7],
    ['abc', undefined],
    ['1.234', undefined],
    ['-3', undefined],
  ])('parses the price %j as %j cents', (text, cents) => expect(parseCents(text)).toBe(cents));

  it('checks credentials with the same rules as the auth service', () => {
    expect(validateCredentials('nope', 'short', true)).toEqual({
      email: 'Enter an email address, like name@example.com.',
      password: 'Use at least 10 characters.',
    });
    expect(validateCredentials('a@b.co', 'x'.repeat(129), true)).toEqual({
      password: 'Use at most 128 characters.',
    });
    expect(validateCredentials('a@b.co', 'short', false)).toEqual({});
  });
});
