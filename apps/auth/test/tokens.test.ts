import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { createLogger, JwksClient, TokenVerifier } from '@platform/service-kit';
import { keyThumbprint } from '../src/keys';
import type { RunningAuth } from './support';
import { AUDIENCE, ISSUER, registerAndLogin, signingKey, startAuth } from './support';

const previousKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const previousPublicPem = previousKey.publicKey.export({ type: 'spki', format: 'pem' }).toString();

let auth: RunningAuth;
let session: Awaited<ReturnType<typeof registerAndLogin>>;
beforeAll(async () => {
  auth = await startAuth({ JWT_PREVIOUS_PUBLIC_KEYS: previousPublicPem });
  session = await registerAndLogin(auth);
});
afterAll(() => auth.stop());

const kid = keyThumbprint(signingKey.publicKey);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** Claims an attacker would like: admin, never expiring. */
const forgedAdminClaims = () => ({
  sub: session.userId,
  roles: ['admin'],
  iss: ISSUER,
  aud: AUDIENCE,
  exp: 9_999_999_999,
});
const me = (token: string) => auth.api().get('/api/auth/me').set('authorization', `Bearer ${token}`);

function signed(claims: Record<string, unknown>, options: jwt.SignOptions = {}): string {
  return jwt.sign({ roles: ['user'], ...claims }, signingKey.privateKey, {
    algorithm: 'RS256',
    keyid: kid,
    issuer: ISSUER,
    audience: AUDIENCE,
    subject: session.userId,
    expiresIn: 300,
    ...options,
  });
}

describe('access tokens', () => {
  it('carry iss, aud, sub, roles, exp and the kid of a published key', async () => {
    const { header, payload } = jwt.decode(session.accessToken, { complete: true }) as jwt.Jwt & {
      payload: jwt.JwtPayload;
    };
    expect(header).toMatchObject({ alg: 'RS256', kid });
    expect(payload).toMatchObject({ iss: ISSUER, aud: AUDIENCE, sub: session.userId, roles: ['user'] });
    expect((payload.exp as number) - (payload.iat as number)).toBe(900);
    const jwks = await auth.api().get('/api/auth/jwks.json');
    expect((jwks.body.keys as { kid: string }[]).map((key) => key.kid)).toContain(kid);
  });

  it('are accepted by /me', async () => {
    const res = await me(session.accessToken);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      user: { id: session.userId, email: session.email, name: null, roles: ['user'] },
    });
  });

  it('verify through the JWKS with the kit verifier the other services use', async () => {
    const verifier = new TokenVerifier({
      keys: new JwksClient({
        url: `${auth.service.apiUrl}/api/auth/jwks.json`,
        logger: createLogger({ service: 't', level: 'silent' }),
      }),
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    await expect(verifier.verify(session.accessToken)).resolves.toMatchObject({
      userId: session.userId,
      roles: ['user'],
    });
  });

  it('signed with the previous key are still accepted during a rotation', async () => {
    const token = jwt.sign({ roles: ['user'] }, previousKey.privateKey, {
      algorithm: 'ES256',
      keyid: keyThumbprint(previousKey.publicKey),
      issuer: ISSUER,
      audience: AUDIENCE,
      subject: session.userId,
      expiresIn: 60,
    });
    expect((await me(token)).status).toBe(200);
  });

  describe('/me refuses', () => {
    it('a request without a token', async () => {
      const res = await auth.api().get('/api/auth/me');
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });

    it('a tampered token', async () => {
      const [header, , signature] = session.accessToken.split('.');
      const payload = b64(forgedAdminClaims());
      const res = await me(`${header}.${payload}.${signature}`);
      expect([res.status, res.body.error.code]).toEqual([401, 'INVALID_TOKEN']);
    });

    it('an expired token', async () => {
      const res = await me(signed({}, { expiresIn: -30 }));
      expect([res.status, res.body.error.code]).toEqual([401, 'TOKEN_EXPIRED']);
    });

    it('alg none', async () => {
      const token = `${b64({ alg: 'none', typ: 'JWT', kid })}.${b64(forgedAdminClaims())}.`;
      const res = await me(token);
      expect([res.status, res.body.error.code]).toEqual([401, 'INVALID_TOKEN']);
    });

    it('HS256 signed with the public key', async () => {
      const publicPem = createPublicKey(signingKey.privateKey)
        .export({ type: 'spki', format: 'pem' })
        .toString();
      const header = b64({ alg: 'HS256', typ: 'JWT', kid });
      const payload = b64(forgedAdminClaims());
      const signature = createHmac('sha256', publicPem).update(`${header}.${payload}`).digest('base64url');
      const res = await me(`${header}.${payload}.${signature}`);
      expect([res.status, res.body.error.code]).toEqual([401, 'INVALID_TOKEN']);
    });

    it.each([
      ['the wrong audience', { audience: 'some-other-api' }],
      ['the wrong issuer', { issuer: 'https://elsewhere.test' }],
    ])('a token for %s', async (_case, options) => {
      const res = await me(signed({}, options));
      expect([res.status, res.body.error.code]).toEqual([401, 'INVALID_TOKEN']);
    });

    it('a token signed by a key that is not published', async () => {
      const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const token = jwt.sign({ roles: ['admin'] }, stranger.privateKey, {
        algorithm: 'RS256',
        keyid: kid,
        issuer: ISSUER,
        audience: AUDIENCE,
        subject: session.userId,
        expiresIn: 60,
      });
      expect((await me(token)).status).toBe(401);
    });

    it('a valid token for a user that no longer exists', async () => {
      const res = await me(signed({}, { subject: '0123456789abcdef01234567' }));
      expect(res.status).toBe(401);
      const notAnId = await me(signed({}, { subject: 'not-an-object-id' }));
      expect(notAnId.status).toBe(401);
    });
  });
});

describe('GET /api/auth/jwks.json', () => {
  it('publishes the current and previous public keys, and nothing private', async () => {
    const res = await auth.api().get('/api/auth/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    expect(res.body.keys).toEqual([
      expect.objectContaining({
        kty: 'RSA',
        kid,
        alg: 'RS256',
        use: 'sig',
        n: expect.any(String),
        e: 'AQAB',
      }),
      expect.objectContaining({
        kty: 'EC',
        crv: 'P-256',
        kid: keyThumbprint(previousKey.publicKey),
        alg: 'ES256',
        use: 'sig',
      }),
    ]);
    for (const key of res.body.keys)
      for (const field of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(field);
  });
});
