import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfStateStore } from '../../main/adapters/conf-state-store';
import { makeRecord } from '../../main/core/domain/certificates';
import { AdminService } from '../../main/core/domain/service';
import { emptyState, type Composition } from '../../main/core/domain/state';
import { inspectIdentity } from '../../main/core/engine/certificate';
import { openPkcs12 } from '../../main/core/engine/pkcs12';
import { defaultDestinationExceptions, defaultHeaderExceptions } from '../../main/core/relay/patterns';
import { TestPki } from '../helpers/pki';
import { MemorySecretStore, tempDir } from '../helpers/stores';
import { ADMIN_PASSWORD } from './steps';
const CERTS = 10_000;
const COMPS = 1_000;
const PER_COMP = 10;
const DAY = 86_400_000;
const pki = new TestPki();
/** A data folder with CERTS certificates (expiries spread over two and a half years) and COMPS compositions. */
export function seedForProfile(): string {
  const dataDir = tempDir('smime-e2e-scale-');
  const p12 = readFileSync(
    pki.p12(pki.leaf({ emails: ['bench@example.com'] }), { chain: 'intermediate', password: 'pw' }),
  );
  const info = inspectIdentity(openPkcs12(p12, 'pw'));
  const state = emptyState();
  const now = new Date();
  for (let i = 0; i < CERTS; i++) {
    const notAfter = new Date(now.getTime() + ((i * 7919) % 900) * DAY - 60 * DAY);
    const notBefore = new Date(Math.min(now.getTime() - 30 * DAY, notAfter.getTime() - 365 * DAY));
    state.certificates.push(
      makeRecord(
        { id: randomUUID(), version: 1, email: `user${i}@example.com`, addedAt: now.toISOString() },
        {
          ...info,
          commonName: `User ${i}`,
          notBefore: notBefore.toISOString(),
          notAfter: notAfter.toISOString(),
        },
        now,
      ),
    );
  }
  for (let c = 0; c < COMPS; c++) {
    const dest = defaultDestinationExceptions(1);
    const headers = defaultHeaderExceptions(dest.length + 1);
    const comp: Composition = {
      id: randomUUID(),
      name: `composition-${String(c).padStart(4, '0')}`,
      certificateIds: Array.from({ length: PER_COMP }, (_, k) => state.certificates[(c * PER_COMP + k) % CERTS]!.id),
      destinationExceptions: dest,
      headerExceptions: headers,
      intelligentBcc: false,
      nextExceptionId: dest.length + headers.length + 1,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      lastReflection: null,
    };
    state.compositions.push(comp);
  }
  new ConfStateStore(dataDir).save(state);
  new AdminService({ store: new ConfStateStore(dataDir), secrets: new MemorySecretStore(), dataDir }).setAdminPassword(
    ADMIN_PASSWORD,
  );
  return dataDir;
}
