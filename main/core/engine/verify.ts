/**
 * Verifying signed messages as mail clients do (RFC 8551, RFC 5652, RFC 5280): every signature
 * layer judged, the signer's purpose, chain and revocation checked at the signing time and now,
 * and the innermost signer matched with the From address.
 */
import { X509Certificate } from 'node:crypto';
import { verifySignedData, type CmsVerifyResult, type SignerVerifyResult } from './cms';
import { certificateEmails, explicitEcParameters, extendedKeyUsageOf, keyUsageOf, sameEmail } from './certificate';
import { certificateIssuer, certificateSerialKey, certificateSubject, crlSignedBy, type Crl } from './crl';
import { SmimeError } from '../errors';
import {
  contentTypeOf,
  decodeBody,
  parseAddresses,
  parseMessage,
  parsePart,
  splitMultipart,
  toCrlf,
  headerValue,
  type HeaderField,
  type ParsedMessage,
} from './mime';
import type { VerificationView, VerifyFailure } from '../../contract';

export interface VerifyOptions {
  /** trust anchors; when given, the chain from the signer to one of them is checked */
  ca?: X509Certificate[];
  /** the present time, for validNow and CRLs (default: the clock) */
  now?: Date;
  /** certificates to find signers in when the signature carries none (`--signer-cert`) */
  signerCerts?: X509Certificate[];
  /** CRLs; when given, the signer's issuer must have one and the signer must not be on it */
  crls?: Crl[];
}

export interface LayerSigner {
  email: string | null;
  emails: string[];
  subject: string;
  issuer: string;
  serial: string;
  fingerprintSha256: string;
  notAfter: string;
  valid: boolean;
  failure?: VerifyFailure;
}

/** One signature of a message, outer to inner, with its own verdict. */
export interface SignatureLayer {
  kind: 'multipart/signed' | 'application/pkcs7-mime';
  valid: boolean;
  failure?: VerifyFailure;
  signerEmail: string | null;
  signerEmails: string[];
  signer?: VerificationView['signer'];
  /** every SignerInfo of this layer (usually one) */
  signers: LayerSigner[];
  signingTime?: string;
  digest?: string;
  /** RSASSA-PKCS1-v1_5, RSASSA-PSS or ECDSA */
  signatureAlgorithm?: string;
  /** the digest is SHA-1, which no client should accept any more (reported, not refused) */
  weakDigest: boolean;
  chainVerified: boolean | null;
  /** the chain (or, without a trust anchor, the signer's certificate) was valid at the signing time; null without one */
  validAtSigningTime: boolean | null;
  /** … and is valid now */
  validNow: boolean | null;
  /** whether CRLs were checked for this layer's signer */
  revocationChecked: boolean;
}

export interface VerifyResult extends VerificationView {
  /** every signature layer, outer to inner */
  layers: SignatureLayer[];
  weakDigest: boolean;
  validAtSigningTime: boolean | null;
  validNow: boolean | null;
  /** why the From address is not matched by the (innermost) signer */
  fromFailure?: VerifyFailure;
  /** the signed entity (detached) or encapsulated content (opaque) of the innermost layer */
  content: Buffer;
  outerHeaders: HeaderField[];
}

const dnText = (s: string): string => s.split('\n').join(', ');

interface ChainResult {
  path: X509Certificate[];
  failure: VerifyFailure | null;
}

/** Builds the chain signer → intermediates (from the pool) → one of the anchors, checking each link at `at`. */
function buildChain(
  signer: X509Certificate,
  pool: X509Certificate[],
  anchors: X509Certificate[],
  at: Date,
): ChainResult {
  let current = signer;
  const path: X509Certificate[] = [];
  const seen = new Set<string>();
  for (let depth = 0; depth < 10; depth++) {
    const from = new Date(current.validFrom);
    const to = new Date(current.validTo);
    if (at < from || at > to)
      return {
        path,
        failure: {
          code: 'certificate-not-valid-at',
          params: { subject: dnText(current.subject), at: at.toISOString() },
        },
      };
    const anchor = anchors.find((a) => current.checkIssued(a) && current.verify(a.publicKey));
    if (anchor) {
      if (at < new Date(anchor.validFrom) || at > new Date(anchor.validTo))
        return { path, failure: { code: 'anchor-not-valid-at', params: { at: at.toISOString() } } };
      return { path, failure: null };
    }
    if (anchors.some((a) => a.fingerprint256 === current.fingerprint256)) return { path, failure: null };
    seen.add(current.fingerprint256);
    const next = pool.find((c) => !seen.has(c.fingerprint256) && current.checkIssued(c) && current.verify(c.publicKey));
    if (!next) return { path, failure: { code: 'chain-incomplete', params: {} } };
    if (!next.ca) return { path, failure: { code: 'issuer-not-ca', params: { subject: dnText(next.subject) } } };
    path.push(next);
    current = next;
  }
  return { path, failure: { code: 'chain-too-long', params: {} } };
}

/** Builds the chain signer → intermediates (from the signature) → one of the anchors, checking each link. */
export function verifyChain(
  signer: X509Certificate,
  pool: X509Certificate[],
  anchors: X509Certificate[],
  at: Date,
): VerifyFailure | null {
  return buildChain(signer, pool, anchors, at).failure;
}

/**
 * What `openssl cms -verify -purpose smimesign` requires (RFC 8550 §4.4): the signer's key
 * usage, when present, has digitalSignature or nonRepudiation; its extended key usage, when
 * present, has emailProtection, and so does every issuer's that has one. anyExtendedKeyUsage
 * alone is refused, as OpenSSL 3.0 (XKU_SMIME only) and NSS refuse it (interop matrix).
 */
function purposeFailure(signer: X509Certificate, issuers: X509Certificate[]): VerifyFailure | null {
  const ku = keyUsageOf(signer);
  if (ku.length > 0 && !ku.includes('digitalSignature') && !ku.includes('nonRepudiation'))
    return { code: 'key-usage-forbids-signing', params: { usages: ku } };
  for (const cert of [signer, ...issuers]) {
    const eku = extendedKeyUsageOf(cert);
    if (eku.length > 0 && !eku.includes('emailProtection'))
      return { code: 'eku-not-email-protection', params: { subject: dnText(cert.subject), usages: eku } };
  }
  return null;
}

/**
 * Revocation of `cert` by the CRLs (RFC 5280 §6.3): a CRL named for its issuer must be signed
 * by that issuer and current; `required` makes a missing CRL a failure (the signer's issuer).
 */
function revocationFailure(
  cert: X509Certificate,
  crls: Crl[],
  pool: X509Certificate[],
  now: Date,
  required: boolean,
): VerifyFailure | null {
  const issuerName = certificateIssuer(cert);
  const mine = crls.filter((c) => c.issuer.equals(issuerName));
  if (mine.length === 0) return required ? { code: 'crl-missing', params: { issuer: dnText(cert.issuer) } } : null;
  const issuer = pool.find((c) => certificateSubject(c).equals(issuerName) && cert.verify(c.publicKey));
  const serial = certificateSerialKey(cert);
  for (const crl of mine) {
    if (!issuer || !crlSignedBy(crl, issuer)) return { code: 'crl-invalid', params: { issuer: crl.issuerText } };
    if (crl.thisUpdate > now)
      return {
        code: 'crl-not-yet-valid',
        params: { issuer: crl.issuerText, thisUpdate: crl.thisUpdate.toISOString() },
      };
    if (crl.nextUpdate && crl.nextUpdate < now)
      return { code: 'crl-expired', params: { issuer: crl.issuerText, nextUpdate: crl.nextUpdate.toISOString() } };
    const date = crl.revoked.get(serial);
    if (date)
      return { code: 'certificate-revoked', params: { subject: dnText(cert.subject), date: date.toISOString() } };
  }
  return null;
}

const SCHEME_NAMES = { pkcs1: 'RSASSA-PKCS1-v1_5', pss: 'RSASSA-PSS', ecdsa: 'ECDSA' } as const;

function signerView(cert: X509Certificate): NonNullable<VerificationView['signer']> {
  return {
    subject: dnText(cert.subject),
    issuer: dnText(cert.issuer),
    serial: cert.serialNumber.toUpperCase(),
    fingerprintSha256: cert.fingerprint256,
    notAfter: new Date(cert.validTo).toISOString(),
  };
}

/** All-of over tri-state facts: false wins, then unknown. */
function allOf(values: (boolean | null)[]): boolean | null {
  if (values.some((v) => v === false)) return false;
  if (values.some((v) => v === null)) return null;
  return true;
}

/**
 * Judges the certificates of one verified CMS layer: the signer's validity at the signing time
 * (NSS's rule; the present time when the signature has no signing time) and now, the chain to
 * the anchors at both times, the purpose, explicit EC parameters and revocation.
 */
function judgeLayer(kind: SignatureLayer['kind'], cms: CmsVerifyResult, opts: VerifyOptions): SignatureLayer {
  const now = opts.now ?? new Date();
  let failure: VerifyFailure | undefined = cms.failure;
  const signers = cms.signers.filter((s): s is SignerVerifyResult & { signer: X509Certificate } => !!s.signer);
  const pool = [...cms.certificates, ...(opts.signerCerts ?? []), ...(opts.ca ?? [])];
  const atSigning: (boolean | null)[] = [];
  const atNow: (boolean | null)[] = [];
  const chainOk: boolean[] = [];
  const perSigner: LayerSigner[] = [];
  for (const s of signers) {
    const cert = s.signer;
    let own: VerifyFailure | undefined = s.failure;
    const validAt = (at: Date): boolean => at >= new Date(cert.validFrom) && at <= new Date(cert.validTo);
    const chainAt = (at: Date): ChainResult | null => (opts.ca ? buildChain(cert, pool, opts.ca, at) : null);
    const signing = s.signingTime ?? null;
    const checkTime = signing ?? now;
    const chainAtCheck = chainAt(checkTime);
    const chainNow = signing ? chainAt(now) : chainAtCheck;
    atSigning.push(signing ? validAt(signing) && (chainAtCheck ? chainAtCheck.failure === null : true) : null);
    atNow.push(validAt(now) && (chainNow ? chainNow.failure === null : true));
    if (chainAtCheck) chainOk.push(chainAtCheck.failure === null);
    if (!own && s.valid) {
      if (signing && !validAt(signing))
        own = {
          code: 'signing-time-outside-validity',
          params: {
            at: signing.toISOString(),
            notBefore: new Date(cert.validFrom).toISOString(),
            notAfter: new Date(cert.validTo).toISOString(),
          },
        };
      else if (!signing && !validAt(now))
        own = { code: 'certificate-not-valid-at', params: { subject: dnText(cert.subject), at: now.toISOString() } };
      else if (chainAtCheck?.failure) own = chainAtCheck.failure;
    }
    const issuers = chainAtCheck?.path ?? [];
    if (!own) {
      const explicit = [cert, ...issuers].find((c) => explicitEcParameters(c));
      if (explicit) own = { code: 'explicit-ec-parameters', params: { subject: dnText(explicit.subject) } };
    }
    if (!own) own = purposeFailure(cert, issuers) ?? undefined;
    if (!own && opts.crls) {
      own = revocationFailure(cert, opts.crls, pool, now, true) ?? undefined;
      for (const c of issuers) if (!own) own = revocationFailure(c, opts.crls, pool, now, false) ?? undefined;
    }
    if (own && !failure) failure = own;
    const emails = certificateEmails(cert);
    perSigner.push({
      email: emails[0] ?? null,
      emails,
      ...signerView(cert),
      valid: !own,
      ...(own ? { failure: own } : {}),
    });
  }
  const first = signers[0]?.signer;
  const emails = first ? certificateEmails(first) : [];
  const digests = cms.signers.map((s) => s.digest);
  return {
    kind,
    valid: cms.valid && !failure,
    ...(failure ? { failure } : {}),
    signerEmail: emails[0] ?? null,
    signerEmails: emails,
    ...(first ? { signer: signerView(first) } : {}),
    signers: perSigner,
    ...(cms.signingTime ? { signingTime: cms.signingTime.toISOString() } : {}),
    ...(cms.digest ? { digest: cms.digest } : {}),
    ...(cms.signers[0]?.scheme ? { signatureAlgorithm: SCHEME_NAMES[cms.signers[0].scheme] } : {}),
    weakDigest: digests.includes('sha1'),
    chainVerified: opts.ca ? chainOk.length > 0 && chainOk.every(Boolean) : null,
    validAtSigningTime: signers.length > 0 ? allOf(atSigning) : null,
    validNow: signers.length > 0 ? allOf(atNow) : null,
    revocationChecked: opts.crls !== undefined && signers.length > 0,
  };
}

/** Nested signatures deeper than this are not followed. */
const MAX_LAYERS = 8;

function isSigned(entity: ParsedMessage): 'multipart/signed' | 'application/pkcs7-mime' | null {
  const ct = contentTypeOf(entity.headers);
  if (ct.type === 'multipart' && ct.subtype === 'signed') return 'multipart/signed';
  if (ct.type === 'application' && (ct.subtype === 'pkcs7-mime' || ct.subtype === 'x-pkcs7-mime')) {
    const smimeType = ct.params.get('smime-type');
    if (!smimeType || smimeType === 'signed-data') return 'application/pkcs7-mime';
  }
  return null;
}

/** Verifies one signature layer of `entity` and returns it with the entity it signs. */
function verifyLayer(
  entity: ParsedMessage,
  kind: 'multipart/signed' | 'application/pkcs7-mime',
  opts: VerifyOptions,
): { layer: SignatureLayer; content: Buffer } {
  const ct = contentTypeOf(entity.headers);
  const cmsOpts = opts.signerCerts ? { extraCerts: opts.signerCerts } : {};
  if (kind === 'multipart/signed') {
    const boundary = ct.params.get('boundary');
    if (!boundary) throw new SmimeError('MESSAGE_INVALID', 'the multipart/signed message has no boundary');
    const split = splitMultipart(entity.body, boundary);
    if (split.parts.length !== 2)
      throw new SmimeError(
        'SIGNATURE_MALFORMED',
        `a multipart/signed body must have two parts, this one has ${split.parts.length}`,
      );
    const sigPart = parsePart(split.parts[1]!);
    const sigCt = contentTypeOf(sigPart.headers);
    if (!['pkcs7-signature', 'x-pkcs7-signature'].includes(sigCt.subtype)) {
      throw new SmimeError(
        'SIGNATURE_MALFORMED',
        `the second part is ${sigCt.type}/${sigCt.subtype}, not application/pkcs7-signature`,
      );
    }
    const content = split.parts[0]!;
    // a signed message saved with LF line ends still verifies over its canonical CRLF form
    const canonical = toCrlf(content);
    const candidates = canonical === content ? [content] : [content, canonical];
    const cms = verifySignedData(decodeBody(sigPart.headers, sigPart.body), candidates, cmsOpts);
    return { layer: judgeLayer(kind, cms, opts), content: candidates[cms.contentIndex ?? 0]! };
  }
  const cms = verifySignedData(decodeBody(entity.headers, entity.body), null, cmsOpts);
  return { layer: judgeLayer(kind, cms, opts), content: cms.content ?? Buffer.alloc(0) };
}

/**
 * The From check a mail client's signer indicator rests on (RFC 8550 §3, RFC 8551 §3.1 and
 * the ID attacks of "Johnny, You Are Fired!"): exactly one From field with exactly one
 * address, spoken for by a signer. Sender and display names are never compared.
 */
function checkFrom(headers: HeaderField[], signerEmails: string[]): { from: string | null; failure?: VerifyFailure } {
  const fields = headers.filter((h) => h.key === 'from');
  if (fields.length === 0) return { from: null, failure: { code: 'no-from', params: {} } };
  const addresses = parseAddresses(headerValue(fields[0]!));
  const from = addresses[0] ?? null;
  if (fields.length > 1) return { from, failure: { code: 'multiple-from-fields', params: { count: fields.length } } };
  if (!from) return { from, failure: { code: 'no-from', params: {} } };
  if (addresses.length > 1) return { from, failure: { code: 'multiple-from-addresses', params: { addresses } } };
  if (!signerEmails.some((e) => sameEmail(e, from)))
    return { from, failure: { code: 'signer-not-from', params: { from, signers: signerEmails } } };
  return { from };
}

/**
 * Verifies a signed message: multipart/signed (RFC 1847, RFC 8551 §3.5.3) or
 * application/pkcs7-mime signed-data (RFC 8551 §3.5.2), and every signature nested inside
 * it, outer to inner. `valid` needs every layer valid; with more than one layer also the
 * innermost signer must speak for From, since a valid outer signature must not lend its
 * standing to content someone else signed. Whether the signer matches From is reported
 * (`fromMatches`, `fromFailure`) for every message.
 */
export function verifyMessage(message: Buffer, opts: VerifyOptions = {}): VerifyResult {
  const parsed = parseMessage(message);
  const first = isSigned(parsed);
  if (!first) {
    const ct = contentTypeOf(parsed.headers);
    const smimeType = ct.params.get('smime-type');
    if (ct.subtype.endsWith('pkcs7-mime') && smimeType)
      throw new SmimeError('NOT_SIGNED', `the message is S/MIME ${smimeType}, not signed-data`);
    throw new SmimeError(
      'NOT_SIGNED',
      `the message is not S/MIME signed (its Content-Type is ${ct.type}/${ct.subtype})`,
    );
  }
  const layers: SignatureLayer[] = [];
  let entity: ParsedMessage = parsed;
  let kind: ReturnType<typeof isSigned> = first;
  let content: Buffer = Buffer.alloc(0);
  while (kind && layers.length < MAX_LAYERS) {
    const r = verifyLayer(entity, kind, opts);
    layers.push(r.layer);
    content = r.content;
    try {
      entity = parsePart(content);
    } catch {
      break;
    }
    kind = isSigned(entity);
  }
  const inner = layers[layers.length - 1]!;
  // any signer of the innermost layer may speak for From: every one of them must have verified
  const innerEmails = [...new Set(inner.signers.flatMap((s) => s.emails))];
  const { from, failure: fromFailure } = checkFrom(parsed.headers, innerEmails);
  const layersValid = layers.every((l) => l.valid);
  const nestedFromProblem = layers.length > 1 && fromFailure !== undefined;
  const failure = layers.find((l) => !l.valid)?.failure ?? (nestedFromProblem ? fromFailure : undefined);
  const valid = layersValid && !nestedFromProblem;
  return {
    valid,
    ...(failure && !valid ? { failure } : {}),
    signerEmail: inner.signerEmail,
    signerEmails: inner.signerEmails,
    from,
    fromMatches: fromFailure === undefined,
    ...(fromFailure ? { fromFailure } : {}),
    ...(inner.signer ? { signer: inner.signer } : {}),
    ...(inner.signingTime ? { signingTime: inner.signingTime } : {}),
    ...(inner.digest ? { digest: inner.digest } : {}),
    chainVerified: opts.ca ? layers.every((l) => l.chainVerified === true) : null,
    validAtSigningTime: allOf(layers.map((l) => l.validAtSigningTime)),
    validNow: allOf(layers.map((l) => l.validNow)),
    weakDigest: layers.some((l) => l.weakDigest),
    layers,
    content,
    outerHeaders: parsed.headers,
  };
}
