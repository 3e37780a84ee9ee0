import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestHandler } from 'express';
import type { Connection } from 'mongoose';
import type { ServiceEnv } from './config';
import { bindHost, ConfigError } from './config';
import { Database } from './database';
import { monitorDatabaseCommands } from './database-metrics';
import { createAppServer } from './http/server';
import { createApiApp } from './http/app';
import type { ApiRouter } from './http/router';
import type { Logger } from './logger';
import { createLogger } from './logger';
import { createManagementApp } from './management';
import type { ServiceMetrics } from './metrics';
import { createMetrics } from './metrics';
import { Readiness } from './readiness';

export interface ServiceContext<C extends ServiceEnv> {
  name: string;
  config: C;
  logger: Logger;
  connection: Connection;
  metrics: ServiceMetrics;
  readiness: Readiness;
}

/** What a service contributes; everything else (servers, probes, shutdown) is the kit's. */
export interface ServiceParts {
  routers: ApiRouter[];
  middleware?: RequestHandler[];
  /** Indexes, seed data: runs after every fresh connection until it succeeds once. */
  initializeDatabase?: (connection: Connection) => Promise<void>;
  /** Releases what the service opened itself (timers, clients), after the servers have drained. */
  onStop?: () => Promise<void> | void;
}

export interface ServiceOptions<C extends ServiceEnv> {
  name: string;
  config: C;
  logger?: Logger;
  build: (context: ServiceContext<C>) => ServiceParts;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A running service: the API server, the management server and the database connection. */
export class Service<C extends ServiceEnv = ServiceEnv> {
  readonly name: string;
  readonly config: C;
  readonly logger: Logger;
  readonly readiness = new Readiness();
  readonly metrics: ServiceMetrics;
  private readonly database: Database;
  private readonly parts: ServiceParts;
  private apiServer: Server | undefined;
  private managementServer: Server | undefined;
  private stopping: Promise<void> | undefined;

  constructor(options: ServiceOptions<C>) {
    this.name = options.name;
    this.config = options.config;
    this.logger = options.logger ?? createLogger({ service: options.name, level: options.config.LOG_LEVEL });
    this.metrics = createMetrics(options.name, this.readiness);
    this.database = new Database({
      url: this.config.MONGO_URL,
      logger: this.logger.child({ component: 'database' }),
      operationTimeoutMs: this.config.DATABASE_TIMEOUT,
      monitorCommands: (client) => monitorDatabaseCommands(client, this.metrics),
      initialize: (connection) => this.parts.initializeDatabase?.(connection) ?? Promise.resolve(),
    });
    this.readiness.add('database', this.database.check);
    this.parts = options.build({
      name: this.name,
      config: this.config,
      logger: this.logger,
      connection: this.database.connection,
      metrics: this.metrics,
      readiness: this.readiness,
    });
  }

  get connection(): Connection {
    return this.database.connection;
  }

  /** Opens both ports and starts connecting to the database in the background. */
  async start(): Promise<void> {
    const host = bindHost(this.config);
    const api = createApiApp({
      logger: this.logger,
      metrics: this.metrics,
      routers: this.parts.routers,
      trustProxy: this.config.TRUST_PROXY,
      isShuttingDown: () => this.readiness.isShuttingDown,
      middleware: this.parts.middleware ?? [],
    });
    this.apiServer = createAppServer(api);
    // Longer than common load balancer idle timeouts, so the balancer closes first.
    this.apiServer.keepAliveTimeout = 65_000;
    this.apiServer.headersTimeout = 66_000;
    this.apiServer.requestTimeout = 30_000;
    this.managementServer = createAppServer(
      createManagementApp({ logger: this.logger, metrics: this.metrics, readiness: this.readiness }),
    );
    await listen(this.apiServer, host, this.config.PORT);
    await listen(this.managementServer, host, this.config.MANAGEMENT_PORT);
    this.database.start();
    this.logger.info({ api: this.apiUrl, management: this.managementUrl }, `${this.name} listening`);
  }

  /** Resolves when the database is connected and initialized. */
  whenReady(): Promise<void> {
    return this.database.whenReady();
  }

  get apiUrl(): string {
    return urlOf(this.apiServer);
  }

  get managementUrl(): string {
    return urlOf(this.managementServer);
  }

  /**
   * Graceful stop: readiness turns 503, the optional delay lets load balancers notice, the API
   * stops accepting and drains in-flight requests (forced after SHUTDOWN_TIMEOUT), then the
   * management server and the database close. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.readiness.markShuttingDown();
      this.logger.info('shutting down');
      if (this.config.SHUTDOWN_DELAY > 0) await pause(this.config.SHUTDOWN_DELAY);
      if (this.apiServer) await drain(this.apiServer, this.config.SHUTDOWN_TIMEOUT, this.logger);
      if (this.managementServer) await drain(this.managementServer, 1000, this.logger);
      await this.parts.onStop?.();
      await this.database.close();
      this.logger.info('stopped');
    })();
    return this.stopping;
  }
}

async function listen(server: Server, host: string, port: number): Promise<void> {
  server.listen(port, host);
  await once(server, 'listening');
}

function urlOf(server: Server | undefined): string {
  const address = server?.address() as AddressInfo | null | undefined;
  if (!address) throw new Error('server is not listening');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** Stops accepting, lets in-flight requests finish, closes idle keep-alive sockets as they free up. */
async function drain(server: Server, timeoutMs: number, logger: Logger): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const sweeper = setInterval(() => server.closeIdleConnections(), 100);
  server.closeIdleConnections();
  const deadline = setTimeout(() => {
    logger.warn({ timeoutMs }, 'requests still running at the shutdown deadline; closing their connections');
    server.closeAllConnections();
  }, timeoutMs);
  try {
    await closed;
  } finally {
    clearInterval(sweeper);
    clearTimeout(deadline);
  }
}

/**
 * The process entry point of a service: builds it (a configuration error prints one line and
 * exits 1), starts it, and on SIGTERM or SIGINT stops it gracefully and exits 0.
 */
export function runMain<C extends ServiceEnv>(name: string, create: () => Service<C>): void {
  let service: Service<C>;
  try {
    service = create();
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : `failed to start: ${String(error)}`;
    process.stderr.write(`${name}: ${message}\n`);
    process.exit(1);
  }
  const { logger } = service;
  const fail = (error: unknown, message: string) => {
    logger.fatal({ err: error }, message);
    process.exit(1);
  };
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, 'signal received');
    // A stuck close must not keep the pod past its termination grace period.
    setTimeout(
      () => fail(new Error('shutdown took too long'), 'forced exit'),
      service.config.SHUTDOWN_DELAY + service.config.SHUTDOWN_TIMEOUT + 5000,
    ).unref();
    service.stop().then(
      () => process.exit(0),
      (error: unknown) => fail(error, 'shutdown failed'),
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('unhandledRejection', (error) => fail(error, 'unhandled promise rejection'));
  service.start().catch((error: unknown) => fail(error, 'could not start'));
}
