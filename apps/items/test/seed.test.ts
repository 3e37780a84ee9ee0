import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { dropDatabase, runNodeScript, testDatabaseUrl } from '@platform/devstack';

const SEED = join(__dirname, '..', 'dist', 'seed.js');

describe('the items seed', () => {
  const url = testDatabaseUrl('items_seed');
  afterAll(() => dropDatabase(url));

  async function snapshot() {
    const client = new MongoClient(url);
    try {
      return await client.db().collection('items').find().sort({ name: 1 }).toArray();
    } finally {
      await client.close();
    }
  }

  it('creates a demo catalog of at least 30 items in several categories', async () => {
    const first = await runNodeScript(SEED, { MONGO_URL: url });
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/^items seed: \d+ items created, 0 already there\n$/);
    const items = await snapshot();
    expect(items.length).toBeGreaterThanOrEqual(30);
    expect(new Set(items.map((item) => item.category)).size).toBeGreaterThanOrEqual(4);
    for (const item of items) {
      expect(Number.isInteger(item.priceCents)).toBe(true);
      expect(item.searchTerms).toEqual(expect.arrayContaining([String(item.name).toLowerCase().slice(0, 2)]));
    }
  });

  it('changes nothing when run again', async () => {
    const before = await snapshot();
    const again = await runNodeScript(SEED, { MONGO_URL: url });
    expect(again.stdout).toBe(`items seed: 0 items created, ${before.length} already there\n`);
    expect(await snapshot()).toEqual(before);
  });

  it('fails with a clear message without MONGO_URL', async () => {
    const result = await runNodeScript(SEED, {});
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('items seed: invalid configuration: MONGO_URL is required\n');
  });
});
