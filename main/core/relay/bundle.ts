/**
 * Config bundles: what reflecting a composition hands to the mail servers.
 * Format documented in docs/bundle-format.md. Secrets (p12 files and their passwords)
 * are sealed with AES-256-GCM under a key derived from the passphrase with scrypt;
 * the whole file is authenticated with HMAC-SHA256 under a second derived key, and a
 * key-check value tells a wrong passphrase apart from a modified file.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  randomUUID,
  scryptSync,
  timingSafeEqual,
} from 'node:crypto';
import { z } from 'zod';
import type { DestinationException, HeaderException } from '../../contract';
import { SmimeError } from '../errors';
import { MAX_PATTERN_LENGTH } from './patterns';

export const BUNDLE_FORMAT = 'smime-admin-bundle';
export const BUNDLE_VERSION = 2;
export const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;
export const MIN_PASSPHRASE = 12;
const KEY_CHECK_LABEL = 'smime-admin bundle key check v1';
const DEFAULT_KDF = { N: 1 << 15, r: 8, p: 1 };
/**
 * The most work an (unauthenticated) bundle header may ask for before its passphrase is
 * checked: N up to 2^17, r up to 16, p up to 4, and at most 128 MiB of scrypt memory and
 * 8 × the default's cost (about a second here).
 */
export const KDF_BOUNDS = {
  minN: 1 << 14,
  maxN: 1 << 17,
  maxR: 16,
  maxP: 4,
  maxMemory: 128 * 1024 * 1024,
  maxCost: (1 << 15) * 8 * 8,
};

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
  /** the composition's identity; a relay follows it across renames */
  id: string;
  name: string;
  intelligentBcc: boolean;
  destinationExceptions: DestinationException[];
  headerExceptions: HeaderException[];
}

export interface BundlePayload {
  bundleId: string;
  createdAt: string;
  createdBy: string;
  /** the composition's reflection number: each reflection's is higher than the last, so relays refuse rollbacks */
  serial: number;
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
  const maxmem = 256 * kdf.N * kdf.r;
  const key = scryptSync(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), 64, { ...kdf, maxmem });
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
    throw new SmimeError(
      'BUNDLE_TAMPERED',
      'a sealed secret in the bundle does not authenticate: the bundle was modified',
    );
  }
}

export function checkPassphrase(passphrase: string): void {
  if ([...passphrase].length < MIN_PASSPHRASE)
    throw new SmimeError('PASSPHRASE_WEAK', `the bundle passphrase must have at least ${MIN_PASSPHRASE} characters`);
}

/** Writes a bundle (as bytes) for one composition and its certificates. */
export function writeBundle(
  passphrase: string,
  composition: BundleComposition,
  certificates: BundleSecretCertificate[],
  meta: { createdAt: Date; createdBy: string; serial: number },
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
    serial: meta.serial,
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

const b64 = z
  .string()
  .max(MAX_BUNDLE_BYTES)
  .regex(/^[A-Za-z0-9+/]*={0,2}$/);
const iso = z.string().datetime({ offset: true });
const sealed = z.object({ iv: b64, data: b64, tag: b64 }).strict();
const patternText = z.string().min(1).max(MAX_PATTERN_LENGTH);
const noteText = z.string().max(200).optional();
const exceptionId = z.number().int().min(0).max(1_000_000);
const fileSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    version: z.number(),
    kdf: z.unknown(),
    keyCheck: z.string().max(100),
    payload: z.string(),
    mac: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
const kdfSchema = z
  .object({
    name: z.literal('scrypt'),
    N: z.number().int().min(KDF_BOUNDS.minN).max(KDF_BOUNDS.maxN),
    r: z.number().int().min(1).max(KDF_BOUNDS.maxR),
    p: z.number().int().min(1).max(KDF_BOUNDS.maxP),
    salt: b64.max(64),
  })
  .strict()
  .refine((k) => (k.N & (k.N - 1)) === 0, 'N is not a power of two')
  .refine((k) => 128 * k.N * k.r <= KDF_BOUNDS.maxMemory, 'the memory cost is too high')
  .refine((k) => k.N * k.r * k.p <= KDF_BOUNDS.maxCost, 'the work factor is too high');
const payloadSchema = z
  .object({
    bundleId: z.string().uuid(),
    createdAt: iso,
    createdBy: z.string().max(256),
    serial: z.number().int().min(1),
    composition: z
      .object({
        id: z.string().min(1).max(64),
        name: z.string().min(1).max(64),
        intelligentBcc: z.boolean(),
        destinationExceptions: z
          .array(
            z
              .object({
                id: exceptionId,
                pattern: patternText,
                enabled: z.boolean(),
                isDefault: z.boolean(),
                preset: z.enum(['feature-phone', 'smartphone']).optional(),
                note: noteText,
              })
              .strict(),
          )
          .max(1000),
        headerExceptions: z
          .array(
            z
              .object({
                id: exceptionId,
                header: z.string().min(1).max(76),
                pattern: patternText,
                enabled: z.boolean(),
                isDefault: z.boolean(),
                note: noteText,
              })
              .strict(),
          )
          .max(1000),
      })
      .strict(),
    certificates: z
      .array(
        z
          .object({
            email: z.string().min(3).max(254),
            fingerprintSha256: z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/),
            subject: z.string().max(4096),
            issuer: z.string().max(4096),
            notBefore: iso,
            notAfter: iso,
            p12: sealed,
            password: sealed,
          })
          .strict(),
      )
      .max(10_000),
  })
  .strict();

function firstIssue(e: z.ZodError): string {
  const i = e.issues[0];
  return i ? `${i.path.join('.') || 'file'}: ${i.message}` : 'malformed';
}

/**
 * Authenticates and opens a bundle; every failure is a one-line reason. The key parameters
 * are bounded before any work is done, and the payload is checked whole before it is used.
 */
export function openBundle(bytes: Buffer, passphrase: string, name = 'the bundle'): OpenedBundle {
  if (bytes.length > MAX_BUNDLE_BYTES)
    throw new SmimeError('FILE_TOO_LARGE', `${name} is larger than ${MAX_BUNDLE_BYTES / 1048576} MiB`);
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new SmimeError(
      'BUNDLE_INVALID',
      `${name} is damaged: it is truncated or was modified (it is not valid JSON)`,
    );
  }
  if (!json || typeof json !== 'object' || (json as { format?: unknown }).format !== BUNDLE_FORMAT) {
    throw new SmimeError('BUNDLE_INVALID', `${name} is not a smime-admin config bundle`);
  }
  const version = (json as { version?: unknown }).version;
  if (version !== BUNDLE_VERSION) {
    throw new SmimeError(
      'BUNDLE_UNSUPPORTED_VERSION',
      `${name} has format version ${String(version)}; this smime-admin reads version ${BUNDLE_VERSION}`,
    );
  }
  const file = fileSchema.safeParse(json);
  if (!file.success) throw new SmimeError('BUNDLE_INVALID', `${name} is damaged (${firstIssue(file.error)})`);
  const kdf = kdfSchema.safeParse(file.data.kdf);
  if (!kdf.success)
    throw new SmimeError(
      'BUNDLE_TAMPERED',
      `${name} was modified: its key parameters are not valid (${firstIssue(kdf.error)})`,
    );
  const f: BundleFile = { ...file.data, kdf: kdf.data };
  const keys = deriveKeys(passphrase, kdf.data);
  const check = createHmac('sha256', keys.mac).update(KEY_CHECK_LABEL).digest();
  const given = Buffer.from(f.keyCheck, 'base64');
  if (given.length !== check.length || !timingSafeEqual(given, check)) {
    throw new SmimeError('BUNDLE_WRONG_PASSPHRASE', `wrong passphrase for ${name}`);
  }
  const mac = createHmac('sha256', keys.mac).update(macInput(f)).digest();
  const givenMac = Buffer.from(f.mac, 'hex');
  if (givenMac.length !== mac.length || !timingSafeEqual(givenMac, mac)) {
    throw new SmimeError(
      'BUNDLE_TAMPERED',
      `${name} was modified after it was written (its authentication code does not match)`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(f.payload);
  } catch {
    throw new SmimeError('BUNDLE_INVALID', `${name} is damaged: its payload is not JSON`);
  }
  const parsed = payloadSchema.safeParse(raw);
  if (!parsed.success) throw new SmimeError('BUNDLE_INVALID', `${name} is damaged (${firstIssue(parsed.error)})`);
  const payload: BundlePayload = parsed.data;
  const certificates = payload.certificates.map(({ p12, password, ...pub }) => ({
    ...pub,
    p12: unseal(keys.enc, p12, `${payload.bundleId}:${pub.fingerprintSha256}:p12`),
    password: unseal(keys.enc, password, `${payload.bundleId}:${pub.fingerprintSha256}:password`).toString('utf8'),
  }));
  const { certificates: _c, ...rest } = payload;
  return { payload: rest, certificates };
}

/** What a bundle says about itself before it is authenticated. */
export interface BundleLabel {
  compositionId: string;
  compositionName: string;
  serial: number;
  bundleId: string;
}

/**
 * Reads a bundle's composition and serial WITHOUT authenticating anything: cheap (no key
 * derivation), and only fit to order or skip candidates, e.g. a relay choosing which of many
 * files to open first. Whatever is acted on must still go through openBundle. Throws
 * BUNDLE_INVALID when the file is not a readable bundle of this version.
 */
export function peekBundle(bytes: Buffer, name = 'the bundle'): BundleLabel {
  let file: unknown;
  let payload: unknown;
  try {
    file = JSON.parse(bytes.toString('utf8'));
    payload = JSON.parse(String((file as { payload?: unknown }).payload));
  } catch {
    throw new SmimeError(
      'BUNDLE_INVALID',
      `${name} is damaged: it is truncated or was modified (it is not valid JSON)`,
    );
  }
  const f = file as { format?: unknown; version?: unknown };
  if (f.format !== BUNDLE_FORMAT) throw new SmimeError('BUNDLE_INVALID', `${name} is not a smime-admin config bundle`);
  if (f.version !== BUNDLE_VERSION)
    throw new SmimeError(
      'BUNDLE_UNSUPPORTED_VERSION',
      `${name} has format version ${String(f.version)}; this smime-admin reads version ${BUNDLE_VERSION}`,
    );
  const p = payload as { serial?: unknown; bundleId?: unknown; composition?: { id?: unknown; name?: unknown } };
  const c = p?.composition;
  if (typeof p?.serial !== 'number' || typeof c?.id !== 'string' || typeof c.name !== 'string')
    throw new SmimeError('BUNDLE_INVALID', `${name} is damaged (its payload has no composition or serial)`);
  return { compositionId: c.id, compositionName: c.name, serial: p.serial, bundleId: String(p.bundleId) };
}
