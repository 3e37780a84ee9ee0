import { randomBytes } from 'node:crypto';
import { MongoClient, ObjectId } from 'mongodb';
import { dropDatabase, eventually, testDatabaseUrl } from '@platform/devstack';
import type { Outcome } from './support/load';
import { startLoad, tally, within } from './support/load';
import type { RunningAuth, RunningProcess } from './support/services';
import {
  createItems,
  itemInput,
  requestLog,
  startAuth,
  startServiceProcess,
  statusOf,
} from './support/services';

/**
 * SIGTERM while items serves a steady mix of reads and admin writes. What "accepted" means here:
 * a request the service read and began to handle, which shows in its request log (one line per
 * request, with the x-request-id the client sent). Such a request must get its full, successful
 * answer. Once the listener has closed, a new connection is refused and a request written on an
 * idle keep-alive connection at the moment the server closes it is reset unread; neither ever
 * reached the service (the log proves it), so neither counts as accepted, and a client or load
 * balancer may safely send it elsewhere.
 */

const EXIT_DEADLINE_MS = 10_000;
// Resets and refusals are how a closed listener or a closed idle connection look to a client.
const NOT_ACCEPTED_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

let auth: RunningAuth;
let adminToken: string;
const databases: string[] = [];

beforeAll(async () => {
  const authDb = testDatabaseUrl('resilience_sigterm_auth');
  databases.push(authDb);
  auth = await startAuth(authDb);
  adminToken = await auth.adminToken();
});

afterAll(async () => {
  await auth?.process.stop();
  for (const url of databases) await dropDatabase(url);
});

describe.each([
  ['with no shutdown delay', '0'],
  ['with a shutdown delay, as deployed behind a load balancer', '1s'],
])('SIGTERM during sustained load on items, %s', (_label, shutdownDelay) => {
  let items: RunningProcess | undefined;
  afterAll(() => items?.stop());

  it('answers every accepted request successfully, keeps every acknowledged write and exits 0 within 10 s', async () => {
    const databaseUrl = testDatabaseUrl('resilience_sigterm_items');
    databases.push(databaseUrl);
    items = await startServiceProcess('items', {
      MONGO_URL: databaseUrl,
      SHUTDOWN_DELAY: shutdownDelay,
      ...auth.verifierEnv,
    });
    const service = items;
    const seeded = await createItems(
      service.api,
      adminToken,
      Array.from({ length: 10 }, (_, i) => `Seeded lamp ${i}`),
    );
    const marker = `Sigterm ${randomBytes(3).toString('hex')}`;

    // Four writers and eight readers, each with one keep-alive connection.
    const load = startLoad({
      baseUrl: service.api,
      clients: 12,
      maxDurationMs: 30_000,
      timeoutMs: 15_000,
      pauseAfterErrorMs: 20,
      next: (client, n) => {
        if (client < 4) {
          return {
            method: 'POST',
            path: '/api/items',
            token: adminToken,
            body: itemInput(`${marker} ${client} ${n}`),
          };
        }
        const read = n % 3;
        if (read === 0) return { method: 'GET', path: '/api/items?limit=20' };
        if (read === 1) return { method: 'GET', path: `/api/items/${seeded[n % seeded.length]}` };
        return { method: 'GET', path: '/api/items?q=seeded&limit=5' };
      },
    });

    let exitedAt: number;
    let signalledAt: number;
    let exit: [number | null, NodeJS.Signals | null] | undefined;
    let readinessWhileDraining = 0;
    try {
      // Steady state first: a good number of answered reads and writes.
      await eventually(async () => {
        const answered = load.outcomes.filter((outcome) => outcome.status !== undefined);
        return Promise.resolve(answered.length >= 150 && answered.some((o) => o.method === 'POST'));
      }, 30_000);

      signalledAt = Date.now();
      service.child.kill('SIGTERM');
      if (shutdownDelay !== '0') {
        await eventually(
          async () => {
            readinessWhileDraining = await statusOf(`${service.management}/readyz`, 500);
            return readinessWhileDraining === 503;
          },
          900,
          20,
        ).catch(() => undefined);
      }
      exit = await within(service.exited, EXIT_DEADLINE_MS);
      exitedAt = Date.now();
      // A little longer, so the run also shows how clients see the closed port.
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      load.stop();
    }
    const outcomes = await load.finished;

    expect(exit).toEqual([0, null]);
    expect(exitedAt - signalledAt).toBeLessThan(EXIT_DEADLINE_MS);
    const output = service.output();
    expect(output).toContain('"signal":"SIGTERM"');
    expect(output).toContain('"msg":"stopped"');
    expect(output).not.toContain('requests still running at the shutdown deadline');

    const handled = requestLog(output);
    const answered = outcomes.filter((outcome) => outcome.status !== undefined);
    const unanswered = outcomes.filter((outcome) => outcome.status === undefined);
    const sample = (list: Outcome[]) =>
      list.slice(0, 5).map((o) => ({ ...o, body: JSON.stringify(o.body)?.slice(0, 200) }));

    // Every accepted request got its complete, successful answer...
    const badAnswers = answered.filter(
      (outcome) => outcome.error !== undefined || outcome.status !== (outcome.method === 'POST' ? 201 : 200),
    );
    expect({ counts: tally(outcomes), badAnswers: sample(badAnswers) }).toMatchObject({ badAnswers: [] });
    // ...and the client saw every answer the service logged, with the same status.
    const mismatched = [...handled].filter(
      ([id, status]) => id.startsWith('load-') && answered.find((o) => o.requestId === id)?.status !== status,
    );
    expect(mismatched).toEqual([]);
    // A request with no answer was refused or reset, unread by the service (it may have been sent
    // just before the signal and still be unread when the idle connection closed), and only
    // once the shutdown had begun.
    const accepted = unanswered.filter(
      (outcome) =>
        handled.has(outcome.requestId) ||
        !NOT_ACCEPTED_ERRORS.has(outcome.error ?? '') ||
        outcome.endedAt < signalledAt,
    );
    expect(sample(accepted)).toEqual([]);

    // The signal arrived with requests in flight, and they were the ones drained.
    const inFlight = answered.filter((o) => o.startedAt < signalledAt && o.endedAt >= signalledAt);
    expect(inFlight.length).toBeGreaterThan(0);
    if (shutdownDelay !== '0') {
      // During the delay the service reports not ready yet keeps serving new requests.
      expect(readinessWhileDraining).toBe(503);
      expect(answered.filter((o) => o.startedAt > signalledAt + 100).length).toBeGreaterThan(0);
    }

    // Every acknowledged write is in the database, and no write that was not acknowledged is.
    const acknowledged = answered
      .filter((o) => o.method === 'POST')
      .map((o) => (o.body as { item: { id: string } }).item.id);
    expect(acknowledged.length).toBeGreaterThan(0);
    const client = new MongoClient(databaseUrl, { serverSelectionTimeoutMS: 5000 });
    try {
      const collection = client.db().collection('items');
      const stored = await collection
        .find({ _id: { $in: [...seeded, ...acknowledged].map((id) => new ObjectId(id)) } })
        .project({ _id: 1 })
        .toArray();
      expect(stored.map((doc) => String(doc._id)).sort()).toEqual([...seeded, ...acknowledged].sort());
      expect(await collection.countDocuments({ name: { $regex: `^${marker} ` } })).toBe(acknowledged.length);
    } finally {
      await client.close();
    }
  });
});
