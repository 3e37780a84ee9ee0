import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';

/** The login throttle's two limits (login-throttle.ts). */
export const THROTTLE_LIMITS = ['email', 'client'] as const;
export type ThrottleLimit = (typeof THROTTLE_LIMITS)[number];

export interface AuthMetrics {
  loginThrottleRefusals: Counter<'limit'>;
  refreshTokenReuseDetections: Counter;
}

/** auth's own counters, in the service's registry; both start at zero. */
export function createAuthMetrics(registry: Registry): AuthMetrics {
  const loginThrottleRefusals = new Counter({
    name: 'auth_login_throttle_refusals_total',
    help: 'Logins refused with 429 by the throttle, by the limit that was reached (a refusal over both counts under each).',
    labelNames: ['limit'] as const,
    registers: [registry],
  });
  for (const limit of THROTTLE_LIMITS) loginThrottleRefusals.inc({ limit }, 0);
  const refreshTokenReuseDetections = new Counter({
    name: 'auth_refresh_token_reuse_detections_total',
    help: 'Refresh tokens presented again after they were spent; each revoked its whole session.',
    registers: [registry],
  });
  return { loginThrottleRefusals, refreshTokenReuseDetections };
}
