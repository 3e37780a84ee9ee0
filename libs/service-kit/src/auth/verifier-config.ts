import { z } from 'zod';
import type { Logger } from '../logger';
import type { ServiceMetrics } from '../metrics';
import { JwksClient } from './jwks';
import { TokenVerifier } from './verifier';

/** Variables of a service that verifies access tokens issued by auth (docs/contract.md §2.3). */
export const tokenVerificationEnv = {
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  JWT_ISSUER: z.string().min(1),
  JWT_AUDIENCE: z.string().min(1),
};

/** Verifies tokens with auth's JWKS; key fetches and refusals are counted in the service's metrics. */
export function jwksTokenVerifier(
  config: { AUTH_JWKS_URL: string; JWT_ISSUER: string; JWT_AUDIENCE: string },
  logger: Logger,
  metrics: ServiceMetrics,
): TokenVerifier {
  return new TokenVerifier({
    keys: new JwksClient({
      url: config.AUTH_JWKS_URL,
      logger: logger.child({ component: 'jwks' }),
      metrics,
    }),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    metrics,
  });
}
