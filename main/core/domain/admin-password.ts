/** The admin password: a scrypt hash (RFC 7914) in the settings file, never the password. */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { SmimeError } from '../errors';
import type { AdminPasswordHash } from './state';

export const MIN_ADMIN_PASSWORD = 8;
const PARAMS = { N: 1 << 15, r: 8, p: 1 };

export function hashAdminPassword(password: string): AdminPasswordHash {
  if ([...password].length < MIN_ADMIN_PASSWORD)
    throw new SmimeError(
      'ADMIN_PASSWORD_WEAK',
      `the admin password must have at least ${MIN_ADMIN_PASSWORD} characters`,
    );
  const salt = randomBytes(16);
  const hash = scryptSync(password.normalize('NFC'), salt, 32, { ...PARAMS, maxmem: 128 * PARAMS.N * PARAMS.r * 2 });
  return { algorithm: 'scrypt', ...PARAMS, salt: salt.toString('base64'), hash: hash.toString('base64') };
}

export function verifyAdminPassword(stored: AdminPasswordHash | null, password: string): void {
  if (!stored)
    throw new SmimeError('ADMIN_PASSWORD_NOT_SET', 'no admin password is set yet; set one first (admin-password set)');
  const expected = Buffer.from(stored.hash, 'base64');
  const got = scryptSync(password.normalize('NFC'), Buffer.from(stored.salt, 'base64'), expected.length, {
    N: stored.N,
    r: stored.r,
    p: stored.p,
    maxmem: 128 * stored.N * stored.r * 2,
  });
  if (!timingSafeEqual(got, expected)) throw new SmimeError('ADMIN_PASSWORD_WRONG', 'the admin password is wrong');
}
