/**
 * The server side of a bundle: the same core a relay runs. Given a bundle, its passphrase,
 * a message and its envelope, produce what each recipient would receive.
 */
import { X509Certificate } from 'node:crypto';
import { openBundle, type OpenedBundle } from './bundle';
import { prepareSigner, type PreparedSigner } from '../engine/cms';
import { parseMessage } from '../engine/mime';
import { openPkcs12 } from '../engine/pkcs12';
import { compilePolicy, decide, groupDeliveries, type Decision, type Envelope, type PolicyComposition } from './policy';
import { signMessage } from '../engine/smime';

export interface RelayConfig {
  bundle: OpenedBundle;
  policy: PolicyComposition;
  signers: Map<string, PreparedSigner>;
}

/** Opens a bundle and prepares its signers once; a relay keeps this for its lifetime. */
export function loadRelayConfig(bytes: Buffer, passphrase: string, name = 'the bundle'): RelayConfig {
  const bundle = openBundle(bytes, passphrase, name);
  const signers = new Map<string, PreparedSigner>();
  for (const c of bundle.certificates) {
    const id = openPkcs12(c.p12, c.password, `the certificate for ${c.email} in ${name}`);
    signers.set(new X509Certificate(id.certificate.raw).fingerprint256, prepareSigner(id));
  }
  const comp = bundle.payload.composition;
  const policy = compilePolicy({
    name: comp.name,
    intelligentBcc: comp.intelligentBcc,
    destinationExceptions: comp.destinationExceptions,
    headerExceptions: comp.headerExceptions,
    certificates: bundle.certificates.map((c) => ({ email: c.email, fingerprintSha256: c.fingerprintSha256, notBefore: new Date(c.notBefore), notAfter: new Date(c.notAfter) })),
  });
  return { bundle, policy, signers };
}

export interface RelayDelivery {
  action: 'sign' | 'unsigned';
  recipients: string[];
  certificate?: { email: string; fingerprintSha256: string };
  message: Buffer;
}

export interface RelayResult {
  decisions: Decision[];
  deliveries: RelayDelivery[];
}

/** What the relay does with one message: decisions per recipient, one message per delivery. */
export function relayMessage(config: RelayConfig, message: Buffer, envelope: Envelope, at: Date): RelayResult {
  const parsed = parseMessage(message);
  const decisions = decide(config.policy, envelope, parsed.headers, at);
  const deliveries = groupDeliveries(decisions).map((d): RelayDelivery => {
    if (d.action === 'unsigned') return { ...d, message };
    const signer = config.signers.get(d.certificate!.fingerprintSha256)!;
    return { ...d, message: signMessage(message, signer, { now: at }) };
  });
  return { decisions, deliveries };
}
