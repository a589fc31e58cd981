/**
 * A message decoded for reading, never for sending: header fields with their RFC 2047 encoded
 * words decoded, every leaf part with its transfer encoding undone and text parts decoded by
 * their charset (ISO-2022-JP, Shift_JIS, EUC-JP, UTF-8 … through the WHATWG Encoding Standard's
 * TextDecoder). This has to happen on the bytes: an 8-bit Shift_JIS body cannot be told apart
 * once it was read as UTF-8.
 */
import type { DecodedMessage, DecodedPart } from '../../../contract';
import { decodeBody } from './encoding';
import { splitMultipart } from './entity';
import { contentTypeOf, getHeader, headerValue, MAX_DEPTH, parseContentType, parseMessage, parsePart } from './parse';
import type { HeaderField } from './parse';

/** The most text one part shows in a preview; the exact bytes stay available as the .eml. */
export const DECODED_TEXT_LIMIT = 256 * 1024;
const MAX_PARTS = 200;

/** A TextDecoder for a MIME charset label, or null when the label is unknown. */
function decoderFor(charset: string): TextDecoder | null {
  try {
    return new TextDecoder(charset.trim().toLowerCase(), { fatal: false });
  } catch {
    return null;
  }
}

/** Bytes in a charset as text; an unknown charset is read as UTF-8 (and said so). */
export function decodeCharset(bytes: Uint8Array, charset: string): { text: string; known: boolean } {
  const d = decoderFor(charset);
  return d ? { text: d.decode(bytes), known: true } : { text: new TextDecoder('utf-8').decode(bytes), known: false };
}

const ENCODED_WORD = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([BbQq])\?([^?\s]*)\?=/g;

function wordBytes(encoding: string, text: string): Buffer {
  if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64');
  const q = text
    .replace(/_/g, ' ')
    .replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(q, 'latin1');
}

/**
 * Decodes the encoded words of a header value (RFC 2047 §6.2). White space between two
 * adjacent encoded words is dropped, and adjacent words of one charset are joined as bytes
 * before decoding, so a character split across two words (common in UTF-8 and ISO-2022-JP
 * subjects) comes out whole.
 */
export function decodeEncodedWords(value: string): string {
  type Run = { charset: string; bytes: Buffer[] };
  let out = '';
  let pos = 0;
  let run: Run | null = null;
  const flush = (r: Run | null): null => {
    if (r) out += decodeCharset(Buffer.concat(r.bytes), r.charset).text;
    return null;
  };
  const re = new RegExp(ENCODED_WORD.source, 'g');
  let m: RegExpExecArray | null;
  while ((m = re.exec(value))) {
    const between = value.slice(pos, m.index);
    const charset = m[1]!.toLowerCase();
    const adjacent: boolean = run !== null && /^[ \t\r\n]*$/.test(between);
    if (!adjacent) {
      run = flush(run);
      out += between;
    } else if (run && run.charset !== charset) run = flush(run);
    const current: Run = run ?? { charset, bytes: [] };
    current.bytes.push(wordBytes(m[2]!, m[3]!));
    run = current;
    pos = m.index + m[0].length;
  }
  flush(run);
  return out + value.slice(pos);
}

function fieldName(h: HeaderField): string {
  const raw = h.raw.toString('utf8');
  return raw.slice(0, raw.indexOf(':')).trim();
}

/** A parameter of a Content-Disposition value (RFC 2183, with RFC 2231 continuations). */
function dispositionParam(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined;
  return parseContentType(`x/${value.trim()}`)?.params.get(name);
}

function leaf(headers: HeaderField[], body: Buffer, path: string): DecodedPart {
  const ct = contentTypeOf(headers);
  const type = `${ct.type}/${ct.subtype}`;
  const rawName =
    dispositionParam(getHeader(headers, 'content-disposition'), 'filename') ?? ct.params.get('name') ?? null;
  const fileName = rawName === null ? null : decodeEncodedWords(rawName);
  const data = decodeBody(headers, body);
  const isText = ct.type === 'text' && fileName === null;
  if (!isText) {
    return {
      path,
      contentType: type,
      charset: null,
      fileName,
      size: data.length,
      text: null,
      truncated: false,
      charsetUnknown: false,
    };
  }
  const charset = ct.params.get('charset') ?? 'us-ascii';
  const truncated = data.length > DECODED_TEXT_LIMIT * 4;
  const { text, known } = decodeCharset(truncated ? data.subarray(0, DECODED_TEXT_LIMIT * 4) : data, charset);
  const cut = text.length > DECODED_TEXT_LIMIT;
  return {
    path,
    contentType: type,
    charset,
    fileName: null,
    size: data.length,
    text: (cut ? text.slice(0, DECODED_TEXT_LIMIT) : text).replace(/\r\n/g, '\n'),
    truncated: truncated || cut,
    charsetUnknown: !known,
  };
}

function walk(headers: HeaderField[], body: Buffer, path: string, depth: number, out: DecodedPart[]): void {
  if (out.length >= MAX_PARTS) return;
  const ct = contentTypeOf(headers);
  const boundary = ct.params.get('boundary');
  if (ct.type === 'multipart' && boundary && depth < MAX_DEPTH) {
    let parts: Buffer[];
    try {
      parts = splitMultipart(body, boundary).parts;
    } catch {
      out.push(leaf(headers, body, path));
      return;
    }
    parts.forEach((p, i) => {
      const child = path ? `${path}.${i + 1}` : String(i + 1);
      try {
        const parsed = parsePart(p);
        walk(parsed.headers, parsed.body, child, depth + 1, out);
      } catch {
        out.push(leaf([], p, child));
      }
    });
    return;
  }
  out.push(leaf(headers, body, path));
}

/** The message decoded for reading; null when it is not an RFC 5322 message at all. */
export function decodeForReading(message: Buffer): DecodedMessage | null {
  let parsed;
  try {
    parsed = parseMessage(message, 'the message');
  } catch {
    return null;
  }
  const headers = parsed.headers.map((h) => ({ name: fieldName(h), value: decodeEncodedWords(headerValue(h)) }));
  const parts: DecodedPart[] = [];
  walk(parsed.headers, parsed.body, '', 0, parts);
  return { headers, parts };
}
