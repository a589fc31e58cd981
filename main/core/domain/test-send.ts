/**
 * Test messages: the relay pipeline run offline with a composition's current (possibly not
 * yet reflected) settings and the certificates from the keychain, every signed result
 * verified the way a recipient would. The preview pane and its saved .eml files show this.
 */
import type { CertificateRef, CertWarning, Decision, VerificationView } from '../../contract';
import { prepareSigner, type PreparedSigner } from '../engine/cms';
import { inspectIdentity } from '../engine/certificate';
import type { SigningIdentity } from '../engine/pkcs12';
import { verifyMessage } from '../engine/smime';
import { SmimeError } from '../errors';
import { compilePolicy, type Envelope } from '../relay/policy';
import { runPipeline, type PipelineDelivery } from '../relay/pipeline';
import { loadIdentity } from './certificates';
import { findComposition } from './compositions';
import type { DomainContext } from './context';
import type { CertRecord } from './state';

export type TestDelivery = PipelineDelivery & { verification: VerificationView | null; warnings: CertWarning[] };

export interface TestSendOutcome {
  decisions: Decision[];
  deliveries: TestDelivery[];
}

const EXPIRY_CODES = new Set<CertWarning['code']>(['expired', 'not-yet-valid', 'expires-soon']);

export async function testSend(
  ctx: DomainContext,
  name: string,
  message: Buffer,
  envelope: Envelope,
  at: Date,
): Promise<TestSendOutcome> {
  const state = ctx.load();
  const c = findComposition(state, name);
  const byId = new Map(state.certificates.map((r) => [r.id, r]));
  const records = c.certificateIds.map((id) => byId.get(id)).filter((r): r is CertRecord => r !== undefined);
  const policy = compilePolicy({
    ...c,
    certificates: records.map((r) => ({
      email: r.email,
      fingerprintSha256: r.fingerprintSha256,
      notBefore: new Date(r.notBefore),
      notAfter: new Date(r.notAfter),
    })),
  });
  const identities = new Map<string, SigningIdentity>();
  const signerFor = async (ref: CertificateRef): Promise<PreparedSigner> => {
    const rec = records.find((r) => r.fingerprintSha256 === ref.fingerprintSha256);
    if (!rec) throw new SmimeError('CERT_NOT_FOUND', `no certificate is registered for ${ref.email}`);
    const { identity } = await loadIdentity(ctx, rec);
    identities.set(ref.fingerprintSha256, identity);
    return prepareSigner(identity);
  };
  // as the relay does: a recipient the message's To and Cc do not name (a Bcc) is a BCC copy
  const result = await runPipeline(policy, signerFor, message, envelope, at, 'the test message', {
    detectBccCopies: true,
  });
  const deliveries = result.deliveries.map((d): TestDelivery => {
    if (d.action === 'unsigned') return { ...d, verification: null, warnings: [] };
    const identity = identities.get(d.certificate.fingerprintSha256)!;
    const anchors = identity.chain.filter((x) => x.checkIssued(x));
    const verified = verifyMessage(
      Buffer.concat(d.message),
      anchors.length > 0 ? { ca: anchors, now: at } : { now: at },
    );
    const { content: _c, outerHeaders: _h, ...verification } = verified;
    const warnDays = state.settings.warnDays[0];
    const warnings = inspectIdentity(identity, { now: at, warnDays }).warnings.filter((w) => EXPIRY_CODES.has(w.code));
    return { ...d, verification, warnings };
  });
  return { decisions: result.decisions, deliveries };
}
