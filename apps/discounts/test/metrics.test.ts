/**
 * What an operator sees on /metrics when the quote path works and when it breaks: the three real
 * services (auth, items, discounts) over HTTP, each series read from the management port after
 * real requests, as Prometheus reads it.
 */
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { declaredMetricFamilies, metricValue, repoRoot } from '@platform/devstack';
import type { TestAuth } from '@platform/platform-testing';
import { startTestAuth } from '@platform/platform-testing';
import type { RunningService } from './support';
import { startDiscounts, startItems, TestClock } from './support';

let auth: TestAuth;
let items: RunningService;
let discounts: RunningService;
let admin: string;
let lampId: string;
const clock = new TestClock();

beforeAll(async () => {
  auth = await startTestAuth();
  items = await startItems(auth);
  discounts = await startDiscounts(auth, items.url, clock);
  admin = await auth.adminToken();
  const lamp = await items
    .api()
    .post('/api/items')
    .set('authorization', `Bearer ${admin}`)
    .send({ name: 'Desk lamp', priceCents: 4999, currency: 'EUR', category: 'lighting' });
  expect(lamp.status).toBe(201);
  lampId = lamp.body.item.id as string;
});
afterAll(async () => {
  await discounts.stop();
  await items.stop();
  await auth.stop();
});

const scrape = async (service: RunningService | TestAuth['service']) => {
  const url = 'managementUrl' in service ? service.managementUrl : service.service.managementUrl;
  const res = await request(url).get('/metrics');
  expect(res.status).toBe(200);
  return res.text;
};
const quote = (service: RunningService = discounts) =>
  service
    .api()
    .post('/api/discounts/quote')
    .send({ lines: [{ itemId: lampId, quantity: 2 }] });
const itemsCalls = async (service: RunningService, outcome: string) =>
  metricValue(await scrape(service), 'http_client_request_duration_seconds_count', {
    target: 'items',
    outcome,
  });

describe('the quote path', () => {
  it('times the call to items and the database commands on each side', async () => {
    const [before, discountsReads, itemsReads] = [
      await itemsCalls(discounts, 'success'),
      metricValue(await scrape(discounts), 'db_client_operation_duration_seconds_count', {
        operation: 'find',
        collection: 'discounts',
      }),
      metricValue(await scrape(items), 'db_client_operation_duration_seconds_count', {
        operation: 'find',
        collection: 'items',
      }),
    ];
    expect((await quote()).status).toBe(200);
    expect(await itemsCalls(discounts, 'success')).toBe(before + 1);
    expect(
      metricValue(await scrape(discounts), 'db_client_operation_duration_seconds_count', {
        operation: 'find',
        collection: 'discounts',
      }),
    ).toBeGreaterThan(discountsReads);
    expect(
      metricValue(await scrape(items), 'db_client_operation_duration_seconds_count', {
        operation: 'find',
        collection: 'items',
      }),
    ).toBeGreaterThan(itemsReads);
  });

  it('labels a body refused before routing with the quote route template', async () => {
    const refused = await discounts
      .api()
      .post('/api/discounts/quote')
      .set('content-type', 'text/plain')
      .send('two lamps');
    expect(refused.status).toBe(415);
    expect(
      metricValue(await scrape(discounts), 'http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/discounts/quote',
        status_code: '415',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('reports the database as ready on every service', async () => {
    for (const service of [
      auth.service.managementUrl,
      items.service.managementUrl,
      discounts.service.managementUrl,
    ]) {
      const text = (await request(service).get('/metrics')).text;
      expect(metricValue(text, 'dependency_ready', { dependency: 'database' })).toBe(1);
    }
  });
});

describe('when items is stopped or hangs', () => {
  let hanging: Server | undefined;
  afterEach(() => {
    hanging?.closeAllConnections();
    hanging?.close();
    hanging = undefined;
  });

  it('counts each refused attempt as a connection error', async () => {
    const ownItems = await startItems(auth);
    const own = await startDiscounts(auth, ownItems.url, clock);
    try {
      await ownItems.service.stop();
      const res = await quote(own);
      expect([res.status, res.body.error.code]).toEqual([503, 'UPSTREAM_UNAVAILABLE']);
      // The first try and its one retry.
      expect(await itemsCalls(own, 'connection_error')).toBe(2);
      expect(await itemsCalls(own, 'success')).toBe(0);
      expect(
        metricValue(await scrape(own), 'http_request_duration_seconds_count', {
          route: '/api/discounts/quote',
          status_code: '503',
        }),
      ).toBe(1);
    } finally {
      await own.stop();
      await ownItems.stop();
    }
  });

  it('counts each attempt that outlives ITEMS_TIMEOUT as a timeout', async () => {
    hanging = createServer(() => undefined); // accepts, never answers
    hanging.listen(0, '127.0.0.1');
    await once(hanging, 'listening');
    const url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    const own = await startDiscounts(auth, url, clock, { ITEMS_TIMEOUT: '300ms' });
    try {
      expect((await quote(own)).status).toBe(503);
      expect(await itemsCalls(own, 'timeout')).toBe(2);
      const text = await scrape(own);
      // Each attempt waited its full deadline: both observations are above 0.25 s.
      expect(
        metricValue(text, 'http_client_request_duration_seconds_bucket', {
          target: 'items',
          outcome: 'timeout',
          le: '0.25',
        }),
      ).toBe(0);
    } finally {
      await own.stop();
    }
  });
});

describe('access tokens', () => {
  const failures = async (reason: string) =>
    metricValue(await scrape(discounts), 'auth_token_verification_failures_total', { reason });

  it('fetches the key set from auth once and counts every refusal by reason', async () => {
    const guarded = (token?: string) => {
      const req = discounts.api().get('/api/discounts');
      return token ? req.set('authorization', `Bearer ${token}`) : req;
    };
    expect((await guarded(admin)).status).toBe(200);
    expect(
      metricValue(await scrape(discounts), 'http_client_request_duration_seconds_count', {
        target: 'auth_jwks',
        outcome: 'success',
      }),
    ).toBeGreaterThanOrEqual(1);

    const before = { missing: await failures('missing'), malformed: await failures('malformed') };
    expect((await guarded()).status).toBe(401);
    expect((await guarded('not.a.token')).status).toBe(401);
    expect(await failures('missing')).toBe(before.missing + 1);
    expect(await failures('malformed')).toBe(before.malformed + 1);

    // The admin's token with its signature cut off and replaced: a forgery.
    const [header, payload] = admin.split('.');
    const forged = `${header}.${payload}.${Buffer.from('forged').toString('base64url')}`;
    const signatures = await failures('bad_signature');
    expect((await guarded(forged)).status).toBe(401);
    expect(await failures('bad_signature')).toBe(signatures + 1);
  });
});

describe('the Grafana dashboard of the chart', () => {
  it('queries only metric families the services export', async () => {
    const exported = new Set<string>();
    for (const text of [await scrape(auth.service), await scrape(items), await scrape(discounts)]) {
      for (const [family, type] of declaredMetricFamilies(text)) {
        const names = type === 'histogram' ? ['_bucket', '_count', '_sum'].map((s) => family + s) : [family];
        for (const name of names) exported.add(name);
      }
    }
    const dashboards = join(repoRoot, 'deploy', 'helm', 'platform', 'dashboards');
    const queried = new Set(
      readdirSync(dashboards)
        .filter((file) => file.endsWith('.json'))
        .flatMap((file) => {
          const text = readFileSync(join(dashboards, file), 'utf8');
          const exprs = [...text.matchAll(/"expr": "((?:[^"\\]|\\.)*)"/g)].map(
            (match) => JSON.parse(`"${match[1] ?? ''}"`) as string,
          );
          // A metric is the name before a label selector: functions and label names are not.
          return exprs.flatMap((expr) =>
            [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1] ?? ''),
          );
        }),
    );
    expect(queried.size).toBeGreaterThan(8);
    expect([...queried].filter((name) => !exported.has(name))).toEqual([]);
  });
});
