/**
 * `smime-admin relay` (serve), `relay status` and `relay check`: the signing relay next to
 * Postfix. Flags are parsed strictly; secrets come from an environment variable or a private
 * file, never from argv.
 */
import { statSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { SmimeError } from '../core/errors';
import { readInputFile } from '../core/files';
import { MAX_BUNDLE_BYTES } from '../core/relay/bundle';
import { loadRelayConfig } from '../core/relay/config';
import { runPrimary } from '../server/cluster';
import { runWorkerProcess } from '../server/cluster-worker';
import { createLogger } from '../server/log';
import { DEFAULT_ALLOW_FROM, DEFAULTS, MIB, parseHostPort, resolveOptions, type RelayOptions } from '../server/options';
import type { RelayStatus } from '../server/status';
import { parse, required, secretFromEnv } from './args';
import type { Output } from './output';
import { json } from './render';

export const RELAY_USAGE =
  'smime-admin relay --bundle-dir DIR --composition NAME (--passphrase-env VAR | --passphrase-file FILE) [--listen HOST:PORT] --upstream HOST:PORT [--mode lmtp|smtp] [--workers N] [--status HOST:PORT] [--max-size MB] [--tls-cert FILE --tls-key FILE] [--allow-from CIDR,...] [--allow-rollback] [--max-connections N] [--idle-timeout S] [--data-timeout S] [--drain-timeout S] [--hostname NAME]';
const STATUS_USAGE = 'smime-admin relay status --url http://HOST:PORT [--json]';
const CHECK_USAGE =
  'smime-admin relay check --bundle FILE (--passphrase-env VAR | --passphrase-file FILE) --composition NAME [--json]';

const usage = (u: string, why: string): never => {
  throw new SmimeError('USAGE', `${why}; usage: ${u}`);
};

/**
 * The bundle passphrase from --passphrase-env (the variable is then removed from this
 * process's environment, so no child inherits it) or --passphrase-file (refused when group
 * or others may read it). One trailing newline of the file is not part of the passphrase.
 */
export function relayPassphrase(values: { 'passphrase-env'?: string; 'passphrase-file'?: string }, u: string): string {
  const env = values['passphrase-env'];
  const file = values['passphrase-file'];
  if (env && file) usage(u, 'give --passphrase-env or --passphrase-file, not both');
  if (env) {
    const v = secretFromEnv(env, '--passphrase-env');
    delete process.env[env];
    return v;
  }
  if (!file) return usage(u, 'missing --passphrase-env or --passphrase-file');
  let mode: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new SmimeError('FILE_UNREADABLE', `--passphrase-file ${file} is not a regular file`);
    mode = st.mode & 0o777;
  } catch (e) {
    if (e instanceof SmimeError) throw e;
    throw new SmimeError(
      'FILE_UNREADABLE',
      `cannot read --passphrase-file ${file}: ${(e as NodeJS.ErrnoException).code}`,
    );
  }
  if (mode & 0o077)
    throw new SmimeError(
      'FILE_UNREADABLE',
      `--passphrase-file ${file} is accessible to group or others (mode ${mode.toString(8).padStart(4, '0')}); run: chmod 600 ${file}`,
    );
  const text = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  if (!text) throw new SmimeError('SECRET_MISSING', `--passphrase-file ${file} is empty`);
  return text;
}

function positiveInt(v: string | undefined, flag: string, u: string, min = 1, max = 1_000_000): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < min || n > max) usage(u, `${flag} must be a whole number from ${min} to ${max}`);
  return n;
}

const SERVE_FLAGS = {
  'bundle-dir': { type: 'string' },
  composition: { type: 'string' },
  'passphrase-env': { type: 'string' },
  'passphrase-file': { type: 'string' },
  listen: { type: 'string' },
  upstream: { type: 'string' },
  mode: { type: 'string' },
  workers: { type: 'string' },
  status: { type: 'string' },
  'max-size': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'allow-from': { type: 'string' },
  'allow-rollback': { type: 'boolean' },
  'max-connections': { type: 'string' },
  'idle-timeout': { type: 'string' },
  'data-timeout': { type: 'string' },
  'drain-timeout': { type: 'string' },
  hostname: { type: 'string' },
} as const;

/** Turns the serve flags into RelayOptions; every mistake is one line of usage advice. */
export function relayOptions(args: string[]): { options: RelayOptions; passphrase: string } {
  const u = RELAY_USAGE;
  const { values: v, positionals } = parse(args, SERVE_FLAGS, u);
  if (positionals.length) usage(u, `unexpected argument "${positionals[0]}"`);
  const mode = v.mode ?? DEFAULTS.mode;
  if (mode !== 'lmtp' && mode !== 'smtp') return usage(u, `--mode must be lmtp or smtp, not "${mode}"`);
  if (!!v['tls-cert'] !== !!v['tls-key']) usage(u, '--tls-cert and --tls-key go together');
  const seconds = (flag: keyof typeof v, max: number) => {
    const n = positiveInt(v[flag] as string | undefined, `--${flag}`, u, 1, max);
    return n === undefined ? undefined : n * 1000;
  };
  const maxSize = positiveInt(v['max-size'], '--max-size', u, 1, 100);
  const options = resolveOptions({
    bundleDir: required(v['bundle-dir'], '--bundle-dir', u),
    composition: required(v.composition, '--composition', u),
    ...(v.listen ? { listen: parseHostPort(v.listen, '--listen', true) } : {}),
    upstream: parseHostPort(required(v.upstream, '--upstream', u), '--upstream'),
    mode,
    workers: positiveInt(v.workers, '--workers', u, 1, 256) ?? availableParallelism(),
    status: v.status ? parseHostPort(v.status, '--status', true) : null,
    maxSizeBytes: (maxSize ?? DEFAULTS.maxSizeMb) * MIB,
    tls: v['tls-cert'] ? { certFile: v['tls-cert'], keyFile: v['tls-key']! } : null,
    allowFrom: v['allow-from'] ? v['allow-from'].split(',') : DEFAULT_ALLOW_FROM,
    allowRollback: v['allow-rollback'] === true,
    ...(v.hostname ? { hostname: v.hostname } : {}),
    ...(v['max-connections']
      ? { maxConnections: positiveInt(v['max-connections'], '--max-connections', u, 1, 10_000) }
      : {}),
    ...(v['idle-timeout'] ? { idleTimeoutMs: seconds('idle-timeout', 3600) } : {}),
    ...(v['data-timeout'] ? { dataTimeoutMs: seconds('data-timeout', 3600) } : {}),
    ...(v['drain-timeout'] ? { drainTimeoutMs: seconds('drain-timeout', 3600) } : {}),
  });
  return { options, passphrase: relayPassphrase(v, u) };
}

async function statusCommand(args: string[], out: Output): Promise<number> {
  const { values } = parse(args, { url: { type: 'string' }, json: { type: 'boolean' } }, STATUS_USAGE);
  const base = required(values.url, '--url', STATUS_USAGE).replace(/\/+$/, '');
  let status: RelayStatus;
  try {
    const res = await fetch(`${base}/status`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    status = (await res.json()) as RelayStatus;
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    throw new SmimeError('INTERNAL', `cannot reach the relay status at ${base}: ${cause ?? (e as Error).message}`);
  }
  if (values.json) {
    out.stdout(json(status));
    return status.healthy ? 0 : 1;
  }
  const c = status.counters;
  const lines = [
    `Relay:        ${status.healthy ? 'healthy' : 'NOT healthy'} (${status.mode}, listening on ${status.listen}, upstream ${status.upstream}, since ${status.startedAt})`,
    status.composition
      ? `Bundle:       composition "${status.composition.name}" (id ${status.composition.id}), reflection ${status.serial}, ${status.file}, loaded ${status.loadedAt}`
      : 'Bundle:       none loaded',
    ...(status.certificates ?? []).map((x) => `Certificate:  ${x.email} (valid until ${x.notAfter})`),
    `Workers:      ${status.workersRunning} of ${status.workersExpected} running${status.consistent ? '' : ' (NOT all on the same bundle)'}: ${status.workers.map((w) => `#${w.id} pid ${w.pid} reflection ${w.serial ?? '-'} ${w.connections} conn${w.restarts ? `, ${w.restarts} restarts` : ''}`).join('; ')}`,
    `Recipients:   ${c.recipients.signed} signed, ${c.recipients.unsigned} unsigned, ${c.recipients.rejected} rejected, ${c.recipients.failed} failed (${c.transactions} transactions)`,
    `Reloads:      ${c.reloadsOk} ok, ${c.reloadsFailed} refused; upstream errors ${c.upstreamErrors}`,
    status.lastReloadError
      ? `Last reload error: ${status.lastReloadError.at} ${status.lastReloadError.file}: ${status.lastReloadError.message}`
      : 'Last reload error: none',
  ];
  out.stdout(lines.join('\n') + '\n');
  return status.healthy ? 0 : 1;
}

function checkCommand(args: string[], out: Output): number {
  const u = CHECK_USAGE;
  const { values, positionals } = parse(
    args,
    {
      bundle: { type: 'string' },
      'passphrase-env': { type: 'string' },
      'passphrase-file': { type: 'string' },
      composition: { type: 'string' },
      json: { type: 'boolean' },
    },
    u,
  );
  if (positionals.length) usage(u, `unexpected argument "${positionals[0]}"`);
  const file = required(values.bundle, '--bundle', u);
  const wanted = required(values.composition, '--composition', u).trim();
  const passphrase = relayPassphrase(values, u);
  const config = loadRelayConfig(readInputFile(file, MAX_BUNDLE_BYTES, file), passphrase, file);
  if (config.composition.id !== wanted && config.composition.name.toLowerCase() !== wanted.toLowerCase())
    throw new SmimeError(
      'COMPOSITION_NOT_FOUND',
      `${file} holds composition "${config.composition.name}" (id ${config.composition.id}), not "${wanted}"`,
    );
  const info = {
    ok: true,
    file,
    composition: config.composition,
    serial: config.serial,
    bundleId: config.bundleId,
    createdAt: config.createdAt,
    fingerprintSha256: config.fingerprintSha256,
    certificates: config.certificates.map((x) => ({ email: x.email, notAfter: x.notAfter.toISOString() })),
  };
  if (values.json) out.stdout(json(info));
  else
    out.stdout(
      `OK: ${file} is a valid bundle for composition "${config.composition.name}" (id ${config.composition.id}), reflection ${config.serial}, ${config.certificates.length} certificate(s)\n`,
    );
  return 0;
}

/** Dispatches `relay …`; the serve form runs until SIGTERM and resolves with the exit code. */
export async function relayCommand(args: string[], out: Output): Promise<number> {
  const [first, ...rest] = args;
  if (first === 'status') return statusCommand(rest, out);
  if (first === 'check') return checkCommand(rest, out);
  // a worker holds its IPC channel open: leave explicitly rather than wait for handles to wind down
  // (pino flushes the log's buffer on exit)
  if (first === '__worker') process.exit(await runWorkerProcess());
  if (first !== undefined && !first.startsWith('-'))
    return usage(
      RELAY_USAGE,
      `unknown relay command "${first}" (serve takes only flags; or: relay status, relay check)`,
    );
  const { options, passphrase } = relayOptions(args);
  process.exit(await runPrimary(options, passphrase, createLogger('primary')));
}
