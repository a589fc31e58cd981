/**
 * The send decision: for a message and its envelope, what the relay does for each recipient.
 * A pure function of the composition, the envelope, the message's header fields and the time.
 */
import { normalizeEmail } from '../engine/certificate';
import { contentTypeOf, headerValue, isSecuredContentType, parseAddresses, type HeaderField } from '../engine/mime';
import { PatternSet } from './patterns';
import {
  SMTP_EXPIRED,
  SMTP_NOT_YET_VALID,
  type CertificateRef,
  type Decision,
  type DestinationException,
  type HeaderException,
} from '../../contract';

export interface OperatingCertificate {
  email: string;
  fingerprintSha256: string;
  notBefore: Date;
  notAfter: Date;
}

/** A composition as the decision needs it, patterns compiled once. */
export interface PolicyComposition {
  name: string;
  intelligentBcc: boolean;
  destinations: PatternSet<DestinationException>;
  headers: HeaderException[];
  headerPatterns: Map<number, PatternSet<HeaderException>>;
  /** operating certificates by lower-cased address */
  certificates: Map<string, OperatingCertificate>;
}

export function compilePolicy(c: {
  name: string;
  intelligentBcc: boolean;
  destinationExceptions: readonly DestinationException[];
  headerExceptions: readonly HeaderException[];
  certificates: readonly OperatingCertificate[];
}): PolicyComposition {
  const enabledHeaders = c.headerExceptions.filter((h) => h.enabled);
  return {
    name: c.name,
    intelligentBcc: c.intelligentBcc,
    destinations: new PatternSet(c.destinationExceptions),
    headers: enabledHeaders,
    headerPatterns: new Map(enabledHeaders.map((h) => [h.id, new PatternSet([h])])),
    certificates: new Map(c.certificates.map((cert) => [normalizeEmail(cert.email).toLowerCase(), cert])),
  };
}

export interface EnvelopeRecipient {
  address: string;
  /** a copy forwarded by intelligent BCC */
  bccCopy?: boolean;
}

export interface Envelope {
  mailFrom: string;
  recipients: EnvelopeRecipient[];
}

export type { Decision };

/** The address the signature must carry: the first From address, else MAIL FROM (RFC 8550 §3). */
export function signingAddress(headers: readonly HeaderField[], mailFrom: string): string | null {
  const from = headers.find((h) => h.key === 'from');
  const addr = from ? parseAddresses(headerValue(from))[0] : undefined;
  if (addr) return addr;
  return mailFrom ? normalizeEmail(mailFrom) : null;
}

/**
 * Decides per recipient, in this order: intelligent-BCC copy, header exception,
 * destination exception, operating certificate, its validity at `at`.
 * An exception wins over an expired certificate: that mail would go unsigned anyway.
 */
export function decide(
  policy: PolicyComposition,
  envelope: Envelope,
  headers: readonly HeaderField[],
  at: Date,
): Decision[] {
  const sender = signingAddress(headers, envelope.mailFrom);
  let headerHit: HeaderException | null = null;
  let headerValueHit = '';
  outer: for (const h of policy.headers) {
    const set = policy.headerPatterns.get(h.id)!;
    for (const field of headers) {
      if (field.key !== h.header.toLowerCase()) continue;
      const value = headerValue(field);
      if (set.firstMatch(value)) {
        headerHit = h;
        headerValueHit = value;
        break outer;
      }
    }
  }
  const topType = contentTypeOf(headers as HeaderField[]);
  const secured = isSecuredContentType(topType);
  const cert = sender ? policy.certificates.get(sender.toLowerCase()) : undefined;
  return envelope.recipients.map((r): Decision => {
    const recipient = r.address;
    if (r.bccCopy && policy.intelligentBcc) return { recipient, action: 'unsigned', reason: 'bcc-copy', params: {} };
    if (headerHit) {
      const { id, header, pattern } = headerHit;
      const params = { id, header, value: headerValueHit.slice(0, 80), pattern };
      return { recipient, action: 'unsigned', reason: 'header-exception', params };
    }
    if (secured) {
      const params = { contentType: `${topType.type}/${topType.subtype}` };
      return { recipient, action: 'unsigned', reason: 'already-secured', params };
    }
    const dest = policy.destinations.firstMatch(recipient);
    if (dest) {
      const params = { id: dest.id, pattern: dest.pattern };
      return { recipient, action: 'unsigned', reason: 'destination-exception', params };
    }
    if (!cert) {
      const params = { sender, composition: policy.name };
      return { recipient, action: 'unsigned', reason: 'no-certificate', params };
    }
    const certificate = { email: cert.email, fingerprintSha256: cert.fingerprintSha256 };
    if (at > cert.notAfter) {
      const params = { email: cert.email, notAfter: cert.notAfter.toISOString() };
      return { recipient, action: 'reject', reason: 'certificate-expired', params, smtp: SMTP_EXPIRED, certificate };
    }
    if (at < cert.notBefore) {
      const params = { email: cert.email, notBefore: cert.notBefore.toISOString() };
      return {
        recipient,
        action: 'reject',
        reason: 'certificate-not-yet-valid',
        params,
        smtp: SMTP_NOT_YET_VALID,
        certificate,
      };
    }
    return { recipient, action: 'sign', reason: 'signed', params: { email: cert.email }, certificate };
  });
}

/** Recipients with the same outcome: one message for all of them. */
export type Delivery =
  { action: 'sign'; recipients: string[]; certificate: CertificateRef } | { action: 'unsigned'; recipients: string[] };

/** Recipients with the same outcome share one delivery; rejected recipients get none. */
export function groupDeliveries(decisions: readonly Decision[]): Delivery[] {
  const groups = new Map<string, Delivery>();
  for (const d of decisions) {
    if (d.action === 'reject') continue;
    const key = d.action === 'sign' ? `sign:${d.certificate.fingerprintSha256}` : 'unsigned';
    let g = groups.get(key);
    if (!g) {
      g =
        d.action === 'sign'
          ? { action: 'sign', recipients: [], certificate: d.certificate }
          : { action: 'unsigned', recipients: [] };
      groups.set(key, g);
    }
    g.recipients.push(d.recipient);
  }
  return [...groups.values()];
}
