/**
 * The relay's Prometheus metrics (prometheus.io/docs/practices/naming): `smime_relay_*_total`
 * counters with a few low-cardinality labels, one `_seconds` histogram. Labels carry codes
 * only: no address, no subject, no secret ever becomes a label value. Each worker has its own
 * registry; the primary sums them with prom-client's AggregatorRegistry.
 */
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, type MetricObjectWithValues } from 'prom-client';
import type { MetricValue } from 'prom-client';
import type { Outcome, OutcomeReason } from './transaction';

export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

export interface RelayMetrics {
  registry: Registry;
  messages: Counter<'outcome' | 'reason'>;
  bytesIn: Counter;
  bytesOut: Counter;
  transactionSeconds: Histogram;
  reloads: Counter<'result'>;
  upstreamErrors: Counter;
  connectionsRefused: Counter<'reason'>;
  connections: Gauge;
  configSerial: Gauge;
}

/** A fresh registry with every relay metric; counters start at zero so they show from the first scrape. */
export function createMetrics(): RelayMetrics {
  const registry = new Registry();
  const registers = [registry];
  const m: RelayMetrics = {
    registry,
    messages: new Counter({
      name: 'smime_relay_messages_total',
      help: 'Recipients handled, by outcome (signed, unsigned, rejected, failed) and reason code',
      labelNames: ['outcome', 'reason'],
      registers,
    }),
    bytesIn: new Counter({ name: 'smime_relay_bytes_in_total', help: 'Message bytes received', registers }),
    bytesOut: new Counter({
      name: 'smime_relay_bytes_out_total',
      help: 'Message bytes the upstream accepted (one count per upstream transaction)',
      registers,
    }),
    transactionSeconds: new Histogram({
      name: 'smime_relay_transaction_seconds',
      help: 'Time from the end of DATA to the reply, upstream delivery included',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    reloads: new Counter({
      name: 'smime_relay_reloads_total',
      help: 'Bundle reloads that changed the configuration (ok) or found a bad candidate (failed); the busiest worker',
      labelNames: ['result'],
      aggregator: 'max',
      registers,
    }),
    upstreamErrors: new Counter({
      name: 'smime_relay_upstream_errors_total',
      help: 'Upstream transactions that failed and recipients the upstream refused',
      registers,
    }),
    connectionsRefused: new Counter({
      name: 'smime_relay_connections_refused_total',
      help: 'Connections refused before the session, by reason (allow-list, draining)',
      labelNames: ['reason'],
      registers,
    }),
    connections: new Gauge({ name: 'smime_relay_connections', help: 'Open SMTP/LMTP connections', registers }),
    configSerial: new Gauge({
      name: 'smime_relay_config_serial',
      help: 'Reflection number of the bundle in force (the lowest across workers)',
      aggregator: 'min',
      registers,
    }),
  };
  m.reloads.inc({ result: 'ok' }, 0);
  m.reloads.inc({ result: 'failed' }, 0);
  return m;
}

/** Counts one recipient's outcome. */
export function countOutcome(m: RelayMetrics, outcome: Outcome, reason: OutcomeReason): void {
  m.messages.inc({ outcome, reason });
}

/** Sums the workers' registries (as JSON) into Prometheus text. */
export async function aggregateMetrics(perWorker: MetricsJson[]): Promise<{ text: string; json: MetricsJson }> {
  const reg = AggregatorRegistry.aggregate(perWorker);
  return { text: await reg.metrics(), json: await reg.getMetricsAsJSON() };
}

export interface Counters {
  transactions: number;
  recipients: Record<Outcome, number>;
  bytesIn: number;
  bytesOut: number;
  reloadsOk: number;
  reloadsFailed: number;
  upstreamErrors: number;
  connections: number;
}

/** The few numbers the status page shows, read from metrics JSON (one source of truth). */
export function countersFrom(json: MetricsJson): Counters {
  const metric = (name: string) => json.find((x) => x.name === name);
  const sum = (name: string, pred: (labels: Record<string, string | number>) => boolean = () => true) =>
    (metric(name)?.values ?? [])
      .filter((v) => pred(v.labels as Record<string, string | number>))
      .reduce((n, v) => n + v.value, 0);
  const outcome = (o: Outcome) => sum('smime_relay_messages_total', (l) => l.outcome === o);
  return {
    transactions: countOf(json),
    recipients: {
      signed: outcome('signed'),
      unsigned: outcome('unsigned'),
      rejected: outcome('rejected'),
      failed: outcome('failed'),
    },
    bytesIn: sum('smime_relay_bytes_in_total'),
    bytesOut: sum('smime_relay_bytes_out_total'),
    reloadsOk: sum('smime_relay_reloads_total', (l) => l.result === 'ok'),
    reloadsFailed: sum('smime_relay_reloads_total', (l) => l.result === 'failed'),
    upstreamErrors: sum('smime_relay_upstream_errors_total'),
    connections: sum('smime_relay_connections'),
  };
}

function countOf(json: MetricsJson): number {
  const h = json.find((x) => x.name === 'smime_relay_transaction_seconds');
  const c = h?.values.find(
    (v) => (v as { metricName?: string }).metricName === 'smime_relay_transaction_seconds_count',
  );
  return c?.value ?? 0;
}
