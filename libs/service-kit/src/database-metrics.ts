import type mongoose from 'mongoose';
import { isDatabaseUnavailable } from './database';
import type { DatabaseErrorType, ServiceMetrics } from './metrics';

type MongoClient = ReturnType<mongoose.Connection['getClient']>;
type CommandStarted = mongoose.mongo.CommandStartedEvent;
type CommandSucceeded = mongoose.mongo.CommandSucceededEvent;
type CommandFailed = mongoose.mongo.CommandFailedEvent;

// Names the driver and our models use; anything else is folded so a label cannot grow unbounded.
const NAME = /^[A-Za-z0-9_.$-]{1,80}$/;
// A command whose answer never comes (its connection dropped without an event) must not pin memory.
const MAX_IN_FLIGHT = 10_000;

// Server codes that mean the operation ran out of time: MaxTimeMSExpired, NetworkTimeout.
const TIMEOUT_SERVER_CODES = new Set([50, 89]);

/** The collection a command works on: most name it as their first field, getMore as `collection`. */
export function commandCollection(commandName: string, command: Record<string, unknown>): string {
  const target = commandName === 'getMore' ? command.collection : command[commandName];
  if (typeof target !== 'string') return '';
  return NAME.test(target) ? target : 'other';
}

export function databaseErrorType(error: unknown): DatabaseErrorType {
  if (error instanceof Error) {
    const code: unknown = (error as { code?: unknown }).code;
    if (/Timeout/.test(error.name) || (typeof code === 'number' && TIMEOUT_SERVER_CODES.has(code))) {
      return 'timeout';
    }
  }
  return isDatabaseUnavailable(error) ? 'unavailable' : 'server';
}

/**
 * Observes every command the driver sends through its command monitoring events (the client
 * needs `monitorCommands: true`): its duration by command and collection, and its failures by
 * error type. Nothing in the services wraps a database call to be measured.
 */
export function monitorDatabaseCommands(client: MongoClient, metrics: ServiceMetrics): void {
  const collections = new Map<number, string>();
  client.on('commandStarted', (event: CommandStarted) => {
    if (collections.size >= MAX_IN_FLIGHT) collections.clear();
    collections.set(event.requestId, commandCollection(event.commandName, event.command));
  });
  const observe = durationRecorder(metrics.databaseOperationDuration);
  const finished = (event: CommandSucceeded | CommandFailed) => {
    const collection = collections.get(event.requestId) ?? '';
    collections.delete(event.requestId);
    const operation = NAME.test(event.commandName) ? event.commandName : 'other';
    observe(operation, collection, event.duration / 1000);
    return { operation, collection };
  };
  client.on('commandSucceeded', finished);
  client.on('commandFailed', (event: CommandFailed) => {
    const labels = finished(event);
    metrics.databaseOperationErrors.inc({ ...labels, error_type: databaseErrorType(event.failure) });
  });
}

/**
 * Observes command durations by operation and collection. Each pair's labelled series is looked
 * up once and kept, so a command allocates no label object (both label sets are bounded: the
 * driver's command names and the collections, each checked against NAME).
 */
function durationRecorder(
  histogram: ServiceMetrics['databaseOperationDuration'],
): (operation: string, collection: string, seconds: number) => void {
  type Series = ReturnType<typeof histogram.labels>;
  const byCollection = new Map<string, Map<string, Series>>();
  return (operation, collection, seconds) => {
    let byOperation = byCollection.get(collection);
    if (!byOperation) byCollection.set(collection, (byOperation = new Map<string, Series>()));
    let series = byOperation.get(operation);
    if (!series) {
      series = histogram.labels({ operation, collection });
      byOperation.set(operation, series);
    }
    series.observe(seconds);
  };
}
