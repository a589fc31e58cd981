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
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { AsnError, decodeStrict } from './der';
import { SmimeError } from '../errors';
import { OID } from './oids';
import { decrypt, DecryptError, intValue, passwordForms, verifyMac, WorkBudget, type Password } from './pbe';

export { pkcs12Kdf } from './pbe';

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

interface Bags {
  keys: Buffer[];
  certs: Buffer[];
}

function readSafeContents(der: Buffer, pw: Password, bags: Bags, protection: Set<string>, budget: WorkBudget): void {
  const safeContents = decodeStrict(der).expect(0x30, 'SafeContents');
  for (const bag of safeContents.children()) {
    const bagId = bag.child(0).oid();
    const value = bag.child(1).children()[0];
    if (!value) continue;
    if (bagId === OID.keyBag) bags.keys.push(value.raw());
    else if (bagId === OID.pkcs8ShroudedKeyBag) {
      bags.keys.push(decrypt(value.child(0), value.child(1).content(), pw, protection, budget));
    } else if (bagId === OID.certBag) {
      if (value.child(0).oid() !== OID.x509Certificate) continue;
      bags.certs.push(value.child(1).children()[0]!.expect(0x04, 'certificate').content());
    } else if (bagId === OID.safeContentsBag) {
      readSafeContents(value.raw(), pw, bags, protection, budget);
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
  const budget = new WorkBudget(undefined, name);
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
      if (!verifyMac(macData, authContent, pw, protection, budget)) {
        throw new SmimeError('P12_WRONG_PASSWORD', `wrong password for ${name} (the PKCS#12 integrity check failed)`);
      }
    } else protection.add('no MAC');
    bags = { keys: [], certs: [] };
    for (const ci of decodeStrict(authContent).expect(0x30, 'AuthenticatedSafe').children()) {
      const t = ci.child(0).oid();
      if (t === OID.data) {
        readSafeContents(ci.child(1).children()[0]!.content(), pw, bags, protection, budget);
      } else if (t === OID.encryptedData) {
        const eci = ci.child(1).children()[0]!.child(1); // EncryptedData { version, EncryptedContentInfo }
        const alg = eci.child(1);
        const enc = eci.children()[2];
        if (!enc) continue;
        readSafeContents(decrypt(alg, enc.content(), pw, protection, budget), pw, bags, protection, budget);
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
