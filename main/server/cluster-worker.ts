/**
 * The relay under node:cluster, worker side: one RelayWorker per process, driven by the primary
 * over IPC. The settings and the passphrase arrive in the first message (never in argv).
 */
import cluster from 'node:cluster';
import { describeError, SmimeError } from '../core/errors';
import { createLogger } from './log';
import type { RelayOptions } from './options';
import type { WorkerSnapshot } from './status';
import { startWorker, type RelayWorker } from './worker';

/** primary → worker */
export type ToWorker =
  | { t: 'start'; options: RelayOptions; passphrase: string }
  | { t: 'collect'; id: number }
  | { t: 'reload' }
  | { t: 'drain'; timeoutMs: number };

/** worker → primary */
export type FromWorker =
  | { t: 'ready'; port: number }
  | { t: 'fatal'; message: string }
  | { t: 'snapshot'; id: number; snapshot: WorkerSnapshot };

/**
 * A cluster worker: waits for its settings and the passphrase over IPC, runs one RelayWorker,
 * answers status requests, reloads on request or SIGHUP, drains on request, SIGTERM or when the
 * primary goes away. Resolves with the exit code.
 */
export function runWorkerProcess(): Promise<number> {
  if (!cluster.isWorker || !process.send)
    throw new SmimeError('USAGE', 'relay __worker is started by the relay itself');
  const log = createLogger('worker');
  const send = (m: FromWorker) => process.send?.(m);
  let worker: RelayWorker | null = null;
  let drainMs = 30_000;
  let stopping: Promise<void> | null = null;
  return new Promise<number>((resolve) => {
    const stop = (timeoutMs: number) => {
      stopping ??= (async () => {
        try {
          await worker?.stop(timeoutMs);
        } finally {
          resolve(0);
        }
      })();
    };
    process.on('message', (m: ToWorker) => {
      if (m.t === 'start' && !worker) {
        drainMs = m.options.drainTimeoutMs;
        startWorker(m.options, { passphrase: m.passphrase, log }).then(
          (w) => {
            worker = w;
            send({ t: 'ready', port: w.port });
          },
          (e: unknown) => {
            send({ t: 'fatal', message: describeError(e).message });
            resolve(1);
          },
        );
      } else if (m.t === 'collect' && worker) {
        void worker.snapshot().then((snapshot) => send({ t: 'snapshot', id: m.id, snapshot }));
      } else if (m.t === 'reload') {
        worker?.reload();
      } else if (m.t === 'drain') {
        stop(m.timeoutMs);
      }
    });
    process.on('SIGHUP', () => worker?.reload());
    process.on('SIGTERM', () => stop(worker ? drainMs : 0));
    // Ctrl-C reaches the whole process group: the primary decides what happens
    process.on('SIGINT', () => undefined);
    process.on('disconnect', () => stop(drainMs));
  });
}
