import type { TestAuth } from '@platform/platform-testing';
import { startTestAuth } from '@platform/platform-testing';
import type { RunningItems } from './support';
import { startItems } from './support';

let auth: TestAuth;
let items: RunningItems;
const catalog: { id: string; name: string; category: string }[] = [];

const NAMES = [
  ['Crème Brûlée Torch', 'kitchen'],
  ['Chef Knife', 'kitchen'],
  ['Paring Knife', 'kitchen'],
  ['Desk Lamp', 'lighting'],
  ['Floor Lamp', 'lighting'],
  ['Lamp Shade', 'lighting'],
  ['Notebook (A5) [dotted]', 'office'],
  ['Pen .* Set', 'office'],
  ['Twin', 'office'],
  ['Twin', 'office'],
  ['Twin', 'office'],
] as const;

beforeAll(async () => {
  auth = await startTestAuth();
  items = await startItems(auth);
  const admin = await auth.adminToken();
  for (const [name, category] of NAMES) {
    const res = await items
      .api()
      .post('/api/items')
      .set('authorization', `Bearer ${admin}`)
      .send({ name, category, priceCents: 100, currency: 'USD' });
    expect(res.status).toBe(201);
    catalog.push(res.body.item as { id: string; name: string; category: string });
  }
});
afterAll(async () => {
  await items.stop();
  await auth.stop();
});

const list = (query: string) => items.api().get(`/api/items${query}`);
const names = (res: { body: { items: { name: string }[] } }) => res.body.items.map((item) => item.name);

describe('GET /api/items', () => {
  it('pages in a stable order (name, then id), with the total', async () => {
    const first = await list('?limit=4');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ page: 1, limit: 4, total: NAMES.length });
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const res = await list(`?limit=4&page=${page}`);
      seen.push(...(res.body.items as { id: string }[]).map((item) => item.id));
    }
    // Every item exactly once, although three share a name.
    expect(seen).toHaveLength(NAMES.length);
    expect(new Set(seen).size).toBe(NAMES.length);
    const expected = [...catalog].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : 1,
    );
    expect(seen).toEqual(expected.map((item) => item.id));
  });

  it('caps limit at 100 and rejects nonsense paging', async () => {
    expect((await list('?limit=500')).body.limit).toBe(100);
    // Beyond the safe integers (2^53) a number cannot be told from its neighbours: refused, as documented.
    for (const query of [
      '?limit=0',
      '?page=0',
      '?page=abc',
      '?limit=-5',
      '?limit=1.5',
      '?limit=9007199254740992',
    ]) {
      const res = await list(query);
      expect([query, res.status]).toEqual([query, 400]);
    }
  });

  it('matches q as plain text: every word starts a word of the name, case and accents ignored', async () => {
    expect(names(await list('?q=LAMP'))).toEqual(['Desk Lamp', 'Floor Lamp', 'Lamp Shade']);
    expect(names(await list('?q=la%20de'))).toEqual(['Desk Lamp']);
    expect(names(await list('?q=creme%20brulee'))).toEqual(['Crème Brûlée Torch']);
    expect(names(await list('?q=knife'))).toEqual(['Chef Knife', 'Paring Knife']);
    expect(names(await list('?q=a5'))).toEqual(['Notebook (A5) [dotted]']);
  });

  it('never evaluates q as a regular expression or an operator', async () => {
    expect((await list('?q=.*')).body).toMatchObject({ items: [], total: 0 });
    expect(names(await list(`?q=${encodeURIComponent('[dotted]')}`))).toEqual(['Notebook (A5) [dotted]']);
    // A catastrophic-backtracking pattern is just the word "a" here.
    expect(names(await list(`?q=${encodeURIComponent('(a+)+$')}`))).toEqual(names(await list('?q=a')));
    const operator = await list('?q[$ne]=x');
    expect(operator.status).toBe(400);
    const repeated = await list('?q=lamp&q=desk');
    expect(repeated.status).toBe(400);
  });

  it('filters by category, alone and with q', async () => {
    const lighting = await list('?category=lighting');
    expect(lighting.body.total).toBe(3);
    expect(names(await list('?category=kitchen&q=knife'))).toEqual(['Chef Knife', 'Paring Knife']);
    expect((await list('?category=office&q=knife')).body.total).toBe(0);
  });

  it('fetches by ids in the order given, leaving out unknown ids', async () => {
    const [a, b] = [catalog[3]!, catalog[0]!];
    const res = await list(`?ids=${b.id},0123456789abcdef01234567,${a.id},${b.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [expect.objectContaining({ id: b.id }), expect.objectContaining({ id: a.id })],
    });
  });

  it('rejects malformed ids, more than 100 ids, and ids mixed with a search', async () => {
    expect((await list('?ids=abc')).status).toBe(400);
    const many = Array.from({ length: 101 }, (_, i) => i.toString(16).padStart(24, '0')).join(',');
    expect((await list(`?ids=${many}`)).status).toBe(400);
    expect((await list(`?ids=${catalog[0]!.id}&q=lamp`)).status).toBe(400);
  });
});

describe('GET /api/items/categories', () => {
  it('lists each category once, alphabetically', async () => {
    const res = await items.api().get('/api/items/categories');
    expect(res.body).toEqual({ categories: ['kitchen', 'lighting', 'office'] });
  });
});
