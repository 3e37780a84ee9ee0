import type { PlatformContext } from './platform';
import { NATIVE_SERVICES, serviceEntry } from './platform';
import { runNodeScript } from './service-process';

/** Runs every service's seed script in start order; each is idempotent. Returns their summaries. */
export async function seedPlatform(context: PlatformContext): Promise<string[]> {
  const summaries: string[] = [];
  for (const service of NATIVE_SERVICES) {
    if (!service.seedEnv) continue;
    const result = await runNodeScript(serviceEntry(service.name, 'seed'), service.seedEnv(context));
    const output = `${result.stdout}${result.stderr}`;
    if (result.code !== 0) throw new Error(`seeding ${service.name} failed:\n${output.trim()}`);
    summaries.push(output.trim());
  }
  return summaries;
}
