/**
 * The one relay pipeline: parse once → decide per recipient → sign once per certificate →
 * deliveries as bytes. `send-test`, the test-message preview and the relay server all run
 * exactly this; they differ only in where the composition and the signers come from.
 */
import type { CertificateRef, Decision } from '../../contract';
import type { PreparedSigner } from '../engine/cms';
import { normalizeEmail } from '../engine/certificate';
import { headerValue, parseAddresses, parseMessage, type HeaderField } from '../engine/mime';
import { SmimeError } from '../errors';
import { signMessagePartsAsync } from '../engine/smime';
import { decide, groupDeliveries, type Envelope, type PolicyComposition } from './policy';

/** Where the pipeline gets the signer of a certificate the decision chose (a bundle, or the keychain). */
export type SignerSource = (certificate: CertificateRef) => PreparedSigner | Promise<PreparedSigner>;

/** One message for every recipient with the same outcome. `message` stays a list of buffers until it is written. */
export type PipelineDelivery =
  | { action: 'sign'; recipients: string[]; certificate: CertificateRef; message: Buffer[]; size: number }
  | { action: 'unsigned'; recipients: string[]; message: Buffer[]; size: number };

export interface PipelineResult {
  decisions: Decision[];
  deliveries: PipelineDelivery[];
}

export interface PipelineOptions {
  /**
   * A relay in a mail flow sees no marks on its recipients: with this set, every envelope
   * recipient that no To, Cc, Resent-To or Resent-Cc field names is a BCC copy (what
   * Postfix's always_bcc / sender_bcc_maps and a sender's own Bcc produce).
   */
  detectBccCopies?: boolean;
}

const ADDRESSED = new Set(['to', 'cc', 'resent-to', 'resent-cc']);

/** Marks the envelope recipients that the message's address fields do not name as BCC copies. */
export function markBccCopies(envelope: Envelope, headers: readonly HeaderField[]): Envelope {
  const named = new Set<string>();
  for (const h of headers) {
    if (ADDRESSED.has(h.key)) for (const a of parseAddresses(headerValue(h))) named.add(a.toLowerCase());
  }
  return {
    mailFrom: envelope.mailFrom,
    recipients: envelope.recipients.map((r) =>
      named.has(normalizeEmail(r.address).toLowerCase()) ? r : { ...r, bccCopy: true },
    ),
  };
}

const total = (parts: Buffer[]): number => parts.reduce((n, b) => n + b.length, 0);

/**
 * Runs one message through the composition. Unsigned deliveries carry the input bytes
 * untouched; signed ones the multipart/signed message (RFC 8551 §3.5.3). A message that is
 * not RFC 5322 throws MESSAGE_INVALID before any decision is made.
 */
export async function runPipeline(
  policy: PolicyComposition,
  signerFor: SignerSource,
  message: Buffer,
  envelope: Envelope,
  at: Date,
  what = 'the message',
  opts: PipelineOptions = {},
): Promise<PipelineResult> {
  const parsed = parseMessage(message, what);
  const env = opts.detectBccCopies ? markBccCopies(envelope, parsed.headers) : envelope;
  const decisions = decide(policy, env, parsed.headers, at);
  const deliveries: PipelineDelivery[] = [];
  for (const d of groupDeliveries(decisions)) {
    if (d.action === 'unsigned') {
      deliveries.push({ ...d, message: [message], size: message.length });
      continue;
    }
    const signer = await signerFor(d.certificate);
    const parts = await signMessagePartsAsync(parsed, signer, { now: at });
    deliveries.push({ ...d, message: parts, size: total(parts) });
  }
  return { decisions, deliveries };
}

/**
 * The envelope of a message as the relay sees it: MAIL FROM and recipients, intelligent-BCC
 * copies marked. Blank entries are dropped; an envelope without a recipient is refused.
 */
export function buildEnvelope(mailFrom: string, recipients: string[], bccCopies: string[] = []): Envelope {
  const clean = (xs: string[]): string[] => xs.map((a) => a.trim()).filter(Boolean);
  const envelope: Envelope = {
    mailFrom: parseAddresses(mailFrom)[0] ?? mailFrom.trim(),
    recipients: [
      ...clean(recipients).map((a) => ({ address: parseAddresses(a)[0] ?? a })),
      ...clean(bccCopies).map((a) => ({ address: parseAddresses(a)[0] ?? a, bccCopy: true })),
    ],
  };
  if (envelope.recipients.length === 0)
    throw new SmimeError('MESSAGE_INVALID', 'the message needs at least one recipient');
  return envelope;
}
