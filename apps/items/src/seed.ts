import { mongoUrl, runSeed } from '@platform/service-kit';
import { z } from 'zod';
import { itemImagePath } from './item-image';
import { itemModel, withSearchTerms } from './models/item';
import { DEMO_CATALOG } from './seed-catalog';

/**
 * Adds the demo catalog, each item with its picture (`itemImagePath`). An item that exists by name
 * is left exactly as it is: a picture an admin changed or removed stays so, and an item seeded
 * before pictures existed stays without one until an admin sets it.
 */
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
          ...withSearchTerms({
            name,
            category,
            priceCents,
            description,
            currency: 'EUR',
            stock: 25,
            image: itemImagePath(name),
          }),
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
