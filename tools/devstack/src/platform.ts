import { join } from 'node:path';
import { repoRoot } from './tools';

/** A service as `npm start` runs it natively (SPEC section 1 ports). */
export interface NativeService {
  name: string;
  entry: string;
  port: number;
  managementPort: number;
  env: (context: PlatformContext) => Record<string, string>;
}

export interface PlatformContext {
  databaseUrl: (name: string) => string;
  admin: { email: string; password: string };
}

export const JWT_ISSUER = 'http://localhost:8080';
export const JWT_AUDIENCE = 'platform';

/** Development-only administrator; override with ADMIN_EMAIL and ADMIN_PASSWORD. */
export const DEFAULT_ADMIN = { email: 'admin@example.com', password: 'admin-password-dev' };

export const NATIVE_SERVICES: NativeService[] = [
  {
    name: 'auth',
    entry: join(repoRoot, 'apps', 'auth', 'dist', 'main.js'),
    port: 3001,
    managementPort: 9101,
    env: ({ databaseUrl, admin }) => ({
      MONGO_URL: databaseUrl('auth'),
      JWT_ISSUER,
      JWT_AUDIENCE,
      JWT_DEV_KEY_FILE: join(repoRoot, '.data', 'auth', 'jwt-dev-key.pem'),
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
    }),
  },
];
