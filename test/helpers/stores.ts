import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfStateStore } from '../../main/adapters/conf-state-store';
import { AdminService } from '../../main/core/domain/service';
import type { Clock, SecretStore } from '../../main/core/domain/ports';

/** An in-memory keychain for unit tests of the core (the keytar adapter has its own tests against a real daemon). */
export class MemorySecretStore implements SecretStore {
  readonly map = new Map<string, string>();
  failNextSet = false;
  async get(a: string) {
    return this.map.get(a) ?? null;
  }
  async set(a: string, s: string) {
    if (this.failNextSet) {
      this.failNextSet = false;
      const { SmimeError } = await import('../../main/core/errors');
      throw new SmimeError('KEYCHAIN_UNAVAILABLE', 'the OS keychain is not available (test)');
    }
    this.map.set(a, s);
  }
  async delete(a: string) {
    return this.map.delete(a);
  }
}

export class FixedClock implements Clock {
  constructor(public t: Date) {}
  now() {
    return this.t;
  }
}

export function tempDir(prefix = 'smime-data-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function makeService(
  dataDir = tempDir(),
  secrets: SecretStore = new MemorySecretStore(),
  clock?: Clock,
): { svc: AdminService; dataDir: string; secrets: SecretStore } {
  return {
    svc: new AdminService({ store: new ConfStateStore(dataDir), secrets, dataDir, ...(clock ? { clock } : {}) }),
    dataDir,
    secrets,
  };
}

/** Every file under a folder with its bytes and mode: to prove what is, and is not, on disk. */
export function snapshotDir(dir: string): Map<string, { data: Buffer; mode: number }> {
  const out = new Map<string, { data: Buffer; mode: number }>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.set(p, { data: readFileSync(p), mode: st.mode & 0o777 });
    }
  };
  walk(dir);
  return out;
}
