/**
 * Once per test run: build everything with scripts/build.mjs (the tests run the binaries users run), and start a
 * private D-Bus session with an unlocked gnome-keyring so the keychain tests talk to a real
 * Secret Service without ever touching the developer's own keyring.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKeyringSession, type KeyringSession } from './helpers/keyring';

let session: KeyringSession | undefined;
let home = '';

function need(cmd: string): void {
  if (spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0) {
    throw new Error(`the tests need ${cmd}: run "bash scripts/setup.sh" first`);
  }
}

async function startKeyring(): Promise<void> {
  need('dbus-daemon');
  need('gnome-keyring-daemon');
  home = mkdtempSync(join(tmpdir(), 'smime-keyring-'));
  session = await startKeyringSession(home, 'smime-admin-test-keyring');
  const address = session.address;
  process.env.DBUS_SESSION_BUS_ADDRESS = address;
  process.env.SMIME_TEST_KEYRING = '1';
  // wait until the Secret Service answers
  const keytar = require('keytar') as typeof import('keytar');
  for (let i = 0; i < 50; i++) {
    try {
      await keytar.findCredentials('smime-admin-probe');
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('gnome-keyring-daemon did not provide the Secret Service');
}

export default async function setup(): Promise<() => void> {
  // the tests run what users run: the CLI, the Electron bundles and the production renderer, built by the one build script
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  await startKeyring();
  return () => {
    session?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  };
}
