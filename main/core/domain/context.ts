/**
 * What every admin operation works with: the state document, the keychain, the clock and
 * the data folder, behind ports. One instance per service; modules take it as their first
 * argument instead of sharing a class.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { holdsFolderLock, withFolderLock, type FolderLockObserver } from '../lock';
import { systemClock, type Clock, type SecretStore, type StateStore } from './ports';
import { appendAudit, type AuditEntry } from './audit';
import type { AdminState } from './state';

/** The keychain service under which p12 passwords are stored. */
export const SECRET_SERVICE = 'smime-admin';
export const CERT_DIR = 'certs';

export interface AdminDeps {
  store: StateStore;
  secrets: SecretStore;
  dataDir: string;
  clock?: Clock;
  /** told each time this service takes the data folder's lock and just before it lets it go (the window's folder watch) */
  onFolderLock?: FolderLockObserver;
}

export class DomainContext {
  readonly store: StateStore;
  readonly secrets: SecretStore;
  readonly clock: Clock;
  readonly dataDir: string;
  private readonly onFolderLock: FolderLockObserver | undefined;

  constructor(deps: AdminDeps) {
    this.store = deps.store;
    this.secrets = deps.secrets;
    this.clock = deps.clock ?? systemClock;
    this.dataDir = deps.dataDir;
    this.onFolderLock = deps.onFolderLock;
  }

  now(): Date {
    return this.clock.now();
  }

  /** The current state, for reading only: changes go through `mutate`. */
  load(): AdminState {
    return this.store.read();
  }

  /** Load, change, save under the folder lock: `fn` may throw, and then nothing is saved. */
  mutate<T>(fn: (s: AdminState) => T): T {
    return withFolderLock(
      this.dataDir,
      () => {
        const state = this.store.load();
        const result = fn(state);
        this.beforeSave?.(state);
        this.store.save(state);
        return result;
      },
      undefined,
      this.onFolderLock,
    );
  }

  /**
   * Runs a whole operation (settings file, p12 files and keychain) as the folder's only writer.
   * The first time the lock is taken, what a crash left half done is finished or rolled back.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const outermost = !holdsFolderLock(this.dataDir);
    return withFolderLock(
      this.dataDir,
      async () => {
        if (outermost && this.onAcquire) await this.onAcquire();
        return fn();
      },
      undefined,
      this.onFolderLock,
    );
  }

  /** Brings a state up to date before it is written (records of older versions gain what newer ones keep). */
  beforeSave: ((s: AdminState) => void) | undefined;

  /** What runs when an operation first takes the lock: the recovery pass (set by the service). */
  onAcquire: (() => Promise<void>) | undefined;

  audit(action: string, target?: string, details?: AuditEntry['details']): void {
    appendAudit(this.dataDir, this.now(), action, target, details, this.onFolderLock);
  }

  /** The folder of stored p12 files (mode 0700), created on first use. */
  certDir(): string {
    const dir = join(this.dataDir, CERT_DIR);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return dir;
  }
}
