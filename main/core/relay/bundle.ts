/**
 * Config bundles: what reflecting a composition hands to the mail servers.
 * Format documented in docs/bundle-format.md. Secrets (p12 files and their passwords)
 * are sealed with AES-256-GCM under a key derived from the passphrase with scrypt;
 * the whole file is authenticated with HMAC-SHA256 under a second derived key, and a
 * key-check value tells a wrong passphrase apart from a modified file.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import { SmimeError } from '../errors';
import type { DestinationException, HeaderException } from '../domain/state';

export const BUNDLE_FORMAT = 'smime-admin-bundle';
export const BUNDLE_VERSION = 1;
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;
export const MIN_PASSPHRASE = 12;
const KEY_CHECK_LABEL = 'smime-admin bundle key check v1';
const DEFAULT_KDF = { N: 1 << 15, r: 8, p: 1 };

export interface KdfParams {
  name: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
}

export interface Sealed {
  iv: string;
  data: string;
  tag: string;
}

export interface BundleCertificate {
  email: string;
  fingerprintSha256: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  p12: Sealed;
  password: Sealed;
}

export interface BundleComposition {
  name: string;
  intelligentBcc: boolean;
  destinationExceptions: DestinationException[];
  headerExceptions: HeaderException[];
}

export interface BundlePayload {
  bundleId: string;
  createdAt: string;
  createdBy: string;
  composition: BundleComposition;
  certificates: BundleCertificate[];
}

interface BundleFile {
  format: string;
  version: number;
  kdf: KdfParams;
  keyCheck: string;
  payload: string;
  mac: string;
}

/** A certificate with its secrets, as handed to writeBundle and returned by openBundle. */
export interface BundleSecretCertificate extends Omit<BundleCertificate, 'p12' | 'password'> {
  p12: Buffer;
  password: string;
}

function deriveKeys(passphrase: string, kdf: KdfParams): { enc: Buffer; mac: Buffer } {
  const key = scryptSync(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 64, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r });
  return { enc: key.subarray(0, 32), mac: key.subarray(32) };
}

function macInput(f: Omit<BundleFile, 'mac'>): Buffer {
  return Buffer.from([f.format, String(f.version), JSON.stringify(f.kdf), f.keyCheck, f.payload].join('\n'), 'utf8');
}

function seal(key: Buffer, data: Buffer, aad: string): Sealed {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(Buffer.from(aad));
  const out = Buffer.concat([c.update(data), c.final()]);
  return { iv: iv.toString('base64'), data: out.toString('base64'), tag: c.getAuthTag().toString('base64') };
}

function unseal(key: Buffer, s: Sealed, aad: string): Buffer {
  try {
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(s.iv, 'base64'));
    d.setAAD(Buffer.from(aad));
    d.setAuthTag(Buffer.from(s.tag, 'base64'));
    return Buffer.concat([d.update(Buffer.from(s.data, 'base64')), d.final()]);
  } catch {
    throw new SmimeError('BUNDLE_TAMPERED', 'a sealed secret in the bundle does not authenticate: the bundle was modified');
  }
}

export function checkPassphrase(passphrase: string): void {
  if ([...passphrase].length < MIN_PASSPHRASE) throw new SmimeError('PASSPHRASE_WEAK', `the bundle passphrase must have at least ${MIN_PASSPHRASE} characters`);
}

/** Writes a bundle (as bytes) for one composition and its certificates. */
export function writeBundle(
  passphrase: string,
  composition: BundleComposition,
  certificates: BundleSecretCertificate[],
  meta: { createdAt: Date; createdBy: string },
  kdfParams = DEFAULT_KDF,
): Buffer {
  checkPassphrase(passphrase);
  const kdf: KdfParams = { name: 'scrypt', ...kdfParams, salt: randomBytes(16).toString('base64') };
  const keys = deriveKeys(passphrase, kdf);
  const bundleId = randomUUID();
  const payload: BundlePayload = {
    bundleId,
    createdAt: meta.createdAt.toISOString(),
    createdBy: meta.createdBy,
    composition,
    certificates: certificates.map(({ p12, password, ...pub }) => ({
      ...pub,
      p12: seal(keys.enc, p12, `${bundleId}:${pub.fingerprintSha256}:p12`),
      password: seal(keys.enc, Buffer.from(password, 'utf8'), `${bundleId}:${pub.fingerprintSha256}:password`),
    })),
  };
  const body = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    kdf,
    keyCheck: createHmac('sha256', keys.mac).update(KEY_CHECK_LABEL).digest('base64'),
    payload: JSON.stringify(payload),
  };
  const file: BundleFile = { ...body, mac: createHmac('sha256', keys.mac).update(macInput(body)).digest('hex') };
  return Buffer.from(JSON.stringify(file, null, 1) + '\n', 'utf8');
}

export interface OpenedBundle {
  payload: Omit<BundlePayload, 'certificates'>;
  certificates: BundleSecretCertificate[];
}

/** Authenticates and opens a bundle; every failure is a one-line reason. */
export function openBundle(bytes: Buffer, passphrase: string, name = 'the bundle'): OpenedBundle {
  if (bytes.length > MAX_BUNDLE_BYTES) throw new SmimeError('FILE_TOO_LARGE', `${name} is larger than ${MAX_BUNDLE_BYTES / 1048576} MiB`);
  let file: BundleFile;
  try {
    file = JSON.parse(bytes.toString('utf8')) as BundleFile;
  } catch {
    throw new SmimeError('BUNDLE_INVALID', `${name} is damaged: it is truncated or was modified (it is not valid JSON)`);
  }
  if (!file || typeof file !== 'object' || file.format !== BUNDLE_FORMAT) {
    throw new SmimeError('BUNDLE_INVALID', `${name} is not a smime-admin config bundle`);
  }
  if (file.version !== BUNDLE_VERSION) {
    throw new SmimeError('BUNDLE_UNSUPPORTED_VERSION', `${name} has format version ${String(file.version)}; this smime-admin reads version ${BUNDLE_VERSION}`);
  }
  const kdf = file.kdf;
  const valid =
    kdf && kdf.name === 'scrypt' && Number.isInteger(kdf.N) && kdf.N >= 1 << 14 && kdf.N <= 1 << 20 && (kdf.N & (kdf.N - 1)) === 0 &&
    Number.isInteger(kdf.r) && kdf.r >= 1 && kdf.r <= 32 && Number.isInteger(kdf.p) && kdf.p >= 1 && kdf.p <= 16 && typeof kdf.salt === 'string' &&
    typeof file.keyCheck === 'string' && typeof file.payload === 'string' && typeof file.mac === 'string';
  if (!valid) throw new SmimeError('BUNDLE_TAMPERED', `${name} was modified: its key parameters are not valid`);
  const keys = deriveKeys(passphrase, kdf);
  const check = createHmac('sha256', keys.mac).update(KEY_CHECK_LABEL).digest();
  const given = Buffer.from(file.keyCheck, 'base64');
  if (given.length !== check.length || !timingSafeEqual(given, check)) {
    throw new SmimeError('BUNDLE_WRONG_PASSPHRASE', `wrong passphrase for ${name}`);
  }
  const mac = createHmac('sha256', keys.mac).update(macInput(file)).digest();
  const givenMac = Buffer.from(file.mac, 'hex');
  if (givenMac.length !== mac.length || !timingSafeEqual(givenMac, mac)) {
    throw new SmimeError('BUNDLE_TAMPERED', `${name} was modified after it was written (its authentication code does not match)`);
  }
  const payload = JSON.parse(file.payload) as BundlePayload;
  const certificates = payload.certificates.map(({ p12, password, ...pub }) => ({
    ...pub,
    p12: unseal(keys.enc, p12, `${payload.bundleId}:${pub.fingerprintSha256}:p12`),
    password: unseal(keys.enc, password, `${payload.bundleId}:${pub.fingerprintSha256}:password`).toString('utf8'),
  }));
  const { certificates: _c, ...rest } = payload;
  return { payload: rest, certificates };
}
