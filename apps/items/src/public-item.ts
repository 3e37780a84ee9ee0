import type { Item } from './models/item';

// Free of mongoose, so that a client of the stored documents (the benchmark's baseline) shows an
// item exactly as the service does.

/** What the API shows of an item: no search terms, ISO dates, `image` only when it has one. */
export type PublicItem = Omit<Item, 'searchTerms' | 'createdAt' | 'updatedAt'> & {
  id: string;
  createdAt: string;
  updatedAt: string;
};

export function toPublicItem(item: Item & { _id: { toString(): string } }): PublicItem {
  return {
    id: item._id.toString(),
    name: item.name,
    description: item.description,
    priceCents: item.priceCents,
    currency: item.currency,
    category: item.category,
    stock: item.stock,
    ...(item.image ? { image: item.image } : {}),
    createdAt: item.createdAt.toISOString(),
    updatedAt: item.updatedAt.toISOString(),
  };
}
