import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reflectWarningText } from '../../../main/contract';
import { seededService } from '../../helpers/admin';
import { errorOf } from '../../helpers/errors';
import { TestPki } from '../../helpers/pki';
import { makeService, MemorySecretStore, snapshotDir, tempDir } from '../../helpers/stores';

let pki: TestPki;
beforeAll(() => {
  pki = new TestPki();
});
afterAll(() => pki.cleanup());

const PASS = 'a long bundle passphrase';
const DAY = 86_400_000;

describe('pending changes and reflect', () => {
  it('shows pending changes until reflected, then what changed since', async () => {
    const { svc } = await seededService(pki);
    expect(svc.pending('Transactional')[0]!.changes).toEqual([{ kind: 'never-reflected', subject: 'Transactional' }]);
    const out = join(tempDir(), 'bundle.json');
    const r = await svc.reflect('Transactional', PASS, out);
    expect(r).toMatchObject({
      composition: 'Transactional',
      certificates: 1,
      size: readFileSync(out).length,
      warnings: [],
    });
    expect(r.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(svc.pending('Transactional')[0]!.changes).toEqual([]);
    expect(svc.getComposition('Transactional').pending).toBe(false);
    svc.setIntelligentBcc('Transactional', true);
    svc.addDestinationException('Transactional', '@example\\.net$');
    svc.setExceptionEnabled('Transactional', 1, false);
    svc.setCertificateEnabled('Transactional', 'info@example.com', false);
    svc.addHeaderException('Transactional', 'X-No-Sign', '^yes$');
    expect(svc.pending('Transactional')[0]!.changes).toEqual([
      { kind: 'certificate-removed', subject: 'info@example.com' },
      { kind: 'destination-added', subject: '@example\\.net$' },
      { kind: 'destination-removed', subject: '@(?:[^@]+\\.)?docomo\\.ne\\.jp$' },
      // the header as the admin spelt it
      { kind: 'header-added', subject: 'X-No-Sign: ^yes$' },
      { kind: 'bcc-changed', subject: 'off → on' },
    ]);
  });

  it('warns with codes, in either language, about certificates that expire or have expired', async () => {
    const { svc, clock, now } = await seededService(pki);
    clock.t = new Date(now.getTime() + 350 * DAY);
    const soon = await svc.reflect('Transactional', PASS, join(tempDir(), 'b.json'), undefined, { confirm: 'all' });
    expect(soon.warnings).toEqual([{ code: 'certificate-expiring', params: { email: 'info@example.com', days: 15 } }]);
    expect(reflectWarningText(soon.warnings[0]!)).toBe('the certificate for info@example.com expires in 15 days');
    expect(reflectWarningText(soon.warnings[0]!, 'ja')).toBe(
      'info@example.com の証明書はあと15日で期限切れになります。',
    );
    clock.t = new Date(now.getTime() + 400 * DAY);
    const late = await svc.reflect('Transactional', PASS, join(tempDir(), 'b.json'), undefined, { confirm: 'all' });
    expect(late.warnings.map((w) => w.code)).toEqual(['certificate-expired']);
  });
});

describe('bundle import', () => {
  it('imports a bundle on another admin machine', async () => {
    const { svc } = await seededService(pki);
    svc.addDestinationException('Transactional', '@partner\\.example$');
    const out = join(tempDir(), 'bundle.json');
    await svc.reflect('Transactional', PASS, out);
    const other = makeService(tempDir(), new MemorySecretStore());
    const r = await other.svc.importBundle(readFileSync(out), PASS, 'bundle.json');
    expect(r).toEqual({
      composition: 'Transactional',
      created: true,
      certificatesAdded: ['info@example.com'],
      certificatesUpdated: [],
      certificatesUnchanged: [],
    });
    const c = other.svc.getComposition('Transactional');
    expect(c.id).toBe(svc.getComposition('Transactional').id);
    expect(c.certificates.filter((x) => x.enabled).map((x) => x.email)).toEqual(['info@example.com']);
    expect(c.destinationExceptions.some((e) => e.pattern === '@partner\\.example$')).toBe(true);
    expect(other.svc.pending('Transactional')[0]!.changes).toEqual([]);
    const again = await other.svc.importBundle(readFileSync(out), PASS);
    expect(again.certificatesUnchanged).toEqual(['info@example.com']);
  });

  /** "Transactional" reflected, renamed to `newName` and reflected again; and another admin machine, empty. */
  async function reflectedThenRenamed(newName: string) {
    const { svc } = await seededService(pki);
    const first = join(tempDir(), 'first.json');
    await svc.reflect('Transactional', PASS, first);
    svc.renameComposition('Transactional', newName);
    const renamed = join(tempDir(), 'renamed.json');
    await svc.reflect(newName, PASS, renamed);
    return { svc, first, renamed, other: makeService(tempDir(), new MemorySecretStore()) };
  }

  it('logs an import that creates or renames the composition, so the audit log follows it', async () => {
    const { first, renamed, other } = await reflectedThenRenamed('Notices 通知');
    other.svc.createComposition('Notices 通知'); // an earlier composition of that name, gone before the imports
    other.svc.deleteComposition('Notices 通知');
    await other.svc.importBundle(readFileSync(first), PASS, 'first.json');
    expect((await other.svc.importBundle(readFileSync(renamed), PASS, 'renamed.json')).created).toBe(false);
    const log = other.svc.auditLog();
    expect(log[0]!.details).toMatchObject({ previousName: 'Transactional' });
    expect(log[1]!.details).toMatchObject({ created: true });
    const actions = (target: string) => other.svc.auditLog({ target }).map((e) => `${e.action} ${e.target}`);
    expect(actions('notices 通知')).toEqual(['bundle.import Notices 通知', 'bundle.import Transactional']);
    expect(actions('Transactional')).toEqual(['bundle.import Transactional']);
  });

  it('refuses a bundle that renames its composition to a name another one has here, changing nothing', async () => {
    const { svc, first, renamed, other } = await reflectedThenRenamed('Orders');
    await other.svc.importBundle(readFileSync(first), PASS, 'first.json');
    other.svc.createComposition('orders'); // another composition, the same name but for case
    const before = snapshotDir(other.dataDir);
    const why =
      'COMPOSITION_EXISTS: renamed.json renames "Transactional" to "Orders", and another composition here already has that name; rename that one first';
    expect(
      await errorOf(Promise.resolve().then(() => other.svc.previewImport(readFileSync(renamed), PASS, 'renamed.json'))),
    ).toBe(why);
    expect(await errorOf(other.svc.importBundle(readFileSync(renamed), PASS, 'renamed.json'))).toBe(why);
    expect(snapshotDir(other.dataDir)).toEqual(before);
    // a rename that only changes the case of its own name is no clash
    svc.renameComposition('Orders', 'ORDERS');
    other.svc.renameComposition('orders', 'Returns');
    const recased = join(tempDir(), 'recased.json');
    await svc.reflect('ORDERS', PASS, recased);
    await other.svc.importBundle(readFileSync(renamed), PASS, 'renamed.json');
    await other.svc.importBundle(readFileSync(recased), PASS, 'recased.json');
    expect(
      other.svc
        .listCompositions()
        .map((c) => c.name)
        .sort(),
    ).toEqual(['ORDERS', 'Returns']);
  });

  it('refuses to discard changes not yet reflected, and to roll back to an older bundle, unless told to', async () => {
    const { svc } = await seededService(pki);
    const older = join(tempDir(), 'older.json');
    const newer = join(tempDir(), 'newer.json');
    await svc.reflect('Transactional', PASS, older);
    svc.setIntelligentBcc('Transactional', true);
    await svc.reflect('Transactional', PASS, newer);
    svc.addDestinationException('Transactional', '@local\\.example$');
    svc.setIntelligentBcc('Transactional', false);
    const dir = tempDir();
    const before = snapshotDir(svc.dataDir);
    expect(await errorOf(svc.importBundle(readFileSync(newer), PASS, 'newer.json'))).toBe(
      'USAGE: "Transactional" has 2 changes not yet reflected that importing would discard; reflect them first or import with --discard-pending',
    );
    expect(snapshotDir(svc.dataDir)).toEqual(before);
    await svc.importBundle(readFileSync(newer), PASS, 'newer.json', { discardPending: true });
    expect(svc.pending('Transactional')[0]!.changes).toEqual([]);
    expect(svc.getComposition('Transactional').intelligentBcc).toBe(true);
    expect(await errorOf(svc.importBundle(readFileSync(older), PASS, 'older.json'))).toMatch(
      /^BUNDLE_INVALID: older.json is older than what "Transactional" last reflected \(reflection 1 < 2\)/,
    );
    await svc.importBundle(readFileSync(older), PASS, 'older.json', { allowOlder: true });
    expect(svc.getComposition('Transactional').intelligentBcc).toBe(false);
    expect(dir).toBeTruthy();
  });

  it('refuses a bundle whose composition is another one with the same name, changing nothing', async () => {
    const a = await seededService(pki);
    const out = join(tempDir(), 'a.json');
    await a.svc.reflect('Transactional', PASS, out);
    const b = await seededService(pki);
    const before = snapshotDir(b.dataDir);
    expect(await errorOf(b.svc.importBundle(readFileSync(out), PASS, 'a.json'))).toMatch(
      /^COMPOSITION_EXISTS: a different composition named "Transactional" already exists here/,
    );
    expect(snapshotDir(b.dataDir)).toEqual(before);
    expect([...b.secrets.map.keys()]).toHaveLength(1);
  });
});
