import { describe, expect, it } from 'vitest';
import { KeytarSecretStore } from '../../main/adapters/keytar-secret-store';

// The global setup runs a private dbus-daemon with an unlocked gnome-keyring for these.
describe('keytar against a real Secret Service (gnome-keyring)', () => {
  const store = new KeytarSecretStore('smime-admin-test');

  it('stores, reads and deletes a secret', async () => {
    const account = `cert:test-${Date.now()}:v1`;
    await store.set(account, 'pässwörd-🔑');
    expect(await store.get(account)).toBe('pässwörd-🔑');
    expect(await store.delete(account)).toBe(true);
    expect(await store.get(account)).toBeNull();
  });

  it('is really the Secret Service: another process sees the secret', async () => {
    const account = `cert:shared-${Date.now()}:v1`;
    await store.set(account, 'from-the-test');
    const { execFileSync } = await import('node:child_process');
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `require('keytar').getPassword('smime-admin-test', ${JSON.stringify(account)}).then(p => process.stdout.write(String(p)))`,
      ],
      { env: process.env },
    );
    expect(out.toString()).toBe('from-the-test');
    await store.delete(account);
  });

  it('maps keychain failures and hangs to one readable error', async () => {
    const broken = new KeytarSecretStore(
      's',
      1000,
      () =>
        ({
          setPassword: () => Promise.reject(new Error('Cannot autolaunch D-Bus without X11 $DISPLAY')),
        }) as never,
    );
    await expect(broken.set('a', 'b')).rejects.toMatchObject({
      code: 'KEYCHAIN_UNAVAILABLE',
      message:
        'the OS keychain is not available (no D-Bus session is running); smime-admin never stores passwords anywhere else',
    });
    const hanging = new KeytarSecretStore(
      's',
      200,
      () => ({ getPassword: () => new Promise(() => undefined) }) as never,
    );
    await expect(hanging.get('a')).rejects.toMatchObject({
      code: 'KEYCHAIN_TIMEOUT',
      message: expect.stringMatching(/did not answer within 0 s while trying to read a password; unlock it/),
    });
    const missing = new KeytarSecretStore('s', 200, () => {
      throw new Error('libsecret-1.so.0: cannot open shared object file');
    });
    await expect(missing.get('a')).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
  });
});
