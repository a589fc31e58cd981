/**
 * The relay in one process: one worker plus the status port. Tests start it in-process; the
 * CLI runs the same worker code under node:cluster (cluster.ts).
 */
import { parseAllowList } from './allow-list';
import { createLogger, type Logger } from './log';
import { aggregateMetrics } from './metrics';
import { formatHostPort, resolveOptions, type RelayOptions } from './options';
import { buildStatus, startStatusServer, type RelayStatus } from './status';
import { startWorker, type RelayWorker } from './worker';

export type StartRelayOptions = Partial<RelayOptions> &
  Pick<RelayOptions, 'bundleDir' | 'composition' | 'upstream'> & {
    passphrase: string;
    /** where the JSON log goes (default stdout) */
    logDestination?: NodeJS.WritableStream;
    logLevel?: string;
    /** the clock decisions use; tests move it to expire a certificate */
    now?: () => Date;
  };

export interface RunningRelay {
  ports: { smtp: number; status: number | null };
  options: RelayOptions;
  worker: RelayWorker;
  log: Logger;
  status(): Promise<RelayStatus>;
  reload(): ReturnType<RelayWorker['reload']>;
  /** drain (up to `timeoutMs`, default the drain timeout) and close everything */
  stop(timeoutMs?: number): Promise<void>;
}

/**
 * Starts a single-process relay: loads the newest valid bundle (throws SmimeError when there
 * is none), listens, and serves the status port when `status` is set. Port 0 picks a free port.
 */
export async function startRelay(opts: StartRelayOptions): Promise<RunningRelay> {
  const { passphrase, logDestination, logLevel, now, ...rest } = opts;
  const options = resolveOptions({ ...rest, workers: 1 });
  const log = createLogger('relay', logDestination, logLevel);
  const worker = await startWorker(options, { passphrase, log, ...(now ? { now } : {}) });
  const startedAt = new Date().toISOString();
  const meta = () => ({
    mode: options.mode,
    listen: formatHostPort({ ...options.listen, port: worker.port }),
    upstream: formatHostPort(options.upstream),
    startedAt,
  });
  const collect = async () => {
    const snapshot = await worker.snapshot();
    const agg = await aggregateMetrics([snapshot.metrics]);
    return { status: buildStatus(meta(), [{ id: 1, restarts: 0, snapshot }], agg.json), metrics: agg.text };
  };
  let statusServer: Awaited<ReturnType<typeof startStatusServer>> | null = null;
  try {
    if (options.status)
      statusServer = await startStatusServer(
        options.status.host,
        options.status.port,
        parseAllowList(options.allowFrom),
        {
          collect,
        },
      );
  } catch (e) {
    await worker.stop(0);
    throw e;
  }
  log.info({ event: 'ready', listen: meta().listen, status: statusServer?.port ?? null }, 'relay ready');
  return {
    ports: { smtp: worker.port, status: statusServer?.port ?? null },
    options,
    worker,
    log,
    status: async () => (await collect()).status,
    reload: () => worker.reload(),
    async stop(timeoutMs) {
      await statusServer?.close();
      await worker.stop(timeoutMs);
    },
  };
}
