import { z } from 'zod';
import { ROLES } from './models/user';

/** Emails are normalised (trimmed, lower-cased) before they are validated or stored. */
export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ error: 'must be an email address' }))
  // The OpenAPI document shows a pipe's first stage only; it must also say what the second checks.
  // A pattern, not `format: email`, whose meaning differs between validators.
  .meta({ pattern: z.regexes.email.source });

export const RegisterBody = z.strictObject({
  email: Email,
  password: z.string().min(10, 'must be at least 10 characters').max(128, 'must be at most 128 characters'),
  name: z.string().trim().min(1).max(100).optional(),
});

// Login does not re-apply the registration rules (they may change); the bound only caps hashing work.
export const LoginBody = z.strictObject({
  email: Email,
  password: z.string().min(1, 'is required').max(128, 'must be at most 128 characters'),
});

export const User = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  roles: z.array(z.enum(ROLES)),
});

export const UserResponse = z.object({ user: User });

export const TokenResponse = z.object({
  accessToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number().int().describe('Seconds until the access token expires'),
  user: User,
});

export const Jwks = z.object({
  keys: z.array(
    z.looseObject({
      kid: z.string(),
      kty: z.string(),
      alg: z.enum(['RS256', 'ES256']),
      use: z.literal('sig'),
    }),
  ),
});
