import type { KeyObject } from 'node:crypto';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger, PublicJwk, SigningAlgorithm, VerificationKey } from '@platform/service-kit';
import { algorithmForKey, ConfigError } from '@platform/service-kit';
import type { AuthConfig } from './config';

export interface SigningKeys {
  signing: { kid: string; algorithm: SigningAlgorithm; privateKey: KeyObject };
  /** The current and previous public keys: what the JWKS publishes and /me verifies against. */
  verification: VerificationKey[];
  jwks: PublicJwk[];
}

const PEM_BLOCK = /-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g;

/** RFC 7638 thumbprint: a stable kid derived from the key itself. */
export function keyThumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const members =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}

function verificationKey(publicKey: KeyObject, variable: string): VerificationKey {
  const algorithm = algorithmForKey(publicKey);
  if (!algorithm)
    throw new ConfigError([`${variable} must be an RSA key of at least 2048 bits or an EC P-256 key`]);
  return { kid: keyThumbprint(publicKey), algorithm, key: publicKey };
}

function toJwk({ kid, algorithm, key }: VerificationKey): PublicJwk {
  return { ...key.export({ format: 'jwk' }), kid, alg: algorithm, use: 'sig' };
}

// Environment variables often carry PEMs with literal "\n".
const unescapePem = (text: string) => text.replace(/\\n/g, '\n');

function readFile(path: string, variable: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([
      `${variable} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    ]);
  }
}

function developmentKey(path: string, logger: Logger): string {
  if (!existsSync(path)) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    logger.warn(
      { path },
      'generated a development signing key; set JWT_PRIVATE_KEY_FILE outside development',
    );
  }
  return readFile(path, 'JWT_DEV_KEY_FILE');
}

/** Loads the signing key (generating a kept development key when allowed) and the JWKS. */
export function loadSigningKeys(config: AuthConfig, logger: Logger): SigningKeys {
  const [pem, variable] = config.JWT_PRIVATE_KEY
    ? [unescapePem(config.JWT_PRIVATE_KEY), 'JWT_PRIVATE_KEY']
    : config.JWT_PRIVATE_KEY_FILE
      ? [readFile(config.JWT_PRIVATE_KEY_FILE, 'JWT_PRIVATE_KEY_FILE'), 'JWT_PRIVATE_KEY_FILE']
      : [developmentKey(config.JWT_DEV_KEY_FILE, logger), 'JWT_DEV_KEY_FILE'];
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new ConfigError([`${variable} is not a readable PEM private key`]);
  }
  const current = verificationKey(createPublicKey(privateKey), variable);

  const previousText = config.JWT_PREVIOUS_PUBLIC_KEYS
    ? unescapePem(config.JWT_PREVIOUS_PUBLIC_KEYS)
    : config.JWT_PREVIOUS_PUBLIC_KEYS_FILE
      ? readFile(config.JWT_PREVIOUS_PUBLIC_KEYS_FILE, 'JWT_PREVIOUS_PUBLIC_KEYS_FILE')
      : '';
  const previous = (previousText.match(PEM_BLOCK) ?? []).map((block) => {
    try {
      return verificationKey(createPublicKey(block), 'JWT_PREVIOUS_PUBLIC_KEYS');
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(['JWT_PREVIOUS_PUBLIC_KEYS contains a block that is not a public key']);
    }
  });
  const verification = [current, ...previous.filter((key) => key.kid !== current.kid)];
  return {
    signing: { kid: current.kid, algorithm: current.algorithm, privateKey },
    verification,
    jwks: verification.map(toJwk),
  };
}
