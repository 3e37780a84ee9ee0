import { dropDatabase, testDatabaseUrl } from '@platform/devstack';
import type { LoadRequest, Outcome } from './support/load';
import { startLoad, tally } from './support/load';
import type { MemoryReport } from './support/memory';
import { mebibytes, settledMemory } from './support/memory';
import type { RunningAuth, RunningProcess } from './support/services';
import { createItems, MEMORY_PROBE, startAuth, startServiceProcess } from './support/services';

/**
 * 200 concurrent keep-alive clients on items (pages, searches, single items), then on auth's
 * token path (/me), each for a bounded time: every client is served, nothing fails, and memory
 * after the load is back near where it was before it.
 */

const CLIENTS = 200;
const WARM_UP_MS = 2000;
const LOAD_MS = 6000;
// Throughput and latency are the benchmark's business (and depend on the machine); here a request
// unanswered this long counts as a failure.
const CLIENT_TIMEOUT_MS = 20_000;
// Memory is compared after a full GC (see memory-probe.cjs) and after a warm-up at the same
// concurrency, so connection pools, sockets and compiled code already exist at the baseline; a
// typical run ends within a few MiB of it. The margins leave room for allocator slack (V8 keeps
// freed pages for a while, glibc does not hand every arena back) yet fail on growth in proportion
// to the load: a run serves a thousand requests or more, so keeping a request, its body or its
// socket alive (ten KiB or so each) would exceed them. The heap, which a GC does shrink back, gets
// the tighter one.
const RSS_MARGIN = (baseline: number) => Math.max(32 * 1024 * 1024, baseline * 0.25);
const HEAP_MARGIN_BYTES = 8 * 1024 * 1024;

const databases: string[] = [];
const memoryProbe = { NODE_OPTIONS: `--require "${MEMORY_PROBE}"` };
let auth: RunningAuth;
let items: RunningProcess;
let itemIds: string[];
let userToken: string;

beforeAll(async () => {
  const authDatabase = testDatabaseUrl('resilience_concurrency_auth');
  const itemsDatabase = testDatabaseUrl('resilience_concurrency_items');
  databases.push(authDatabase, itemsDatabase);
  auth = await startAuth(authDatabase, memoryProbe);
  items = await startServiceProcess('items', {
    MONGO_URL: itemsDatabase,
    ...auth.verifierEnv,
    ...memoryProbe,
  });
  itemIds = await createItems(
    items.api,
    await auth.adminToken(),
    Array.from({ length: 30 }, (_, i) => `Concurrent table ${i}`),
  );
  userToken = await auth.userToken();
});

afterAll(async () => {
  await items?.stop();
  await auth?.process.stop();
  for (const url of databases) await dropDatabase(url);
});

/** Mostly single items, with a page and a search among them, spread over the clients. */
const itemsRequest = (client: number, n: number): LoadRequest => {
  const step = (client + n) % 8;
  if (step === 0) return { method: 'GET', path: '/api/items?limit=20' };
  if (step === 4) return { method: 'GET', path: '/api/items?q=concurrent&limit=20&page=2' };
  return { method: 'GET', path: `/api/items/${itemIds[(client + n) % itemIds.length]}` };
};
const meRequest = (): LoadRequest => ({ method: 'GET', path: '/api/auth/me', token: userToken });

/**
 * CLIENTS clients on one service: all connect first (each has one request answered), then all
 * send requests back to back for `ms`.
 */
async function drive(
  service: RunningProcess,
  next: (client: number, n: number) => LoadRequest,
  ms: number,
): Promise<{ outcomes: Outcome[]; answeredBy: number[] }> {
  const load = startLoad({
    baseUrl: service.api,
    clients: CLIENTS,
    next,
    connectFirst: true,
    maxDurationMs: CLIENT_TIMEOUT_MS + ms + 5000,
    timeoutMs: CLIENT_TIMEOUT_MS,
    keepBody: (status) => status !== 200,
  });
  try {
    await load.connected;
    await new Promise((resolve) => setTimeout(resolve, ms));
  } finally {
    load.stop();
  }
  return { outcomes: await load.finished, answeredBy: load.answeredBy };
}

function failures(outcomes: Outcome[]) {
  return outcomes
    .filter((o) => o.error !== undefined || o.status !== 200)
    .slice(0, 5)
    .map((o) => ({ ...o, body: JSON.stringify(o.body)?.slice(0, 200) }));
}

function memoryReport(before: MemoryReport, after: MemoryReport) {
  return {
    rssMiB: [mebibytes(before.rss), mebibytes(after.rss)],
    heapMiB: [mebibytes(before.heapUsed), mebibytes(after.heapUsed)],
    rssWithinMargin: after.rss - before.rss <= RSS_MARGIN(before.rss),
    heapWithinMargin: after.heapUsed - before.heapUsed <= HEAP_MARGIN_BYTES,
  };
}

describe.each([
  ['items', () => items, itemsRequest],
  ['auth /me', () => auth.process, meRequest],
] as const)(`${CLIENTS} concurrent clients on %s`, (_name, service, next) => {
  it('are all served without an error, and memory returns near its baseline after a GC', async () => {
    const warmUp = await drive(service(), next, WARM_UP_MS);
    expect(failures(warmUp.outcomes)).toEqual([]);
    const before = await settledMemory(service());

    const { outcomes, answeredBy } = await drive(service(), next, LOAD_MS);
    const after = await settledMemory(service());

    expect({ counts: tally(outcomes), failures: failures(outcomes) }).toMatchObject({ failures: [] });
    // Each client had requests answered after the one that opened its connection.
    expect(answeredBy.filter((count) => count < 2)).toEqual([]);
    expect(memoryReport(before, after)).toMatchObject({ rssWithinMargin: true, heapWithinMargin: true });
  });
});
