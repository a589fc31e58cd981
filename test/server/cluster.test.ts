/**
 * The relay as operators run it: `smime-admin relay` with node:cluster workers, as a separate
 * process. A worker killed mid-DATA costs the client its 250, never a message; SIGHUP reloads;
 * SIGTERM lets a transaction in flight finish, tells idle clients 421, and exits 0; 500
 * clients at once are all answered or cleanly refused.
 */
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { TestPki } from '../helpers/pki';
import {
  bundleDir,
  dataBlock,
  FROM,
  freePort,
  message,
  RawClient,
  spawnRelay,
  statusGet,
  waitUntil,
  type BundleDir,
  type RelayProcess,
} from '../helpers/relay';
import type { RelayStatus } from '../../main/server/status';

let pki: TestPki;
let bd: BundleDir;
let sink: SmtpSink;

beforeAll(async () => {
  pki = new TestPki();
  bd = await bundleDir(pki);
  sink = await startSmtpSink();
});
afterAll(async () => {
  await sink?.close();
  pki.cleanup();
});

// a fixed port: a restarted worker must come back on the port the clients know (port 0 would pick a new one)
const base = (upstream: number, workers: number, extra: string[] = [], listen = 0) => [
  '--bundle-dir',
  bd.dir,
  '--composition',
  'Transactional',
  '--passphrase-env',
  'RELAY_PASS',
  '--listen',
  `127.0.0.1:${listen}`,
  '--upstream',
  `127.0.0.1:${upstream}`,
  '--status',
  '127.0.0.1:0',
  '--workers',
  String(workers),
  ...extra,
];

async function status(r: RelayProcess): Promise<RelayStatus> {
  return JSON.parse((await statusGet(r.ports.status!, '/status')).body) as RelayStatus;
}

describe('smime-admin relay under node:cluster', () => {
  it('a worker SIGKILLed in the middle of DATA: no 250, the worker comes back, the retry is delivered once', async () => {
    const relay = await spawnRelay(base(sink.port, 1, ['--mode', 'smtp'], await freePort()));
    try {
      const before = sink.messages.length;
      const first = await status(relay);
      expect(first.workers).toHaveLength(1);
      const pid = first.workers[0]!.pid;
      expect(pid).not.toBe(relay.child.pid);
      const c = await RawClient.connect(relay.ports.smtp);
      await c.cmd('EHLO client.test');
      await c.cmd(`MAIL FROM:<${FROM}>`);
      await c.cmd('RCPT TO:<alice@example.org>');
      expect(await c.cmd('DATA')).toMatch(/^354/);
      const block = dataBlock(message());
      c.write(block.subarray(0, 100));
      await waitUntil(
        'the transaction to be in progress',
        5000,
        () => status(relay),
        (s) => s.workers[0]?.activeTransactions === 1,
      );
      process.kill(pid, 'SIGKILL');
      // status asked for at once, while the primary may still see the dead worker as connected:
      // a send into its closed channel must not take the primary down (it did, exit 1)
      await Promise.all(Array.from({ length: 20 }, () => status(relay).catch(() => null)));
      // what the client gets instead of a reply: the connection closes
      expect(await c.next(5000)).toBeNull();
      const back = await waitUntil(
        'a new worker',
        15_000,
        () => status(relay),
        (s) => s.healthy && s.workers[0]?.pid !== pid,
      );
      expect(back.workers[0]!.restarts).toBe(1);
      expect(relay.lines.some((l) => l.event === 'worker-exit' && l.signal === 'SIGKILL')).toBe(true);
      // the sending MTA retries the whole transaction
      const retry = await RawClient.connect(relay.ports.smtp);
      await retry.cmd('EHLO client.test');
      const r = await retry.send(FROM, ['alice@example.org'], message());
      retry.close();
      expect(r.data[0]).toMatch(/^250 /);
      await sink.waitFor(before + 1, 5000);
      expect(sink.messages.length).toBe(before + 1);
    } finally {
      expect(await relay.stop()).toBe(0);
    }
  });

  it('aggregates two workers, reloads on SIGHUP, and drains on SIGTERM: the transaction in flight gets its 250, idle clients 421, exit 0', async () => {
    // an upstream that takes its time, so a transaction is in flight when SIGTERM arrives
    const slow = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      disableReverseLookup: true,
      logger: false,
      onData(stream, _s, cb) {
        stream.resume();
        stream.on('end', () => setTimeout(() => cb(null, 'Ok: slow but sure'), 1500));
      },
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', () => r()));
    const slowPort = (slow.server.address() as { port: number }).port;
    const relay = await spawnRelay(base(slowPort, 2, ['--mode', 'smtp', '--drain-timeout', '10']));
    try {
      const s = await status(relay);
      expect(s.workers).toHaveLength(2);
      expect(new Set(s.workers.map((w) => w.pid)).size).toBe(2);
      expect(s.consistent).toBe(true);
      expect((await statusGet(relay.ports.status!, '/healthz')).code).toBe(200);
      const metrics = (await statusGet(relay.ports.status!, '/metrics')).body;
      expect(metrics).toContain('smime_relay_config_serial 1');

      await bd.reflect();
      relay.child.kill('SIGHUP');
      await relay.waitForLine((l) => l.event === 'sighup', 5000);
      const reloaded = await waitUntil(
        'both workers on reflection 2',
        10_000,
        () => status(relay),
        (x) => x.workers.every((w) => w.serial === 2),
      );
      expect(reloaded.serial).toBe(2);

      const idle = await RawClient.connect(relay.ports.smtp);
      await idle.cmd('EHLO idle.test');
      const busy = await RawClient.connect(relay.ports.smtp);
      await busy.cmd('EHLO busy.test');
      const inFlight = busy.send(FROM, ['alice@example.org'], message());
      await waitUntil(
        'the transaction in flight',
        5000,
        () => status(relay),
        (x) => x.workers.some((w) => w.activeTransactions === 1),
      );
      relay.child.kill('SIGTERM');
      expect(await idle.next(5000)).toMatch(/^421 4\.3\.2 /);
      expect((await inFlight).data[0]).toMatch(/^250 2\.6\.0 \S+ delivered to 1 recipient\(s\)$/);
      expect(await busy.cmd('MAIL FROM:<a@example.org>')).toMatch(/^421 /);
      expect(await relay.exited(15_000)).toBe(0);
      expect(relay.lines.some((l) => l.event === 'stopped')).toBe(true);
    } finally {
      await relay.stop();
      await new Promise<void>((r) => slow.close(() => r()));
    }
  });

  it('500 clients at once: every one is answered (250) or refused with 421, and the relay stays healthy', async () => {
    const relay = await spawnRelay(base(sink.port, 2, ['--mode', 'smtp', '--max-connections', '100']));
    try {
      const before = sink.messages.length;
      const results = await Promise.all(
        Array.from({ length: 500 }, async (): Promise<string> => {
          let c: RawClient;
          try {
            c = await RawClient.connect(relay.ports.smtp);
          } catch (e) {
            return `connect failed: ${(e as Error).message}`;
          }
          try {
            if (c.greeting.startsWith('421')) {
              await c.waitClosed(10_000);
              return '421';
            }
            if (!c.greeting.startsWith('220')) return `greeting: ${c.greeting}`;
            await c.cmd('EHLO many.test', 60_000);
            const r = await c.send(FROM, ['alice@example.org'], message(), { timeoutMs: 60_000 });
            return r.data[0]?.slice(0, 3) ?? 'no reply';
          } catch (e) {
            return `error: ${(e as Error).message}`;
          } finally {
            c.close();
          }
        }),
      );
      const counts = results.reduce<Record<string, number>>((m, r) => ((m[r] = (m[r] ?? 0) + 1), m), {});
      expect(Object.keys(counts).sort()).toEqual(expect.arrayContaining(['250']));
      expect(
        Object.keys(counts).every((k) => k === '250' || k === '421'),
        JSON.stringify(counts),
      ).toBe(true);
      expect(counts['250']).toBeGreaterThanOrEqual(100);
      await sink.waitFor(before + counts['250']!, 20_000);
      expect(sink.messages.length).toBe(before + counts['250']!);
      const s = await status(relay);
      expect(s.healthy).toBe(true);
      expect(s.workers.every((w) => w.restarts === 0)).toBe(true);
    } finally {
      expect(await relay.stop()).toBe(0);
    }
  });
});
