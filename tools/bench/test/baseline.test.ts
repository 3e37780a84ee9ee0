/**
 * The baseline serves "the same query": on one small seeded database, it answers every list,
 * search and get-by-id request exactly as the real items service does (same items, same order,
 * same totals), and /me and the quote as auth and discounts do. Also checks the bench's own case
 * definitions against real answers, and that every process it starts is gone after stopAll.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { dropDatabase, testDatabaseUrl } from '@platform/devstack';
import { searchTerms } from '@platform/items/dist/search';
import { hotPathCases } from '../src/cases';
import { catalogItem, insertCatalog, itemsCollection, QUOTE_POSITIONS, SEARCH_QUERY } from '../src/catalog';
import { probeOnce } from '../src/load';
import { RssWatch } from '../src/memory';
import type { BenchPlatform, RunningBaseline, SigningKey } from '../src/platform';
import {
  createDiscounts,
  generateSigningKey,
  login,
  QUOTE_CODE,
  startBaselineProcess,
  startPlatform,
} from '../src/platform';
import { ProcessGroup } from '../src/processes';
import { probeProblems } from '../src/run';

jest.setTimeout(180_000);

const CATALOG = 700;
const admin = { email: 'bench-admin@example.com', password: randomBytes(12).toString('base64url') };
const urls = {
  auth: testDatabaseUrl('bench_auth'),
  items: testDatabaseUrl('bench_items'),
  discounts: testDatabaseUrl('bench_discounts'),
};
const group = new ProcessGroup();
let platform: BenchPlatform;
let baseline: RunningBaseline;
let key: SigningKey;
let token: string;
const ids = new Map<number, string>();

beforeAll(async () => {
  const client = new MongoClient(urls.items);
  try {
    const items = itemsCollection(client.db());
    for (const [position, id] of await insertCatalog(
      items,
      { from: 0, to: CATALOG },
      { batchSize: 250, keep: [...QUOTE_POSITIONS, 100, 350, 699] },
    )) {
      ids.set(position, id);
    }
    // Names shared by several items (order then rests on _id) and accents (search ignores them).
    const now = new Date();
    await items.insertMany(
      ['Twin Lamp', 'Twin Lamp', 'Twin Lamp', 'Crème Brûlée Torch'].map((name, i) => ({
        ...catalogItem(CATALOG + i, now),
        name,
        searchTerms: searchTerms(name),
      })),
    );
  } finally {
    await client.close();
  }
  key = generateSigningKey();
  platform = await startPlatform(group, urls, key, admin);
  token = await login(platform.auth, admin);
  await createDiscounts(platform.discounts, token);
  baseline = await startBaselineProcess(group, 'baseline', urls, key.publicKeyPem);
});

afterAll(async () => {
  const pids = group.names.length;
  await group.stopAll();
  expect(group.names).toEqual([]);
  expect(pids).toBeGreaterThan(0);
  await Promise.all(Object.values(urls).map((url) => dropDatabase(url)));
});

async function both(
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  const request = {
    method: (init.method ?? 'GET') as 'GET' | 'POST',
    paths: [path],
    headers: init.headers ?? {},
    ...(init.body === undefined ? {} : { body: init.body }),
  };
  const service = path.startsWith('/api/auth')
    ? platform.auth.api
    : path.startsWith('/api/discounts')
      ? platform.discounts.api
      : platform.items.api;
  const [fromService, fromBaseline] = [
    await probeOnce(service, request),
    await probeOnce(baseline.url, request),
  ];
  return { service: fromService, baseline: fromBaseline };
}

const itemIds = (body: unknown) => (body as { items: { id: string }[] }).items.map((item) => item.id);

describe('the baseline answers as the items service does', () => {
  it.each([
    ['/api/items?limit=20', 20],
    ['/api/items?limit=7&page=3', 7],
    ['/api/items?limit=100&page=8', 4],
    ['/api/items?limit=500', 100],
    [`/api/items?q=${encodeURIComponent(SEARCH_QUERY)}&limit=20`, 3],
    ['/api/items?q=LAMP&limit=50', 31],
    ['/api/items?q=twin', 3],
    ['/api/items?q=creme%20brulee', 1],
    ['/api/items?q=wal%20pen&limit=5&page=2', 1],
    ['/api/items?category=lighting&limit=15&page=2', 15],
    ['/api/items?category=audio&q=speaker', 20],
  ])('GET %s: the same %i items in the same order, the same total', async (path, expected) => {
    const { service, baseline: base } = await both(path);
    expect(service.status).toBe(200);
    expect(base.status).toBe(200);
    expect(itemIds(service.body)).toHaveLength(expected);
    expect(itemIds(base.body)).toEqual(itemIds(service.body));
    expect(base.body).toEqual(service.body);
  });

  it('orders items that share a name by id', async () => {
    const { service, baseline: base } = await both('/api/items?q=twin%20lamp');
    const twins = itemIds(service.body);
    expect(twins).toHaveLength(3);
    expect(twins).toEqual([...twins].sort());
    expect(itemIds(base.body)).toEqual(twins);
  });

  it('answers text without letters or digits, and an unmatched word, with an empty page', async () => {
    for (const path of ['/api/items?q=.*', '/api/items?q=zzzz']) {
      const { service, baseline: base } = await both(path);
      expect(service.body).toMatchObject({ items: [], total: 0 });
      expect(base.body).toEqual(service.body);
    }
  });

  it('GET /api/items/:id: the same item, and the same 404 for an unknown id', async () => {
    for (const position of [0, 100, 350, 699]) {
      const { service, baseline: base } = await both(`/api/items/${ids.get(position)!}`);
      expect(service.status).toBe(200);
      expect((service.body as { item: { id: string } }).item.id).toBe(ids.get(position));
      expect(base.body).toEqual(service.body);
    }
    const unknown = await both('/api/items/5eed0000000000000000ffff');
    expect([unknown.service.status, unknown.baseline.status]).toEqual([404, 404]);
  });
});

describe('the baseline answers /me and the quote as auth and discounts do', () => {
  it('GET /api/auth/me: the same user for the same token, and 401 without one', async () => {
    const { service, baseline: base } = await both('/api/auth/me', {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(service.status).toBe(200);
    expect(service.body).toMatchObject({
      user: { email: admin.email, roles: expect.arrayContaining(['admin']) },
    });
    expect(base.body).toEqual(service.body);
    const forged = `${token.slice(0, -4)}AAAA`;
    const refused = await both('/api/auth/me', { headers: { authorization: `Bearer ${forged}` } });
    expect([refused.service.status, refused.baseline.status]).toEqual([401, 401]);
  });

  it('POST /api/discounts/quote: the same lines, discounts and totals', async () => {
    const body = JSON.stringify({
      lines: QUOTE_POSITIONS.map((position, i) => ({ itemId: ids.get(position)!, quantity: i + 1 })),
      code: QUOTE_CODE.toLowerCase(),
    });
    const { service, baseline: base } = await both('/api/discounts/quote', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(service.status).toBe(200);
    const quote = service.body as { appliedDiscounts: { code: string | null }[]; discountCents: number };
    expect(quote.appliedDiscounts.map((discount) => discount.code).sort()).toEqual([QUOTE_CODE, null]);
    expect(quote.discountCents).toBeGreaterThan(0);
    expect(base.body).toEqual(service.body);
  });
});

describe("the bench's cases", () => {
  it('each gets the answer it means to measure, and the same one from the baseline', async () => {
    const cases = hotPathCases({
      items: { url: platform.items.api, process: platform.items.name },
      auth: { url: platform.auth.api, process: platform.auth.name },
      discounts: { url: platform.discounts.api, process: platform.discounts.name },
      itemCount: CATALOG + 4,
      itemIds: [100, 350, 699].map((position) => ids.get(position)!),
      quoteItemIds: QUOTE_POSITIONS.map((position) => ids.get(position)!),
      quoteCode: QUOTE_CODE,
      token,
      adminEmail: admin.email,
    });
    expect(cases.map((benchCase) => benchCase.id)).toEqual(['list', 'search', 'item', 'me', 'quote']);
    for (const benchCase of cases) {
      const service = await probeOnce(benchCase.service.url, benchCase.request);
      const base = await probeOnce(baseline.url, benchCase.request);
      expect([benchCase.id, probeProblems(service, base, benchCase.check)]).toEqual([benchCase.id, []]);
    }
  });

  it("a case's check refuses an answer that is not what it measures", () => {
    const [list] = hotPathCases({
      items: { url: '', process: 'items' },
      auth: { url: '', process: 'auth' },
      discounts: { url: '', process: 'discounts' },
      itemCount: 50,
      itemIds: ['a'],
      quoteItemIds: [],
      quoteCode: QUOTE_CODE,
      token: 't',
      adminEmail: admin.email,
    });
    expect(list!.check({ items: [], total: 50 })).toBe('expected a page of 20 items, got 0');
    expect(
      probeProblems({ status: 200, body: { a: 1 } }, { status: 200, body: { a: 2 } }, () => undefined)[0],
    ).toMatch(/^the baseline answered differently from the service/);
    expect(probeProblems({ status: 503, body: 'down' }, { status: 200, body: {} }, () => undefined)).toEqual([
      'the service answered 503: down',
    ]);
  });
});

describe('memory', () => {
  it("reads each bench process's peak resident memory", async () => {
    const watch = new RssWatch([
      { name: 'baseline', pid: baseline.process.pid },
      { name: 'items', pid: platform.items.process.pid },
    ]);
    await probeOnce(platform.items.api, { method: 'GET', paths: ['/api/items?limit=100'], headers: {} });
    const peaks = watch.stop();
    for (const name of ['baseline', 'items']) {
      expect(peaks[name]!.bytes).toBeGreaterThan(10 * 1024 * 1024);
      expect(['hwm-window', 'polled']).toContain(peaks[name]!.method);
    }
  });
});
