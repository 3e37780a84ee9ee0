import mongoose from 'mongoose';
import type { Connection } from 'mongoose';
import type { z } from 'zod';
import { ConfigError, loadConfig } from './config';

/**
 * The entry point of a service's seed script: validates its environment (MONGO_URL and whatever
 * else the schema names), connects, runs `seed`, prints its one-line summary and exits 0, or
 * prints the error and exits 1. Seeds must be idempotent: a second run changes nothing.
 */
export function runSeed<S extends z.ZodType<{ MONGO_URL: string }>>(
  name: string,
  schema: S,
  seed: (connection: Connection, config: z.output<S>) => Promise<string>,
): void {
  const main = async () => {
    const config = loadConfig(schema);
    const connection = await mongoose
      .createConnection(config.MONGO_URL, {
        serverSelectionTimeoutMS: 10_000,
        autoIndex: false,
        autoCreate: false,
      })
      .asPromise();
    try {
      process.stdout.write(`${name} seed: ${await seed(connection, config)}\n`);
    } finally {
      await connection.close();
    }
  };
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `${name} seed: ${error instanceof ConfigError ? error.message : error instanceof Error ? error.stack : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
