import type {
  GetPublicKeyOrSecret,
  JwtHeader,
  JwtPayload,
  VerifyCallback,
  VerifyOptions,
} from 'jsonwebtoken';
import jwt from 'jsonwebtoken';
import { KeyObject } from 'node:crypto';
import type { HttpError } from '../errors';
import { serviceUnavailable, unauthorized } from '../errors';
import type { ServiceMetrics, TokenFailureReason } from '../metrics';
import type { KeyResolver, SignedTokenHeader, SigningAlgorithm } from './keys';
import { KeyRefusal, SIGNING_ALGORITHMS } from './keys';

export interface Principal {
  userId: string;
  roles: string[];
  claims: JwtPayload;
}

export interface TokenVerifierOptions {
  keys: KeyResolver;
  issuer: string;
  audience: string;
  clockToleranceSeconds?: number;
  /** Where refusals are counted by reason. */
  metrics?: Pick<ServiceMetrics, 'tokenVerificationFailures'>;
}

const invalid = (message = 'Access token is invalid') => unauthorized(message, 'INVALID_TOKEN');

const refusals: Record<TokenFailureReason, () => HttpError> = {
  missing: () => unauthorized('A Bearer access token is required'),
  malformed: () => invalid(),
  unsupported_algorithm: () => invalid('Access token uses an algorithm that is not accepted'),
  unknown_key: () => invalid('Access token was signed with an unknown key'),
  expired: () => unauthorized('Access token has expired', 'TOKEN_EXPIRED'),
  not_yet_valid: () => invalid(),
  bad_signature: () => invalid(),
  wrong_issuer: () => invalid(),
  wrong_audience: () => invalid(),
  missing_claims: () => invalid('Access token is missing its subject, roles or expiry'),
  keys_unavailable: () =>
    serviceUnavailable('Cannot verify tokens right now: signing keys are unavailable', 'AUTH_UNAVAILABLE'),
};

/** Why jsonwebtoken refused a token whose header named a key of the right algorithm. */
function verifyFailureReason(error: unknown): TokenFailureReason {
  if (error instanceof jwt.TokenExpiredError) return 'expired';
  if (error instanceof jwt.NotBeforeError) return 'not_yet_valid';
  // jsonwebtoken tells its other refusals apart by message only.
  const message = error instanceof Error ? error.message : '';
  if (/signature/.test(message)) return 'bad_signature';
  if (message.startsWith('jwt issuer invalid')) return 'wrong_issuer';
  if (message.startsWith('jwt audience invalid')) return 'wrong_audience';
  return 'malformed';
}

const isSigningAlgorithm = (alg: string): alg is SigningAlgorithm =>
  SIGNING_ALGORITHMS.includes(alg as SigningAlgorithm);

/** A header with one of the platform's algorithms and a key id. */
const namesKey = (header: JwtHeader): header is JwtHeader & SignedTokenHeader =>
  isSigningAlgorithm(header.alg) && typeof header.kid === 'string' && header.kid.length > 0;

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/**
 * One token's verification: jsonwebtoken decodes the token once, asks `keyFor` for the key its
 * header names, then checks the signature and claims. A refusal found while choosing the key is
 * kept here, as jsonwebtoken passes it on only as a message.
 */
class Verification {
  refusal: TokenFailureReason | undefined;
  /** A lookup error that is not a refusal (a fault), rethrown as it is. */
  fault: Error | undefined;

  constructor(private readonly keys: KeyResolver) {}

  readonly keyFor: GetPublicKeyOrSecret = (header: JwtHeader, callback) => {
    // The platform's algorithms only, checked before any key lookup: `none` and HS256 never
    // reach the key set.
    if (!isSigningAlgorithm(header.alg)) return this.refuse('unsupported_algorithm', callback);
    if (!namesKey(header)) return this.refuse('malformed', callback);
    let key: KeyObject | Promise<KeyObject>;
    try {
      key = this.keys.keyFor(header);
    } catch (error) {
      return this.fail(error, callback);
    }
    if (key instanceof KeyObject) callback(null, key);
    else
      key.then(
        (found) => callback(null, found),
        (error: unknown) => this.fail(error, callback),
      );
  };

  private refuse(reason: TokenFailureReason, callback: (error: Error) => void): void {
    this.refusal = reason;
    callback(new Error(reason));
  }

  private fail(error: unknown, callback: (error: Error) => void): void {
    if (error instanceof KeyRefusal) return this.refuse(error.reason, callback);
    this.fault = error instanceof Error ? error : new Error(String(error));
    callback(new Error('key lookup failed'));
  }
}

/**
 * Verifies access tokens: only the platform's algorithms are accepted, the header's `kid` picks a
 * key and the key fixes the algorithm (so `none`, HS256 signed with a public key, or any algorithm
 * swap is refused), and issuer, audience and expiry must match. Every refusal is counted by reason.
 */
export class TokenVerifier {
  private readonly verifyOptions: VerifyOptions & { complete?: false };

  constructor(private readonly options: TokenVerifierOptions) {
    this.verifyOptions = {
      algorithms: [...SIGNING_ALGORITHMS],
      issuer: options.issuer,
      audience: options.audience,
      clockTolerance: options.clockToleranceSeconds ?? 5,
    };
  }

  verify(token: string | undefined): Promise<Principal> {
    if (!token) return Promise.reject(this.refuse('missing'));
    return new Promise((resolve, reject) => {
      const verification = new Verification(this.options.keys);
      const done: VerifyCallback<JwtPayload | string> = (error, payload) => {
        if (verification.fault) return reject(verification.fault);
        if (error) return reject(this.refuse(verification.refusal ?? verifyFailureReason(error)));
        if (typeof payload !== 'object') return reject(this.refuse('malformed'));
        const { sub, roles, exp } = payload;
        if (typeof sub !== 'string' || !isStringArray(roles) || typeof exp !== 'number') {
          return reject(this.refuse('missing_claims'));
        }
        resolve({ userId: sub, roles, claims: payload });
      };
      jwt.verify(token, verification.keyFor, this.verifyOptions, done);
    });
  }

  private refuse(reason: TokenFailureReason): HttpError {
    this.options.metrics?.tokenVerificationFailures.inc({ reason });
    return refusals[reason]();
  }
}
