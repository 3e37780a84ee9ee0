import type { JwtPayload } from 'jsonwebtoken';
import jwt from 'jsonwebtoken';
import { serviceUnavailable, unauthorized } from '../errors';
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
}

const invalid = (message = 'Access token is invalid') => unauthorized(message, 'INVALID_TOKEN');

/**
 * Verifies access tokens: the header's `kid` picks a key, the key fixes the algorithm (so `none`,
 * HS256 signed with a public key, or any algorithm swap is refused), and issuer, audience and
 * expiry must match.
 */
export class TokenVerifier {
  constructor(private readonly options: TokenVerifierOptions) {}

  async verify(token: string): Promise<Principal> {
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') throw invalid();
    const { alg, kid } = decoded.header;
    if (!SIGNING_ALGORITHMS.includes(alg as (typeof SIGNING_ALGORITHMS)[number])) {
      throw invalid('Access token uses an algorithm that is not accepted');
    }
    if (typeof kid !== 'string' || kid.length === 0) throw invalid('Access token has no key id');
    let key;
    try {
      key = await this.options.keys.resolve(kid);
    } catch (error) {
      if (error instanceof JwksUnavailableError) {
        throw serviceUnavailable(
          'Cannot verify tokens right now: signing keys are unavailable',
          'AUTH_UNAVAILABLE',
        );
      }
      throw error;
    }
    if (!key) throw invalid('Access token was signed with an unknown key');
    if (key.algorithm !== alg) throw invalid('Access token algorithm does not match its key');
    let payload: JwtPayload;
    try {
      payload = jwt.verify(token, key.key, {
        algorithms: [key.algorithm],
        issuer: this.options.issuer,
        audience: this.options.audience,
        clockTolerance: this.options.clockToleranceSeconds ?? 5,
      }) as JwtPayload;
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError)
        throw unauthorized('Access token has expired', 'TOKEN_EXPIRED');
      throw invalid();
    }
    const roles: unknown = payload.roles;
    if (
      typeof payload.sub !== 'string' ||
      !Array.isArray(roles) ||
      !roles.every((r) => typeof r === 'string')
    ) {
      throw invalid('Access token is missing its subject or roles');
    }
    return { userId: payload.sub, roles, claims: payload };
  }
}
