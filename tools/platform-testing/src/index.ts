import { generateKeyPairSync } from 'node:crypto';
import { createAuthService, loadAuthConfig } from '@platform/auth';
import type { Service } from '@platform/service-kit';
import { createLogger } from '@platform/service-kit';
import { dropDatabase, testDatabaseUrl } from '@platform/devstack';

export const TEST_ISSUER = 'https://auth.test';
export const TEST_AUDIENCE = 'platform';
const ADMIN = { email: 'admin@platform.test', password: 'admin password for tests' };
const USER = { email: 'user@platform.test', password: 'user password for tests' };

export interface TestAuth {
  service: Service;
  jwksUrl: string;
  /** Environment a token-verifying service needs to trust this auth. */
  verifierEnv: { AUTH_JWKS_URL: string; JWT_ISSUER: string; JWT_AUDIENCE: string };
  adminToken: () => Promise<string>;
  userToken: () => Promise<string>;
  stop: () => Promise<void>;
}

/**
 * Starts the real auth service on loopback with an admin and a plain user, so another service's
 * tests verify real tokens against a real JWKS over HTTP.
 */
export async function startTestAuth(): Promise<TestAuth> {
  const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
  const config = loadAuthConfig({
    NODE_ENV: 'test',
    PORT: '0',
    MANAGEMENT_PORT: '0',
    MONGO_URL: testDatabaseUrl('auth_for_tests'),
    LOG_LEVEL: 'silent',
    JWT_PRIVATE_KEY: privateKey.toString(),
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    PASSWORD_SCRYPT_N: '1024',
    PASSWORD_SCRYPT_P: '1',
    LOGIN_MAX_FAILURES_PER_CLIENT: '1000',
  });
  const service = createAuthService(config, { logger: createLogger({ service: 'auth', level: 'silent' }) });
  await service.start();
  await service.whenReady();
  const api = service.apiUrl;

  const post = async (path: string, body: unknown) =>
    fetch(`${api}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const register = await post('/api/auth/register', USER);
  if (register.status !== 201) throw new Error(`could not register the test user: ${register.status}`);
  const login = async (who: { email: string; password: string }) => {
    const res = await post('/api/auth/login', who);
    if (!res.ok) throw new Error(`test login failed: ${res.status}`);
    return ((await res.json()) as { accessToken: string }).accessToken;
  };

  const jwksUrl = `${api}/api/auth/jwks.json`;
  return {
    service,
    jwksUrl,
    verifierEnv: { AUTH_JWKS_URL: jwksUrl, JWT_ISSUER: TEST_ISSUER, JWT_AUDIENCE: TEST_AUDIENCE },
    adminToken: () => login(ADMIN),
    userToken: () => login(USER),
    stop: async () => {
      await service.stop();
      await dropDatabase(config.MONGO_URL);
    },
  };
}
