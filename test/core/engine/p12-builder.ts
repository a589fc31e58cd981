/**
 * A PKCS#12 writer for fixtures no tool here writes: old NSS's PBES2 quirks, trailing bytes
 * after decrypted content, BER with segmented OCTET STRINGs, PBMAC1 (RFC 9579, OpenSSL ≥ 3.4
 * only). Built on the engine's own DER encoder; the key derivations are Node's and the
 * engine's PKCS#12 KDF (checked against OpenSSL by the tests that read OpenSSL's files).
 */
import { createCipheriv, createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { ctx, NULL, octets, oid, seq, setOf, smallInt, tlv, uint } from '../../../main/core/engine/der';
import { DIGEST_OID, OID, type DigestName } from '../../../main/core/engine/oids';
import { pkcs12Kdf } from '../../../main/core/engine/pbe';

const HMAC_OID: Record<DigestName, string> = {
  sha1: OID.hmacSha1,
  sha224: OID.hmacSha224,
  sha256: OID.hmacSha256,
  sha384: OID.hmacSha384,
  sha512: OID.hmacSha512,
};
const LOCAL_KEY_ID = '1.2.840.113549.1.9.21';
const HASH_LEN: Record<DigestName, number> = { sha1: 20, sha224: 28, sha256: 32, sha384: 48, sha512: 64 };

export interface Pbes2Options {
  cipher?: 'aes-128-cbc' | 'aes-256-cbc';
  prf?: DigestName;
  iterations?: number;
  /** 'bmp': PBKDF2 over the BMPString password with its terminator, as NSS before 3.31 did */
  passwordForm?: 'utf8' | 'bmp';
  /** write the IV as old NSS did: a 16-octet IV starting 04 0E, of which only the last 14 are written */
  nssIvQuirk?: boolean;
  /** write the IV as a constructed (BER) OCTET STRING of two segments */
  berIv?: boolean;
  /**
   * the PBKDF2 keyLength field: a number, or null to leave it out. A number other than the
   * cipher's key length is also the key really derived and used, with the AES variant of that
   * size, as old NSS did ("the MAX keysize for the algorithm, but an incorrect header")
   */
  keyLength?: number | null;
}

export type MacOptions =
  | { kind: 'classic'; hash?: DigestName; iterations?: number }
  | {
      kind: 'pbmac1';
      prf: DigestName;
      hmac: DigestName;
      iterations: number;
      /** undefined: the HMAC's output length; null: left out (RFC 9579 A.4.3) */
      keyLength?: number | null;
      /** written in the parameters after the MAC is computed with the real values (RFC 9579 A.4.1, A.4.2) */
      writtenIterations?: number;
      writtenSalt?: Buffer;
    };

export interface BuildOptions {
  password: string;
  /** PKCS#8 PrivateKeyInfo */
  key: Buffer;
  certs: Buffer[];
  keyEncryption?: Pbes2Options;
  /** null: certificates in an unencrypted SafeContents */
  certEncryption?: Pbes2Options | null;
  /** null: no MAC */
  mac?: MacOptions | null;
  trailing?: Partial<Record<'file' | 'authSafe' | 'plainSafe' | 'decryptedSafe' | 'decryptedKey' | 'cert', Buffer>>;
  /** an element appended inside the certificates' SafeContents SEQUENCE (not after it) */
  insideCertSafe?: Buffer;
  /** write the outer structures as BER: indefinite lengths and the AuthenticatedSafe in segments of this many octets */
  berSegments?: number;
}

function bmp(password: string): Buffer {
  return Buffer.concat([Buffer.from(password, 'utf16le').swap16(), Buffer.alloc(2)]);
}

function pbes2(plain: Buffer, password: string, o: Pbes2Options = {}): { alg: Buffer; data: Buffer } {
  const cipher = o.cipher ?? 'aes-256-cbc';
  const keyLen = cipher === 'aes-128-cbc' ? 16 : 32;
  const prf = o.prf ?? 'sha256';
  const iterations = o.iterations ?? 2048;
  const salt = randomBytes(16);
  const pass = o.passwordForm === 'bmp' ? bmp(password) : Buffer.from(password, 'utf8');
  const realLen = typeof o.keyLength === 'number' ? o.keyLength : keyLen;
  const key = pbkdf2Sync(pass, salt, iterations, realLen, prf);
  const iv = o.nssIvQuirk ? Buffer.concat([Buffer.from([0x04, 0x0e]), randomBytes(14)]) : randomBytes(16);
  const c = createCipheriv(`aes-${realLen * 8}-cbc`, key, iv);
  const data = Buffer.concat([c.update(plain), c.final()]);
  const keyLength = o.keyLength === undefined ? [uint(keyLen)] : o.keyLength === null ? [] : [uint(o.keyLength)];
  const kdf = seq(oid(OID.pbkdf2), seq(octets(salt), uint(iterations), ...keyLength, seq(oid(HMAC_OID[prf]), NULL)));
  const encOid = cipher === 'aes-128-cbc' ? OID.aes128cbc : OID.aes256cbc;
  const ivParam = o.nssIvQuirk
    ? octets(iv.subarray(2))
    : o.berIv
      ? tlv(0x24, [octets(iv.subarray(0, 8)), octets(iv.subarray(8))])
      : octets(iv);
  const alg = seq(oid(OID.pbes2), seq(kdf, seq(oid(encOid), ivParam)));
  return { alg, data };
}

const cat = (a: Buffer, b?: Buffer): Buffer => (b ? Buffer.concat([a, b]) : a);

/** Indefinite-length constructed encoding (X.690 §8.1.3.6). */
function ber(tag: number, ...items: Buffer[]): Buffer {
  return Buffer.concat([Buffer.from([tag | 0x20, 0x80]), ...items, Buffer.from([0, 0])]);
}

function macData(authSafe: Buffer, password: string, o: MacOptions): Buffer {
  if (o.kind === 'classic') {
    const hash = o.hash ?? 'sha256';
    const iterations = o.iterations ?? 2048;
    const salt = randomBytes(8);
    const key = pkcs12Kdf(bmp(password), salt, 3, iterations, HASH_LEN[hash], hash);
    const mac = createHmac(hash, key).update(authSafe).digest();
    return seq(seq(seq(oid(DIGEST_OID[hash]), NULL), octets(mac)), octets(salt), uint(iterations));
  }
  const salt = randomBytes(32);
  const keyLength = o.keyLength ?? HASH_LEN[o.hmac];
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, o.iterations, keyLength, o.prf);
  const mac = createHmac(o.hmac, key).update(authSafe).digest();
  const written = [
    octets(o.writtenSalt ?? salt),
    uint(o.writtenIterations ?? o.iterations),
    ...(o.keyLength === null ? [] : [uint(keyLength)]),
    seq(oid(HMAC_OID[o.prf]), NULL),
  ];
  const alg = seq(oid(OID.pbmac1), seq(seq(oid(OID.pbkdf2), seq(...written)), seq(oid(HMAC_OID[o.hmac]), NULL)));
  // RFC 9579 §4: MacData's macSalt and iterations are not used with PBMAC1
  return seq(seq(alg, octets(mac)), octets(Buffer.from('NOT USED')), uint(1));
}

/** Writes a PFX (RFC 7292 §4) with one shrouded key bag and the certificates. */
export function buildPkcs12(o: BuildOptions): Buffer {
  const t = o.trailing ?? {};
  const keyPlain = cat(o.key, t.decryptedKey);
  const k = pbes2(keyPlain, o.password, o.keyEncryption);
  // NSS pairs the key with its certificate by localKeyID (PKCS#9 §5.2.4); OpenSSL writes one too
  const keyId = createHash('sha1').update(o.certs[0]!).digest();
  const attrs = setOf([seq(oid(LOCAL_KEY_ID), setOf([octets(keyId)]))]);
  const keyBag = seq(oid(OID.pkcs8ShroudedKeyBag), ctx(0, seq(k.alg, octets(k.data))), attrs);
  const certBags = o.certs.map((c, i) =>
    seq(
      oid(OID.certBag),
      ctx(0, seq(oid(OID.x509Certificate), ctx(0, octets(i === 0 ? cat(c, t.cert) : c)))),
      ...(i === 0 ? [attrs] : []),
    ),
  );
  const keySafe = cat(seq(keyBag), t.plainSafe);
  let certInfo: Buffer;
  if (o.certEncryption === null) {
    certInfo = seq(oid(OID.data), ctx(0, octets(seq(...certBags, ...(o.insideCertSafe ? [o.insideCertSafe] : [])))));
  } else {
    const safe = seq(...certBags, ...(o.insideCertSafe ? [o.insideCertSafe] : []));
    const c = pbes2(cat(safe, t.decryptedSafe), o.password, o.certEncryption);
    const eci = seq(oid(OID.data), c.alg, tlv(0x80, c.data));
    certInfo = seq(oid(OID.encryptedData), ctx(0, seq(smallInt(0), eci)));
  }
  const authSafe = cat(seq(certInfo, seq(oid(OID.data), ctx(0, octets(keySafe)))), t.authSafe);
  const mac = o.mac === null ? [] : [macData(authSafe, o.password, o.mac ?? { kind: 'classic' })];
  let pfx: Buffer;
  if (o.berSegments) {
    const segments: Buffer[] = [];
    for (let i = 0; i < authSafe.length; i += o.berSegments)
      segments.push(octets(authSafe.subarray(i, i + o.berSegments)));
    pfx = ber(0x10, smallInt(3), ber(0x10, oid(OID.data), ber(0x80, ber(0x04, ...segments))), ...mac);
  } else {
    pfx = seq(smallInt(3), seq(oid(OID.data), ctx(0, octets(authSafe))), ...mac);
  }
  return cat(pfx, t.file);
}
