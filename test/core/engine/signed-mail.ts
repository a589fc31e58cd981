/**
 * Assembling and taking apart signed mail for the verification tests: a detached signature
 * from any producer becomes a multipart/signed message (RFC 1847, RFC 8551 §3.5.3), and a
 * message becomes the signed entity (canonical CRLF, as a mail client hashes it) and the DER
 * signature that NSS's and gpgsm's command-line verifiers take.
 */
import { randomBytes } from 'node:crypto';
import { decode, tlv } from '../../../main/core/engine/der';
import {
  contentTypeOf,
  decodeBase64,
  encodeBase64Lines,
  parseMessage,
  parsePart,
  splitMultipart,
  toCrlf,
} from '../../../main/core/engine/mime';

export const ENTITY = Buffer.from(
  'Content-Type: text/plain; charset=us-ascii\r\n\r\nThe quarterly figures are attached.\r\nRegards, Alice\r\n',
);

export const HEADERS = 'From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: figures\r\n';

/** A multipart/signed message: `headers` (CRLF-terminated fields), then the entity and the signature. */
export function assemble(headers: string, entity: Buffer, signature: Buffer, micalg = 'sha-256'): Buffer {
  const b = `----=_test_${randomBytes(6).toString('hex')}`;
  return Buffer.concat([
    Buffer.from(
      `${headers}MIME-Version: 1.0\r\nContent-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=${micalg}; boundary="${b}"\r\n\r\n--${b}\r\n`,
      'latin1',
    ),
    entity,
    Buffer.from(
      `\r\n--${b}\r\nContent-Type: application/pkcs7-signature; name="smime.p7s"\r\nContent-Transfer-Encoding: base64\r\n\r\n`,
      'latin1',
    ),
    encodeBase64Lines(signature),
    Buffer.from(`--${b}--\r\n`, 'latin1'),
  ]);
}

/** An opaque signed message (application/pkcs7-mime; smime-type=signed-data, RFC 8551 §3.5.2). */
export function assembleOpaque(headers: string, cms: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(
      `${headers}MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"\r\nContent-Transfer-Encoding: base64\r\n\r\n`,
      'latin1',
    ),
    encodeBase64Lines(cms),
  ]);
}

/** The signed entity in canonical form and the DER signature of a multipart/signed message. */
export function dissect(message: Buffer): { entity: Buffer; signature: Buffer } {
  const p = parseMessage(message);
  const boundary = contentTypeOf(p.headers).params.get('boundary')!;
  const split = splitMultipart(p.body, boundary);
  return { entity: toCrlf(split.parts[0]!), signature: decodeBase64(parsePart(split.parts[1]!).body) };
}

/** Prepends header fields to a message some tool wrote without them (openssl cms writes only MIME fields). */
export function withHeaders(headers: string, message: Buffer): Buffer {
  return Buffer.concat([Buffer.from(headers, 'latin1'), message]);
}

/** The SignerInfos of a DER/BER SignedData ContentInfo. */
export function signerInfos(cms: Buffer) {
  const sd = decode(cms).child(1).child(0).children();
  return sd[sd.length - 1]!;
}

/** Replaces the element at [start, end) of `buf` by `replacement`, fixing every enclosing definite length. */
export function replaceElement(buf: Buffer, path: number[], replacement: Buffer): Buffer {
  const rebuild = (el: ReturnType<typeof decode>, rest: number[]): Buffer => {
    if (rest.length === 0) return replacement;
    const kids = el.children();
    const [i, ...more] = rest;
    const parts = kids.map((k, j) => (j === i ? rebuild(k, more) : k.raw()));
    return tlv(el.tag, parts);
  };
  return rebuild(decode(buf), path);
}
