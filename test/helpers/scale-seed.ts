/**
 * A data folder at a large sender's scale, written directly as scripts/bench-admin.ts does
 * (records through makeRecord, one ConfStateStore save): for tests that measure, never for the app.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfStateStore } from '../../main/adapters/conf-state-store';
import { makeRecord } from '../../main/core/domain/certificates';
import { newComposition } from '../../main/core/domain/compositions';
import { AdminService } from '../../main/core/domain/service';
import { emptyState } from '../../main/core/domain/state';
import { inspectIdentity } from '../../main/core/engine/certificate';
import { openPkcs12 } from '../../main/core/engine/pkcs12';
import type { TestPki } from './pki';
import { MemorySecretStore, tempDir } from './stores';

const DAY = 86_400_000;
export const SCALE_ADMIN_PASSWORD = 'correct horse battery';

/**
 * `certificates` records (user0@example.com …, "User 0" …) whose expiries are spread from two
 * months ago to two and a half years ahead, and `compositions` compositions
 * (composition-0000 …) with the default exceptions and `perComposition` certificates checked
 * each; the admin password set. No p12 files: listing and rendering do not open them.
 */
export function seedScaleDataFolder(
  pki: TestPki,
  size: { certificates: number; compositions: number; perComposition: number },
): string {
  const dataDir = tempDir('smime-e2e-scale-');
  const p12 = readFileSync(
    pki.p12(pki.leaf({ emails: ['bench@example.com'] }), { chain: 'intermediate', password: 'pw' }),
  );
  const info = inspectIdentity(openPkcs12(p12, 'pw'));
  const state = emptyState();
  const now = new Date();
  for (let i = 0; i < size.certificates; i++) {
    const notAfter = new Date(now.getTime() + ((i * 7919) % 900) * DAY - 60 * DAY);
    const notBefore = new Date(Math.min(now.getTime() - 30 * DAY, notAfter.getTime() - 365 * DAY));
    state.certificates.push(
      makeRecord(
        { id: randomUUID(), version: 1, email: `user${i}@example.com`, addedAt: now.toISOString() },
        { ...info, commonName: `User ${i}`, notBefore: notBefore.toISOString(), notAfter: notAfter.toISOString() },
        now,
      ),
    );
  }
  for (let c = 0; c < size.compositions; c++) {
    const comp = newComposition(
      randomUUID(),
      `composition-${String(c).padStart(4, '0')}`,
      now.toISOString(),
      Array.from(
        { length: size.perComposition },
        (_, k) => state.certificates[(c * size.perComposition + k) % size.certificates]!.id,
      ),
    );
    state.compositions.push(comp);
  }
  new ConfStateStore(dataDir).save(state);
  new AdminService({ store: new ConfStateStore(dataDir), secrets: new MemorySecretStore(), dataDir }).setAdminPassword(
    SCALE_ADMIN_PASSWORD,
  );
  return dataDir;
}
