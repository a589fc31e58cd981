/**
 * Verification of CMS SignedData (RFC 5652) as S/MIME receivers do it:
 * signer lookup by issuer+serial or SKI, single-valued signed attributes,
 * message digest, signature, and the key usage the signer must allow.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { decode, decodeTime, type Asn1 } from './der';
import { checkedCertificate } from './x509';
import { SmimeError } from '../errors';
import { certExtensions, issuerAndSerial, publicKeyAlgorithm } from './certificate';
import { digestFromOid, OID, type DigestName } from './oids';
import { keyAllows, signatureScheme, verifySignature, type SignatureScheme } from './signature';
import type { VerifyFailure, VerifyFailureParams } from '../../contract';
export interface SignerVerifyResult {
  valid: boolean;
  failure?: VerifyFailure;
  signer?: X509Certificate;
  signingTime?: Date;
  digest?: DigestName;
  /** pkcs1 (RSASSA-PKCS1-v1_5), pss (RSASSA-PSS) or ecdsa */
  scheme?: SignatureScheme['kind'];
  essChecked: boolean;
  /** which of the content candidates the signature covers */
  contentIndex?: number;
}

export interface CmsVerifyResult {
  valid: boolean;
  /** the first failure, signers in order */
  failure?: VerifyFailure;
  /** the first signer */
  signer?: X509Certificate;
  signingTime?: Date;
  digest?: DigestName;
  /** every SignerInfo, each verified on its own (RFC 5652 §5.6) */
  signers: SignerVerifyResult[];
  /** every certificate carried in the SignedData */
  certificates: X509Certificate[];
  /** encapsulated content, for opaque (application/pkcs7-mime) signatures */
  content?: Buffer;
  /** which detached content candidate the signatures cover */
  contentIndex?: number;
  essChecked: boolean;
}

/** Failures of the signature itself, without parameters (RFC 5652 §5.6). */
type SimpleFailure = {
  [C in keyof VerifyFailureParams]: VerifyFailureParams[C] extends Record<string, never> ? C : never;
}[keyof VerifyFailureParams];

function failure(code: SimpleFailure): VerifyFailure {
  return { code, params: {} } as VerifyFailure;
}

function fail(code: SimpleFailure, partial: Partial<CmsVerifyResult> = {}): CmsVerifyResult {
  return { valid: false, failure: failure(code), certificates: [], signers: [], essChecked: false, ...partial };
}

function malformed(what = 'it is truncated or corrupt'): SmimeError {
  return new SmimeError('SIGNATURE_MALFORMED', `the signature part is not valid CMS (${what})`);
}

export interface CmsVerifyOptions {
  /** certificates from elsewhere (`verify --signer-cert`), for signatures that carry none */
  extraCerts?: X509Certificate[];
}

interface SignedDataParts {
  eContentType: string;
  encapsulated?: Buffer;
  certificates: X509Certificate[];
  signerInfos: Asn1[];
}

function parseSignedData(der: Buffer): SignedDataParts {
  let root: Asn1;
  try {
    root = decode(der);
    if (root.child(0).oid() !== OID.signedData) throw new SmimeError('NOT_SIGNED', 'not signed-data');
  } catch (e) {
    if (e instanceof SmimeError) throw e;
    throw malformed();
  }
  try {
    const sd = root.child(1).expect(0xa0, '[0]').child(0).expect(0x30, 'SignedData').children();
    const encap = sd[2]!.expect(0x30, 'EncapsulatedContentInfo');
    const eContentType = encap.child(0).oid();
    const eContent = encap.children()[1];
    const encapsulated = eContent ? eContent.expect(0xa0, '[0]').child(0).octets() : undefined;
    const certificates: X509Certificate[] = [];
    let idx = 3;
    if (sd[idx]?.tag === 0xa0) {
      for (const c of sd[idx]!.children()) {
        if (c.tag === 0x30) certificates.push(checkedCertificate(c.raw(), 'SIGNATURE_MALFORMED', 'the signature'));
      }
      idx++;
    }
    if (sd[idx]?.tag === 0xa1) idx++;
    const signerInfos = sd[idx]!.expect(0x31, 'SignerInfos').children();
    return { eContentType, ...(encapsulated ? { encapsulated } : {}), certificates, signerInfos };
  } catch {
    throw malformed();
  }
}

function findSigner(sid: Asn1, pool: X509Certificate[]): X509Certificate | undefined {
  if (sid.tag === 0x30) {
    const wantIssuer = sid.child(0).raw();
    const wantSerial = sid.child(1).raw();
    return pool.find((c) => {
      const is = issuerAndSerial(c);
      return is.issuer.equals(wantIssuer) && is.serial.equals(wantSerial);
    });
  }
  if (sid.tag === 0x80) {
    const ski = sid.content();
    return pool.find((c) => {
      const ext = certExtensions(c).get(OID.subjectKeyIdentifier);
      return ext !== undefined && decode(ext.value).content().equals(ski);
    });
  }
  return undefined;
}

const SINGLE_VALUED = new Set<string>([
  OID.contentType,
  OID.messageDigest,
  OID.signingTime,
  OID.signingCertificate,
  OID.signingCertificateV2,
]);

/** The one value of a signed attribute; two instances or two values are refused (RFC 5652 §5.3, §11). */
function singleValues(signedAttrs: Asn1): Map<string, Asn1> {
  const out = new Map<string, Asn1>();
  for (const attr of signedAttrs.children()) {
    const type = attr.child(0).oid();
    const values = attr.child(1).expect(0x31, 'AttributeValues').children();
    if (out.has(type)) throw malformed(`the signed attribute ${type} appears twice`);
    if (values.length !== 1 && SINGLE_VALUED.has(type))
      throw malformed(`the signed attribute ${type} has ${values.length} values`);
    if (values[0]) out.set(type, values[0]);
  }
  return out;
}

function verifySignerInfo(
  info: Asn1,
  pool: X509Certificate[],
  eContentType: string,
  candidates: Buffer[],
): SignerVerifyResult {
  const si = info.expect(0x30, 'SignerInfo').children();
  const res: SignerVerifyResult = { valid: false, essChecked: false };
  const failWith = (code: SimpleFailure): SignerVerifyResult => ({ ...res, valid: false, failure: failure(code) });
  const signer = findSigner(si[1]!, pool);
  if (!signer) return failWith('signer-certificate-missing');
  res.signer = signer;
  const digest = digestFromOid(si[2]!.expect(0x30, 'DigestAlgorithmIdentifier').child(0).oid());
  if (!digest) return failWith('unsupported-digest');
  res.digest = digest;
  let pos = 3;
  let signedAttrs: Asn1 | undefined;
  if (si[pos]!.tag === 0xa0) signedAttrs = si[pos++];
  const sigAlg = si[pos++]!.expect(0x30, 'SignatureAlgorithmIdentifier');
  const sigEl = si[pos]!;
  if (sigEl.tag !== 0x04 && sigEl.tag !== 0x24) throw malformed('the signature value is not an OCTET STRING');
  const signature = sigEl.octets();
  // the algorithm is judged before any digest, so an unsupported one never reads as "content changed"
  const scheme = signatureScheme(sigAlg, digest);
  if (!scheme.ok)
    return failWith(scheme.reason === 'unsupported' ? 'unsupported-signature-algorithm' : 'pss-parameters-invalid');
  res.scheme = scheme.scheme.kind;
  if (!keyAllows(publicKeyAlgorithm(signer), scheme.scheme))
    return failWith(
      scheme.scheme.kind === 'pss' && publicKeyAlgorithm(signer).child(0).oid() === OID.rsaPss
        ? 'pss-parameters-invalid'
        : 'unsupported-signature-algorithm',
    );
  if (signedAttrs) {
    const attrs = singleValues(signedAttrs);
    const time = attrs.get(OID.signingTime);
    if (time) res.signingTime = decodeTime(time);
    for (const type of [OID.signingCertificateV2, OID.signingCertificate]) {
      const value = attrs.get(type);
      if (!value) continue;
      const certId = value.child(0).child(0).children();
      let hashName: DigestName = type === OID.signingCertificate ? 'sha1' : 'sha256';
      let hashEl = certId[0]!;
      if (hashEl.tag === 0x30) {
        hashName = digestFromOid(hashEl.child(0).oid()) ?? hashName;
        hashEl = certId[1]!;
      }
      if (!createHash(hashName).update(signer.raw).digest().equals(hashEl.content()))
        return failWith('ess-hash-mismatch');
      res.essChecked = true;
    }
    const md = attrs.get(OID.messageDigest);
    if (!md) return failWith('no-message-digest');
    const ctype = attrs.get(OID.contentType);
    if (!ctype || ctype.oid() !== eContentType || eContentType !== OID.data) return failWith('content-type-not-data');
    const want = md.expect(0x04, 'MessageDigest').content();
    const index = candidates.findIndex((c) => createHash(digest).update(c).digest().equals(want));
    if (index < 0) return failWith('content-changed');
    res.contentIndex = index;
    // the signature covers the DER SET OF the attributes (RFC 5652 §5.4): the [0] tag made SET
    const raw = signedAttrs.raw();
    const toVerify = Buffer.concat([Buffer.from([0x31]), raw.subarray(1)]);
    if (!verifySignature(scheme.scheme, toVerify, signature, signer.publicKey)) return failWith('bad-signature');
  } else {
    if (eContentType !== OID.data) return failWith('content-type-not-data');
    // without signed attributes the signature is over the content itself (RFC 5652 §5.4)
    const index = candidates.findIndex((c) => verifySignature(scheme.scheme, c, signature, signer.publicKey));
    if (index < 0) return failWith('bad-signature');
    res.contentIndex = index;
  }
  return { ...res, valid: true };
}

/**
 * Verifies a SignedData (RFC 5652 §5.6) over the detached content (the first candidate that a
 * signature covers; a caller passes the content as received and its canonical CRLF form) or
 * over the encapsulated content. Every SignerInfo must verify. A detached signature that also
 * encapsulates content is refused (RFC 8551 §3.5.3): clients differ in which one they show.
 * Chain building is left to the caller.
 */
export function verifySignedData(
  der: Buffer,
  detached: Buffer | readonly Buffer[] | null,
  opts: CmsVerifyOptions = {},
): CmsVerifyResult {
  const candidates = detached === null ? null : Buffer.isBuffer(detached) ? [detached] : [...detached];
  let parts: SignedDataParts;
  try {
    parts = parseSignedData(der);
  } catch (e) {
    if (e instanceof SmimeError && e.code === 'NOT_SIGNED') return fail('not-signed-data');
    throw e;
  }
  const { certificates, signerInfos, eContentType, encapsulated } = parts;
  const pool = [...certificates, ...(opts.extraCerts ?? [])];
  const base = { certificates, ...(encapsulated ? { content: encapsulated } : {}) };
  if (candidates && encapsulated) return fail('encapsulated-content-in-detached', base);
  const contents = candidates ?? (encapsulated ? [encapsulated] : null);
  if (!contents || contents.length === 0) return fail('no-signed-content', base);
  if (signerInfos.length === 0) return fail('no-signer', base);
  let signers: SignerVerifyResult[];
  try {
    signers = signerInfos.map((info) => verifySignerInfo(info, pool, eContentType, contents));
  } catch (e) {
    if (e instanceof SmimeError) throw e;
    throw malformed();
  }
  const first = signers[0]!;
  const failed = signers.find((s) => !s.valid);
  const covered = signers.every((s) => s.contentIndex === first.contentIndex) ? first.contentIndex : undefined;
  return {
    ...base,
    valid: !failed && covered !== undefined,
    ...(failed ? { failure: failed.failure! } : covered === undefined ? { failure: failure('content-changed') } : {}),
    ...(first.signer ? { signer: first.signer } : {}),
    ...(first.signingTime ? { signingTime: first.signingTime } : {}),
    ...(first.digest ? { digest: first.digest } : {}),
    signers,
    ...(covered !== undefined ? { contentIndex: covered } : {}),
    essChecked: signers.every((s) => s.essChecked),
  };
}
