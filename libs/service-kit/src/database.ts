import mongoose from 'mongoose';
import type { Logger } from './logger';

export interface DatabaseOptions {
  url: string;
  logger: Logger;
  /** How long one operation waits for a reachable server before failing (and the API answering 503). */
  operationTimeoutMs: number;
  /** Runs once after the first successful connection, retried with the connection: indexes, seed users. */
  initialize?: (connection: mongoose.Connection) => Promise<void>;
  /** Subscribes to the command monitoring events of each new client (metrics). */
  monitorCommands?: (client: ReturnType<mongoose.Connection['getClient']>) => void;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
}

const UNAVAILABLE_ERROR_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoClientClosedError',
  'MongoPoolClearedError',
  'MongoServerClosedError',
]);

// The driver passes some socket errors on unwrapped, e.g. an EPIPE from writing a command to a
// connection the server has just closed.
const UNAVAILABLE_SOCKET_CODES = new Set([
  'EPIPE',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ENOTCONN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
]);

// Server answers that mean "not now": shutting down, stepping down, or cut off from the data.
const UNAVAILABLE_SERVER_CODES = new Set([
  6, // HostUnreachable
  7, // HostNotFound
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  9001, // SocketException
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

const HEARTBEAT_FREQUENCY_MS = 2000;

const CONNECTION_BEHAVIOUR = { bufferCommands: false, autoIndex: false, autoCreate: false } as const;

/** True for errors that mean "the database cannot be reached right now" (answered with 503). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNAVAILABLE_ERROR_NAMES.has(error.name)) return true;
  const code: unknown = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNAVAILABLE_SOCKET_CODES.has(code)) return true;
  if (error.name === 'MongoServerError' && typeof code === 'number') {
    if (UNAVAILABLE_SERVER_CODES.has(code)) return true;
    // FerretDB v1 fails an operation cut short by its shutdown with InternalError "context canceled".
    if (code === 1 && error.message.includes('context canceled')) return true;
  }
  // Mongoose refuses operations before the first connection when buffering is off.
  return (
    error.name === 'MongooseError' &&
    /initial connection|not connected|client was closed/i.test(error.message)
  );
}

/**
 * A write refused by a unique index. MongoDB and DocumentDB say so with code 11000; FerretDB v1
 * does for inserts, but reports an update that breaks a unique index as an InternalError (code 1)
 * carrying SQLite's "UNIQUE constraint failed".
 */
export function isDuplicateKeyError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null || !('code' in error)) return false;
  if (error.code === 11000) return true;
  return error.code === 1 && error instanceof Error && error.message.includes('UNIQUE constraint failed');
}

/**
 * One mongoose connection per service. It connects in the background with exponential backoff,
 * so the process starts (and /healthz answers) while the database is still coming up, and runs
 * `initialize` once connected. Operations never buffer: while the database is down they fail
 * within `operationTimeoutMs`, which the API turns into a 503.
 *
 * It also watches the driver's server monitor, which can wedge: a heartbeat written on a socket
 * that the server closed in that same instant waits forever for the socket to drain, and the
 * client then never notices that the server is back. A heartbeat cannot legitimately last beyond
 * its socket timeout (connectTimeoutMS, plus heartbeatFrequencyMS for an awaited one), so one
 * in flight well past that means the client is wedged, and it is replaced by a new one.
 */
export class Database {
  readonly connection: mongoose.Connection;
  private initialized = false;
  private closing = false;
  private readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private wakeUp: (() => void) | undefined;
  /** When each server's heartbeat in flight started. */
  private readonly heartbeats = new Map<string, number>();
  private watchdog: NodeJS.Timeout | undefined;
  private replacing = false;

  constructor(private readonly options: DatabaseOptions) {
    this.connection = mongoose.createConnection();
    // Set before the first openUri so models created now never buffer or build indexes implicitly.
    Object.assign(this.connection.config as object, CONNECTION_BEHAVIOUR);
    this.ready = new Promise((resolve) => (this.resolveReady = resolve));
    this.connection.on('disconnected', () => {
      if (!this.closing) options.logger.warn('database connection lost; the driver keeps retrying');
    });
    this.connection.on('reconnected', () => options.logger.info('database connection restored'));
  }

  /** Starts connecting; returns at once. */
  start(): void {
    void this.connectLoop();
    this.watchdog = setInterval(() => this.checkHeartbeats(), 1000);
    this.watchdog.unref();
  }

  /** Resolves once connected and initialized. */
  whenReady(): Promise<void> {
    return this.ready;
  }

  get isInitialized(): boolean {
    return this.initialized;
  }

  /** Readiness check: throws with a reason while the database is unreachable or not initialized. */
  check = async (): Promise<void> => {
    if (!this.initialized) throw new Error('not connected yet');
    const db = this.connection.db;
    if (!db) throw new Error('not connected');
    await db.command({ ping: 1 }, { timeoutMS: Math.min(this.options.operationTimeoutMs, 2000) });
  };

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.watchdog);
    this.wakeUp?.();
    await this.connection.close();
  }

  private checkHeartbeats(): void {
    if (this.closing || this.replacing || this.heartbeats.size === 0) return;
    const oldest = Math.min(...this.heartbeats.values());
    // The heartbeat's own socket timeout, plus room for a busy event loop.
    if (Date.now() - oldest <= this.options.operationTimeoutMs + HEARTBEAT_FREQUENCY_MS + 5000) return;
    this.replacing = true;
    this.options.logger.warn(
      { heartbeatRunningMs: Date.now() - oldest },
      'the database client stopped monitoring the server; replacing it',
    );
    this.heartbeats.clear();
    // Not forced: mongoose would refuse every later operation on a force-closed connection.
    void this.connection
      .close()
      .catch((error: unknown) =>
        this.options.logger.warn({ err: error }, 'closing the wedged database client failed'),
      )
      .then(() => this.connectLoop())
      .finally(() => (this.replacing = false));
  }

  private watchHeartbeats(): void {
    const client = this.connection.getClient();
    client.on('serverHeartbeatStarted', (event: mongoose.mongo.ServerHeartbeatStartedEvent) => {
      if (!this.heartbeats.has(event.connectionId)) this.heartbeats.set(event.connectionId, Date.now());
    });
    const finished = (event: { connectionId: string }) => this.heartbeats.delete(event.connectionId);
    client.on('serverHeartbeatSucceeded', finished);
    client.on('serverHeartbeatFailed', finished);
  }

  private async connectLoop(): Promise<void> {
    const { logger, url, operationTimeoutMs } = this.options;
    let delay = this.options.initialBackoffMs ?? 250;
    const maxDelay = this.options.maxBackoffMs ?? 10_000;
    for (let attempt = 1; !this.closing; attempt++) {
      try {
        if (this.connection.readyState !== mongoose.ConnectionStates.connected) {
          await this.connection.openUri(url, {
            serverSelectionTimeoutMS: operationTimeoutMs,
            connectTimeoutMS: operationTimeoutMs,
            heartbeatFrequencyMS: HEARTBEAT_FREQUENCY_MS,
            monitorCommands: this.options.monitorCommands !== undefined,
            ...CONNECTION_BEHAVIOUR,
          });
          this.watchHeartbeats();
          this.options.monitorCommands?.(this.connection.getClient());
        }
        if (!this.initialized) await this.options.initialize?.(this.connection);
        this.initialized = true;
        logger.info({ attempt }, 'database connected');
        this.resolveReady();
        return;
      } catch (error) {
        if (this.closing) return;
        logger.warn(
          { attempt, retryInMs: delay, err: error instanceof Error ? error.message : String(error) },
          'database not available yet',
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay + Math.floor(Math.random() * delay * 0.2));
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        delay = Math.min(delay * 2, maxDelay);
      }
    }
  }
}
