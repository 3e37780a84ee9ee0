import { z } from 'zod';
import { Email } from './schemas';
import { durationMs, loadConfig, positiveInt, serviceEnvSchema } from '@platform/service-kit';

/** The variables without the rules that relate them (seed scripts pick from these). */
export const authEnvFields = serviceEnvSchema.extend({
  JWT_PRIVATE_KEY: z.string().optional(),
  JWT_PRIVATE_KEY_FILE: z.string().optional(),
  /** Public keys of earlier signing keys, still published in the JWKS during a key rotation. */
  JWT_PREVIOUS_PUBLIC_KEYS: z.string().optional(),
  JWT_PREVIOUS_PUBLIC_KEYS_FILE: z.string().optional(),
  /** Development only: where a generated signing key is kept so tokens survive restarts. */
  JWT_DEV_KEY_FILE: z.string().default('.data/auth/jwt-dev-key.pem'),
  JWT_ISSUER: z.string().min(1),
  JWT_AUDIENCE: z.string().min(1),
  ACCESS_TOKEN_TTL: durationMs().default(15 * 60_000),
  REFRESH_TOKEN_TTL: durationMs().default(7 * 86_400_000),
  // Normalised exactly as registration and login normalise emails, so the admin can log in.
  ADMIN_EMAIL: Email.optional(),
  ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters').max(128).optional(),
  PASSWORD_SCRYPT_N: positiveInt()
    .refine(
      (n) => Number.isInteger(Math.log2(n)) && n >= 1024 && n <= 2 ** 20,
      'must be a power of two from 1024 to 1048576',
    )
    .default(2 ** 16),
  PASSWORD_SCRYPT_R: positiveInt()
    .refine((r) => r <= 32, 'must be at most 32')
    .default(8),
  PASSWORD_SCRYPT_P: positiveInt()
    .refine((p) => p <= 16, 'must be at most 16')
    .default(2),
  LOGIN_MAX_FAILURES_PER_EMAIL: positiveInt().default(5),
  LOGIN_MAX_FAILURES_PER_CLIENT: positiveInt().default(30),
  LOGIN_FAILURE_WINDOW: durationMs().default(15 * 60_000),
  REFRESH_COOKIE_SECURE: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
});

export const authEnvSchema = authEnvFields.superRefine((env, ctx) => {
  if (env.JWT_PRIVATE_KEY && env.JWT_PRIVATE_KEY_FILE) {
    ctx.addIssue({
      code: 'custom',
      path: ['JWT_PRIVATE_KEY'],
      message: 'and JWT_PRIVATE_KEY_FILE are both set; set one',
    });
  }
  if (env.NODE_ENV === 'production' && !env.JWT_PRIVATE_KEY && !env.JWT_PRIVATE_KEY_FILE) {
    ctx.addIssue({
      code: 'custom',
      path: ['JWT_PRIVATE_KEY'],
      message: 'is required in production (or JWT_PRIVATE_KEY_FILE)',
    });
  }
  if (Boolean(env.ADMIN_EMAIL) !== Boolean(env.ADMIN_PASSWORD)) {
    ctx.addIssue({
      code: 'custom',
      path: [env.ADMIN_EMAIL ? 'ADMIN_PASSWORD' : 'ADMIN_EMAIL'],
      message: 'is required when the other of ADMIN_EMAIL and ADMIN_PASSWORD is set',
    });
  }
  // OWASP's floor for scrypt: N * p >= 2^17 with r = 8.
  if (
    env.NODE_ENV === 'production' &&
    env.PASSWORD_SCRYPT_N * env.PASSWORD_SCRYPT_P * env.PASSWORD_SCRYPT_R < 2 ** 20
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['PASSWORD_SCRYPT_N'],
      message: 'is too weak for production: N * r * p must be at least 1048576 (e.g. N=65536, r=8, p=2)',
    });
  }
});

export type AuthConfig = z.output<typeof authEnvSchema>;

export function loadAuthConfig(env: Record<string, string | undefined> = process.env): AuthConfig {
  return loadConfig(authEnvSchema, env);
}
