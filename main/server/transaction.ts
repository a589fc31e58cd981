/**
 * One mail transaction through the relay: the core pipeline decides and signs, every delivery
 * goes upstream, and each recipient ends with exactly one outcome and one SMTP reply. Nothing
 * is answered 2xx that the upstream did not accept (STYLE.md "Servers"; Postfix FILTER_README).
 */
import type { Decision } from '../contract';
import { describeError } from '../core/errors';
import { buildEnvelope, runPipeline, type PipelineDelivery } from '../core/relay/pipeline';
import type { RelayConfig } from '../core/relay/config';
import type { RelayMode } from './options';
import { UpstreamError, type Upstream, type UpstreamReply } from './outbound';

export type Outcome = 'signed' | 'unsigned' | 'rejected' | 'failed';

/** Why a recipient got its outcome: a decision reason code, or one of the relay's own. */
export type OutcomeReason =
  | Decision['reason']
  | 'message-invalid'
  | 'message-too-large'
  | 'upstream-temporary'
  | 'upstream-permanent'
  | 'internal';

export interface Reply {
  code: number;
  enhanced: string;
  text: string;
}

export interface RecipientOutcome {
  recipient: string;
  outcome: Outcome;
  reason: OutcomeReason;
  reply: Reply;
}

export interface TransactionInput {
  id: string;
  config: RelayConfig;
  mailFrom: string;
  /** envelope recipients as the client gave them, in order */
  rcptTo: string[];
  message: Buffer;
  use8BitMime: boolean;
  mode: RelayMode;
  at: Date;
}

export interface TransactionResult {
  /** one per envelope recipient, in envelope order (LMTP replies in this order) */
  recipients: RecipientOutcome[];
  /** SMTP mode's single reply for the whole message */
  reply: Reply;
  bytesOut: number;
  deliveries: number;
}

const ok = (text: string): Reply => ({ code: 250, enhanced: '2.6.0', text });

/** The reply that stands for a set of outcomes in SMTP mode, where one DATA gets one reply. */
function wholeMessageReply(id: string, outcomes: RecipientOutcome[], accepted: number): Reply {
  const bad = outcomes.filter((o) => o.reply.code >= 400);
  if (bad.length === 0) return ok(`${id} delivered to ${outcomes.length} recipient(s)`);
  // every recipient refused for good and nothing went out: the sender may as well know now
  if (accepted === 0 && bad.length === outcomes.length && bad.every((o) => o.reply.code >= 500)) return bad[0]!.reply;
  // anything temporary, or a mix with recipients the upstream already accepted: the client retries it all
  const temporary = bad.find((o) => o.reply.code < 500) ?? bad[0]!;
  if (temporary.reply.code < 500) return temporary.reply;
  return {
    code: 451,
    enhanced: '4.4.1',
    text: `${id} not delivered to every recipient; try again (${temporary.reply.text})`,
  };
}

function upstreamReply(e: UpstreamError): { reply: Reply; reason: OutcomeReason } {
  if (e.reply && e.reply.code >= 500) {
    return {
      reason: 'upstream-permanent',
      reply: { code: e.reply.code, enhanced: e.reply.enhanced ?? '5.0.0', text: e.message },
    };
  }
  return { reason: 'upstream-temporary', reply: { code: 451, enhanced: '4.4.1', text: e.message } };
}

function refused(r: UpstreamReply, where: string): { reply: Reply; reason: OutcomeReason } {
  const text = `upstream ${where} refused the recipient: ${r.code} ${r.enhanced ?? ''} ${r.text}`.replace(/ +/g, ' ');
  return r.code >= 500
    ? { reason: 'upstream-permanent', reply: { code: r.code, enhanced: r.enhanced ?? '5.0.0', text } }
    : { reason: 'upstream-temporary', reply: { code: 451, enhanced: '4.4.1', text } };
}

/**
 * Runs one transaction. In SMTP mode nothing is sent upstream when any recipient is
 * rejected (the whole message gets that 451), and deliveries stop at the first failure; in
 * LMTP mode each recipient stands alone. A message that is not RFC 5322 gets 554 5.6.0.
 */
export async function runTransaction(input: TransactionInput, upstream: Upstream): Promise<TransactionResult> {
  const { config, id } = input;
  const all = (outcome: Outcome, reason: OutcomeReason, reply: Reply): TransactionResult => {
    const recipients = input.rcptTo.map((recipient) => ({ recipient, outcome, reason, reply }));
    return { recipients, reply, bytesOut: 0, deliveries: 0 };
  };
  let decisions: Decision[];
  let deliveries: PipelineDelivery[];
  try {
    const envelope = buildEnvelope(input.mailFrom, input.rcptTo);
    ({ decisions, deliveries } = await runPipeline(
      config.policy,
      config.signerFor,
      input.message,
      envelope,
      input.at,
      'the message',
      { detectBccCopies: true },
    ));
  } catch (e) {
    const { code, message } = describeError(e);
    if (code === 'MESSAGE_INVALID')
      return all('rejected', 'message-invalid', { code: 554, enhanced: '5.6.0', text: message });
    return all('failed', 'internal', { code: 451, enhanced: '4.3.0', text: `${id} local error: ${message}` });
  }

  // decisions follow the envelope's order, which is the client's RCPT order
  const outcomes: RecipientOutcome[] = decisions.map((d, i) => {
    const recipient = input.rcptTo[i] ?? d.recipient;
    if (d.action === 'reject') return { recipient, outcome: 'rejected', reason: d.reason, reply: { ...d.smtp } };
    const outcome: Outcome = d.action === 'sign' ? 'signed' : 'unsigned';
    return { recipient, outcome, reason: d.reason, reply: ok('pending') };
  });
  const byDecided = new Map<string, number[]>();
  decisions.forEach((d, i) => byDecided.set(d.recipient, [...(byDecided.get(d.recipient) ?? []), i]));

  if (input.mode === 'smtp' && outcomes.some((o) => o.outcome === 'rejected')) {
    const first = outcomes.find((o) => o.outcome === 'rejected')!;
    for (const o of outcomes) if (o.outcome !== 'rejected') o.reply = first.reply;
    return { recipients: outcomes, reply: first.reply, bytesOut: 0, deliveries: 0 };
  }

  let bytesOut = 0;
  let sent = 0;
  let accepted = 0;
  let stop = false;
  const deliver = async (d: PipelineDelivery): Promise<void> => {
    const idx = [...new Set([...new Set(d.recipients)].flatMap((r) => byDecided.get(r) ?? []))];
    const to = idx.map((i) => outcomes[i]!.recipient);
    const fail = (f: { reply: Reply; reason: OutcomeReason }, only?: Set<string>) => {
      for (const i of idx) {
        const o = outcomes[i]!;
        if (only && !only.has(o.recipient.toLowerCase())) continue;
        o.outcome = 'failed';
        o.reason = f.reason;
        o.reply = f.reply;
      }
    };
    if (stop) return fail({ reason: 'upstream-temporary', reply: { code: 451, enhanced: '4.4.1', text: 'not sent' } });
    try {
      const r = await upstream.send(
        { from: input.mailFrom, to, size: d.size, use8BitMime: input.use8BitMime },
        d.message,
      );
      sent++;
      bytesOut += d.size;
      const done = ok(`${id} ${d.action === 'sign' ? 'signed' : 'unsigned'}; upstream: ${r.response}`);
      for (const i of idx) outcomes[i]!.reply = done;
      accepted += to.length - r.rejected.length;
      for (const rj of r.rejected) fail(refused(rj.reply, upstream.where), new Set([rj.recipient.toLowerCase()]));
      if (r.rejected.length && input.mode === 'smtp') stop = true;
    } catch (e) {
      if (!(e instanceof UpstreamError)) throw e;
      fail(upstreamReply(e));
      if (input.mode === 'smtp') stop = true;
    }
  };
  if (input.mode === 'lmtp') await Promise.all(deliveries.map(deliver));
  else for (const d of deliveries) await deliver(d);
  return { recipients: outcomes, reply: wholeMessageReply(id, outcomes, accepted), bytesOut, deliveries: sent };
}
