import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AsnError,
  ctx,
  decode,
  decodeOid,
  decodeStrict,
  decodeTime,
  encodeLength,
  octets,
  oid,
  seq,
  setOf,
  time,
  tlv,
} from '../../../main/core/engine/der';

describe('DER encoding', () => {
  it('encodes lengths in the shortest form (X.690 §8.1.3)', () => {
    expect(encodeLength(0x7f)).toEqual(Buffer.from([0x7f]));
    expect(encodeLength(0x80)).toEqual(Buffer.from([0x81, 0x80]));
    expect(encodeLength(0x1234)).toEqual(Buffer.from([0x82, 0x12, 0x34]));
  });

  it('sorts SET OF by encoding (X.690 §11.6), whatever the input order', () => {
    const a = octets(Buffer.from([2]));
    const b = octets(Buffer.from([1, 1]));
    const c = tlv(0x02, Buffer.from([5]));
    expect(setOf([a, b, c])).toEqual(setOf([c, b, a]));
    expect(
      decode(setOf([a, b, c]))
        .children()
        .map((x) => x.raw()),
    ).toEqual([c, a, b].sort(Buffer.compare));
  });

  it('round-trips object identifiers, including large arcs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 0, max: 39 }),
        fc.array(fc.integer({ min: 0, max: 2 ** 31 }), { maxLength: 8 }),
        (a, b, rest) => {
          const dotted = [a, b, ...rest].join('.');
          expect(decode(oid(dotted)).oid()).toBe(dotted);
        },
      ),
    );
    expect(decodeOid(Buffer.from('2a864886f70d010702', 'hex'))).toBe('1.2.840.113549.1.7.2');
  });

  it('writes UTCTime until 2049 and GeneralizedTime from 2050 (RFC 5652 §11.3), and reads both back', () => {
    const before = new Date('2049-12-31T23:59:59Z');
    const after = new Date('2050-01-01T00:00:00Z');
    expect(time(before)[0]).toBe(0x17);
    expect(time(after)[0]).toBe(0x18);
    expect(decodeTime(decode(time(before)))).toEqual(before);
    expect(decodeTime(decode(time(after)))).toEqual(after);
  });
});

describe('BER/DER decoding', () => {
  it('keeps exact byte ranges of nested elements', () => {
    const inner = seq(oid('1.2.3'), ctx(0, octets(Buffer.from('abc'))));
    const outer = seq(tlv(0x02, Buffer.from([1])), inner);
    const el = decode(outer);
    expect(el.child(1).raw()).toEqual(inner);
    expect(el.child(1).child(1).child(0).content().toString()).toBe('abc');
  });

  it('reads indefinite lengths, as other mail clients write them', () => {
    // SEQUENCE (indefinite) { INTEGER 5, OCTET STRING "hi" } end-of-contents
    const ber = Buffer.from([0x30, 0x80, 0x02, 0x01, 0x05, 0x04, 0x02, 0x68, 0x69, 0x00, 0x00]);
    const el = decode(ber);
    expect(el.children().map((c) => c.tag)).toEqual([0x02, 0x04]);
    expect(el.child(1).content().toString()).toBe('hi');
  });

  it('refuses trailing bytes in strict mode and lengths that run past the end', () => {
    expect(() => decodeStrict(Buffer.concat([seq(), Buffer.from([0])]))).toThrow(AsnError);
    expect(() => decode(Buffer.from([0x30, 0x05, 0x02, 0x01]))).toThrow(AsnError);
    expect(() => decode(Buffer.from([0x30, 0x89, 1, 1, 1, 1, 1, 1, 1, 1, 1]))).toThrow(AsnError);
  });

  it('never throws anything but AsnError on random input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const el = decode(Buffer.from(bytes));
          if (el.constructed) el.children();
        } catch (e) {
          expect(e).toBeInstanceOf(AsnError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
