import type { Model } from 'mongoose';
import type { Logger } from '@platform/service-kit';
import { isDuplicateKeyError } from '@platform/service-kit';
import type { ScryptParams } from './passwords';
import { hashPassword, verifyPassword } from './passwords';
import type { User } from './models/user';

/**
 * Makes sure the configured administrator exists with the configured password and the admin
 * role. Idempotent: nothing is written when all is already as configured, and replicas starting
 * together converge on one user.
 */
export async function ensureAdmin(
  users: Model<User>,
  admin: { email: string; password: string },
  params: ScryptParams,
  logger: Logger,
): Promise<'created' | 'updated' | 'unchanged'> {
  const existing = await users.findOne({ email: admin.email });
  if (!existing) {
    try {
      await users.create({
        email: admin.email,
        name: 'Administrator',
        roles: ['user', 'admin'],
        passwordHash: await hashPassword(admin.password, params),
      });
      logger.info({ email: admin.email }, 'admin user created');
      return 'created';
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      return ensureAdmin(users, admin, params, logger);
    }
  }
  const update: Partial<User> = {};
  if (!existing.roles.includes('admin'))
    update.roles = [...new Set([...existing.roles, 'user' as const, 'admin' as const])];
  const check = await verifyPassword(admin.password, existing.passwordHash, params);
  if (!check.ok || check.needsRehash) update.passwordHash = await hashPassword(admin.password, params);
  if (Object.keys(update).length === 0) return 'unchanged';
  await users.updateOne({ _id: existing._id }, { $set: update });
  logger.info({ email: admin.email, fields: Object.keys(update) }, 'admin user updated');
  return 'updated';
}
