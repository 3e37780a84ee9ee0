import type { TestAuth } from '@platform/platform-testing';
import { startTestAuth } from '@platform/platform-testing';
import { openApiDocument } from '../src/openapi';
import type { RunningService } from './support';
import { startDiscounts, TestClock } from './support';

let auth: TestAuth;
let discounts: RunningService;
let admin: string;
let user: string;
const clock = new TestClock();

beforeAll(async () => {
  auth = await startTestAuth();
  // Items is not needed for rule management; quotes are tested in quote.test.ts.
  discounts = await startDiscounts(auth, 'http://127.0.0.1:9', clock);
  [admin, user] = await Promise.all([auth.adminToken(), auth.userToken()]);
});
afterAll(async () => {
  await discounts.stop();
  await auth.stop();
});

const create = (body: object, token = admin) =>
  discounts.api().post('/api/discounts').set('authorization', `Bearer ${token}`).send(body);
const patch = (id: string, body: object, token = admin) =>
  discounts.api().patch(`/api/discounts/${id}`).set('authorization', `Bearer ${token}`).send(body);
const summer = { description: 'Summer sale', percentOff: 10, appliesTo: { type: 'all' } };

describe('admin CRUD', () => {
  it('creates a discount, upper-casing its code, and leaves absent fields out', async () => {
    const res = await create({
      code: 'welcome-10',
      description: 'Welcome',
      amountOffCents: 500,
      appliesTo: { type: 'category', category: 'Kitchen' },
      startsAt: '2026-01-01T00:00:00Z',
    });
    expect(res.status).toBe(201);
    expect(res.body.discount).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      code: 'WELCOME-10',
      description: 'Welcome',
      amountOffCents: 500,
      appliesTo: { type: 'category', category: 'kitchen' },
      startsAt: '2026-01-01T00:00:00.000Z',
      active: true,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
  });

  it('allows many automatic discounts but each code once (409 CODE_TAKEN, any case)', async () => {
    expect((await create(summer)).status).toBe(201);
    expect((await create(summer)).status).toBe(201);
    expect((await create({ ...summer, code: 'ONCE-ONLY' })).status).toBe(201);
    const again = await create({ ...summer, code: 'once-only' });
    expect([again.status, again.body.error.code]).toEqual([409, 'CODE_TAKEN']);
  });

  it.each([
    ['both percentOff and amountOffCents', { percentOff: 10, amountOffCents: 100 }, 'percentOff'],
    ['neither percentOff nor amountOffCents', { percentOff: undefined }, 'percentOff'],
    ['percentOff above 100', { percentOff: 101 }, 'percentOff'],
    ['percentOff of 0', { percentOff: 0 }, 'percentOff'],
    ['a fractional percentOff', { percentOff: 12.5 }, 'percentOff'],
    ['amountOffCents of 0', { percentOff: undefined, amountOffCents: 0 }, 'amountOffCents'],
    ['a code with spaces', { code: 'TWO WORDS' }, 'code'],
    ['a code too short', { code: 'AB' }, 'code'],
    [
      'an end before the start',
      { startsAt: '2026-07-01T00:00:00Z', endsAt: '2026-06-01T00:00:00Z' },
      'endsAt',
    ],
    ['an unparseable date', { startsAt: 'next tuesday' }, 'startsAt'],
    ['an unparseable end after a valid start', { startsAt: '2026-07-01T00:00:00Z', endsAt: 'AAA' }, 'endsAt'],
    ['an unknown scope', { appliesTo: { type: 'everything' } }, 'appliesTo.type'],
    ['a scope missing its category', { appliesTo: { type: 'category' } }, 'appliesTo.category'],
    ['item ids that are not ids', { appliesTo: { type: 'items', itemIds: ['x'] } }, 'appliesTo.itemIds.0'],
    ['an operator object', { description: { $gt: '' } }, 'description'],
  ])('rejects %s with 400 and stores nothing', async (_case, change, field) => {
    const before = await discounts.service.connection.collection('discounts').countDocuments();
    const res = await create({ ...summer, ...change });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: field })]),
    );
    expect(await discounts.service.connection.collection('discounts').countDocuments()).toBe(before);
  });

  it('answers 401 without a token and 403 for a non-admin, on every admin route', async () => {
    const created = (await create(summer)).body.discount as { id: string };
    expect((await discounts.api().post('/api/discounts').send(summer)).status).toBe(401);
    expect((await create(summer, user)).status).toBe(403);
    expect((await discounts.api().get('/api/discounts').set('authorization', `Bearer ${user}`)).status).toBe(
      403,
    );
    expect((await patch(created.id, { active: false }, user)).status).toBe(403);
    expect(
      (await discounts.api().delete(`/api/discounts/${created.id}`).set('authorization', `Bearer ${user}`))
        .status,
    ).toBe(403);
  });

  it('patches a discount, switching it from percent to amount', async () => {
    const created = (await create({ ...summer, code: 'SWITCH-ME' })).body.discount as { id: string };
    const res = await patch(created.id, { percentOff: null, amountOffCents: 250, code: 'switched' });
    expect(res.status).toBe(200);
    expect(res.body.discount).toMatchObject({ code: 'SWITCHED', amountOffCents: 250 });
    expect(res.body.discount).not.toHaveProperty('percentOff');
  });

  it('refuses a patch whose result would be invalid, and keeps the discount as it was', async () => {
    const created = (await create(summer)).body.discount as { id: string };
    const res = await patch(created.id, { amountOffCents: 100 });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0]).toMatchObject({ path: 'percentOff' });
    const list = await discounts.api().get('/api/discounts').set('authorization', `Bearer ${admin}`);
    expect(list.body.discounts.find((d: { id: string }) => d.id === created.id)).toMatchObject({
      percentOff: 10,
    });
    expect((await patch(created.id, {})).status).toBe(400);
    expect((await patch('0123456789abcdef01234567', { active: false })).status).toBe(404);
    expect((await patch('nope', { active: false })).status).toBe(400);
  });

  it('refuses a patch to a code another discount has', async () => {
    await create({ ...summer, code: 'TAKEN-CODE' });
    const other = (await create(summer)).body.discount as { id: string };
    const res = await patch(other.id, { code: 'taken-code' });
    expect([res.status, res.body.error.code]).toEqual([409, 'CODE_TAKEN']);
  });

  it('deletes (204), then 404', async () => {
    const created = (await create(summer)).body.discount as { id: string };
    const del = () =>
      discounts.api().delete(`/api/discounts/${created.id}`).set('authorization', `Bearer ${admin}`);
    expect((await del()).status).toBe(204);
    expect((await del()).status).toBe(404);
  });
});

describe('GET /api/discounts/active', () => {
  it('lists only automatic discounts in force now, never code discounts', async () => {
    const mark = `marker-${Date.now()}`;
    const make = async (fields: object) =>
      ((await create({ ...summer, description: mark, ...fields })).body.discount as { id: string }).id;
    const running = await make({});
    const windowed = await make({ startsAt: '2026-06-01T00:00:00Z', endsAt: '2026-07-01T00:00:00Z' });
    await make({ code: 'CODE-ONLY-1' });
    await make({ active: false });
    await make({ startsAt: '2026-06-16T00:00:00Z' });
    await make({ endsAt: '2026-06-15T12:00:00Z' });

    clock.set('2026-06-15T12:00:00Z');
    const res = await discounts.api().get('/api/discounts/active');
    expect(res.status).toBe(200);
    const ours = (res.body.discounts as { id: string; description: string; code?: string }[]).filter(
      (discount) => discount.description === mark,
    );
    expect(ours.map((discount) => discount.id).sort()).toEqual([running, windowed].sort());
    expect(res.body.discounts.some((discount: { code?: string }) => discount.code)).toBe(false);

    clock.set('2026-07-01T00:00:00Z');
    const later = await discounts.api().get('/api/discounts/active');
    expect((later.body.discounts as { id: string }[]).map((d) => d.id)).not.toContain(windowed);
    clock.set('2026-06-15T12:00:00Z');
  });
});

describe('GET /api/discounts/openapi.json', () => {
  it('documents every route from the validating schemas', async () => {
    const res = await discounts.api().get('/api/discounts/openapi.json');
    // The document built without a database (the web app's API types) is the one served.
    expect(res.body).toEqual(openApiDocument());
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths).sort()).toEqual(
      [
        '/api/discounts',
        '/api/discounts/openapi.json',
        '/api/discounts/active',
        '/api/discounts/quote',
        '/api/discounts/{id}',
      ].sort(),
    );
    const quote = res.body.paths['/api/discounts/quote'].post;
    expect(quote.security).toBeUndefined();
    expect(quote.requestBody.content['application/json'].schema.properties.lines).toMatchObject({
      minItems: 1,
      maxItems: 50,
    });
    expect(Object.keys(quote.responses)).toEqual(expect.arrayContaining(['200', '400', '422', '503']));
    const appliesTo =
      res.body.paths['/api/discounts'].post.requestBody.content['application/json'].schema.properties
        .appliesTo;
    expect(appliesTo.oneOf ?? appliesTo.anyOf).toHaveLength(3);
  });
});
