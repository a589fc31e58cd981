/**
 * S/MIME signing and verification of whole messages (RFC 8551, RFC 1847).
 */
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { MICALG, prepareSigner, signDetached, verifySignedData, type PreparedSigner } from './cms';
import { certificateEmails, sameEmail } from './certificate';
import { SmimeError } from '../errors';
import {
  contentTypeOf,
  decodeBase64,
  encodeBase64Lines,
  getHeader,
  outerHeaderBytes,
  parseAddresses,
  parseMessage,
  parsePart,
  prepareSignedEntity,
  splitMultipart,
  toCrlf,
  type HeaderField,
  type ParsedMessage,
} from './mime';
import type { SigningIdentity } from './pkcs12';
import type { VerificationView, VerifyFailure } from '../../contract';

export interface SignOptions {
  /** signingTime attribute; defaults to now */
  now?: Date;
  /** boundary for the multipart/signed body; random by default */
  boundary?: string;
}

/**
 * Signs an RFC 5322 message as detached multipart/signed (RFC 8551 §3.5.3).
 * Outer header fields other than Content-* stay outside the signature byte for byte;
 * the signed entity is made 7-bit and canonical first, and the bytes signed are
 * exactly the bytes emitted between the delimiters.
 */
export function signMessage(
  message: Buffer | ParsedMessage,
  signer: PreparedSigner | SigningIdentity,
  opts: SignOptions = {},
): Buffer {
  return Buffer.concat(signMessageParts(message, signer, opts));
}

/**
 * The signed message as a list of buffers, in order: a relay writes them to its socket
 * (or a file with writev) without first copying a large message into one buffer.
 */
export function signMessageParts(
  message: Buffer | ParsedMessage,
  signer: PreparedSigner | SigningIdentity,
  opts: SignOptions = {},
): Buffer[] {
  const prepared = 'staticAttributes' in signer ? signer : prepareSigner(signer);
  const { outer, entity } = prepareSignedEntity(message);
  const hash = createHash(prepared.digest);
  for (const chunk of entity) hash.update(chunk);
  const cms = signDetached(prepared, hash.digest(), opts.now ?? new Date());
  const boundary = opts.boundary ?? `----=_smime_${randomBytes(18).toString('base64url')}`;
  const hasMimeVersion = outer.some((h) => h.key === 'mime-version');
  const head = [
    outerHeaderBytes(outer),
    hasMimeVersion ? '' : 'MIME-Version: 1.0\r\n',
    `Content-Type: multipart/signed; protocol="application/pkcs7-signature";\r\n micalg=${MICALG[prepared.digest]}; boundary="${boundary}"\r\n`,
    '\r\n',
    'This is a cryptographically signed message in MIME format.\r\n',
    '\r\n',
    `--${boundary}\r\n`,
  ].join('');
  const sigPart = [
    `\r\n--${boundary}\r\n`,
    'Content-Type: application/pkcs7-signature; name="smime.p7s"\r\n',
    'Content-Transfer-Encoding: base64\r\n',
    'Content-Disposition: attachment; filename="smime.p7s"\r\n',
    'Content-Description: S/MIME Cryptographic Signature\r\n',
    '\r\n',
  ].join('');
  return [
    Buffer.from(head, 'latin1'),
    ...entity,
    Buffer.from(sigPart, 'latin1'),
    encodeBase64Lines(cms),
    Buffer.from(`--${boundary}--\r\n`, 'latin1'),
  ];
}

export interface VerifyOptions {
  /** trust anchors; when given, the chain from the signer to one of them is checked */
  ca?: X509Certificate[];
  /** time for validity checks when the signature carries no signingTime */
  now?: Date;
}

export interface VerifyResult extends VerificationView {
  /** the signed entity (detached) or encapsulated content (opaque) */
  content: Buffer;
  outerHeaders: HeaderField[];
}

/** Builds the chain signer → intermediates (from the signature) → one of the anchors, checking each link. */
export function verifyChain(
  signer: X509Certificate,
  pool: X509Certificate[],
  anchors: X509Certificate[],
  at: Date,
): VerifyFailure | null {
  let current = signer;
  const seen = new Set<string>();
  for (let depth = 0; depth < 10; depth++) {
    const from = new Date(current.validFrom);
    const to = new Date(current.validTo);
    if (at < from || at > to)
      return {
        code: 'certificate-not-valid-at',
        params: { subject: current.subject.split('\n').join(', '), at: at.toISOString() },
      };
    const anchor = anchors.find((a) => current.checkIssued(a) && current.verify(a.publicKey));
    if (anchor) {
      if (at < new Date(anchor.validFrom) || at > new Date(anchor.validTo))
        return { code: 'anchor-not-valid-at', params: { at: at.toISOString() } };
      return null;
    }
    if (anchors.some((a) => a.fingerprint256 === current.fingerprint256)) return null;
    seen.add(current.fingerprint256);
    const next = pool.find((c) => !seen.has(c.fingerprint256) && current.checkIssued(c) && current.verify(c.publicKey));
    if (!next) return { code: 'chain-incomplete', params: {} };
    if (!next.ca) return { code: 'issuer-not-ca', params: { subject: next.subject.split('\n').join(', ') } };
    current = next;
  }
  return { code: 'chain-too-long', params: {} };
}

/**
 * Verifies a signed message: multipart/signed (RFC 1847) or application/pkcs7-mime signed-data.
 * Reports whether the signer's address matches From.
 */
export function verifyMessage(message: Buffer, opts: VerifyOptions = {}): VerifyResult {
  const parsed = parseMessage(message);
  const ct = contentTypeOf(parsed.headers);
  const fromAddr = parseAddresses(getHeader(parsed.headers, 'from'))[0] ?? null;
  let content: Buffer | null = null;
  let der: Buffer;
  if (ct.type === 'multipart' && ct.subtype === 'signed') {
    const boundary = ct.params.get('boundary');
    if (!boundary) throw new SmimeError('MESSAGE_INVALID', 'the multipart/signed message has no boundary');
    const split = splitMultipart(parsed.body, boundary);
    if (split.parts.length !== 2)
      throw new SmimeError(
        'SIGNATURE_MALFORMED',
        `a multipart/signed body must have two parts, this one has ${split.parts.length}`,
      );
    content = split.parts[0]!;
    const sigPart = parsePart(split.parts[1]!);
    const sigCt = contentTypeOf(sigPart.headers);
    if (!['pkcs7-signature', 'x-pkcs7-signature'].includes(sigCt.subtype)) {
      throw new SmimeError(
        'SIGNATURE_MALFORMED',
        `the second part is ${sigCt.type}/${sigCt.subtype}, not application/pkcs7-signature`,
      );
    }
    der = decodeBase64(sigPart.body);
  } else if (ct.type === 'application' && (ct.subtype === 'pkcs7-mime' || ct.subtype === 'x-pkcs7-mime')) {
    const smimeType = ct.params.get('smime-type');
    if (smimeType && smimeType !== 'signed-data')
      throw new SmimeError('NOT_SIGNED', `the message is S/MIME ${smimeType}, not signed-data`);
    der = decodeBase64(parsed.body);
  } else {
    throw new SmimeError(
      'NOT_SIGNED',
      `the message is not S/MIME signed (its Content-Type is ${ct.type}/${ct.subtype})`,
    );
  }
  let result = verifySignedData(der, content);
  // A signed message saved with LF line ends still verifies over its canonical CRLF form.
  if (!result.valid && content && result.failure?.code === 'content-changed') {
    const canonical = toCrlf(content);
    if (canonical !== content) {
      const again = verifySignedData(der, canonical);
      if (again.valid) {
        result = again;
        content = canonical;
      }
    }
  }
  const signer = result.signer;
  const signerEmails = signer ? certificateEmails(signer) : [];
  const fromMatches = fromAddr !== null && signerEmails.some((e) => sameEmail(e, fromAddr));
  let chainVerified: boolean | null = null;
  let failure = result.failure;
  let valid = result.valid;
  if (valid && signer && opts.ca) {
    const at = result.signingTime ?? opts.now ?? new Date();
    const problem = verifyChain(signer, result.certificates, opts.ca, at);
    chainVerified = problem === null;
    if (problem) {
      valid = false;
      failure = problem;
    }
  }
  return {
    valid,
    ...(failure && !valid ? { failure } : {}),
    signerEmail: signerEmails[0] ?? null,
    signerEmails,
    from: fromAddr,
    fromMatches,
    ...(signer
      ? {
          signer: {
            subject: signer.subject.split('\n').join(', '),
            issuer: signer.issuer.split('\n').join(', '),
            serial: signer.serialNumber.toUpperCase(),
            fingerprintSha256: signer.fingerprint256,
            notAfter: new Date(signer.validTo).toISOString(),
          },
        }
      : {}),
    ...(result.signingTime ? { signingTime: result.signingTime.toISOString() } : {}),
    ...(result.digest ? { digest: result.digest } : {}),
    chainVerified,
    content: result.content ?? content ?? Buffer.alloc(0),
    outerHeaders: parsed.headers,
  };
}
