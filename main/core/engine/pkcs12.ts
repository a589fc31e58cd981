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
import { AsnError, decode, type Asn1 } from './der';
import { checkedCertificate } from './x509';
import { SmimeError } from '../errors';
import { explicitEcParameters } from './certificate';
import { OID, type DigestName } from './oids';
import { DamagedError, decrypt, DecryptError, passwordForms, verifyMac, WorkBudget, type Password } from './pbe';

export { pkcs12Kdf } from './pbe';

export const MAX_P12_BYTES = 1024 * 1024;

export type KeyType = 'RSA' | 'EC';

/** An RSA key restricted to RSASSA-PSS (RFC 4055 §1.2): what it allows, when its SPKI says so. */
export interface PssRestriction {
  hash?: DigestName;
  mgf1Hash?: DigestName;
  /** the minimum salt length */
  saltLength?: number;
}

export interface SigningIdentity {
  key: KeyObject;
  certificate: X509Certificate;
  /** Certificates of the file that lead from the signer towards a root, in order. */
  chain: X509Certificate[];
  keyType: KeyType;
  keyBits: number;
  curve?: string;
  /** Set for an RSASSA-PSS key (id-RSASSA-PSS, RFC 4055), which signs only with PSS. */
  pss?: PssRestriction;
  /** How the file was protected, for display (e.g. "PBES2 AES-256-CBC", "HMAC-SHA256"). */
  protection: string[];
}

interface Bags {
  keys: Buffer[];
  certs: Buffer[];
}

/** Deep nesting of SafeContents bags carries nothing real; it is refused. */
const MAX_SAFE_NESTING = 8;

/**
 * The first element of a value OpenSSL decodes with d2i from an octet string (a PFX file, the
 * AuthenticatedSafe, a SafeContents, a decrypted SafeContents or PrivateKeyInfo, a
 * certificate in a CertBag): like d2i, anything after that element is ignored. Inside a
 * structure nothing extra is accepted.
 */
function firstElement(bytes: Buffer, what: string): Asn1 {
  const el = decode(bytes);
  if (el.tag !== 0x30) throw new AsnError(`${what} is not a SEQUENCE`);
  return el;
}

/** The [0] EXPLICIT content of a ContentInfo (RFC 5652 §3), or of a SafeBag (RFC 7292 §4.2). */
function explicitContent(el: Asn1, what: string): Asn1 {
  const wrapper = el.children()[1];
  if (!wrapper || wrapper.tag !== 0xa0) throw new AsnError(`${what} has no content`);
  const inner = wrapper.children();
  if (inner.length !== 1) throw new AsnError(`${what} has malformed content`);
  return inner[0]!;
}

/** An OCTET STRING, primitive or constructed (BER, as NSS writes it), as its octets. */
function octetString(el: Asn1, what: string): Buffer {
  if (el.tag !== 0x04 && el.tag !== 0x24) throw new AsnError(`${what} is not an OCTET STRING`);
  return el.octets();
}

function readSafeContents(
  safeContents: Asn1,
  pw: Password,
  bags: Bags,
  protection: Set<string>,
  budget: WorkBudget,
  depth = 0,
): void {
  if (depth > MAX_SAFE_NESTING) throw new AsnError('SafeContents nested too deeply');
  for (const bag of safeContents.expect(0x30, 'SafeContents').children()) {
    const parts = bag.expect(0x30, 'SafeBag').children();
    if (parts.length < 2 || parts.length > 3) throw new AsnError('malformed SafeBag');
    const bagId = parts[0]!.oid();
    const value = explicitContent(bag, 'a SafeBag');
    if (bagId === OID.keyBag) bags.keys.push(value.expect(0x30, 'PrivateKeyInfo').raw());
    else if (bagId === OID.pkcs8ShroudedKeyBag) {
      const [alg, data, ...extra] = value.expect(0x30, 'EncryptedPrivateKeyInfo').children();
      if (!alg || !data || extra.length > 0) throw new AsnError('malformed EncryptedPrivateKeyInfo');
      const plain = decrypt(alg, octetString(data, 'the encrypted key'), pw, protection, budget);
      bags.keys.push(firstElement(plain, 'the decrypted key').raw());
    } else if (bagId === OID.certBag) {
      const certBag = value.expect(0x30, 'CertBag');
      if (certBag.child(0).oid() !== OID.x509Certificate) continue;
      const der = octetString(explicitContent(certBag, 'a CertBag'), 'the certificate');
      const cert = firstElement(der, 'a certificate');
      // the signature covers these bytes: they are given to X509Certificate exactly, and must be DER
      if (!cert.isDer()) throw new DamagedError('it contains a certificate that is not DER-encoded');
      bags.certs.push(cert.raw());
    } else if (bagId === OID.safeContentsBag) {
      readSafeContents(value, pw, bags, protection, budget, depth + 1);
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
    const pfx = firstElement(bytes, 'PFX');
    const [version, authSafe, macData, ...extra] = pfx.children();
    if (!version || version.tag !== 0x02 || !authSafe || extra.length > 0) throw new AsnError('not a PFX');
    if (version.uint() !== 3) throw new AsnError('not a PFX v3');
    const ctype = authSafe.expect(0x30, 'ContentInfo').child(0).oid();
    if (ctype === OID.signedData)
      throw new SmimeError(
        'P12_UNSUPPORTED',
        `${name} uses public-key integrity mode, which is not supported; export it with a password`,
      );
    if (ctype !== OID.data) throw new AsnError('unexpected content type');
    // the MAC covers the content octets: a constructed OCTET STRING's segments joined (RFC 7292 §4)
    const authContent = octetString(explicitContent(authSafe, 'the PFX'), 'the AuthenticatedSafe');
    if (macData) {
      if (!verifyMac(macData, authContent, pw, protection, budget)) {
        throw new SmimeError('P12_WRONG_PASSWORD', `wrong password for ${name} (the PKCS#12 integrity check failed)`);
      }
    } else protection.add('no MAC');
    bags = { keys: [], certs: [] };
    for (const ci of firstElement(authContent, 'the AuthenticatedSafe').children()) {
      const t = ci.expect(0x30, 'ContentInfo').child(0).oid();
      if (t === OID.data) {
        const data = octetString(explicitContent(ci, 'a ContentInfo'), 'a SafeContents');
        readSafeContents(firstElement(data, 'a SafeContents'), pw, bags, protection, budget);
      } else if (t === OID.encryptedData) {
        // EncryptedData { version, EncryptedContentInfo { contentType, algorithm, [0] IMPLICIT content } }
        const eci = explicitContent(ci, 'a ContentInfo').expect(0x30, 'EncryptedData').child(1);
        const [, alg, enc] = eci.expect(0x30, 'EncryptedContentInfo').children();
        if (!alg || !enc) continue;
        if (enc.tag !== 0x80 && enc.tag !== 0xa0) throw new AsnError('malformed encrypted content');
        const plain = decrypt(alg, enc.octets(), pw, protection, budget);
        readSafeContents(firstElement(plain, 'a decrypted SafeContents'), pw, bags, protection, budget);
      } else {
        throw new SmimeError('P12_UNSUPPORTED', `${name} holds public-key encrypted contents, which are not supported`);
      }
    }
  } catch (e) {
    if (e instanceof SmimeError) throw e;
    if (e instanceof DecryptError) {
      throw new SmimeError('P12_WRONG_PASSWORD', `wrong password for ${name} (its contents could not be decrypted)`);
    }
    if (e instanceof DamagedError) throw new SmimeError('P12_CORRUPT', `${name} is damaged: ${e.message}`);
    throw (
      describeNonPkcs12(bytes, name) ??
      new SmimeError('P12_CORRUPT', `${name} is not a valid PKCS#12 file (it is truncated or corrupt)`)
    );
  }

  const certs: X509Certificate[] = [];
  for (const der of bags.certs) {
    certs.push(checkedCertificate(der, 'P12_CORRUPT', name));
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
  let pss: PssRestriction | undefined;
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    keyType = 'RSA';
    keyBits = details.modulusLength ?? 0;
    if (key.asymmetricKeyType === 'rsa-pss') pss = pssRestriction(details, name);
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
    const type = key.asymmetricKeyType ?? 'of unknown type';
    throw new SmimeError(
      'KEY_UNSUPPORTED',
      `the key in ${name} is ${type}${KEY_TYPE_NOTES[type] ? ` (${KEY_TYPE_NOTES[type]})` : ''}; S/MIME signing here takes RSA, RSA-PSS and ECDSA P-256, P-384, P-521 keys`,
    );
  }
  return {
    key,
    certificate: cert,
    chain: orderChain(cert, certs),
    keyType,
    keyBits,
    ...(curve ? { curve } : {}),
    ...(pss ? { pss } : {}),
    protection: [...protection],
  };
}

/** Why a key type Node can read is still not one to sign mail with. */
const KEY_TYPE_NOTES: Record<string, string> = {
  dsa: 'DSA, which RFC 8551 no longer lists for S/MIME and mail clients no longer verify',
  ed25519: 'Ed25519, which RFC 8419 defines for CMS but OpenSSL 3.0, NSS and Outlook do not verify in S/MIME',
  ed448: 'Ed448, which OpenSSL 3.0, NSS and Outlook do not verify in S/MIME',
  x25519: 'X25519, a key-agreement key that cannot sign',
  x448: 'X448, a key-agreement key that cannot sign',
  dh: 'Diffie-Hellman, a key-agreement key that cannot sign',
};

const NODE_DIGESTS: Record<string, DigestName> = {
  sha1: 'sha1',
  'sha-1': 'sha1',
  sha224: 'sha224',
  'sha-224': 'sha224',
  sha256: 'sha256',
  'sha-256': 'sha256',
  sha384: 'sha384',
  'sha-384': 'sha384',
  sha512: 'sha512',
  'sha-512': 'sha512',
};

function pssRestriction(details: NonNullable<KeyObject['asymmetricKeyDetails']>, name: string): PssRestriction {
  const out: PssRestriction = {};
  for (const [field, value] of [
    ['hash', details.hashAlgorithm],
    ['mgf1Hash', details.mgf1HashAlgorithm],
  ] as const) {
    if (value === undefined) continue;
    const d = NODE_DIGESTS[value.toLowerCase()];
    if (!d)
      throw new SmimeError(
        'KEY_UNSUPPORTED',
        `the RSA-PSS key in ${name} is restricted to ${value}, which is not supported`,
      );
    out[field] = d;
  }
  if (out.hash && out.mgf1Hash && out.hash !== out.mgf1Hash)
    throw new SmimeError(
      'KEY_UNSUPPORTED',
      `the RSA-PSS key in ${name} is restricted to MGF1 with ${out.mgf1Hash} but hashes with ${out.hash}; only matching hashes are supported`,
    );
  if (details.saltLength !== undefined) out.saltLength = details.saltLength;
  return out;
}

/**
 * Refuses an identity whose messages no verifier accepts: a certificate (the signer's or one in
 * its chain) with explicit EC domain parameters, which OpenSSL (X509_V_ERR_EC_KEY_EXPLICIT_PARAMS),
 * NSS and gpgsm reject (RFC 5480 §2.1.1: namedCurve only). Call it before storing or signing.
 */
export function checkSigningIdentity(id: Pick<SigningIdentity, 'certificate' | 'chain'>, name = 'the file'): void {
  for (const cert of [id.certificate, ...id.chain]) {
    if (explicitEcParameters(cert)) {
      const which =
        cert === id.certificate
          ? 'its certificate'
          : `the certificate of "${cert.subject.split('\n').join(', ')}" in it`;
      throw new SmimeError(
        'KEY_UNSUPPORTED',
        `${name} cannot sign mail: ${which} spells out its elliptic curve parameters instead of naming the curve, and OpenSSL, NSS (Thunderbird) and gpgsm reject every message signed with it (RFC 5480 §2.1.1); have it re-issued`,
      );
    }
  }
}
