/**
 * A locked keyring answers "no such password" to a lookup. The admin must hear that it is locked,
 * not that a certificate lost its password. A private D-Bus and gnome-keyring are started here:
 * once unlocked (to register a certificate), then again locked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli';
import { startKeyringSession, type KeyringSession } from '../helpers/keyring';
import { TestPki } from '../helpers/pki';
import { tempDir } from '../helpers/stores';

let home = '';
const sessions: KeyringSession[] = [];
let pki: TestPki;

async function startBus(unlock: boolean): Promise<KeyringSession> {
  const session = await startKeyringSession(home, unlock ? 'locked-keyring-test' : null);
  sessions.push(session);
  await new Promise((r) => setTimeout(r, 700));
  return session;
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'smime-locked-keyring-'));
  pki = new TestPki();
});
afterAll(() => {
  for (const s of sessions) s.stop('SIGKILL');
  rmSync(home, { recursive: true, force: true });
  pki.cleanup();
});

describe('a locked keyring', () => {
  it('is reported as locked when reflecting, and nothing is written', async () => {
    const d = tempDir();
    const env = { P12PW: 'pw', PASSPHRASE: 'a long bundle passphrase' };
    const p12 = pki.p12(pki.leaf({ emails: ['info@example.com'] }), { password: 'pw' });
    const open = await startBus(true);
    const asUnlocked = { ...env, DBUS_SESSION_BUS_ADDRESS: open.address };
    expect(
      cli(['--data-dir', d, 'cert', 'add', '--email', 'info@example.com', '--p12', p12, '--password-env', 'P12PW'], {
        env: asUnlocked,
      }).code,
    ).toBe(0);
    expect(cli(['--data-dir', d, 'composition', 'create', 'T'], { env: asUnlocked }).code).toBe(0);
    expect(
      cli(['--data-dir', d, 'composition', 'enable-cert', 'T', '--email', 'info@example.com'], { env: asUnlocked })
        .code,
    ).toBe(0);
    open.stop();
    await new Promise((r) => setTimeout(r, 300));
    const locked = await startBus(false);
    const out = join(tempDir(), 'b.json');
    const r = cli(['--data-dir', d, 'reflect', 'T', '--out', out, '--passphrase-env', 'PASSPHRASE'], {
      env: { ...env, DBUS_SESSION_BUS_ADDRESS: locked.address, SMIME_ADMIN_KEYCHAIN_TIMEOUT_MS: '5000' },
    });
    locked.stop();
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'smime-admin: the OS keychain is locked; unlock it (log in to the desktop session) and try again\n',
    );
    expect(cli(['--data-dir', d, 'pending', 'T', '--json']).stdout).toContain('never-reflected');
  });
});
