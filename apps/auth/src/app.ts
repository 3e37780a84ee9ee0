import type { Logger } from '@platform/service-kit';
import { Service, StaticKeyResolver, TokenVerifier } from '@platform/service-kit';
import { AccessTokens } from './access-tokens';
import { ensureAdmin } from './admin';
import type { AuthConfig } from './config';
import { loadSigningKeys } from './keys';
import { createAuthMetrics } from './metrics';
import { LoginThrottle } from './login-throttle';
import { loginAttemptModel } from './models/login-attempt';
import { refreshTokenModel } from './models/refresh-token';
import { userModel } from './models/user';
import { DecoyPasswordCheck } from './passwords';
import { authRoutes } from './routes/auth-routes';
import { RefreshSessions } from './sessions';

const PURGE_INTERVAL_MS = 10 * 60_000;

export function createAuthService(
  config: AuthConfig,
  options: { logger?: Logger } = {},
): Service<AuthConfig> {
  return new Service({
    name: 'auth',
    config,
    ...(options.logger ? { logger: options.logger } : {}),
    build: ({ connection, logger, metrics }) => {
      const authMetrics = createAuthMetrics(metrics.registry);
      const keys = loadSigningKeys(config, logger);
      const users = userModel(connection);
      const refreshTokens = refreshTokenModel(connection);
      const loginAttempts = loginAttemptModel(connection);
      const passwordParams = {
        N: config.PASSWORD_SCRYPT_N,
        r: config.PASSWORD_SCRYPT_R,
        p: config.PASSWORD_SCRYPT_P,
      };
      const sessions = new RefreshSessions(
        refreshTokens,
        config.REFRESH_TOKEN_TTL,
        authMetrics.refreshTokenReuseDetections,
      );
      const throttle = new LoginThrottle(
        loginAttempts,
        {
          maxPerEmail: config.LOGIN_MAX_FAILURES_PER_EMAIL,
          maxPerClient: config.LOGIN_MAX_FAILURES_PER_CLIENT,
          windowMs: config.LOGIN_FAILURE_WINDOW,
        },
        authMetrics.loginThrottleRefusals,
      );

      // Expired sessions and throttle windows are purged here, not by TTL indexes, which not
      // every supported database implements.
      const purge = setInterval(() => {
        Promise.all([sessions.purgeExpired(), throttle.purgeExpired()]).catch((error: unknown) =>
          logger.warn({ err: error }, 'purging expired records failed; will retry'),
        );
      }, PURGE_INTERVAL_MS);
      purge.unref();

      return {
        routers: [
          authRoutes({
            users,
            sessions,
            throttle,
            accessTokens: new AccessTokens(keys, {
              issuer: config.JWT_ISSUER,
              audience: config.JWT_AUDIENCE,
              ttlMs: config.ACCESS_TOKEN_TTL,
            }),
            verifier: new TokenVerifier({
              keys: new StaticKeyResolver(keys.verification),
              issuer: config.JWT_ISSUER,
              audience: config.JWT_AUDIENCE,
              metrics,
            }),
            keys,
            passwordParams,
            decoy: new DecoyPasswordCheck(passwordParams),
            cookie: {
              secure: config.REFRESH_COOKIE_SECURE ?? config.NODE_ENV === 'production',
              maxAgeMs: config.REFRESH_TOKEN_TTL,
            },
          }),
        ],
        initializeDatabase: async () => {
          await Promise.all([
            users.createIndexes(),
            refreshTokens.createIndexes(),
            loginAttempts.createIndexes(),
          ]);
          if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
            await ensureAdmin(
              users,
              { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD },
              passwordParams,
              logger,
            );
          }
        },
        onStop: () => clearInterval(purge),
      };
    },
  });
}
