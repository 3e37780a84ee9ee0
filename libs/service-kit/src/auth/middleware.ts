import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { forbidden } from '../errors';
import type { Principal, TokenVerifier } from './verifier';

const principals = new WeakMap<Request, Principal>();

/** The authenticated caller of a request that passed requireAuth. */
export function principalOf(req: Request): Principal {
  const principal = principals.get(req);
  if (!principal) throw new Error('principalOf() used on a route without requireAuth');
  return principal;
}

export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  return match?.[1];
}

/** 401 unless the request carries a valid access token. */
export function requireAuth(verifier: TokenVerifier): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    verifier.verify(bearerToken(req)).then(
      (principal) => {
        principals.set(req, principal);
        next();
      },
      (error: unknown) => next(error),
    );
  };
}

/** 403 unless the authenticated caller has one of the roles. Use after requireAuth. */
export function requireRole(...roles: string[]): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const principal = principalOf(req);
    if (principal.roles.some((role) => roles.includes(role))) next();
    else next(forbidden(`This requires the ${roles.join(' or ')} role`));
  };
}
