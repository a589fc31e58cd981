/**
 * S/MIME signing of whole messages (RFC 8551, RFC 1847); verification is in verify.ts.
 */
import { createHash, randomUUID } from 'node:crypto';
import { MICALG, prepareSigner, signDetached, signDetachedAsync, type PreparedSigner } from './cms';
import { encodeBase64Lines, outerHeaderBytes, prepareSignedEntity, type ParsedMessage } from './mime';
import type { SigningIdentity } from './pkcs12';

export interface SignOptions {
  /** signingTime attribute; defaults to now */
  now?: Date;
  /** boundary for the multipart/signed body; random by default */
  boundary?: string;
  /** RSASSA-PSS for a plain RSA key (an RSA-PSS key always signs with PSS) */
  pss?: boolean;
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
  const { prepared, outer, entity, digest } = hashEntity(message, signer, opts);
  return assemble(prepared, outer, entity, signDetached(prepared, digest, opts.now ?? new Date()), opts);
}

/**
 * signMessageParts with the private-key operation on libuv's thread pool, so that a relay
 * worker's event loop serves other connections meanwhile. The bytes are the same.
 */
export async function signMessagePartsAsync(
  message: Buffer | ParsedMessage,
  signer: PreparedSigner | SigningIdentity,
  opts: SignOptions = {},
): Promise<Buffer[]> {
  const { prepared, outer, entity, digest } = hashEntity(message, signer, opts);
  return assemble(prepared, outer, entity, await signDetachedAsync(prepared, digest, opts.now ?? new Date()), opts);
}

function hashEntity(message: Buffer | ParsedMessage, signer: PreparedSigner | SigningIdentity, opts: SignOptions) {
  const prepared = 'staticAttributes' in signer ? signer : prepareSigner(signer, { pss: opts.pss ?? false });
  const { outer, entity } = prepareSignedEntity(message);
  const hash = createHash(prepared.digest);
  for (const chunk of entity) hash.update(chunk);
  return { prepared, outer, entity, digest: hash.digest() };
}

function assemble(
  prepared: PreparedSigner,
  outer: Parameters<typeof outerHeaderBytes>[0],
  entity: Buffer[],
  cms: Buffer,
  opts: SignOptions,
): Buffer[] {
  // 122 random bits from Node's cached pool: a relay makes one per message
  const boundary = opts.boundary ?? `----=_smime_${randomUUID()}`;
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

export * from './verify';
