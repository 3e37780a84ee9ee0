import mongoose from 'mongoose';
import type { Logger } from './logger';

export interface DatabaseOptions {
  url: string;
  logger: Logger;
  /** How long one operation waits for a reachable server before failing (and the API answering 503). */
  operationTimeoutMs: number;
  /** Runs once after the first successful connection, retried with the connection: indexes, seed users. */
  initialize?: (connection: mongoose.Connection) => Promise<void>;
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
  'MongoPoolClearedError',
  'MongoServerClosedError',
]);

const CONNECTION_BEHAVIOUR = { bufferCommands: false, autoIndex: false, autoCreate: false } as const;

/** True for errors that mean "the database cannot be reached right now" (answered with 503). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNAVAILABLE_ERROR_NAMES.has(error.name)) return true;
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
 */
export class Database {
  readonly connection: mongoose.Connection;
  private initialized = false;
  private closing = false;
  private readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private wakeUp: (() => void) | undefined;

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
    this.wakeUp?.();
    await this.connection.close();
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
            heartbeatFrequencyMS: 2000,
            ...CONNECTION_BEHAVIOUR,
          });
        }
        await this.options.initialize?.(this.connection);
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
