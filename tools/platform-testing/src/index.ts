import { generateKeyPairSync } from 'node:crypto';
import type { AuthConfig } from '@platform/auth';
import { createAuthService, loadAuthConfig } from '@platform/auth';
import type { Service, ServiceEnv } from '@platform/service-kit';
import { createLogger } from '@platform/service-kit';
import { dropDatabase, testDatabaseUrl } from '@platform/devstack';

export const TEST_ISSUER = 'https://auth.test';
export const TEST_AUDIENCE = 'platform';
const ADMIN = { email: 'admin@platform.test', password: 'admin password for tests' };
const USER = { email: 'user@platform.test', password: 'user password for tests' };

export interface TestAuth {
  service: Service<AuthConfig>;
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
  const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  });
  const auth = await startTestService('auth_for_tests', loadAuthConfig, createAuthService, {
    JWT_PRIVATE_KEY: privateKey.toString(),
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    // Cheap hashing keeps suites quick; auth's own tests cover the real cost.
    PASSWORD_SCRYPT_N: '1024',
    PASSWORD_SCRYPT_P: '1',
    LOGIN_MAX_FAILURES_PER_CLIENT: '1000',
  });
  const { service } = auth;
  const api = service.apiUrl;

  const post = async (path: string, body: unknown) =>
    fetch(`${api}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
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
    stop: auth.stop,
  };
}

export interface TestService<C extends ServiceEnv> {
  service: Service<C>;
  url: string;
  stop: () => Promise<void>;
}

/**
 * Starts any platform service on loopback ephemeral ports with its own fresh test database,
 * quiet logs and the given environment, and waits until it is ready.
 */
export async function startTestService<C extends ServiceEnv>(
  name: string,
  load: (env: Record<string, string>) => C,
  create: (config: C, options: { logger: ReturnType<typeof createLogger> }) => Service<C>,
  env: Record<string, string>,
): Promise<TestService<C>> {
  const config = load({
    NODE_ENV: 'test',
    PORT: '0',
    MANAGEMENT_PORT: '0',
    MONGO_URL: testDatabaseUrl(name),
    LOG_LEVEL: 'silent',
    ...env,
  });
  const service = create(config, { logger: createLogger({ service: name, level: 'silent' }) });
  await service.start();
  await service.whenReady();
  return {
    service,
    url: service.apiUrl,
    stop: async () => {
      await service.stop();
      await dropDatabase(config.MONGO_URL);
    },
  };
}
