/**
 * MIME structure for signing (RFC 5322, RFC 2045/2046, RFC 8551 §3.1).
 *
 * The parser keeps bytes: header fields are kept as written, bodies are
 * slices of the input. Canonicalisation rewrites only what a relay could
 * alter: line endings become CRLF, 8-bit and binary leaves are re-encoded
 * (quoted-printable for text, base64 otherwise), and leaves with lines over
 * 998 octets, trailing white space, or lines a mailbox format would munge
 * ("From ", a lone ".") are re-encoded so that nothing on the way can change
 * the signed bytes.
 */
import { isAscii } from 'node:buffer';
import { normalizeEmail } from './certificate';
import { SmimeError } from '../errors';

export const CRLF = Buffer.from('\r\n');
export const MAX_MESSAGE_BYTES = 100 * 1024 * 1024;
const MAX_DEPTH = 40;

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
function lineAt(buf: Buffer, start: number): { end: number; next: number } {
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
const MESSAGE_RFC822: ContentType = { type: 'message', subtype: 'rfc822', params: new Map() };

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

/**
 * True when every CR is followed by LF, no LF stands alone and no line exceeds 998 octets
 * (RFC 5322 §2.1.1). Assumes ASCII.
 */
export function crlfLinesOk(b: Buffer): boolean {
  return scanLinesOk(b);
}

/**
 * Fast path of isTransportSafe for bodies of fixed-width lines (base64 and most
 * quoted-printable), which are nearly all of a large message. One stride over the line
 * ends checks each CR LF, trailing white space, "From " and lone "." lines; then two
 * native searches, with the expected CR LF masked (and restored before returning), show
 * there is no other line end. Returns null when the body is not regular, or when its
 * memory may be shared with another thread; the caller then takes the general path.
 */
function regularBodySafe(b: Buffer): boolean | null {
  const n = b.length;
  if (n < 4096 || b.buffer instanceof SharedArrayBuffer) return null;
  const width = b.indexOf(13);
  if (width < 0 || width > 998) return null;
  const stride = width + 2;
  // A false verdict is always a real violation; true needs the final search for stray line ends.
  const lineProblem = (start: number, end: number): boolean => {
    const last = end > start ? b[end - 1] : -1;
    if (last === 0x20 || last === 0x09) return true;
    if (b[start] === 0x2e && end - start === 1) return true;
    return (
      end - start >= 5 &&
      b[start] === 0x46 &&
      b[start + 1] === 0x72 &&
      b[start + 2] === 0x6f &&
      b[start + 3] === 0x6d &&
      b[start + 4] === 0x20
    );
  };
  let maskedEnd = 0;
  try {
    let start = 0;
    for (let cr = width; cr + 1 < n; cr += stride) {
      if (b[cr] !== 13 || b[cr + 1] !== 10) return null;
      if (lineProblem(start, cr)) return false;
      b[cr] = 0x41;
      b[cr + 1] = 0x41;
      maskedEnd = cr + 2;
      start = cr + 2;
    }
    if (n - start > 998) return null;
    if (start < n && lineProblem(start, n)) return false;
    return b.indexOf(13) < 0 && b.indexOf(10) < 0 ? true : null;
  } finally {
    for (let q = width; q < maskedEnd; q += stride) {
      b[q] = 13;
      b[q + 1] = 10;
    }
  }
}

/** The general case, exact for any input: aligned 4-byte words with no byte below 0x0e are skipped whole. */
function scanLinesOk(b: Buffer): boolean {
  const n = b.length;
  const u = new Uint8Array(b.buffer, b.byteOffset, n);
  const alignedStart = (4 - (b.byteOffset & 3)) & 3;
  const nWords = n > alignedStart ? (n - alignedStart) >> 2 : 0;
  const words = nWords > 0 ? new Uint32Array(b.buffer, b.byteOffset + alignedStart, nWords) : new Uint32Array(0);
  const wordsEnd = alignedStart + nWords * 4;
  let lineStart = 0;
  let i = 0;
  while (i < n) {
    if (i >= alignedStart && i + 4 <= wordsEnd && ((i - alignedStart) & 3) === 0) {
      const x = words[(i - alignedStart) >> 2]!;
      if (((x - 0x0e0e0e0e) & ~x & 0x80808080) === 0) {
        i += 4;
        continue;
      }
    }
    const c = u[i]!;
    if (c === 13) {
      if (u[i + 1] !== 10 || i - lineStart > 998) return false;
      i += 2;
      lineStart = i;
    } else if (c === 10) return false;
    else i++;
  }
  return n - lineStart <= 998;
}

/** Is this body already 7-bit, CRLF-only, with short lines and no trailing white space (RFC 8551 §3.1)? */
export function isTransportSafe(b: Buffer): boolean {
  if (b.length === 0) return true;
  if (!isAscii(b) || b.indexOf(0) >= 0) return false;
  const regular = regularBodySafe(b);
  if (regular !== null) return regular;
  const last = b[b.length - 1];
  if (last === 0x20 || last === 0x09) return false;
  // cheap single-byte scans first; the multi-byte searches only when the byte occurs at all
  if (b.indexOf(0x20) >= 0 && (b.indexOf(' \r\n') >= 0 || b.indexOf('\r\nFrom ') >= 0 || startsWith(b, 'From ')))
    return false;
  if (b.indexOf(0x09) >= 0 && b.indexOf('\t\r\n') >= 0) return false;
  if (
    b.indexOf(0x2e) >= 0 &&
    (b.indexOf('\r\n.\r\n') >= 0 || startsWith(b, '.\r\n') || b.equals(DOT) || endsWith(b, '\r\n.'))
  )
    return false;
  return crlfLinesOk(b);
}

/** The body unchanged when it is already safe, else in CRLF form; `safe` says whether that form is transport safe. */
function canonicalLines(body: Buffer): { data: Buffer; safe: boolean } {
  if (isTransportSafe(body)) return { data: body, safe: true };
  const crlf = toCrlf(body);
  return { data: crlf, safe: crlf !== body && isTransportSafe(crlf) };
}

const DOT = Buffer.from('.');

function startsWith(b: Buffer, s: string): boolean {
  return b.length >= s.length && b.toString('latin1', 0, s.length) === s;
}

function endsWith(b: Buffer, s: string): boolean {
  return b.length >= s.length && b.toString('latin1', b.length - s.length) === s;
}

/** Converts bare LF and bare CR to CRLF. Returns the input when it is already canonical. */
export function toCrlf(b: Buffer): Buffer {
  let bare = false;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) {
    if (i === 0 || b[i - 1] !== 13) {
      bare = true;
      break;
    }
  }
  if (!bare) {
    for (let i = b.indexOf(13); i >= 0; i = b.indexOf(13, i + 1)) {
      if (b[i + 1] !== 10) {
        bare = true;
        break;
      }
    }
  }
  if (!bare) return b;
  const out = Buffer.allocUnsafe(b.length * 2);
  let o = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 13) {
      out[o++] = 13;
      out[o++] = 10;
      if (b[i + 1] === 10) i++;
    } else if (c === 10) {
      out[o++] = 13;
      out[o++] = 10;
    } else out[o++] = c;
  }
  return out.subarray(0, o);
}

/** Base64 with CRLF every 76 characters (RFC 2045 §6.8). */
export function encodeBase64Lines(data: Buffer): Buffer {
  const b64 = Buffer.from(data.toString('base64'), 'latin1');
  const lines = Math.ceil(b64.length / 76);
  const out = Buffer.allocUnsafe(b64.length + lines * 2);
  let o = 0;
  for (let i = 0; i < b64.length; i += 76) {
    o += b64.copy(out, o, i, Math.min(i + 76, b64.length));
    out[o++] = 13;
    out[o++] = 10;
  }
  return out.subarray(0, o);
}

const HEX = '0123456789ABCDEF';

/**
 * Quoted-printable (RFC 2045 §6.7) of text whose line breaks are CRLF. Besides the
 * required escapes it escapes a leading "." and "F" on every output line, so no
 * line reads "From " or "." to an MTA or a mailbox format.
 */
export function encodeQuotedPrintable(text: Buffer): Buffer {
  const out: number[] = [];
  let col = 0;
  const n = text.length;
  const push = (s: string): void => {
    for (let k = 0; k < s.length; k++) out.push(s.charCodeAt(k));
  };
  for (let i = 0; i < n; i++) {
    const c = text[i]!;
    if (c === 13 && text[i + 1] === 10) {
      out.push(13, 10);
      col = 0;
      i++;
      continue;
    }
    const atLineEnd = i + 1 >= n || (text[i + 1] === 13 && text[i + 2] === 10);
    let token: string;
    if ((c >= 33 && c <= 126 && c !== 61) || ((c === 32 || c === 9) && !atLineEnd)) {
      token = String.fromCharCode(c);
      if (col === 0 && (c === 46 || c === 70)) token = '=' + HEX[c >> 4]! + HEX[c & 15]!;
    } else token = '=' + HEX[c >> 4]! + HEX[c & 15]!;
    // keep room for a soft line break "=" within 76 columns
    const room = atLineEnd ? 76 : 75;
    if (col + token.length > room) {
      out.push(61, 13, 10);
      col = 0;
      if (token.length === 1 && (c === 46 || c === 70)) token = '=' + HEX[c >> 4]! + HEX[c & 15]!;
    }
    push(token);
    col += token.length;
  }
  return Buffer.from(out);
}

export function decodeQuotedPrintable(b: Buffer): Buffer {
  const text = b.toString('latin1').replace(/[ \t]+(?=\r?\n|$)/g, '');
  const out = Buffer.allocUnsafe(text.length);
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 61) {
      if (text[i + 1] === '\r' && text[i + 2] === '\n') {
        i += 2;
        continue;
      }
      if (text[i + 1] === '\n') {
        i += 1;
        continue;
      }
      const hex = text.slice(i + 1, i + 3);
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        out[o++] = parseInt(hex, 16);
        i += 2;
        continue;
      }
      if (i + 1 >= text.length) continue;
    }
    out[o++] = ch;
  }
  return out.subarray(0, o);
}

export function decodeBase64(b: Buffer): Buffer {
  return Buffer.from(b.toString('latin1'), 'base64');
}

/** Decoded body of a leaf part according to its Content-Transfer-Encoding. */
export function decodeBody(headers: readonly HeaderField[], body: Buffer): Buffer {
  const cte = (getHeader(headers, 'content-transfer-encoding') ?? '7bit').toLowerCase();
  if (cte === 'base64') return decodeBase64(body);
  if (cte === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

function replaceHeader(headers: HeaderField[], key: string, field: HeaderField | null): HeaderField[] {
  const out = headers.filter((h) => h.key !== key);
  if (field) {
    const idx = headers.findIndex((h) => h.key === key);
    out.splice(idx < 0 ? out.length : idx, 0, field);
  }
  return out;
}

/** Header block with CRLF line ends and no trailing white space on any line. */
function headerBlock(headers: readonly HeaderField[]): Buffer {
  const parts: Buffer[] = [];
  for (const h of headers) {
    let raw = h.raw;
    if (
      raw.indexOf(' \r\n') >= 0 ||
      raw.indexOf('\t\r\n') >= 0 ||
      /[ \t]$/.test(raw.toString('latin1', Math.max(0, raw.length - 1)))
    ) {
      raw = Buffer.from(raw.toString('latin1').replace(/[ \t]+(?=\r\n|$)/g, ''), 'latin1');
    }
    parts.push(raw, CRLF);
  }
  parts.push(CRLF);
  return Buffer.concat(parts);
}

interface Delimited {
  preamble: Buffer | null;
  parts: Buffer[];
  /** everything after the close delimiter line's content, starting with its line break */
  epilogue: Buffer;
}

/** Splits a multipart body on its boundary (RFC 2046 §5.1.1): the line break before a delimiter belongs to it. */
export function splitMultipart(body: Buffer, boundary: string): Delimited {
  const delim = Buffer.from('--' + boundary, 'latin1');
  const starts: { lineStart: number; breakStart: number; next: number; close: boolean; lineEnd: number }[] = [];
  let pos = 0;
  while (pos <= body.length) {
    const idx = body.indexOf(delim, pos);
    if (idx < 0) break;
    const atLineStart = idx === 0 || body[idx - 1] === 10;
    const { end, next } = lineAt(body, idx);
    const rest = body.toString('latin1', idx + delim.length, end);
    if (atLineStart && /^(--)?[ \t]*$/.test(rest)) {
      const breakStart = idx === 0 ? 0 : body[idx - 2] === 13 ? idx - 2 : idx - 1;
      const close = rest.startsWith('--');
      starts.push({ lineStart: idx, breakStart, next, close, lineEnd: end });
      if (close) break;
    }
    pos = next > idx ? next : idx + 1;
    if (next >= body.length && end >= body.length) break;
  }
  if (starts.length === 0)
    throw new SmimeError('MESSAGE_INVALID', `a multipart body has no delimiter line for its boundary "${boundary}"`);
  const first = starts[0]!;
  const preamble = first.lineStart === 0 ? null : body.subarray(0, first.breakStart);
  const parts: Buffer[] = [];
  for (let i = 0; i + 1 < starts.length; i++) {
    if (starts[i]!.close) break;
    parts.push(body.subarray(Math.min(starts[i]!.next, starts[i + 1]!.breakStart), starts[i + 1]!.breakStart));
  }
  const last = starts[starts.length - 1]!;
  let epilogue: Buffer;
  if (last.close) epilogue = body.subarray(last.lineEnd);
  else {
    // no close delimiter: the last part runs to the end of the body
    parts.push(body.subarray(Math.min(last.next, body.length)));
    epilogue = Buffer.alloc(0);
  }
  return { preamble, parts, epilogue };
}

const QP_LIKE = new Set(['text']);

/**
 * Makes one MIME entity (its header fields and body) 7-bit, CRLF and safe against
 * transport changes, appending the bytes to `out`. `headers` are the entity's own
 * fields; only Content-Transfer-Encoding is ever rewritten.
 */
export function canonicalizeEntity(
  headers: HeaderField[],
  body: Buffer,
  out: Buffer[],
  fallback: ContentType = TEXT_PLAIN,
  depth = 0,
): void {
  if (depth > MAX_DEPTH)
    throw new SmimeError('MESSAGE_INVALID', `the message nests MIME parts more than ${MAX_DEPTH} levels deep`);
  const ct = contentTypeOf(headers, fallback);
  const cteHeader = getHeader(headers, 'content-transfer-encoding');
  const cte = (cteHeader ?? '7bit').toLowerCase().trim();
  // multipart and message/* bodies become 7-bit throughout, so their own encoding says so
  const containerHeaders = () =>
    cte === '7bit' || !cteHeader
      ? headers
      : replaceHeader(headers, 'content-transfer-encoding', makeHeader('Content-Transfer-Encoding', '7bit'));

  if (ct.type === 'multipart') {
    const boundary = ct.params.get('boundary');
    if (!boundary) throw new SmimeError('MESSAGE_INVALID', `a ${ct.type}/${ct.subtype} part has no boundary parameter`);
    const split = splitMultipart(body, boundary);
    out.push(headerBlock(containerHeaders()));
    const delim = Buffer.from('--' + boundary, 'latin1');
    if (split.preamble) {
      const pre = toCrlf(split.preamble);
      if (isTransportSafe(pre)) out.push(pre, CRLF);
    }
    const childFallback = ct.subtype === 'digest' ? MESSAGE_RFC822 : TEXT_PLAIN;
    for (const part of split.parts) {
      out.push(delim, CRLF);
      const parsed = parsePart(part);
      canonicalizeEntity(parsed.headers, parsed.body, out, childFallback, depth + 1);
      out.push(CRLF);
    }
    out.push(delim, Buffer.from('--', 'latin1'));
    const epi = toCrlf(split.epilogue);
    if (epi.length > 0) out.push(isTransportSafe(epi.subarray(2)) ? epi : CRLF);
    return;
  }

  if (ct.type === 'message' && (ct.subtype === 'rfc822' || ct.subtype === 'global')) {
    const inner = parseMessage(body, 'an attached message');
    out.push(headerBlock(containerHeaders()));
    canonicalizeEntity(inner.headers, inner.body, out, TEXT_PLAIN, depth + 1);
    return;
  }

  const isText =
    QP_LIKE.has(ct.type) || (ct.type === 'message' && ct.subtype !== 'partial' && ct.subtype !== 'external-body');
  let data: Buffer;
  let newCte: string | null = null;
  if (cte === 'base64') {
    const c = canonicalLines(body);
    data = c.safe ? c.data : encodeBase64Lines(decodeBase64(body));
  } else if (cte === 'quoted-printable') {
    const c = canonicalLines(body);
    data = c.safe ? c.data : encodeQuotedPrintable(toCrlf(decodeQuotedPrintable(c.data)));
  } else if (cte === '7bit' || cte === '8bit' || cte === 'binary') {
    if (cte === 'binary' && !isText) {
      data = encodeBase64Lines(body);
      newCte = 'base64';
    } else {
      const c = canonicalLines(body);
      if (c.safe) {
        data = c.data;
        if (cte !== '7bit') newCte = '7bit';
      } else if (isText) {
        data = encodeQuotedPrintable(c.data);
        newCte = 'quoted-printable';
      } else {
        data = encodeBase64Lines(c.data);
        newCte = 'base64';
      }
    }
  } else {
    const c = canonicalLines(body);
    const b = c.data;
    if (!c.safe)
      throw new SmimeError(
        'MESSAGE_INVALID',
        `a part uses the transfer encoding "${cte}", which cannot be made 7-bit safe`,
      );
    data = b;
  }
  const fixed = newCte
    ? replaceHeader(headers, 'content-transfer-encoding', makeHeader('Content-Transfer-Encoding', newCte))
    : headers;
  out.push(headerBlock(fixed), data);
}

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

/**
 * Prepares the entity to be signed: Content-* fields move into it, everything else stays
 * outside (RFC 8551 §3.1, §3.5.3). Refuses input that is already signed or encrypted.
 */
export function prepareSignedEntity(message: Buffer | ParsedMessage): { outer: HeaderField[]; entity: Buffer[] } {
  const parsed = Buffer.isBuffer(message) ? parseMessage(message) : message;
  const ct = parseContentType(getHeader(parsed.headers, 'content-type'));
  if (isSecuredContentType(ct)) {
    throw new SmimeError(
      'MESSAGE_ALREADY_SMIME',
      `the message is already S/MIME (${ct!.type}/${ct!.subtype}); it is not signed again`,
    );
  }
  const outer = parsed.headers.filter((h) => !isContentHeader(h));
  let inner = parsed.headers.filter(isContentHeader);
  if (!inner.some((h) => h.key === 'content-type'))
    inner = [makeHeader('Content-Type', 'text/plain; charset=us-ascii'), ...inner];
  const entity: Buffer[] = [];
  canonicalizeEntity(inner, parsed.body, entity);
  return { outer, entity };
}

/** Header block of the outer message as written (CRLF), without the blank line. */
export function outerHeaderBytes(headers: readonly HeaderField[]): Buffer {
  const parts: Buffer[] = [];
  for (const h of headers) parts.push(h.raw, CRLF);
  return Buffer.concat(parts);
}

/** Mail addresses in an address-list header value (RFC 5322 §3.4), lower-cased domain. */
export function parseAddresses(value: string | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  const noComments = value.replace(/\((?:[^()\\]|\\.)*\)/g, ' ');
  const angle = /<\s*([^<>\s]+@[^<>\s]+)\s*>/g;
  let m: RegExpExecArray | null;
  let found = false;
  while ((m = angle.exec(noComments))) {
    out.push(m[1]!);
    found = true;
  }
  const rest = found ? noComments.replace(/"(?:[^"\\]|\\.)*"/g, '').replace(/<[^<>]*>/g, '') : noComments;
  for (const token of rest.split(/[,;:\s]+/)) {
    if (/^[^@\s"<>]+@[^@\s"<>]+$/.test(token)) out.push(token);
  }
  return out.map(normalizeEmail);
}
