/**
 * What a sending MTA sees from the relay, per recipient (LMTP) and per message (SMTP): signed and
 * unsigned deliveries reach the upstream, certificate problems are 451 4.7.5 with nothing sent,
 * a broken message is 554 5.6.0, an unreachable upstream is 451 4.4.1, and 250 only ever follows
 * the upstream's own acceptance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { opensslVerify, TestPki } from '../helpers/pki';
import { bundleDir, FROM, message, RawClient, startTestRelay, type BundleDir, type TestRelay } from '../helpers/relay';

let pki: TestPki;
let bd: BundleDir;
let sink: SmtpSink;
let lmtp: TestRelay;
let smtp: TestRelay;
let clock = new Date();
const DAY = 86_400_000;

beforeAll(async () => {
  pki = new TestPki();
  bd = await bundleDir(pki);
  clock = bd.seeded.now;
  // the admin turns intelligent BCC on: envelope-only recipients get unsigned copies
  bd.seeded.svc.setIntelligentBcc('Transactional', true);
  await bd.reflect();
  sink = await startSmtpSink();
  const now = () => clock;
  lmtp = await startTestRelay(bd, sink.port, { mode: 'lmtp', now });
  smtp = await startTestRelay(bd, sink.port, { mode: 'smtp', now });
});
afterAll(async () => {
  await lmtp?.stop(1000);
  await smtp?.stop(1000);
  await sink?.close();
  pki.cleanup();
});

async function session(relay: TestRelay): Promise<RawClient> {
  const c = await RawClient.connect(relay.ports.smtp);
  const hello = await c.cmd(`${relay.options.mode === 'lmtp' ? 'LHLO' : 'EHLO'} client.test`);
  expect(hello).toMatch(/^250/);
  return c;
}

describe('LMTP: one reply per recipient', () => {
  it('signs for named recipients, leaves docomo.ne.jp and BCC copies unsigned, each with its own 250', async () => {
    const before = sink.messages.length;
    const c = await session(lmtp);
    const msg = message({ to: ['alice@example.org', 'taro@docomo.ne.jp'] });
    const r = await c.send(FROM, ['alice@example.org', 'taro@docomo.ne.jp', 'archive@example.com'], msg, {
      lmtp: true,
    });
    c.close();
    expect(r.data).toHaveLength(3);
    expect(r.data[0]).toMatch(/^250 2\.6\.0 \S+ signed; upstream: 250 /);
    expect(r.data[1]).toMatch(/^250 2\.6\.0 \S+ unsigned; upstream: 250 /);
    expect(r.data[2]).toMatch(/^250 2\.6\.0 \S+ unsigned; upstream: 250 /);
    const got = sink.messages.slice(before);
    expect(got).toHaveLength(2);
    const signed = got.find((m) => m.rcptTo.includes('alice@example.org'))!;
    const plain = got.find((m) => m.rcptTo.includes('taro@docomo.ne.jp'))!;
    expect(plain.rcptTo.sort()).toEqual(['archive@example.com', 'taro@docomo.ne.jp']);
    expect(plain.raw.equals(msg)).toBe(true);
    expect(signed.mailFrom).toBe(FROM);
    expect(signed.raw.toString('latin1')).toMatch(
      /Content-Type: multipart\/signed; protocol="application\/pkcs7-signature"/,
    );
    expect(opensslVerify(pki, pki.write('lmtp-signed.eml', signed.raw)).ok).toBe(true);
    const tx = lmtp.lines.lines.filter((l) => l.event === 'transaction').at(-1)!;
    expect(tx.outcomes).toEqual([
      { rcpt: 'alice@example.org', outcome: 'signed', reason: 'signed', reply: '250 2.6.0' },
      { rcpt: 'taro@docomo.ne.jp', outcome: 'unsigned', reason: 'destination-exception', reply: '250 2.6.0' },
      { rcpt: 'archive@example.com', outcome: 'unsigned', reason: 'bcc-copy', reply: '250 2.6.0' },
    ]);
  });

  it('answers 451 4.7.5 for recipients that need an expired certificate, 250 for the unsigned ones', async () => {
    const before = sink.messages.length;
    clock = new Date(bd.seeded.now.getTime() + 400 * DAY);
    try {
      const c = await session(lmtp);
      const r = await c.send(
        FROM,
        ['alice@example.org', 'taro@docomo.ne.jp'],
        message({ to: ['alice@example.org', 'taro@docomo.ne.jp'] }),
        {
          lmtp: true,
        },
      );
      c.close();
      expect(r.data[0]).toBe('451 4.7.5 S/MIME certificate is expired');
      expect(r.data[1]).toMatch(/^250 2\.6\.0 /);
      expect(sink.messages.slice(before).map((m) => m.rcptTo)).toEqual([['taro@docomo.ne.jp']]);
      clock = new Date(bd.seeded.now.getTime() - 2 * DAY);
      const c2 = await session(lmtp);
      const r2 = await c2.send(FROM, ['alice@example.org'], message(), { lmtp: true });
      c2.close();
      expect(r2.data).toEqual(['451 4.7.5 S/MIME certificate is not yet valid']);
    } finally {
      clock = bd.seeded.now;
    }
  });

  it('answers 554 5.6.0 to every recipient of a message that is not RFC 5322', async () => {
    const c = await session(lmtp);
    const r = await c.send(
      FROM,
      ['a@example.org', 'b@example.org'],
      Buffer.from('this is not a header\r\n\r\nbody\r\n'),
      {
        lmtp: true,
      },
    );
    c.close();
    expect(r.data).toHaveLength(2);
    for (const d of r.data) expect(d).toMatch(/^554 5\.6\.0 /);
  });

  it('passes an upstream 5xx through to each recipient it concerns, and keeps nothing', async () => {
    const before = sink.messages.length;
    const c = await session(lmtp);
    // the sink refuses at RCPT for a moment: the upstream pool's connection sees 550 for the first delivery
    sink.refuse({ code: 550, message: '5.1.1 no such user here', stage: 'rcpt' });
    const p = c.send(
      FROM,
      ['alice@example.org', 'taro@docomo.ne.jp'],
      message({ to: ['alice@example.org', 'taro@docomo.ne.jp'] }),
      {
        lmtp: true,
      },
    );
    const r = await p;
    sink.accept();
    c.close();
    for (const d of r.data)
      expect(d).toMatch(/^550 5\.1\.1 upstream 127\.0\.0\.1:\d+ said: 550 5\.1\.1 no such user here$/);
    expect(sink.messages.length).toBe(before);
  });
});

describe('SMTP: one reply per message', () => {
  it('answers 250 only once every delivery was accepted upstream', async () => {
    const before = sink.messages.length;
    const c = await session(smtp);
    const r = await c.send(
      FROM,
      ['alice@example.org', 'taro@docomo.ne.jp'],
      message({ to: ['alice@example.org', 'taro@docomo.ne.jp'] }),
    );
    c.close();
    expect(r.data).toHaveLength(1);
    expect(r.data[0]).toMatch(/^250 2\.6\.0 \S+ delivered to 2 recipient\(s\)$/);
    expect(sink.messages.length).toBe(before + 2);
  });

  it('answers 451 4.7.5 for the whole message and sends nothing when one recipient needs an expired certificate', async () => {
    const before = sink.messages.length;
    clock = new Date(bd.seeded.now.getTime() + 400 * DAY);
    try {
      const c = await session(smtp);
      const r = await c.send(
        FROM,
        ['taro@docomo.ne.jp', 'alice@example.org'],
        message({ to: ['alice@example.org', 'taro@docomo.ne.jp'] }),
      );
      c.close();
      expect(r.data).toEqual(['451 4.7.5 S/MIME certificate is expired']);
      expect(sink.messages.length).toBe(before);
    } finally {
      clock = bd.seeded.now;
    }
  });

  it('answers 451 4.4.1 while the upstream is unreachable, and delivers once it is back', async () => {
    const down = await startTestRelay(bd, 1, { mode: 'smtp', upstreamTimeoutMs: 2000 });
    try {
      const c = await session(down);
      const r = await c.send(FROM, ['alice@example.org'], message());
      c.close();
      expect(r.data[0]).toMatch(
        /^451 4\.4\.1 upstream 127\.0\.0\.1:1 unreachable \(ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:1\)$/,
      );
      const status = await down.status();
      expect(status.counters.upstreamErrors).toBe(1);
      expect(status.counters.recipients.failed).toBe(1);
    } finally {
      await down.stop(500);
    }
    // the same client retrying against a relay whose upstream answers
    const before = sink.messages.length;
    const c = await session(smtp);
    const r = await c.send(FROM, ['alice@example.org'], message());
    c.close();
    expect(r.data[0]).toMatch(/^250 /);
    expect(sink.messages.length).toBe(before + 1);
  });

  it('answers the upstream 4xx as 451 4.4.1 and nothing is kept by the relay', async () => {
    const before = sink.messages.length;
    sink.refuse({ code: 452, message: '4.3.1 insufficient system storage' });
    try {
      const c = await session(smtp);
      const r = await c.send(FROM, ['alice@example.org'], message());
      c.close();
      expect(r.data[0]).toMatch(
        /^451 4\.4\.1 upstream 127\.0\.0\.1:\d+ said: 452 4\.3\.1 insufficient system storage$/,
      );
    } finally {
      sink.accept();
    }
    expect(sink.messages.length).toBe(before);
  });
});
