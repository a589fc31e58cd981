/**
 * What the relay tests share: a bundle directory fed by a real admin service (reflect writes the
 * bundles exactly as production does), an in-process relay with its JSON log captured, a raw
 * SMTP/LMTP client that shows every reply line as the server sent it, and bounded waits.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startRelay, type RunningRelay, type StartRelayOptions } from '../../main/server/relay';
import { seededService } from './admin';
import type { TestPki } from './pki';

export const PASS = 'a long bundle passphrase';
export const FROM = 'info@example.com';

export type Seeded = Awaited<ReturnType<typeof seededService>>;

export interface BundleDir {
  seeded: Seeded;
  dir: string;
  /** the composition's current name (a test that renames it updates this) */
  composition: string;
  /** reflects the composition into `dir` (atomically, as the admin app does); returns the file path */
  reflect(file?: string): Promise<string>;
}

const made: string[] = [];
process.on('exit', () => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** A seeded admin service (info@example.com in "Transactional") and a bundle directory holding its first reflection. */
export async function bundleDir(pki: TestPki, opts: Parameters<typeof seededService>[1] = {}): Promise<BundleDir> {
  const seeded = await seededService(pki, opts);
  const dir = mkdtempSync(join(tmpdir(), 'smime-relay-bundles-'));
  made.push(dir, seeded.dataDir);
  const composition = opts.composition ?? 'Transactional';
  let n = 0;
  const bd: BundleDir = {
    seeded,
    dir,
    composition,
    async reflect(file) {
      const name = file ?? `bundle-${++n}.smime-bundle.json`;
      const path = join(dir, name);
      await seeded.svc.reflect(bd.composition, PASS, path);
      return path;
    },
  };
  await bd.reflect();
  return bd;
}

export interface LogLines {
  lines: Record<string, unknown>[];
  text(): string;
}

/** A pino destination that keeps every line, parsed. */
export function logCollector(): { stream: Writable; log: LogLines } {
  const lines: Record<string, unknown>[] = [];
  let raw = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      raw += chunk.toString('utf8');
      let i: number;
      while ((i = raw.indexOf('\n')) >= 0) {
        const line = raw.slice(0, i);
        raw = raw.slice(i + 1);
        if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      cb();
    },
  });
  return { stream, log: { lines, text: () => lines.map((l) => JSON.stringify(l)).join('\n') } };
}

export type TestRelay = RunningRelay & { log: RunningRelay['log']; lines: LogLines };

/** An in-process relay on free 127.0.0.1 ports (status port included), quiet on stdout. */
export async function startTestRelay(
  bd: BundleDir,
  upstreamPort: number,
  o: Partial<StartRelayOptions> = {},
): Promise<TestRelay> {
  const { stream, log } = logCollector();
  const relay = await startRelay({
    bundleDir: bd.dir,
    composition: bd.composition,
    passphrase: PASS,
    upstream: { host: '127.0.0.1', port: upstreamPort },
    listen: { host: '127.0.0.1', port: 0 },
    status: { host: '127.0.0.1', port: 0 },
    rescanMs: 1000,
    logDestination: stream,
    ...o,
  });
  return Object.assign(relay, { lines: log });
}

/** An RFC 5322 message with CRLF line ends. */
export function message(
  o: { from?: string; to?: string[]; cc?: string[]; subject?: string; body?: string; headers?: string[] } = {},
): Buffer {
  const lines = [
    `From: Info <${o.from ?? FROM}>`,
    `To: ${(o.to ?? ['alice@example.org']).join(', ')}`,
    ...(o.cc?.length ? [`Cc: ${o.cc.join(', ')}`] : []),
    `Subject: ${o.subject ?? 'relay test'}`,
    'Date: Sat, 28 Nov 2026 12:00:00 +0000',
    `Message-ID: <${Math.random().toString(36).slice(2)}@example.com>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    ...(o.headers ?? []),
    '',
    o.body ?? 'Hello from the relay test.\r\n.a line that starts with a dot',
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}

/** Dot-stuffs a message and ends it with CRLF.CRLF (RFC 5321 §4.5.2). */
export function dataBlock(msg: Buffer): Buffer {
  let s = msg.toString('latin1').replace(/\r?\n/g, '\r\n');
  if (!s.endsWith('\r\n')) s += '\r\n';
  s = s.replace(/(^|\r\n)\./g, '$1..');
  return Buffer.from(s + '.\r\n', 'latin1');
}

/**
 * A raw SMTP/LMTP client: every reply exactly as sent ("451 4.7.5 S/MIME certificate is
 * expired"), multi-line replies joined with "\n". Every read is bounded.
 */
export class RawClient {
  greeting = '';
  closed = false;
  private buf = '';
  private current: string[] = [];
  private readonly replies: string[] = [];
  private waiter: ((r: string | null) => void) | null = null;

  private constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => this.onData(d.toString('latin1')));
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.(null);
      this.waiter = null;
    });
    socket.on('error', () => undefined);
  }

  /** Connects and reads the greeting (or the refusal a server sends instead). */
  static async connect(port: number, opts: { localAddress?: string; host?: string } = {}): Promise<RawClient> {
    const socket = createConnection({ host: opts.host ?? '127.0.0.1', port, localAddress: opts.localAddress });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const c = new RawClient(socket);
    c.greeting = (await c.next(10_000)) ?? '';
    return c;
  }

  private onData(s: string): void {
    this.buf += s;
    let i: number;
    while ((i = this.buf.indexOf('\r\n')) >= 0) {
      const line = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      this.current.push(line);
      if (/^\d{3}(?: |$)/.test(line)) {
        const reply = this.current.join('\n');
        this.current = [];
        if (this.waiter) {
          const w = this.waiter;
          this.waiter = null;
          w(reply);
        } else this.replies.push(reply);
      }
    }
  }

  /** The next reply; null when the server closed the connection first. Rejects after `timeoutMs`. */
  next(timeoutMs = 15_000): Promise<string | null> {
    const queued = this.replies.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiter = null;
        reject(new Error(`no reply within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = (r) => {
        clearTimeout(t);
        resolve(r);
      };
    });
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  async cmd(line: string, timeoutMs?: number): Promise<string | null> {
    this.write(line + '\r\n');
    return this.next(timeoutMs);
  }

  /**
   * A whole transaction: HELO/LHLO once by the caller, then MAIL, RCPT…, DATA, the message.
   * Returns the replies to the data: one (SMTP) or one per accepted recipient (LMTP).
   */
  async send(
    from: string,
    to: string[],
    msg: Buffer,
    o: { lmtp?: boolean; timeoutMs?: number } = {},
  ): Promise<{ mail: string | null; rcpt: (string | null)[]; data: (string | null)[] }> {
    const mail = await this.cmd(
      `MAIL FROM:<${from}>${/[^\x00-\x7f]/.test(msg.toString('latin1')) ? ' BODY=8BITMIME' : ''}`,
    );
    const rcpt: (string | null)[] = [];
    for (const r of to) rcpt.push(await this.cmd(`RCPT TO:<${r}>`));
    const go = await this.cmd('DATA');
    if (!go?.startsWith('354')) return { mail, rcpt, data: [go] };
    this.write(dataBlock(msg));
    const n = o.lmtp ? rcpt.filter((r) => r?.startsWith('250')).length : 1;
    const data: (string | null)[] = [];
    for (let i = 0; i < n; i++) data.push(await this.next(o.timeoutMs ?? 30_000));
    return { mail, rcpt, data };
  }

  close(): void {
    this.socket.destroy();
  }

  /** Resolves once the server closed the connection; rejects after `timeoutMs`. */
  waitClosed(timeoutMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`still open after ${timeoutMs} ms`)), timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}

/** Polls `get` until `ok`; rejects after `timeoutMs` saying what was awaited. */
export async function waitUntil<T>(what: string, timeoutMs: number, get: () => T | Promise<T>, ok: (v: T) => boolean) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > deadline)
      throw new Error(`${what}: not reached within ${timeoutMs} ms (last: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Writes bytes into the bundle directory the way an operator's copy would (a non-atomic write). */
export function dropFile(dir: string, name: string, data: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, data, { mode: 0o600 });
  return p;
}

/** Fetches a path of the status port. */
export async function statusGet(port: number, path: string): Promise<{ code: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) });
  return { code: res.status, body: await res.text() };
}

export interface RelayProcess {
  child: import('node:child_process').ChildProcess;
  /** every JSON line the relay printed so far (primary and workers) */
  lines: Record<string, unknown>[];
  stderr(): string;
  ports: { smtp: number; status: number | null };
  /** resolves with the first line (seen so far or later) that satisfies `ok` */
  waitForLine(ok: (l: Record<string, unknown>) => boolean, timeoutMs: number): Promise<Record<string, unknown>>;
  /** resolves with the exit code; rejects after timeoutMs */
  exited(timeoutMs: number): Promise<number | null>;
  /** SIGTERM, then SIGKILL if it has not exited in `timeoutMs` */
  stop(timeoutMs?: number): Promise<number | null>;
}

/** A free port on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address() as { port: number };
      s.close(() => resolve(a.port));
    });
  });
}

/**
 * The real CLI (`node out/cli.js relay …`, as built by the global setup) with the passphrase in
 * the environment; resolves once it logged "relay ready".
 */
export async function spawnRelay(args: string[], o: { env?: Record<string, string>; readyMs?: number } = {}) {
  const { spawn } = await import('node:child_process');
  const cliPath = join(__dirname, '..', '..', 'out', 'cli.js');
  const child = spawn(process.execPath, [cliPath, 'relay', ...args], {
    env: { ...process.env, RELAY_PASS: PASS, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: { ok: (l: Record<string, unknown>) => boolean; resolve: (l: Record<string, unknown>) => void }[] = [];
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString('utf8');
    let i: number;
    while ((i = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, i);
      out = out.slice(i + 1);
      if (!line.trim()) continue;
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        parsed = { raw: line };
      }
      lines.push(parsed);
      for (const w of [...waiters])
        if (w.ok(parsed)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(parsed);
        }
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const rp: RelayProcess = {
    child,
    lines,
    stderr: () => err,
    ports: { smtp: 0, status: null },
    waitForLine(ok, timeoutMs) {
      const seen = lines.find(ok);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { ok, resolve: (l: Record<string, unknown>) => (clearTimeout(t), resolve(l)) };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`relay log line not seen within ${timeoutMs} ms; stderr: ${err.slice(-500)}`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    exited(timeoutMs) {
      return Promise.race([
        exit,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error(`relay still running after ${timeoutMs} ms`)), timeoutMs).unref(),
        ),
      ]);
    },
    async stop(timeoutMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      try {
        return await rp.exited(timeoutMs);
      } catch {
        child.kill('SIGKILL');
        return exit;
      }
    },
  };
  const ready = await Promise.race([
    rp.waitForLine((l) => l.event === 'ready', o.readyMs ?? 30_000),
    exit.then((code) => {
      throw new Error(`relay exited with ${code} before it was ready: ${err.trim()}`);
    }),
  ]);
  const port = (s: unknown) => (typeof s === 'string' ? Number(s.slice(s.lastIndexOf(':') + 1)) : null);
  rp.ports = { smtp: port(ready.listen)!, status: port(ready.status) };
  return rp;
}
