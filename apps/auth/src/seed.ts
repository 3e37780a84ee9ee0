import { z } from 'zod';
import { createLogger, runSeed } from '@platform/service-kit';
import { ensureAdmin } from './admin';
import { authEnvFields } from './config';
import { userModel } from './models/user';

const seedEnv = authEnvFields
  .pick({ MONGO_URL: true, PASSWORD_SCRYPT_N: true, PASSWORD_SCRYPT_R: true, PASSWORD_SCRYPT_P: true })
  .extend({
    ADMIN_EMAIL: authEnvFields.shape.ADMIN_EMAIL.unwrap(),
    ADMIN_PASSWORD: z.string().min(10).max(128),
  });

/** Creates or updates the administrator from ADMIN_EMAIL and ADMIN_PASSWORD. */
runSeed('auth', seedEnv, async (connection, config) => {
  const users = userModel(connection);
  await users.createIndexes();
  const outcome = await ensureAdmin(
    users,
    { email: config.ADMIN_EMAIL, password: config.ADMIN_PASSWORD },
    { N: config.PASSWORD_SCRYPT_N, r: config.PASSWORD_SCRYPT_R, p: config.PASSWORD_SCRYPT_P },
    createLogger({ service: 'auth', level: 'silent' }),
  );
  return `admin ${config.ADMIN_EMAIL} ${outcome}`;
});
