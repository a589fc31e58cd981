/**
 * One writer at a time for a data folder, across processes: the desktop app and any number
 * of CLI runs share it. The lock is a directory created atomically (mkdir), with its owner's
 * pid, host and start time inside. A lock whose owner process is gone (kill -9, a crash) is
 * taken over at once; one without an owner file is taken over once it is old enough to not be
 * in the middle of being created. A second writer waits briefly, then gets a clear "busy".
 * The lock is re-entrant within a process, so an operation may call another.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SmimeError } from './errors';

export const LOCK_DIR = '.lock';
const OWNER = 'owner.json';
const DEFAULT_WAIT_MS = 10_000;
const ORPHAN_AGE_MS = 5_000;

interface Owner {
  pid: number;
  host: string;
  since: string;
}

const held = new Map<string, number>();

/** Taking, or about to release, a folder's lock (the outermost hold only). */
export type FolderLockEvent = 'acquired' | 'releasing';
/**
 * Told when the holder takes the lock and just before it lets it go. The window's folder watch
 * tells its own writes from the CLI's this way: whatever changed between two of its holds was
 * someone else's. It must not throw; if it does, the writer goes on.
 */
export type FolderLockObserver = (event: FolderLockEvent) => void;

function notify(observer: FolderLockObserver | undefined, event: FolderLockEvent): void {
  try {
    observer?.(event);
  } catch {
    // an observer's failure is not the writer's
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function sleep(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(dir: string): Owner | null {
  try {
    return JSON.parse(readFileSync(join(dir, OWNER), 'utf8')) as Owner;
  } catch {
    return null;
  }
}

/** Is the lock at `dir` left over by a process that no longer runs? */
function stale(dir: string): boolean {
  const owner = readOwner(dir);
  if (owner) return owner.host === hostname() && owner.pid !== process.pid && !alive(owner.pid);
  try {
    return Date.now() - statSync(dir).mtimeMs > ORPHAN_AGE_MS;
  } catch {
    return false;
  }
}

function tryAcquire(dir: string): boolean {
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new SmimeError('OUTPUT_UNWRITABLE', `cannot lock the data folder (${dir}): ${(e as Error).message}`);
  }
  const owner: Owner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  writeFileSync(join(dir, OWNER), JSON.stringify(owner), { mode: 0o600 });
  return true;
}

/**
 * Runs `fn` holding the data folder's lock; waits up to `waitMs` for another writer, then
 * throws STORE_LOCKED naming it. `fn` may be async: the lock is held until it settles.
 * `observer` hears the outermost hold's start and end.
 */
export function withFolderLock<T>(
  dataDir: string,
  fn: () => T,
  waitMs = lockWaitMs(),
  observer?: FolderLockObserver,
): T {
  const dir = join(dataDir, LOCK_DIR);
  const depth = held.get(dir) ?? 0;
  if (depth === 0) acquire(dataDir, dir, waitMs);
  held.set(dir, depth + 1);
  if (depth === 0) notify(observer, 'acquired');
  const release = (): void => {
    const d = held.get(dir)! - 1;
    if (d > 0) held.set(dir, d);
    else {
      notify(observer, 'releasing');
      held.delete(dir);
      rmSync(dir, { recursive: true, force: true });
    }
  };
  let result: T;
  try {
    result = fn();
  } catch (e) {
    release();
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(release) as T;
  }
  release();
  return result;
}

function acquire(dataDir: string, dir: string, waitMs: number): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const deadline = Date.now() + waitMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    if (tryAcquire(dir)) return;
    if (stale(dir)) {
      rmSync(dir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      const owner = readOwner(dir);
      const who = owner ? `process ${owner.pid} on ${owner.host}, since ${owner.since}` : 'another process';
      throw new SmimeError(
        'STORE_LOCKED',
        `the data folder ${dataDir} is busy: another smime-admin (${who}) is changing it; try again when it is done`,
      );
    }
    sleep(delay);
  }
}

/** True when this process holds the folder's lock (inside a withFolderLock call). */
export function holdsFolderLock(dataDir: string): boolean {
  return held.has(join(dataDir, LOCK_DIR));
}

/** How long a writer waits for another (SMIME_ADMIN_LOCK_WAIT_MS, default 10 s). */
export function lockWaitMs(): number {
  const v = Number(process.env.SMIME_ADMIN_LOCK_WAIT_MS);
  return Number.isFinite(v) && v >= 0 ? v : DEFAULT_WAIT_MS;
}
