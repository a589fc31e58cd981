/**
 * The admin state in a JSON settings file through conf (electron-store is conf with
 * Electron's paths; the file format is the same): JSON schema, versioned migrations,
 * atomic writes, mode 0600. A corrupt or schema-invalid file is never reset: a
 * timestamped copy is kept and the error names the file.
 *
 * The file is read, parsed and checked once per change: conf's constructor reads it, and the
 * state is taken from that parse (this store's deserializer) instead of asking conf again, which
 * at 10,000 certificates (a 12 MB file) was twice the work and ~40 MB more peak memory.
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
import { fileIdentity } from '../core/files';
import type { StateStore } from '../core/domain/ports';
import { emptyState, STATE_SCHEMA, STATE_VERSION, type AdminState } from '../core/domain/state';

/** thrown by the deserializer when conf, constructed for a current file, meets an older one */
const OLDER_FORMAT = Symbol('older format');

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

/**
 * A deep copy of JSON data (what the settings file holds). Unlike structuredClone it does not
 * serialise the whole document into a buffer first: at 10,000 certificates that buffer was
 * ~50 MB of peak memory for every change.
 */
export function copyJson<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(copyJson) as T;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k] = copyJson((v as Record<string, unknown>)[k]);
  return out as T;
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
  /** The file's identity and last change: when it is unchanged, the parsed and checked state is reused. */
  private cached: { signature: string; state: AdminState; internal: unknown } | undefined;
  /** The parse conf's constructor made during read(): the state is taken from it instead of a second parse. */
  private lastParse: Record<string, unknown> | undefined;
  /** read() is opening conf: the deserializer keeps its parse (nowhere else, so no parse outlives its use) */
  private capturing = false;
  /** conf is being constructed without migrations: a file of an older format must go to them */
  private refuseOlder = false;

  constructor(
    private readonly dataDir: string,
    private readonly factory: ConfFactory = confFactory,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.path = join(dataDir, `${CONFIG_NAME}.json`);
  }

  private construct(migrate: boolean): ConfLike {
    this.refuseOlder = !migrate;
    try {
      return this.factory({
        cwd: this.dataDir,
        configName: CONFIG_NAME,
        projectName: 'smime-admin',
        projectVersion: STATE_VERSION,
        defaults: emptyState(),
        schema: STATE_SCHEMA as never,
        // a file already at this version needs no migration pass (which re-read and re-checked the
        // whole file per step); a new file gets its version stamp from it
        ...(migrate ? { migrations: MIGRATIONS as never } : {}),
        clearInvalidConfig: false,
        configFileMode: 0o600,
        watch: false,
        deserialize: this.deserialize,
      });
    } finally {
      this.refuseOlder = false;
    }
  }

  /** conf, constructed once; its constructor reads, checks and (for an older format only) migrates the file. */
  private open(): ConfLike {
    if (this.conf) return this.conf;
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    tighten(this.dataDir);
    try {
      try {
        this.conf = this.construct(!existsSync(this.path));
      } catch (e) {
        if (e !== OLDER_FORMAT) throw e;
        this.conf = this.construct(true);
      }
      return this.conf;
    } catch (e) {
      throw e instanceof SmimeError ? e : this.corrupt(e);
    }
  }

  /**
   * conf's parser, with what conf would get wrong refused first: a file holding `null` or an
   * array (conf resets it without a copy) and a file written by a newer smime-admin (conf would
   * re-stamp it as ours).
   */
  private readonly deserialize = (text: string): AdminState => {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      throw this.corrupt(new Error('it holds no settings object'));
    const v = (value as { __internal__?: { migrations?: { version?: unknown } } }).__internal__?.migrations?.version;
    const version = typeof v === 'string' ? v : undefined;
    if (version !== undefined && newer(version, STATE_VERSION)) {
      throw new SmimeError(
        'STORE_CORRUPT',
        `the settings file ${this.path} was written by a newer smime-admin (format ${version}; this one reads up to ${STATE_VERSION}); nothing was changed: update smime-admin`,
      );
    }
    if (this.refuseOlder && version !== STATE_VERSION) throw OLDER_FORMAT;
    if (this.capturing) this.lastParse = value as Record<string, unknown>;
    return value as AdminState;
  };

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

  private signature(): string | null {
    return fileIdentity(this.path);
  }

  /**
   * Reading never creates the file and leaves a complete file of this format as it is; conf writes
   * only a file of an older format (which it migrates) or one missing a whole part (which it fills
   * in from the defaults). The file is parsed and checked against the schema only when it changed
   * (a large registry is ~10 MB).
   */
  read(): AdminState {
    const before = this.signature();
    if (this.cached && before !== null && this.cached.signature === before) return this.cached.state;
    this.cached = undefined;
    if (before === null) return emptyState();
    let doc: Record<string, unknown> | undefined;
    let readAt: string | null = before;
    try {
      if (!this.conf) {
        this.capturing = true;
        this.open();
        // conf's constructor has just read, parsed and checked the file; it wrote it only to
        // migrate it (or fill in a missing part), and then it is read as conf left it
        readAt = this.signature();
        if (readAt === before) doc = this.lastParse;
      }
      doc ??= this.open().store as unknown as Record<string, unknown>;
    } catch (e) {
      throw e instanceof SmimeError ? e : this.corrupt(e);
    } finally {
      this.capturing = false;
      this.lastParse = undefined;
    }
    const after = this.signature();
    // the file went away while it was read: conf answers an empty object for it
    if (after === null) return emptyState();
    const { adminPassword, settings, certificates, compositions, __internal__ } = doc as unknown as AdminState & {
      __internal__?: unknown;
    };
    const state = { adminPassword, settings, certificates, compositions };
    // a file that changed while it was read is read again next time
    if (readAt === after) this.cached = { signature: after, state, internal: __internal__ };
    return state;
  }

  load(): AdminState {
    return copyJson(this.read());
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
      // conf's own bookkeeping (the format version) is kept; it is taken from the file as it was
      // read when the file has not changed since, else read again
      const fresh = this.cached && this.cached.signature === this.signature() ? this.cached : undefined;
      const internal = fresh ? fresh.internal : (conf.store as { __internal__?: unknown }).__internal__;
      conf.store = { ...(internal === undefined ? {} : { __internal__: internal }), ...state } as AdminState;
      const signature = this.signature();
      // what was just written is what a reader gets next, without parsing it again
      this.cached = signature ? { signature, state, internal } : undefined;
    } catch (e) {
      // reading the file again (it changed since) can find it damaged or newer: that is said as such
      if (e instanceof SmimeError) throw e;
      throw new SmimeError(
        'OUTPUT_UNWRITABLE',
        `cannot write the settings file ${this.path}: ${(e as Error).message.split('\n')[0]}`,
      );
    }
  }
}
