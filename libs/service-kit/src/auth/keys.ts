import type { JsonWebKey, KeyObject } from 'node:crypto';

/** The only signature algorithms the platform issues or accepts (asymmetric, docs/contract.md §2.2). */
export const SIGNING_ALGORITHMS = ['RS256', 'ES256'] as const;
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];

export interface VerificationKey {
  kid: string;
  algorithm: SigningAlgorithm;
  key: KeyObject;
}

/** The header of a token whose `alg` is one of SIGNING_ALGORITHMS and which names a key. */
export interface SignedTokenHeader {
  alg: SigningAlgorithm;
  kid: string;
}

/** Why a token's header found no key to verify it with: the refusal it is counted as. */
export type KeyRefusalReason = 'unknown_key' | 'unsupported_algorithm' | 'keys_unavailable';

export class KeyRefusal extends Error {
  constructor(
    readonly reason: KeyRefusalReason,
    message: string,
  ) {
    super(message);
    this.name = 'KeyRefusal';
  }
}

/**
 * Finds the public key for a token's header, or throws a KeyRefusal saying why there is none. A key
 * already at hand is returned as it is, not wrapped in a promise.
 */
export interface KeyResolver {
  keyFor(header: SignedTokenHeader): KeyObject | Promise<KeyObject>;
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

/** A resolver over a fixed set of keys (the auth service verifying its own tokens). */
export class StaticKeyResolver implements KeyResolver {
  private readonly keys: Map<string, VerificationKey>;

  constructor(keys: VerificationKey[]) {
    this.keys = new Map(keys.map((key) => [key.kid, key]));
  }

  keyFor({ alg, kid }: SignedTokenHeader): KeyObject {
    const known = this.keys.get(kid);
    if (!known) throw new KeyRefusal('unknown_key', 'Access token was signed with an unknown key');
    // The key fixes the algorithm: a token naming this key with another one is refused.
    if (known.algorithm !== alg)
      throw new KeyRefusal('unsupported_algorithm', 'Access token algorithm does not match its key');
    return known.key;
  }
}
