import { join } from 'node:path';
import { repoRoot } from './tools';

/** A service as `npm start` runs it natively (ports of docs/contract.md §1). */
export interface NativeService {
  name: string;
  port: number;
  managementPort: number;
  env: (context: PlatformContext) => Record<string, string>;
  /** Environment of the service's idempotent seed script (dist/seed.js), if it has one. */
  seedEnv?: (context: PlatformContext) => Record<string, string>;
}

export interface PlatformContext {
  databaseUrl: (name: string) => string;
  admin: { email: string; password: string };
}

export const JWT_ISSUER = 'http://localhost:8080';
export const JWT_AUDIENCE = 'platform';

/** Development-only administrator; override with ADMIN_EMAIL and ADMIN_PASSWORD. */
export const DEFAULT_ADMIN = { email: 'admin@example.com', password: 'admin-password-dev' };

export const serviceEntry = (name: string, script: 'main' | 'seed') =>
  join(repoRoot, 'apps', name, 'dist', `${script}.js`);

const AUTH_PORT = 3001;
const ITEMS_PORT = 3002;
const verifierEnv = {
  AUTH_JWKS_URL: `http://127.0.0.1:${AUTH_PORT}/api/auth/jwks.json`,
  JWT_ISSUER,
  JWT_AUDIENCE,
};

/** In start order: a service may call the ones before it. */
export const NATIVE_SERVICES: NativeService[] = [
  {
    name: 'auth',
    port: AUTH_PORT,
    managementPort: 9101,
    env: ({ databaseUrl, admin }) => ({
      MONGO_URL: databaseUrl('auth'),
      JWT_ISSUER,
      JWT_AUDIENCE,
      JWT_DEV_KEY_FILE: join(repoRoot, '.data', 'auth', 'jwt-dev-key.pem'),
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
    }),
    seedEnv: ({ databaseUrl, admin }) => ({
      MONGO_URL: databaseUrl('auth'),
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
    }),
  },
  {
    name: 'items',
    port: ITEMS_PORT,
    managementPort: 9102,
    env: ({ databaseUrl }) => ({ MONGO_URL: databaseUrl('items'), ...verifierEnv }),
    seedEnv: ({ databaseUrl }) => ({ MONGO_URL: databaseUrl('items') }),
  },
  {
    name: 'discounts',
    port: 3003,
    managementPort: 9103,
    env: ({ databaseUrl }) => ({
      MONGO_URL: databaseUrl('discounts'),
      ...verifierEnv,
      ITEMS_URL: `http://127.0.0.1:${ITEMS_PORT}`,
    }),
    seedEnv: ({ databaseUrl }) => ({ MONGO_URL: databaseUrl('discounts') }),
  },
];

export function adminFromEnv(): { email: string; password: string } {
  return {
    email: process.env.ADMIN_EMAIL ?? DEFAULT_ADMIN.email,
    password: process.env.ADMIN_PASSWORD ?? DEFAULT_ADMIN.password,
  };
}
