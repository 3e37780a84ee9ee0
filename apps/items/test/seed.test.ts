import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { dropDatabase, runNodeScript, testDatabaseUrl } from '@platform/devstack';
import { itemImageSlug } from '../src';
import { IMAGE_PATTERN } from '../src/schemas';

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

  it('gives every item its picture, /images/items/<slug of the name>.svg, one file per item', async () => {
    const items = await snapshot();
    for (const item of items) {
      expect(item.image).toBe(`/images/items/${itemImageSlug(String(item.name))}.svg`);
      expect(item.image).toMatch(IMAGE_PATTERN);
    }
    expect(new Set(items.map((item) => item.image)).size).toBe(items.length);
  });

  it('changes nothing when run again', async () => {
    const before = await snapshot();
    const again = await runNodeScript(SEED, { MONGO_URL: url });
    expect(again.stdout).toBe(`items seed: 0 items created, ${before.length} already there\n`);
    expect(await snapshot()).toEqual(before);
  });

  it('leaves a picture an admin removed or changed as it is', async () => {
    const client = new MongoClient(url);
    try {
      const collection = client.db().collection('items');
      await collection.updateOne({ name: 'Desk Lamp' }, { $unset: { image: '' } });
      await collection.updateOne(
        { name: 'Turntable' },
        { $set: { image: '/images/items/record-player.png' } },
      );
    } finally {
      await client.close();
    }
    const before = await snapshot();
    await runNodeScript(SEED, { MONGO_URL: url });
    const after = await snapshot();
    expect(after).toEqual(before);
    expect(after.find((item) => item.name === 'Desk Lamp')).not.toHaveProperty('image');
    expect(after.find((item) => item.name === 'Turntable')?.image).toBe('/images/items/record-player.png');
  });

  it('fails with a clear message without MONGO_URL', async () => {
    const result = await runNodeScript(SEED, {});
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('items seed: invalid configuration: MONGO_URL is required\n');
  });
});

describe('itemImageSlug', () => {
  it.each([
    ['Chef Knife 20 cm', 'chef-knife-20-cm'],
    ['Notebook A5 Dotted', 'notebook-a5-dotted'],
    ['  LED Strip 5 m!! ', 'led-strip-5-m'],
    ['Crème Brûlée -- Torch', 'cr-me-br-l-e-torch'],
    ['Insulated Bottle 750 ml', 'insulated-bottle-750-ml'],
  ])('names %j %j', (name, slug) => {
    expect(itemImageSlug(name)).toBe(slug);
  });
});
