/** `npm run seed`: the demo data and the admin, on the database `npm start` uses. Idempotent. */
import { join } from 'node:path';
import { launchDatabase } from './database/launcher';
import { adminFromEnv } from './platform';
import { seedPlatform } from './seed';
import { repoRoot } from './tools';

async function main(): Promise<void> {
  const database = await launchDatabase({ dataDir: join(repoRoot, '.data', 'db') });
  try {
    for (const line of await seedPlatform({ databaseUrl: database.urlFor, admin: adminFromEnv() })) {
      process.stdout.write(`${line}\n`);
    }
  } finally {
    await database.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run seed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
