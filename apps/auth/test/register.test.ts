import type { RunningAuth } from './support';
import { PASSWORD, startAuth, uniqueEmail } from './support';

let auth: RunningAuth;
beforeAll(async () => {
  auth = await startAuth();
});
afterAll(() => auth.stop());

const register = (body: unknown) =>
  auth
    .api()
    .post('/api/auth/register')
    .send(body as object);

describe('POST /api/auth/register', () => {
  it('creates a user with a normalised email and the user role', async () => {
    const email = uniqueEmail('Mixed.Case');
    const res = await register({
      email: `  ${email.toUpperCase()}  `,
      password: PASSWORD,
      name: ' Ada Lovelace ',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      user: {
        id: expect.stringMatching(/^[0-9a-f]{24}$/),
        email: email.toLowerCase(),
        name: 'Ada Lovelace',
        roles: ['user'],
      },
    });
    expect(JSON.stringify(res.body)).not.toMatch(/password|scrypt/i);
  });

  it('stores only a salted scrypt hash with its parameters', async () => {
    const email = uniqueEmail();
    await register({ email, password: PASSWORD });
    await register({ email: uniqueEmail(), password: PASSWORD });
    const users = auth.service.connection.collection('users');
    const stored = await users.find({}, { projection: { passwordHash: 1 } }).toArray();
    const hashes = stored.map((user) => user.passwordHash as string);
    for (const hash of hashes)
      expect(hash).toMatch(/^\$scrypt\$N=16384,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(hashes.join()).not.toContain(PASSWORD);
  });

  it('answers 409 EMAIL_TAKEN for an email that exists, whatever its case', async () => {
    const email = uniqueEmail();
    expect((await register({ email, password: PASSWORD })).status).toBe(201);
    const again = await register({ email: email.toUpperCase(), password: 'another password 123' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('EMAIL_TAKEN');
  });

  it('lets exactly one of ten concurrent registrations of one email succeed', async () => {
    const email = uniqueEmail('race');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => register({ email, password: PASSWORD })),
    );
    const statuses = results.map((res) => res.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    expect(
      results.filter((res) => res.status === 409).every((res) => res.body.error.code === 'EMAIL_TAKEN'),
    ).toBe(true);
    expect(await auth.service.connection.collection('users').countDocuments({ email })).toBe(1);
  });

  it.each([
    ['a short password', { password: 'short' }, 'password', 'must be at least 10 characters'],
    [
      'a password over 128 characters',
      { password: 'x'.repeat(129) },
      'password',
      'must be at most 128 characters',
    ],
    ['an invalid email', { email: 'not-an-email' }, 'email', 'must be an email address'],
    ['an operator object as email', { email: { $gt: '' } }, 'email', undefined],
    ['an operator object as password', { password: { $ne: null } }, 'password', undefined],
    ['a role it may not choose', { roles: ['admin'] }, '(root)', undefined],
  ])('rejects %s with 400 and the field named', async (_case, change, field, message) => {
    const res = await register({ email: uniqueEmail(), password: PASSWORD, ...change });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    const detail = (res.body.error.details as { path: string; message: string }[]).find(
      (d) => d.path === field,
    );
    expect(detail).toBeDefined();
    if (message) expect(detail?.message).toBe(message);
  });

  it('stores nothing for rejected input', async () => {
    const before = await auth.service.connection.collection('users').countDocuments();
    await register({ email: { $gt: '' }, password: PASSWORD });
    await register({ email: uniqueEmail(), password: 'short' });
    expect(await auth.service.connection.collection('users').countDocuments()).toBe(before);
  });

  it('answers malformed JSON with 400, a non-JSON body with 415 and an oversize body with 413', async () => {
    const malformed = await auth
      .api()
      .post('/api/auth/register')
      .set('content-type', 'application/json')
      .send('{"email":');
    expect([malformed.status, malformed.body.error.code]).toEqual([400, 'MALFORMED_JSON']);
    const form = await auth
      .api()
      .post('/api/auth/register')
      .type('form')
      .send({ email: 'a@b.co', password: PASSWORD });
    expect([form.status, form.body.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const huge = await auth
      .api()
      .post('/api/auth/register')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ email: uniqueEmail(), password: PASSWORD, name: 'x'.repeat(200_000) }));
    expect([huge.status, huge.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
  });
});
