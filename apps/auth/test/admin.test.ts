import { dropDatabase, testDatabaseUrl } from '@platform/devstack';
import type { RunningAuth } from './support';
import { startAuth, uniqueEmail } from './support';

const ADMIN_PASSWORD = 'admin password one';

describe('admin bootstrap from ADMIN_EMAIL and ADMIN_PASSWORD', () => {
  const url = testDatabaseUrl('auth_admin');
  const email = uniqueEmail('admin');
  let auth: RunningAuth | undefined;

  afterEach(() => auth?.stop({ keepDatabase: true }));
  afterAll(() => dropDatabase(url));

  const adminDocument = async (running: RunningAuth) =>
    running.service.connection.collection('users').findOne({ email });

  it('creates the admin on first start, who can log in and has both roles', async () => {
    auth = await startAuth({ MONGO_URL: url, ADMIN_EMAIL: email.toUpperCase(), ADMIN_PASSWORD });
    const login = await auth.api().post('/api/auth/login').send({ email, password: ADMIN_PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.user.roles).toEqual(['user', 'admin']);
  });

  it('changes nothing when started again with the same settings', async () => {
    auth = await startAuth({ MONGO_URL: url, ADMIN_EMAIL: email, ADMIN_PASSWORD });
    const before = await adminDocument(auth);
    await auth.stop({ keepDatabase: true });
    auth = await startAuth({ MONGO_URL: url, ADMIN_EMAIL: email, ADMIN_PASSWORD });
    const after = await adminDocument(auth);
    expect(after).toEqual(before);
    expect(await auth.service.connection.collection('users').countDocuments({ email })).toBe(1);
  });

  it('updates the password when the setting changes', async () => {
    auth = await startAuth({ MONGO_URL: url, ADMIN_EMAIL: email, ADMIN_PASSWORD: 'admin password two' });
    expect((await auth.api().post('/api/auth/login').send({ email, password: ADMIN_PASSWORD })).status).toBe(
      401,
    );
    expect(
      (await auth.api().post('/api/auth/login').send({ email, password: 'admin password two' })).status,
    ).toBe(200);
  });

  it('promotes an existing user with that email', async () => {
    const promoted = uniqueEmail('promoted');
    auth = await startAuth({ MONGO_URL: url });
    await auth.api().post('/api/auth/register').send({ email: promoted, password: 'a user password' });
    await auth.stop({ keepDatabase: true });
    auth = await startAuth({
      MONGO_URL: url,
      ADMIN_EMAIL: promoted,
      ADMIN_PASSWORD: 'now the admin password',
    });
    const login = await auth
      .api()
      .post('/api/auth/login')
      .send({ email: promoted, password: 'now the admin password' });
    expect(login.body.user.roles).toEqual(['user', 'admin']);
  });
});

describe('password hash parameters', () => {
  it('are upgraded on the next login after they are raised', async () => {
    const url = testDatabaseUrl('auth_rehash');
    const email = uniqueEmail('rehash');
    const password = 'a password to upgrade';
    let auth = await startAuth({ MONGO_URL: url, PASSWORD_SCRYPT_N: '2048' });
    try {
      await auth.api().post('/api/auth/register').send({ email, password });
      const weak = await auth.service.connection.collection('users').findOne({ email });
      expect(weak?.passwordHash).toMatch(/^\$scrypt\$N=2048,r=8,p=1\$/);
      await auth.stop({ keepDatabase: true });

      auth = await startAuth({ MONGO_URL: url, PASSWORD_SCRYPT_N: '16384' });
      expect((await auth.api().post('/api/auth/login').send({ email, password })).status).toBe(200);
      const upgraded = await auth.service.connection.collection('users').findOne({ email });
      expect(upgraded?.passwordHash).toMatch(/^\$scrypt\$N=16384,r=8,p=1\$/);
      expect((await auth.api().post('/api/auth/login').send({ email, password })).status).toBe(200);
    } finally {
      await auth.stop();
    }
  });
});
