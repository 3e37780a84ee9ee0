import { mongoUrl, runSeed } from '@platform/service-kit';
import { z } from 'zod';
import { itemModel, withSearchTerms } from './models/item';
import { DEMO_CATALOG } from './seed-catalog';

/** Adds the demo catalog; an item that exists by name is left exactly as it is. */
runSeed('items', z.object({ MONGO_URL: mongoUrl() }), async (connection) => {
  const items = itemModel(connection);
  await items.createIndexes();
  let created = 0;
  const now = new Date();
  for (const [name, category, priceCents, description] of DEMO_CATALOG) {
    // Timestamps only on insert: mongoose's automatic updatedAt would touch existing items.
    const result = await items.updateOne(
      { name },
      {
        $setOnInsert: {
          ...withSearchTerms({ name, category, priceCents, description, currency: 'EUR', stock: 25 }),
          createdAt: now,
          updatedAt: now,
        },
      },
      { upsert: true, timestamps: false },
    );
    created += result.upsertedCount;
  }
  return `${created} items created, ${DEMO_CATALOG.length - created} already there`;
});
