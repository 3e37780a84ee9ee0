import type { TestAuth } from '@platform/platform-testing';
import { startTestAuth } from '@platform/platform-testing';
import type { RunningService } from './support';
import { startDiscounts, TestClock } from './support';

let auth: TestAuth;
let discounts: RunningService;
let admin: string;
let user: string;

interface Listed {
  id: string;
  code?: string;
  description: string;
  createdAt: string;
}
/** Every discount created here, newest first, then by id (the list's order). */
let all: Listed[];
const byName: Record<string, Listed> = {};

const SEARCHABLE = {
  summer10: { code: 'SUMMER-10', description: 'Summer sale on lamps' },
  summer20: { code: 'SUMMER-20', description: 'Bigger summer sale' },
  winter: { description: 'Winter clearance (outlet) [final]' },
  creme: { code: 'WELCOME', description: 'Crème brûlée week' },
  lamps: { code: 'LAMPS-5', description: 'Five off every lamp' },
};
const FILLERS = 20;

beforeAll(async () => {
  auth = await startTestAuth();
  discounts = await startDiscounts(auth, 'http://127.0.0.1:9', new TestClock());
  [admin, user] = await Promise.all([auth.adminToken(), auth.userToken()]);
  const create = async (fields: object) => {
    const res = await discounts
      .api()
      .post('/api/discounts')
      .set('authorization', `Bearer ${admin}`)
      .send({ percentOff: 5, appliesTo: { type: 'all' }, ...fields });
    expect(res.status).toBe(201);
    return res.body.discount as Listed;
  };
  for (let i = 0; i < FILLERS; i++) byName[`filler${i}`] = await create({ description: `Filler ${i}` });
  for (const [name, fields] of Object.entries(SEARCHABLE)) byName[name] = await create(fields);
  // Several discounts created in the same instant: the id alone orders them, and paging must
  // still neither repeat nor skip one.
  const tied = new Date('2026-03-01T00:00:00Z');
  await discounts.service.connection.collection('discounts').updateMany(
    { description: { $in: ['Filler 3', 'Filler 4', 'Filler 5', 'Filler 6', 'Filler 7'] } },
    {
      $set: { createdAt: tied },
    },
  );
  for (const i of [3, 4, 5, 6, 7]) byName[`filler${i}`]!.createdAt = tied.toISOString();
  all = Object.values(byName).sort((a, b) =>
    a.createdAt !== b.createdAt ? (a.createdAt < b.createdAt ? 1 : -1) : a.id < b.id ? 1 : -1,
  );
});
afterAll(async () => {
  await discounts.stop();
  await auth.stop();
});

const list = (query = '', token = admin) =>
  discounts.api().get(`/api/discounts${query}`).set('authorization', `Bearer ${token}`);
const ids = (res: { body: { discounts: { id: string }[] } }) => res.body.discounts.map((d) => d.id);
const idsOf = (...names: (keyof typeof SEARCHABLE)[]) =>
  all.filter((d) => names.some((name) => byName[name]!.id === d.id)).map((d) => d.id);

describe('GET /api/discounts: pages', () => {
  it('answers the first page with the defaults: page 1, limit 20, the total, newest first', async () => {
    const res = await list();
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['discounts', 'limit', 'page', 'total']);
    expect(res.body).toMatchObject({ page: 1, limit: 20, total: all.length });
    expect(ids(res)).toEqual(all.slice(0, 20).map((d) => d.id));
    expect(res.body.discounts[0]).toEqual({
      id: byName.lamps!.id,
      code: 'LAMPS-5',
      description: 'Five off every lamp',
      percentOff: 5,
      appliesTo: { type: 'all' },
      active: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it.each([4, 7, 10, 20])(
    'pages with limit %i are disjoint and together cover every discount in order',
    async (limit) => {
      const seen: string[] = [];
      const pages = Math.ceil(all.length / limit);
      for (let page = 1; page <= pages; page++) {
        const res = await list(`?page=${page}&limit=${limit}`);
        expect(res.body).toMatchObject({ page, limit, total: all.length });
        expect(res.body.discounts.length).toBe(Math.min(limit, all.length - (page - 1) * limit));
        seen.push(...ids(res));
      }
      expect(seen).toEqual(all.map((d) => d.id));
      expect(new Set(seen).size).toBe(all.length);
    },
  );

  it('answers a page past the end with an empty list and the total', async () => {
    for (const page of [4, 100_000]) {
      const res = await list(`?page=${page}&limit=10`);
      expect([res.status, res.body]).toEqual([200, { discounts: [], page, limit: 10, total: all.length }]);
    }
  });

  it('serves a limit above 100 as 100', async () => {
    const res = await list('?limit=500');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ page: 1, limit: 100, total: all.length });
    expect(ids(res)).toEqual(all.map((d) => d.id));
    expect((await list('?limit=100')).body.limit).toBe(100);
    expect((await list('?limit=9007199254740991')).body.limit).toBe(100);
  });

  it.each([
    '?limit=0',
    '?limit=-5',
    '?limit=1.5',
    '?limit=abc',
    '?limit=',
    '?limit=9007199254740992',
    '?page=0',
    '?page=-1',
    '?page=abc',
    '?page=1.5',
    '?page=100001',
    '?page=1&page=2',
    '?unknown=1',
    `?q=${'a'.repeat(201)}`,
    '?q=a&q=b',
    '?q[$ne]=x',
  ])('refuses %s with 400 about the query', async (query) => {
    const res = await list(query);
    expect([query, res.status, res.body.error.code]).toEqual([query, 400, 'VALIDATION_FAILED']);
    expect(res.body.error.details[0].location).toBe('query');
  });
});

describe('GET /api/discounts: search', () => {
  it('matches every word of q against the starts of the words of code and description, case ignored', async () => {
    expect(ids(await list('?q=summer'))).toEqual(idsOf('summer10', 'summer20'));
    expect(ids(await list('?q=SUMMER%20Sale'))).toEqual(idsOf('summer10', 'summer20'));
    expect(ids(await list('?q=summer%20lamps'))).toEqual(idsOf('summer10'));
    expect(ids(await list('?q=lamp'))).toEqual(idsOf('summer10', 'lamps'));
    expect(ids(await list('?q=20'))).toEqual(idsOf('summer20'));
    expect(ids(await list('?q=summer-10'))).toEqual(idsOf('summer10'));
    expect(ids(await list('?q=welc'))).toEqual(idsOf('creme'));
    expect(ids(await list('?q=mmer'))).toEqual([]);
    expect(ids(await list('?q=summer%20winter'))).toEqual([]);
  });

  it('ignores case beyond ASCII', async () => {
    expect(ids(await list(`?q=${encodeURIComponent('CRÈME')}`))).toEqual(idsOf('creme'));
    expect(ids(await list(`?q=${encodeURIComponent('brûlée')}`))).toEqual(idsOf('creme'));
  });

  it('pages the matches and counts them all', async () => {
    const fillers = all.filter((d) => d.description.startsWith('Filler')).map((d) => d.id);
    const first = await list('?q=filler&limit=8');
    expect(first.body).toMatchObject({ page: 1, limit: 8, total: FILLERS });
    const rest = [await list('?q=filler&limit=8&page=2'), await list('?q=filler&limit=8&page=3')];
    expect([...ids(first), ...rest.flatMap(ids)]).toEqual(fillers);
    expect((await list('?q=filler&limit=8&page=4')).body).toEqual({
      discounts: [],
      page: 4,
      limit: 8,
      total: FILLERS,
    });
  });

  it('never evaluates q as a regular expression or an operator', async () => {
    expect((await list('?q=.*')).body).toEqual({ discounts: [], page: 1, limit: 20, total: 0 });
    expect((await list(`?q=${encodeURIComponent('^$|()[]\\')}`)).body.total).toBe(0);
    expect(ids(await list(`?q=${encodeURIComponent('[final]')}`))).toEqual(idsOf('winter'));
    expect(ids(await list(`?q=${encodeURIComponent('(outlet)')}`))).toEqual(idsOf('winter'));
    // A catastrophic-backtracking pattern is just the word "a" here.
    expect(ids(await list(`?q=${encodeURIComponent('(a+)+$')}`))).toEqual(ids(await list('?q=a')));
    expect((await list(`?q=${encodeURIComponent('\u0000')}`)).body.total).toBe(0);
  });

  it('treats a blank q as no search', async () => {
    const res = await list('?q=%20%20');
    expect(res.body).toMatchObject({ total: all.length });
  });
});

describe('GET /api/discounts: admins only', () => {
  it('answers 401 without a token and 403 for a non-admin, before looking at the query', async () => {
    const anonymous = await discounts.api().get('/api/discounts?q=summer');
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'UNAUTHORIZED']);
    const forbidden = await list('?page=2', user);
    expect([forbidden.status, forbidden.body.error.code]).toEqual([403, 'FORBIDDEN']);
    expect((await list('?page=0', user)).status).toBe(403);
    expect((await discounts.api().get('/api/discounts?limit=abc')).status).toBe(401);
  });
});

describe('GET /api/discounts/openapi.json: the list', () => {
  it('documents q, page and limit, and the page it answers', async () => {
    const res = await discounts.api().get('/api/discounts/openapi.json');
    const operation = res.body.paths['/api/discounts'].get;
    expect(operation.security).toEqual([{ bearer: [] }]);
    expect(operation.parameters).toEqual([
      expect.objectContaining({
        name: 'q',
        in: 'query',
        required: false,
        schema: { type: 'string', maxLength: 200 },
      }),
      expect.objectContaining({
        name: 'page',
        required: false,
        schema: expect.objectContaining({ type: 'integer', minimum: 1, maximum: 100_000, default: 1 }),
      }),
      expect.objectContaining({
        name: 'limit',
        required: false,
        schema: expect.objectContaining({ type: 'integer', minimum: 1, default: 20 }),
      }),
    ]);
    const page = operation.responses['200'].content['application/json'].schema;
    expect(page.required).toEqual(expect.arrayContaining(['discounts', 'page', 'limit', 'total']));
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403']));
  });
});
