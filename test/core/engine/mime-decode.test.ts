import { describe, expect, it } from 'vitest';
import { composeMessage } from '../../../main/core/engine/compose';
import { decodeEncodedWords, decodeForReading } from '../../../main/core/engine/mime/decode';

const latin1 = (s: string) => Buffer.from(s, 'latin1');
/** こんにちは in Shift_JIS (8-bit) and ISO-2022-JP (7-bit with escapes). */
const SJIS = Buffer.from([0x82, 0xb1, 0x82, 0xf1, 0x82, 0xc9, 0x82, 0xbf, 0x82, 0xcd]);
const JIS = latin1('\x1b$B$3$s$K$A$O\x1b(B');

describe('a message decoded for reading', () => {
  it('decodes RFC 2047 words, joining adjacent ones of one charset as bytes', () => {
    // "ご注文" split inside a character across two UTF-8 words
    expect(decodeEncodedWords('=?UTF-8?B?44GU5rOo?= =?UTF-8?B?5paH?=')).toBe('ご注文');
    expect(decodeEncodedWords('=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?= <a@x.jp>')).toBe('こんにちは <a@x.jp>');
    expect(decodeEncodedWords('=?utf-8?q?caf=C3=A9_au_lait?= (plain) =?iso-8859-1?Q?=E9t=E9?=')).toBe(
      'café au lait (plain) été',
    );
    expect(decodeEncodedWords('no words here =?broken')).toBe('no words here =?broken');
  });

  it('decodes Shift_JIS, ISO-2022-JP and UTF-8 bodies from their bytes, and names attachments', () => {
    const msg = Buffer.concat([
      latin1(
        'From: a@x.jp\r\nSubject: =?Shift_JIS?B?grGC8YLJgr+CzQ==?=\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain; charset=Shift_JIS\r\nContent-Transfer-Encoding: 8bit\r\n\r\n',
      ),
      SJIS,
      latin1('\r\n--b\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n'),
      JIS,
      latin1('\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n'),
      latin1(Buffer.from('こんにちは\r\n2行目').toString('base64')),
      latin1(
        "\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=UTF-8''%E8%AB%8B%E6%B1%82%E6%9B%B8.pdf\r\nContent-Transfer-Encoding: base64\r\n\r\nAQID\r\n--b\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n\r\nhello\r\n--b--\r\n",
      ),
    ]);
    const d = decodeForReading(msg)!;
    expect(d.headers.find((h) => h.name === 'Subject')!.value).toBe('こんにちは');
    expect(d.parts.map((p) => [p.path, p.contentType, p.text, p.fileName])).toEqual([
      ['1', 'text/plain', 'こんにちは', null],
      ['2', 'text/plain', 'こんにちは', null],
      ['3', 'text/plain', 'こんにちは\n2行目', null],
      ['4', 'application/pdf', null, '請求書.pdf'],
      ['5', 'text/plain', 'hello', null],
    ]);
    expect(d.parts[3]!.size).toBe(3);
    expect(d.parts[4]!.charsetUnknown).toBe(true);
  });

  it('keeps the first part of an unsigned multipart message (body and attachment)', () => {
    const m = composeMessage({
      from: 'a@x.jp',
      to: ['b@docomo.ne.jp'],
      cc: [],
      subject: 'ご注文',
      body: 'ご注文ありがとうございます',
      attachments: [{ name: '請求書.pdf', type: 'application/pdf', bytes: new Uint8Array([1, 2, 3]) }],
      date: new Date(),
    });
    const d = decodeForReading(m)!;
    expect(d.parts.map((p) => p.contentType)).toEqual(['text/plain', 'application/pdf']);
    expect(d.parts[0]!.text).toBe('ご注文ありがとうございます');
    expect(d.parts[1]!.fileName).toBe('請求書.pdf');
  });

  it('cuts a long text part at the preview limit, and returns null for what is not a message', () => {
    const big = Buffer.concat([
      latin1('Content-Type: text/plain; charset=utf-8\r\n\r\n'),
      Buffer.alloc(2_000_000, 0x61),
    ]);
    const part = decodeForReading(big)!.parts[0]!;
    expect(part.truncated).toBe(true);
    expect(part.text!.length).toBe(256 * 1024);
    expect(decodeForReading(latin1('not a header line\r\n\r\n'))).toBeNull();
  });
});
