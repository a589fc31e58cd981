/**
 * CMS SignedData (RFC 5652) for S/MIME (RFC 8551), built directly in DER.
 *
 * Signed attributes are DER-sorted (RFC 5652 §5.4; forge#1013), include
 * smimeCapabilities (RFC 8551 §2.5.2) and ESS signingCertificateV2 (RFC 5035),
 * and the signer is identified by the issuer and serial bytes copied from its
 * certificate, never re-encoded. Signing is done by Node's crypto.
 */
import { createHash, sign as cryptoSign, verify as cryptoVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { ctx, decode, decodeTime, NULL, octets, oid, seq, setOf, smallInt, time, tlv, type Asn1 } from './der';
import { SmimeError } from '../errors';
import { certExtensions, issuerAndSerial } from './certificate';
import { DIGEST_OID, digestFromOid, isSignatureAlgorithm, OID, signatureDigest, type DigestName } from './oids';
import type { SigningIdentity } from './pkcs12';
import type { VerifyFailure, VerifyFailureCode } from '../../contract';

export const MICALG: Record<DigestName, string> = {
  sha1: 'sha-1',
  sha224: 'sha-224',
  sha256: 'sha-256',
  sha384: 'sha-384',
  sha512: 'sha-512',
};

/** Digest that matches the key's strength (RFC 5753 §7, RFC 8551 §2.1). */
export function digestForIdentity(id: Pick<SigningIdentity, 'keyType' | 'keyBits'>): DigestName {
  if (id.keyType === 'EC') return id.keyBits >= 521 ? 'sha512' : id.keyBits >= 384 ? 'sha384' : 'sha256';
  return 'sha256';
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

/** Encodes the parts of SignedData that depend only on the signer. */
export function prepareSigner(identity: SigningIdentity): PreparedSigner {
  const digest = digestForIdentity(identity);
  const cert = identity.certificate;
  const { issuer, serial } = issuerAndSerial(cert);
  const digestAlgorithm = seq(oid(DIGEST_OID[digest])); // parameters absent (RFC 5754 §2)
  const signatureAlgorithm =
    identity.keyType === 'RSA' ? seq(oid(OID.rsaEncryption), NULL) : seq(oid(ECDSA_SIG_OID[digest]!));
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
    digestAlgorithm,
    signatureAlgorithm,
    sid: seq(issuer, serial),
    certificates,
    staticAttributes,
  };
}

/**
 * A detached SignedData ContentInfo over content whose digest is given (RFC 5652 §5).
 * The signature covers the DER SET OF signed attributes (RFC 5652 §5.4).
 */
export function signDetached(signer: PreparedSigner, contentDigest: Buffer, signingTime: Date): Buffer {
  const attrs = [
    ...signer.staticAttributes,
    attribute(DER.signingTime, time(signingTime)),
    attribute(DER.messageDigest, octets(contentDigest)),
  ].sort(Buffer.compare);
  const toBeSigned = tlv(0x31, attrs);
  const key: KeyObject = signer.identity.key;
  const signature =
    signer.identity.keyType === 'EC'
      ? cryptoSign(signer.digest, toBeSigned, { key, dsaEncoding: 'der' })
      : cryptoSign(signer.digest, toBeSigned, key);
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

export interface CmsVerifyResult {
  valid: boolean;
  failure?: VerifyFailure;
  signer?: X509Certificate;
  /** every certificate carried in the SignedData */
  certificates: X509Certificate[];
  signingTime?: Date;
  digest?: DigestName;
  /** encapsulated content, for opaque (application/pkcs7-mime) signatures */
  content?: Buffer;
  essChecked: boolean;
}

/** Failures of the signature itself carry no parameters (RFC 5652 §5.6). */
type SimpleFailure = Exclude<VerifyFailureCode, 'certificate-not-valid-at' | 'anchor-not-valid-at' | 'issuer-not-ca'>;

function fail(code: SimpleFailure, partial: Partial<CmsVerifyResult> = {}): CmsVerifyResult {
  return {
    valid: false,
    failure: { code, params: {} } as VerifyFailure,
    certificates: [],
    essChecked: false,
    ...partial,
  };
}

/**
 * Verifies a SignedData: message digest over `detachedContent` (or the encapsulated content),
 * the signature over the signed attributes, and the ESS signing-certificate hash when present.
 * Chain building is left to the caller.
 */
export function verifySignedData(der: Buffer, detachedContent: Buffer | null): CmsVerifyResult {
  let root: Asn1;
  let signedData: Asn1[];
  try {
    root = decode(der);
    if (root.child(0).oid() !== OID.signedData) return fail('not-signed-data');
    signedData = root.child(1).child(0).children();
  } catch {
    throw new SmimeError('SIGNATURE_MALFORMED', 'the signature part is not valid CMS (it is truncated or corrupt)');
  }
  try {
    const encap = signedData[2]!;
    let content = detachedContent;
    let encapsulated: Buffer | undefined;
    const eContent = encap.children()[1];
    if (eContent) {
      encapsulated = eContent.child(0).content();
      content = encapsulated;
    }
    if (!content) return fail('no-signed-content');
    const certificates: X509Certificate[] = [];
    let idx = 3;
    if (signedData[idx]?.tag === 0xa0) {
      for (const c of signedData[idx]!.children()) if (c.tag === 0x30) certificates.push(new X509Certificate(c.raw()));
      idx++;
    }
    if (signedData[idx]?.tag === 0xa1) idx++;
    const signerInfos = signedData[idx]!.children();
    if (signerInfos.length === 0) return fail('no-signer', { certificates });
    const si = signerInfos[0]!.children();
    const sid = si[1]!;
    let signer: X509Certificate | undefined;
    if (sid.tag === 0x30) {
      const wantIssuer = sid.child(0).raw();
      const wantSerial = sid.child(1).raw();
      signer = certificates.find((c) => {
        const is = issuerAndSerial(c);
        return is.issuer.equals(wantIssuer) && is.serial.equals(wantSerial);
      });
    } else if (sid.tag === 0x80) {
      const ski = sid.content();
      signer = certificates.find((c) => {
        const ext = certExtensions(c).get(OID.subjectKeyIdentifier);
        return ext !== undefined && decode(ext.value).content().equals(ski);
      });
    }
    if (!signer) return fail('signer-certificate-missing', { certificates });
    const digest = digestFromOid(si[2]!.child(0).oid());
    if (!digest) return fail('unsupported-digest', { certificates, signer });
    let pos = 3;
    let signedAttrs: Asn1 | undefined;
    if (si[pos]!.tag === 0xa0) signedAttrs = si[pos++];
    const sigAlg = si[pos++]!.child(0).oid();
    const signature = si[pos]!.content();
    const contentDigest = createHash(digest).update(content).digest();
    let toVerify: Buffer;
    let signingTime: Date | undefined;
    let essChecked = false;
    if (signedAttrs) {
      let md: Buffer | undefined;
      let ctype: string | undefined;
      for (const attr of signedAttrs.children()) {
        const type = attr.child(0).oid();
        const value = attr.child(1).child(0);
        if (type === OID.messageDigest) md = value.content();
        else if (type === OID.contentType) ctype = value.oid();
        else if (type === OID.signingTime) signingTime = decodeTime(value);
        else if (type === OID.signingCertificateV2 || type === OID.signingCertificate) {
          const certId = value.child(0).child(0).children();
          let hashName: DigestName = type === OID.signingCertificate ? 'sha1' : 'sha256';
          let hashEl = certId[0]!;
          if (hashEl.tag === 0x30) {
            hashName = digestFromOid(hashEl.child(0).oid()) ?? hashName;
            hashEl = certId[1]!;
          }
          const expected = createHash(hashName).update(signer.raw).digest();
          if (!expected.equals(hashEl.content())) {
            return fail('ess-hash-mismatch', { certificates, signer, signingTime, digest });
          }
          essChecked = true;
        }
      }
      if (!md) return fail('no-message-digest', { certificates, signer });
      if (ctype !== OID.data) return fail('content-type-not-data', { certificates, signer });
      if (!md.equals(contentDigest)) {
        return fail('content-changed', { certificates, signer, signingTime, digest });
      }
      const raw = signedAttrs.raw();
      toVerify = Buffer.concat([Buffer.from([0x31]), raw.subarray(1)]);
    } else toVerify = content;
    const pub = signer.publicKey;
    let ok: boolean;
    if (sigAlg === OID.rsaEncryption || (isSignatureAlgorithm(sigAlg) && signatureDigest(sigAlg) !== undefined)) {
      const isEc = pub.asymmetricKeyType === 'ec';
      ok = cryptoVerify(digest, toVerify, isEc ? { key: pub, dsaEncoding: 'der' } : pub, signature);
    } else return fail('unsupported-signature-algorithm', { certificates, signer });
    if (!ok) return fail('bad-signature', { certificates, signer, signingTime, digest });
    return {
      valid: true,
      certificates,
      signer,
      signingTime,
      digest,
      essChecked,
      ...(encapsulated ? { content: encapsulated } : {}),
    };
  } catch (e) {
    if (e instanceof SmimeError) throw e;
    throw new SmimeError('SIGNATURE_MALFORMED', 'the signature part is not valid CMS (it is truncated or corrupt)');
  }
}
