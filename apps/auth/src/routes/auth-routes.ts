import cookieParser from 'cookie-parser';
import type { Request, Response } from 'express';
import type { Model } from 'mongoose';
import { isValidObjectId } from 'mongoose';
import type { TokenVerifier } from '@platform/service-kit';
import {
  ApiRouter,
  conflict,
  isDuplicateKeyError,
  principalOf,
  requireAuth,
  unauthorized,
} from '@platform/service-kit';
import type { AccessTokens } from '../access-tokens';
import type { SigningKeys } from '../keys';
import type { LoginThrottle } from '../login-throttle';
import type { User } from '../models/user';
import { PUBLIC_USER_FIELDS, toPublicUser } from '../models/user';
import type { DecoyPasswordCheck, ScryptParams } from '../passwords';
import { hashPassword, verifyPassword } from '../passwords';
import { Jwks, LoginBody, RegisterBody, TokenResponse, UserResponse } from '../schemas';
import type { RefreshSessions } from '../sessions';

export const REFRESH_COOKIE = 'refresh_token';
export const REFRESH_COOKIE_PATH = '/api/auth';
/**
 * Set and cleared with the refresh cookie, readable by the web app on every path (the refresh
 * cookie is httpOnly and scoped to /api/auth, so the app cannot see it): its only meaning is "there
 * may be a session to restore", so a visitor who never logged in costs no refresh request. Its
 * value is a constant; it grants nothing.
 */
export const SESSION_HINT_COOKIE = 'session_hint';

export interface AuthRouteDeps {
  users: Model<User>;
  sessions: RefreshSessions;
  throttle: LoginThrottle;
  accessTokens: AccessTokens;
  verifier: TokenVerifier;
  keys: SigningKeys;
  passwordParams: ScryptParams;
  decoy: DecoyPasswordCheck;
  cookie: { secure: boolean; maxAgeMs: number };
}

const cookieOptions = (secure: boolean) => ({
  httpOnly: true,
  secure,
  sameSite: 'strict' as const,
  path: REFRESH_COOKIE_PATH,
});
const hintCookieOptions = (secure: boolean) => ({
  httpOnly: false,
  secure,
  sameSite: 'strict' as const,
  path: '/',
});

// Only the routes that read the refresh cookie parse cookies; every other request skips the work.
const readCookies = cookieParser();

function refreshTokenFrom(req: Request): string | undefined {
  const cookies = req.cookies as Record<string, unknown> | undefined;
  const value = cookies?.[REFRESH_COOKIE];
  return typeof value === 'string' ? value : undefined;
}

const invalidCredentials = () => unauthorized('Email or password is incorrect', 'INVALID_CREDENTIALS');

export function authRoutes(deps: AuthRouteDeps): ApiRouter {
  const { users, sessions, throttle, accessTokens } = deps;
  const { secure, maxAgeMs: maxAge } = deps.cookie;
  // The hint lives exactly as long as the refresh cookie: same Max-Age, set and cleared together.
  const setRefreshCookie = (res: Response, token: string) =>
    res
      .cookie(REFRESH_COOKIE, token, { ...cookieOptions(secure), maxAge })
      .cookie(SESSION_HINT_COOKIE, '1', { ...hintCookieOptions(secure), maxAge });
  const clearRefreshCookie = (res: Response) =>
    res
      .clearCookie(REFRESH_COOKIE, cookieOptions(secure))
      .clearCookie(SESSION_HINT_COOKIE, hintCookieOptions(secure));
  const refreshCookieHeader = {
    'Set-Cookie': {
      description:
        `\`${REFRESH_COOKIE}\`: httpOnly, SameSite=Strict, Path=${REFRESH_COOKIE_PATH}; and ` +
        `\`${SESSION_HINT_COOKIE}=1\`: readable by scripts, SameSite=Strict, Path=/, the same lifetime, ` +
        'telling the web app that there is a session to restore',
    },
  };

  return new ApiRouter('/api/auth', {
    title: 'auth',
    version: '1.0.0',
    description:
      'Users, passwords, access tokens (JWT) and refresh tokens, and the JWKS that verifies tokens.',
  })
    .route({
      method: 'post',
      path: '/register',
      operationId: 'register',
      summary: 'Create a user account',
      body: RegisterBody,
      responses: {
        201: { description: 'Account created', schema: UserResponse },
        409: { description: 'EMAIL_TAKEN: an account with this email exists' },
      },
      handler: async ({ body, res }) => {
        const passwordHash = await hashPassword(body.password, deps.passwordParams);
        try {
          const user = await users.create({
            email: body.email,
            name: body.name ?? null,
            roles: ['user'],
            passwordHash,
          });
          res.status(201).json({ user: toPublicUser(user) });
        } catch (error) {
          if (isDuplicateKeyError(error))
            throw conflict('An account with this email already exists', 'EMAIL_TAKEN');
          throw error;
        }
      },
    })
    .route({
      method: 'post',
      path: '/login',
      operationId: 'login',
      summary: 'Exchange email and password for an access token and a refresh cookie',
      body: LoginBody,
      responses: {
        200: { description: 'Logged in', schema: TokenResponse, headers: refreshCookieHeader },
        401: { description: 'INVALID_CREDENTIALS: unknown email or wrong password (indistinguishable)' },
        429: {
          description: 'RATE_LIMITED: too many attempts for this email or client',
          headers: { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } },
        },
      },
      handler: async ({ body, req, res }) => {
        const client = req.ip ?? 'unknown';
        const ticket = await throttle.begin(body.email, client);
        const user = await users.findOne({ email: body.email });
        if (!user) {
          await deps.decoy.run(body.password);
          throw invalidCredentials();
        }
        const check = await verifyPassword(body.password, user.passwordHash, deps.passwordParams);
        if (!check.ok) throw invalidCredentials();
        await throttle.succeeded(ticket);
        if (check.needsRehash) {
          const passwordHash = await hashPassword(body.password, deps.passwordParams);
          await users.updateOne({ _id: user._id }, { $set: { passwordHash } });
        }
        const publicUser = toPublicUser(user);
        const refresh = await sessions.issue(user._id);
        setRefreshCookie(res, refresh.token);
        res.json({ ...accessTokens.issue(publicUser), user: publicUser });
      },
    })
    .route({
      method: 'post',
      path: '/refresh',
      operationId: 'refresh',
      summary: 'Rotate the refresh cookie and get a new access token',
      description: 'Presenting a refresh token that was already used revokes every token of its session.',
      security: 'refreshCookie',
      before: [readCookies],
      responses: {
        200: {
          description: 'New access token; the refresh cookie is replaced',
          schema: TokenResponse,
          headers: refreshCookieHeader,
        },
        401: { description: 'INVALID_REFRESH_TOKEN or REFRESH_TOKEN_REUSED' },
      },
      handler: async ({ req, res }) => {
        try {
          const { userId, next } = await sessions.rotate(refreshTokenFrom(req));
          const user = await users.findById(userId);
          if (!user) throw unauthorized('The account no longer exists', 'INVALID_REFRESH_TOKEN');
          const publicUser = toPublicUser(user);
          setRefreshCookie(res, next.token);
          res.json({ ...accessTokens.issue(publicUser), user: publicUser });
        } catch (error) {
          clearRefreshCookie(res);
          throw error;
        }
      },
    })
    .route({
      method: 'post',
      path: '/logout',
      operationId: 'logout',
      summary: 'Revoke the refresh token and clear its cookie (and the session hint)',
      description: 'Without a refresh cookie there is nothing to revoke, and the answer is the same.',
      security: 'refreshCookie',
      securityOptional: true,
      before: [readCookies],
      responses: { 204: { description: 'Logged out' } },
      handler: async ({ req, res }) => {
        await sessions.revoke(refreshTokenFrom(req));
        clearRefreshCookie(res);
        res.status(204).end();
      },
    })
    .route({
      method: 'get',
      path: '/me',
      operationId: 'me',
      summary: 'The authenticated user',
      security: 'bearer',
      before: [requireAuth(deps.verifier)],
      responses: { 200: { description: 'The user the access token belongs to', schema: UserResponse } },
      handler: async ({ req, res }) => {
        const { userId } = principalOf(req);
        // A plain read of the shown fields: no document to build for a reply.
        const user = isValidObjectId(userId) ? await users.findById(userId, PUBLIC_USER_FIELDS).lean() : null;
        if (!user) throw unauthorized('The account no longer exists', 'INVALID_TOKEN');
        res.json({ user: toPublicUser(user) });
      },
    })
    .route({
      method: 'get',
      path: '/jwks.json',
      operationId: 'jwks',
      summary: 'Public keys that verify access tokens (RFC 7517)',
      responses: { 200: { description: 'JSON Web Key Set', schema: Jwks } },
      handler: ({ res }) => {
        res.setHeader('Cache-Control', 'public, max-age=300');
        res.json({ keys: deps.keys.jwks });
      },
    });
}
