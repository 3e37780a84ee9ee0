import type { LocalDatabase } from '../database/launcher';
import { launchDatabase } from '../database/launcher';

declare global {
  var __platformTestDatabase: LocalDatabase | undefined;
}

/** Jest global setup: one database server per test run, shared by its files through MONGO_URL. */
export default async function globalSetup(): Promise<void> {
  const database = await launchDatabase();
  globalThis.__platformTestDatabase = database;
  process.env.MONGO_URL = database.url;
}
