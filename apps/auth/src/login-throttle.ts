import type { Model, Types } from 'mongoose';
import { tooManyRequests } from '@platform/service-kit';
import type { AuthMetrics, ThrottleLimit } from './metrics';
import type { LoginAttempt } from './models/login-attempt';

export interface ThrottleLimits {
  maxPerEmail: number;
  maxPerClient: number;
  windowMs: number;
}

interface ThrottleKey {
  limit: ThrottleLimit;
  key: string;
  max: number;
}

/** Attempts recorded for one login, so a success can hand them back. */
export interface ThrottleTicket {
  email: string;
  clientAttemptId: Types.ObjectId;
}

/**
 * Limits login attempts per email and per client address over a sliding window, stored in the
 * database so every replica shares the count. Each attempt is inserted before the password is
 * checked and then counted: the k-th concurrent insert sees at least k attempts, so a burst of
 * parallel guesses cannot slip past the limit. A success clears the email's attempts and gives
 * the client its attempt back.
 */
export class LoginThrottle {
  constructor(
    private readonly attempts: Model<LoginAttempt>,
    private readonly limits: ThrottleLimits,
    private readonly refusals?: AuthMetrics['loginThrottleRefusals'],
  ) {}

  /** Records one attempt; throws 429 (with Retry-After) when either key is over its limit. */
  async begin(email: string, client: string): Promise<ThrottleTicket> {
    const keys: ThrottleKey[] = [
      { limit: 'email', key: `email:${email}`, max: this.limits.maxPerEmail },
      { limit: 'client', key: `client:${client}`, max: this.limits.maxPerClient },
    ];
    const now = new Date();
    const windowStart = new Date(now.getTime() - this.limits.windowMs);
    // Already over the limit: refuse without recording more, so a flood stores nothing.
    await this.refuseIfOver(keys, windowStart, now, 0);
    const expiresAt = new Date(now.getTime() + this.limits.windowMs);
    const inserted = await this.attempts.insertMany(keys.map(({ key }) => ({ key, at: now, expiresAt })));
    await this.refuseIfOver(keys, windowStart, now, 1);
    return { email, clientAttemptId: inserted[1]!._id };
  }

  async succeeded(ticket: ThrottleTicket): Promise<void> {
    await Promise.all([
      this.attempts.deleteMany({ key: `email:${ticket.email}` }),
      this.attempts.deleteOne({ _id: ticket.clientAttemptId }),
    ]);
  }

  /** Removes attempts whose window has passed (no TTL index: not every supported database has them). */
  async purgeExpired(now = new Date()): Promise<number> {
    const { deletedCount } = await this.attempts.deleteMany({ expiresAt: { $lte: now } });
    return deletedCount;
  }

  /** `including` is how many of the counted attempts are this request's own. */
  private async refuseIfOver(
    keys: ThrottleKey[],
    windowStart: Date,
    now: Date,
    including: number,
  ): Promise<void> {
    const counts = await Promise.all(
      keys.map(({ key }) => this.attempts.countDocuments({ key, at: { $gt: windowStart } })),
    );
    const over = keys.filter(({ max }, i) => (counts[i] ?? 0) - including >= max);
    if (over.length === 0) return;
    for (const { limit } of over) this.refusals?.inc({ limit });
    // The window slides: the limit lifts when the oldest counted attempt leaves it.
    const oldest = await Promise.all(
      over.map(({ key }) =>
        this.attempts
          .findOne({ key, at: { $gt: windowStart } })
          .sort({ at: 1, _id: 1 })
          .lean(),
      ),
    );
    const until = Math.max(
      ...oldest.map((entry) => (entry ? entry.at.getTime() : now.getTime()) + this.limits.windowMs),
    );
    throw tooManyRequests(
      Math.max(1, Math.ceil((until - now.getTime()) / 1000)),
      'Too many login attempts; try again later',
    );
  }
}
