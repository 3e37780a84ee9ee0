import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { dropDatabase, runNodeScript, testDatabaseUrl } from '@platform/devstack';

const SEED = join(__dirname, '..', 'dist', 'seed.js');

describe('the discounts seed', () => {
  const url = testDatabaseUrl('discounts_seed');
  afterAll(() => dropDatabase(url));

  async function snapshot() {
    const client = new MongoClient(url);
    try {
      return await client.db().collection('discounts').find().sort({ codeKey: 1 }).toArray();
    } finally {
      await client.close();
    }
  }

  it('creates one automatic and one code discount, and changes nothing when run again', async () => {
    const first = await runNodeScript(SEED, { MONGO_URL: url });
    expect(first).toEqual({
      code: 0,
      stdout: 'discounts seed: 2 discounts created, 0 already there\n',
      stderr: '',
    });
    const created = await snapshot();
    expect(created.map((discount) => discount.code ?? null).sort()).toEqual(['WELCOME10', null].sort());

    const again = await runNodeScript(SEED, { MONGO_URL: url });
    expect(again.stdout).toBe('discounts seed: 0 discounts created, 2 already there\n');
    expect(await snapshot()).toEqual(created);
  });
});
