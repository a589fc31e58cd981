/**
 * The admin domain in a worker thread of the Electron main process: listing ten thousand
 * certificates or reflecting a thousand takes its time there, while the main process keeps
 * answering the window. Calls are messages { id, method, args }; a function argument (reflect's
 * progress) travels as a callback id the worker calls back through. Errors keep their code.
 */
import { Worker } from 'node:worker_threads';
import type { ServiceApi } from '../core/domain/remote';
import { SmimeError } from '../core/errors';
import type { ErrorCode } from '../contract';
import type { FolderLockEvent } from '../core/lock';

export interface WorkerOptions {
  dataDir: string;
  keychainService: string;
}

/**
 * Buffers cross a thread as plain Uint8Arrays; the core expects Buffers (toString with an
 * encoding, equals, subarray that stays a Buffer), so both sides turn them back.
 */
export function reviveBuffers(v: unknown, depth = 0): unknown {
  if (v instanceof Uint8Array) return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (depth > 8 || v === null || typeof v !== 'object' || v instanceof Date) return v;
  if (Array.isArray(v)) return v.map((x) => reviveBuffers(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = reviveBuffers(x, depth + 1);
  return out;
}

type Reply =
  { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { code?: ErrorCode; message: string } };
type Callback = { callback: number; args: unknown[] };
/** the worker took or is about to release the data folder's lock; `state` is the folder's then */
type FolderLock = { folderLock: FolderLockEvent; state: string };

/**
 * Starts the worker (`script` is the built service-worker.js) and returns the service as promises.
 * `onFolderLock` hears the worker's folder lock holds, each before the answer of its request.
 */
export function startServiceWorker(
  script: string,
  options: WorkerOptions,
  onFolderLock?: (event: FolderLockEvent, state: string) => void,
): ServiceApi & { close(): Promise<number> } {
  const worker = new Worker(script, { workerData: options });
  let next = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: unknown): void }>();
  const callbacks = new Map<number, (...a: unknown[]) => void>();
  worker.on('message', (m: Reply | Callback | FolderLock) => {
    if ('folderLock' in m) {
      onFolderLock?.(m.folderLock, m.state);
      return;
    }
    if ('callback' in m) {
      callbacks.get(m.callback)?.(...m.args);
      return;
    }
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(reviveBuffers(m.value));
    else p.reject(m.error.code ? new SmimeError(m.error.code, m.error.message) : new Error(m.error.message));
  });
  const failAll = (e: Error): void => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the service worker stopped (exit ${code})`)));
  const call = (method: string, args: unknown[]): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = next++;
      const ids: number[] = [];
      const wire = args.map((a) => {
        if (typeof a !== 'function') return a;
        const cb = next++;
        ids.push(cb);
        callbacks.set(cb, a as (...x: unknown[]) => void);
        return { __callback: cb };
      });
      const done =
        <T>(f: (v: T) => void) =>
        (v: T) => {
          for (const cb of ids) callbacks.delete(cb);
          f(v);
        };
      pending.set(id, { resolve: done(resolve), reject: done(reject) });
      worker.postMessage({ id, method, args: wire });
    });
  const api = new Proxy({} as Record<string, unknown>, {
    get: (_t, name: string) => (name === 'close' ? () => worker.terminate() : (...args: unknown[]) => call(name, args)),
  });
  return api as unknown as ServiceApi & { close(): Promise<number> };
}
