import mongoose from 'mongoose';
import { itemModel } from '@platform/items/dist/models/item';
import { queryTerms, searchTerms } from '@platform/items/dist/search';
import { catalogItem, QUOTE_POSITIONS, SEARCH_QUERY } from '../src/catalog';
import { spreadPositions } from '../src/run';

describe('catalogItem', () => {
  const connection = mongoose.createConnection();
  afterAll(() => connection.close());

  it('has exactly the fields the items model stores, and passes its validation', async () => {
    const Item = itemModel(connection);
    const stored = catalogItem(41, new Date('2024-01-01T00:00:00Z'));
    expect(Object.keys(stored).sort()).toEqual(Object.keys(Item.schema.paths).sort());
    await expect(new Item(stored).validate()).resolves.toBeUndefined();
    expect(stored.searchTerms).toEqual(searchTerms(stored.name));
    expect(stored.currency).toBe('EUR');
  });

  it('is deterministic apart from the id', () => {
    const now = new Date();
    const { _id: first, ...a } = catalogItem(7, now);
    const { _id: second, ...b } = catalogItem(7, now);
    expect(a).toEqual(b);
    expect(first.equals(second)).toBe(false);
  });

  it('matches the search query once in 300 items, so 10,000 fill a page', () => {
    const terms = queryTerms(SEARCH_QUERY);
    expect(terms).toHaveLength(2);
    const matches = Array.from({ length: 3000 }, (_, i) => catalogItem(i, new Date())).filter((item) =>
      terms.every((term) => item.searchTerms.includes(term)),
    );
    expect(matches).toHaveLength(10);
  });

  it('prices the quote from five categories, one of them lighting (the automatic discount)', () => {
    const categories = QUOTE_POSITIONS.map((position) => catalogItem(position, new Date()).category);
    expect(new Set(categories).size).toBe(5);
    expect(categories).toContain('lighting');
  });
});

describe('spreadPositions', () => {
  it('spreads the get-by-id samples evenly over the catalogue', () => {
    expect(spreadPositions(10_000)).toHaveLength(100);
    expect(spreadPositions(10_000).slice(0, 3)).toEqual([50, 150, 250]);
    expect(spreadPositions(10_000).at(-1)).toBe(9950);
    expect(spreadPositions(40)).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });
});
