import { join } from 'node:path';
import request from 'supertest';
import type { LocalDatabase } from '@platform/devstack';
import { eventually, freePort, launchDatabase, metricValue, spawnServiceProcess } from '@platform/devstack';
import type { Service } from '../src';
import { fixtureConfig, fixtureService } from './fixture';

describe('readiness follows the database', () => {
  let database: LocalDatabase | undefined;
  let service: Service | undefined;
  let dataDir: string;
  let port: number;

  beforeAll(async () => {
    database = await launchDatabase({ useExternal: false });
    dataDir = database.dataDir as string;
    port = database.port as number;
  });

  afterAll(async () => {
    await service?.stop();
    await database?.stop();
  });

  it('turns 503 while the database is stopped and 200 again when it is back', async () => {
    service = fixtureService(
      fixtureConfig({ MONGO_URL: `mongodb://127.0.0.1:${port}/kit`, DATABASE_TIMEOUT: '1s' }),
    );
    await service.start();
    await service.whenReady();
    const management = () => request(service!.managementUrl);
    const databaseReady = async () =>
      metricValue((await management().get('/metrics')).text, 'dependency_ready', { dependency: 'database' });
    expect((await management().get('/readyz')).status).toBe(200);
    expect(await databaseReady()).toBe(1);
    await service.connection.collection('notes').insertOne({ text: 'written before the outage' });
    expect((await request(service.apiUrl).get('/api/fixture/notes/count')).body).toEqual({ count: 1 });

    // Keep the data directory: the server comes back with its data, as a restarted database would.
    await database!.stop({ keepData: true });
    await eventually(async () => (await management().get('/readyz')).status === 503);
    const notReady = await management().get('/readyz');
    expect(notReady.body.status).toBe('not_ready');
    expect(notReady.body.checks.database.ok).toBe(false);
    expect(notReady.body.checks.database.reason).toEqual(expect.any(String));
    expect((await management().get('/healthz')).status).toBe(200);
    expect(await databaseReady()).toBe(0);

    const during = await request(service.apiUrl).get('/api/fixture/notes/count');
    expect(during.status).toBe(503);
    expect(during.body.error.code).toBe('DATABASE_UNAVAILABLE');

    database = await launchDatabase({ useExternal: false, dataDir, port, removeOnStop: true });
    await eventually(async () => (await management().get('/readyz')).status === 200);
    expect((await request(service.apiUrl).get('/api/fixture/notes/count')).body).toEqual({ count: 1 });
    expect(await databaseReady()).toBe(1);
  });

  it('starts before the database exists and becomes ready once it appears', async () => {
    const laterPort = await freePort();
    const early = fixtureService(fixtureConfig({ MONGO_URL: `mongodb://127.0.0.1:${laterPort}/kit` }));
    await early.start();
    let later: LocalDatabase | undefined;
    try {
      expect((await request(early.managementUrl).get('/healthz')).status).toBe(200);
      const waiting = await request(early.managementUrl).get('/readyz');
      expect(waiting.status).toBe(503);
      expect(waiting.body.checks.database).toEqual({ ok: false, reason: 'not connected yet' });
      expect((await request(early.apiUrl).get('/api/fixture/notes/count')).status).toBe(503);

      later = await launchDatabase({ useExternal: false, port: laterPort });
      await eventually(async () => (await request(early.managementUrl).get('/readyz')).status === 200);
    } finally {
      await early.stop();
      await later?.stop();
    }
  });
});

describe('graceful shutdown of a real process', () => {
  let database: LocalDatabase;

  beforeAll(async () => {
    database = await launchDatabase({ useExternal: false });
  });
  afterAll(() => database.stop());

  it('on SIGTERM finishes the in-flight request, refuses new work and exits 0', async () => {
    const service = await spawnServiceProcess('slow', join(__dirname, 'fixtures', 'slow-service.js'), {
      NODE_ENV: 'test',
      PORT: '0',
      MANAGEMENT_PORT: '0',
      MONGO_URL: database.urlFor('slow'),
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT: '8s',
    });
    await eventually(async () => (await request(service.management).get('/readyz')).status === 200);

    const slow = request(service.api).get('/api/slow/wait?ms=1500');
    const inFlight = slow.then((res) => res);
    await new Promise((resolve) => setTimeout(resolve, 300));
    service.child.kill('SIGTERM');

    await eventually(async () => {
      const res = await request(service.management)
        .get('/readyz')
        .catch(() => undefined);
      return res?.status === 503;
    }, 1000);
    await expect(request(service.api).get('/api/slow/wait?ms=0')).rejects.toThrow(
      /ECONNREFUSED|socket hang up|ECONNRESET/,
    );

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ waited: 1500 });
    const [code] = await service.exited;
    expect(code).toBe(0);
    expect(service.output()).toContain('"msg":"stopped"');
  });
});
