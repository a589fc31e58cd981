/**
 * PKCS#12 (RFC 7292) reader.
 *
 * The PFX structure is walked with our BER decoder; keys and certificates go
 * straight to Node's crypto (KeyObject, X509Certificate), which also handles
 * EC keys that node-forge cannot represent. Password handling follows OpenSSL:
 * the MAC and the PKCS#12 PBE ciphers take the password as a BMPString
 * (RFC 7292 App. B.1), PBES2/PBKDF2 and PBMAC1 take its UTF-8 bytes
 * (RFC 8018). node-forge uses one string for both and so fails non-ASCII
 * passwords with PBES2 (forge#1073); we only borrow its RC2 cipher, which
 * OpenSSL 3 keeps in the legacy provider.
 */
import {
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  pbkdf2Sync,
  timingSafeEqual,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import forge from 'node-forge';
import { Asn1, AsnError, decodeStrict } from './der';
import { SmimeError } from '../errors';
import { digestFromOid, OID, type DigestName } from './oids';

export const MAX_P12_BYTES = 1024 * 1024;

export type KeyType = 'RSA' | 'EC';

export interface SigningIdentity {
  key: KeyObject;
  certificate: X509Certificate;
  /** Certificates of the file that lead from the signer towards a root, in order. */
  chain: X509Certificate[];
  keyType: KeyType;
  keyBits: number;
  curve?: string;
  /** How the file was protected, for display (e.g. "PBES2 AES-256-CBC", "HMAC-SHA256"). */
  protection: string[];
}

const HASH_SIZES: Record<DigestName, { u: number; v: number }> = {
  sha1: { u: 20, v: 64 },
  sha224: { u: 28, v: 64 },
  sha256: { u: 32, v: 64 },
  sha384: { u: 48, v: 128 },
  sha512: { u: 64, v: 128 },
};

const HMAC_PRF: Record<string, DigestName> = {
  [OID.hmacSha1]: 'sha1',
  [OID.hmacSha224]: 'sha224',
  [OID.hmacSha256]: 'sha256',
  [OID.hmacSha384]: 'sha384',
  [OID.hmacSha512]: 'sha512',
};

const PBES2_CIPHERS: Record<string, { name: string; keyLen: number; label: string }> = {
  [OID.aes128cbc]: { name: 'aes-128-cbc', keyLen: 16, label: 'AES-128-CBC' },
  [OID.aes192cbc]: { name: 'aes-192-cbc', keyLen: 24, label: 'AES-192-CBC' },
  [OID.aes256cbc]: { name: 'aes-256-cbc', keyLen: 32, label: 'AES-256-CBC' },
  [OID.desEde3Cbc]: { name: 'des-ede3-cbc', keyLen: 24, label: '3DES-CBC' },
};

/** The two encodings OpenSSL accepts for a password: BMPString candidates (empty has two forms) and UTF-8. */
interface Password {
  bmp: Buffer[];
  utf8: Buffer;
}

function passwordForms(password: string): Password {
  const utf16 = Buffer.from(password, 'utf16le').swap16();
  const bmp = Buffer.concat([utf16, Buffer.alloc(2)]);
  return { bmp: password === '' ? [bmp, Buffer.alloc(0)] : [bmp], utf8: Buffer.from(password, 'utf8') };
}

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

function intValue(el: Asn1): number {
  el.expect(0x02, 'INTEGER');
  const c = el.content();
  if (c.length > 6) throw new AsnError('integer too large');
  let v = 0;
  for (const b of c) v = v * 256 + b;
  return v;
}

class DecryptError extends Error {}

/**
 * Decrypts an EncryptedContentInfo/EncryptedPrivateKeyInfo payload given its AlgorithmIdentifier.
 * Throws DecryptError when the padding is wrong (the usual sign of a wrong password).
 */
function decrypt(alg: Asn1, data: Buffer, pw: Password, protection: Set<string>): Buffer {
  const algOid = alg.child(0).oid();
  if (algOid === OID.pbes2) {
    const params = alg.child(1);
    const kdf = params.child(0);
    if (kdf.child(0).oid() !== OID.pbkdf2)
      throw new SmimeError('P12_UNSUPPORTED', 'the PKCS#12 file uses a key derivation other than PBKDF2');
    const kp = kdf.child(1).children();
    const salt = kp[0]!.expect(0x04, 'PBKDF2 salt').content();
    const iterations = intValue(kp[1]!);
    let prf: DigestName = 'sha1';
    let keyLen: number | undefined;
    for (const el of kp.slice(2)) {
      if (el.tag === 0x02) keyLen = intValue(el);
      else if (el.tag === 0x30) {
        const p = HMAC_PRF[el.child(0).oid()];
        if (!p)
          throw new SmimeError('P12_UNSUPPORTED', 'the PKCS#12 file uses an unsupported PBKDF2 pseudo-random function');
        prf = p;
      }
    }
    const enc = params.child(1);
    const cipher = PBES2_CIPHERS[enc.child(0).oid()];
    if (!cipher) throw new SmimeError('P12_UNSUPPORTED', 'the PKCS#12 file is encrypted with an unsupported cipher');
    const iv = enc.child(1).expect(0x04, 'IV').content();
    const key = pbkdf2Sync(pw.utf8, salt, iterations, keyLen ?? cipher.keyLen, prf);
    protection.add(`PBES2 ${cipher.label} (PBKDF2-HMAC-${prf.toUpperCase()})`);
    try {
      const d = createDecipheriv(cipher.name, key, iv);
      return Buffer.concat([d.update(data), d.final()]);
    } catch {
      throw new DecryptError();
    }
  }
  if (
    algOid === OID.pbeSha3DES ||
    algOid === OID.pbeSha2DES ||
    algOid === OID.pbeShaRC2_40 ||
    algOid === OID.pbeShaRC2_128
  ) {
    const params = alg.child(1);
    const salt = params.child(0).expect(0x04, 'PBE salt').content();
    const iterations = intValue(params.child(1));
    let lastError: unknown;
    for (const bmp of pw.bmp) {
      try {
        if (algOid === OID.pbeSha3DES || algOid === OID.pbeSha2DES) {
          const keyLen = algOid === OID.pbeSha3DES ? 24 : 16;
          protection.add(algOid === OID.pbeSha3DES ? 'PKCS#12 PBE 3DES' : 'PKCS#12 PBE 2-key 3DES');
          const key = pkcs12Kdf(bmp, salt, 1, iterations, keyLen, 'sha1');
          const iv = pkcs12Kdf(bmp, salt, 2, iterations, 8, 'sha1');
          const d = createDecipheriv(keyLen === 24 ? 'des-ede3-cbc' : 'des-ede-cbc', key, iv);
          try {
            return Buffer.concat([d.update(data), d.final()]);
          } catch {
            throw new DecryptError();
          }
        }
        const bits = algOid === OID.pbeShaRC2_40 ? 40 : 128;
        protection.add(`PKCS#12 PBE RC2-${bits}`);
        const key = pkcs12Kdf(bmp, salt, 1, iterations, bits / 8, 'sha1');
        const iv = pkcs12Kdf(bmp, salt, 2, iterations, 8, 'sha1');
        const rc2 = forge.rc2.createDecryptionCipher(forge.util.createBuffer(key.toString('binary')), bits);
        rc2.start(forge.util.createBuffer(iv.toString('binary')));
        rc2.update(forge.util.createBuffer(data.toString('binary')));
        if (!rc2.finish()) throw new DecryptError();
        return Buffer.from(rc2.output.getBytes(), 'binary');
      } catch (e) {
        lastError = e;
      }
    }
    throw lastError;
  }
  throw new SmimeError('P12_UNSUPPORTED', `the PKCS#12 file is encrypted with an unsupported algorithm (${algOid})`);
}

/** Verifies the PFX MAC (RFC 7292 §4, or PBMAC1 from RFC 9579). Returns false when the password is wrong. */
function verifyMac(macData: Asn1, authSafeContent: Buffer, pw: Password, protection: Set<string>): boolean {
  const digestInfo = macData.child(0);
  const macAlg = digestInfo.child(0);
  const expected = digestInfo.child(1).expect(0x04, 'MAC digest').content();
  const macOid = macAlg.child(0).oid();
  if (macOid === OID.pbmac1) {
    const params = macAlg.child(1);
    const kdf = params.child(0);
    if (kdf.child(0).oid() !== OID.pbkdf2)
      throw new SmimeError('P12_UNSUPPORTED', 'the PKCS#12 MAC uses a key derivation other than PBKDF2');
    const kp = kdf.child(1).children();
    const salt = kp[0]!.content();
    const iterations = intValue(kp[1]!);
    let keyLen = 32;
    let prf: DigestName = 'sha1';
    for (const el of kp.slice(2)) {
      if (el.tag === 0x02) keyLen = intValue(el);
      else if (el.tag === 0x30) prf = HMAC_PRF[el.child(0).oid()] ?? prf;
    }
    const hmac = HMAC_PRF[params.child(1).child(0).oid()];
    if (!hmac) throw new SmimeError('P12_UNSUPPORTED', 'the PKCS#12 MAC uses an unsupported HMAC');
    protection.add(`PBMAC1 HMAC-${hmac.toUpperCase()}`);
    const key = pbkdf2Sync(pw.utf8, salt, iterations, keyLen, prf);
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
    const key = pkcs12Kdf(bmp, salt, 3, iterations, HASH_SIZES[hash].u, hash);
    const mac = createHmac(hash, key).update(authSafeContent).digest();
    if (mac.length === expected.length && timingSafeEqual(mac, expected)) return true;
  }
  return false;
}

interface Bags {
  keys: Buffer[];
  certs: Buffer[];
}

function readSafeContents(der: Buffer, pw: Password, bags: Bags, protection: Set<string>): void {
  const safeContents = decodeStrict(der).expect(0x30, 'SafeContents');
  for (const bag of safeContents.children()) {
    const bagId = bag.child(0).oid();
    const value = bag.child(1).children()[0];
    if (!value) continue;
    if (bagId === OID.keyBag) bags.keys.push(value.raw());
    else if (bagId === OID.pkcs8ShroudedKeyBag) {
      bags.keys.push(decrypt(value.child(0), value.child(1).content(), pw, protection));
    } else if (bagId === OID.certBag) {
      if (value.child(0).oid() !== OID.x509Certificate) continue;
      bags.certs.push(value.child(1).children()[0]!.expect(0x04, 'certificate').content());
    } else if (bagId === OID.safeContentsBag) {
      readSafeContents(value.raw(), pw, bags, protection);
    }
    // CRL and secret bags carry nothing a signer needs.
  }
}

function describeNonPkcs12(bytes: Buffer, name: string): SmimeError | undefined {
  const head = bytes.subarray(0, 64).toString('latin1');
  if (head.includes('-----BEGIN')) {
    return new SmimeError(
      'P12_NOT_PKCS12',
      `${name} is a PEM text file, not a PKCS#12 (.p12/.pfx) file: export the certificate together with its private key as PKCS#12`,
    );
  }
  try {
    new X509Certificate(bytes);
    return new SmimeError(
      'P12_NOT_PKCS12',
      `${name} is an X.509 certificate, not a PKCS#12 (.p12/.pfx) file: export the certificate together with its private key as PKCS#12`,
    );
  } catch {
    return undefined;
  }
}

function sameKey(a: KeyObject, b: KeyObject): boolean {
  return a.export({ type: 'spki', format: 'der' }).equals(b.export({ type: 'spki', format: 'der' }));
}

/** Orders the certificates that lead from `leaf` towards a root. */
export function orderChain(leaf: X509Certificate, pool: X509Certificate[]): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const remaining = pool.filter((c) => c.fingerprint256 !== leaf.fingerprint256);
  let current = leaf;
  for (;;) {
    if (current.checkIssued(current) && current !== leaf) break; // self-signed root reached
    const idx = remaining.findIndex((c) => current.checkIssued(c) && current.verify(c.publicKey));
    if (idx < 0) break;
    current = remaining.splice(idx, 1)[0]!;
    chain.push(current);
  }
  return chain;
}

/**
 * Opens a PKCS#12 file and returns the signing key with its certificate and chain.
 * The key is paired with its certificate by public key, not by bag order or friendlyName.
 * @param name used in error messages (a file name, never the password)
 */
export function openPkcs12(bytes: Buffer, password: string, name = 'the file'): SigningIdentity {
  if (bytes.length > MAX_P12_BYTES)
    throw new SmimeError(
      'FILE_TOO_LARGE',
      `${name} is larger than ${MAX_P12_BYTES / 1024} KiB; a PKCS#12 file is a few KiB`,
    );
  if (bytes.length === 0) throw new SmimeError('P12_CORRUPT', `${name} is empty`);
  const pw = passwordForms(password);
  const protection = new Set<string>();
  let bags: Bags;
  try {
    const pfx = decodeStrict(bytes).expect(0x30, 'PFX');
    const [version, authSafe, macData] = pfx.children();
    if (!version || version.tag !== 0x02 || !authSafe) throw new AsnError('not a PFX');
    if (intValue(version) !== 3) throw new AsnError('not a PFX v3');
    const ctype = authSafe.child(0).oid();
    if (ctype === OID.signedData)
      throw new SmimeError(
        'P12_UNSUPPORTED',
        `${name} uses public-key integrity mode, which is not supported; export it with a password`,
      );
    if (ctype !== OID.data) throw new AsnError('unexpected content type');
    const authContent = authSafe.child(1).children()[0]!.expect(0x04, 'data').content();
    if (macData) {
      if (!verifyMac(macData, authContent, pw, protection)) {
        throw new SmimeError('P12_WRONG_PASSWORD', `wrong password for ${name} (the PKCS#12 integrity check failed)`);
      }
    } else protection.add('no MAC');
    bags = { keys: [], certs: [] };
    for (const ci of decodeStrict(authContent).expect(0x30, 'AuthenticatedSafe').children()) {
      const t = ci.child(0).oid();
      if (t === OID.data) {
        readSafeContents(ci.child(1).children()[0]!.content(), pw, bags, protection);
      } else if (t === OID.encryptedData) {
        const eci = ci.child(1).children()[0]!.child(1); // EncryptedData { version, EncryptedContentInfo }
        const alg = eci.child(1);
        const enc = eci.children()[2];
        if (!enc) continue;
        readSafeContents(decrypt(alg, enc.content(), pw, protection), pw, bags, protection);
      } else {
        throw new SmimeError('P12_UNSUPPORTED', `${name} holds public-key encrypted contents, which are not supported`);
      }
    }
  } catch (e) {
    if (e instanceof SmimeError) throw e;
    if (e instanceof DecryptError) {
      throw new SmimeError('P12_WRONG_PASSWORD', `wrong password for ${name} (its contents could not be decrypted)`);
    }
    throw (
      describeNonPkcs12(bytes, name) ??
      new SmimeError('P12_CORRUPT', `${name} is not a valid PKCS#12 file (it is truncated or corrupt)`)
    );
  }

  const certs: X509Certificate[] = [];
  for (const der of bags.certs) {
    try {
      certs.push(new X509Certificate(der));
    } catch {
      throw new SmimeError('P12_CORRUPT', `${name} contains a certificate that cannot be read`);
    }
  }
  const keys: KeyObject[] = [];
  for (const der of bags.keys) {
    try {
      keys.push(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
    } catch {
      throw new SmimeError('KEY_UNSUPPORTED', `${name} contains a private key of a type that cannot be read`);
    }
  }
  if (keys.length === 0)
    throw new SmimeError(
      'P12_NO_KEY',
      `${name} contains no private key (it holds only certificates); export the certificate with its private key`,
    );
  if (certs.length === 0)
    throw new SmimeError('P12_NO_CERTIFICATE', `${name} contains a private key but no certificate`);

  let pair: { key: KeyObject; cert: X509Certificate } | undefined;
  for (const key of keys) {
    const pub = createPublicKey(key);
    const cert = certs.find((c) => sameKey(c.publicKey, pub));
    if (cert) {
      pair = { key, cert };
      break;
    }
  }
  if (!pair) throw new SmimeError('P12_KEY_MISMATCH', `the private key in ${name} matches none of its certificates`);
  const { key, cert } = pair;

  const details = key.asymmetricKeyDetails ?? {};
  let keyType: KeyType;
  let keyBits: number;
  let curve: string | undefined;
  if (key.asymmetricKeyType === 'rsa') {
    keyType = 'RSA';
    keyBits = details.modulusLength ?? 0;
  } else if (key.asymmetricKeyType === 'ec') {
    keyType = 'EC';
    curve = details.namedCurve;
    const bits: Record<string, number> = { prime256v1: 256, secp384r1: 384, secp521r1: 521 };
    if (!curve || !(curve in bits)) {
      throw new SmimeError(
        'KEY_UNSUPPORTED',
        `the key in ${name} uses curve ${curve ?? 'unknown'}; supported are RSA and ECDSA P-256, P-384, P-521`,
      );
    }
    keyBits = bits[curve]!;
  } else {
    throw new SmimeError(
      'KEY_UNSUPPORTED',
      `the key in ${name} is ${key.asymmetricKeyType ?? 'of unknown type'}; supported are RSA and ECDSA P-256, P-384, P-521`,
    );
  }
  return {
    key,
    certificate: cert,
    chain: orderChain(cert, certs),
    keyType,
    keyBits,
    curve,
    protection: [...protection],
  };
}
