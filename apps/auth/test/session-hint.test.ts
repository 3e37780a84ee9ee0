import type { Response } from 'supertest';
import type { RunningAuth } from './support';
import { refreshCookie, registerAndLogin, startAuth } from './support';

/**
 * The session hint: a cookie the web app can read, set and cleared with the refresh cookie, so the
 * app asks for a refresh only when there is a session to refresh (docs/contract.md §3.3).
 */
let auth: RunningAuth;
beforeAll(async () => {
  auth = await startAuth();
});
afterAll(() => auth.stop());

function hintCookie(res: Response): { value: string; attributes: string[] } | undefined {
  const header = res.headers['set-cookie'] as unknown as string[] | undefined;
  const cookie = header?.find((entry) => entry.startsWith('session_hint='));
  if (!cookie) return undefined;
  const [pair, ...attributes] = cookie.split(';').map((part) => part.trim());
  return { value: (pair ?? '').slice('session_hint='.length), attributes };
}

const lifetime = (attributes: string[] | undefined) => ({
  maxAge: attributes?.find((attribute) => attribute.startsWith('Max-Age=')),
  expires: attributes?.find((attribute) => attribute.startsWith('Expires=')),
});

const refresh = (token?: string) => {
  const req = auth.api().post('/api/auth/refresh');
  return token ? req.set('cookie', `refresh_token=${token}; session_hint=1`) : req;
};

describe('the session_hint cookie', () => {
  it('is set at login next to the refresh cookie: readable by scripts on every path, the same lifetime', async () => {
    const session = await registerAndLogin(auth);
    const login = await auth
      .api()
      .post('/api/auth/login')
      .send({ email: session.email, password: 'correct horse battery staple' });
    const hint = hintCookie(login);
    expect(hint?.value).toBe('1');
    expect(hint?.attributes).toEqual(expect.arrayContaining(['Path=/', 'SameSite=Strict', 'Max-Age=604800']));
    expect(hint?.attributes).not.toContain('HttpOnly');
    expect(hint?.attributes).not.toContain('Secure');
    expect(lifetime(hint?.attributes)).toEqual(lifetime(refreshCookie(login)?.attributes));
  });

  it('is renewed with every refresh', async () => {
    const session = await registerAndLogin(auth);
    const res = await refresh(session.refreshToken);
    expect(res.status).toBe(200);
    expect(hintCookie(res)?.value).toBe('1');
    expect(lifetime(hintCookie(res)?.attributes)).toEqual(lifetime(refreshCookie(res)?.attributes));
  });

  it.each([
    ['no refresh cookie', undefined],
    ['an unknown token', 'A'.repeat(43)],
  ])('is cleared by a refused refresh (%s)', async (_case, token) => {
    const res = await refresh(token);
    expect(res.status).toBe(401);
    expect(hintCookie(res)?.value).toBe('');
    expect(hintCookie(res)?.attributes).toEqual(
      expect.arrayContaining(['Path=/', expect.stringMatching(/^Expires=Thu, 01 Jan 1970/)]),
    );
  });

  it('is cleared by a refresh that finds the token reused', async () => {
    const session = await registerAndLogin(auth);
    await refresh(session.refreshToken);
    const replay = await refresh(session.refreshToken);
    expect(replay.body.error.code).toBe('REFRESH_TOKEN_REUSED');
    expect(hintCookie(replay)?.value).toBe('');
  });

  it('is cleared at logout, with or without a session', async () => {
    const session = await registerAndLogin(auth);
    const res = await auth
      .api()
      .post('/api/auth/logout')
      .set('cookie', `refresh_token=${session.refreshToken}; session_hint=1`);
    expect(res.status).toBe(204);
    expect(hintCookie(res)?.value).toBe('');
    expect(hintCookie(res)?.attributes).toEqual(expect.arrayContaining(['Path=/']));
    expect(hintCookie(await auth.api().post('/api/auth/logout'))?.value).toBe('');
  });

  it('is not set by a failed login or a registration', async () => {
    const session = await registerAndLogin(auth);
    const wrong = await auth
      .api()
      .post('/api/auth/login')
      .send({ email: session.email, password: 'not the password' });
    expect(wrong.status).toBe(401);
    expect(hintCookie(wrong)).toBeUndefined();
    const registered = await auth
      .api()
      .post('/api/auth/register')
      .send({ email: `hint.${Date.now()}@example.com`, password: 'correct horse battery staple' });
    expect(registered.status).toBe(201);
    expect(hintCookie(registered)).toBeUndefined();
  });

  describe('with REFRESH_COOKIE_SECURE=true', () => {
    let secure: RunningAuth;
    beforeAll(async () => {
      secure = await startAuth({ REFRESH_COOKIE_SECURE: 'true' });
    });
    // The outer service drops the shared test database when it stops.
    afterAll(() => secure.stop({ keepDatabase: true }));

    it('is Secure like the refresh cookie', async () => {
      const { email } = await registerAndLogin(secure);
      const login = await secure
        .api()
        .post('/api/auth/login')
        .send({ email, password: 'correct horse battery staple' });
      expect(refreshCookie(login)?.attributes).toContain('Secure');
      expect(hintCookie(login)?.attributes).toContain('Secure');
    });
  });
});
