/**
 * The relay between real Postfix processes, in both places Postfix lets a filter sit:
 *   (a) after the queue: content_filter → relay --mode lmtp → re-injection smtpd → sink
 *   (b) before the queue: smtpd_proxy_filter → relay --mode smtp → re-injection smtpd → sink
 * A client (swaks) sends; signed deliveries verify with OpenSSL and NSS against the root alone,
 * unsigned ones (docomo.ne.jp, BCC copies) arrive with the body untouched, and an expired
 * certificate is 451 4.7.5 to the client (b) or a deferred message in Postfix's queue (a).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBase64, getHeader, parseMessage, parsePart, splitMultipart } from '../../main/core/engine/mime';
import { postfixUnavailable, startPostfix, type PostfixInstance } from '../helpers/postfix';
import { nssVerify, opensslVerify, TestPki } from '../helpers/pki';
import { bundleDir, FROM, startTestRelay, type BundleDir, type TestRelay } from '../helpers/relay';
import { startSmtpSink, type SinkMessage, type SmtpSink } from '../helpers/smtp-sink';

function skipReason(): string | null {
  const why =
    postfixUnavailable() ??
    (spawnSync('swaks', ['--version']).error ? 'swaks is missing (apt-get install swaks)' : null);
  if (why && process.env.CI) throw new Error(`the relay's Postfix tests must run under CI: ${why}`);
  return why;
}
const unavailable = skipReason();
if (unavailable) console.warn(`relay Postfix tests skipped: ${unavailable}`);
const SKIPPED = unavailable ? ` [skipped: ${unavailable}]` : '';

const DAY = 86_400_000;
const TO = ['alice@example.org', 'taro@docomo.ne.jp'];
const BCC = 'archive@example.com';
const UTF8_LINE = 'Grüße aus Köln — 日本語の本文です';

let pki: TestPki;
let bd: BundleDir;
let tmp = '';
let clock = new Date();
let seq = 0;

beforeAll(async () => {
  if (unavailable) return;
  pki = new TestPki();
  bd = await bundleDir(pki);
  clock = bd.seeded.now;
  bd.seeded.svc.setIntelligentBcc('Transactional', true);
  await bd.reflect();
  tmp = mkdtempSync(join(tmpdir(), 'smime-relay-e2e-'));
});
afterAll(() => {
  pki?.cleanup();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** A message with an 8-bit UTF-8 body, To naming two recipients; the BCC copy is envelope-only. */
function messageFile(): { file: string; id: string; body: Buffer } {
  const id = `<e2e-${++seq}-${Date.now()}@example.com>`;
  const body = Buffer.from(`${UTF8_LINE}\r\n.a line that starts with a dot\r\ntrailing blanks stay   \r\n`, 'utf8');
  const head = [
    `From: Info <${FROM}>`,
    `To: ${TO.join(', ')}`,
    'Subject: =?UTF-8?B?5rOo5paH56K66KqN?=',
    'Date: Sat, 28 Nov 2026 12:00:00 +0000',
    `Message-ID: ${id}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    '',
  ].join('\r\n');
  const file = join(tmp, `msg-${seq}.eml`);
  writeFileSync(file, Buffer.concat([Buffer.from(head, 'utf8'), body]));
  return { file, id, body };
}

function swaks(port: number, file: string, to = [...TO, BCC]): Promise<{ code: number; out: string }> {
  const args = ['--server', '127.0.0.1', '--port', String(port), '--helo', 'client.test', '--from', FROM];
  args.push('--to', to.join(','), '--data', `@${file}`, '--timeout', '30s');
  return new Promise((resolve) =>
    execFile('swaks', args, { timeout: 40_000, encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: stdout + stderr }),
    ),
  );
}

function bodyOf(raw: Buffer): Buffer {
  const at = raw.indexOf('\r\n\r\n');
  return raw.subarray(at + 4);
}

/** The signed delivery verifies with OpenSSL and NSS (root as the only anchor); the unsigned one is the same body. */
function checkDeliveries(got: SinkMessage[], body: Buffer, id: string): void {
  expect(got).toHaveLength(2);
  const signed = got.find((m) => m.rcptTo.includes('alice@example.org'))!;
  const plain = got.find((m) => m.rcptTo.includes('taro@docomo.ne.jp'))!;
  expect(signed.rcptTo).toEqual(['alice@example.org']);
  expect(plain.rcptTo.sort()).toEqual([BCC, 'taro@docomo.ne.jp']);
  expect(signed.mailFrom).toBe(FROM);
  expect(plain.mailFrom).toBe(FROM);
  const o = opensslVerify(pki, pki.write(`e2e-${seq}.eml`, signed.raw));
  expect(o.stderr).toBe('');
  expect(o.ok).toBe(true);
  const p = parseMessage(signed.raw);
  const boundary = /boundary="([^"]+)"/.exec(getHeader(p.headers, 'content-type')!)![1]!;
  const split = splitMultipart(p.body, boundary);
  const signature = decodeBase64(parsePart(split.parts[1]!).body);
  expect(nssVerify(pki, split.parts[0]!, signature).ok).toBe(true);
  expect(signed.raw.toString('utf8')).toContain(`Message-ID: ${id}\r\n`);
  // unsigned: the body exactly as the client sent it, 8-bit bytes and all
  // (swaks ends DATA with one more CRLF than its file has: that is what the client sent)
  expect(bodyOf(plain.raw).equals(Buffer.concat([body, Buffer.from('\r\n')]))).toBe(true);
  expect(plain.raw.toString('utf8')).toContain(`Message-ID: ${id}\r\n`);
}

/** A sink, a private Postfix of the topology, and the relay in its filter slot; torn down after the describe. */
function chain(
  postfix: Omit<Parameters<typeof startPostfix>[0], 'sinkPort'>,
  mode: 'lmtp' | 'smtp',
): { sink: SmtpSink; pf: PostfixInstance; relay: TestRelay; restartRelay(): Promise<void> } {
  const c = {} as { sink: SmtpSink; pf: PostfixInstance; relay: TestRelay; restartRelay(): Promise<void> };
  c.restartRelay = async () => {
    c.relay = await startTestRelay(bd, c.pf.reinjectPort, {
      mode,
      listen: { host: '127.0.0.1', port: c.pf.filterPort },
      now: () => clock,
    });
  };
  beforeAll(async () => {
    c.sink = await startSmtpSink();
    c.pf = await startPostfix({ ...postfix, sinkPort: c.sink.port });
    await c.restartRelay();
  });
  afterAll(async () => {
    await c.relay?.stop(1000);
    await c.pf?.stop();
    await c.sink?.close();
  });
  return c;
}

describe.skipIf(!!unavailable)('(a) after the queue: Postfix content_filter → relay --mode lmtp' + SKIPPED, () => {
  const c = chain({ topology: 'content-filter' }, 'lmtp');

  it('signs for alice, passes docomo.ne.jp and the BCC copy unsigned; both reach the sink', async () => {
    const { file, id, body } = messageFile();
    const r = await swaks(c.pf.smtpPort, file);
    expect(r.code, r.out).toBe(0);
    const got = await c.sink.waitFor(2, 20_000);
    checkDeliveries(got, body, id);
    await c.pf.waitForQueue((q) => q.length === 0, 10_000);
    expect(c.pf.log()).toMatch(
      /smimefilter\/lmtp\[\d+\]: .* relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+, .*status=sent \(250 2\.6\.0 /,
    );
  });

  it('an expired certificate defers the message in the queue (451 4.7.5); delivered after the fix and a flush', async () => {
    const before = c.sink.messages.length;
    clock = new Date(bd.seeded.now.getTime() + 400 * DAY);
    try {
      const { file } = messageFile();
      expect((await swaks(c.pf.smtpPort, file)).code).toBe(0);
      const q = await c.pf.waitForQueue((q) => q.some((m) => m.queueName === 'deferred'), 20_000);
      const deferred = q.find((m) => m.queueName === 'deferred')!;
      expect(
        deferred.recipients.map((x) => [x.address, x.delayReason]),
        JSON.stringify(q),
      ).toEqual([['alice@example.org', expect.stringContaining('451 4.7.5 S/MIME certificate is expired')]]);
      // the unsigned recipients were not held back by alice's certificate
      await c.sink.waitFor(before + 1, 10_000);
      expect(c.sink.messages.slice(before).map((m) => m.rcptTo.sort())).toEqual([[BCC, 'taro@docomo.ne.jp']]);
    } finally {
      clock = bd.seeded.now;
    }
    c.pf.flush();
    await c.sink.waitFor(before + 2, 20_000);
    expect(c.sink.messages[before + 1]!.rcptTo).toEqual(['alice@example.org']);
    await c.pf.waitForQueue((q) => q.length === 0, 10_000);
  });

  it('a relay that is down leaves the mail queued; once it is back, the mail arrives exactly once', async () => {
    const before = c.sink.messages.length;
    await c.relay.stop(500);
    const { file, id, body } = messageFile();
    expect((await swaks(c.pf.smtpPort, file)).code).toBe(0);
    await c.pf.waitForQueue((q) => q.some((m) => m.queueName === 'deferred'), 20_000);
    expect(c.sink.messages.length).toBe(before);
    await c.restartRelay();
    c.pf.flush();
    const got = await c.sink.waitFor(before + 2, 20_000);
    checkDeliveries(got.slice(before), body, id);
    await c.pf.waitForQueue((q) => q.length === 0, 10_000);
    expect(c.sink.messages.length).toBe(before + 2);
  });
});

describe.skipIf(!!unavailable)(
  "(a') after the queue as docs/c.relay.md configures it: address mappings before the relay, always_bcc copy unsigned" +
    SKIPPED,
  () => {
    const c = chain(
      {
        topology: 'content-filter',
        mainCf: { receive_override_options: '', always_bcc: BCC },
        reinjectOptions: [
          'receive_override_options=no_unknown_recipient_checks,no_header_body_checks,no_milters,no_address_mappings',
        ],
      },
      'lmtp',
    );

    it("Postfix's always_bcc recipient reaches the relay as a BCC copy and gets the unsigned message, once", async () => {
      const { file, id, body } = messageFile();
      const r = await swaks(c.pf.smtpPort, file, TO);
      expect(r.code, r.out).toBe(0);
      checkDeliveries(await c.sink.waitFor(2, 20_000), body, id);
      await c.pf.waitForQueue((q) => q.length === 0, 10_000);
      expect(c.sink.messages).toHaveLength(2);
      expect(c.relay.lines.lines.find((l) => l.event === 'transaction')?.outcomes).toEqual(
        expect.arrayContaining([expect.objectContaining({ rcpt: BCC, outcome: 'unsigned', reason: 'bcc-copy' })]),
      );
    });
  },
);

describe.skipIf(!!unavailable)('(b) before the queue: Postfix smtpd_proxy_filter → relay --mode smtp' + SKIPPED, () => {
  const c = chain({ topology: 'proxy-filter' }, 'smtp');

  it('the client gets 250 only once the signed and the unsigned deliveries were queued behind the relay', async () => {
    const { file, id, body } = messageFile();
    const r = await swaks(c.pf.smtpPort, file);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/<- {2}250 2\.6\.0 \S+ delivered to 3 recipient\(s\)/);
    checkDeliveries(await c.sink.waitFor(2, 20_000), body, id);
  });

  it('an expired certificate is "451 4.7.5 S/MIME certificate is expired" to the sending client, and nothing is queued', async () => {
    const before = c.sink.messages.length;
    clock = new Date(bd.seeded.now.getTime() + 400 * DAY);
    try {
      const { file } = messageFile();
      const r = await swaks(c.pf.smtpPort, file);
      // swaks exit 26: the server did not accept the mail after the data
      expect(r.code, r.out).toBe(26);
      expect(r.out).toContain('<** 451 4.7.5 S/MIME certificate is expired');
    } finally {
      clock = bd.seeded.now;
    }
    expect(c.pf.queue()).toHaveLength(0);
    expect(c.sink.messages.length).toBe(before);
  });
});
