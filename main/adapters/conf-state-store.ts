/**
 * The admin state in a JSON settings file through conf (electron-store is conf with
 * Electron's paths; the file format is the same): JSON schema, versioned migrations,
 * atomic writes, mode 0600. A corrupt or schema-invalid file is never reset: a
 * timestamped copy is kept and the error names the file.
 */
import {
  accessSync,
  chmodSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Conf from 'conf';
import { SmimeError } from '../core/errors';
import type { StateStore } from '../core/domain/ports';
import { emptyState, STATE_SCHEMA, STATE_VERSION, type AdminState } from '../core/domain/state';

export const CONFIG_NAME = 'config';

/** a.b.c > x.y.z, numerically */
function newer(a: string, b: string): boolean {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? 0;
    const y = pb[i] ?? 0;
    if (Number.isNaN(x)) return true;
    if (x !== y) return x > y;
  }
  return false;
}

/** The data folder holds secrets' wrappings and the audit log: only its owner may look inside. */
function tighten(dir: string): void {
  try {
    const st = statSync(dir);
    if ((st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) chmodSync(dir, 0o700);
  } catch {
    // a folder we cannot stat or change is reported by the first write
  }
}

/** Migrations by the version that introduced the change; each brings older files up to it. */
export const MIGRATIONS: Record<string, (store: Conf<AdminState>) => void> = {
  // 1.1.0: warning thresholds became a list (first and final warning) instead of one number.
  '1.1.0': (store) => {
    const settings = store.get('settings') as unknown as { warnDays?: unknown; language?: unknown } | undefined;
    const wd = settings?.warnDays;
    const warnDays =
      typeof wd === 'number'
        ? [wd, Math.min(7, wd)].filter((v, i, a) => a.indexOf(v) === i).sort((a, b) => b - a)
        : Array.isArray(wd)
          ? wd
          : [30, 7];
    store.set('settings', { warnDays, language: (settings?.language as AdminState['settings']['language']) ?? null });
  },
};

export interface ConfLike {
  store: AdminState;
  path: string;
}

export type ConfFactory = (options: ConstructorParameters<typeof Conf<AdminState>>[0]) => ConfLike;

export const confFactory: ConfFactory = (options) => new Conf<AdminState>(options);

export class ConfStateStore implements StateStore {
  readonly path: string;
  private conf: ConfLike | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly factory: ConfFactory = confFactory,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.path = join(dataDir, `${CONFIG_NAME}.json`);
  }

  private open(): ConfLike {
    if (this.conf) return this.conf;
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    tighten(this.dataDir);
    this.checkBeforeConf();
    try {
      this.conf = this.factory({
        cwd: this.dataDir,
        configName: CONFIG_NAME,
        projectName: 'smime-admin',
        projectVersion: STATE_VERSION,
        defaults: emptyState(),
        schema: STATE_SCHEMA as never,
        migrations: MIGRATIONS as never,
        clearInvalidConfig: false,
        configFileMode: 0o600,
        watch: false,
      });
      return this.conf;
    } catch (e) {
      throw this.corrupt(e);
    }
  }

  private corrupt(e: unknown): SmimeError {
    const msg = (e as Error).message ?? String(e);
    const why = /JSON/i.test(msg)
      ? 'it is not valid JSON'
      : /schema/i.test(msg)
        ? `it does not match the schema (${msg.replace(/^Config schema violation: /, '')})`
        : msg;
    let backup = '';
    if (existsSync(this.path)) {
      const data = readFileSync(this.path);
      const dir = dirname(this.path);
      const prefix = `${basename(this.path)}.corrupt-`;
      // one copy per distinct content: retries must not pile up copies
      const same = readdirSync(dir).find((f) => f.startsWith(prefix) && readFileSync(join(dir, f)).equals(data));
      backup = same ? join(dir, same) : join(dir, `${prefix}${this.now().toISOString().replace(/[:.]/g, '-')}`);
      if (!same) copyFileSync(this.path, backup);
    }
    return new SmimeError(
      'STORE_CORRUPT',
      `the settings file ${this.path} cannot be read: ${why}. Nothing was changed; a copy is kept as ${backup || '(no file)'}. Restore it from a backup or fix it by hand.`,
    );
  }

  /**
   * What conf would otherwise get wrong: a file holding `null` or an array (conf resets it
   * without a copy), and a file written by a newer smime-admin (conf would re-stamp it as ours).
   */
  private checkBeforeConf(): void {
    if (!existsSync(this.path)) return;
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (e) {
      throw this.corrupt(e);
    }
    const first = /\S/.exec(text)?.[0];
    if (first !== undefined && first !== '{') {
      // a valid JSON value that is not an object (null, an array, a string); conf would reset it
      let json = true;
      try {
        JSON.parse(text);
      } catch {
        json = false;
      }
      if (json) throw this.corrupt(new Error('it holds no settings object'));
      return; // conf reports invalid JSON itself, through corrupt()
    }
    const version = /"__internal__"\s*:\s*\{\s*"migrations"\s*:\s*\{\s*"version"\s*:\s*"([^"]*)"/.exec(text)?.[1];
    if (version !== undefined && newer(version, STATE_VERSION)) {
      throw new SmimeError(
        'STORE_CORRUPT',
        `the settings file ${this.path} was written by a newer smime-admin (format ${version}; this one reads up to ${STATE_VERSION}); nothing was changed: update smime-admin`,
      );
    }
  }

  /** The file's identity and last change: when it is unchanged, the parsed and checked state is reused. */
  private cached: { signature: string; state: AdminState } | undefined;

  private signature(): string | null {
    try {
      const st = statSync(this.path);
      return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    } catch {
      return null;
    }
  }

  /**
   * Reading never creates the file: an operation that fails leaves the disk as it was. The file
   * is parsed and checked against the schema only when it changed (a large registry is ~10 MB).
   */
  read(): AdminState {
    if (!this.conf && !existsSync(this.path)) return emptyState();
    const conf = this.open();
    const signature = this.signature();
    if (this.cached && signature !== null && this.cached.signature === signature) return this.cached.state;
    try {
      const { adminPassword, settings, certificates, compositions } = conf.store;
      const state = { adminPassword, settings, certificates, compositions };
      this.cached = signature ? { signature, state } : undefined;
      return state;
    } catch (e) {
      throw this.corrupt(e);
    }
  }

  load(): AdminState {
    return structuredClone(this.read());
  }

  save(state: AdminState): void {
    const conf = this.open();
    if (existsSync(this.path)) {
      try {
        accessSync(this.path, constants.W_OK);
        if ((statSync(this.path).mode & 0o200) === 0) throw new Error('read-only');
      } catch {
        throw new SmimeError(
          'OUTPUT_UNWRITABLE',
          `cannot write the settings file ${this.path}: it is read-only; nothing was changed`,
        );
      }
    }
    try {
      conf.store = { ...conf.store, ...state };
      const signature = this.signature();
      // what was just written is what a reader gets next, without parsing it again
      this.cached = signature ? { signature, state } : undefined;
    } catch (e) {
      throw new SmimeError(
        'OUTPUT_UNWRITABLE',
        `cannot write the settings file ${this.path}: ${(e as Error).message.split('\n')[0]}`,
      );
    }
  }
}
