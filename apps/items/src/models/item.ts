import type { Connection, HydratedDocument, Model } from 'mongoose';
import { Schema } from 'mongoose';
import { searchTerms } from '../search';

export interface Item {
  name: string;
  description: string;
  priceCents: number;
  currency: string;
  category: string;
  stock: number;
  /** A same-origin path such as `/images/items/desk-lamp.svg`; absent when the item has no picture. */
  image?: string;
  /** Derived from the name on every write (see search.ts); never exposed. */
  searchTerms: string[];
  createdAt: Date;
  updatedAt: Date;
}

export type ItemDocument = HydratedDocument<Item>;

const itemSchema = new Schema<Item>(
  {
    name: { type: String, required: true },
    description: { type: String, default: '' },
    priceCents: { type: Number, required: true, min: 0 },
    currency: { type: String, required: true },
    category: { type: String, required: true },
    stock: { type: Number, default: 0, min: 0 },
    image: { type: String },
    searchTerms: { type: [String], default: [] },
  },
  { collection: 'items', timestamps: true, strict: 'throw' },
);

// Every list query sorts by (name, _id), so pages are stable; each filter has an index that
// also serves that order.
itemSchema.index({ name: 1, _id: 1 });
itemSchema.index({ category: 1, name: 1, _id: 1 });
itemSchema.index({ searchTerms: 1, name: 1, _id: 1 });
itemSchema.index({ category: 1, searchTerms: 1, name: 1, _id: 1 });

export function itemModel(connection: Connection): Model<Item> {
  return (connection.models.Item as Model<Item> | undefined) ?? connection.model<Item>('Item', itemSchema);
}

export function withSearchTerms<T extends { name?: string }>(fields: T): T & { searchTerms?: string[] } {
  return fields.name === undefined ? fields : { ...fields, searchTerms: searchTerms(fields.name) };
}
