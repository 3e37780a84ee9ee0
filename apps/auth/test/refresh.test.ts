import jwt from 'jsonwebtoken';
import { metricValue } from '@platform/devstack';
import { refreshTokenModel } from '../src/models/refresh-token';
import { RefreshSessions } from '../src/sessions';
import type { RunningAuth } from './support';
import { refreshCookie, registerAndLogin, startAuth } from './support';

let auth: RunningAuth;
beforeAll(async () => {
  auth = await startAuth();
});
afterAll(() => auth.stop());

const refresh = (token?: string) => {
  const req = auth.api().post('/api/auth/refresh');
  return token ? req.set('cookie', `refresh_token=${token}`) : req;
};

describe('POST /api/auth/refresh', () => {
  it('issues a new access token and rotates the refresh cookie', async () => {
    const session = await registerAndLogin(auth);
    const res = await refresh(session.refreshToken);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { id: session.userId } });
    expect((jwt.decode(res.body.accessToken as string) as jwt.JwtPayload).sub).toBe(session.userId);
    const next = refreshCookie(res);
    expect(next?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(next?.value).not.toBe(session.refreshToken);
    expect(next?.attributes).toEqual(
      expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/api/auth']),
    );
    expect((await refresh(next?.value)).status).toBe(200);
  });

  it('revokes the whole family when a spent token is presented again', async () => {
    const session = await registerAndLogin(auth);
    const first = await refresh(session.refreshToken);
    const latest = refreshCookie(first)?.value as string;

    const reuses = async () =>
      metricValue(
        (await auth.management().get('/metrics')).text,
        'auth_refresh_token_reuse_detections_total',
      );
    const before = await reuses();
    const replay = await refresh(session.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.error.code).toBe('REFRESH_TOKEN_REUSED');
    expect(await reuses()).toBe(before + 1);
    expect(refreshCookie(replay)?.value).toBe('');

    // The legitimate holder's newest token died with the family.
    const afterReplay = await refresh(latest);
    expect(afterReplay.status).toBe(401);
    expect(afterReplay.body.error.code).toBe('INVALID_REFRESH_TOKEN');
  });

  it('does not touch other sessions of the same user', async () => {
    const session = await registerAndLogin(auth);
    const second = await auth
      .api()
      .post('/api/auth/login')
      .send({ email: session.email, password: 'correct horse battery staple' });
    const otherToken = refreshCookie(second)?.value as string;
    await refresh(session.refreshToken);
    await refresh(session.refreshToken); // reuse: revokes the first family only
    expect((await refresh(otherToken)).status).toBe(200);
  });

  it.each([
    ['no cookie', undefined],
    ['a malformed cookie', 'not-a-token'],
    ['an unknown token', 'A'.repeat(43)],
  ])('answers 401 INVALID_REFRESH_TOKEN for %s', async (_case, token) => {
    const res = await refresh(token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('INVALID_REFRESH_TOKEN');
  });

  it('refuses an expired refresh token', async () => {
    const session = await registerAndLogin(auth);
    await auth.service.connection
      .collection('refresh_tokens')
      .updateMany({ usedAt: null }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await refresh(session.refreshToken);
    expect(res.status).toBe(401);
  });
});

describe('POST /api/auth/logout', () => {
  it('revokes the refresh token and clears the cookie', async () => {
    const session = await registerAndLogin(auth);
    const res = await auth
      .api()
      .post('/api/auth/logout')
      .set('cookie', `refresh_token=${session.refreshToken}`);
    expect(res.status).toBe(204);
    const cleared = refreshCookie(res);
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes).toEqual(
      expect.arrayContaining(['Path=/api/auth', expect.stringMatching(/^Expires=Thu, 01 Jan 1970/)]),
    );
    expect((await refresh(session.refreshToken)).status).toBe(401);
  });

  it('answers 204 without a cookie too', async () => {
    expect((await auth.api().post('/api/auth/logout')).status).toBe(204);
  });
});

describe('expired records', () => {
  it('are purged by the service', async () => {
    const sessions = new RefreshSessions(refreshTokenModel(auth.service.connection), 60_000);
    const collection = auth.service.connection.collection('refresh_tokens');
    await collection.updateMany({}, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await sessions.purgeExpired()).toBeGreaterThan(0);
    expect(await collection.countDocuments()).toBe(0);
  });
});

describe('concurrent use of one refresh token', () => {
  it('lets at most one rotation through and revokes the family', async () => {
    const session = await registerAndLogin(auth);
    const results = await Promise.all(Array.from({ length: 6 }, () => refresh(session.refreshToken)));
    const winners = results.filter((res) => res.status === 200);
    expect(winners.length).toBeLessThanOrEqual(1);
    expect(results.filter((res) => res.status === 401)).toHaveLength(6 - winners.length);
    expect(results.some((res) => res.body.error?.code === 'REFRESH_TOKEN_REUSED')).toBe(true);
    // Whoever won holds a token of a revoked family.
    for (const winner of winners) expect((await refresh(refreshCookie(winner)?.value)).status).toBe(401);
  });
});
