/**
 * A bundle turned into what a relay runs: the composition's policy with every pattern
 * compiled, and a prepared signer per certificate. Built whole or not at all, so a relay can
 * swap one configuration for the next without ever serving half of each.
 */
import { createHash, X509Certificate } from 'node:crypto';
import type { CertificateRef } from '../../contract';
import { prepareSigner, type PreparedSigner } from '../engine/cms';
import { openPkcs12 } from '../engine/pkcs12';
import { SmimeError } from '../errors';
import { openBundle } from './bundle';
import { compilePolicy, type OperatingCertificate, type PolicyComposition } from './policy';
import type { SignerSource } from './pipeline';

export interface RelayConfig {
  bundleId: string;
  /** SHA-256 of the bundle file, as the admin app records it in its history */
  fingerprintSha256: string;
  createdAt: string;
  createdBy: string;
  serial: number;
  composition: { id: string; name: string };
  certificates: OperatingCertificate[];
  policy: PolicyComposition;
  signerFor: SignerSource;
}

/**
 * Opens a bundle (authenticated), opens every PKCS#12 in it, checks each names its address,
 * compiles every pattern, and prepares the signers once; a relay keeps the result while the
 * bundle is in force. Any failure throws and nothing is kept.
 */
export function loadRelayConfig(bytes: Buffer, passphrase: string, name = 'the bundle'): RelayConfig {
  const bundle = openBundle(bytes, passphrase, name);
  const signers = new Map<string, PreparedSigner>();
  for (const c of bundle.certificates) {
    const id = openPkcs12(c.p12, c.password, `the certificate for ${c.email} in ${name}`);
    const fingerprint = new X509Certificate(id.certificate.raw).fingerprint256;
    if (fingerprint !== c.fingerprintSha256) {
      throw new SmimeError(
        'BUNDLE_INVALID',
        `${name} is damaged: the certificate for ${c.email} is not the one it lists`,
      );
    }
    signers.set(fingerprint, prepareSigner(id));
  }
  const { composition, bundleId, createdAt, createdBy, serial } = bundle.payload;
  const certificates = bundle.certificates.map((c) => ({
    email: c.email,
    fingerprintSha256: c.fingerprintSha256,
    notBefore: new Date(c.notBefore),
    notAfter: new Date(c.notAfter),
  }));
  const policy = compilePolicy({ ...composition, certificates });
  const signerFor: SignerSource = (ref: CertificateRef) => {
    const s = signers.get(ref.fingerprintSha256);
    if (!s) throw new SmimeError('INTERNAL', `no signer for ${ref.email} in ${name}`);
    return s;
  };
  return {
    bundleId,
    fingerprintSha256: createHash('sha256').update(bytes).digest('hex'),
    createdAt,
    createdBy,
    serial,
    composition: { id: composition.id, name: composition.name },
    certificates,
    policy,
    signerFor,
  };
}
