import type { Connection, HydratedDocument, Model } from 'mongoose';
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

export type UserDocument = HydratedDocument<User>;

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

export function toPublicUser(user: UserDocument): PublicUser {
  return { id: user._id.toString(), email: user.email, name: user.name, roles: [...user.roles] };
}
