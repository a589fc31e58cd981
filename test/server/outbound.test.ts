/**
 * The way out: bytes streamed unchanged with an explicit envelope, a bounded pool of reused
 * connections that survives the upstream closing idle ones, and an upstream's per-recipient
 * refusals carried back to exactly the recipients they concern.
 */
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReply, Upstream, UpstreamError } from '../../main/server/outbound';
import { TestPki } from '../helpers/pki';
import { bundleDir, FROM, message, RawClient, startTestRelay, type BundleDir } from '../helpers/relay';

interface Received {
  from: string;
  to: string[];
  raw: Buffer;
}

/** A scriptable upstream: refuses listed recipients at RCPT, can drop the connection during DATA, counts connections. */
async function upstreamServer(o: { refuse?: string[]; dropInData?: () => boolean; socketTimeout?: number } = {}) {
  const got: Received[] = [];
  let open = 0;
  let maxOpen = 0;
  let connections = 0;
  const server = new SMTPServer({
    name: 'upstream.test',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    socketTimeout: o.socketTimeout ?? 30_000,
    closeTimeout: 500,
    onConnect(_s, cb) {
      connections++;
      maxOpen = Math.max(maxOpen, ++open);
      cb();
    },
    onClose() {
      open--;
    },
    onRcptTo(addr, _s, cb) {
      if (o.refuse?.includes(addr.address))
        return cb(Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }));
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (o.dropInData?.()) {
          // the upstream dies before answering the data
          for (const c of server.connections) if (c.id === session.id) c.close();
          return;
        }
        got.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        cb(null, 'Ok: queued as TEST');
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    got,
    stats: () => ({ open, maxOpen, connections }),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const upstreamFor = (port: number, maxConnections = 4) =>
  new Upstream({ upstream: { host: '127.0.0.1', port }, name: 'relay.test', maxConnections, timeoutMs: 5000 });

describe('Upstream', () => {
  it('streams the parts unchanged with the envelope given, over one reused connection', async () => {
    const srv = await upstreamServer();
    const up = upstreamFor(srv.port);
    try {
      const parts = [Buffer.from('Subject: a\r\n'), Buffer.from('\r\n.dot line\r\n'), Buffer.from('end\r\n')];
      for (let i = 0; i < 3; i++) {
        const r = await up.send(
          { from: FROM, to: ['x@example.org', 'y@example.org'], size: 40, use8BitMime: false },
          parts,
        );
        expect(r.accepted).toEqual(['x@example.org', 'y@example.org']);
        expect(r.response).toMatch(/^250 .*Ok: queued as TEST$/);
      }
      expect(srv.got).toHaveLength(3);
      expect(srv.got[0]).toEqual({ from: FROM, to: ['x@example.org', 'y@example.org'], raw: Buffer.concat(parts) });
      expect(srv.stats().connections).toBe(1);
    } finally {
      up.close();
      await srv.close();
    }
  });

  it('never opens more connections than allowed, however many deliveries wait', async () => {
    const srv = await upstreamServer();
    const up = upstreamFor(srv.port, 2);
    try {
      const all = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          up.send({ from: FROM, to: [`r${i}@example.org`], size: 10, use8BitMime: false }, [
            Buffer.from(`Subject: ${i}\r\n\r\nx\r\n`),
          ]),
        ),
      );
      expect(all).toHaveLength(12);
      expect(srv.got).toHaveLength(12);
      expect(srv.stats().maxOpen).toBeLessThanOrEqual(2);
    } finally {
      up.close();
      await srv.close();
    }
  });

  it('carries on after the upstream closed an idle pooled connection', async () => {
    const srv = await upstreamServer({ socketTimeout: 300 });
    const up = upstreamFor(srv.port);
    try {
      const env = { from: FROM, to: ['x@example.org'], size: 10, use8BitMime: false };
      await up.send(env, [Buffer.from('Subject: 1\r\n\r\nx\r\n')]);
      await new Promise((r) => setTimeout(r, 800));
      await up.send(env, [Buffer.from('Subject: 2\r\n\r\nx\r\n')]);
      expect(srv.got).toHaveLength(2);
      expect(srv.stats().connections).toBe(2);
    } finally {
      up.close();
      await srv.close();
    }
  });

  it('reports refused recipients with their reply, and a dead upstream as a network failure', async () => {
    const srv = await upstreamServer({ refuse: ['nobody@example.org'] });
    const up = upstreamFor(srv.port);
    try {
      const r = await up.send(
        { from: FROM, to: ['x@example.org', 'nobody@example.org'], size: 10, use8BitMime: false },
        [Buffer.from('Subject: 1\r\n\r\nx\r\n')],
      );
      expect(r.accepted).toEqual(['x@example.org']);
      expect(r.rejected).toEqual([
        { recipient: 'nobody@example.org', reply: { code: 550, enhanced: '5.1.1', text: 'no such user' } },
      ]);
    } finally {
      up.close();
      await srv.close();
    }
    const dead = upstreamFor(srv.port);
    const e = await dead
      .send({ from: FROM, to: ['x@example.org'], size: 1, use8BitMime: false }, [Buffer.from('x')])
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UpstreamError);
    expect((e as UpstreamError).reply).toBeNull();
    expect((e as UpstreamError).permanent).toBe(false);
    expect((e as Error).message).toMatch(/unreachable \(ECONNREFUSED/);
    expect(parseReply('250-first\r\n250 2.0.0 Ok')).toEqual({ code: 250, enhanced: null, text: 'first 250 2.0.0 Ok' });
    expect(parseReply('452 4.3.1 full')).toEqual({ code: 452, enhanced: '4.3.1', text: 'full' });
  });
});

describe('through the relay', () => {
  let pki: TestPki;
  let bd: BundleDir;
  beforeAll(async () => {
    pki = new TestPki();
    bd = await bundleDir(pki);
  });
  afterAll(() => pki.cleanup());

  it('LMTP: the refused recipient gets the upstream 550, the others 250', async () => {
    const srv = await upstreamServer({ refuse: ['nobody@example.org'] });
    const relay = await startTestRelay(bd, srv.port, { mode: 'lmtp', status: null });
    try {
      const c = await RawClient.connect(relay.ports.smtp);
      await c.cmd('LHLO client.test');
      const r = await c.send(FROM, ['alice@example.org', 'nobody@example.org'], message(), { lmtp: true });
      c.close();
      expect(r.data[0]).toMatch(/^250 2\.6\.0 /);
      expect(r.data[1]).toMatch(
        /^550 5\.1\.1 upstream 127\.0\.0\.1:\d+ refused the recipient: 550 5\.1\.1 no such user$/,
      );
    } finally {
      await relay.stop(500);
      await srv.close();
    }
  });

  it('SMTP: a partly refused message gets 451 (never 250), and an upstream dying in DATA gets 451 4.4.1', async () => {
    let drop = false;
    const srv = await upstreamServer({ refuse: ['nobody@example.org'], dropInData: () => drop });
    const relay = await startTestRelay(bd, srv.port, { mode: 'smtp', status: null });
    try {
      const c = await RawClient.connect(relay.ports.smtp);
      await c.cmd('EHLO client.test');
      const partial = await c.send(FROM, ['alice@example.org', 'nobody@example.org'], message());
      expect(partial.data[0]).toMatch(
        /^451 4\.4\.1 \S+ not delivered to every recipient; try again \(upstream .* 550 5\.1\.1 no such user\)$/,
      );
      drop = true;
      const dying = await c.send(FROM, ['alice@example.org'], message());
      expect(dying.data[0]).toMatch(/^451 4\.4\.1 upstream 127\.0\.0\.1:\d+ unreachable \(ECONNECTION: /);
      c.close();
    } finally {
      await relay.stop(500);
      await srv.close();
    }
  });
});
