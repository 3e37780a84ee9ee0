import type { LocalDatabase } from '../database/launcher';
import { databaseEngine, launchDatabase } from '../database/launcher';

declare global {
  var __platformTestDatabase: LocalDatabase | undefined;
}

/**
 * Jest global setup: one database server per test run, shared by its files through MONGO_URL.
 * TEST_DATABASE_ENGINE tells tests which engine answers (`mongodb` or `ferretdb`), for the few
 * checks only one of them can make.
 */
export default async function globalSetup(): Promise<void> {
  const database = await launchDatabase();
  globalThis.__platformTestDatabase = database;
  process.env.MONGO_URL = database.url;
  process.env.TEST_DATABASE_ENGINE = await databaseEngine(database.urlFor('admin'));
}
