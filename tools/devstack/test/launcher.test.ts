import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import {
  eventually,
  launchDatabase,
  portAcceptsConnections,
  testDatabaseUrl,
  withDatabaseName,
} from '../src';

const accepts = (port: number) => portAcceptsConnections(port);

describe('withDatabaseName', () => {
  it.each([
    ['mongodb://127.0.0.1:27017', 'mongodb://127.0.0.1:27017/items'],
    ['mongodb://127.0.0.1:27017/', 'mongodb://127.0.0.1:27017/items'],
    ['mongodb://127.0.0.1:27017/auth', 'mongodb://127.0.0.1:27017/items'],
    [
      'mongodb://user:p%40ss@db-1:27017,db-2:27017/admin?replicaSet=rs0&tls=true&retryWrites=false',
      'mongodb://user:p%40ss@db-1:27017,db-2:27017/items?replicaSet=rs0&tls=true&retryWrites=false',
    ],
    [
      'mongodb+srv://cluster.example.com/?retryWrites=false',
      'mongodb+srv://cluster.example.com/items?retryWrites=false',
    ],
  ])('%s -> %s', (url, expected) => expect(withDatabaseName(url, 'items')).toBe(expected));

  it('rejects what is not a MongoDB connection string', () => {
    expect(() => withDatabaseName('postgres://localhost/db', 'x')).toThrow(/mongodb:\/\//);
  });
});

describe('launchDatabase', () => {
  it('uses MONGO_URL when it is set (the jest global setup set it)', async () => {
    const database = await launchDatabase();
    expect(database.kind).toBe('external');
    expect(database.url).toBe(withDatabaseName(process.env.MONGO_URL as string, ''));
    await database.stop();
  });

  it('starts a private loopback server, gives each test its own database, and removes it all on stop', async () => {
    const database = await launchDatabase({ useExternal: false });
    expect(['mongod', 'ferretdb']).toContain(database.kind);
    expect(database.url).toMatch(/^mongodb:\/\/127\.0\.0\.1:\d+\/$/);

    const client = new MongoClient(database.urlFor('launcher'));
    await client.connect();
    await client.db().collection('things').insertOne({ name: 'one' });
    expect(await client.db().collection('things').countDocuments()).toBe(1);
    await client.close();

    await database.stop();
    expect(await accepts(database.port as number)).toBe(false);
    expect(existsSync(database.dataDir as string)).toBe(false);
  });

  it('keeps data in a given directory across a restart', async () => {
    const kept = mkdtempSync(join(tmpdir(), 'platform-db-kept-'));
    try {
      const one = await launchDatabase({ useExternal: false, dataDir: kept });
      let client = new MongoClient(one.urlFor('keep'));
      await client.db().collection('things').insertOne({ name: 'kept' });
      await client.close();
      await one.stop();
      expect(existsSync(kept)).toBe(true);

      const two = await launchDatabase({ useExternal: false, dataDir: kept });
      client = new MongoClient(two.urlFor('keep'));
      expect(
        await client
          .db()
          .collection('things')
          .findOne({}, { projection: { _id: 0 } }),
      ).toEqual({ name: 'kept' });
      await client.close();
      await two.stop();
    } finally {
      rmSync(kept, { recursive: true, force: true });
    }
  });

  it("keeps a temporary server's data across a restart only when asked to", async () => {
    const first = await launchDatabase({ useExternal: false });
    const { dataDir, port } = first as { dataDir: string; port: number };
    let client = new MongoClient(first.urlFor('restart'));
    await client.db().collection('things').insertOne({ name: 'survivor' });
    await client.close();
    await first.stop({ keepData: true });
    expect(existsSync(dataDir)).toBe(true);

    const second = await launchDatabase({ useExternal: false, dataDir, port, removeOnStop: true });
    client = new MongoClient(second.urlFor('restart'));
    expect(await client.db().collection('things').countDocuments({ name: 'survivor' })).toBe(1);
    await client.close();
    await second.stop();
    expect(existsSync(dataDir)).toBe(false);
  });

  it('leaves no server behind when its launcher is killed outright', async () => {
    const script = `
      const { launchDatabase } = require(${JSON.stringify(require.resolve('../dist'))});
      launchDatabase({ useExternal: false }).then((db) => { process.stdout.write(JSON.stringify({ port: db.port }) + '\\n'); setInterval(() => {}, 1000); });
    `;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve) =>
      child.stdout.once('data', (chunk: Buffer) =>
        resolve((JSON.parse(chunk.toString()) as { port: number }).port),
      ),
    );
    expect(await accepts(port)).toBe(true);
    child.kill('SIGKILL');
    await eventually(async () => !(await accepts(port)));
  });

  it('fails clearly when the server cannot start', async () => {
    const occupied = await launchDatabase({ useExternal: false });
    try {
      await expect(
        launchDatabase({ useExternal: false, port: occupied.port as number, startTimeoutMs: 5000 }),
      ).rejects.toThrow(/port \d+ is already in use/);
    } finally {
      await occupied.stop();
    }
  });
});

describe('testDatabaseUrl', () => {
  it('names a fresh database per call on the test server', () => {
    const a = testDatabaseUrl('auth tests');
    const b = testDatabaseUrl('auth tests');
    expect(a).not.toBe(b);
    expect(a).toMatch(/\/test_auth_tests_[0-9a-f]{8}$/);
  });
});
