import { z } from 'zod';
import { durationMs, loadConfig, serviceEnvSchema, tokenVerificationEnv } from '@platform/service-kit';

export const discountsEnvSchema = serviceEnvSchema.extend({
  ...tokenVerificationEnv,
  ITEMS_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://items:8080' }),
  /** How long one request to items may take; the quote retries once, then answers 503. */
  ITEMS_TIMEOUT: durationMs().default(2000),
});

export type DiscountsConfig = z.output<typeof discountsEnvSchema>;

export function loadDiscountsConfig(env: Record<string, string | undefined> = process.env): DiscountsConfig {
  return loadConfig(discountsEnvSchema, env);
}
