/**
 * Builds an RFC 5322 message from form fields: what the test-message screen sends.
 * UTF-8 text as quoted-printable, non-ASCII header words as RFC 2047 encoded words,
 * attachments as base64 parts of multipart/mixed (RFC 2046 §5.1.3).
 */
import { randomBytes } from 'node:crypto';
import { SmimeError } from '../errors';
import { encodeBase64Lines, encodeQuotedPrintable, toCrlf } from './mime';

export interface ComposeInput {
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  body: string;
  attachments: { name: string; type: string; bytes: Uint8Array }[];
  date?: Date;
}

function encodedWord(s: string): string {
  if (/^[\x20-\x7e]*$/.test(s)) return s;
  // encoded words of at most 75 characters (RFC 2047 §2), split on character boundaries
  const words: string[] = [];
  let chunk = '';
  for (const ch of s) {
    if (Buffer.byteLength(chunk + ch, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join('\r\n ');
}

/** A display name as RFC 5322 allows it: atoms as they are, other ASCII quoted, anything else RFC 2047 encoded words. */
function phrase(name: string): string {
  if (!/^[\x20-\x7e]*$/.test(name)) return encodedWord(name);
  if (/^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]+$/.test(name)) return name;
  return `"${name.replace(/(["\\])/g, '\\$1')}"`;
}

/** `Name <addr>` or `addr`, with the name made ASCII (RFC 5322 §3.4, RFC 2047 §5(3)). */
function mailbox(s: string): string {
  const t = s.trim();
  const m = /^(.*?)\s*<([^<>]+)>$/.exec(t);
  if (!m) return t;
  const raw = m[1]!.trim();
  const quoted = /^"(.*)"$/.exec(raw);
  const name = quoted ? quoted[1]!.replace(/\\(.)/g, '$1') : raw;
  return name ? `${phrase(name)} <${m[2]!.trim()}>` : `<${m[2]!.trim()}>`;
}

function addressList(list: string[]): string {
  return list
    .map((a) => a.trim())
    .filter(Boolean)
    .map(mailbox)
    .join(',\r\n ');
}

function param(name: string, value: string): string {
  if (/^[\x20-\x7e]*$/.test(value) && !/["\\]/.test(value)) return `${name}="${value}"`;
  return `${name}*=UTF-8''${encodeURIComponent(value).replace(/['()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())}`;
}

export function composeMessage(input: ComposeInput): Buffer {
  if (!input.from.trim()) throw new SmimeError('MESSAGE_INVALID', 'the message needs a From address');
  const date = input.date ?? new Date();
  const domain = input.from.split('@')[1]?.replace(/[>\s]/g, '') || 'localhost';
  const headers = [
    `From: ${mailbox(input.from)}`,
    ...(input.to.some((a) => a.trim()) ? [`To: ${addressList(input.to)}`] : []),
    ...(input.cc.some((a) => a.trim()) ? [`Cc: ${addressList(input.cc)}`] : []),
    `Subject: ${encodedWord(input.subject)}`,
    `Date: ${date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${domain}>`,
    'MIME-Version: 1.0',
  ];
  const text = encodeQuotedPrintable(toCrlf(Buffer.from(input.body, 'utf8')));
  const textPart = `Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${text.toString('latin1')}`;
  const head = headers.join('\r\n');
  if (/[^\x00-\x7f]/.test(head)) throw new SmimeError('INTERNAL', 'a composed header is not ASCII');
  if (input.attachments.length === 0) {
    return Buffer.from(`${head}\r\n${textPart}`, 'latin1');
  }
  const boundary = `----=_part_${randomBytes(12).toString('hex')}`;
  const parts = [
    textPart,
    ...input.attachments.map(
      (a) =>
        `Content-Type: ${/^[\w.+-]+\/[\w.+-]+$/.test(a.type) ? a.type : 'application/octet-stream'}; ${param('name', a.name)}\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; ${param('filename', a.name)}\r\n\r\n${encodeBase64Lines(Buffer.from(a.bytes)).toString('latin1')}`,
    ),
  ];
  return Buffer.from(
    `${head}\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n${parts.map((p) => `--${boundary}\r\n${p}\r\n`).join('')}--${boundary}--\r\n`,
    'latin1',
  );
}
