/**
 * The status port: /healthz (200 once every worker runs a configuration), /status (JSON: the
 * bundle in force, the last reload error, counters, workers) and /metrics (Prometheus text).
 * Loopback only unless told otherwise, and the allow-list applies here too. Nothing it
 * serves is secret: no passphrase, no key, no message content, no address in a metric.
 */
import { createServer, type Server } from 'node:http';
import type { AllowList } from './allow-list';
import type { ReloadFailure } from './config-watcher';
import { countersFrom, type Counters, type MetricsJson } from './metrics';

export interface ConfigInfo {
  composition: { id: string; name: string };
  bundleId: string;
  serial: number;
  createdAt: string;
  createdBy: string;
  fingerprintSha256: string;
  file: string;
  loadedAt: string;
  certificates: { email: string; notBefore: string; notAfter: string }[];
}

/** What one worker reports about itself. */
export interface WorkerSnapshot {
  pid: number;
  startedAt: string;
  config: ConfigInfo | null;
  lastReloadError: ReloadFailure | null;
  connections: number;
  activeTransactions: number;
  upstream: { open: number; idle: number; waiting: number };
  memory: { rssBytes: number; maxRssBytes: number };
  /** CPU time this worker has used (user + system) */
  cpuSeconds: number;
  metrics: MetricsJson;
}

export interface WorkerStatus extends Omit<WorkerSnapshot, 'metrics' | 'config'> {
  id: number;
  restarts: number;
  serial: number | null;
  bundleId: string | null;
  loadedAt: string | null;
}

export interface RelayStatus extends Partial<ConfigInfo> {
  /** at least one worker runs, and every worker that answered runs a configuration */
  healthy: boolean;
  /** every worker runs the same bundle */
  consistent: boolean;
  workersExpected: number;
  /** workers that answered; fewer than expected while one is being restarted */
  workersRunning: number;
  mode: string;
  listen: string;
  upstream: string;
  startedAt: string;
  lastReloadError: ReloadFailure | null;
  counters: Counters;
  workers: WorkerStatus[];
}

export interface RelayMeta {
  mode: string;
  listen: string;
  upstream: string;
  startedAt: string;
}

/** The whole relay's status from its workers' snapshots (summed counters from the aggregated metrics). */
export function buildStatus(
  meta: RelayMeta,
  workers: { id: number; restarts: number; snapshot: WorkerSnapshot }[],
  metrics: MetricsJson,
  workersExpected = workers.length,
): RelayStatus {
  const withConfig = workers.filter((w) => w.snapshot.config);
  const newest = withConfig
    .map((w) => w.snapshot.config!)
    .sort((a, b) => b.serial - a.serial || b.loadedAt.localeCompare(a.loadedAt))[0];
  const errors = workers
    .map((w) => w.snapshot.lastReloadError)
    .filter((e): e is ReloadFailure => e !== null)
    .sort((a, b) => b.at.localeCompare(a.at));
  return {
    healthy: workers.length > 0 && withConfig.length === workers.length,
    consistent: new Set(withConfig.map((w) => w.snapshot.config!.bundleId)).size <= 1,
    workersExpected,
    workersRunning: workers.length,
    ...meta,
    ...(newest ?? {}),
    lastReloadError: errors[0] ?? null,
    counters: countersFrom(metrics),
    workers: workers.map(({ id, restarts, snapshot: s }) => {
      const { metrics: _m, config, ...rest } = s;
      return {
        id,
        restarts,
        ...rest,
        serial: config?.serial ?? null,
        bundleId: config?.bundleId ?? null,
        loadedAt: config?.loadedAt ?? null,
      };
    }),
  };
}

export interface StatusSource {
  collect(): Promise<{ status: RelayStatus; metrics: string }>;
}

/** Serves the status port; resolves with the bound port. Requests from outside the allow-list are dropped on accept. */
export function startStatusServer(
  host: string,
  port: number,
  allow: AllowList,
  source: StatusSource,
): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path !== '/healthz' && path !== '/status' && path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz, /status or /metrics\n');
      return;
    }
    source.collect().then(
      ({ status, metrics }) => {
        if (path === '/metrics') {
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(metrics);
        } else if (path === '/status') {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status, null, 1) + '\n');
        } else {
          res
            .writeHead(status.healthy ? 200 : 503, { 'content-type': 'text/plain' })
            .end(status.healthy ? 'ok\n' : 'no configuration loaded\n');
        }
      },
      (e: Error) => {
        res.writeHead(503, { 'content-type': 'text/plain' }).end(`status unavailable: ${e.message}\n`);
      },
    );
  });
  server.on('connection', (socket) => {
    if (!allow.allows(socket.remoteAddress)) socket.destroy();
  });
  server.maxConnections = 64;
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address();
      resolve({
        port: typeof a === 'object' && a ? a.port : port,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
