/**
 * Proves the private Postfix harness in both places the relay will sit, with a trivial pass-through filter standing
 * in for the relay: after the queue (content_filter over LMTP) and before it (smtpd_proxy_filter over SMTP). What
 * the filter passes on must reach the sink byte for byte, and a filter's 451 must reach the sender (before the queue)
 * or leave the message deferred in the queue until a flush (after the queue).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postfixUnavailable, startPostfix, type PostfixInstance } from '../helpers/postfix';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

/** Why these tests cannot run here (null: they run); under CI a missing Postfix or swaks fails instead. */
function skipReason(): string | null {
  const why =
    postfixUnavailable() ??
    (spawnSync('swaks', ['--version']).error ? 'swaks is missing (apt-get install swaks)' : null);
  if (why && process.env.CI) throw new Error(`the Postfix harness tests must run under CI: ${why}`);
  return why;
}
const unavailable = skipReason();
if (unavailable) console.warn(`postfix harness tests skipped: ${unavailable}`);
/** shown in the skipped tests' titles, so a skip is never silent */
const SKIPPED = unavailable ? ` [skipped: ${unavailable}]` : '';

const EXPIRED = '4.7.5 S/MIME certificate is expired';
const FROM = 'sender@example.org';
const TO = ['alice@example.net', 'bob@example.net'];
const SUBJECT_TEXT = '署名付きメールのテスト';
const SUBJECT = `=?UTF-8?B?${Buffer.from(SUBJECT_TEXT, 'utf8').toString('base64')}?=`;
const UTF8_LINE = 'Grüße aus Köln — 日本語の本文です';

interface Passed {
  mailFrom: string;
  rcptTo: string[];
  raw: Buffer;
}

interface PassThroughFilter {
  port: number;
  /** what the filter handed to Postfix's re-injection port and Postfix accepted */
  passed: Passed[];
  /** null: pass mail on; otherwise answer this reply text with 451 */
  reject: string | null;
  close(): Promise<void>;
}

/**
 * The stand-in for the relay: receives on `port` (LMTP or SMTP), re-sends the same bytes with the same envelope
 * to `upstreamPort` via nodemailer, and answers 250 only once upstream accepted (per recipient in LMTP).
 */
async function startPassThrough(opts: {
  port: number;
  upstreamPort: number;
  lmtp: boolean;
}): Promise<PassThroughFilter> {
  const upstream = createTransport({
    host: '127.0.0.1',
    port: opts.upstreamPort,
    secure: false,
    ignoreTLS: true,
    name: 'passthrough-filter.test',
    connectionTimeout: 5000,
    greetingTimeout: 5000,
    socketTimeout: 20_000,
  });
  const filter: PassThroughFilter = { port: opts.port, passed: [], reject: null, close: async () => undefined };
  const server = new SMTPServer({
    lmtp: opts.lmtp,
    name: 'passthrough-filter.test',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 1000,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const rcptTo = session.envelope.rcptTo.map((r) => r.address);
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const fail = (code: number, text: string): void => {
          const err = Object.assign(new Error(text), { responseCode: code });
          if (opts.lmtp) {
            cb(
              null,
              rcptTo.map(() => err),
            );
          } else {
            cb(err);
          }
        };
        if (filter.reject !== null) return fail(451, filter.reject);
        const raw = Buffer.concat(chunks);
        // nodemailer copies extra envelope keys such as use8BitMime (BODY=8BITMIME) through to MAIL FROM
        const envelope = { from: mailFrom, to: rcptTo, use8BitMime: session.envelope.bodyType === '8bitmime' };
        upstream.sendMail({ envelope, raw }).then(
          (info: { rejected: unknown[]; response: string }) => {
            filter.passed.push({ mailFrom, rcptTo, raw });
            const rejected = new Set(info.rejected.map(String));
            if (opts.lmtp) {
              cb(
                null,
                rcptTo.map((r) =>
                  rejected.has(r)
                    ? Object.assign(new Error('4.4.1 upstream refused'), { responseCode: 451 })
                    : `2.0.0 ${r} passed on`,
                ),
              );
            } else cb(null, `2.0.0 passed on: ${info.response}`);
          },
          (e: Error & { responseCode?: number }) =>
            fail(e.responseCode && e.responseCode >= 400 ? e.responseCode : 451, `4.4.1 upstream: ${e.message}`),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => resolve());
  });
  filter.close = () =>
    new Promise<void>((resolve) => {
      upstream.close();
      server.close(() => resolve());
    });
  return filter;
}

interface Swaks {
  code: number;
  out: string;
}

/** swaks as a separate process (async: the filter answering it runs on this event loop). */
function swaks(port: number, dataFile: string): Promise<Swaks> {
  const args = [
    '--server',
    '127.0.0.1',
    '--port',
    String(port),
    '--helo',
    'client.test',
    '--from',
    FROM,
    '--to',
    TO.join(','),
    '--data',
    `@${dataFile}`,
    '--timeout',
    '20s',
  ];
  return new Promise((resolve) => {
    execFile('swaks', args, { timeout: 30_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, out: stdout + stderr });
    });
  });
}

let tmp = '';
let seq = 0;
/** A message with an RFC 2047 Japanese Subject and a raw 8-bit UTF-8 body line, written for swaks --data @file. */
function messageFile(): { file: string; id: string } {
  const id = `<harness-${++seq}-${Date.now()}@example.org>`;
  const text = [
    `From: Sender <${FROM}>`,
    `To: ${TO.join(', ')}`,
    `Subject: ${SUBJECT}`,
    'Date: Sat, 28 Nov 2026 12:00:00 +0000',
    `Message-ID: ${id}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    UTF8_LINE,
    '.a line that starts with a dot (dot-stuffed on every hop)',
    'trailing blanks stay   ',
    '',
  ].join('\r\n');
  const file = join(tmp, `msg-${seq}.eml`);
  writeFileSync(file, text, 'utf8');
  return { file, id };
}

function splitMessage(raw: Buffer): { headers: Buffer; body: Buffer } {
  const at = raw.indexOf('\r\n\r\n');
  if (at < 0) throw new Error('no header/body separator');
  return { headers: raw.subarray(0, at + 2), body: raw.subarray(at + 4) };
}

/** What the filter passed on and what the sink received are the same message: envelope, body bytes and headers. */
function expectSameMessage(passed: Passed, got: { mailFrom: string; rcptTo: string[]; raw: Buffer }, id: string): void {
  expect(got.mailFrom).toBe(FROM);
  expect(passed.mailFrom).toBe(FROM);
  expect([...got.rcptTo].sort()).toEqual([...TO].sort());
  expect([...passed.rcptTo].sort()).toEqual([...TO].sort());
  const sent = splitMessage(passed.raw);
  const received = splitMessage(got.raw);
  expect(received.body.equals(sent.body)).toBe(true);
  expect(received.body.includes(Buffer.from(UTF8_LINE, 'utf8'))).toBe(true);
  expect(received.body.includes(Buffer.from('\r\n.a line that starts with a dot'))).toBe(true);
  // Postfix only prepends its Received: header; the filter's headers follow unchanged
  expect(received.headers.subarray(received.headers.length - sent.headers.length).equals(sent.headers)).toBe(true);
  expect(received.headers.toString('utf8')).toContain(`Subject: ${SUBJECT}\r\n`);
  expect(received.headers.toString('utf8')).toContain(`Message-ID: ${id}\r\n`);
}

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'smime-postfix-test-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!!unavailable)('private Postfix: after-queue content_filter over LMTP' + SKIPPED, () => {
  let sink: SmtpSink;
  let pf: PostfixInstance;
  let filter: PassThroughFilter;

  beforeAll(async () => {
    sink = await startSmtpSink();
    pf = await startPostfix({ topology: 'content-filter', sinkPort: sink.port });
    filter = await startPassThrough({ port: pf.filterPort, upstreamPort: pf.reinjectPort, lmtp: true });
  });
  afterAll(async () => {
    await filter?.close();
    await pf?.stop();
    await sink?.close();
  });

  it('passes a message through the filter to the sink byte for byte', async () => {
    const { file, id } = messageFile();
    const r = await swaks(pf.smtpPort, file);
    expect(r.code, r.out).toBe(0);
    const [got] = await sink.waitFor(1, 20_000);
    expect(filter.passed).toHaveLength(1);
    expectSameMessage(filter.passed[0]!, got!, id);
    await pf.waitForQueue((q) => q.length === 0, 10_000);
    expect(pf.log()).toMatch(/smimefilter\/lmtp\[\d+\]: .* relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+, .*status=sent/);
  });

  it('retries by itself within seconds when the sink refuses with 4xx for a while', async () => {
    sink.refuse({ code: 451, message: '4.3.0 upstream busy' });
    const before = sink.messages.length;
    const { file } = messageFile();
    expect((await swaks(pf.smtpPort, file)).code).toBe(0);
    const q = await pf.waitForQueue((q) => q.some((m) => m.queueName === 'deferred'), 15_000);
    expect(q[0]!.recipients[0]!.delayReason).toMatch(/451 4\.3\.0 upstream busy/);
    expect(sink.refusedCount).toBeGreaterThan(0);
    sink.accept();
    await sink.waitFor(before + 1, 15_000);
    await pf.waitForQueue((q) => q.length === 0, 10_000);
  });
});

describe.skipIf(!!unavailable)(
  'private Postfix: a content filter answering 451 leaves the mail queued' + SKIPPED,
  () => {
    let sink: SmtpSink;
    let pf: PostfixInstance;
    let filter: PassThroughFilter;

    beforeAll(async () => {
      sink = await startSmtpSink();
      // long timers here, so that only flush() can deliver the deferred message within the test's time
      const slow = { queue_run_delay: '300s', minimal_backoff_time: '300s', maximal_backoff_time: '300s' };
      pf = await startPostfix({
        topology: 'content-filter',
        sinkPort: sink.port,
        mainCf: slow,
        filterRecipientLimit: 1,
      });
      filter = await startPassThrough({ port: pf.filterPort, upstreamPort: pf.reinjectPort, lmtp: true });
    });
    afterAll(async () => {
      await filter?.close();
      await pf?.stop();
      await sink?.close();
    });

    it('defers on 451 and delivers after flush() once the filter accepts', async () => {
      filter.reject = EXPIRED;
      const { file, id } = messageFile();
      const r = await swaks(pf.smtpPort, file);
      // after the queue the sender never learns: Postfix took the message
      expect(r.code, r.out).toBe(0);
      const q = await pf.waitForQueue((q) => q.length === 1 && q[0]!.queueName === 'deferred', 15_000);
      expect(q[0]!.sender).toBe(FROM);
      expect(q[0]!.recipients.map((x) => x.address).sort()).toEqual([...TO].sort());
      for (const rcpt of q[0]!.recipients) expect(rcpt.delayReason).toContain(`451 ${EXPIRED}`);
      expect(pf.log()).toMatch(/status=deferred .*451 4\.7\.5 S\/MIME certificate is expired/);
      expect(sink.messages).toHaveLength(0);

      filter.reject = null;
      pf.flush();
      // recipient limit 1: one filter delivery, one re-injected message per recipient
      const got = await sink.waitFor(2, 20_000);
      expect(filter.passed).toHaveLength(2);
      for (const m of got) {
        const passed = filter.passed.find((p) => p.rcptTo[0] === m.rcptTo[0]);
        expect(passed).toBeDefined();
        expect(m.rcptTo).toHaveLength(1);
        expect(splitMessage(m.raw).body.equals(splitMessage(passed!.raw).body)).toBe(true);
        expect(m.raw.toString('utf8')).toContain(`Message-ID: ${id}\r\n`);
      }
      await pf.waitForQueue((q) => q.length === 0, 10_000);
    });
  },
);

describe.skipIf(!!unavailable)('private Postfix: before-queue smtpd_proxy_filter' + SKIPPED, () => {
  let sink: SmtpSink;
  let pf: PostfixInstance;
  let filter: PassThroughFilter;
  let other: PostfixInstance;

  beforeAll(async () => {
    sink = await startSmtpSink();
    pf = await startPostfix({ topology: 'proxy-filter', sinkPort: sink.port, proxyOptions: 'speed_adjust' });
    filter = await startPassThrough({ port: pf.filterPort, upstreamPort: pf.reinjectPort, lmtp: false });
  });
  afterAll(async () => {
    await filter?.close();
    await other?.stop();
    await pf?.stop();
    await sink?.close();
  });

  it('passes a message through the filter to the sink byte for byte', async () => {
    const { file, id } = messageFile();
    const r = await swaks(pf.smtpPort, file);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/<- {2}250 2\.0\.0 passed on: 250 2\.0\.0 Ok: queued as \w+/);
    const [got] = await sink.waitFor(1, 20_000);
    expect(filter.passed).toHaveLength(1);
    expectSameMessage(filter.passed[0]!, got!, id);
  });

  it("shows the filter's 451 to the sender and queues nothing", async () => {
    filter.reject = EXPIRED;
    try {
      const before = sink.messages.length;
      const { file } = messageFile();
      const r = await swaks(pf.smtpPort, file);
      // swaks exit 26: "server did not accept mail following data"
      expect(r.code, r.out).toBe(26);
      expect(r.out).toContain(`<** 451 ${EXPIRED}`);
      expect(pf.queue()).toHaveLength(0);
      expect(sink.messages).toHaveLength(before);
    } finally {
      filter.reject = null;
    }
  });

  it('runs side by side with a second instance that has its own dirs and ports', async () => {
    other = await startPostfix({ topology: 'content-filter', sinkPort: sink.port });
    expect(other.dir).not.toBe(pf.dir);
    const ports = [pf.smtpPort, pf.reinjectPort, pf.filterPort, other.smtpPort, other.reinjectPort, other.filterPort];
    expect(new Set(ports).size).toBe(ports.length);
    expect(ports).not.toContain(25);
    await other.waitForLog(/daemon started/, 5000);
    expect(other.queue()).toHaveLength(0);
    // the first instance still works while the second runs
    const before = sink.messages.length;
    const { file } = messageFile();
    expect((await swaks(pf.smtpPort, file)).code).toBe(0);
    await sink.waitFor(before + 1, 20_000);
    await other.stop();
  });
});

describe('smtp sink in LMTP mode', () => {
  it('stores raw bytes with the envelope and refuses per recipient while told to', async () => {
    const sink = await startSmtpSink({ lmtp: true });
    const client = createTransport({
      host: '127.0.0.1',
      port: sink.port,
      lmtp: true,
      ignoreTLS: true,
      socketTimeout: 5000,
    });
    try {
      const raw = Buffer.from(`Subject: ${SUBJECT}\r\n\r\n${UTF8_LINE}\r\n`, 'utf8');
      sink.refuse({ code: 452, message: '4.2.2 mailbox full' });
      // LMTP: nodemailer resolves and lists each recipient the sink refused after the data
      const refused = await client.sendMail({ envelope: { from: FROM, to: TO }, raw });
      expect(refused.rejected).toEqual(TO);
      expect(refused.response).toBe('452 4.2.2 mailbox full');
      expect(sink.refusedCount).toBe(1);
      sink.accept();
      const info = await client.sendMail({ envelope: { from: FROM, to: TO }, raw });
      expect(info.accepted).toEqual(TO);
      const [m] = await sink.waitFor(1, 5000);
      expect(m!.raw.equals(raw)).toBe(true);
      expect(m!.mailFrom).toBe(FROM);
      expect(m!.rcptTo).toEqual(TO);
      await expect(sink.waitFor(2, 200)).rejects.toThrow(/1 of 2 message\(s\) after 200 ms/);
    } finally {
      client.close();
      await sink.close();
    }
  });
});
