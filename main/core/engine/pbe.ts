/**
 * Password-based protection of PKCS#12 files: the PKCS#12 KDF and PBE ciphers (RFC 7292
 * App. B, C), PBES2 with PBKDF2 (RFC 8018 §6.2), the PFX MAC and PBMAC1 (RFC 9579).
 *
 * Passwords follow OpenSSL: the MAC and the PKCS#12 ciphers take a BMPString, PBKDF2 takes
 * UTF-8 bytes. Every iteration count is checked against a per-file work budget before any
 * work is done, so a hostile file cannot make us derive keys for minutes.
 */
import { createDecipheriv, createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import forge from 'node-forge';
import { SmimeError } from '../errors';
import { Asn1, AsnError } from './der';
import { cipherFromOid, digestFromOid, hmacDigest, OID, type DigestName } from './oids';

const HASH_SIZES: Record<DigestName, { u: number; v: number }> = {
  sha1: { u: 20, v: 64 },
  sha224: { u: 28, v: 64 },
  sha256: { u: 32, v: 64 },
  sha384: { u: 48, v: 128 },
  sha512: { u: 64, v: 128 },
};

/**
 * The key-derivation work one file may ask for, in PBKDF2-HMAC-SHA256 iterations (about half a
 * second here). Real producers use 2 048 (OpenSSL, NSS, Windows) up to a few hundred thousand.
 * The PKCS#12 KDF runs in JavaScript and counts 4 × per iteration.
 */
export const KDF_BUDGET = 2_000_000;
const P12_KDF_COST = 4;

/** What one PKCS#12 file may still spend on key derivation. */
export class WorkBudget {
  constructor(
    private left = KDF_BUDGET,
    private readonly what = 'the file',
  ) {}

  spend(iterations: number, costPerIteration = 1): void {
    const cost = iterations * costPerIteration;
    if (!Number.isSafeInteger(iterations) || iterations < 1 || cost > this.left) {
      throw new SmimeError(
        'P12_UNSUPPORTED',
        `${this.what} asks for ${iterations} key-derivation iterations, more than the ${KDF_BUDGET} this reader allows for a whole file`,
      );
    }
    this.left -= cost;
  }
}

/** The two encodings OpenSSL accepts for a password: BMPString candidates (empty has two forms) and UTF-8. */
export interface Password {
  bmp: Buffer[];
  utf8: Buffer;
}

export function passwordForms(password: string): Password {
  const utf16 = Buffer.from(password, 'utf16le').swap16();
  const bmp = Buffer.concat([utf16, Buffer.alloc(2)]);
  return { bmp: password === '' ? [bmp, Buffer.alloc(0)] : [bmp], utf8: Buffer.from(password, 'utf8') };
}

/** Thrown when decryption's padding is wrong: the usual sign of a wrong password. */
export class DecryptError extends Error {}

/** RFC 7292 App. B.2 key derivation. */
export function pkcs12Kdf(
  pass: Buffer,
  salt: Buffer,
  id: 1 | 2 | 3,
  iterations: number,
  n: number,
  hash: DigestName,
): Buffer {
  const { u, v } = HASH_SIZES[hash];
  const fill = (src: Buffer): Buffer => {
    if (src.length === 0) return Buffer.alloc(0);
    const len = v * Math.ceil(src.length / v);
    const out = Buffer.alloc(len);
    for (let i = 0; i < len; i++) out[i] = src[i % src.length]!;
    return out;
  };
  const D = Buffer.alloc(v, id);
  const I = Buffer.concat([fill(salt), fill(pass)]);
  const blocks: Buffer[] = [];
  const c = Math.ceil(n / u);
  for (let i = 0; i < c; i++) {
    let A = createHash(hash).update(D).update(I).digest();
    for (let j = 1; j < iterations; j++) A = createHash(hash).update(A).digest();
    blocks.push(A);
    if (i + 1 < c) {
      const B = Buffer.alloc(v);
      for (let k = 0; k < v; k++) B[k] = A[k % u]!;
      for (let off = 0; off < I.length; off += v) {
        let carry = 1;
        for (let k = v - 1; k >= 0; k--) {
          const sum = I[off + k]! + B[k]! + carry;
          I[off + k] = sum & 0xff;
          carry = sum >> 8;
        }
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, n);
}

export function intValue(el: Asn1): number {
  el.expect(0x02, 'INTEGER');
  const c = el.content();
  if (c.length > 6) throw new AsnError('integer too large');
  let v = 0;
  for (const b of c) v = v * 256 + b;
  return v;
}

export interface Pbkdf2Params {
  salt: Buffer;
  iterations: number;
  keyLength?: number;
  prf: DigestName;
}

/**
 * The one reader of PBKDF2 parameters (RFC 8018 App. A.2), for PBES2 and PBMAC1 alike: a
 * key derivation other than PBKDF2, or a pseudo-random function we do not know, is refused.
 */
export function readPbkdf2(kdf: Asn1, what: string): Pbkdf2Params {
  if (kdf.child(0).oid() !== OID.pbkdf2) {
    throw new SmimeError('P12_UNSUPPORTED', `${what} uses a key derivation other than PBKDF2`);
  }
  const kp = kdf.child(1).children();
  const salt = kp[0]!.expect(0x04, 'PBKDF2 salt').content();
  const iterations = intValue(kp[1]!);
  let prf: DigestName = 'sha1';
  let keyLength: number | undefined;
  for (const el of kp.slice(2)) {
    if (el.tag === 0x02) keyLength = intValue(el);
    else if (el.tag === 0x30) {
      const p = hmacDigest(el.child(0).oid());
      if (!p) throw new SmimeError('P12_UNSUPPORTED', `${what} uses an unsupported PBKDF2 pseudo-random function`);
      prf = p;
    }
  }
  if (keyLength !== undefined && (keyLength < 1 || keyLength > 64))
    throw new AsnError('PBKDF2 key length out of range');
  return { salt, iterations, prf, ...(keyLength !== undefined ? { keyLength } : {}) };
}

const PKCS12_PBE: Record<
  string,
  { cipher: string; keyLength: number; label: string } | { rc2Bits: number; label: string }
> = {
  [OID.pbeSha3DES]: { cipher: 'des-ede3-cbc', keyLength: 24, label: 'PKCS#12 PBE 3DES' },
  [OID.pbeSha2DES]: { cipher: 'des-ede-cbc', keyLength: 16, label: 'PKCS#12 PBE 2-key 3DES' },
  [OID.pbeShaRC2_40]: { rc2Bits: 40, label: 'PKCS#12 PBE RC2-40' },
  [OID.pbeShaRC2_128]: { rc2Bits: 128, label: 'PKCS#12 PBE RC2-128' },
};

function decipher(name: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  try {
    const d = createDecipheriv(name, key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch {
    throw new DecryptError();
  }
}

/** RC2 stays node-forge's: OpenSSL 3 moved it to its legacy provider. */
function rc2Decrypt(key: Buffer, iv: Buffer, bits: number, data: Buffer): Buffer {
  const rc2 = forge.rc2.createDecryptionCipher(forge.util.createBuffer(key.toString('binary')), bits);
  rc2.start(forge.util.createBuffer(iv.toString('binary')));
  rc2.update(forge.util.createBuffer(data.toString('binary')));
  if (!rc2.finish()) throw new DecryptError();
  return Buffer.from(rc2.output.getBytes(), 'binary');
}

/**
 * Decrypts an EncryptedContentInfo/EncryptedPrivateKeyInfo payload given its AlgorithmIdentifier.
 * Throws DecryptError when the padding is wrong (the usual sign of a wrong password).
 */
export function decrypt(alg: Asn1, data: Buffer, pw: Password, protection: Set<string>, budget: WorkBudget): Buffer {
  const algOid = alg.child(0).oid();
  if (algOid === OID.pbes2) {
    const params = alg.child(1);
    const kdf = readPbkdf2(params.child(0), 'the PKCS#12 file');
    const enc = params.child(1);
    const cipher = cipherFromOid(enc.child(0).oid());
    if (!cipher) throw new SmimeError('P12_UNSUPPORTED', 'the PKCS#12 file is encrypted with an unsupported cipher');
    const iv = enc.child(1).expect(0x04, 'IV').content();
    budget.spend(kdf.iterations);
    const key = pbkdf2Sync(pw.utf8, kdf.salt, kdf.iterations, kdf.keyLength ?? cipher.keyLength, kdf.prf);
    protection.add(`PBES2 ${cipher.name} (PBKDF2-HMAC-${kdf.prf.toUpperCase()})`);
    return decipher(cipher.node, key, iv, data);
  }
  const pbe = PKCS12_PBE[algOid];
  if (!pbe)
    throw new SmimeError('P12_UNSUPPORTED', `the PKCS#12 file is encrypted with an unsupported algorithm (${algOid})`);
  const params = alg.child(1);
  const salt = params.child(0).expect(0x04, 'PBE salt').content();
  const iterations = intValue(params.child(1));
  protection.add(pbe.label);
  let lastError: unknown;
  for (const bmp of pw.bmp) {
    budget.spend(iterations, 2 * P12_KDF_COST);
    try {
      const keyLength = 'cipher' in pbe ? pbe.keyLength : pbe.rc2Bits / 8;
      const key = pkcs12Kdf(bmp, salt, 1, iterations, keyLength, 'sha1');
      const iv = pkcs12Kdf(bmp, salt, 2, iterations, 8, 'sha1');
      return 'cipher' in pbe ? decipher(pbe.cipher, key, iv, data) : rc2Decrypt(key, iv, pbe.rc2Bits, data);
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

/** Verifies the PFX MAC (RFC 7292 §4, or PBMAC1 from RFC 9579). Returns false when the password is wrong. */
export function verifyMac(
  macData: Asn1,
  authSafeContent: Buffer,
  pw: Password,
  protection: Set<string>,
  budget: WorkBudget,
): boolean {
  const digestInfo = macData.child(0);
  const macAlg = digestInfo.child(0);
  const expected = digestInfo.child(1).expect(0x04, 'MAC digest').content();
  const macOid = macAlg.child(0).oid();
  if (macOid === OID.pbmac1) {
    const params = macAlg.child(1);
    const kdf = readPbkdf2(params.child(0), 'the PKCS#12 MAC');
    const hmac = hmacDigest(params.child(1).child(0).oid());
    if (!hmac) throw new SmimeError('P12_UNSUPPORTED', 'the PKCS#12 MAC uses an unsupported HMAC');
    protection.add(`PBMAC1 HMAC-${hmac.toUpperCase()}`);
    budget.spend(kdf.iterations);
    const key = pbkdf2Sync(pw.utf8, kdf.salt, kdf.iterations, kdf.keyLength ?? 32, kdf.prf);
    const mac = createHmac(hmac, key).update(authSafeContent).digest();
    return mac.length === expected.length && timingSafeEqual(mac, expected);
  }
  const hash = digestFromOid(macOid);
  if (!hash) throw new SmimeError('P12_UNSUPPORTED', `the PKCS#12 MAC uses an unsupported digest (${macOid})`);
  const children = macData.children();
  const salt = children[1]!.expect(0x04, 'MAC salt').content();
  const iterations = children[2] ? intValue(children[2]) : 1;
  protection.add(`MAC HMAC-${hash.toUpperCase()}`);
  for (const bmp of pw.bmp) {
    budget.spend(iterations, P12_KDF_COST);
    const key = pkcs12Kdf(bmp, salt, 3, iterations, HASH_SIZES[hash].u, hash);
    const mac = createHmac(hash, key).update(authSafeContent).digest();
    if (mac.length === expected.length && timingSafeEqual(mac, expected)) return true;
  }
  return false;
}
