import type { Connection, Model } from 'mongoose';
import { Schema } from 'mongoose';

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  email: string;
  name: string | null;
  roles: Role[];
  passwordHash: string;
  createdAt: Date;
  updatedAt: Date;
}

const userSchema = new Schema<User>(
  {
    email: { type: String, required: true, unique: true },
    name: { type: String, default: null },
    roles: { type: [String], enum: ROLES, default: ['user'] },
    passwordHash: { type: String, required: true },
  },
  { collection: 'users', timestamps: true, strict: 'throw' },
);

export function userModel(connection: Connection): Model<User> {
  return (connection.models.User as Model<User> | undefined) ?? connection.model<User>('User', userSchema);
}

export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
  roles: Role[];
}

/** The fields `toPublicUser` reads: a read that only answers with the user can ask for just these. */
export const PUBLIC_USER_FIELDS = { email: 1, name: 1, roles: 1 } as const;

/** A stored user as the API shows it; takes a document or a plain (lean) read of one. */
export function toPublicUser(
  user: Pick<User, 'email' | 'roles'> & { name?: string | null; _id: { toString(): string } },
): PublicUser {
  return { id: user._id.toString(), email: user.email, name: user.name ?? null, roles: [...user.roles] };
}
