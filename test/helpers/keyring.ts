/**
 * A private D-Bus session with its own gnome-keyring-daemon (Secret Service only), under a
 * HOME of the caller's: the keychain tests talk to a real keyring and never to the developer's.
 * With a password the keyring starts unlocked; without one it stays locked.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export interface KeyringSession {
  address: string;
  stop(signal?: NodeJS.Signals): void;
}

export async function startKeyringSession(home: string, unlockPassword: string | null): Promise<KeyringSession> {
  const env = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_RUNTIME_DIR: home,
    XDG_CONFIG_HOME: join(home, 'config'),
  };
  const children: ChildProcess[] = [];
  const stop = (signal: NodeJS.Signals = 'SIGTERM'): void => {
    for (const c of children.reverse()) c.kill(signal);
  };
  const bus = spawn('dbus-daemon', ['--session', '--nofork', '--nopidfile', '--print-address=1'], {
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(bus);
  try {
    const address = await new Promise<string>((resolve, reject) => {
      let buf = '';
      bus.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.includes('\n')) resolve(buf.split('\n')[0]!.trim());
      });
      bus.on('exit', () => reject(new Error('dbus-daemon exited')));
      setTimeout(() => reject(new Error('dbus-daemon did not start')), 5000);
    });
    const keyring = spawn(
      'gnome-keyring-daemon',
      ['--foreground', ...(unlockPassword === null ? [] : ['--unlock']), '--components=secrets'],
      { env: { ...env, DBUS_SESSION_BUS_ADDRESS: address }, stdio: ['pipe', 'ignore', 'ignore'] },
    );
    children.push(keyring);
    keyring.stdin!.end(unlockPassword ?? '');
    return { address, stop };
  } catch (e) {
    stop('SIGKILL');
    throw e;
  }
}
