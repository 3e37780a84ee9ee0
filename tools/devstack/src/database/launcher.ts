import { once } from 'node:events';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { spawnSupervised } from '../supervised';
import { findOnPath, toolPath } from '../tools';

export type DatabaseKind = 'external' | 'mongod' | 'ferretdb';

export interface LaunchOptions {
  /** Use MONGO_URL when it is set (default true). Tests that stop the server pass false. */
  useExternal?: boolean;
  /** Keep data here across runs (npm start); by default a temporary directory removed on stop. */
  dataDir?: string;
  /** Remove the data directory when the server stops (default: only for a temporary one). */
  removeOnStop?: boolean;
  /** Port to listen on (loopback only); by default a free one. */
  port?: number;
  /** How long to wait for the server to accept connections. */
  startTimeoutMs?: number;
}

export interface LocalDatabase {
  kind: DatabaseKind;
  /** Connection string without a database name. */
  url: string;
  port: number | undefined;
  dataDir: string | undefined;
  /** Connection string for one database on this server. */
  urlFor: (databaseName: string) => string;
  /** Stops a server we started (a no-op for an external one); `keepData` leaves its files for a restart. */
  stop: (options?: { keepData?: boolean }) => Promise<void>;
}

const MONGO_URL_PARTS = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(\/[^?]*)?(\?.*)?$/;

/** Replaces the database name in a connection string, keeping hosts, credentials and options. */
export function withDatabaseName(url: string, databaseName: string): string {
  const match = MONGO_URL_PARTS.exec(url);
  if (!match) throw new Error('MONGO_URL must be a mongodb:// or mongodb+srv:// connection string');
  return `${match[1]}/${databaseName}${match[3] ?? ''}`;
}

export function portAcceptsConnections(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (!address || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

/** Resolves once a server at url answers a ping; throws after timeoutMs or when `gaveUp` says so. */
export async function waitForDatabase(
  url: string,
  timeoutMs: number,
  gaveUp: () => string | undefined = () => undefined,
) {
  const deadline = Date.now() + timeoutMs;
  let lastError = 'no answer';
  while (Date.now() < deadline) {
    const reason = gaveUp();
    if (reason) throw new Error(reason);
    const client = new MongoClient(url, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 });
    try {
      await client.connect();
      await client.db('admin').command({ ping: 1 });
      return;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.close().catch(() => undefined);
    }
  }
  throw new Error(`database at ${url} did not answer within ${timeoutMs} ms: ${lastError}`);
}

/** `ferretdb` or `mongodb` (MongoDB itself, or a compatible service such as DocumentDB). */
export async function databaseEngine(url: string): Promise<'ferretdb' | 'mongodb'> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    return info.ferretdbVersion === undefined ? 'mongodb' : 'ferretdb';
  } finally {
    await client.close();
  }
}

function serverCommand(kind: 'mongod' | 'ferretdb', binary: string, dataDir: string, port: number): string[] {
  if (kind === 'mongod') {
    return [binary, '--dbpath', dataDir, '--port', String(port), '--bind_ip', '127.0.0.1', '--quiet'];
  }
  return [
    binary,
    '--handler=sqlite',
    `--sqlite-url=file:${dataDir}/`,
    `--state-dir=${dataDir}`,
    `--listen-addr=127.0.0.1:${port}`,
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=warn',
  ];
}

/**
 * Provides a MongoDB-compatible server: MONGO_URL when set, else a `mongod` on PATH, else FerretDB
 * with its SQLite backend (built by scripts/tools.sh). A server we start listens on loopback, is
 * watched by a supervisor that stops it if this process dies, and is stopped by `stop()`.
 */
export async function launchDatabase(options: LaunchOptions = {}): Promise<LocalDatabase> {
  const external = process.env.MONGO_URL;
  if ((options.useExternal ?? true) && external) {
    const url = withDatabaseName(external, '');
    await waitForDatabase(withDatabaseName(external, 'admin'), options.startTimeoutMs ?? 30_000);
    return {
      kind: 'external',
      url,
      port: undefined,
      dataDir: undefined,
      urlFor: (name) => withDatabaseName(external, name),
      stop: () => Promise.resolve(),
    };
  }

  const mongod = findOnPath('mongod');
  const kind = mongod ? 'mongod' : 'ferretdb';
  const binary = mongod ?? (await toolPath('ferretdb'));
  const removeOnStop = options.removeOnStop ?? options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'platform-db-'));
  mkdirSync(dataDir, { recursive: true });
  const port = options.port ?? (await freePort());
  // Otherwise the readiness ping below could reach someone else's server on that port.
  if (await portAcceptsConnections(port))
    throw new Error(`cannot start ${kind}: port ${port} is already in use`);
  const url = `mongodb://127.0.0.1:${port}/`;

  const server = spawnSupervised(binary, serverCommand(kind, binary, dataDir, port).slice(1), {
    ...(removeOnStop ? { cleanupDir: dataDir } : {}),
  });
  const exited = () => {
    const reason = server.exitReason();
    return reason && `${kind}: ${reason} before accepting connections:\n${server.output()}`;
  };
  const stop = server.stop;

  try {
    await waitForDatabase(`${url}admin`, options.startTimeoutMs ?? 30_000, exited);
    const failed = exited();
    if (failed) throw new Error(failed);
  } catch (error) {
    await stop();
    throw error;
  }
  return { kind, url, port, dataDir, urlFor: (name) => withDatabaseName(url, name), stop };
}
