/**
 * The relay's configuration, kept as one reference and replaced whole (as Envoy and HAProxy
 * reload): a candidate bundle from the watched directory is authenticated and loaded
 * completely by loadRelayConfig, must be for the pinned composition and newer than what is
 * loaded, and only then becomes `current`. A transaction holds the object it started with,
 * so in-flight work finishes on the old configuration. A candidate that fails any check
 * changes nothing; the failure is kept for the status page.
 */
import { createHash } from 'node:crypto';
import { readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { describeError, SmimeError, type ErrorCode } from '../core/errors';
import { readInputFile, statIdentity } from '../core/files';
import { MAX_BUNDLE_BYTES, peekBundle, type BundleLabel } from '../core/relay/bundle';
import { loadRelayConfig, type RelayConfig } from '../core/relay/config';

export interface LoadedBundle {
  config: RelayConfig;
  /** file name inside the bundle directory */
  file: string;
  loadedAt: Date;
}

export type ReloadFailureCode = ErrorCode | 'OTHER_COMPOSITION' | 'NOT_NEWER' | 'AMBIGUOUS_COMPOSITION';

export interface ReloadFailure {
  at: string;
  file: string;
  code: ReloadFailureCode;
  message: string;
}

export type ReloadOutcome =
  | { result: 'loaded'; bundle: LoadedBundle; previous: LoadedBundle | null; failures: ReloadFailure[] }
  | { result: 'unchanged'; failures: ReloadFailure[] };

export interface BundleWatcherOptions {
  dir: string;
  passphrase: string;
  /** the composition's name (case-insensitive) or id */
  composition: string;
  allowRollback: boolean;
  rescanMs: number;
  debounceMs?: number;
  onReload?: (outcome: ReloadOutcome) => void;
}

/** Only these names are bundles; dot-files (editors' and writeFileAtomic's temp files) never are. */
export function isBundleName(name: string): boolean {
  return !name.startsWith('.') && !name.endsWith('.tmp') && name.endsWith('.json');
}

interface Seen {
  stamp: string;
  mtimeMs: number;
}

interface Candidate {
  file: string;
  mtimeMs: number;
  label: BundleLabel | null;
  failure: ReloadFailure | null;
}

function failure(file: string, code: ReloadFailureCode, message: string): ReloadFailure {
  return { at: new Date().toISOString(), file, code, message };
}

export class BundleWatcher {
  private loaded: LoadedBundle | null = null;
  private pinned: string | null = null;
  private readonly seen = new Map<string, Seen>();
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;
  lastError: ReloadFailure | null = null;

  constructor(private readonly o: BundleWatcherOptions) {}

  /** The configuration in force; new transactions take this reference and keep it. */
  get current(): LoadedBundle {
    if (!this.loaded) throw new SmimeError('INTERNAL', 'no configuration loaded');
    return this.loaded;
  }

  get pinnedCompositionId(): string | null {
    return this.pinned;
  }

  /**
   * The first load: the newest valid bundle of the composition in the directory. Files are
   * opened newest first by the serial they claim, so a directory of old bundles costs one
   * key derivation, not one per file. No valid bundle is a one-line SmimeError.
   */
  start(): LoadedBundle {
    const files = this.list();
    const wanted = this.o.composition.trim();
    const mine = (l: BundleLabel) =>
      l.compositionId === wanted || l.compositionName.toLowerCase() === wanted.toLowerCase();
    const reasons: string[] = [];
    const labelled = files.map((c) => this.peek(c));
    for (const c of labelled) if (c.failure) reasons.push(`${c.file}: ${c.failure.message}`);
    const ids = new Set(labelled.filter((c) => c.label && mine(c.label)).map((c) => c.label!.compositionId));
    if (ids.size > 1 && !ids.has(wanted))
      throw new SmimeError(
        'COMPOSITION_NOT_FOUND',
        `${this.o.dir} holds bundles of ${ids.size} different compositions named "${wanted}" (ids ${[...ids].join(', ')}); give --composition the id`,
      );
    const ordered = labelled
      .filter((c) => c.label && mine(c.label) && (ids.size <= 1 || c.label.compositionId === wanted))
      .sort((a, b) => b.label!.serial - a.label!.serial);
    for (const c of ordered) {
      try {
        const config = this.open(c.file);
        if (config.composition.id !== c.label!.compositionId || config.serial !== c.label!.serial)
          throw new SmimeError('BUNDLE_TAMPERED', `${c.file} does not say what its authenticated payload says`);
        this.pinned = config.composition.id;
        this.loaded = { config, file: c.file, loadedAt: new Date() };
        return this.loaded;
      } catch (e) {
        reasons.push(`${c.file}: ${describeError(e).message}`);
      }
    }
    const why = reasons.length ? ` (${reasons.slice(0, 5).join('; ')})` : '';
    throw new SmimeError('COMPOSITION_NOT_FOUND', `no valid bundle for composition "${wanted}" in ${this.o.dir}${why}`);
  }

  /**
   * Looks at the files that changed since the last look and loads the best candidate if it
   * is newer (or, with allowRollback, the most recently written valid one). Never throws:
   * every problem is a ReloadFailure in the outcome and in `lastError`.
   */
  reload(): ReloadOutcome {
    const failures: ReloadFailure[] = [];
    let outcome: ReloadOutcome;
    try {
      outcome = this.reloadChanged(failures);
    } catch (e) {
      const { code, message } = describeError(e);
      failures.push(failure(this.o.dir, code, message));
      outcome = { result: 'unchanged', failures };
    }
    if (outcome.result === 'loaded') this.lastError = null;
    if (failures.length) this.lastError = failures[failures.length - 1]!;
    this.o.onReload?.(outcome);
    return outcome;
  }

  /** fs.watch on the directory (debounced), plus a periodic rescan for the events it misses. */
  watch(): void {
    const debounceMs = this.o.debounceMs ?? 250;
    const later = () => {
      if (this.debounce) clearTimeout(this.debounce);
      this.debounce = setTimeout(() => {
        this.debounce = null;
        this.reload();
      }, debounceMs);
      this.debounce.unref();
    };
    try {
      this.watcher = watch(this.o.dir, { persistent: false }, (_event, name) => {
        if (!name || isBundleName(String(name))) later();
      });
      this.watcher.on('error', () => {
        // the directory went away or the watch broke: the periodic rescan carries on
        this.watcher?.close();
        this.watcher = null;
      });
    } catch {
      // fs.watch is not available here (some network file systems): the rescan does the work
    }
    this.timer = setInterval(() => this.reload(), this.o.rescanMs);
    this.timer.unref();
  }

  /** Stops watching and rescanning; the configuration in force stays readable. */
  close(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.timer) clearInterval(this.timer);
    if (this.debounce) clearTimeout(this.debounce);
    this.timer = this.debounce = null;
  }

  private reloadChanged(failures: ReloadFailure[]): ReloadOutcome {
    const current = this.current;
    const changed = this.list().filter((c) => this.isChanged(c));
    if (changed.length === 0) return { result: 'unchanged', failures };
    const ours: Candidate[] = [];
    for (const c of changed.map((x) => this.peek(x))) {
      if (c.failure) failures.push(c.failure);
      else if (c.label!.compositionId !== this.pinned)
        failures.push(
          failure(
            c.file,
            'OTHER_COMPOSITION',
            `${c.file} is for composition "${c.label!.compositionName}" (id ${c.label!.compositionId}), not the relay's "${current.config.composition.name}" (id ${this.pinned})`,
          ),
        );
      else ours.push(c);
    }
    // newest first: by the serial claimed, or with allowRollback by when the file was written
    ours.sort((a, b) =>
      this.o.allowRollback ? b.mtimeMs - a.mtimeMs : b.label!.serial - a.label!.serial || b.mtimeMs - a.mtimeMs,
    );
    for (const c of ours) {
      const serial = c.label!.serial;
      if (!this.o.allowRollback && serial <= current.config.serial) {
        // a copy of what is loaded (same serial, same bytes) is nothing to do
        if (serial === current.config.serial && this.sameBytes(c.file, current)) continue;
        failures.push(
          failure(
            c.file,
            'NOT_NEWER',
            `${c.file} is not newer than the loaded bundle (reflection ${serial} <= ${current.config.serial}); start the relay with --allow-rollback to go back`,
          ),
        );
        continue;
      }
      try {
        const config = this.open(c.file);
        if (config.composition.id !== this.pinned || config.serial !== serial)
          throw new SmimeError('BUNDLE_TAMPERED', `${c.file} does not say what its authenticated payload says`);
        if (config.fingerprintSha256 === current.config.fingerprintSha256) continue;
        const bundle: LoadedBundle = { config, file: c.file, loadedAt: new Date() };
        this.loaded = bundle;
        // older candidates of this round are moot once a newer one is in force
        return { result: 'loaded', bundle, previous: current, failures };
      } catch (e) {
        const { code, message } = describeError(e);
        failures.push(failure(c.file, code, message));
      }
    }
    return { result: 'unchanged', failures };
  }

  private list(): { file: string; stamp: string; mtimeMs: number }[] {
    const out: { file: string; stamp: string; mtimeMs: number }[] = [];
    let names: string[];
    try {
      names = readdirSync(this.o.dir);
    } catch (e) {
      throw new SmimeError(
        'FILE_UNREADABLE',
        `cannot read the bundle directory ${this.o.dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
    const present = new Set<string>();
    for (const file of names.filter(isBundleName).sort()) {
      try {
        const st = statSync(join(this.o.dir, file));
        if (!st.isFile()) continue;
        present.add(file);
        out.push({ file, mtimeMs: st.mtimeMs, stamp: statIdentity(st) });
      } catch {
        // removed between readdir and stat
      }
    }
    for (const f of [...this.seen.keys()]) if (!present.has(f)) this.seen.delete(f);
    return out;
  }

  private isChanged(c: { file: string; stamp: string; mtimeMs: number }): boolean {
    const before = this.seen.get(c.file);
    return !before || before.stamp !== c.stamp;
  }

  /** Reads the unauthenticated label; remembers the file as seen whatever the verdict. */
  private peek(c: { file: string; stamp: string; mtimeMs: number }): Candidate {
    this.seen.set(c.file, { stamp: c.stamp, mtimeMs: c.mtimeMs });
    try {
      const label = peekBundle(this.read(c.file), c.file);
      return { file: c.file, mtimeMs: c.mtimeMs, label, failure: null };
    } catch (e) {
      const { code, message } = describeError(e);
      return { file: c.file, mtimeMs: c.mtimeMs, label: null, failure: failure(c.file, code, message) };
    }
  }

  private read(file: string): Buffer {
    return readInputFile(join(this.o.dir, file), MAX_BUNDLE_BYTES, file);
  }

  /** Authenticates and loads the whole bundle; throws SmimeError with a one-line reason. */
  private open(file: string): RelayConfig {
    return loadRelayConfig(this.read(file), this.o.passphrase, file);
  }

  private sameBytes(file: string, current: LoadedBundle): boolean {
    try {
      return createHash('sha256').update(this.read(file)).digest('hex') === current.config.fingerprintSha256;
    } catch {
      return false;
    }
  }
}
