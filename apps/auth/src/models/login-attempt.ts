import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';

/** Login attempts counted in a fixed window per key (`email:<address>` or `client:<ip>`). */
export interface LoginAttempts {
  _id: string;
  count: number;
  expiresAt: Date;
}

const loginAttemptsSchema = new Schema<LoginAttempts>(
  {
    _id: { type: String, required: true },
    count: { type: Number, required: true },
    expiresAt: { type: Date, required: true, index: true },
  },
  { collection: 'login_attempts', versionKey: false, strict: 'throw' },
);

export function loginAttemptsModel(connection: Connection): Model<LoginAttempts> {
  return (
    (connection.models.LoginAttempts as Model<LoginAttempts> | undefined) ??
    connection.model<LoginAttempts>('LoginAttempts', loginAttemptsSchema)
  );
}
