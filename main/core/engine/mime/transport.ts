/**
 * Is a body already transport safe (RFC 8551 §3.1.1: 7-bit, CRLF, lines ≤ 998 octets, no
 * trailing white space, no lines a mailbox format would munge), and its CRLF form when not.
 * Large bodies are checked with native searches; the fast paths are tested against the
 * rule-by-rule definition.
 */
import { isAscii } from 'node:buffer';

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
export function canonicalLines(body: Buffer): { data: Buffer; safe: boolean } {
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
