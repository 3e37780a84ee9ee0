import { z } from 'zod';
import { DEFAULT_LIMIT, MAX_LIMIT, MAX_PAGE, pagingQuery } from '../src';

const Query = z.strictObject(pagingQuery());

describe('pagingQuery', () => {
  it('defaults to the first page of 20', () => {
    expect(Query.parse({})).toEqual({ page: 1, limit: DEFAULT_LIMIT });
    expect(DEFAULT_LIMIT).toBe(20);
  });

  it(`serves a limit above ${MAX_LIMIT} as ${MAX_LIMIT}, and takes pages up to ${MAX_PAGE}`, () => {
    expect(Query.parse({ page: '3', limit: '7' })).toEqual({ page: 3, limit: 7 });
    expect(Query.parse({ limit: '101' }).limit).toBe(MAX_LIMIT);
    expect(Query.parse({ limit: String(Number.MAX_SAFE_INTEGER) }).limit).toBe(MAX_LIMIT);
    expect(Query.parse({ page: String(MAX_PAGE) }).page).toBe(MAX_PAGE);
  });

  it.each([
    { limit: '0' },
    { limit: '-1' },
    { limit: '1.5' },
    { limit: '' },
    { limit: '9007199254740992' },
    { page: '0' },
    { page: String(MAX_PAGE + 1) },
    { page: 'abc' },
    { page: ['1', '2'] },
  ])('refuses %j', (query) => {
    expect(Query.safeParse(query).success).toBe(false);
  });
});
