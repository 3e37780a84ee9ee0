import { once } from 'node:events';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import type { TestAuth } from '@platform/platform-testing';
import { startTestAuth } from '@platform/platform-testing';
import type { RunningService } from './support';
import { startDiscounts, startItems, TestClock } from './support';

let auth: TestAuth;
let items: RunningService;
let discounts: RunningService;
let admin: string;
const clock = new TestClock(new Date('2026-06-15T12:00:00Z'));
const ids: Record<string, string> = {};
const missing = '0123456789abcdef01234567';

async function addItem(key: string, fields: object): Promise<void> {
  const res = await items.api().post('/api/items').set('authorization', `Bearer ${admin}`).send(fields);
  expect(res.status).toBe(201);
  ids[key] = res.body.item.id as string;
}

async function addDiscount(fields: object): Promise<void> {
  const res = await discounts
    .api()
    .post('/api/discounts')
    .set('authorization', `Bearer ${admin}`)
    .send(fields);
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  auth = await startTestAuth();
  items = await startItems(auth);
  discounts = await startDiscounts(auth, items.url, clock);
  admin = await auth.adminToken();
  await addItem('kettle', { name: 'Kettle', priceCents: 2999, currency: 'EUR', category: 'kitchen' });
  await addItem('mug', { name: 'Mug', priceCents: 1250, currency: 'EUR', category: 'kitchen' });
  await addItem('lamp', { name: 'Lamp', priceCents: 4999, currency: 'EUR', category: 'lighting' });
  await addItem('dollar', { name: 'Imported Mug', priceCents: 1000, currency: 'USD', category: 'kitchen' });
  await addDiscount({
    description: 'Kitchen week',
    percentOff: 10,
    appliesTo: { type: 'category', category: 'kitchen' },
  });
  await addDiscount({
    code: 'SAVE5',
    description: 'Five off each',
    amountOffCents: 500,
    appliesTo: { type: 'all' },
  });
  await addDiscount({
    code: 'JUNE',
    description: 'June only',
    percentOff: 50,
    appliesTo: { type: 'all' },
    startsAt: '2026-06-01T00:00:00Z',
    endsAt: '2026-07-01T00:00:00Z',
  });
  await addDiscount({
    code: 'OFF',
    description: 'Switched off',
    percentOff: 50,
    appliesTo: { type: 'all' },
    active: false,
  });
});
afterAll(async () => {
  await discounts.stop();
  await items.stop();
  await auth.stop();
});

const quote = (body: object, service: RunningService = discounts) =>
  service.api().post('/api/discounts/quote').send(body);

describe('POST /api/discounts/quote', () => {
  it('prices lines from items and applies the automatic discount in force', async () => {
    const res = await quote({
      lines: [
        { itemId: ids.kettle, quantity: 2 },
        { itemId: ids.lamp, quantity: 1 },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      lines: [
        {
          itemId: ids.kettle,
          name: 'Kettle',
          unitPriceCents: 2999,
          quantity: 2,
          lineSubtotalCents: 5998,
          discountCents: 600,
          lineTotalCents: 5398,
        },
        {
          itemId: ids.lamp,
          name: 'Lamp',
          unitPriceCents: 4999,
          quantity: 1,
          lineSubtotalCents: 4999,
          discountCents: 0,
          lineTotalCents: 4999,
        },
      ],
      subtotalCents: 10997,
      discountCents: 600,
      totalCents: 10397,
      currency: 'EUR',
      appliedDiscounts: [
        { id: expect.any(String), code: null, description: 'Kitchen week', discountCents: 600 },
      ],
    });
  });

  it('gives each line the larger of the automatic and the code discount, never both', async () => {
    const res = await quote({
      lines: [
        { itemId: ids.kettle, quantity: 2 },
        { itemId: ids.mug, quantity: 1 },
        { itemId: ids.lamp, quantity: 1 },
      ],
      code: ' save5 ',
    });
    expect(res.status).toBe(200);
    // Kettle: 10% = 600 vs 2 x 500 = 1000. Mug: 125 vs 500. Lamp: only the code, 500.
    expect(res.body.lines.map((line: { discountCents: number }) => line.discountCents)).toEqual([
      1000, 500, 500,
    ]);
    expect(res.body).toMatchObject({ subtotalCents: 12247, discountCents: 2000, totalCents: 10247 });
    expect(res.body.appliedDiscounts).toEqual([
      expect.objectContaining({ code: 'SAVE5', discountCents: 2000 }),
    ]);
  });

  it('honours a code only inside its dates (start inclusive, end exclusive)', async () => {
    const body = { lines: [{ itemId: ids.lamp, quantity: 1 }], code: 'JUNE' };
    clock.set('2026-06-01T00:00:00.000Z');
    expect((await quote(body)).body.totalCents).toBe(2499);
    clock.set('2026-06-30T23:59:59.999Z');
    expect((await quote(body)).status).toBe(200);
    clock.set('2026-07-01T00:00:00.000Z');
    expect((await quote(body)).body.error.code).toBe('INVALID_CODE');
    clock.set('2026-05-31T23:59:59.999Z');
    expect((await quote(body)).body.error.code).toBe('INVALID_CODE');
    clock.set('2026-06-15T12:00:00Z');
  });

  it('treats a blank code as no code', async () => {
    const withBlank = await quote({ lines: [{ itemId: ids.kettle, quantity: 1 }], code: '  ' });
    const without = await quote({ lines: [{ itemId: ids.kettle, quantity: 1 }] });
    expect(withBlank.status).toBe(200);
    expect(withBlank.body).toEqual(without.body);
  });

  it.each([
    ['an unknown code', 'NOPE-NOPE'],
    ['an inactive code', 'OFF'],
    ['text that cannot be a code', 'not a code!'],
  ])('answers 422 INVALID_CODE for %s', async (_case, code) => {
    const res = await quote({ lines: [{ itemId: ids.lamp, quantity: 1 }], code });
    expect([res.status, res.body.error.code]).toEqual([422, 'INVALID_CODE']);
  });

  it('answers 422 UNKNOWN_ITEM listing the unknown ids', async () => {
    const res = await quote({
      lines: [
        { itemId: ids.lamp, quantity: 1 },
        { itemId: missing, quantity: 2 },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'UNKNOWN_ITEM', details: { itemIds: [missing] } });
  });

  it('answers 422 MIXED_CURRENCIES for items priced in different currencies', async () => {
    const res = await quote({
      lines: [
        { itemId: ids.lamp, quantity: 1 },
        { itemId: ids.dollar, quantity: 1 },
      ],
    });
    expect([res.status, res.body.error.code]).toEqual([422, 'MIXED_CURRENCIES']);
  });

  it.each([
    ['no lines', { lines: [] }],
    ['51 lines', { lines: Array.from({ length: 51 }, () => ({ itemId: missing, quantity: 1 })) }],
    ['quantity 0', { lines: [{ itemId: missing, quantity: 0 }] }],
    ['quantity 101', { lines: [{ itemId: missing, quantity: 101 }] }],
    ['a fractional quantity', { lines: [{ itemId: missing, quantity: 1.5 }] }],
    ['a malformed item id', { lines: [{ itemId: 'abc', quantity: 1 }] }],
    ['an operator as item id', { lines: [{ itemId: { $ne: null }, quantity: 1 }] }],
  ])('answers 400 for %s', async (_case, body) => {
    expect((await quote(body)).status).toBe(400);
  });

  it('asks items once per quote, in one batch', async () => {
    const count = async () => {
      const metrics = await request(items.service.managementUrl).get('/metrics');
      const match =
        /http_request_duration_seconds_count\{service="items",method="GET",route="\/api\/items",status_code="200"\} (\d+)/.exec(
          metrics.text,
        );
      return Number(match?.[1] ?? 0);
    };
    const before = await count();
    const res = await quote({
      lines: [
        { itemId: ids.kettle, quantity: 1 },
        { itemId: ids.mug, quantity: 1 },
        { itemId: ids.kettle, quantity: 3 },
      ],
    });
    expect(res.status).toBe(200);
    expect(await count()).toBe(before + 1);
  });
});

describe('when items is unavailable', () => {
  let helper: Server | undefined;
  afterEach(() => {
    helper?.closeAllConnections();
    helper?.close();
    helper = undefined;
  });

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    helper = createServer(handler);
    helper.listen(0, '127.0.0.1');
    await once(helper, 'listening');
    return `http://127.0.0.1:${(helper.address() as AddressInfo).port}`;
  }

  it('answers 503 UPSTREAM_UNAVAILABLE once items has stopped, and recovers with it', async () => {
    const ownItems = await startItems(auth);
    const kettle = await ownItems
      .api()
      .post('/api/items')
      .set('authorization', `Bearer ${admin}`)
      .send({ name: 'Kettle', priceCents: 2999, currency: 'EUR', category: 'kitchen' });
    const own = await startDiscounts(auth, ownItems.url, clock);
    try {
      const body = { lines: [{ itemId: kettle.body.item.id as string, quantity: 1 }] };
      expect((await quote(body, own)).status).toBe(200);
      await ownItems.service.stop();
      const res = await quote(body, own);
      expect([res.status, res.body.error.code]).toEqual([503, 'UPSTREAM_UNAVAILABLE']);
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      await own.stop();
      await ownItems.stop();
    }
  });

  it('answers 503 when items does not answer within the timeout', async () => {
    let requests = 0;
    const url = await serve(() => {
      requests++; // never answers
    });
    const own = await startDiscounts(auth, url, clock, { ITEMS_TIMEOUT: '300ms' });
    try {
      const res = await quote({ lines: [{ itemId: ids.lamp, quantity: 1 }] }, own);
      expect([res.status, res.body.error.code]).toEqual([503, 'UPSTREAM_UNAVAILABLE']);
      expect(requests).toBe(2); // the first try and one retry
    } finally {
      await own.stop();
    }
  });

  it('retries a failed request once, and succeeds when the retry does; both carry the request id', async () => {
    let requests = 0;
    const requestIds: unknown[] = [];
    const url = await serve((req, res) => {
      requests++;
      requestIds.push(req.headers['x-request-id']);
      if (requests === 1) {
        res.writeHead(502).end();
        return;
      }
      fetch(`${items.url}${req.url ?? ''}`).then(
        async (upstream) =>
          res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text()),
        () => res.writeHead(500).end(),
      );
    });
    const own = await startDiscounts(auth, url, clock);
    try {
      const res = await own
        .api()
        .post('/api/discounts/quote')
        .set('x-request-id', 'quote-7')
        .send({ lines: [{ itemId: ids.lamp, quantity: 1 }] });
      expect(res.status).toBe(200);
      expect(requests).toBe(2);
      expect(requestIds).toEqual(['quote-7', 'quote-7']);
    } finally {
      await own.stop();
    }
  });
});
