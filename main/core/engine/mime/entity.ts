/**
 * The entity to be signed (RFC 8551 §3.1, RFC 2046 §5.1): Content-* fields move into it, line
 * ends become CRLF, 8-bit and binary leaves are re-encoded (quoted-printable for text, base64
 * otherwise), and leaves with long lines, trailing white space or lines a mailbox format would
 * munge ("From ", a lone ".") are re-encoded, so nothing on the way can change the signed bytes.
 */
import { SmimeError } from '../../errors';
import { decodeBase64, decodeQuotedPrintable, encodeBase64Lines, encodeQuotedPrintable } from './encoding';
import {
  contentTypeOf,
  CRLF,
  getHeader,
  isContentHeader,
  isSecuredContentType,
  lineAt,
  makeHeader,
  MAX_DEPTH,
  MESSAGE_RFC822,
  parseContentType,
  parseMessage,
  parsePart,
  TEXT_PLAIN,
  type ContentType,
  type HeaderField,
  type ParsedMessage,
} from './parse';
import { canonicalLines, isTransportSafe, toCrlf } from './transport';

function replaceHeader(headers: HeaderField[], key: string, field: HeaderField | null): HeaderField[] {
  const out = headers.filter((h) => h.key !== key);
  if (field) {
    const idx = headers.findIndex((h) => h.key === key);
    out.splice(idx < 0 ? out.length : idx, 0, field);
  }
  return out;
}

/** Header block with CRLF line ends and no trailing white space on any line. */
function headerBlock(headers: readonly HeaderField[]): Buffer {
  const parts: Buffer[] = [];
  for (const h of headers) {
    let raw = h.raw;
    if (
      raw.indexOf(' \r\n') >= 0 ||
      raw.indexOf('\t\r\n') >= 0 ||
      /[ \t]$/.test(raw.toString('latin1', Math.max(0, raw.length - 1)))
    ) {
      raw = Buffer.from(raw.toString('latin1').replace(/[ \t]+(?=\r\n|$)/g, ''), 'latin1');
    }
    parts.push(raw, CRLF);
  }
  parts.push(CRLF);
  return Buffer.concat(parts);
}

interface Delimited {
  preamble: Buffer | null;
  parts: Buffer[];
  /** everything after the close delimiter line's content, starting with its line break */
  epilogue: Buffer;
}

/** Splits a multipart body on its boundary (RFC 2046 §5.1.1): the line break before a delimiter belongs to it. */
export function splitMultipart(body: Buffer, boundary: string): Delimited {
  const delim = Buffer.from('--' + boundary, 'latin1');
  const starts: { lineStart: number; breakStart: number; next: number; close: boolean; lineEnd: number }[] = [];
  let pos = 0;
  while (pos <= body.length) {
    const idx = body.indexOf(delim, pos);
    if (idx < 0) break;
    const atLineStart = idx === 0 || body[idx - 1] === 10;
    const { end, next } = lineAt(body, idx);
    const rest = body.toString('latin1', idx + delim.length, end);
    if (atLineStart && /^(--)?[ \t]*$/.test(rest)) {
      const breakStart = idx === 0 ? 0 : body[idx - 2] === 13 ? idx - 2 : idx - 1;
      const close = rest.startsWith('--');
      starts.push({ lineStart: idx, breakStart, next, close, lineEnd: end });
      if (close) break;
    }
    pos = next > idx ? next : idx + 1;
    if (next >= body.length && end >= body.length) break;
  }
  if (starts.length === 0)
    throw new SmimeError('MESSAGE_INVALID', `a multipart body has no delimiter line for its boundary "${boundary}"`);
  const first = starts[0]!;
  const preamble = first.lineStart === 0 ? null : body.subarray(0, first.breakStart);
  const parts: Buffer[] = [];
  for (let i = 0; i + 1 < starts.length; i++) {
    if (starts[i]!.close) break;
    parts.push(body.subarray(Math.min(starts[i]!.next, starts[i + 1]!.breakStart), starts[i + 1]!.breakStart));
  }
  const last = starts[starts.length - 1]!;
  let epilogue: Buffer;
  if (last.close) epilogue = body.subarray(last.lineEnd);
  else {
    // no close delimiter: the last part runs to the end of the body
    parts.push(body.subarray(Math.min(last.next, body.length)));
    epilogue = Buffer.alloc(0);
  }
  return { preamble, parts, epilogue };
}

const QP_LIKE = new Set(['text']);

/**
 * Makes one MIME entity (its header fields and body) 7-bit, CRLF and safe against
 * transport changes, appending the bytes to `out`. `headers` are the entity's own
 * fields; only Content-Transfer-Encoding is ever rewritten.
 */
export function canonicalizeEntity(
  headers: HeaderField[],
  body: Buffer,
  out: Buffer[],
  fallback: ContentType = TEXT_PLAIN,
  depth = 0,
): void {
  if (depth > MAX_DEPTH)
    throw new SmimeError('MESSAGE_INVALID', `the message nests MIME parts more than ${MAX_DEPTH} levels deep`);
  const ct = contentTypeOf(headers, fallback);
  const cteHeader = getHeader(headers, 'content-transfer-encoding');
  const cte = (cteHeader ?? '7bit').toLowerCase().trim();
  // multipart and message/* bodies become 7-bit throughout, so their own encoding says so
  const containerHeaders = () =>
    cte === '7bit' || !cteHeader
      ? headers
      : replaceHeader(headers, 'content-transfer-encoding', makeHeader('Content-Transfer-Encoding', '7bit'));

  if (ct.type === 'multipart') {
    const boundary = ct.params.get('boundary');
    if (!boundary) throw new SmimeError('MESSAGE_INVALID', `a ${ct.type}/${ct.subtype} part has no boundary parameter`);
    const split = splitMultipart(body, boundary);
    out.push(headerBlock(containerHeaders()));
    const delim = Buffer.from('--' + boundary, 'latin1');
    if (split.preamble) {
      const pre = toCrlf(split.preamble);
      if (isTransportSafe(pre)) out.push(pre, CRLF);
    }
    const childFallback = ct.subtype === 'digest' ? MESSAGE_RFC822 : TEXT_PLAIN;
    for (const part of split.parts) {
      out.push(delim, CRLF);
      const parsed = parsePart(part);
      canonicalizeEntity(parsed.headers, parsed.body, out, childFallback, depth + 1);
      out.push(CRLF);
    }
    out.push(delim, Buffer.from('--', 'latin1'));
    const epi = toCrlf(split.epilogue);
    if (epi.length > 0) out.push(isTransportSafe(epi.subarray(2)) ? epi : CRLF);
    return;
  }

  if (ct.type === 'message' && (ct.subtype === 'rfc822' || ct.subtype === 'global')) {
    const inner = parseMessage(body, 'an attached message');
    out.push(headerBlock(containerHeaders()));
    canonicalizeEntity(inner.headers, inner.body, out, TEXT_PLAIN, depth + 1);
    return;
  }

  const isText =
    QP_LIKE.has(ct.type) || (ct.type === 'message' && ct.subtype !== 'partial' && ct.subtype !== 'external-body');
  let data: Buffer;
  let newCte: string | null = null;
  if (cte === 'base64') {
    const c = canonicalLines(body);
    data = c.safe ? c.data : encodeBase64Lines(decodeBase64(body));
  } else if (cte === 'quoted-printable') {
    const c = canonicalLines(body);
    data = c.safe ? c.data : encodeQuotedPrintable(toCrlf(decodeQuotedPrintable(c.data)));
  } else if (cte === '7bit' || cte === '8bit' || cte === 'binary') {
    if (cte === 'binary' && !isText) {
      data = encodeBase64Lines(body);
      newCte = 'base64';
    } else {
      const c = canonicalLines(body);
      if (c.safe) {
        data = c.data;
        if (cte !== '7bit') newCte = '7bit';
      } else if (isText) {
        data = encodeQuotedPrintable(c.data);
        newCte = 'quoted-printable';
      } else {
        data = encodeBase64Lines(c.data);
        newCte = 'base64';
      }
    }
  } else {
    const c = canonicalLines(body);
    const b = c.data;
    if (!c.safe)
      throw new SmimeError(
        'MESSAGE_INVALID',
        `a part uses the transfer encoding "${cte}", which cannot be made 7-bit safe`,
      );
    data = b;
  }
  const fixed = newCte
    ? replaceHeader(headers, 'content-transfer-encoding', makeHeader('Content-Transfer-Encoding', newCte))
    : headers;
  out.push(headerBlock(fixed), data);
}

/**
 * Prepares the entity to be signed: Content-* fields move into it, everything else stays
 * outside (RFC 8551 §3.1, §3.5.3). Refuses input that is already signed or encrypted.
 */
export function prepareSignedEntity(message: Buffer | ParsedMessage): { outer: HeaderField[]; entity: Buffer[] } {
  const parsed = Buffer.isBuffer(message) ? parseMessage(message) : message;
  const ct = parseContentType(getHeader(parsed.headers, 'content-type'));
  if (isSecuredContentType(ct)) {
    throw new SmimeError(
      'MESSAGE_ALREADY_SMIME',
      `the message is already S/MIME (${ct!.type}/${ct!.subtype}); it is not signed again`,
    );
  }
  const outer = parsed.headers.filter((h) => !isContentHeader(h));
  let inner = parsed.headers.filter(isContentHeader);
  if (!inner.some((h) => h.key === 'content-type'))
    inner = [makeHeader('Content-Type', 'text/plain; charset=us-ascii'), ...inner];
  const entity: Buffer[] = [];
  canonicalizeEntity(inner, parsed.body, entity);
  return { outer, entity };
}
