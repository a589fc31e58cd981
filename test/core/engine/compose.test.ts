import { describe, expect, it } from 'vitest';
import { composeMessage } from '../../../main/core/engine/compose';
import {
  decodeBody,
  getHeader,
  headerValue,
  parseAddresses,
  parseMessage,
  parsePart,
  splitMultipart,
} from '../../../main/core/engine/mime';

const DATE = new Date('2026-11-28T10:00:00Z');
const decodeWords = (s: string) =>
  s
    .replace(/\r\n[ \t]/g, ' ')
    .replace(/\?= =\?/g, '?==?')
    .replace(/=\?UTF-8\?B\?([^?]+)\?=/g, (_m, b: string) => Buffer.from(b, 'base64').toString('utf8'));

describe('composing a test message (RFC 5322, RFC 2047, RFC 2231)', () => {
  it('writes only ASCII headers and keeps Japanese names and subjects readable after decoding', () => {
    const msg = composeMessage({
      from: '山田 太郎 <taro@example.co.jp>',
      to: [
        '佐藤 花子 <hanako@example.org>',
        'plain@example.org',
        '"Sales, Tokyo" <sales@example.org>',
        "O'Brien <ob@example.org>",
      ],
      cc: ['"A \\"quoted\\" name" <q@example.org>'],
      subject: '【重要】ご注文の確認（第二版）とても長い件名が折り返されても読めること',
      body: 'こんにちは\n本文です。',
      attachments: [],
      date: DATE,
    });
    const text = msg.toString('latin1');
    expect(text).toMatch(/^[\x00-\x7f]*$/);
    const { headers } = parseMessage(msg);
    expect(decodeWords(getHeader(headers, 'from')!)).toBe('山田 太郎 <taro@example.co.jp>');
    expect(decodeWords(getHeader(headers, 'subject')!)).toBe(
      '【重要】ご注文の確認（第二版）とても長い件名が折り返されても読めること',
    );
    expect(parseAddresses(getHeader(headers, 'to'))).toEqual([
      'hanako@example.org',
      'plain@example.org',
      'sales@example.org',
      'ob@example.org',
    ]);
    expect(getHeader(headers, 'cc')).toBe('"A \\"quoted\\" name" <q@example.org>');
    for (const h of headers)
      for (const line of h.raw.toString('latin1').split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
    expect(getHeader(headers, 'date')).toBe('Sat, 28 Nov 2026 10:00:00 +0000');
    expect(getHeader(headers, 'message-id')).toMatch(/^<[0-9a-f]{24}@example\.co\.jp>$/);
  });

  it('puts the body in quoted-printable UTF-8 and attachments in base64 with RFC 2231 file names', () => {
    const pdf = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0, 255, 10, 13]);
    const msg = composeMessage({
      from: 'info@example.com',
      to: ['a@example.org'],
      cc: [],
      subject: 'invoice',
      body: '請求書を添付します。\n',
      attachments: [{ name: '請求書 2026.pdf', type: 'application/pdf', bytes: pdf }],
      date: DATE,
    });
    const { headers, body } = parseMessage(msg);
    const boundary = /boundary="([^"]+)"/.exec(headerValue(headers.find((h) => h.key === 'content-type')!))![1]!;
    const [textPart, filePart] = splitMultipart(body, boundary).parts.map(parsePart);
    expect(decodeBody(textPart!.headers, textPart!.body).toString('utf8')).toBe('請求書を添付します。\r\n');
    expect(getHeader(filePart!.headers, 'content-disposition')).toBe(
      `attachment; filename*=UTF-8''${encodeURIComponent('請求書 2026.pdf')}`,
    );
    expect(decodeBody(filePart!.headers, filePart!.body)).toEqual(Buffer.from(pdf));
  });

  it('refuses a message without a From address', () => {
    expect(() =>
      composeMessage({ from: '  ', to: ['a@example.org'], cc: [], subject: '', body: '', attachments: [] }),
    ).toThrow(/needs a From address/);
  });
});
