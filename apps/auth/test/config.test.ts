import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, createLogger } from '@platform/service-kit';
import { loadAuthConfig } from '../src/config';
import { loadSigningKeys } from '../src/keys';
import { authEnv } from './support';

const logger = createLogger({ service: 'auth-test', level: 'silent' });

function configError(env: Record<string, string>): string {
  try {
    loadSigningKeys(loadAuthConfig(env), logger);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('auth configuration', () => {
  it('requires the issuer and audience', () => {
    const { JWT_ISSUER: _i, JWT_AUDIENCE: _a, ...env } = authEnv();
    expect(configError(env)).toBe('invalid configuration: JWT_ISSUER is required; JWT_AUDIENCE is required');
  });

  it('requires a signing key in production', () => {
    const { JWT_PRIVATE_KEY: _key, ...env } = authEnv({
      NODE_ENV: 'production',
      PASSWORD_SCRYPT_N: '65536',
      PASSWORD_SCRYPT_P: '2',
    });
    expect(configError(env)).toBe(
      'invalid configuration: JWT_PRIVATE_KEY is required in production (or JWT_PRIVATE_KEY_FILE)',
    );
  });

  it('refuses weak password hashing in production', () => {
    expect(configError(authEnv({ NODE_ENV: 'production' }))).toContain(
      'PASSWORD_SCRYPT_N is too weak for production',
    );
  });

  it('refuses keys that are not usable asymmetric signing keys', () => {
    expect(configError(authEnv({ JWT_PRIVATE_KEY: 'garbage' }))).toBe(
      'invalid configuration: JWT_PRIVATE_KEY is not a readable PEM private key',
    );
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect(configError(authEnv({ JWT_PRIVATE_KEY: small.toString() }))).toContain(
      'JWT_PRIVATE_KEY must be an RSA key of at least 2048 bits or an EC P-256 key',
    );
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    expect(configError(authEnv({ JWT_PRIVATE_KEY: p384.toString() }))).toContain('EC P-256 key');
  });

  it('accepts a PEM with escaped newlines, as environment variables often carry it', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    const keys = loadSigningKeys(
      loadAuthConfig(authEnv({ JWT_PRIVATE_KEY: pem.toString().replace(/\n/g, '\\n') })),
      logger,
    );
    expect(keys.signing.algorithm).toBe('ES256');
  });

  it('names an unreadable key file', () => {
    const { JWT_PRIVATE_KEY: _key, ...env } = authEnv({ JWT_PRIVATE_KEY_FILE: '/nonexistent/key.pem' });
    expect(configError(env)).toBe('invalid configuration: JWT_PRIVATE_KEY_FILE cannot be read (ENOENT)');
  });

  it('refuses both a key and a key file, and an admin email without a password', () => {
    expect(configError(authEnv({ JWT_PRIVATE_KEY_FILE: '/tmp/key.pem' }))).toContain(
      'JWT_PRIVATE_KEY and JWT_PRIVATE_KEY_FILE are both set',
    );
    expect(configError(authEnv({ ADMIN_EMAIL: 'admin@example.com' }))).toContain(
      'ADMIN_PASSWORD is required',
    );
  });

  it('generates a development key once and keeps it, so tokens survive restarts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-dev-key-'));
    try {
      const file = join(dir, 'nested', 'dev-key.pem');
      const { JWT_PRIVATE_KEY: _key, ...env } = authEnv({ NODE_ENV: 'development', JWT_DEV_KEY_FILE: file });
      const first = loadSigningKeys(loadAuthConfig(env), logger);
      expect(existsSync(file)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const second = loadSigningKeys(loadAuthConfig(env), logger);
      expect(second.signing.kid).toBe(first.signing.kid);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
