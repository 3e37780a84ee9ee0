import type { Model } from 'mongoose';
import { isDuplicateKeyError, tooManyRequests } from '@platform/service-kit';
import type { LoginAttempts } from './models/login-attempt';

export interface ThrottleLimits {
  maxPerEmail: number;
  maxPerClient: number;
  windowMs: number;
}

/**
 * Limits login attempts per email and per client address in a fixed window, stored in the
 * database so every replica shares the count. An attempt is counted before the password is
 * checked, so a burst of parallel guesses cannot slip past the limit; a success clears the
 * email's count and gives the client its attempt back.
 */
export class LoginThrottle {
  constructor(
    private readonly attempts: Model<LoginAttempts>,
    private readonly limits: ThrottleLimits,
  ) {}

  /** Counts one attempt; throws 429 (with Retry-After) when either key is over its limit. */
  async begin(email: string, client: string): Promise<void> {
    const [byEmail, byClient] = await Promise.all([this.hit(`email:${email}`), this.hit(`client:${client}`)]);
    const over = [
      byEmail.count > this.limits.maxPerEmail ? byEmail : undefined,
      byClient.count > this.limits.maxPerClient ? byClient : undefined,
    ].filter((entry) => entry !== undefined);
    if (over.length > 0) {
      const until = Math.max(...over.map((entry) => entry.expiresAt.getTime()));
      const retryAfter = Math.max(1, Math.ceil((until - Date.now()) / 1000));
      throw tooManyRequests(retryAfter, 'Too many login attempts; try again later');
    }
  }

  async succeeded(email: string, client: string): Promise<void> {
    await Promise.all([
      this.attempts.deleteOne({ _id: `email:${email}` }),
      this.attempts.updateOne({ _id: `client:${client}`, count: { $gt: 0 } }, { $inc: { count: -1 } }),
    ]);
  }

  /** Removes windows that have ended (FerretDB and DocumentDB differ on TTL indexes, so no TTL). */
  async purgeExpired(now = new Date()): Promise<number> {
    const { deletedCount } = await this.attempts.deleteMany({ expiresAt: { $lte: now } });
    return deletedCount;
  }

  private async hit(key: string, retries = 2): Promise<{ count: number; expiresAt: Date }> {
    const now = new Date();
    const counted = await this.attempts.findOneAndUpdate(
      { _id: key, expiresAt: { $gt: now } },
      { $inc: { count: 1 } },
      { returnDocument: 'after' },
    );
    if (counted) return counted;
    try {
      // No live window: start one. If another request started it first, the upsert's insert
      // collides on _id and we count against that window instead.
      const started = await this.attempts.findOneAndUpdate(
        { _id: key, expiresAt: { $lte: now } },
        { $set: { count: 1, expiresAt: new Date(now.getTime() + this.limits.windowMs) } },
        { upsert: true, returnDocument: 'after' },
      );
      return started;
    } catch (error) {
      if (isDuplicateKeyError(error) && retries > 0) return this.hit(key, retries - 1);
      throw error;
    }
  }
}
