import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Model, Types } from 'mongoose';
import { unauthorized } from '@platform/service-kit';
import type { RefreshToken } from './models/refresh-token';

export interface IssuedRefreshToken {
  token: string;
  expiresAt: Date;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const WELL_FORMED = /^[A-Za-z0-9_-]{43}$/;

/** Refresh tokens with rotation and reuse detection. */
export class RefreshSessions {
  constructor(
    private readonly tokens: Model<RefreshToken>,
    private readonly ttlMs: number,
  ) {}

  async issue(userId: Types.ObjectId, familyId: string = randomUUID()): Promise<IssuedRefreshToken> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(Date.now() + this.ttlMs);
    await this.tokens.create({ tokenHash: hashToken(token), familyId, userId, expiresAt });
    return { token, expiresAt };
  }

  /**
   * Spends a refresh token and issues its successor in the same family. A token that was
   * already spent means it leaked (or was replayed): the whole family is revoked.
   */
  async rotate(token: string | undefined): Promise<{ userId: Types.ObjectId; next: IssuedRefreshToken }> {
    if (!token || !WELL_FORMED.test(token))
      throw unauthorized('Refresh token is missing or invalid', 'INVALID_REFRESH_TOKEN');
    const tokenHash = hashToken(token);
    const now = new Date();
    const spent = await this.tokens.findOneAndUpdate(
      { tokenHash, usedAt: null, revokedAt: null, expiresAt: { $gt: now } },
      { $set: { usedAt: now } },
      { returnDocument: 'after' },
    );
    if (spent) return { userId: spent.userId, next: await this.issue(spent.userId, spent.familyId) };

    const known = await this.tokens.findOne({ tokenHash });
    if (known?.usedAt) {
      await this.revokeFamily(known.familyId, now);
      throw unauthorized(
        'Refresh token was already used; the session has been revoked',
        'REFRESH_TOKEN_REUSED',
      );
    }
    throw unauthorized('Refresh token is invalid, expired or revoked', 'INVALID_REFRESH_TOKEN');
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

  private async revokeFamily(familyId: string, now: Date): Promise<void> {
    await this.tokens.updateMany({ familyId, revokedAt: null }, { $set: { revokedAt: now } });
  }
}
