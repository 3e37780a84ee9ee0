import type { z } from 'zod';
import { loadConfig, serviceEnvSchema, tokenVerificationEnv } from '@platform/service-kit';

export const itemsEnvSchema = serviceEnvSchema.extend(tokenVerificationEnv);

export type ItemsConfig = z.output<typeof itemsEnvSchema>;

export function loadItemsConfig(env: Record<string, string | undefined> = process.env): ItemsConfig {
  return loadConfig(itemsEnvSchema, env);
}
