import type { AddressInfo, Socket } from 'node:net';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { dropDatabase, testDatabaseUrl } from '@platform/devstack';
import type { RunningAuth, RunningProcess } from './support/services';
import { call, createItems, startAuth, startServiceProcess, statusOf } from './support/services';

/**
 * Discounts prices quotes with the items service. When items is gone (stopped) or hangs (accepts
 * connections and never answers), a quote fails fast with 503 UPSTREAM_UNAVAILABLE, within the
 * bound the configuration sets, and the rest of discounts keeps serving.
 */

const ITEMS_TIMEOUT_MS = 1000;
// The items client tries twice (the price lookup is an idempotent GET), each try capped at
// ITEMS_TIMEOUT; the slack covers the service's own work on a busy machine.
const QUOTE_DEADLINE_MS = 2 * ITEMS_TIMEOUT_MS + 1500;

let auth: RunningAuth;
const running: RunningProcess[] = [];
const databases: string[] = [];

async function start(name: 'items' | 'discounts', env: Record<string, string>): Promise<RunningProcess> {
  const url = testDatabaseUrl(`resilience_upstream_${name}`);
  databases.push(url);
  const service = await startServiceProcess(name, { MONGO_URL: url, ...auth.verifierEnv, ...env });
  running.push(service);
  return service;
}

const startDiscounts = (itemsUrl: string) =>
  start('discounts', { ITEMS_URL: itemsUrl, ITEMS_TIMEOUT: `${ITEMS_TIMEOUT_MS}ms` });

/** POSTs a quote with the deadline as the client's timeout: no answer by then fails the test. */
async function quote(discounts: RunningProcess, lines: { itemId: string; quantity: number }[]) {
  const res = await fetch(`${discounts.api}/api/discounts/quote`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ lines }),
    signal: AbortSignal.timeout(QUOTE_DEADLINE_MS),
  });
  return {
    status: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as { error?: { code: string }; totalCents?: number },
  };
}

beforeAll(async () => {
  const authDatabase = testDatabaseUrl('resilience_upstream_auth');
  databases.push(authDatabase);
  auth = await startAuth(authDatabase);
  running.push(auth.process);
});

afterAll(async () => {
  for (const service of running.reverse()) await service.stop();
  for (const url of databases) await dropDatabase(url);
});

it('answers quotes with 503 UPSTREAM_UNAVAILABLE within the client bound while items is stopped', async () => {
  const itemsDatabase = testDatabaseUrl('resilience_upstream_items');
  databases.push(itemsDatabase);
  const items = await start('items', { MONGO_URL: itemsDatabase });
  const [lamp, chair] = await createItems(items.api, await auth.adminToken(), ['Quote lamp', 'Quote chair']);
  const lines = [
    { itemId: lamp!, quantity: 2 },
    { itemId: chair!, quantity: 1 },
  ];
  const discounts = await startDiscounts(items.api);
  expect(await quote(discounts, lines)).toMatchObject({ status: 200, body: { totalCents: 3 * 1250 } });

  await items.stop();
  expect((await items.exited)[0]).toBe(0);

  // One at a time, then a burst: each answered in time, and each the same clear 503.
  const answers = [];
  for (let i = 0; i < 3; i++) answers.push(await quote(discounts, lines));
  answers.push(...(await Promise.all(Array.from({ length: 20 }, () => quote(discounts, lines)))));
  for (const answer of answers) {
    expect(answer).toEqual({
      status: 503,
      retryAfter: '5',
      body: { error: { code: 'UPSTREAM_UNAVAILABLE', message: expect.any(String) } },
    });
  }
  // Only the quote depends on items: discounts stays ready and serves its own data.
  expect(await statusOf(`${discounts.management}/readyz`, 3000)).toBe(200);
  expect(await call(`${discounts.api}/api/discounts/active`, { expect: 200 })).toBeDefined();

  // Items back on the same address: quotes work again, with nothing restarted in discounts.
  await start('items', { MONGO_URL: itemsDatabase, PORT: new URL(items.api).port });
  expect(await quote(discounts, lines)).toMatchObject({ status: 200, body: { totalCents: 3 * 1250 } });
});

it('answers quotes with 503 UPSTREAM_UNAVAILABLE within the client bound while items hangs', async () => {
  // Accepts connections and never answers, as a wedged process or a black-holed route would.
  const sockets = new Set<Socket>();
  const hung = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  let connections = 0;
  hung.on('connection', () => (connections += 1));
  hung.listen(0, '127.0.0.1');
  await once(hung, 'listening');
  try {
    const { port } = hung.address() as AddressInfo;
    const discounts = await startDiscounts(`http://127.0.0.1:${port}`);
    const lines = [{ itemId: '6650f1f1f1f1f1f1f1f1f1f1', quantity: 1 }];

    const answers = await Promise.all(Array.from({ length: 5 }, () => quote(discounts, lines)));
    for (const answer of answers) {
      expect(answer).toEqual({
        status: 503,
        retryAfter: '5',
        body: { error: { code: 'UPSTREAM_UNAVAILABLE', message: expect.any(String) } },
      });
    }
    // The quotes really went to the hung server, and discounts itself stayed healthy.
    expect(connections).toBeGreaterThan(0);
    expect(await statusOf(`${discounts.management}/healthz`)).toBe(200);
  } finally {
    for (const socket of sockets) socket.destroy();
    hung.close();
  }
});
