import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { withDatabaseName } from './database/launcher';

/**
 * A connection string for a fresh database on the test server (set up by the jest global setup
 * through MONGO_URL), unique to this test file and run.
 */
export function testDatabaseUrl(label: string): string {
  const base = process.env.MONGO_URL;
  if (!base)
    throw new Error('MONGO_URL is not set: run the tests through jest, whose global setup starts a database');
  const name = `test_${label.replace(/[^A-Za-z0-9]/g, '_')}_${randomBytes(4).toString('hex')}`;
  return withDatabaseName(base, name);
}

export async function dropDatabase(url: string): Promise<void> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.connect();
    await client.db().dropDatabase();
  } finally {
    await client.close();
  }
}
