import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestPki, type Issued } from '../../helpers/pki';
import { errorOf } from '../../helpers/errors';
import { FixedClock, makeService, MemorySecretStore, snapshotDir, tempDir } from '../../helpers/stores';

let pki: TestPki;
let alice: Issued;
let aliceP12: Buffer;
const PW = 'p12-Pässword-123';

beforeAll(() => {
  pki = new TestPki();
  alice = pki.leaf({ emails: ['alice@example.com', 'news@example.com'] });
  aliceP12 = readFileSync(pki.p12(alice, { password: PW, chain: 'intermediate' }));
});
afterAll(() => pki.cleanup());

const err = errorOf;

describe('certificate registry', () => {
  it('registers a p12 for an address in the certificate, password in the keychain only', async () => {
    const { svc, dataDir, secrets } = makeService();
    const view = await svc.addCertificate({ email: 'News@EXAMPLE.com', p12: aliceP12, password: PW });
    // registered as the certificate spells the address, whatever case was typed
    expect(view).toMatchObject({
      email: 'news@example.com',
      status: 'valid',
      usedBy: [],
      chainLength: 1,
      keyType: 'RSA',
    });
    expect([...(secrets as MemorySecretStore).map.values()]).toEqual([PW]);
    // nothing under the data folder holds the password or an unencrypted private key
    const keyDer = createPrivateKey(readFileSync(alice.keyPath)).export({ type: 'pkcs8', format: 'der' });
    for (const [path, { data, mode }] of snapshotDir(dataDir)) {
      expect(data.includes(Buffer.from(PW, 'utf8')), path).toBe(false);
      expect(data.includes(Buffer.from(PW, 'utf16le')), path).toBe(false);
      expect(data.includes(keyDer.subarray(20, 80)), path).toBe(false);
      expect(data.toString('latin1')).not.toMatch(/PRIVATE KEY/);
      if (path.endsWith('.p12') || path.endsWith('config.json') || path.endsWith('audit.log'))
        expect(mode, path).toBe(0o600);
    }
  });

  it('refuses an address the certificate does not name, saying which it names, and writes nothing', async () => {
    const { svc, dataDir } = makeService();
    const before = snapshotDir(dataDir);
    expect(await err(svc.addCertificate({ email: 'bob@example.com', p12: aliceP12, password: PW }))).toBe(
      'EMAIL_NOT_IN_CERTIFICATE: bob@example.com is not in this certificate; it is for alice@example.com, news@example.com',
    );
    expect(await err(svc.addCertificate({ email: 'alice@example.com', p12: aliceP12, password: 'wrong' }))).toMatch(
      /^P12_WRONG_PASSWORD/,
    );
    expect(await err(svc.addCertificate({ email: 'not an address', p12: aliceP12, password: PW }))).toMatch(
      /^EMAIL_INVALID/,
    );
    expect(snapshotDir(dataDir)).toEqual(before);
  });

  it('leaves nothing behind when the keychain fails', async () => {
    const secrets = new MemorySecretStore();
    const { svc, dataDir } = makeService(tempDir(), secrets);
    svc.createComposition('x'); // creates the settings file
    const before = snapshotDir(dataDir);
    secrets.failNextSet = true;
    expect(await err(svc.addCertificate({ email: 'alice@example.com', p12: aliceP12, password: PW }))).toMatch(
      /^KEYCHAIN_UNAVAILABLE/,
    );
    expect(snapshotDir(dataDir)).toEqual(before);
    expect(svc.listCertificates()).toEqual([]);
  });

  it('reports status against configurable thresholds', async () => {
    const DAY = 86_400_000;
    // one instant for everything (whole seconds, as X.509 times are), so no second boundary can move a day count
    const NOW = new Date(Math.floor(Date.now() / 1000) * 1000);
    const clock = new FixedClock(NOW);
    const { svc } = makeService(tempDir(), new MemorySecretStore(), clock);
    const soon = pki.leaf({
      emails: ['soon@example.com'],
      notBefore: new Date(NOW.getTime() - DAY),
      notAfter: new Date(NOW.getTime() + 20 * DAY - 3_600_000),
    });
    await svc.addCertificate({ email: 'soon@example.com', p12: readFileSync(pki.p12(soon)), password: 'secret' });
    await svc.addCertificate({ email: 'alice@example.com', p12: aliceP12, password: PW });
    expect(svc.getCertificate('soon@example.com')).toMatchObject({ status: 'expiring', daysLeft: 19, threshold: 0 });
    svc.updateSettings({ warnDays: [10, 3] });
    expect(svc.getCertificate('soon@example.com')).toMatchObject({ status: 'valid', threshold: null });
    clock.t = new Date(NOW.getTime() + 18 * DAY);
    expect(svc.getCertificate('soon@example.com')).toMatchObject({ status: 'expiring', threshold: 1 });
    clock.t = new Date(NOW.getTime() + 21 * DAY);
    expect(svc.getCertificate('soon@example.com')).toMatchObject({ status: 'expired' });
    expect(svc.certificatesNeedingAttention().map((c) => c.email)).toEqual(['soon@example.com']);
    expect(svc.listCertificates().map((c) => c.email)).toEqual(['soon@example.com', 'alice@example.com']);
  });

  it('renews: the old certificate stays until the new one is valid and saved', async () => {
    const { svc, secrets } = makeService();
    await svc.addCertificate({ email: 'alice@example.com', p12: aliceP12, password: PW });
    const old = svc.getCertificate('alice@example.com');
    const other = readFileSync(pki.p12(pki.leaf({ emails: ['bob@example.com'] })));
    expect(await err(svc.renewCertificate({ email: 'alice@example.com', p12: other, password: 'secret' }))).toMatch(
      /^EMAIL_NOT_IN_CERTIFICATE/,
    );
    expect(svc.getCertificate('alice@example.com').fingerprintSha256).toBe(old.fingerprintSha256);
    const renewed = readFileSync(pki.p12(pki.leaf({ emails: ['alice@example.com'] }), { password: 'new-password' }));
    const v = await svc.renewCertificate({ email: 'alice@example.com', p12: renewed, password: 'new-password' });
    expect(v.fingerprintSha256).not.toBe(old.fingerprintSha256);
    expect([...(secrets as MemorySecretStore).map.values()]).toEqual(['new-password']);
  });

  it('deletes only with the admin password and once no composition uses it', async () => {
    const { svc } = makeService();
    await svc.addCertificate({ email: 'alice@example.com', p12: aliceP12, password: PW });
    expect(await err(svc.removeCertificate({ email: 'alice@example.com', adminPassword: 'whatever1' }))).toMatch(
      /^ADMIN_PASSWORD_NOT_SET/,
    );
    expect(await err(() => svc.setAdminPassword('short'))).toMatch(/^ADMIN_PASSWORD_WEAK/);
    svc.setAdminPassword('correct horse battery');
    expect(await err(() => svc.setAdminPassword('another password'))).toMatch(
      /^ADMIN_PASSWORD_WRONG: an admin password is already set/,
    );
    svc.createComposition('Newsletters');
    svc.setCertificateEnabled('Newsletters', 'alice@example.com', true);
    expect(await err(svc.removeCertificate({ email: 'alice@example.com', adminPassword: 'wrong password' }))).toBe(
      'ADMIN_PASSWORD_WRONG: the admin password is wrong',
    );
    expect(
      await err(svc.removeCertificate({ email: 'alice@example.com', adminPassword: 'correct horse battery' })),
    ).toBe(
      'CERT_IN_USE: the certificate for alice@example.com is still in use; it is checked in "Newsletters": uncheck it there',
    );
    await svc.reflect('Newsletters', 'bundle passphrase 1', join(tempDir(), 'b.json'));
    svc.setCertificateEnabled('Newsletters', 'alice@example.com', false);
    expect(
      await err(svc.removeCertificate({ email: 'alice@example.com', adminPassword: 'correct horse battery' })),
    ).toMatch(/the mail servers still use it through "Newsletters": reflect that composition first/);
    await svc.reflect('Newsletters', 'bundle passphrase 1', join(tempDir(), 'b.json'), undefined, { confirm: 'all' });
    await svc.removeCertificate({ email: 'alice@example.com', adminPassword: 'correct horse battery' });
    expect(svc.listCertificates()).toEqual([]);
    svc.setAdminPassword('a new admin password', 'correct horse battery');
    expect(() => svc.verifyAdminPassword('a new admin password')).not.toThrow();
  });

  it('writes an audit line for every action, without secrets', async () => {
    const { svc, dataDir } = makeService();
    svc.setAdminPassword('correct horse battery');
    await svc.addCertificate({ email: 'alice@example.com', p12: aliceP12, password: PW });
    svc.createComposition('N');
    const lines = readFileSync(join(dataDir, 'audit.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.action)).toEqual(['admin-password.set', 'certificate.add', 'composition.create']);
    expect(lines[1]).toMatchObject({ target: 'alice@example.com', user: expect.any(String), at: expect.any(String) });
    const text = readFileSync(join(dataDir, 'audit.log'), 'utf8');
    expect(text).not.toContain(PW);
    expect(text).not.toContain('correct horse');
  });

  it('says which compositions the servers use it through (reflectedIn), checked or not', async () => {
    const { svc } = makeService();
    await svc.addCertificate({ email: 'alice@example.com', p12: aliceP12, password: PW });
    svc.createComposition('N');
    svc.setCertificateEnabled('N', 'alice@example.com', true);
    expect(svc.listCertificates()[0]).toMatchObject({ usedBy: ['N'], reflectedIn: [] });
    await svc.reflect('N', 'bundle passphrase 1', join(tempDir(), 'b.json'));
    expect(svc.listCertificates()[0]).toMatchObject({ usedBy: ['N'], reflectedIn: ['N'] });
    svc.setCertificateEnabled('N', 'alice@example.com', false);
    expect(svc.listCertificates()[0]).toMatchObject({ usedBy: [], reflectedIn: ['N'] });
    expect(svc.getCertificate('alice@example.com')).toMatchObject({ usedBy: [], reflectedIn: ['N'] });
  });

  it('details one certificate: the stored chain and its history from the audit log', async () => {
    const { svc } = makeService();
    await svc.addCertificate({ email: 'alice@example.com', p12: aliceP12, password: PW });
    const renewed = readFileSync(
      pki.p12(pki.leaf({ emails: ['alice@example.com'] }), { password: PW, chain: 'intermediate' }),
    );
    await svc.renewCertificate({ email: 'alice@example.com', p12: renewed, password: PW });
    const d = svc.certificateDetail('ALICE@example.com');
    expect(d.certificate.email).toBe('alice@example.com');
    expect(d.chain).toHaveLength(2);
    expect(d.chain[0]!.fingerprintSha256).toBe(d.certificate.fingerprintSha256);
    expect(d.chain[1]!.subject).toContain('Test S/MIME Issuing CA');
    expect(d.chain[0]!.fingerprintSha1).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    expect(d.history.map((e) => e.action)).toEqual(['add', 'renew']);
    expect(d.history[1]).toMatchObject({
      fingerprintSha256: d.certificate.fingerprintSha256,
      previousFingerprintSha256: d.history[0]!.fingerprintSha256,
      notAfter: d.certificate.notAfter,
    });
  });
});
