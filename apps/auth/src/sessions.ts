import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Model, Types } from 'mongoose';
import { isDuplicateKeyError, unauthorized } from '@platform/service-kit';
import type { AuthMetrics } from './metrics';
import type { RefreshToken } from './models/refresh-token';

export interface IssuedRefreshToken {
  token: string;
  expiresAt: Date;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const WELL_FORMED = /^[A-Za-z0-9_-]{43}$/;
const invalidRefreshToken = () =>
  unauthorized('Refresh token is missing, invalid, expired or revoked', 'INVALID_REFRESH_TOKEN');

/** Refresh tokens with rotation and reuse detection. */
export class RefreshSessions {
  constructor(
    private readonly tokens: Model<RefreshToken>,
    private readonly ttlMs: number,
    private readonly reuseDetections?: AuthMetrics['refreshTokenReuseDetections'],
  ) {}

  /** Starts a new family (a login). */
  issue(userId: Types.ObjectId): Promise<IssuedRefreshToken> {
    const familyId = randomUUID();
    return this.insert(userId, familyId, `login:${familyId}`);
  }

  /**
   * Spends a refresh token and issues its successor in the same family. A token that was already
   * spent (or is being spent concurrently) means it leaked or was replayed: the whole family is
   * revoked.
   */
  async rotate(token: string | undefined): Promise<{ userId: Types.ObjectId; next: IssuedRefreshToken }> {
    if (!token || !WELL_FORMED.test(token)) throw invalidRefreshToken();
    const tokenHash = hashToken(token);
    const now = new Date();
    const current = await this.tokens.findOne({ tokenHash });
    if (!current) throw invalidRefreshToken();
    if (current.usedAt) return this.reused(current.familyId, now);
    if (current.revokedAt || current.expiresAt <= now) throw invalidRefreshToken();
    let next: IssuedRefreshToken;
    try {
      next = await this.insert(current.userId, current.familyId, tokenHash);
    } catch (error) {
      if (isDuplicateKeyError(error)) return this.reused(current.familyId, now);
      throw error;
    }
    await this.tokens.updateOne({ _id: current._id }, { $set: { usedAt: now } });
    // A revocation that raced with this rotation must not leave a live successor behind.
    if (await this.tokens.exists({ familyId: current.familyId, revokedAt: { $ne: null } })) {
      await this.revokeFamily(current.familyId, now);
      throw invalidRefreshToken();
    }
    return { userId: current.userId, next };
  }

  /** Logout: revokes the session the token belongs to. Unknown tokens are ignored. */
  async revoke(token: string | undefined): Promise<void> {
    if (!token || !WELL_FORMED.test(token)) return;
    const known = await this.tokens.findOne({ tokenHash: hashToken(token) });
    if (known) await this.revokeFamily(known.familyId, new Date());
  }

  async purgeExpired(now = new Date()): Promise<number> {
    const { deletedCount } = await this.tokens.deleteMany({ expiresAt: { $lte: now } });
    return deletedCount;
  }

  private async insert(
    userId: Types.ObjectId,
    familyId: string,
    parentHash: string,
  ): Promise<IssuedRefreshToken> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.ttlMs);
    await this.tokens.create({ tokenHash: hashToken(token), parentHash, familyId, userId, expiresAt });
    return { token, expiresAt };
  }

  private async reused(familyId: string, now: Date): Promise<never> {
    this.reuseDetections?.inc();
    await this.revokeFamily(familyId, now);
    throw unauthorized(
      'Refresh token was already used; the session has been revoked',
      'REFRESH_TOKEN_REUSED',
    );
  }

  private async revokeFamily(familyId: string, now: Date): Promise<void> {
    await this.tokens.updateMany({ familyId, revokedAt: null }, { $set: { revokedAt: now } });
  }
}
