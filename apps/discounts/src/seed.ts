import { Types } from 'mongoose';
import { z } from 'zod';
import { mongoUrl, runSeed } from '@platform/service-kit';
import { codeKeyFor, discountModel } from './models/discount';

// A fixed id makes the automatic discount's seed idempotent (it has no code to find it by).
const KITCHEN_SALE_ID = new Types.ObjectId('5eed00000000000000000001');

const DEMO_DISCOUNTS = [
  {
    _id: KITCHEN_SALE_ID,
    code: null,
    description: 'Kitchen week: 15% off everything for the kitchen',
    percentOff: 15,
    appliesTo: { type: 'category', category: 'kitchen' },
    active: true,
  },
  {
    _id: new Types.ObjectId('5eed00000000000000000002'),
    code: 'WELCOME10',
    description: 'Welcome: 10% off your order',
    percentOff: 10,
    appliesTo: { type: 'all' },
    active: true,
  },
] as const;

/** Adds one automatic and one code discount; existing ones are left exactly as they are. */
runSeed('discounts', z.object({ MONGO_URL: mongoUrl() }), async (connection) => {
  const discounts = discountModel(connection);
  await discounts.createIndexes();
  let created = 0;
  const now = new Date();
  for (const discount of DEMO_DISCOUNTS) {
    const codeKey = codeKeyFor(discount.code, discount._id);
    // Timestamps only on insert: mongoose's automatic updatedAt would touch existing discounts.
    const result = await discounts.updateOne(
      { codeKey },
      { $setOnInsert: { ...discount, codeKey, createdAt: now, updatedAt: now } },
      { upsert: true, timestamps: false },
    );
    created += result.upsertedCount;
  }
  return `${created} discounts created, ${DEMO_DISCOUNTS.length - created} already there`;
});
