/** Content-Transfer-Encodings (RFC 2045 §6): base64 and quoted-printable, both ways. */
import type { HeaderField } from './parse';
import { getHeader } from './parse';

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
