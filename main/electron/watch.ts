/**
 * The window shows what the CLI (or a second session) changed: the data folder is watched and a
 * change of the settings file or the certificate folder becomes one `state:changed` event, after
 * the writes settle. The lock and journal files are ours in passing and are ignored.
 *
 * What the window changed itself is not news to it: it updates its lists from the answers to its
 * own requests. Reading every list again 300 ms after each of its own changes cost, at 10,000
 * certificates, a second of worker time and a re-render of the table after every click. The
 * requests that write run through `own`: their change is announced as the window's (`window`),
 * at once, and the folder as they left it is the one the window knows.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { Channel } from '../contract/channels';
import { dataFolderState, DATA_STATE_FILES } from '../core/files';
import type { FolderLockEvent } from '../core/lock';
import type { Handlers } from '../ipc/handlers';

const RELEVANT = new RegExp(`^(${DATA_STATE_FILES.map((n) => n.replace('.', '\\.')).join('|')})$`);

/**
 * The requests that change the data folder and answer with what changed. Those that wait for the
 * admin in a native dialog (reflect, reflect all, the publish folder) are left out: a change the
 * CLI makes while the dialog is open would be taken for the window's own; their changes reach the
 * window as any other change does. Every other request only reads the folder.
 */
export const WRITING_CHANNELS: ReadonlySet<Channel> = new Set<Channel>([
  'settings:update',
  'admin:set-password',
  'cert:add',
  'cert:renew',
  'cert:remove',
  'composition:create',
  'composition:rename',
  'composition:delete',
  'composition:set-cert',
  'composition:set-bcc',
  'composition:set-servers',
  'exception:add-destination',
  'exception:add-header',
  'exception:update',
  'exception:set-enabled',
  'exception:remove',
  'exception:restore-defaults',
  'bundle:import',
]);

export type ChangedBy = 'window' | 'elsewhere';

export interface DataFolderWatch {
  /** Runs one of the window's own writing requests: the change it makes is announced as the window's. */
  own<T>(request: () => Promise<T>): Promise<T>;
  /**
   * The window's domain took or is about to release the folder lock: wire AdminDeps.onFolderLock
   * here. A domain in this thread passes only the event (the folder is read now); a worker passes
   * the folder's state (`dataFolderState`) as it was at that moment.
   */
  locked(event: FolderLockEvent, state?: string): void;
  stop(): void;
}

export interface WatchOptions {
  /** how long the writes of a change from elsewhere have to settle before it is announced */
  settleMs?: number;
  /**
   * The window's domain reports its folder lock holds to `locked` (AdminDeps.onFolderLock, in this
   * thread or forwarded from the worker). Without reports, the watch falls back to a guess.
   */
  lockReports?: boolean;
}

/**
 * Calls `onChange('elsewhere')` (debounced by `settleMs`) when the state files change other than
 * through `own`, and `onChange('window')` when an own request has changed them.
 *
 * With lock reports: writers take the folder lock, so what changed while an own request held the
 * lock is the window's, and every other change is someone else's. A CLI run that wrote while the
 * request waited for the lock is found when the request takes it; one that wrote after the
 * request's hold, or during a request that took no lock (it timed out, or failed first), is found
 * when the request ends; a hold that began before the request (reflect behind its dialog) counts
 * as elsewhere too. Without lock reports, a change found when an own request starts is someone
 * else's and the rest is taken for the window's.
 */
export function watchDataFolder(
  dataDir: string,
  onChange: (by: ChangedBy) => void,
  opts: WatchOptions = {},
): DataFolderWatch {
  const settleMs = opts.settleMs ?? 300;
  const reports = opts.lockReports ?? false;
  const state = (): string => dataFolderState(dataDir);
  let known = state();
  let running = 0;
  let elsewhere = false;
  /** one of the own requests in progress changed the folder while holding the lock */
  let ownChanged = false;
  /** the folder as the current own hold found it; null outside such a hold */
  let atAcquire: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  const settle = (): void => {
    if (running > 0) return; // the own request in progress decides when it ends
    const now = state();
    if (now === known) return;
    known = now;
    onChange('elsewhere');
  };
  const locked = (event: FolderLockEvent, at: string = state()): void => {
    // a hold outside the own requests (reflect behind its dialog, a read that repairs) is left to the watcher
    if (running === 0) return;
    if (event === 'acquired') {
      if (at !== known) elsewhere = true;
      atAcquire = at;
      return;
    }
    if (atAcquire === null) {
      // the end of a hold that began before this request: what it changed is not the request's
      if (at !== known) elsewhere = true;
    } else if (at !== atAcquire) ownChanged = true;
    atAcquire = null;
    known = at;
  };
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dataDir, { persistent: false }, (_event, name) => {
      if (name && !RELEVANT.test(String(name))) return;
      clearTimeout(timer);
      timer = setTimeout(settle, settleMs);
    });
  } catch {
    // no folder yet, or no watching on this file system: the window still works, without live updates
  }
  return {
    async own<T>(request: () => Promise<T>): Promise<T> {
      if (running === 0 && state() !== known) elsewhere = true;
      running++;
      try {
        return await request();
      } finally {
        running--;
        if (running === 0) {
          const now = state();
          // with lock reports, a change outside the window's holds is someone else's
          if (reports && now !== known) elsewhere = true;
          const changed = reports ? ownChanged : now !== known;
          known = now;
          ownChanged = false;
          atAcquire = null;
          if (elsewhere) {
            elsewhere = false;
            onChange('elsewhere');
          } else if (changed) onChange('window');
        }
      }
    },
    locked,
    stop() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}

/** The handlers, with every writing request run as the window's own. */
export function ownWrites(handlers: Handlers, folder: Pick<DataFolderWatch, 'own'>): Handlers {
  const out = { ...handlers } as Record<Channel, (req: unknown) => Promise<unknown>>;
  for (const channel of WRITING_CHANNELS) {
    const handle = out[channel];
    out[channel] = (req) => folder.own(() => handle(req));
  }
  return out as Handlers;
}
