import type { Connection, Model, Types } from 'mongoose';
import { Schema } from 'mongoose';

/**
 * One refresh token. Only its SHA-256 is stored. Tokens issued from one login form a family;
 * presenting a token that was already used revokes the whole family. `parentHash` is unique:
 * each token can have one successor, which is what makes rotation safe under concurrency on
 * every supported database (an insert under a unique index is atomic everywhere; a conditional
 * update is not on FerretDB v1).
 */
export interface RefreshToken {
  tokenHash: string;
  /** The token this one replaced, or `login:<familyId>` for the first of a family. */
  parentHash: string;
  familyId: string;
  userId: Types.ObjectId;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

const refreshTokenSchema = new Schema<RefreshToken>(
  {
    tokenHash: { type: String, required: true, unique: true },
    parentHash: { type: String, required: true, unique: true },
    familyId: { type: String, required: true, index: true },
    userId: { type: Schema.Types.ObjectId, required: true, index: true },
    expiresAt: { type: Date, required: true, index: true },
    usedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { collection: 'refresh_tokens', timestamps: { createdAt: true, updatedAt: false }, strict: 'throw' },
);

export function refreshTokenModel(connection: Connection): Model<RefreshToken> {
  return (
    (connection.models.RefreshToken as Model<RefreshToken> | undefined) ??
    connection.model<RefreshToken>('RefreshToken', refreshTokenSchema)
  );
}
