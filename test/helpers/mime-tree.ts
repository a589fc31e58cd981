/** Test helpers that read a message the way a mail client shows it: its leaves, decoded. */
import {
  contentTypeOf,
  decodeBody,
  parseMessage,
  parsePart,
  splitMultipart,
  TEXT_PLAIN,
  type HeaderField,
} from '../../main/core/engine/mime';

export interface Leaf {
  type: string;
  data: Buffer;
}

function walk(headers: HeaderField[], body: Buffer, out: Leaf[]): void {
  const ct = contentTypeOf(headers, TEXT_PLAIN);
  if (ct.type === 'multipart') {
    for (const part of splitMultipart(body, ct.params.get('boundary')!).parts) {
      const p = parsePart(part);
      walk(p.headers, p.body, out);
    }
    return;
  }
  if (ct.type === 'message' && ct.subtype === 'rfc822') {
    const inner = parseMessage(body);
    walk(inner.headers, inner.body, out);
    return;
  }
  let data = decodeBody(headers, body);
  // text is compared in canonical form: CRLF line ends (RFC 2046 §4.1.1)
  if (ct.type === 'text') data = Buffer.from(data.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
  out.push({ type: `${ct.type}/${ct.subtype}`, data });
}

/** Leaves of a whole message (top-level headers included). */
export function messageLeaves(message: Buffer): Leaf[] {
  const p = parseMessage(message);
  const out: Leaf[] = [];
  walk(p.headers, p.body, out);
  return out;
}

/** Leaves of a MIME entity (a part with its own header fields). */
export function entityLeaves(entity: Buffer): Leaf[] {
  const p = parsePart(entity);
  const out: Leaf[] = [];
  walk(p.headers, p.body, out);
  return out;
}
