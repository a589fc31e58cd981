/**
 * One relay process: it loads bundles itself (BundleWatcher), listens (inbound), delivers
 * (outbound), counts (metrics) and logs one line per transaction and per reload. A cluster
 * worker runs one of these; so does `startRelay` in a single process.
 */
import { describeError } from '../core/errors';
import { parseAllowList } from './allow-list';
import { BundleWatcher, type LoadedBundle, type ReloadOutcome } from './config-watcher';
import { createInbound, type Inbound, type InboundMessage, type InboundReplies } from './inbound';
import type { Logger } from './log';
import { countOutcome, createMetrics, type RelayMetrics } from './metrics';
import type { RelayOptions } from './options';
import { Upstream } from './outbound';
import type { ConfigInfo, WorkerSnapshot } from './status';
import { runTransaction, type RecipientOutcome, type Reply, type TransactionResult } from './transaction';

export interface WorkerDeps {
  passphrase: string;
  log: Logger;
  /** the clock decisions use (certificate validity); tests move it */
  now?: () => Date;
}

export interface RelayWorker {
  port: number;
  readonly watcher: BundleWatcher;
  readonly metrics: RelayMetrics;
  snapshot(): Promise<WorkerSnapshot>;
  /** SIGHUP: look at the bundle directory now */
  reload(): ReloadOutcome;
  /** stop accepting, let transactions finish within the drain timeout, close the upstream pool */
  stop(timeoutMs?: number): Promise<void>;
}

/** What the status page shows of a loaded bundle: identity and certificates, never a secret. */
export function configInfo(b: LoadedBundle): ConfigInfo {
  const c = b.config;
  return {
    composition: { ...c.composition },
    bundleId: c.bundleId,
    serial: c.serial,
    createdAt: c.createdAt,
    createdBy: c.createdBy,
    fingerprintSha256: c.fingerprintSha256,
    file: b.file,
    loadedAt: b.loadedAt.toISOString(),
    certificates: c.certificates.map((x) => ({
      email: x.email,
      notBefore: x.notBefore.toISOString(),
      notAfter: x.notAfter.toISOString(),
    })),
  };
}

function logReload(log: Logger, o: ReloadOutcome): void {
  for (const f of o.failures)
    log.warn({ event: 'reload', result: 'failed', file: f.file, code: f.code, reason: f.message }, 'bundle refused');
  if (o.result === 'loaded') {
    const c = o.bundle.config;
    log.info(
      {
        event: 'reload',
        result: 'ok',
        file: o.bundle.file,
        composition: c.composition,
        serial: c.serial,
        previousSerial: o.previous?.config.serial ?? null,
        bundleId: c.bundleId,
        fingerprintSha256: c.fingerprintSha256,
      },
      'bundle loaded',
    );
  }
}

/**
 * Loads the newest valid bundle (throws SmimeError when there is none), starts listening and
 * watching the directory. Resolves once the port is bound.
 */
export async function startWorker(o: RelayOptions, deps: WorkerDeps): Promise<RelayWorker> {
  const { log } = deps;
  const now = deps.now ?? (() => new Date());
  const startedAt = new Date().toISOString();
  const metrics = createMetrics();
  const allow = parseAllowList(o.allowFrom);
  const watcher = new BundleWatcher({
    dir: o.bundleDir,
    passphrase: deps.passphrase,
    composition: o.composition,
    allowRollback: o.allowRollback,
    rescanMs: o.rescanMs,
    onReload: (outcome) => {
      if (outcome.result === 'loaded') {
        metrics.reloads.inc({ result: 'ok' });
        metrics.configSerial.set(outcome.bundle.config.serial);
      }
      if (outcome.failures.length) metrics.reloads.inc({ result: 'failed' }, outcome.failures.length);
      logReload(log, outcome);
    },
  });
  const first = watcher.start();
  metrics.configSerial.set(first.config.serial);
  log.info(
    {
      event: 'reload',
      result: 'ok',
      file: first.file,
      composition: first.config.composition,
      serial: first.config.serial,
      bundleId: first.config.bundleId,
      fingerprintSha256: first.config.fingerprintSha256,
    },
    'bundle loaded',
  );
  const upstream = new Upstream({
    upstream: o.upstream,
    name: o.hostname,
    maxConnections: o.upstreamConnections,
    timeoutMs: o.upstreamTimeoutMs,
    onError: (n) => metrics.upstreamErrors.inc(n),
  });

  const record = (m: InboundMessage, r: TransactionResult, serial: number): void => {
    for (const x of r.recipients) countOutcome(metrics, x.outcome, x.reason);
    metrics.bytesIn.inc(m.size);
    metrics.bytesOut.inc(r.bytesOut);
    const seconds = Number(process.hrtime.bigint() - m.receivedAt) / 1e9;
    metrics.transactionSeconds.observe(seconds);
    log.info(
      {
        event: 'transaction',
        id: m.id,
        client: m.remoteAddress,
        sender: m.mailFrom,
        recipients: m.rcptTo.length,
        outcomes: r.recipients.map((x: RecipientOutcome) => ({
          rcpt: x.recipient,
          outcome: x.outcome,
          reason: x.reason,
          reply: `${x.reply.code} ${x.reply.enhanced}`,
        })),
        reply: o.mode === 'smtp' ? `${r.reply.code} ${r.reply.enhanced}` : undefined,
        sizeIn: m.size,
        sizeOut: r.bytesOut,
        deliveries: r.deliveries,
        serial,
        ms: Math.round(seconds * 1000),
      },
      'transaction',
    );
  };

  const handle = async (bundle: LoadedBundle, m: InboundMessage): Promise<InboundReplies> => {
    let result: TransactionResult;
    if (m.message === null) {
      const reply: Reply = {
        code: 552,
        enhanced: '5.3.4',
        text: `${m.id} message is larger than the ${o.maxSizeBytes} bytes this relay accepts`,
      };
      result = {
        recipients: m.rcptTo.map((recipient) => ({
          recipient,
          outcome: 'rejected',
          reason: 'message-too-large',
          reply,
        })),
        reply,
        bytesOut: 0,
        deliveries: 0,
      };
    } else {
      result = await runTransaction(
        {
          id: m.id,
          config: bundle.config,
          mailFrom: m.mailFrom,
          rcptTo: m.rcptTo,
          message: m.message,
          use8BitMime: m.use8BitMime,
          mode: o.mode,
          at: now(),
        },
        upstream,
      );
    }
    record(m, result, bundle.config.serial);
    return { perRecipient: result.recipients.map((x) => x.reply), whole: result.reply };
  };

  const inbound: Inbound = createInbound<LoadedBundle>(o, allow, {
    begin: () => watcher.current,
    handle: (bundle, m) =>
      handle(bundle, m).catch((e: unknown) => {
        log.error({ event: 'transaction', id: m.id, error: describeError(e) }, 'transaction failed');
        throw e;
      }),
    refused: (reason, client) => {
      metrics.connectionsRefused.inc({ reason });
      log.info({ event: 'refused', reason, client }, 'connection refused');
    },
  });
  const port = await inbound.listen(o.listen.host, o.listen.port);
  watcher.watch();

  return {
    port,
    watcher,
    metrics,
    reload: () => watcher.reload(),
    async snapshot() {
      metrics.connections.set(inbound.connections());
      const usage = process.resourceUsage();
      return {
        pid: process.pid,
        startedAt,
        config: configInfo(watcher.current),
        lastReloadError: watcher.lastError,
        connections: inbound.connections(),
        activeTransactions: inbound.activeTransactions(),
        upstream: upstream.stats(),
        memory: { rssBytes: process.memoryUsage.rss(), maxRssBytes: usage.maxRSS * 1024 },
        cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
        metrics: await metrics.registry.getMetricsAsJSON(),
      };
    },
    async stop(timeoutMs = o.drainTimeoutMs) {
      watcher.close();
      await inbound.drain(timeoutMs);
      upstream.close();
    },
  };
}
