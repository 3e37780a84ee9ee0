import type { JsonWebKey, KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';

/** The only signature algorithms the platform issues or accepts (asymmetric, docs/contract.md §2.2). */
export const SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export interface VerificationKey {
  kid: string;
  algorithm: SigningAlgorithm;
  key: KeyObject;
}

/** Finds the public key for a token's `kid`; undefined when there is none. */
export interface KeyResolver {
  resolve(kid: string): Promise<VerificationKey | undefined>;
}

export interface PublicJwk extends JsonWebKey {
  kid: string;
  alg: SigningAlgorithm;
  use: 'sig';
}

/** The algorithm a key can sign with, or undefined for keys the platform does not use. */
export function algorithmForKey(key: KeyObject): SigningAlgorithm | undefined {
  if (key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048)
    return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  return undefined;
}

/** Converts one JWKS entry; entries that are not usable signature keys are skipped. */
export function verificationKeyFromJwk(jwk: unknown): VerificationKey | undefined {
  if (typeof jwk !== 'object' || jwk === null) return undefined;
  const entry = jwk as Partial<PublicJwk>;
  if (typeof entry.kid !== 'string' || (entry.use !== undefined && entry.use !== 'sig')) return undefined;
  if (!SIGNING_ALGORITHMS.includes(entry.alg as SigningAlgorithm)) return undefined;
  try {
    const key = createPublicKey({ key: entry as JsonWebKey, format: 'jwk' });
    // A JWK claiming RS256 must really be an RSA key of adequate size, and so on.
    if (algorithmForKey(key) !== entry.alg) return undefined;
    return { kid: entry.kid, algorithm: entry.alg as SigningAlgorithm, key };
  } catch {
    return undefined;
  }
}

/** A resolver over a fixed set of keys (the auth service verifying its own tokens). */
export class StaticKeyResolver implements KeyResolver {
  private readonly keys: Map<string, VerificationKey>;

  constructor(keys: VerificationKey[]) {
    this.keys = new Map(keys.map((key) => [key.kid, key]));
  }

  resolve(kid: string): Promise<VerificationKey | undefined> {
    return Promise.resolve(this.keys.get(kid));
  }
}
