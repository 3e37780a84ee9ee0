import mongoose from 'mongoose';
import type { TestAuth } from '@platform/platform-testing';
import { startTestAuth } from '@platform/platform-testing';
import { itemModel } from '../src/models/item';
import { LIST_SORT } from '../src/routes/items-routes';
import { searchTerms } from '../src/search';
import type { RunningItems } from './support';
import { startItems } from './support';

/** The filter shapes GET /api/items sends (equality fields; $all on searchTerms uses its first term). */
const QUERY_SHAPES: Record<string, string[]> = {
  'no filter': [],
  category: ['category'],
  q: ['searchTerms'],
  'category and q': ['category', 'searchTerms'],
};

describe('indexes of the items collection', () => {
  const declared = itemModel(mongoose.createConnection())
    .schema.indexes()
    .map(([keys]) => Object.keys(keys));

  it.each(Object.entries(QUERY_SHAPES))(
    'serve the list query with %s: equality fields first, then the (name, _id) sort',
    (_shape, equalityFields) => {
      const wanted = [...equalityFields, ...Object.keys(LIST_SORT)];
      expect(declared).toContainEqual(wanted);
    },
  );
});

/**
 * The query planner's own word, on 100,000 items. Only MongoDB (and DocumentDB) have a planner to
 * ask: FerretDB v1 on SQLite evaluates every filter by scanning, whatever the indexes, so on it
 * this suite is skipped (and counted as skipped). Run it with MONGO_URL pointing at MongoDB 7.
 */
const withPlanner = process.env.TEST_DATABASE_ENGINE === 'mongodb' ? describe : describe.skip;

withPlanner('list queries on 100,000 items (MongoDB query planner)', () => {
  let auth: TestAuth;
  let items: RunningItems;

  beforeAll(async () => {
    auth = await startTestAuth();
    items = await startItems(auth);
    const collection = items.service.connection.collection('items');
    const now = new Date();
    for (let batch = 0; batch < 100; batch++) {
      await collection.insertMany(
        Array.from({ length: 1000 }, (_, i) => {
          const name = `Item ${batch * 1000 + i} ${['lamp', 'kettle', 'chair', 'desk'][i % 4]}`;
          return {
            name,
            description: '',
            priceCents: 100 + i,
            currency: 'EUR',
            category: `category-${i % 25}`,
            stock: 1,
            searchTerms: searchTerms(name),
            createdAt: now,
            updatedAt: now,
          };
        }),
      );
    }
  }, 600_000);
  afterAll(async () => {
    await items.stop();
    await auth.stop();
  });

  const filters: Record<string, object> = {
    'no filter': {},
    category: { category: 'category-7' },
    q: { searchTerms: { $all: ['kettle'] } },
    'category and q': { category: 'category-7', searchTerms: { $all: ['lamp', 'item'] } },
  };

  it.each(Object.entries(filters))(
    '%s: no collection scan, few documents examined',
    async (_shape, filter) => {
      const collection = items.service.connection.collection('items');
      const explained = (await collection
        .find(filter)
        .sort(LIST_SORT)
        .limit(20)
        .explain('executionStats')) as {
        queryPlanner: { winningPlan: unknown };
        executionStats: { totalDocsExamined: number };
      };
      expect(JSON.stringify(explained.queryPlanner.winningPlan)).not.toContain('COLLSCAN');
      expect(explained.executionStats.totalDocsExamined).toBeLessThan(1000);
    },
  );
});
