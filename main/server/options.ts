/**
 * The relay's settings, resolved once from the command line (or a test) into one plain,
 * serialisable object: the primary hands exactly this to every worker over IPC. No secret
 * lives here; the bundle passphrase travels beside it.
 */
import { availableParallelism } from 'node:os';
import { isIP } from 'node:net';
import { SmimeError } from '../core/errors';

export type RelayMode = 'lmtp' | 'smtp';

export interface HostPort {
  host: string;
  port: number;
}

export interface RelayOptions {
  bundleDir: string;
  /** the composition's name or id; the relay pins the id of the first bundle it loads */
  composition: string;
  listen: HostPort;
  upstream: HostPort;
  mode: RelayMode;
  workers: number;
  status: HostPort | null;
  maxSizeBytes: number;
  tls: { certFile: string; keyFile: string } | null;
  allowFrom: string[];
  allowRollback: boolean;
  /** name in the banner, the LHLO/EHLO reply and the EHLO sent upstream */
  hostname: string;
  /** connections per worker; one more is answered 421 and closed */
  maxConnections: number;
  /** a client silent for this long (while it owes us input) is disconnected */
  idleTimeoutMs: number;
  /** the whole DATA phase must end within this, however slowly the bytes trickle */
  dataTimeoutMs: number;
  /** SIGTERM: how long in-flight transactions may take before 421 */
  drainTimeoutMs: number;
  /** connect, greeting and per-reply timeout towards the upstream */
  upstreamTimeoutMs: number;
  /** upstream connections per worker */
  upstreamConnections: number;
  /** the bundle directory is rescanned this often, in case a file-system event was missed */
  rescanMs: number;
}

export const MIB = 1024 * 1024;
export const DEFAULT_ALLOW_FROM = ['127.0.0.0/8', '::1/128'];

export const DEFAULTS = {
  mode: 'lmtp' as RelayMode,
  maxSizeMb: 10,
  maxConnections: 100,
  idleTimeoutMs: 60_000,
  dataTimeoutMs: 10 * 60_000,
  drainTimeoutMs: 30_000,
  upstreamTimeoutMs: 30_000,
  upstreamConnections: 20,
  rescanMs: 10_000,
};

/** Parses HOST:PORT or [IPv6]:PORT; the port may be 0 (any free port) only where `allowZero`. */
export function parseHostPort(value: string, flag: string, allowZero = false): HostPort {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:[\]]+):(\d+)$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !Number.isInteger(port) || port > 65535 || (port === 0 && !allowZero))
    throw new SmimeError('USAGE', `${flag} "${value}" is not HOST:PORT (IPv6 as [ADDR]:PORT)`);
  const host = m[1]!;
  if (!isIP(host) && !/^[A-Za-z0-9.-]+$/.test(host)) throw new SmimeError('USAGE', `${flag}: bad host "${host}"`);
  return { host, port };
}

/** HOST:PORT as the flags take it, IPv6 in brackets. */
export function formatHostPort(hp: HostPort): string {
  return isIP(hp.host) === 6 ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}

/** Fills in every default; what a test or the CLI leaves out is the safe choice. */
export function resolveOptions(
  o: Partial<RelayOptions> & Pick<RelayOptions, 'bundleDir' | 'composition' | 'upstream'>,
): RelayOptions {
  return {
    bundleDir: o.bundleDir,
    composition: o.composition,
    upstream: o.upstream,
    listen: o.listen ?? { host: '127.0.0.1', port: 10025 },
    mode: o.mode ?? DEFAULTS.mode,
    workers: o.workers ?? availableParallelism(),
    status: o.status ?? null,
    maxSizeBytes: o.maxSizeBytes ?? DEFAULTS.maxSizeMb * MIB,
    tls: o.tls ?? null,
    allowFrom: o.allowFrom ?? DEFAULT_ALLOW_FROM,
    allowRollback: o.allowRollback ?? false,
    hostname: o.hostname ?? 'smime-relay.localhost',
    maxConnections: o.maxConnections ?? DEFAULTS.maxConnections,
    idleTimeoutMs: o.idleTimeoutMs ?? DEFAULTS.idleTimeoutMs,
    dataTimeoutMs: o.dataTimeoutMs ?? DEFAULTS.dataTimeoutMs,
    drainTimeoutMs: o.drainTimeoutMs ?? DEFAULTS.drainTimeoutMs,
    upstreamTimeoutMs: o.upstreamTimeoutMs ?? DEFAULTS.upstreamTimeoutMs,
    upstreamConnections: o.upstreamConnections ?? DEFAULTS.upstreamConnections,
    rescanMs: o.rescanMs ?? DEFAULTS.rescanMs,
  };
}
