/**
 * The relay's SMTP/LMTP front door as a client meets it: the extensions it announces, SIZE
 * announced and enforced, no AUTH, STARTTLS only with the operator's certificate, slow and
 * silent clients cut off without a 250, a capped number of sessions, and the allow-list on
 * both ports.
 */
import { get } from 'node:http';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { TestPki } from '../helpers/pki';
import { bundleDir, FROM, message, RawClient, startTestRelay, type BundleDir, type TestRelay } from '../helpers/relay';

/** GET /status from a given source address: the status code, or the error that ended it. */
function httpFrom(localAddress: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/status', localAddress, timeout: 5000 }, (res) => {
      res.resume();
      resolve(String(res.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e: NodeJS.ErrnoException) => resolve(`error: ${e.code ?? e.message}`));
  });
}

let pki: TestPki;
let bd: BundleDir;
let sink: SmtpSink;
let relay: TestRelay;

beforeAll(async () => {
  pki = new TestPki();
  bd = await bundleDir(pki);
  sink = await startSmtpSink();
  relay = await startTestRelay(bd, sink.port, {
    mode: 'smtp',
    maxSizeBytes: 64 * 1024,
    dataTimeoutMs: 1500,
    idleTimeoutMs: 1500,
    maxConnections: 5,
  });
});
afterAll(async () => {
  await relay?.stop(500);
  await sink?.close();
  pki.cleanup();
});

describe('what the relay announces', () => {
  it('SMTP: PIPELINING, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES and SIZE; no AUTH, no STARTTLS without a certificate', async () => {
    const c = await RawClient.connect(relay.ports.smtp);
    expect(c.greeting).toMatch(/^220 smime-relay\.localhost ESMTP/);
    const ehlo = (await c.cmd('EHLO client.test'))!.split('\n').map((l) => l.slice(4));
    c.close();
    expect(ehlo).toEqual(
      expect.arrayContaining(['PIPELINING', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'SIZE 65536']),
    );
    expect(ehlo.join(' ')).not.toMatch(/AUTH|STARTTLS/);
  });

  it('LMTP: answers LHLO and refuses EHLO', async () => {
    const l = await startTestRelay(bd, sink.port, { mode: 'lmtp', status: null });
    try {
      const c = await RawClient.connect(l.ports.smtp);
      expect(c.greeting).toMatch(/^220 \S+ LMTP/);
      expect(await c.cmd('EHLO client.test')).toMatch(/^500 /);
      expect(await c.cmd('LHLO client.test')).toMatch(/^250[- ]/);
      c.close();
    } finally {
      await l.stop(500);
    }
  });

  it('offers STARTTLS with the operator certificate, and the session continues encrypted', async () => {
    const leaf = pki.leaf({ cn: 'relay.test' });
    const t = await startTestRelay(bd, sink.port, {
      mode: 'smtp',
      status: null,
      tls: { certFile: leaf.certPath, keyFile: leaf.keyPath },
    });
    try {
      const c = await RawClient.connect(t.ports.smtp);
      expect(await c.cmd('EHLO client.test')).toContain('STARTTLS');
      expect(await c.cmd('STARTTLS')).toMatch(/^220 /);
      const secure = tlsConnect({ socket: c.socket, rejectUnauthorized: false });
      await new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
      expect(secure.getPeerCertificate().subject?.CN).toBe('relay.test');
      secure.destroy();
    } finally {
      await t.stop(500);
    }
  });
});

describe('bounded input', () => {
  it('refuses a declared SIZE over the limit at MAIL FROM with 552 5.3.4', async () => {
    const c = await RawClient.connect(relay.ports.smtp);
    await c.cmd('EHLO client.test');
    expect(await c.cmd(`MAIL FROM:<${FROM}> SIZE=${10 * 1024 * 1024}`)).toMatch(/^552 5\.3\.4 /);
    c.close();
  });

  it('refuses an undeclared oversize message after the data with 552 5.3.4, and sends nothing', async () => {
    const before = sink.messages.length;
    const c = await RawClient.connect(relay.ports.smtp);
    await c.cmd('EHLO client.test');
    const big = message({ body: 'x'.repeat(76) + '\r\n'.repeat(1) + ('y'.repeat(998) + '\r\n').repeat(100) });
    const r = await c.send(FROM, ['alice@example.org'], big);
    expect(r.data[0]).toMatch(/^552 5\.3\.4 \S+ message is larger than the 65536 bytes this relay accepts$/);
    // the session is still usable
    const ok = await c.send(FROM, ['alice@example.org'], message());
    expect(ok.data[0]).toMatch(/^250 /);
    c.close();
    expect(sink.messages.length).toBe(before + 1);
  });

  it('cuts off a message that never finishes: 421, no 250, nothing sent', async () => {
    const before = sink.messages.length;
    const c = await RawClient.connect(relay.ports.smtp);
    await c.cmd('EHLO client.test');
    await c.cmd(`MAIL FROM:<${FROM}>`);
    await c.cmd('RCPT TO:<alice@example.org>');
    expect(await c.cmd('DATA')).toMatch(/^354/);
    // a trickle: one line every 300 ms keeps the idle timer happy, never the final dot
    const drip = setInterval(() => !c.closed && c.write('Subject: slow\r\n'), 300);
    try {
      const reply = await c.next(5000);
      expect(reply).toMatch(/^421 4\.4\.2 \S+ the message did not arrive in time; closing$/);
      await c.waitClosed(5000);
    } finally {
      clearInterval(drip);
    }
    expect(sink.messages.length).toBe(before);
  });

  it('disconnects a silent client after the idle timeout', async () => {
    const c = await RawClient.connect(relay.ports.smtp);
    await c.cmd('EHLO client.test');
    await c.waitClosed(5000);
  });

  it('answers 421 to sessions beyond --max-connections and closes them', async () => {
    const held = await Promise.all(Array.from({ length: 5 }, () => RawClient.connect(relay.ports.smtp)));
    for (const h of held) expect(h.greeting).toMatch(/^220 /);
    const extra = await RawClient.connect(relay.ports.smtp);
    expect(extra.greeting).toMatch(/^421 /);
    await extra.waitClosed(3000);
    for (const h of held) h.close();
  });
});

describe('--allow-from', () => {
  it('refuses a client from 127.0.0.2 on the SMTP port (554 5.7.1, closed) and on the status port', async () => {
    const only = await startTestRelay(bd, sink.port, { mode: 'smtp', allowFrom: ['127.0.0.1/32'] });
    try {
      const refused = await RawClient.connect(only.ports.smtp, { localAddress: '127.0.0.2' });
      expect(refused.greeting).toBe('554 5.7.1 127.0.0.2 may not use this relay');
      await refused.waitClosed(3000);
      const allowed = await RawClient.connect(only.ports.smtp, { localAddress: '127.0.0.1' });
      expect(allowed.greeting).toMatch(/^220 /);
      allowed.close();
      // the status port drops a connection from outside the list without a byte
      expect(await httpFrom('127.0.0.2', only.ports.status!)).toMatch(/^error: (ECONNRESET|socket hang up)/);
      expect(await httpFrom('127.0.0.1', only.ports.status!)).toBe('200');
      const status = await only.status();
      expect(status.counters.recipients.signed).toBe(0);
    } finally {
      await only.stop(500);
    }
  });
});
