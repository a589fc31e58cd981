/**
 * CMS SignedData (RFC 5652) for S/MIME (RFC 8551), built directly in DER.
 *
 * Signed attributes are DER-sorted (RFC 5652 §5.4; forge#1013), include
 * smimeCapabilities (RFC 8551 §2.5.2) and ESS signingCertificateV2 (RFC 5035),
 * and the signer is identified by the issuer and serial bytes copied from its
 * certificate, never re-encoded. Signing is done by Node's crypto.
 */
import { createHash } from 'node:crypto';
import { ctx, NULL, octets, oid, seq, setOf, smallInt, time, tlv } from './der';
import { SmimeError } from '../errors';
import { issuerAndSerial } from './certificate';
import { DIGEST_OID, OID, type DigestName } from './oids';
import type { SigningIdentity } from './pkcs12';
import {
  createSignature,
  createSignatureAsync,
  DIGEST_LENGTH,
  pssAlgorithmIdentifier,
  type SignatureScheme,
} from './signature';

export const MICALG: Record<DigestName, string> = {
  sha1: 'sha-1',
  sha224: 'sha-224',
  sha256: 'sha-256',
  sha384: 'sha-384',
  sha512: 'sha-512',
};

/**
 * Digest that matches the key's strength (RFC 5753 §7, RFC 8551 §2.1), or the one an RSA-PSS
 * key is restricted to (RFC 4055 §3.3). SHA-1 is never chosen.
 */
export function digestForIdentity(id: Pick<SigningIdentity, 'keyType' | 'keyBits' | 'pss'>): DigestName {
  if (id.keyType === 'EC') return id.keyBits >= 521 ? 'sha512' : id.keyBits >= 384 ? 'sha384' : 'sha256';
  if (id.pss?.hash) {
    if (id.pss.hash === 'sha1')
      throw new SmimeError(
        'KEY_UNSUPPORTED',
        'the RSA-PSS key is restricted to SHA-1, which is never used for signing',
      );
    return id.pss.hash;
  }
  return 'sha256';
}

export interface SignerOptions {
  /** sign a plain RSA key with RSASSA-PSS (RFC 4056); an RSA-PSS key always signs so */
  pss?: boolean;
}

const ECDSA_SIG_OID: Partial<Record<DigestName, string>> = {
  sha1: OID.ecdsaSha1,
  sha256: OID.ecdsaSha256,
  sha384: OID.ecdsaSha384,
  sha512: OID.ecdsaSha512,
};

/** Everything about a signer that does not change from message to message, encoded once. */
export interface PreparedSigner {
  identity: SigningIdentity;
  digest: DigestName;
  scheme: SignatureScheme;
  digestAlgorithm: Buffer;
  signatureAlgorithm: Buffer;
  sid: Buffer;
  certificates: Buffer;
  staticAttributes: Buffer[];
}

function attribute(type: string | Buffer, ...values: Buffer[]): Buffer {
  return seq(typeof type === 'string' ? oid(type) : type, setOf(values));
}

/** Encodings that every message needs, made once. */
const DER = {
  signingTime: oid(OID.signingTime),
  messageDigest: oid(OID.messageDigest),
  dataContentType: seq(oid(OID.data)),
  signedData: oid(OID.signedData),
};

/** Capabilities we announce (RFC 8551 §2.5.2), strongest first. */
const CAPABILITIES = [OID.aes256cbc, OID.aes192cbc, OID.aes128cbc];

/**
 * Encodes the parts of SignedData that depend only on the signer. RSASSA-PSS (RFC 4056 §3)
 * is used when the key requires it or `opts.pss` asks for it: the hash of the digest
 * algorithm, MGF1 with that hash and a salt as long as the hash (or the key's minimum).
 */
export function prepareSigner(identity: SigningIdentity, opts: SignerOptions = {}): PreparedSigner {
  const digest = digestForIdentity(identity);
  const cert = identity.certificate;
  const { issuer, serial } = issuerAndSerial(cert);
  const digestAlgorithm = seq(oid(DIGEST_OID[digest])); // parameters absent (RFC 5754 §2)
  let scheme: SignatureScheme;
  let signatureAlgorithm: Buffer;
  if (identity.keyType === 'EC') {
    scheme = { kind: 'ecdsa', digest };
    signatureAlgorithm = seq(oid(ECDSA_SIG_OID[digest]!));
  } else if (identity.pss || opts.pss) {
    const saltLength = Math.max(DIGEST_LENGTH[digest], identity.pss?.saltLength ?? 0);
    scheme = { kind: 'pss', digest, saltLength };
    signatureAlgorithm = pssAlgorithmIdentifier(digest, saltLength);
  } else {
    scheme = { kind: 'pkcs1', digest };
    signatureAlgorithm = seq(oid(OID.rsaEncryption), NULL);
  }
  // The signer and every intermediate; a self-signed root is left out, the recipient has to trust it anyway.
  const chain = identity.chain.filter((c) => !(c.checkIssued(c) && c.verify(c.publicKey)));
  const certificates = ctx(0, [cert.raw, ...chain.map((c) => c.raw)]);
  const certHash = createHash('sha256').update(cert.raw).digest();
  // ESSCertIDv2 with the default hash (sha256) omitted and IssuerSerial present (RFC 5035 §5.4.1.1)
  const essCertId = seq(octets(certHash), seq(seq(ctx(4, issuer)), serial));
  const staticAttributes = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.smimeCapabilities, seq(...CAPABILITIES.map((c) => seq(oid(c))))),
    attribute(OID.signingCertificateV2, seq(seq(essCertId))),
  ];
  return {
    identity,
    digest,
    scheme,
    digestAlgorithm,
    signatureAlgorithm,
    sid: seq(issuer, serial),
    certificates,
    staticAttributes,
  };
}

/** The signed attributes of a detached signature: the DER SET OF (RFC 5652 §5.4) is what is signed. */
function signedAttributes(signer: PreparedSigner, contentDigest: Buffer, signingTime: Date): Buffer[] {
  return [
    ...signer.staticAttributes,
    attribute(DER.signingTime, time(signingTime)),
    attribute(DER.messageDigest, octets(contentDigest)),
  ].sort(Buffer.compare);
}

function signedDataOf(signer: PreparedSigner, attrs: Buffer[], signature: Buffer): Buffer {
  const signerInfo = seq(
    smallInt(1),
    signer.sid,
    signer.digestAlgorithm,
    tlv(0xa0, attrs),
    signer.signatureAlgorithm,
    octets(signature),
  );
  const signedData = seq(
    smallInt(1),
    setOf([signer.digestAlgorithm]),
    DER.dataContentType,
    signer.certificates,
    setOf([signerInfo]),
  );
  return seq(DER.signedData, ctx(0, signedData));
}

/**
 * A detached SignedData ContentInfo over content whose digest is given (RFC 5652 §5).
 * The signature covers the DER SET OF signed attributes (RFC 5652 §5.4).
 */
export function signDetached(signer: PreparedSigner, contentDigest: Buffer, signingTime: Date): Buffer {
  const attrs = signedAttributes(signer, contentDigest, signingTime);
  return signedDataOf(signer, attrs, createSignature(signer.scheme, tlv(0x31, attrs), signer.identity.key));
}

/** signDetached with the private-key operation on the thread pool (the relay's path). */
export async function signDetachedAsync(
  signer: PreparedSigner,
  contentDigest: Buffer,
  signingTime: Date,
): Promise<Buffer> {
  const attrs = signedAttributes(signer, contentDigest, signingTime);
  return signedDataOf(signer, attrs, await createSignatureAsync(signer.scheme, tlv(0x31, attrs), signer.identity.key));
}

export * from './cms-verify';
