import type { JwtPayload } from 'jsonwebtoken';
import jwt from 'jsonwebtoken';
import type { HttpError } from '../errors';
import { serviceUnavailable, unauthorized } from '../errors';
import type { ServiceMetrics, TokenFailureReason } from '../metrics';
import { JwksUnavailableError } from './jwks';
import type { KeyResolver } from './keys';
import { SIGNING_ALGORITHMS } from './keys';

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

/** The reason jsonwebtoken gave for refusing a token whose key and algorithm were right. */
function verifyFailureReason(error: unknown): TokenFailureReason {
  if (error instanceof jwt.TokenExpiredError) return 'expired';
  if (error instanceof jwt.NotBeforeError) return 'not_yet_valid';
  const message = error instanceof Error ? error.message : '';
  if (/signature/.test(message)) return 'bad_signature';
  if (message.startsWith('jwt issuer invalid')) return 'wrong_issuer';
  if (message.startsWith('jwt audience invalid')) return 'wrong_audience';
  return 'malformed';
}

/**
 * Verifies access tokens: the header's `kid` picks a key, the key fixes the algorithm (so `none`,
 * HS256 signed with a public key, or any algorithm swap is refused), and issuer, audience and
 * expiry must match. Every refusal is counted by reason.
 */
export class TokenVerifier {
  constructor(private readonly options: TokenVerifierOptions) {}

  async verify(token: string | undefined): Promise<Principal> {
    if (!token) throw this.refuse('missing', unauthorized('A Bearer access token is required'));
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw this.refuse('malformed', invalid());
    const { alg, kid } = decoded.header;
    if (!SIGNING_ALGORITHMS.includes(alg as (typeof SIGNING_ALGORITHMS)[number])) {
      throw this.refuse(
        'unsupported_algorithm',
        invalid('Access token uses an algorithm that is not accepted'),
      );
    }
    if (typeof kid !== 'string' || kid.length === 0) {
      throw this.refuse('malformed', invalid('Access token has no key id'));
    }
    let key;
    try {
      key = await this.options.keys.resolve(kid);
    } catch (error) {
      if (error instanceof JwksUnavailableError) {
        throw this.refuse(
          'keys_unavailable',
          serviceUnavailable(
            'Cannot verify tokens right now: signing keys are unavailable',
            'AUTH_UNAVAILABLE',
          ),
        );
      }
      throw error;
    }
    if (!key) throw this.refuse('unknown_key', invalid('Access token was signed with an unknown key'));
    if (key.algorithm !== alg) {
      throw this.refuse('unsupported_algorithm', invalid('Access token algorithm does not match its key'));
    }
    let payload: JwtPayload;
    try {
      payload = jwt.verify(token, key.key, {
        algorithms: [key.algorithm],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSeconds ?? 5,
      }) as JwtPayload;
    } catch (error) {
      const reason = verifyFailureReason(error);
      throw this.refuse(
        reason,
        reason === 'expired' ? unauthorized('Access token has expired', 'TOKEN_EXPIRED') : invalid(),
      );
    }
    const roles: unknown = payload.roles;
    if (
      typeof payload.sub !== 'string' ||
      !Array.isArray(roles) ||
      !roles.every((r) => typeof r === 'string')
    ) {
      throw this.refuse('missing_claims', invalid('Access token is missing its subject or roles'));
    }
    return { userId: payload.sub, roles, claims: payload };
  }

  private refuse(reason: TokenFailureReason, error: HttpError): HttpError {
    this.options.metrics?.tokenVerificationFailures.inc({ reason });
    return error;
  }
}
