/**
 * The relay under node:cluster, primary side. The primary validates the bundle (and pins the
 * composition id), forks N workers, restarts a crashed one with backoff, forwards SIGHUP, drains
 * on SIGTERM and serves the status port by asking every worker over IPC. Workers load bundles
 * themselves (cluster-worker.ts); the passphrase reaches them in an IPC message, never in argv,
 * and is never logged.
 */
import cluster, { type Worker } from 'node:cluster';
import { readFileSync } from 'node:fs';
import { describeError, SmimeError } from '../core/errors';
import { parseAllowList } from './allow-list';
import { BundleWatcher } from './config-watcher';
import type { Logger } from './log';
import { aggregateMetrics } from './metrics';
import { formatHostPort, type RelayOptions } from './options';
import type { FromWorker, ToWorker } from './cluster-worker';
import { buildStatus, startStatusServer, type WorkerSnapshot } from './status';

interface Slot {
  index: number;
  worker: Worker | null;
  ready: boolean;
  restarts: number;
  failures: number;
  startedAt: number;
  timer: NodeJS.Timeout | null;
}

const STARTUP_TIMEOUT_MS = 60_000;
const COLLECT_TIMEOUT_MS = 3_000;

/** Checks what the workers would otherwise each fail on, so a bad start is one clear line and exit 1. */
function preflight(options: RelayOptions, passphrase: string): RelayOptions {
  parseAllowList(options.allowFrom);
  for (const [flag, file] of options.tls
    ? [
        ['--tls-cert', options.tls.certFile],
        ['--tls-key', options.tls.keyFile],
      ]
    : []) {
    try {
      readFileSync(file!);
    } catch (e) {
      throw new SmimeError('FILE_UNREADABLE', `${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? 'unreadable'}`);
    }
  }
  const probe = new BundleWatcher({
    dir: options.bundleDir,
    passphrase,
    composition: options.composition,
    allowRollback: options.allowRollback,
    rescanMs: options.rescanMs,
  });
  const first = probe.start();
  // every worker follows the composition by id from here on, whatever it is called later
  return { ...options, composition: first.config.composition.id };
}

/**
 * Runs the primary until SIGTERM/SIGINT; resolves with the exit code. Throws SmimeError (before
 * any worker starts) when there is no valid bundle, or when the first workers cannot start.
 */
export async function runPrimary(options: RelayOptions, passphrase: string, log: Logger): Promise<number> {
  const pinned = preflight(options, passphrase);
  const startedAt = new Date().toISOString();
  const slots: Slot[] = Array.from({ length: options.workers }, (_, index) => ({
    index,
    worker: null,
    ready: false,
    restarts: 0,
    failures: 0,
    startedAt: 0,
    timer: null,
  }));
  let stopping = false;
  let collectSeq = 0;
  const pendingCollect = new Map<number, (s: WorkerSnapshot) => void>();
  let startup: { resolve: () => void; reject: (e: Error) => void } | null = null;
  let smtpPort = options.listen.port;

  cluster.setupPrimary({ args: ['relay', '__worker'] });

  const fork = (slot: Slot): void => {
    slot.timer = null;
    const w = cluster.fork();
    slot.worker = w;
    slot.ready = false;
    slot.startedAt = Date.now();
    // a message sent to a worker that just died (SIGKILL between a check and a send) fails with
    // an 'error' event; without a listener that would take the primary down with it
    w.on('error', (e) =>
      log.warn(
        { event: 'worker-ipc-error', slot: slot.index, pid: w.process.pid, reason: e.message },
        'worker unreachable',
      ),
    );
    w.on('online', () => w.send({ t: 'start', options: pinned, passphrase } satisfies ToWorker));
    w.on('message', (m: FromWorker) => {
      if (m.t === 'ready') {
        slot.ready = true;
        smtpPort = m.port;
        log.info({ event: 'worker-ready', slot: slot.index, pid: w.process.pid }, 'worker ready');
        if (startup && slots.every((s) => s.ready)) startup.resolve();
      } else if (m.t === 'fatal') {
        log.error({ event: 'worker-fatal', slot: slot.index, pid: w.process.pid, reason: m.message }, 'worker failed');
        startup?.reject(new SmimeError('INTERNAL', m.message));
      } else if (m.t === 'snapshot') {
        pendingCollect.get(m.id)?.(m.snapshot);
      }
    });
    w.on('exit', (code, signal) => {
      slot.worker = null;
      slot.ready = false;
      if (stopping) return;
      const lived = Date.now() - slot.startedAt;
      slot.failures = lived > 30_000 ? 0 : slot.failures + 1;
      const delay = Math.min(30_000, 250 * 2 ** Math.min(slot.failures, 7));
      slot.restarts++;
      log.warn(
        { event: 'worker-exit', slot: slot.index, pid: w.process.pid, code, signal, restartInMs: delay },
        'worker exited; restarting',
      );
      slot.timer = setTimeout(() => fork(slot), delay);
    });
  };

  const collect = async () => {
    const live = slots.filter((s) => s.worker && s.ready && s.worker.isConnected());
    const snaps = await Promise.all(
      live.map(
        (s) =>
          new Promise<{ id: number; restarts: number; snapshot: WorkerSnapshot } | null>((resolve) => {
            const id = ++collectSeq;
            const timer = setTimeout(() => {
              pendingCollect.delete(id);
              resolve(null);
            }, COLLECT_TIMEOUT_MS);
            pendingCollect.set(id, (snapshot) => {
              clearTimeout(timer);
              pendingCollect.delete(id);
              resolve({ id: s.index + 1, restarts: s.restarts, snapshot });
            });
            s.worker!.send({ t: 'collect', id } satisfies ToWorker);
          }),
      ),
    );
    const got = snaps.filter((x): x is NonNullable<typeof x> => x !== null);
    const agg = await aggregateMetrics(got.map((g) => g.snapshot.metrics));
    const meta = {
      mode: options.mode,
      listen: formatHostPort({ ...options.listen, port: smtpPort }),
      upstream: formatHostPort(options.upstream),
      startedAt,
    };
    return { status: buildStatus(meta, got, agg.json, slots.length), metrics: agg.text };
  };

  const stopAll = async (timeoutMs: number): Promise<void> => {
    stopping = true;
    for (const s of slots) if (s.timer) clearTimeout(s.timer);
    const exits = slots
      .filter((s) => s.worker)
      .map((s) => {
        const w = s.worker!;
        return new Promise<void>((resolve) => {
          if (w.isDead()) return resolve();
          w.once('exit', () => resolve());
          const kill = setTimeout(() => w.process.kill('SIGKILL'), timeoutMs + 5_000);
          kill.unref();
          try {
            w.send({ t: 'drain', timeoutMs } satisfies ToWorker);
          } catch {
            w.process.kill('SIGTERM');
          }
        });
      });
    await Promise.all(exits);
  };

  // start every worker; the first failure stops them all
  try {
    await new Promise<void>((resolve, reject) => {
      startup = { resolve, reject };
      const timer = setTimeout(
        () => reject(new SmimeError('INTERNAL', `the workers did not start within ${STARTUP_TIMEOUT_MS / 1000} s`)),
        STARTUP_TIMEOUT_MS,
      );
      timer.unref();
      for (const s of slots) fork(s);
    });
  } catch (e) {
    await stopAll(0);
    throw e;
  } finally {
    startup = null;
  }

  let statusServer: Awaited<ReturnType<typeof startStatusServer>> | null = null;
  if (options.status) {
    try {
      statusServer = await startStatusServer(
        options.status.host,
        options.status.port,
        parseAllowList(options.allowFrom),
        {
          collect,
        },
      );
    } catch (e) {
      await stopAll(0);
      throw new SmimeError(
        'INTERNAL',
        `cannot serve --status ${formatHostPort(options.status)}: ${describeError(e).message}`,
      );
    }
  }
  log.info(
    {
      event: 'ready',
      listen: formatHostPort({ ...options.listen, port: smtpPort }),
      status: statusServer ? formatHostPort({ ...options.status!, port: statusServer.port }) : null,
      upstream: formatHostPort(options.upstream),
      mode: options.mode,
      workers: slots.length,
      composition: pinned.composition,
    },
    'relay ready',
  );

  return new Promise<number>((resolve) => {
    const onHup = () => {
      log.info({ event: 'sighup' }, 'reloading bundles in every worker');
      for (const s of slots) if (s.worker?.isConnected()) s.worker.send({ t: 'reload' } satisfies ToWorker);
    };
    const onTerm = (signal: string) => {
      if (stopping) return;
      log.info({ event: 'shutdown', signal, drainTimeoutMs: options.drainTimeoutMs }, 'draining');
      process.off('SIGHUP', onHup);
      void (async () => {
        await statusServer?.close();
        await stopAll(options.drainTimeoutMs);
        log.info({ event: 'stopped' }, 'relay stopped');
        resolve(0);
      })();
    };
    process.on('SIGHUP', onHup);
    process.once('SIGTERM', () => onTerm('SIGTERM'));
    process.once('SIGINT', () => onTerm('SIGINT'));
  });
}
