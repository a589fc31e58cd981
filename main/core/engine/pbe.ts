/**
 * Password-based protection of PKCS#12 files: the PKCS#12 KDF and PBE ciphers (RFC 7292
 * App. B, C), PBES2 with PBKDF2 (RFC 8018 §6.2), the PFX MAC and PBMAC1 (RFC 9579).
 *
 * Passwords follow OpenSSL and NSS: the MAC and the PKCS#12 ciphers take a BMPString, PBKDF2
 * takes UTF-8 bytes; PBES2 falls back to the BMPString form, which NSS before 3.31 used (and
 * NSS still reads). Every iteration count is checked against a per-file work budget before
 * any work is done, so a hostile file cannot make us derive keys for minutes.
 */
import { createDecipheriv, createHash, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';
import forge from 'node-forge';
import { SmimeError } from '../errors';
import { decode, type Asn1 } from './der';
import { hashTimes } from './iterated-hash';
import { cipherFromOid, digestFromOid, hmacDigest, OID, type DigestName } from './oids';

const HASH_SIZES: Record<DigestName, { u: number; v: number }> = {
  sha1: { u: 20, v: 64 },
  sha224: { u: 28, v: 64 },
  sha256: { u: 32, v: 64 },
  sha384: { u: 48, v: 128 },
  sha512: { u: 64, v: 128 },
};

/**
 * The key-derivation work one file may ask for, in units of one PBKDF2-HMAC-SHA256 iteration
 * (about 0.45 µs here, so the whole budget is about 1.4 s). NSS 3.87 writes 600 000 iterations
 * for the key, the certificates and the MAC: 2.4 million units. OpenSSL and Windows write 2 048.
 */
export const KDF_BUDGET = 3_000_000;

/** Measured cost of one iteration in budget units (PBKDF2 with SHA-384/512 does twice the work per block). */
function pbkdf2Cost(prf: DigestName): number {
  return prf === 'sha384' || prf === 'sha512' ? 2 : 1;
}
/** One PKCS#12 KDF iteration (iterated-hash.ts): JavaScript SHA-1/256, native SHA-384/512 calls. */
function p12KdfCost(hash: DigestName): number {
  return hash === 'sha384' || hash === 'sha512' ? 8 : 2;
}

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
        `${this.what} asks for more key-derivation work (${iterations} iterations in one step) than this reader allows for a whole file (the work of ${KDF_BUDGET} PBKDF2-HMAC-SHA256 iterations)`,
      );
    }
    this.left -= cost;
  }
}

/** The password encodings producers use: BMPString candidates (empty has two forms) and UTF-8. */
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

/** A file whose structure is readable but whose parameters are invalid; `message` says which. */
export class DamagedError extends Error {}

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
    const A = hashTimes(hash, createHash(hash).update(D).update(I).digest(), iterations - 1);
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

/** The PKCS#12 KDF after charging its work: `iterations` hash steps for each digest-sized block. */
function pkcs12KdfBudgeted(
  budget: WorkBudget,
  pass: Buffer,
  salt: Buffer,
  id: 1 | 2 | 3,
  iterations: number,
  n: number,
  hash: DigestName,
): Buffer {
  budget.spend(iterations, p12KdfCost(hash) * Math.ceil(n / HASH_SIZES[hash].u));
  return pkcs12Kdf(pass, salt, id, iterations, n, hash);
}

/** An OCTET STRING, primitive or constructed (BER, which NSS and OpenSSL both read in PKCS#12 parameters). */
function isOctetString(el: Asn1 | undefined): el is Asn1 {
  return el !== undefined && (el.tag === 0x04 || el.tag === 0x24);
}

/** An AlgorithmIdentifier's parameters must be absent or NULL for HMACs and digests (RFC 8018 B.1.1, RFC 5754 §2). */
function checkNoParams(alg: Asn1, what: string): void {
  const parts = alg.children();
  if (parts.length > 2 || (parts[1] && !(parts[1].tag === 0x05 && parts[1].content().length === 0)))
    throw new DamagedError(`${what} has unexpected algorithm parameters`);
}

export interface Pbkdf2Params {
  salt: Buffer;
  iterations: number;
  keyLength?: number;
  prf: DigestName;
}

/**
 * The one reader of PBKDF2 parameters (RFC 8018 App. A.2), for PBES2 and PBMAC1 alike. Every
 * field is checked: a salt given as an OCTET STRING (the otherSource choice is unsupported),
 * a positive iteration count, an optional key length of 1..64 octets, a known HMAC as PRF
 * with NULL or absent parameters, and nothing after it.
 */
export function readPbkdf2(kdf: Asn1, what: string): Pbkdf2Params {
  const [kdfOid, paramsEl, ...extra] = kdf.expect(0x30, 'AlgorithmIdentifier').children();
  if (kdfOid?.oid() !== OID.pbkdf2) {
    throw new SmimeError('P12_UNSUPPORTED', `${what} uses a key derivation other than PBKDF2`);
  }
  if (!paramsEl || extra.length > 0) throw new DamagedError(`${what} has malformed PBKDF2 parameters`);
  const kp = paramsEl.expect(0x30, 'PBKDF2-params').children();
  const saltEl = kp[0];
  if (saltEl?.tag === 0x30) {
    throw new SmimeError('P12_UNSUPPORTED', `${what} takes its PBKDF2 salt from another source, which is unsupported`);
  }
  if (!isOctetString(saltEl)) throw new DamagedError(`${what} has no PBKDF2 salt`);
  if (!kp[1]) throw new DamagedError(`${what} has no PBKDF2 iteration count`);
  const iterations = kp[1].uint('the PBKDF2 iteration count');
  if (iterations < 1) throw new DamagedError(`${what} has a PBKDF2 iteration count of 0`);
  let prf: DigestName = 'sha1';
  let keyLength: number | undefined;
  let i = 2;
  if (kp[i]?.tag === 0x02) {
    keyLength = kp[i]!.uint('the PBKDF2 key length');
    if (keyLength < 1 || keyLength > 64) throw new DamagedError(`${what} has a PBKDF2 key length of ${keyLength}`);
    i++;
  }
  if (kp[i]?.tag === 0x30) {
    const prfAlg = kp[i]!;
    const p = hmacDigest(prfAlg.child(0).oid());
    if (!p) throw new SmimeError('P12_UNSUPPORTED', `${what} uses an unsupported PBKDF2 pseudo-random function`);
    checkNoParams(prfAlg, `${what}'s PBKDF2 pseudo-random function`);
    prf = p;
    i++;
  }
  if (i !== kp.length) throw new DamagedError(`${what} has unexpected fields in its PBKDF2 parameters`);
  return { salt: saltEl.octets(), iterations, prf, ...(keyLength !== undefined ? { keyLength } : {}) };
}

function pbkdf2(budget: WorkBudget, pass: Buffer, p: Pbkdf2Params, keyLength: number): Buffer {
  const blocks = Math.ceil(keyLength / HASH_SIZES[p.prf].u);
  budget.spend(p.iterations, pbkdf2Cost(p.prf) * blocks);
  return pbkdf2Sync(pass, p.salt, p.iterations, keyLength, p.prf);
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

const AES_BY_KEY_LENGTH: Record<number, string> = { 16: 'aes-128-cbc', 24: 'aes-192-cbc', 32: 'aes-256-cbc' };

/**
 * The cipher, key length and IV of a PBES2 encryption scheme, with two encodings old NSS
 * wrote and NSS still reads (lib/pk11wrap/pk11pbe.c):
 * - an AES IV of 14 octets: NSS took a 16-octet IV that began with the OCTET STRING header
 *   04 0E as if it were already encoded, so the real IV is 04 0E and the 14 octets written;
 * - a PBKDF2 key length that is not the AES variant's (NSS derived the maximum and labelled
 *   another key size): the key length given decides, as NSS decides.
 */
function pbes2Scheme(
  enc: Asn1,
  kdf: Pbkdf2Params,
): { node: string; name: string; keyLength: number; iv: Buffer; quirk?: string } {
  const [encOid, ivEl, ...extra] = enc.expect(0x30, 'AlgorithmIdentifier').children();
  const cipher = cipherFromOid(encOid?.oid() ?? '');
  if (!cipher) throw new SmimeError('P12_UNSUPPORTED', 'the PKCS#12 file is encrypted with an unsupported cipher');
  if (!isOctetString(ivEl) || extra.length > 0) throw new DamagedError(`its ${cipher.name} parameters are not an IV`);
  let iv = ivEl.octets();
  const isAes = cipher.node.startsWith('aes-');
  const blockSize = isAes ? 16 : 8;
  let quirk: string | undefined;
  if (isAes && iv.length === 14) {
    iv = Buffer.concat([Buffer.from([0x04, 0x0e]), iv]);
    quirk = 'IV encoded as old NSS did';
  }
  if (iv.length !== blockSize) throw new DamagedError(`its ${cipher.name} IV has ${iv.length} octets`);
  let node = cipher.node;
  let keyLength = cipher.keyLength;
  if (kdf.keyLength !== undefined && kdf.keyLength !== cipher.keyLength) {
    const aes = isAes ? AES_BY_KEY_LENGTH[kdf.keyLength] : undefined;
    if (!aes) throw new DamagedError(`its PBKDF2 key length ${kdf.keyLength} does not fit ${cipher.name}`);
    node = aes;
    keyLength = kdf.keyLength;
    quirk = quirk ? `${quirk}, key length ${kdf.keyLength}` : `key length ${kdf.keyLength} as old NSS wrote`;
  }
  return { node, name: cipher.name, keyLength, iv, ...(quirk ? { quirk } : {}) };
}

/** Plaintext that decrypted with valid padding is accepted only when it starts with a DER SEQUENCE. */
function looksLikeSequence(plain: Buffer): boolean {
  if (plain[0] !== 0x30) return false;
  try {
    decode(plain);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decrypts an EncryptedContentInfo/EncryptedPrivateKeyInfo payload given its AlgorithmIdentifier.
 * Throws DecryptError when no password form decrypts it (the usual sign of a wrong password).
 */
export function decrypt(alg: Asn1, data: Buffer, pw: Password, protection: Set<string>, budget: WorkBudget): Buffer {
  const [algOidEl, params, ...extra] = alg.expect(0x30, 'AlgorithmIdentifier').children();
  const algOid = algOidEl?.oid() ?? '';
  if (algOid === OID.pbes2) {
    if (!params || extra.length > 0) throw new DamagedError('its PBES2 parameters are missing');
    const [kdfEl, encEl, ...more] = params.expect(0x30, 'PBES2-params').children();
    if (!kdfEl || !encEl || more.length > 0) throw new DamagedError('its PBES2 parameters are malformed');
    const kdf = readPbkdf2(kdfEl, 'the PKCS#12 file');
    const scheme = pbes2Scheme(encEl, kdf);
    // UTF-8 first (RFC 8018, OpenSSL, NSS ≥ 3.31), then the BMPString form old NSS used
    const forms: [Buffer, string][] = [
      [pw.utf8, ''],
      ...pw.bmp.map((b): [Buffer, string] => [b, 'password as BMPString']),
    ];
    for (const [pass, how] of forms) {
      const key = pbkdf2(budget, pass, kdf, scheme.keyLength);
      let plain: Buffer;
      try {
        plain = decipher(scheme.node, key, scheme.iv, data);
      } catch {
        continue;
      }
      if (!looksLikeSequence(plain)) continue;
      const notes = [scheme.quirk, how].filter(Boolean).join(', ');
      protection.add(`PBES2 ${scheme.name} (PBKDF2-HMAC-${kdf.prf.toUpperCase()}${notes ? `; ${notes}` : ''})`);
      return plain;
    }
    throw new DecryptError();
  }
  const pbe = PKCS12_PBE[algOid];
  if (!pbe)
    throw new SmimeError('P12_UNSUPPORTED', `the PKCS#12 file is encrypted with an unsupported algorithm (${algOid})`);
  if (!params || extra.length > 0) throw new DamagedError('its PBE parameters are missing');
  const [saltEl, iterEl, ...rest] = params.expect(0x30, 'pkcs-12PbeParams').children();
  if (!isOctetString(saltEl) || !iterEl || rest.length > 0) throw new DamagedError('its PBE parameters are malformed');
  const salt = saltEl.octets();
  const iterations = iterEl.uint('the PBE iteration count');
  protection.add(pbe.label);
  for (const bmp of pw.bmp) {
    try {
      const keyLength = 'cipher' in pbe ? pbe.keyLength : pbe.rc2Bits / 8;
      const key = pkcs12KdfBudgeted(budget, bmp, salt, 1, iterations, keyLength, 'sha1');
      const iv = pkcs12KdfBudgeted(budget, bmp, salt, 2, iterations, 8, 'sha1');
      const plain = 'cipher' in pbe ? decipher(pbe.cipher, key, iv, data) : rc2Decrypt(key, iv, pbe.rc2Bits, data);
      if (looksLikeSequence(plain)) return plain;
    } catch (e) {
      if (!(e instanceof DecryptError)) throw e;
    }
  }
  throw new DecryptError();
}

/**
 * Verifies PBMAC1 (RFC 9579 §4, §5): PBKDF2 over the UTF-8 password with every parameter
 * checked; the key length must be present (RFC 9579 updates RFC 8018 so; the RFC's own
 * invalid test vector lacks it); the HMAC takes NULL or no parameters and its output length
 * is the MAC's. MacData's macSalt and iterations are ignored, as RFC 9579 says.
 */
function verifyPbmac1(
  macAlg: Asn1,
  expected: Buffer,
  authSafeContent: Buffer,
  pw: Password,
  protection: Set<string>,
  budget: WorkBudget,
): boolean {
  const [, params, ...extra] = macAlg.children();
  if (!params || params.tag !== 0x30 || extra.length > 0) throw new DamagedError('its PBMAC1 parameters are missing');
  const [kdfEl, macEl, ...more] = params.children();
  if (!kdfEl || !macEl || macEl.tag !== 0x30 || more.length > 0)
    throw new DamagedError('its PBMAC1 parameters are malformed');
  const kdf = readPbkdf2(kdfEl, 'the PKCS#12 MAC');
  if (kdf.keyLength === undefined)
    throw new DamagedError('its PBMAC1 parameters lack the PBKDF2 key length, which RFC 9579 requires');
  const hmac = hmacDigest(macEl.child(0).oid());
  if (!hmac) throw new SmimeError('P12_UNSUPPORTED', 'the PKCS#12 MAC uses an unsupported HMAC');
  checkNoParams(macEl, 'its PBMAC1 HMAC');
  if (expected.length !== HASH_SIZES[hmac].u)
    throw new DamagedError(
      `its MAC has ${expected.length} octets where HMAC-${hmac.toUpperCase()} gives ${HASH_SIZES[hmac].u}`,
    );
  protection.add(`PBMAC1 HMAC-${hmac.toUpperCase()} (PBKDF2-HMAC-${kdf.prf.toUpperCase()})`);
  const key = pbkdf2(budget, pw.utf8, kdf, kdf.keyLength);
  const mac = createHmac(hmac, key).update(authSafeContent).digest();
  return timingSafeEqual(mac, expected);
}

/**
 * Verifies the PFX MAC (RFC 7292 §4, or PBMAC1 from RFC 9579) over the content octets of the
 * AuthenticatedSafe: for a constructed BER OCTET STRING, its segments joined, as OpenSSL and
 * NSS compute it. Returns false when the password is wrong.
 */
export function verifyMac(
  macData: Asn1,
  authSafeContent: Buffer,
  pw: Password,
  protection: Set<string>,
  budget: WorkBudget,
): boolean {
  const [digestInfo, saltEl, iterEl, ...extra] = macData.expect(0x30, 'MacData').children();
  if (!digestInfo || !isOctetString(saltEl) || extra.length > 0) throw new DamagedError('its MAC data is malformed');
  const [macAlg, digestEl, ...more] = digestInfo.expect(0x30, 'DigestInfo').children();
  if (!macAlg || !isOctetString(digestEl) || more.length > 0) throw new DamagedError('its MAC digest is malformed');
  const expected = digestEl.octets();
  const macOid = macAlg.expect(0x30, 'AlgorithmIdentifier').child(0).oid();
  if (macOid === OID.pbmac1) return verifyPbmac1(macAlg, expected, authSafeContent, pw, protection, budget);
  const hash = digestFromOid(macOid);
  if (!hash) throw new SmimeError('P12_UNSUPPORTED', `the PKCS#12 MAC uses an unsupported digest (${macOid})`);
  checkNoParams(macAlg, 'its MAC digest');
  if (expected.length !== HASH_SIZES[hash].u)
    throw new DamagedError(
      `its MAC has ${expected.length} octets where HMAC-${hash.toUpperCase()} gives ${HASH_SIZES[hash].u}`,
    );
  const salt = saltEl.octets();
  const iterations = iterEl ? iterEl.uint('the MAC iteration count') : 1;
  protection.add(`MAC HMAC-${hash.toUpperCase()}`);
  for (const bmp of pw.bmp) {
    const key = pkcs12KdfBudgeted(budget, bmp, salt, 3, iterations, HASH_SIZES[hash].u, hash);
    const mac = createHmac(hash, key).update(authSafeContent).digest();
    if (timingSafeEqual(mac, expected)) return true;
  }
  return false;
}
