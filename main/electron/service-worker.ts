/** The worker thread's side of worker-service.ts: the admin service over the real keychain and settings file. */
import { parentPort, workerData } from 'node:worker_threads';
import { ConfStateStore } from '../adapters/conf-state-store';
import { KeytarSecretStore } from '../adapters/keytar-secret-store';
import { AdminService } from '../core/domain/service';
import { describeError } from '../core/errors';
import { dataFolderState } from '../core/files';
import { reviveBuffers, type WorkerOptions } from './worker-service';

const options = workerData as WorkerOptions;
const service = new AdminService({
  store: new ConfStateStore(options.dataDir),
  secrets: new KeytarSecretStore(options.keychainService),
  dataDir: options.dataDir,
  // the main thread's folder watch tells the window's writes from the CLI's by these (watch.ts);
  // posted before the answer of the request that held the lock, so they arrive first
  onFolderLock: (event) => parentPort!.postMessage({ folderLock: event, state: dataFolderState(options.dataDir) }),
});
const methods = service as unknown as Record<string, (...a: unknown[]) => unknown>;

parentPort!.on('message', async (m: { id: number; method: string; args: unknown[] }) => {
  const args = m.args.map((a) =>
    a && typeof a === 'object' && !(a instanceof Uint8Array) && '__callback' in a
      ? (...x: unknown[]) => parentPort!.postMessage({ callback: (a as { __callback: number }).__callback, args: x })
      : reviveBuffers(a),
  );
  try {
    const fn = methods[m.method];
    if (typeof fn !== 'function') throw new Error(`no such service method: ${m.method}`);
    parentPort!.postMessage({ id: m.id, ok: true, value: await fn(...args) });
  } catch (e) {
    parentPort!.postMessage({ id: m.id, ok: false, error: describeError(e) });
  }
});
