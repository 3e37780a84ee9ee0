/**
 * The benchmark catalogue: deterministic, believable items written straight through the driver in
 * batches, in exactly the shape the items service stores (its model's fields, search terms from
 * its own function, timestamps and mongoose's version key).
 */
import type { Collection, Db } from 'mongodb';
import { ObjectId } from 'mongodb';
import type { Item } from '@platform/items/dist/models/item';
import { searchTerms } from '@platform/items/dist/search';
import { itemImagePath } from '@platform/items/dist/item-image';

/** An items document as the service stores it: the model's fields plus mongoose's version key. */
export type StoredItem = Item & { _id: ObjectId; __v: number };

const ADJECTIVES = [
  'Compact',
  'Classic',
  'Modern',
  'Rustic',
  'Nordic',
  'Vintage',
  'Smart',
  'Portable',
  'Deluxe',
  'Minimal',
  'Sturdy',
  'Slim',
  'Folding',
  'Handmade',
  'Wireless',
  'Premium',
  'Everyday',
  'Travel',
  'Studio',
  'Outdoor',
];
const MATERIALS = [
  'Oak',
  'Walnut',
  'Bamboo',
  'Steel',
  'Brass',
  'Linen',
  'Wool',
  'Ceramic',
  'Glass',
  'Leather',
  'Cotton',
  'Copper',
];
const PRODUCTS: [string, string][] = [
  ['Lamp', 'lighting'],
  ['Pendant Shade', 'lighting'],
  ['Lantern', 'lighting'],
  ['Kettle', 'kitchen'],
  ['Skillet', 'kitchen'],
  ['Mug', 'kitchen'],
  ['Cutting Board', 'kitchen'],
  ['Knife', 'kitchen'],
  ['Notebook', 'office'],
  ['Fountain Pen', 'office'],
  ['Desk Organiser', 'office'],
  ['Monitor Stand', 'office'],
  ['Speaker', 'audio'],
  ['Headphones', 'audio'],
  ['Turntable', 'audio'],
  ['Backpack', 'outdoors'],
  ['Hammock', 'outdoors'],
  ['Water Bottle', 'outdoors'],
  ['Throw Blanket', 'home'],
  ['Cushion Cover', 'home'],
  ['Vase', 'home'],
  ['Candle', 'home'],
  ['Wall Clock', 'home'],
  ['Shelf', 'home'],
  ['Armchair', 'home'],
];

/**
 * Two words, so the query has two terms (`$all` over both); one item in 300 matches, so a
 * catalogue of 6,000 items or more fills a page of 20.
 */
export const SEARCH_QUERY = 'oak lamp';

/** Catalogue positions of the quote's lines: five categories, lighting among them (its automatic discount competes with the code). */
export const QUOTE_POSITIONS = [0, 3, 8, 12, 18] as const;

/** Item number `index` (0-based): product varies fastest, then material, then adjective. */
export function catalogItem(index: number, now: Date): StoredItem {
  const [product, category] = PRODUCTS[index % PRODUCTS.length]!;
  const material = MATERIALS[Math.floor(index / PRODUCTS.length) % MATERIALS.length]!;
  const adjective = ADJECTIVES[Math.floor(index / (PRODUCTS.length * MATERIALS.length)) % ADJECTIVES.length]!;
  const name = `${adjective} ${material} ${product} ${index + 1}`;
  return {
    _id: new ObjectId(),
    name,
    description: `${adjective} ${product.toLowerCase()} in ${material.toLowerCase()}.`,
    priceCents: 500 + ((index * 7919) % 20_000),
    currency: 'EUR',
    category,
    stock: index % 50,
    image: itemImagePath(name),
    searchTerms: searchTerms(name),
    createdAt: now,
    updatedAt: now,
    __v: 0,
  };
}

export const itemsCollection = (db: Db): Collection<StoredItem> => db.collection<StoredItem>('items');

/**
 * Inserts items `from` .. `to - 1` in unordered batches; returns the ids of the positions asked
 * for in `keep` (for the cases that need real ids).
 */
export async function insertCatalog(
  items: Collection<StoredItem>,
  range: { from: number; to: number },
  options: { batchSize?: number; keep?: readonly number[]; signal?: AbortSignal } = {},
): Promise<Map<number, string>> {
  const batchSize = options.batchSize ?? 1000;
  const keep = new Set(options.keep ?? []);
  const kept = new Map<number, string>();
  const now = new Date();
  for (let start = range.from; start < range.to; start += batchSize) {
    options.signal?.throwIfAborted();
    const batch: StoredItem[] = [];
    for (let index = start; index < Math.min(range.to, start + batchSize); index++) {
      const item = catalogItem(index, now);
      if (keep.has(index)) kept.set(index, item._id.toHexString());
      batch.push(item);
    }
    await items.insertMany(batch, { ordered: false });
  }
  return kept;
}
