import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { dropDatabase, runNodeScript, testDatabaseUrl } from '@platform/devstack';

const SEED = join(__dirname, '..', 'dist', 'seed.js');

describe('the auth seed', () => {
  const url = testDatabaseUrl('auth_seed');
  const env = {
    MONGO_URL: url,
    ADMIN_EMAIL: 'Admin@Example.com',
    ADMIN_PASSWORD: 'seeded admin password',
    PASSWORD_SCRYPT_N: '1024',
  };
  afterAll(() => dropDatabase(url));

  it('creates the admin once; a second run changes nothing', async () => {
    expect(await runNodeScript(SEED, env)).toEqual({
      code: 0,
      stdout: 'auth seed: admin admin@example.com created\n',
      stderr: '',
    });
    const client = new MongoClient(url);
    try {
      const users = client.db().collection('users');
      const before = await users.find().toArray();
      expect(before).toHaveLength(1);
      expect(before[0]).toMatchObject({ email: 'admin@example.com', roles: ['user', 'admin'] });
      expect((await runNodeScript(SEED, env)).stdout).toBe('auth seed: admin admin@example.com unchanged\n');
      expect(await users.find().toArray()).toEqual(before);
    } finally {
      await client.close();
    }
  });

  it('requires ADMIN_EMAIL and ADMIN_PASSWORD', async () => {
    const result = await runNodeScript(SEED, { MONGO_URL: url });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'auth seed: invalid configuration: ADMIN_EMAIL is required; ADMIN_PASSWORD is required\n',
    );
  });
});
