/** Messages that stress canonicalisation (RFC 8551 §3.1): each one is a trap some signer fell into. */
import { randomBytes } from 'node:crypto';

const head = (extra = '') =>
  `From: Alice Example <alice@example.com>\nTo: bob@example.org\nSubject: test\nDate: Sat, 28 Nov 2026 10:00:00 +0900\nMessage-ID: <t1@example.com>\n${extra}`;

function iso2022jp(): Buffer {
  // 「こんにちは」 in ISO-2022-JP, written out as bytes
  return Buffer.concat([
    Buffer.from('\x1b$B', 'latin1'),
    Buffer.from([0x24, 0x33, 0x24, 0x73, 0x24, 0x4b, 0x24, 0x41, 0x24, 0x4f]),
    Buffer.from('\x1b(B', 'latin1'),
  ]);
}

export const ATTACHMENT = randomBytes(5000);

export const CORPUS: Record<string, Buffer> = {
  'LF-only plain text': Buffer.from(head('Content-Type: text/plain; charset=us-ascii\n') + '\nline one\nline two\n'),
  'CRLF plain text': Buffer.from((head() + '\nHello\nWorld\n').replace(/\n/g, '\r\n')),
  'no Content-Type at all': Buffer.from(head() + '\nJust text.\n'),
  'UTF-8 8bit': Buffer.from(
    head('MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n') +
      '\nこんにちは、世界。Grüße\n',
  ),
  'ISO-2022-JP 7bit': Buffer.concat([
    Buffer.from(
      head('MIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n') +
        '\n',
    ),
    iso2022jp(),
    Buffer.from('\n'),
  ]),
  'quoted-printable with soft breaks': Buffer.from(
    head('MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n') +
      '\nThis is a long line that was soft-broken by the sender=\n and continues here. Caf=C3=A9.\n',
  ),
  'long lines over 998 octets': Buffer.from(
    head('Content-Type: text/plain; charset=us-ascii\n') + '\n' + 'x'.repeat(3000) + '\nshort\n',
  ),
  'trailing whitespace': Buffer.from(head() + '\nspaces at the end   \ntab at the end\t\n\nlast line  '),
  '"From " and "." lines': Buffer.from(head() + '\nFrom the start\n.\n..\nFrom here too\nend\n'),
  'multipart/alternative': Buffer.from(
    head('MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="alt"\n') +
      '\nPreamble.\n--alt\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nプレーン\n--alt\nContent-Type: text/html; charset=utf-8\n\n<p>HTML ünïcode</p>\n--alt--\nEpilogue.\n',
  ),
  'multipart/mixed with binary attachments': Buffer.concat([
    Buffer.from(
      head('MIME-Version: 1.0\nContent-Type: multipart/mixed;\n boundary="mix"\n') +
        '\n--mix\nContent-Type: text/plain\n\nSee attached.\n--mix\nContent-Type: application/octet-stream; name="a.bin"\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="a.bin"\n\n',
    ),
    Buffer.from(ATTACHMENT.toString('base64').replace(/.{76}/g, '$&\n') + '\n'),
    Buffer.from('--mix\nContent-Type: application/pdf; name="raw.pdf"\nContent-Transfer-Encoding: binary\n\n'),
    Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x0a, 0x0d, 0x80, 0x0a, 0x20]),
    Buffer.from('\n--mix--\n'),
  ]),
  'nested message/rfc822': Buffer.from(
    head('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="outer"\n') +
      '\n--outer\nContent-Type: text/plain\n\nForwarded:\n--outer\nContent-Type: message/rfc822\n\nFrom: carol@example.net\nSubject: inner\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nInner body ß \n--outer--\n',
  ),
  'RFC 2047 headers': Buffer.from(
    'From: =?UTF-8?B?44Ki44Oq44K5?= <alice@example.com>\nTo: bob@example.org\nSubject: =?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?=\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\nbody\n',
  ),
  'folded and RFC 2231 parameters': Buffer.from(
    head('MIME-Version: 1.0\nContent-Type: multipart/mixed;\n\tboundary*0="fold";\n\tboundary*1="ed-boundary"\n') +
      '\n--folded-boundary\nContent-Type: text/plain;\n charset="utf-8"\nContent-Disposition: attachment;\n filename*=utf-8\'\'%E6%97%A5%E6%9C%AC.txt\nContent-Transfer-Encoding: 8bit\n\n日本\n--folded-boundary--\n',
  ),
  'empty body': Buffer.from(head() + '\n'),
};
