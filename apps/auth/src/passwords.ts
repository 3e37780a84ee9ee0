import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

const KEY_LENGTH = 64;
const SALT_LENGTH = 16;
// $scrypt$N=65536,r=8,p=2$<salt>$<hash>: parameters travel with each hash so they can be raised later.
const ENCODED = /^\$scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      KEY_LENGTH,
      { ...params, maxmem: 256 * params.N * params.r },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** Hashes with scrypt (memory-hard) and a fresh random salt. */
export async function hashPassword(password: string, params: ScryptParams): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const hash = await derive(password, salt, params);
  return `$scrypt$N=${params.N},r=${params.r},p=${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export interface PasswordCheck {
  ok: boolean;
  /** The stored hash used weaker parameters than the current ones. */
  needsRehash: boolean;
}

export async function verifyPassword(
  password: string,
  encoded: string,
  current: ScryptParams,
): Promise<PasswordCheck> {
  const match = ENCODED.exec(encoded);
  if (!match) return { ok: false, needsRehash: false };
  const params = { N: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  const expected = Buffer.from(match[5] ?? '', 'base64');
  const actual = await derive(password, Buffer.from(match[4] ?? '', 'base64'), params);
  const ok = actual.length === expected.length && timingSafeEqual(actual, expected);
  const needsRehash = params.N < current.N || params.r < current.r || params.p < current.p;
  return { ok, needsRehash };
}

/**
 * Spends the same work as a real check, for logins with an unknown email, so the answer time does
 * not reveal which emails exist.
 */
export class DecoyPasswordCheck {
  private decoy: Promise<string> | undefined;

  constructor(private readonly params: ScryptParams) {}

  async run(password: string): Promise<void> {
    this.decoy ??= hashPassword(randomBytes(16).toString('hex'), this.params);
    await verifyPassword(password, await this.decoy, this.params);
  }
}
