import { generateKeyPairSync } from 'node:crypto';
import request from 'supertest';
import type { Response } from 'supertest';
import { dropDatabase, testDatabaseUrl } from '@platform/devstack';
import type { Service } from '@platform/service-kit';
import { createAuthService } from '../src/app';
import type { AuthConfig } from '../src/config';
import { loadAuthConfig } from '../src/config';

export const ISSUER = 'https://auth.test';
export const AUDIENCE = 'platform';

/** One RSA signing key for the whole test file, passed in as a deployment would. */
export const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const signingKeyPem = signingKey.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

export function authEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    PORT: '0',
    MANAGEMENT_PORT: '0',
    MONGO_URL: testDatabaseUrl('auth'),
    LOG_LEVEL: 'silent',
    JWT_PRIVATE_KEY: signingKeyPem,
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    // Cheaper than production so the suite stays quick; the format and upgrade path are the same.
    PASSWORD_SCRYPT_N: '16384',
    PASSWORD_SCRYPT_P: '1',
    ...overrides,
  };
}

export interface RunningAuth {
  service: Service<AuthConfig>;
  api: () => ReturnType<typeof request>;
  management: () => ReturnType<typeof request>;
  stop: (options?: { keepDatabase?: boolean }) => Promise<void>;
}

export async function startAuth(overrides: Record<string, string> = {}): Promise<RunningAuth> {
  const service = createAuthService(loadAuthConfig(authEnv(overrides)));
  await service.start();
  await service.whenReady();
  return {
    service,
    api: () => request(service.apiUrl),
    management: () => request(service.managementUrl),
    stop: async ({ keepDatabase = false } = {}) => {
      await service.stop();
      if (!keepDatabase) await dropDatabase(service.config.MONGO_URL);
    },
  };
}

/** The refresh token a response set, with the cookie's attributes. */
export function refreshCookie(res: Response): { value: string; attributes: string[] } | undefined {
  const header = res.headers['set-cookie'] as unknown as string[] | undefined;
  const cookie = header?.find((entry) => entry.startsWith('refresh_token='));
  if (!cookie) return undefined;
  const [pair, ...attributes] = cookie.split(';').map((part) => part.trim());
  return { value: (pair ?? '').slice('refresh_token='.length), attributes };
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}.${process.pid}.${Date.now()}.${counter}@example.com`;
}

export const PASSWORD = 'correct horse battery staple';

export async function registerAndLogin(auth: RunningAuth, email = uniqueEmail(), password = PASSWORD) {
  const registered = await auth.api().post('/api/auth/register').send({ email, password });
  expect(registered.status).toBe(201);
  const login = await auth.api().post('/api/auth/login').send({ email, password });
  expect(login.status).toBe(200);
  return {
    email,
    userId: (login.body as { user: { id: string } }).user.id,
    accessToken: (login.body as { accessToken: string }).accessToken,
    refreshToken: refreshCookie(login)?.value as string,
  };
}
