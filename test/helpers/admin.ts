/** An admin service with one registered certificate checked in one composition: the start of most domain and relay tests. */
import { readFileSync } from 'node:fs';
import type { TestPki } from './pki';
import { FixedClock, makeService, MemorySecretStore, tempDir } from './stores';

/** Whole seconds, as X.509 times are: day counts cannot move at a second boundary. */
export function wholeSecondNow(): Date {
  return new Date(Math.floor(Date.now() / 1000) * 1000);
}

export async function seededService(pki: TestPki, opts: { now?: Date; email?: string; composition?: string } = {}) {
  const now = opts.now ?? wholeSecondNow();
  const email = opts.email ?? 'info@example.com';
  const composition = opts.composition ?? 'Transactional';
  const clock = new FixedClock(now);
  const secrets = new MemorySecretStore();
  const { svc, dataDir } = makeService(tempDir(), secrets, clock);
  const leaf = pki.leaf({
    emails: [email],
    notBefore: new Date(now.getTime() - 86_400_000),
    notAfter: new Date(now.getTime() + 365 * 86_400_000),
  });
  const p12 = readFileSync(pki.p12(leaf, { chain: 'intermediate', password: 'pw-info' }));
  await svc.addCertificate({ email, p12, password: 'pw-info' });
  svc.createComposition(composition);
  svc.setCertificateEnabled(composition, email, true);
  return { svc, dataDir, clock, secrets, now, leaf, p12 };
}
