import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';

/**
 * One login attempt under a throttle key (`email:<address>` or `client:<ip>`). Attempts are
 * inserted and counted, never incremented in place: inserts are atomic on every supported
 * database, while read-modify-write updates are not (FerretDB v1 applies them non-atomically).
 */
export interface LoginAttempt {
  key: string;
  at: Date;
  expiresAt: Date;
}

const loginAttemptSchema = new Schema<LoginAttempt>(
  {
    key: { type: String, required: true },
    at: { type: Date, required: true },
    expiresAt: { type: Date, required: true, index: true },
  },
  { collection: 'login_attempts', versionKey: false, strict: 'throw' },
);
loginAttemptSchema.index({ key: 1, at: 1 });

export function loginAttemptModel(connection: Connection): Model<LoginAttempt> {
  return (
    (connection.models.LoginAttempt as Model<LoginAttempt> | undefined) ??
    connection.model<LoginAttempt>('LoginAttempt', loginAttemptSchema)
  );
}
