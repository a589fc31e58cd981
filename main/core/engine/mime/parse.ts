/**
 * RFC 5322 messages as bytes: header fields kept as written, bodies as slices of the input,
 * Content-Type with RFC 2231 parameters, and address lists (RFC 5322 §3.4).
 */
import { SmimeError } from '../../errors';
import { normalizeEmail } from '../certificate';

export const CRLF = Buffer.from('\r\n');
export const MAX_MESSAGE_BYTES = 100 * 1024 * 1024;
export const MAX_DEPTH = 40;

export interface HeaderField {
  /** lower-case field name */
  key: string;
  /** the whole field as written, internal line breaks made CRLF, without the final line break */
  raw: Buffer;
}

export interface ParsedMessage {
  headers: HeaderField[];
  body: Buffer;
}

export interface ContentType {
  type: string;
  subtype: string;
  params: Map<string, string>;
}

const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;

/** Position just after the line that starts at `start`, and where its content ends (before CR LF / LF). */
export function lineAt(buf: Buffer, start: number): { end: number; next: number } {
  const lf = buf.indexOf(10, start);
  if (lf < 0) return { end: buf.length, next: buf.length };
  return { end: lf > start && buf[lf - 1] === 13 ? lf - 1 : lf, next: lf + 1 };
}

/**
 * Splits a message into header fields and body. Accepts CRLF or LF line ends and a leading
 * mbox "From " line. Throws MESSAGE_INVALID when the header section is not RFC 5322.
 */
export function parseMessage(buf: Buffer, what = 'the input'): ParsedMessage {
  if (buf.length > MAX_MESSAGE_BYTES)
    throw new SmimeError('FILE_TOO_LARGE', `${what} is larger than ${MAX_MESSAGE_BYTES / 1048576} MiB`);
  const headers: HeaderField[] = [];
  let pos = 0;
  let lineNo = 0;
  let current: Buffer[] | null = null;
  let currentKey = '';
  const flush = (): void => {
    if (current) headers.push({ key: currentKey, raw: Buffer.concat(current) });
    current = null;
  };
  if (buf.subarray(0, 5).toString('latin1') === 'From ') pos = lineAt(buf, 0).next;
  while (pos < buf.length) {
    const { end, next } = lineAt(buf, pos);
    lineNo++;
    if (end === pos) {
      pos = next;
      flush();
      return finish(headers, buf.subarray(pos), what);
    }
    const line = buf.subarray(pos, end);
    const first = line[0]!;
    if (first === 0x20 || first === 0x09) {
      if (!current)
        throw new SmimeError(
          'MESSAGE_INVALID',
          `${what} is not an RFC 5322 message: line ${lineNo} continues a header field that does not exist`,
        );
      (current as Buffer[]).push(CRLF, line);
    } else {
      const text = line.subarray(0, 200).toString('latin1');
      if (!FIELD_NAME.test(text)) {
        throw new SmimeError(
          'MESSAGE_INVALID',
          `${what} is not an RFC 5322 message: line ${lineNo} is not a header field`,
        );
      }
      flush();
      currentKey = text.slice(0, text.indexOf(':')).trim().toLowerCase();
      current = [line];
    }
    pos = next;
  }
  flush();
  return finish(headers, Buffer.alloc(0), what);
}

function finish(headers: HeaderField[], body: Buffer, what: string): ParsedMessage {
  if (headers.length === 0)
    throw new SmimeError('MESSAGE_INVALID', `${what} is not an RFC 5322 message: it has no header fields`);
  return { headers, body };
}

/** Unfolded value of a header field (RFC 5322 §2.2.3). */
export function headerValue(field: HeaderField): string {
  const s = field.raw.toString('utf8');
  return s
    .slice(s.indexOf(':') + 1)
    .replace(/\r\n(?=[ \t])/g, '')
    .trim();
}

export function getHeader(headers: readonly HeaderField[], key: string): string | undefined {
  const f = headers.find((h) => h.key === key);
  return f ? headerValue(f) : undefined;
}

export function makeHeader(name: string, value: string): HeaderField {
  return { key: name.toLowerCase(), raw: Buffer.from(`${name}: ${value}`, 'utf8') };
}

/** Parses a Content-Type value including RFC 2231 parameter continuations. */
export function parseContentType(value: string | undefined): ContentType | undefined {
  if (!value) return undefined;
  const v = value.replace(/\([^()]*\)/g, ' ');
  const m = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*\/\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*/.exec(v);
  if (!m) return undefined;
  const params = new Map<string, string>();
  const pieces = new Map<string, { idx: number; val: string; ext: boolean }[]>();
  const re = /;\s*([!#$%&'+.^_`|~0-9A-Za-z-]+)(\*(\d+))?(\*)?\s*=\s*("((?:[^"\\]|\\.)*)"|[^;\s]*)/g;
  re.lastIndex = m[0].length;
  let p: RegExpExecArray | null;
  while ((p = re.exec(v))) {
    const name = p[1]!.toLowerCase();
    const val = p[6] !== undefined ? p[6].replace(/\\(.)/g, '$1') : p[5]!;
    if (p[2] || p[4]) {
      const list = pieces.get(name) ?? [];
      list.push({ idx: p[3] ? Number(p[3]) : 0, val, ext: Boolean(p[4]) });
      pieces.set(name, list);
    } else params.set(name, val);
  }
  for (const [name, list] of pieces) {
    list.sort((a, b) => a.idx - b.idx);
    let charset = 'utf-8';
    const bytes: Buffer[] = [];
    list.forEach((piece, i) => {
      let val = piece.val;
      if (piece.ext) {
        if (i === 0) {
          const parts = val.split("'");
          if (parts.length >= 3) {
            charset = parts[0]!.toLowerCase() || 'utf-8';
            val = parts.slice(2).join("'");
          }
        }
        bytes.push(
          Buffer.from(
            val.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ),
        );
      } else bytes.push(Buffer.from(val, 'latin1'));
    });
    const joined = Buffer.concat(bytes);
    params.set(
      name,
      charset === 'utf-8' || charset === 'us-ascii' ? joined.toString('utf8') : joined.toString('latin1'),
    );
  }
  return { type: m[1]!.toLowerCase(), subtype: m[2]!.toLowerCase(), params };
}

export function contentTypeOf(headers: readonly HeaderField[], fallback: ContentType = TEXT_PLAIN): ContentType {
  return parseContentType(getHeader(headers, 'content-type')) ?? fallback;
}

export const TEXT_PLAIN: ContentType = { type: 'text', subtype: 'plain', params: new Map([['charset', 'us-ascii']]) };
export const MESSAGE_RFC822: ContentType = { type: 'message', subtype: 'rfc822', params: new Map() };

/** True for a Content-Type that is already S/MIME (signed or enveloped) or another signed/encrypted form. */
export function isSecuredContentType(ct: ContentType | undefined): boolean {
  if (!ct) return false;
  const full = `${ct.type}/${ct.subtype}`;
  return [
    'multipart/signed',
    'multipart/encrypted',
    'application/pkcs7-mime',
    'application/x-pkcs7-mime',
    'application/pkcs7-signature',
    'application/x-pkcs7-signature',
  ].includes(full);
}

// ---------------------------------------------------------------------------
// Canonicalisation

/** A body part: header fields (possibly none) and a body (RFC 2046 §5.1.1). */
export function parsePart(part: Buffer): ParsedMessage {
  const first = lineAt(part, 0);
  if (first.end === 0) return { headers: [], body: part.subarray(first.next) };
  if (part.length === 0) return { headers: [], body: part };
  return parseMessage(part, 'a MIME part');
}

export function isContentHeader(h: HeaderField): boolean {
  return h.key.startsWith('content-');
}

/** Header block of the outer message as written (CRLF), without the blank line. */
export function outerHeaderBytes(headers: readonly HeaderField[]): Buffer {
  const parts: Buffer[] = [];
  for (const h of headers) parts.push(h.raw, CRLF);
  return Buffer.concat(parts);
}

/**
 * Mail addresses in an address-list header value (RFC 5322 §3.4), in the order written, domain
 * lower-cased. Commas inside quoted strings, comments and angle brackets do not split; group
 * syntax ("team: a@x, b@y;") yields the group's members.
 */
export function parseAddresses(value: string | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  const noComments = value.replace(/\((?:[^()\\]|\\.)*\)/g, ' ');
  const items: string[] = [];
  let cur = '';
  let quoted = false;
  let angle = 0;
  for (let i = 0; i < noComments.length; i++) {
    const ch = noComments[i]!;
    if (quoted) {
      cur += ch;
      if (ch === '\\' && i + 1 < noComments.length) cur += noComments[++i];
      else if (ch === '"') quoted = false;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === '<') angle++;
    else if (ch === '>') angle = Math.max(0, angle - 1);
    else if ((ch === ',' || ch === ';') && angle === 0) {
      items.push(cur);
      cur = '';
      continue;
    } else if (ch === ':' && angle === 0) {
      cur = ''; // a group's display name
      continue;
    }
    cur += ch;
  }
  items.push(cur);
  for (const item of items) {
    const unquoted = item.replace(/"(?:[^"\\]|\\.)*"/g, ' ');
    const inAngle = /<\s*([^<>\s]+@[^<>\s]+)\s*>/.exec(unquoted);
    if (inAngle) {
      out.push(inAngle[1]!);
      continue;
    }
    const bare = unquoted.trim();
    for (const token of bare.split(/\s+/)) if (/^[^@\s"<>]+@[^@\s"<>]+$/.test(token)) out.push(token);
  }
  return out.map(normalizeEmail);
}
