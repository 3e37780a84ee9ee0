import { z } from 'zod';

/** Start-up configuration that failed validation; its message is one line naming every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

const DURATION_UNITS_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `500ms`, `30s`, `15m`, `12h`, `7d` or a bare number of seconds into milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? 's') as keyof typeof DURATION_UNITS_MS;
  return Number(match[1]) * DURATION_UNITS_MS[unit];
}

/** A duration variable (see parseDuration), yielding milliseconds. */
export const durationMs = () =>
  z.string().transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a positive duration such as 30s, 15m or 7d (got "${text}")`,
      });
      return z.NEVER;
    }
    return ms;
  });

/** A TCP port; 0 asks the OS for a free one (used by tests). */
export const port = () =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number between 0 and 65535')
    .transform(Number)
    .pipe(z.number().int().max(65535, 'must be a whole number between 0 and 65535'));

export const positiveInt = () =>
  z
    .string()
    .regex(/^\d+$/, 'must be a positive whole number')
    .transform(Number)
    .pipe(z.number().int().positive('must be a positive whole number'));

export const mongoUrl = () =>
  z.string().regex(/^mongodb(\+srv)?:\/\/\S+$/, 'must be a mongodb:// or mongodb+srv:// connection string');

export const logLevel = () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** Variables every service reads (docs/contract.md §2.1), plus the operational knobs the kit needs. */
export const serviceEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).optional(),
  PORT: port(),
  MANAGEMENT_PORT: port(),
  MONGO_URL: mongoUrl(),
  LOG_LEVEL: logLevel().default('info'),
  TRUST_PROXY: z.string().default('loopback, linklocal, uniquelocal'),
  SHUTDOWN_TIMEOUT: durationMs().default(10_000),
  SHUTDOWN_DELAY: z
    .string()
    .default('0')
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a duration such as 0, 5s or 500ms (got "${text}")`,
        });
        return z.NEVER;
      }
      return ms;
    }),
  DATABASE_TIMEOUT: durationMs().default(3000),
});

export type ServiceEnv = z.output<typeof serviceEnvSchema>;

/** Host to bind: all interfaces in production (containers), loopback elsewhere. */
export function bindHost(config: Pick<ServiceEnv, 'HOST' | 'NODE_ENV'>): string {
  return config.HOST ?? (config.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1');
}

/** Validates the environment against a schema; throws ConfigError naming every bad variable. */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.output<S> {
  // An empty variable counts as unset, so `FOO=` never sneaks past a default or a required check.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.map(String).join('.') || 'environment';
    const missing = issue.code === 'invalid_type' && issue.path.length > 0 && cleaned[variable] === undefined;
    return `${variable} ${missing ? 'is required' : issue.message}`;
  });
  throw new ConfigError(problems);
}
