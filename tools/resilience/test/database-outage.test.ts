import type { LocalDatabase } from '@platform/devstack';
import { dropDatabase, eventually, launchDatabase, testDatabaseUrl } from '@platform/devstack';
import type { Outcome } from './support/load';
import { errorCode, startLoad, tally } from './support/load';
import type { RunningAuth, RunningProcess } from './support/services';
import {
  call,
  createItems,
  itemInput,
  readinessReport,
  serviceEvents,
  startAuth,
  startServiceProcess,
  statusOf,
} from './support/services';

/**
 * The database stops while items is under load, and comes back. Items runs on a database server
 * of its own, which this test stops and restarts on the same port and data directory.
 */

// How long one database operation may wait for a server (the service's DATABASE_TIMEOUT).
const DATABASE_TIMEOUT_MS = 2000;
// A client gives up after the service's own bound plus room for a busy machine: an answer later
// than this is a hang.
const CLIENT_TIMEOUT_MS = DATABASE_TIMEOUT_MS + 3000;
const READINESS_DEADLINE_MS = 5000;
// Longer than the readiness check's own bound (2 s), so a slow "no" is not mistaken for no answer.
const PROBE_TIMEOUT_MS = 3000;

let database: LocalDatabase;
let auth: RunningAuth;
let items: RunningProcess;
const authDatabase = testDatabaseUrl('resilience_outage_auth');

beforeAll(async () => {
  database = await launchDatabase({ useExternal: false });
  auth = await startAuth(authDatabase);
  items = await startServiceProcess('items', {
    MONGO_URL: database.urlFor('items'),
    DATABASE_TIMEOUT: `${DATABASE_TIMEOUT_MS}ms`,
    ...auth.verifierEnv,
  });
});

afterAll(async () => {
  await items?.stop();
  await auth?.process.stop();
  await database?.stop();
  await dropDatabase(authDatabase);
});

const sample = (list: Outcome[]) =>
  list.slice(0, 5).map((o) => ({ ...o, body: JSON.stringify(o.body)?.slice(0, 200) }));

it('answers 503 while the database is down, recovers by itself and keeps every acknowledged write', async () => {
  const { dataDir, port } = database as { dataDir: string; port: number };
  const token = await auth.adminToken();
  const seeded = await createItems(
    items.api,
    token,
    Array.from({ length: 20 }, (_, i) => `Outage chair ${i}`),
  );

  const load = startLoad({
    baseUrl: items.api,
    clients: 8,
    maxDurationMs: 90_000,
    timeoutMs: CLIENT_TIMEOUT_MS,
    pauseAfterErrorMs: 20,
    next: (client, n) => {
      if (client < 2)
        return { method: 'POST', path: '/api/items', token, body: itemInput(`Outage ${client} ${n}`) };
      return n % 2 === 0
        ? { method: 'GET', path: '/api/items?limit=20' }
        : { method: 'GET', path: `/api/items/${seeded[n % seeded.length]}` };
    },
  });
  const answeredSince = (since: number, status?: number) =>
    load.outcomes.filter((o) => o.startedAt >= since && (status === undefined || o.status === status)).length;

  let stoppedAt: number;
  let notReadyAt: number;
  let restartingAt: number;
  let readyAgainAt: number;
  let notReadyReport: unknown;
  try {
    await eventually(async () => Promise.resolve(answeredSince(0, 200) >= 100), 30_000);

    // Stopped means the server process is gone (it refuses new connections a little earlier).
    await database.stop({ keepData: true });
    stoppedAt = Date.now();
    await eventually(
      async () => (await statusOf(`${items.management}/readyz`, PROBE_TIMEOUT_MS)) === 503,
      READINESS_DEADLINE_MS,
      50,
    );
    notReadyAt = Date.now();
    notReadyReport = await call(`${items.management}/readyz`, { expect: 503 });
    // The outage lasts until the clients have had a fair number of answers during it.
    await eventually(async () => Promise.resolve(answeredSince(notReadyAt, 503) >= 16), 30_000);

    restartingAt = Date.now();
    database = await launchDatabase({ useExternal: false, dataDir, port, removeOnStop: true });
    await eventually(
      async () => (await statusOf(`${items.management}/readyz`, PROBE_TIMEOUT_MS)) === 200,
      30_000,
      100,
    ).catch(async (error: unknown) => {
      const report = await readinessReport(items);
      throw new Error(`items did not become ready again: ${report}\n${serviceEvents(items.output())}`, {
        cause: error,
      });
    });
    readyAgainAt = Date.now();
    await eventually(async () => Promise.resolve(answeredSince(readyAgainAt) >= 50), 30_000);
  } finally {
    load.stop();
  }
  const outcomes = await load.finished;

  expect(notReadyAt - stoppedAt).toBeLessThan(READINESS_DEADLINE_MS);
  expect(notReadyReport).toMatchObject({ status: 'not_ready', checks: { database: { ok: false } } });
  expect(items.child.exitCode).toBeNull();

  // Every request got an answer in time: a success, or a 503 that says the database is down.
  const unexpected = outcomes.filter((o) => {
    if (o.error !== undefined) return true;
    if (o.status === 503) return errorCode(o) !== 'DATABASE_UNAVAILABLE' || o.retryAfter !== '5';
    return o.status !== (o.method === 'POST' ? 201 : 200);
  });
  expect({ counts: tally(outcomes), unexpected: sample(unexpected) }).toMatchObject({ unexpected: [] });
  // Once readiness said so, every request was refused with 503 until the database came back...
  const duringOutage = outcomes.filter((o) => o.startedAt >= notReadyAt && o.endedAt < restartingAt);
  expect(duringOutage.length).toBeGreaterThan(0);
  expect(sample(duringOutage.filter((o) => o.status !== 503))).toEqual([]);
  // ...and once it said ready again, every request succeeded, with nothing restarted by hand.
  const afterRecovery = outcomes.filter((o) => o.startedAt >= readyAgainAt);
  expect(afterRecovery.length).toBeGreaterThan(0);
  expect(sample(afterRecovery.filter((o) => o.status !== 200 && o.status !== 201))).toEqual([]);

  // Every write acknowledged before, during or after the outage can be read back.
  const acknowledged = [
    ...seeded,
    ...outcomes.filter((o) => o.status === 201).map((o) => (o.body as { item: { id: string } }).item.id),
  ];
  const found: string[] = [];
  for (let start = 0; start < acknowledged.length; start += 100) {
    const ids = acknowledged.slice(start, start + 100);
    const page = await call<{ items: { id: string }[] }>(`${items.api}/api/items?ids=${ids.join(',')}`, {
      expect: 200,
    });
    found.push(...page.items.map((item) => item.id));
  }
  expect(found.sort()).toEqual([...acknowledged].sort());
});
