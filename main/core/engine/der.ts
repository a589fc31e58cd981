/**
 * A small ASN.1 codec over Buffers.
 *
 * Encoding is DER (X.690 §10): definite lengths, SET OF sorted by encoding.
 * Decoding accepts BER (indefinite lengths, constructed strings) because CMS
 * from other mail clients often uses it, and keeps the exact byte ranges so a
 * verifier can hash what the signer signed.
 */

export function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer | readonly Buffer[]): Buffer {
  const body = Buffer.isBuffer(content) ? content : Buffer.concat(content as Buffer[]);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

export const seq = (...items: Buffer[]): Buffer => tlv(0x30, items);

/** SET OF in DER: elements sorted by their encodings (X.690 §11.6). */
export function setOf(items: readonly Buffer[]): Buffer {
  return tlv(0x31, [...items].sort(Buffer.compare));
}

export const octets = (b: Buffer): Buffer => tlv(0x04, b);
export const NULL = Buffer.from([0x05, 0x00]);

export function ctx(n: number, content: Buffer | readonly Buffer[], constructed = true): Buffer {
  return tlv((constructed ? 0xa0 : 0x80) | n, content);
}

export function smallInt(n: number): Buffer {
  if (n < 0 || n > 127) throw new RangeError('smallInt takes 0..127');
  return Buffer.from([0x02, 0x01, n]);
}

/** A non-negative INTEGER in DER (X.690 §8.3): minimal octets, a leading zero when the high bit is set. */
export function uint(n: number): Buffer {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('uint takes a non-negative safe integer');
  const bytes: number[] = [];
  let x = n;
  do {
    bytes.unshift(x % 256);
    x = Math.floor(x / 256);
  } while (x > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const first = parts[0]! * 40 + parts[1]!;
  const bytes: number[] = [];
  for (const v of [first, ...parts.slice(2)]) {
    const chunk: number[] = [v & 0x7f];
    let x = Math.floor(v / 128);
    while (x > 0) {
      chunk.unshift((x & 0x7f) | 0x80);
      x = Math.floor(x / 128);
    }
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime until 2049, GeneralizedTime from 2050 (RFC 5652 §11.3). */
export function time(d: Date): Buffer {
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const compact = iso.slice(0, 19).replace(/[-:T]/g, '');
  const year = d.getUTCFullYear();
  if (year >= 1950 && year < 2050) return tlv(0x17, Buffer.from(compact.slice(2) + 'Z', 'latin1'));
  return tlv(0x18, Buffer.from(compact + 'Z', 'latin1'));
}

export class AsnError extends Error {}

/** One decoded element: tag byte, and where its header and content lie in `buf`. */
export class Asn1 {
  constructor(
    readonly buf: Buffer,
    readonly tag: number,
    readonly start: number,
    readonly contentStart: number,
    /** end of content (exclusive); for indefinite length, before the end-of-contents octets */
    readonly contentEnd: number,
    /** end of the whole element (exclusive) */
    readonly end: number,
  ) {}

  get constructed(): boolean {
    return (this.tag & 0x20) !== 0;
  }

  /** The element exactly as encoded. */
  raw(): Buffer {
    return this.buf.subarray(this.start, this.end);
  }

  /** Content octets; a constructed BER OCTET STRING is joined from its segments. */
  content(): Buffer {
    if (this.tag === 0x24) return Buffer.concat(this.children().map((c) => c.content()));
    return this.buf.subarray(this.contentStart, this.contentEnd);
  }

  /**
   * The octets of a string type however BER encoded it (X.690 §8.7.3): a primitive element's
   * content, or the segments of a constructed one joined, also under an IMPLICIT tag such as
   * EncryptedContentInfo's [0] (RFC 5652 §6.1).
   */
  octets(): Buffer {
    if (!this.constructed) return this.buf.subarray(this.contentStart, this.contentEnd);
    return Buffer.concat(
      this.children().map((c) => {
        if (c.tag !== 0x04 && c.tag !== 0x24) throw new AsnError('a constructed string holds something else');
        return c.octets();
      }),
    );
  }

  /** A non-negative INTEGER that fits a safe integer; negative or longer values are refused. */
  uint(what = 'INTEGER'): number {
    this.expect(0x02, what);
    const c = this.content();
    if (c.length === 0 || c[0]! & 0x80) throw new AsnError(`${what} is negative or empty`);
    if (c.length > 7 || (c.length === 7 && c[0]! > 0x1f)) throw new AsnError(`${what} is too large`);
    let v = 0;
    for (const b of c) v = v * 256 + b;
    return v;
  }

  /** True when this element, and everything inside a constructed one, is DER: definite, minimal lengths (X.690 §10.1). */
  isDer(): boolean {
    const len = this.contentEnd - this.contentStart;
    if (this.end !== this.contentEnd) return false;
    if (this.contentStart - this.start !== 1 + encodeLength(len).length) return false;
    if (!this.constructed) return true;
    // constructed forms of string types are BER only (X.690 §10.2)
    if (this.tag >= 0x23 && this.tag <= 0x3e && this.tag !== 0x30 && this.tag !== 0x31) return false;
    return this.children().every((c) => c.isDer());
  }

  children(): Asn1[] {
    if (!this.constructed) throw new AsnError('primitive element has no children');
    const out: Asn1[] = [];
    let off = this.contentStart;
    while (off < this.contentEnd) {
      const child = decodeAt(this.buf, off, this.contentEnd);
      out.push(child);
      off = child.end;
    }
    return out;
  }

  child(i: number): Asn1 {
    const c = this.children()[i];
    if (!c) throw new AsnError(`missing element ${i}`);
    return c;
  }

  /** Content parsed as a single nested element (explicit tags, OCTET STRING wrappers). */
  inner(): Asn1 {
    const c = this.content();
    return decode(c);
  }

  oid(): string {
    if (this.tag !== 0x06) throw new AsnError('expected an OBJECT IDENTIFIER');
    return decodeOid(this.content());
  }

  expect(tag: number, what: string): this {
    if (this.tag !== tag) throw new AsnError(`expected ${what}`);
    return this;
  }
}

export function decode(buf: Buffer): Asn1 {
  const el = decodeAt(buf, 0, buf.length);
  return el;
}

/** Decodes exactly one element that must span the whole buffer. */
export function decodeStrict(buf: Buffer): Asn1 {
  const el = decodeAt(buf, 0, buf.length);
  if (el.end !== buf.length) throw new AsnError('trailing data after ASN.1 element');
  return el;
}

/** Nesting deeper than this is refused while scanning indefinite lengths: no real structure comes close. */
const MAX_NESTING = 64;

export function decodeAt(buf: Buffer, off: number, limit: number, depth = 0): Asn1 {
  if (depth > MAX_NESTING) throw new AsnError('ASN.1 nested too deeply');
  if (off + 2 > limit) throw new AsnError('truncated ASN.1 element');
  const tag = buf[off]!;
  if ((tag & 0x1f) === 0x1f) throw new AsnError('high tag numbers are not supported');
  let p = off + 1;
  const first = buf[p++]!;
  if (first === 0x80) {
    if ((tag & 0x20) === 0) throw new AsnError('indefinite length on a primitive element');
    // indefinite: children until 00 00
    let q = p;
    for (;;) {
      if (q + 2 > limit) throw new AsnError('unterminated indefinite-length element');
      if (buf[q] === 0 && buf[q + 1] === 0) break;
      q = decodeAt(buf, q, limit, depth + 1).end;
    }
    return new Asn1(buf, tag, off, p, q, q + 2);
  }
  let len = first;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n > 4 || p + n > limit) throw new AsnError('bad ASN.1 length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
  }
  if (p + len > limit) throw new AsnError('truncated ASN.1 element');
  return new Asn1(buf, tag, off, p, p + len, p + len);
}

export function decodeOid(b: Buffer): string {
  const out: number[] = [];
  let v = 0;
  for (let i = 0; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if (!(b[i]! & 0x80)) {
      if (out.length === 0) {
        const a = v < 80 ? Math.floor(v / 40) : 2;
        out.push(a, v - a * 40);
      } else out.push(v);
      v = 0;
    }
  }
  return out.join('.');
}

/** Parses UTCTime / GeneralizedTime content. */
export function decodeTime(el: Asn1): Date {
  const s = el.content().toString('latin1');
  let m: RegExpMatchArray | null;
  if (el.tag === 0x17 && (m = s.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/))) {
    const yy = Number(m[1]);
    const year = yy >= 50 ? 1900 + yy : 2000 + yy;
    return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
  }
  if (el.tag === 0x18 && (m = s.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/))) {
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  throw new AsnError('bad time value');
}
