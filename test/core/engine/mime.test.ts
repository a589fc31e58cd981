import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  crlfLinesOk,
  decodeQuotedPrintable,
  encodeQuotedPrintable,
  isTransportSafe,
  parseAddresses,
  parseContentType,
  toCrlf,
} from '../../../main/core/engine/mime';

/** The obvious definition, byte by byte. */
function naiveCrlfLinesOk(b: Buffer): boolean {
  let lineStart = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 13) {
      if (b[i + 1] !== 10 || i - lineStart > 998) return false;
      i++;
      lineStart = i + 1;
    } else if (b[i] === 10) return false;
  }
  return b.length - lineStart <= 998;
}

/** RFC 8551 §3.1 as a list of rules, line by line. */
function naiveTransportSafe(b: Buffer): boolean {
  if (b.some((c) => c === 0 || c > 127)) return false;
  if (!naiveCrlfLinesOk(b)) return false;
  return b
    .toString('latin1')
    .split('\r\n')
    .every((l) => !/[ \t]$/.test(l) && !l.startsWith('From ') && l !== '.');
}

const bytes = fc.array(fc.constantFrom(13, 10, 9, 32, 65, 66, 0x0d, 0x0e, 0x0c), { maxLength: 64 });

describe('line checks', () => {
  it('crlfLinesOk agrees with the byte-by-byte definition at every alignment', () => {
    fc.assert(
      fc.property(bytes, fc.integer({ min: 0, max: 7 }), (arr, shift) => {
        const backing = Buffer.alloc(arr.length + 8, 65);
        Buffer.from(arr).copy(backing, shift);
        const view = backing.subarray(shift, shift + arr.length);
        expect(crlfLinesOk(view)).toBe(naiveCrlfLinesOk(view));
      }),
      { numRuns: 5000 },
    );
  });

  it('the fixed-width fast path of isTransportSafe agrees with the definition and leaves the input as it was', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 60, max: 400 }),
        fc.integer({ min: 0, max: 130 }),
        fc.array(
          fc.record({
            at: fc.nat(),
            bytes: fc.constantFrom('\r', '\n', ' ', '\t', '.', 'From ', '\0', 'A', '\r\n.', 'x\r\nFrom '),
          }),
          { maxLength: 3 },
        ),
        (width, lines, tail, edits) => {
          const body = Buffer.from(('B'.repeat(width) + '\r\n').repeat(lines) + 'C'.repeat(tail));
          for (const e of edits) body.write(e.bytes, e.at % body.length, 'latin1');
          const copy = Buffer.from(body);
          expect(isTransportSafe(body)).toBe(naiveTransportSafe(body));
          expect(body.equals(copy)).toBe(true);
        },
      ),
      { numRuns: 3000 },
    );
    const long = Buffer.from(('x'.repeat(997) + '\r\n').repeat(10) + 'y'.repeat(999));
    expect(isTransportSafe(long)).toBe(false);
    // a last line one byte longer than the others, ending in a space
    const tailSpace = Buffer.from(('B'.repeat(76) + '\r\n').repeat(100) + 'C'.repeat(76) + ' ');
    expect(isTransportSafe(tailSpace)).toBe(false);
    expect(isTransportSafe(Buffer.from(('B'.repeat(76) + '\r\n').repeat(100) + 'C'.repeat(77)))).toBe(true);
    const shared = Buffer.from(new SharedArrayBuffer(8000));
    shared.fill(65);
    for (let i = 76; i + 1 < shared.length; i += 78) shared.write('\r\n', i, 'latin1');
    expect(isTransportSafe(shared)).toBe(naiveTransportSafe(shared));
  });

  it('finds long lines and stray line ends in large bodies', () => {
    const line = 'A'.repeat(76) + '\r\n';
    const ok = Buffer.from(line.repeat(1000));
    expect(crlfLinesOk(ok)).toBe(true);
    for (const pos of [0, 1, 2, 3, 500, 76_001, ok.length - 1]) {
      const bad = Buffer.from(ok);
      bad[pos] = 10;
      expect(crlfLinesOk(bad)).toBe(naiveCrlfLinesOk(bad));
    }
    expect(crlfLinesOk(Buffer.from('x'.repeat(999)))).toBe(false);
    expect(crlfLinesOk(Buffer.from('x'.repeat(998) + '\r\n' + 'y'.repeat(998)))).toBe(true);
  });

  it('isTransportSafe refuses what a relay could change', () => {
    for (const s of [
      '8bit ü\r\n',
      'trailing \r\n',
      'tab\t\r\n',
      'From me\r\n',
      'a\r\nFrom me',
      '.\r\n',
      'a\r\n.\r\nb',
      'a\r\n.',
      'lf\n',
      'nul\0',
      'end ',
    ]) {
      expect(isTransportSafe(Buffer.from(s, 'utf8')), JSON.stringify(s)).toBe(false);
    }
    for (const s of ['', 'plain\r\ntext\r\n', 'a.b\r\n..\r\n', 'Fromage\r\n', 'x From y\r\n'])
      expect(isTransportSafe(Buffer.from(s)), JSON.stringify(s)).toBe(true);
  });
});

describe('encodings', () => {
  it('quoted-printable round-trips any bytes and yields safe lines', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (data) => {
        const text = toCrlf(Buffer.from(data));
        const qp = encodeQuotedPrintable(text);
        expect(decodeQuotedPrintable(qp).equals(text)).toBe(true);
        expect(isTransportSafe(qp)).toBe(true);
        for (const l of qp.toString('latin1').split('\r\n')) expect(l.length).toBeLessThanOrEqual(76);
      }),
      { numRuns: 500 },
    );
  });

  it('parses folded and RFC 2231 Content-Type parameters', () => {
    const ct = parseContentType(
      'multipart/mixed; boundary*0="abc"; boundary*1="def"; name*=utf-8\'\'%E6%97%A5.txt (comment)',
    )!;
    expect(ct.type).toBe('multipart');
    expect(ct.params.get('boundary')).toBe('abcdef');
    expect(ct.params.get('name')).toBe('日.txt');
    expect(parseContentType('Text/Plain; Charset="ISO-2022-JP"')!.params.get('charset')).toBe('ISO-2022-JP');
    expect(parseContentType('garbage')).toBeUndefined();
  });
});

describe('address lists (RFC 5322 §3.4)', () => {
  it('keeps the order written, so the first From mailbox is the first one', () => {
    expect(parseAddresses('a@x.example, "B, Sales" <b@y.example>, c@z.example')).toEqual([
      'a@x.example',
      'b@y.example',
      'c@z.example',
    ]);
    expect(parseAddresses('Team: one@x.example, Two <two@X.example>;, three@x.example')).toEqual([
      'one@x.example',
      'two@x.example',
      'three@x.example',
    ]);
    expect(parseAddresses('"quoted <not@an.address>" <real@x.example> (comment, with comma)')).toEqual([
      'real@x.example',
    ]);
    expect(parseAddresses('undisclosed-recipients:;')).toEqual([]);
  });
});
