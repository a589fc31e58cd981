/**
 * The OS keychain through keytar (libsecret on Linux, Keychain on macOS, Credential
 * Vault on Windows). Every call has a timeout, because an unlock prompt can block
 * forever; every failure is KEYCHAIN_UNAVAILABLE. There is no plaintext fallback.
 */
import { SmimeError } from '../core/errors';
import type { SecretStore } from '../core/domain/ports';

type Keytar = typeof import('keytar');

export const DEFAULT_KEYCHAIN_TIMEOUT_MS = 15_000;

function explain(message: string): string {
  if (/autolaunch D-Bus|DBUS_SESSION_BUS_ADDRESS|dbus-launch|X11/i.test(message)) return 'no D-Bus session is running';
  if (/org\.freedesktop\.secrets|not provided by any \.service/i.test(message))
    return 'no Secret Service (gnome-keyring, KWallet) is running';
  if (/locked/i.test(message)) return 'the keyring is locked';
  return message.split('\n')[0]!;
}

export class KeytarSecretStore implements SecretStore {
  private keytar: Keytar | undefined;

  constructor(
    private readonly service: string,
    private readonly timeoutMs = Number(process.env.SMIME_ADMIN_KEYCHAIN_TIMEOUT_MS) || DEFAULT_KEYCHAIN_TIMEOUT_MS,
    private readonly load: () => Keytar = () => require('keytar') as Keytar,
  ) {}

  private async call<T>(what: string, fn: (k: Keytar) => Promise<T>): Promise<T> {
    let k: Keytar;
    try {
      k = this.keytar ??= this.load();
    } catch (e) {
      throw new SmimeError(
        'KEYCHAIN_UNAVAILABLE',
        `the OS keychain cannot be used (${explain((e as Error).message)}); smime-admin never stores passwords anywhere else`,
      );
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new SmimeError(
              'KEYCHAIN_TIMEOUT',
              `the OS keychain did not answer within ${Math.round(this.timeoutMs / 1000)} s while trying to ${what}; unlock it and try again`,
            ),
          ),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([fn(k), timeout]);
    } catch (e) {
      if (e instanceof SmimeError) throw e;
      throw new SmimeError(
        'KEYCHAIN_UNAVAILABLE',
        `the OS keychain is not available (${explain((e as Error).message)}); smime-admin never stores passwords anywhere else`,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * A locked keyring answers a lookup with "nothing there", just like a missing entry. When
   * nothing comes back, a throw-away entry is written and removed: a locked keyring refuses it,
   * and the admin is told to unlock it rather than to renew a certificate whose secret is fine.
   */
  async get(account: string): Promise<string | null> {
    const value = await this.call('read a password', (k) => k.getPassword(this.service, account));
    if (value !== null) return value;
    const probe = `probe:${process.pid}:${Date.now()}`;
    try {
      await this.call('check the keyring', (k) => k.setPassword(this.service, probe, 'probe'));
    } catch (e) {
      if (e instanceof SmimeError && /locked/.test(e.message)) {
        throw new SmimeError(
          'KEYCHAIN_UNAVAILABLE',
          'the OS keychain is locked; unlock it (log in to the desktop session) and try again',
        );
      }
      throw e;
    }
    await this.call('check the keyring', (k) => k.deletePassword(this.service, probe)).catch(() => false);
    return null;
  }

  set(account: string, secret: string): Promise<void> {
    return this.call('store a password', (k) => k.setPassword(this.service, account, secret));
  }

  delete(account: string): Promise<boolean> {
    return this.call('delete a password', (k) => k.deletePassword(this.service, account));
  }
}
