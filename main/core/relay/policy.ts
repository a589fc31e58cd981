/**
 * The send decision: for a message and its envelope, what the relay does for each recipient.
 * A pure function of the composition, the envelope, the message's header fields and the time.
 */
import { normalizeEmail } from '../engine/certificate';
import { contentTypeOf, headerValue, isSecuredContentType, parseAddresses, type HeaderField } from '../engine/mime';
import { PatternSet } from './patterns';
import type { DestinationException, HeaderException } from '../domain/state';

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

export type DecisionReason =
  | 'signed'
  | 'bcc-copy'
  | 'header-exception'
  | 'destination-exception'
  | 'already-secured'
  | 'no-certificate'
  | 'certificate-expired'
  | 'certificate-not-yet-valid';

export interface Decision {
  recipient: string;
  action: 'sign' | 'unsigned' | 'reject';
  reason: DecisionReason;
  /** exactly why, in words */
  detail: string;
  /** for reject: the SMTP reply the relay gives */
  smtpCode?: number;
  smtpText?: string;
  certificate?: { email: string; fingerprintSha256: string };
  exceptionId?: number;
}

export const SMTP_EXPIRED = 'S/MIME certificate is expired';
export const SMTP_NOT_YET_VALID = 'S/MIME certificate is not yet valid';

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
export function decide(policy: PolicyComposition, envelope: Envelope, headers: readonly HeaderField[], at: Date): Decision[] {
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
    if (r.bccCopy && policy.intelligentBcc) {
      return { recipient, action: 'unsigned', reason: 'bcc-copy', detail: 'copy forwarded by intelligent BCC; BCC copies are not signed' };
    }
    if (headerHit) {
      return {
        recipient,
        action: 'unsigned',
        reason: 'header-exception',
        detail: `header exception #${headerHit.id}: ${headerHit.header} "${headerValueHit.slice(0, 80)}" matches ${headerHit.pattern}`,
        exceptionId: headerHit.id,
      };
    }
    if (secured) {
      return { recipient, action: 'unsigned', reason: 'already-secured', detail: `the message is already ${topType.type}/${topType.subtype}; it is not signed again` };
    }
    const dest = policy.destinations.firstMatch(recipient);
    if (dest) {
      return { recipient, action: 'unsigned', reason: 'destination-exception', detail: `destination exception #${dest.id}: matches ${dest.pattern}`, exceptionId: dest.id };
    }
    if (!cert) {
      return {
        recipient,
        action: 'unsigned',
        reason: 'no-certificate',
        detail: sender ? `no certificate operates for ${sender} in composition "${policy.name}"` : 'the message has no From address and no MAIL FROM',
      };
    }
    const certificate = { email: cert.email, fingerprintSha256: cert.fingerprintSha256 };
    if (at > cert.notAfter) {
      return { recipient, action: 'reject', reason: 'certificate-expired', detail: `the certificate for ${cert.email} expired on ${cert.notAfter.toISOString()}`, smtpCode: 451, smtpText: SMTP_EXPIRED, certificate };
    }
    if (at < cert.notBefore) {
      return { recipient, action: 'reject', reason: 'certificate-not-yet-valid', detail: `the certificate for ${cert.email} is valid from ${cert.notBefore.toISOString()}`, smtpCode: 451, smtpText: SMTP_NOT_YET_VALID, certificate };
    }
    return { recipient, action: 'sign', reason: 'signed', detail: `signed with the certificate for ${cert.email}`, certificate };
  });
}

export interface Delivery {
  action: 'sign' | 'unsigned';
  recipients: string[];
  certificate?: { email: string; fingerprintSha256: string };
}

/** Recipients with the same outcome share one delivery; rejected recipients get none. */
export function groupDeliveries(decisions: readonly Decision[]): Delivery[] {
  const groups = new Map<string, Delivery>();
  for (const d of decisions) {
    if (d.action === 'reject') continue;
    const key = d.action === 'sign' ? `sign:${d.certificate!.fingerprintSha256}` : 'unsigned';
    const g = groups.get(key) ?? { action: d.action, recipients: [], ...(d.certificate && d.action === 'sign' ? { certificate: d.certificate } : {}) };
    g.recipients.push(d.recipient);
    groups.set(key, g);
  }
  return [...groups.values()];
}
