/**
 * Bundles dropped into the directory while mail flows: bad ones change nothing (every client
 * still gets 250, the status page names the refusal), a good one takes over between two
 * transactions without failing any.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { TestPki } from '../helpers/pki';
import {
  bundleDir,
  dropFile,
  FROM,
  message,
  RawClient,
  startTestRelay,
  waitUntil,
  type BundleDir,
  type TestRelay,
} from '../helpers/relay';

let pki: TestPki;
let bd: BundleDir;
let other: BundleDir;
let sink: SmtpSink;
let relay: TestRelay;

beforeAll(async () => {
  pki = new TestPki();
  bd = await bundleDir(pki);
  // the relay starts on reflection 2, so that reflection 1 is a genuinely older bundle
  await bd.reflect();
  other = await bundleDir(pki, { composition: 'Marketing' });
  sink = await startSmtpSink();
  relay = await startTestRelay(bd, sink.port, { mode: 'lmtp', rescanMs: 500 });
});
afterAll(async () => {
  await relay?.stop(1000);
  await sink?.close();
  pki.cleanup();
});

/** `n` clients sending back to back until stopped; every reply is kept. */
function traffic(n: number) {
  const replies: string[] = [];
  let sent = 0;
  let running = true;
  const loops = Array.from({ length: n }, async () => {
    const c = await RawClient.connect(relay.ports.smtp);
    await c.cmd('LHLO load.test');
    while (running) {
      const r = await c.send(
        FROM,
        ['alice@example.org', 'taro@docomo.ne.jp'],
        message({ to: ['alice@example.org', 'taro@docomo.ne.jp'] }),
        {
          lmtp: true,
        },
      );
      sent++;
      for (const x of r.data) replies.push(x ?? 'connection closed');
    }
    c.close();
  });
  return {
    replies,
    get sent() {
      return sent;
    },
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe('reloads under traffic', () => {
  it('keeps serving on the old bundle through corrupt, truncated, older and foreign drops, then switches to a new one', async () => {
    const load = traffic(4);
    try {
      await waitUntil(
        'traffic',
        10_000,
        () => load.sent,
        (n) => n >= 10,
      );
      const first = await relay.status();
      expect(first.serial).toBe(2);
      const good = readFileSync(join(bd.dir, 'bundle-1.smime-bundle.json'));
      const drops: [string, string | Buffer, string][] = [
        ['corrupt.json', '{"format":"smime-admin-bundle","version":2,"payl', 'BUNDLE_INVALID'],
        ['truncated.smime-bundle.json', good.subarray(0, 300), 'BUNDLE_INVALID'],
        ['older.json', good, 'NOT_NEWER'],
        ['foreign.json', readFileSync(join(other.dir, 'bundle-1.smime-bundle.json')), 'OTHER_COMPOSITION'],
      ];
      for (const [name, data, code] of drops) {
        const at = load.sent;
        dropFile(bd.dir, name, data);
        const s = await waitUntil(
          'the refusal on the status page',
          5000,
          () => relay.status(),
          (x) => x.lastReloadError?.file === name,
        );
        expect(s.lastReloadError!.code).toBe(code);
        expect(s.serial).toBe(first.serial);
        expect(s.bundleId).toBe(first.bundleId);
        await waitUntil(
          'more traffic',
          10_000,
          () => load.sent,
          (n) => n >= at + 5,
        );
      }
      // a good new bundle (the admin reflects again)
      await bd.reflect();
      const switched = await waitUntil(
        'the new serial',
        5000,
        () => relay.status(),
        (x) => x.serial === first.serial! + 1,
      );
      expect(switched.lastReloadError).toBeNull();
      expect(switched.counters.reloadsOk).toBe(1);
      expect(switched.counters.reloadsFailed).toBe(4);
      const at = load.sent;
      await waitUntil(
        'traffic on the new bundle',
        10_000,
        () => load.sent,
        (n) => n >= at + 10,
      );
    } finally {
      await load.stop();
    }
    // every reply of the whole run was a 250, and the sink got every delivery
    expect(load.replies.filter((r) => !r.startsWith('250 ')).slice(0, 3)).toEqual([]);
    expect(load.replies).toHaveLength(load.sent * 2);
    await sink.waitFor(load.sent * 2, 10_000);
    const serials = relay.lines.lines.filter((l) => l.event === 'transaction').map((l) => l.serial as number);
    expect(new Set(serials)).toEqual(new Set([2, 3]));
    // transactions never go back to the old bundle once the new one is in force
    expect(serials.indexOf(2, serials.indexOf(3))).toBe(-1);
  });
});
