/**
 * Once per test run: build everything with scripts/build.mjs (the tests run the binaries users run), and start a
 * private D-Bus session with an unlocked gnome-keyring so the keychain tests talk to a real
 * Secret Service without ever touching the developer's own keyring.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const children: ChildProcess[] = [];
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
  const env = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_RUNTIME_DIR: home,
    XDG_CONFIG_HOME: join(home, 'config'),
  };
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--nopidfile', '--print-address=1'], {
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(bus);
  const address = await new Promise<string>((resolve, reject) => {
    let buf = '';
    bus.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) resolve(buf.split('\n')[0]!.trim());
    });
    bus.on('exit', () => reject(new Error('dbus-daemon exited')));
    setTimeout(() => reject(new Error('dbus-daemon did not start')), 5000);
  });
  const keyringEnv = { ...env, DBUS_SESSION_BUS_ADDRESS: address };
  const keyring = spawn('gnome-keyring-daemon', ['--foreground', '--unlock', '--components=secrets'], {
    env: keyringEnv,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  children.push(keyring);
  keyring.stdin!.end('smime-admin-test-keyring');
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
    for (const c of children.reverse()) c.kill('SIGTERM');
    if (home) rmSync(home, { recursive: true, force: true });
  };
}
