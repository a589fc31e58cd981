/**
 * X.509 certificates from untrusted bytes. Node parses some fields only when they are first
 * read (the public key, the validity dates), so a damaged certificate can look fine until then;
 * here every field the engine relies on is read once, and a certificate that fails is refused
 * with a reason instead of surfacing later as an unexplained exception.
 */
import { X509Certificate } from 'node:crypto';
import type { ErrorCode } from '../../contract';
import { SmimeError } from '../errors';

/** A certificate whose public key and validity dates are readable; else SmimeError(code). */
export function checkedCertificate(input: Buffer | string, code: ErrorCode, what: string): X509Certificate {
  try {
    const cert = new X509Certificate(input);
    void cert.publicKey;
    if (Number.isNaN(new Date(cert.validFrom).getTime()) || Number.isNaN(new Date(cert.validTo).getTime())) {
      throw new Error('unreadable validity');
    }
    return cert;
  } catch {
    throw new SmimeError(code, `${what} contains a certificate that cannot be read`);
  }
}

const BEGIN = '-----BEGIN CERTIFICATE-----';
const END = '-----END CERTIFICATE-----';

/**
 * The PEM certificate blocks of a text, in one pass: each BEGIN is matched with the next END
 * after it, so a file of many BEGIN lines and no END costs one scan, not one per BEGIN.
 */
export function pemCertificates(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (;;) {
    const b = text.indexOf(BEGIN, from);
    if (b < 0) return out;
    const e = text.indexOf(END, b + BEGIN.length);
    if (e < 0) return out;
    // a BEGIN without its END before the next BEGIN is skipped
    const inner = text.lastIndexOf(BEGIN, e);
    out.push(text.slice(inner, e + END.length));
    from = e + END.length;
  }
}
