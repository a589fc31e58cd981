/**
 * Ports the admin core depends on. Adapters live outside main/core: keytar and
 * conf/electron-store in main/adapters, in-memory ones in the tests.
 */
import type { AdminState } from './state';

/** The OS keychain. Implementations fail loudly; there is never a plaintext fallback. */
export interface SecretStore {
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<boolean>;
}

/** Persistence of the admin state document (schema-checked, migrated, written atomically). */
export interface StateStore {
  readonly path: string;
  /** The current state to read; shared between callers, so never modified (mutate works on `load`). */
  read(): AdminState;
  /** A private copy of the current state, to change and `save`. */
  load(): AdminState;
  save(state: AdminState): void;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
