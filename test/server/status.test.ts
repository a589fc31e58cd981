/**
 * The status port as an operator and a Prometheus scraper see it, and what it must never show:
 * the passphrase, a certificate password, message content, or an address in a metric label.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { TestPki } from '../helpers/pki';
import {
  bundleDir,
  dropFile,
  FROM,
  message,
  PASS,
  RawClient,
  startTestRelay,
  statusGet,
  waitUntil,
  type BundleDir,
  type TestRelay,
} from '../helpers/relay';

let pki: TestPki;
let bd: BundleDir;
let sink: SmtpSink;
let relay: TestRelay;
const SUBJECT = 'Quarterly invoice 4711 for Contoso';
const BODY = 'The secret handshake is purple-elephant-42.';

beforeAll(async () => {
  pki = new TestPki();
  bd = await bundleDir(pki);
  sink = await startSmtpSink();
  relay = await startTestRelay(bd, sink.port, { mode: 'lmtp' });
  const c = await RawClient.connect(relay.ports.smtp);
  await c.cmd('LHLO client.test');
  await c.send(
    FROM,
    ['alice@example.org', 'taro@docomo.ne.jp'],
    message({ subject: SUBJECT, body: BODY, to: ['alice@example.org'] }),
    {
      lmtp: true,
    },
  );
  await c.send(FROM, ['bob@example.org'], Buffer.from('not a message\r\n\r\n'), { lmtp: true });
  c.close();
  dropFile(bd.dir, 'broken.json', '{}');
  await waitUntil(
    'the refusal',
    5000,
    () => relay.status(),
    (s) => s.lastReloadError !== null,
  );
});
afterAll(async () => {
  await relay?.stop(500);
  await sink?.close();
  pki.cleanup();
});

describe('the status port', () => {
  it('/healthz is 200 once a configuration runs', async () => {
    expect(await statusGet(relay.ports.status!, '/healthz')).toEqual({ code: 200, body: 'ok\n' });
    expect((await statusGet(relay.ports.status!, '/nope')).code).toBe(404);
  });

  it('/status names the bundle in force, its certificates, the last refusal and the counters', async () => {
    const { code, body } = await statusGet(relay.ports.status!, '/status');
    expect(code).toBe(200);
    const s = JSON.parse(body);
    expect(s).toMatchObject({
      healthy: true,
      mode: 'lmtp',
      composition: { name: 'Transactional' },
      serial: 1,
      file: 'bundle-1.smime-bundle.json',
      certificates: [{ email: 'info@example.com' }],
      lastReloadError: { file: 'broken.json', code: 'BUNDLE_INVALID' },
      counters: {
        transactions: 2,
        recipients: { signed: 1, unsigned: 1, rejected: 1, failed: 0 },
        reloadsFailed: 1,
      },
    });
    expect(s.fingerprintSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(s.workers).toHaveLength(1);
    expect(s.workers[0]).toMatchObject({ pid: process.pid, serial: 1 });
    expect(typeof s.loadedAt).toBe('string');
    expect(typeof s.createdAt).toBe('string');
  });

  it('/metrics speaks the Prometheus text format with codes as labels', async () => {
    const { code, body } = await statusGet(relay.ports.status!, '/metrics');
    expect(code).toBe(200);
    expect(body).toContain('# TYPE smime_relay_messages_total counter');
    expect(body).toContain('smime_relay_messages_total{outcome="signed",reason="signed"} 1');
    expect(body).toContain('smime_relay_messages_total{outcome="unsigned",reason="destination-exception"} 1');
    expect(body).toContain('smime_relay_messages_total{outcome="rejected",reason="message-invalid"} 1');
    expect(body).toContain('smime_relay_reloads_total{result="failed"} 1');
    expect(body).toContain('smime_relay_reloads_total{result="ok"} 0');
    expect(body).toContain('smime_relay_upstream_errors_total 0');
    expect(body).toMatch(/smime_relay_transaction_seconds_count 2\n/);
    expect(body).toMatch(/smime_relay_bytes_in_total \d+/);
    expect(body).toMatch(/smime_relay_bytes_out_total \d+/);
  });

  it('shows no secret and no message content on any page, nor in the log; no address in a metric', async () => {
    const pages = await Promise.all(['/status', '/metrics', '/healthz'].map((p) => statusGet(relay.ports.status!, p)));
    const log = relay.lines.text();
    for (const text of [...pages.map((p) => p.body), log]) {
      expect(text).not.toContain(PASS);
      expect(text).not.toContain('pw-info');
      expect(text).not.toContain(SUBJECT);
      expect(text).not.toContain('purple-elephant');
      expect(text).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
    }
    expect(pages[1]!.body).not.toContain('@');
    // the log has one line per transaction with the outcome codes
    expect(relay.lines.lines.filter((l) => l.event === 'transaction')).toHaveLength(2);
  });
});
