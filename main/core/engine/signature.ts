/**
 * Signature algorithms as CMS and X.509 name them: RSASSA-PKCS1-v1_5 (RFC 8017 §8.2),
 * RSASSA-PSS with its parameters (RFC 4055 §3.1, in CMS RFC 4056 §3) and ECDSA (RFC 5753,
 * RFC 5758). One parser, one verifier and one encoder of PSS parameters, so CMS signer infos
 * and CRLs are judged alike.
 */
import { constants, sign as cryptoSign, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { ctx, NULL, oid, seq, uint, type Asn1 } from './der';
import { DIGEST_OID, digestFromOid, OID, signatureDigest, type DigestName } from './oids';

export const DIGEST_LENGTH: Record<DigestName, number> = {
  sha1: 20,
  sha224: 28,
  sha256: 32,
  sha384: 48,
  sha512: 64,
};

export type SignatureScheme =
  | { kind: 'pkcs1'; digest: DigestName }
  | { kind: 'ecdsa'; digest: DigestName }
  | { kind: 'pss'; digest: DigestName; saltLength: number };

export type SchemeResult =
  { ok: true; scheme: SignatureScheme } | { ok: false; reason: 'unsupported' | 'pss-parameters-invalid' };

/** An AlgorithmIdentifier of a hash, with NULL or absent parameters; undefined if it is not one. */
function hashOf(alg: Asn1): DigestName | undefined {
  const parts = alg.children();
  if (parts.length > 2 || (parts[1] && parts[1].tag !== 0x05)) return undefined;
  return digestFromOid(parts[0]!.oid());
}

/** RSASSA-PSS-params (RFC 4055 §3.1) with their defaults: SHA-1, MGF1-SHA-1, salt 20, trailer 1. */
export function readPssParams(
  params: Asn1 | undefined,
): { hash: DigestName; mgf1Hash: DigestName; saltLength: number } | undefined {
  let hash: DigestName | undefined = 'sha1';
  let mgf1Hash: DigestName | undefined = 'sha1';
  let saltLength = 20;
  if (!params || params.tag === 0x05) return { hash, mgf1Hash, saltLength };
  if (params.tag !== 0x30) return undefined;
  let last = -1;
  for (const field of params.children()) {
    const n = field.tag - 0xa0;
    if (n < 0 || n > 3 || n <= last) return undefined;
    last = n;
    const v = field.child(0);
    if (n === 0) hash = hashOf(v);
    else if (n === 1) {
      if (v.child(0).oid() !== OID.mgf1) return undefined;
      const h = v.children()[1];
      mgf1Hash = h ? hashOf(h) : undefined;
    } else if (n === 2) saltLength = v.uint('the PSS salt length');
    else if (v.uint('the PSS trailer field') !== 1) return undefined;
    if (!hash || !mgf1Hash) return undefined;
  }
  return { hash, mgf1Hash, saltLength };
}

/**
 * The scheme a signatureAlgorithm names. In CMS the hash is the SignerInfo's digestAlgorithm
 * (`digest`), which a PSS hashAlgorithm must equal (RFC 4056 §3); MGF1 must use the same hash,
 * the only form Node's verifier offers and the only one producers write.
 */
export function signatureScheme(alg: Asn1, digest?: DigestName): SchemeResult {
  const algOid = alg.child(0).oid();
  if (algOid === OID.rsaPss) {
    let p: ReturnType<typeof readPssParams>;
    try {
      p = readPssParams(alg.children()[1]);
    } catch {
      p = undefined;
    }
    if (!p) return { ok: false, reason: 'pss-parameters-invalid' };
    if (digest && p.hash !== digest) return { ok: false, reason: 'pss-parameters-invalid' };
    if (p.mgf1Hash !== p.hash) return { ok: false, reason: 'unsupported' };
    return { ok: true, scheme: { kind: 'pss', digest: p.hash, saltLength: p.saltLength } };
  }
  if (algOid === OID.rsaEncryption) {
    return digest ? { ok: true, scheme: { kind: 'pkcs1', digest } } : { ok: false, reason: 'unsupported' };
  }
  if (algOid === OID.ecPublicKey) {
    return digest ? { ok: true, scheme: { kind: 'ecdsa', digest } } : { ok: false, reason: 'unsupported' };
  }
  const named = signatureDigest(algOid);
  if (!named) return { ok: false, reason: 'unsupported' };
  // in CMS the digestAlgorithm decides, as OpenSSL and NSS do; in X.509 the algorithm's own hash
  const kind = algOid.startsWith('1.2.840.10045.') ? 'ecdsa' : 'pkcs1';
  return { ok: true, scheme: { kind, digest: digest ?? named } };
}

/**
 * When the public key itself is an id-RSASSA-PSS key with parameters (RFC 4055 §3.3), a
 * signature must use its hash and MGF1 hash and at least its salt length.
 */
export function keyAllows(keyAlg: Asn1, scheme: SignatureScheme): boolean {
  const keyOid = keyAlg.child(0).oid();
  if (keyOid === OID.ecPublicKey) return scheme.kind === 'ecdsa';
  if (keyOid === OID.rsaEncryption) return scheme.kind === 'pkcs1' || scheme.kind === 'pss';
  if (keyOid !== OID.rsaPss || scheme.kind !== 'pss') return false;
  const params = keyAlg.children()[1];
  if (!params) return true;
  let p: ReturnType<typeof readPssParams>;
  try {
    p = readPssParams(params);
  } catch {
    return false;
  }
  return (
    p !== undefined && p.hash === scheme.digest && p.mgf1Hash === scheme.digest && scheme.saltLength >= p.saltLength
  );
}

/** Verifies a signature with Node's crypto; a key of the wrong type for the scheme never verifies. */
export function verifySignature(scheme: SignatureScheme, data: Buffer, signature: Buffer, key: KeyObject): boolean {
  try {
    if (scheme.kind === 'ecdsa') {
      if (key.asymmetricKeyType !== 'ec') return false;
      return cryptoVerify(scheme.digest, data, { key, dsaEncoding: 'der' }, signature);
    }
    if (scheme.kind === 'pkcs1') {
      if (key.asymmetricKeyType !== 'rsa') return false;
      return cryptoVerify(scheme.digest, data, key, signature);
    }
    if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss') return false;
    return cryptoVerify(
      scheme.digest,
      data,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength },
      signature,
    );
  } catch {
    return false;
  }
}

/** The key and padding Node's crypto signs with for a scheme: ECDSA in DER (RFC 5753 §7.2), PSS with the scheme's salt length. */
function signingKey(scheme: SignatureScheme, key: KeyObject) {
  if (scheme.kind === 'ecdsa') return { key, dsaEncoding: 'der' as const };
  if (scheme.kind === 'pkcs1') return key;
  return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: scheme.saltLength };
}

/** Signs with Node's crypto on the calling thread. */
export function createSignature(scheme: SignatureScheme, data: Buffer, key: KeyObject): Buffer {
  return cryptoSign(scheme.digest, data, signingKey(scheme, key));
}

/**
 * Signs off the event loop where that pays: an RSA private-key operation (about 0.7 ms for
 * RSA-2048) runs on libuv's thread pool while a relay's event loop goes on reading and writing
 * other connections. An ECDSA signature (about 0.04 ms for P-256) is made in place: handing it
 * to the pool and back costs more CPU than the signature (bench:relay, `estimatedBestOnThisMachine`).
 */
export function createSignatureAsync(scheme: SignatureScheme, data: Buffer, key: KeyObject): Promise<Buffer> {
  if (scheme.kind === 'ecdsa') {
    try {
      return Promise.resolve(createSignature(scheme, data, key));
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }
  return new Promise((resolve, reject) =>
    cryptoSign(scheme.digest, data, signingKey(scheme, key), (err, sig) => (err ? reject(err) : resolve(sig))),
  );
}

/** A hash AlgorithmIdentifier as RFC 4055 §2.1 writes it inside PSS parameters: with NULL, as OpenSSL does. */
function hashIdentifier(digest: DigestName): Buffer {
  return seq(oid(DIGEST_OID[digest]), NULL);
}

/** id-RSASSA-PSS with hash, MGF1 over the same hash and the salt length; trailer field default (RFC 4055 §3.1). */
export function pssAlgorithmIdentifier(digest: DigestName, saltLength: number): Buffer {
  const params = [ctx(0, hashIdentifier(digest)), ctx(1, seq(oid(OID.mgf1), hashIdentifier(digest)))];
  if (saltLength !== 20) params.push(ctx(2, uint(saltLength)));
  return seq(oid(OID.rsaPss), seq(...params));
}
