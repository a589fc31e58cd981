/**
 * The way in: smtp-server speaking LMTP (one reply per recipient) or SMTP (one reply per
 * DATA), with PIPELINING, 8BITMIME, SMTPUTF8, ENHANCEDSTATUSCODES and an enforced SIZE; no
 * AUTH; STARTTLS only with the operator's own certificate. Every buffer is bounded: a message
 * is kept only up to the size limit, connections per worker are capped, idle and slow clients
 * are cut off, and a client gets no reply before the handler decided.
 */
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { SmimeError } from '../core/errors';
import type { AllowList } from './allow-list';
import type { RelayOptions } from './options';
import type { Reply } from './transaction';

export interface InboundMessage {
  /** connection id and transaction number: what the logs and replies call the transaction */
  id: string;
  remoteAddress: string;
  mailFrom: string;
  rcptTo: string[];
  /** null when the message went over the size limit (it was drained, not kept) */
  message: Buffer | null;
  size: number;
  use8BitMime: boolean;
  /** when the message had been received in full (process.hrtime.bigint()) */
  receivedAt: bigint;
}

export interface InboundReplies {
  /** one per recipient, in RCPT order (LMTP) */
  perRecipient: Reply[];
  /** the single reply for SMTP mode */
  whole: Reply;
}

export interface InboundHandler<C> {
  /** at DATA: the configuration this transaction keeps until its reply, whatever reloads meanwhile */
  begin(): C;
  handle(ctx: C, m: InboundMessage): Promise<InboundReplies>;
  /** a connection refused by the allow-list or while draining */
  refused(reason: 'allow-list' | 'draining', remoteAddress: string): void;
}

export interface Inbound {
  listen(host: string, port: number): Promise<number>;
  connections(): number;
  activeTransactions(): number;
  /** stop accepting, 421 idle sessions now, let transactions finish within `timeoutMs`, then 421 the rest */
  drain(timeoutMs: number): Promise<void>;
}

type Conn = SMTPServer['connections'] extends Set<infer T> ? T : never;

const ENHANCED = /^[245]\.\d{1,3}\.\d{1,3} /;

/**
 * smtp-server puts an RFC 3463 code chosen by the reply code in front of every reply
 * ("451 4.3.0 ..."); the relay's replies carry their own ("451 4.7.5 ..."). A reply text
 * that starts with one is sent as it is.
 */
class RelaySmtpServer extends SMTPServer {
  override connect(socket: Socket, socketOptions?: Parameters<SMTPServer['connect']>[1]): void {
    super.connect(socket, socketOptions);
    let newest: Conn | undefined;
    for (const c of this.connections) newest = c;
    if (!newest || (newest as { relayPatched?: boolean }).relayPatched) return;
    const send = newest.send.bind(newest);
    Object.assign(newest, {
      relayPatched: true,
      send: (code: number, data?: string | string[] | null, context?: string | false) =>
        send(code, data, typeof data === 'string' && ENHANCED.test(data) ? false : context),
    });
  }
}

const line = (r: Reply): string => `${r.enhanced} ${r.text}`.replace(/[\r\n]+/g, ' ').slice(0, 400);

function asError(r: Reply): Error {
  return Object.assign(new Error(line(r)), { responseCode: r.code });
}

/** Builds the server; nothing listens until listen(). */
export function createInbound<C>(o: RelayOptions, allow: AllowList, handler: InboundHandler<C>): Inbound {
  const lmtp = o.mode === 'lmtp';
  const active = new Map<string, { timer: NodeJS.Timeout }>();
  let draining = false;
  const tls: Partial<SMTPServerOptions> = o.tls
    ? { key: readTlsFile(o.tls.keyFile, '--tls-key'), cert: readTlsFile(o.tls.certFile, '--tls-cert') }
    : { hideSTARTTLS: true };
  const disabledCommands = o.tls ? ['AUTH'] : ['AUTH', 'STARTTLS'];

  const kill = (sessionId: string, reply: Reply): void => {
    for (const c of server.connections) {
      if (c.id !== sessionId) continue;
      c.send(reply.code, line(reply));
      c.close();
    }
  };

  const server: SMTPServer = new RelaySmtpServer({
    ...tls,
    lmtp,
    name: o.hostname,
    banner: 'S/MIME signing relay',
    logger: false,
    disabledCommands,
    authOptional: true,
    disableReverseLookup: true,
    hideENHANCEDSTATUSCODES: false,
    hidePIPELINING: false,
    hide8BITMIME: false,
    hideSMTPUTF8: false,
    size: o.maxSizeBytes,
    maxClients: o.maxConnections,
    maxRecipients: 1000,
    socketTimeout: o.idleTimeoutMs,
    closeTimeout: o.drainTimeoutMs,
    onConnect(session, cb) {
      if (!allow.allows(session.remoteAddress)) {
        handler.refused('allow-list', session.remoteAddress);
        return cb(asError({ code: 554, enhanced: '5.7.1', text: `${session.remoteAddress} may not use this relay` }));
      }
      if (draining) {
        handler.refused('draining', session.remoteAddress);
        return cb(asError({ code: 421, enhanced: '4.3.2', text: 'the relay is shutting down, try again later' }));
      }
      cb();
    },
    onMailFrom(_address, _session, cb) {
      if (draining) return cb(asError({ code: 421, enhanced: '4.3.2', text: 'the relay is shutting down' }));
      cb();
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb) {
      const id = `${session.id}.${session.transaction}`;
      const ctx = handler.begin();
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      let finished = false;
      const timer = setTimeout(() => {
        finished = true;
        active.delete(session.id);
        kill(session.id, { code: 421, enhanced: '4.4.2', text: `${id} the message did not arrive in time; closing` });
      }, o.dataTimeoutMs);
      timer.unref();
      active.set(session.id, { timer });
      const abandon = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        active.delete(session.id);
      };
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (over) return;
        if (size > o.maxSizeBytes) {
          over = true;
          chunks.length = 0;
        } else chunks.push(chunk);
      });
      // the client went away before the final dot: nothing of it is ever used
      stream.on('error', abandon);
      stream.on('close', () => {
        if (!stream.readableEnded) abandon();
      });
      stream.on('end', () => {
        if (finished) return;
        clearTimeout(timer);
        const receivedAt = process.hrtime.bigint();
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const rcptTo = session.envelope.rcptTo.map((r) => r.address);
        const tooLarge = over || stream.sizeExceeded;
        const m: InboundMessage = {
          id,
          remoteAddress: session.remoteAddress,
          mailFrom,
          rcptTo,
          message: tooLarge ? null : Buffer.concat(chunks, size),
          size,
          use8BitMime: session.envelope.bodyType === '8bitmime',
          receivedAt,
        };
        chunks.length = 0;
        handler.handle(ctx, m).then(
          (r) => {
            finished = true;
            active.delete(session.id);
            if (lmtp) cb(null, r.perRecipient.map((x) => (x.code < 400 ? line(x) : asError(x))) as never);
            else if (r.whole.code < 400) cb(null, line(r.whole));
            else cb(asError(r.whole));
          },
          (e: Error) => {
            finished = true;
            active.delete(session.id);
            cb(asError({ code: 451, enhanced: '4.3.0', text: `${id} local error: ${e.message}` }));
          },
        );
      });
    },
  });
  server.on('error', () => {
    // a client resetting its connection must not take the worker down; the session just ends
  });

  return {
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.server.once('error', reject);
        server.listen(port, host, () => {
          server.server.off('error', reject);
          const a = server.server.address();
          resolve(typeof a === 'object' && a ? a.port : port);
        });
      });
    },
    connections: () => server.connections.size,
    activeTransactions: () => active.size,
    drain(timeoutMs) {
      draining = true;
      server.options.closeTimeout = timeoutMs;
      return new Promise<void>((resolve) => {
        const closed = new Promise<void>((r) => server.close(() => r()));
        // sessions without a transaction in progress have nothing to finish: 421 them now
        for (const c of [...server.connections]) {
          if (active.has(c.id)) continue;
          c.send(421, '4.3.2 the relay is shutting down, try again later');
          c.close();
        }
        const poll = setInterval(() => {
          if (active.size === 0) {
            clearInterval(poll);
            for (const c of [...server.connections]) {
              c.send(421, '4.3.2 the relay is shutting down, try again later');
              c.close();
            }
            resolve();
          }
        }, 50);
        void closed.then(() => {
          clearInterval(poll);
          resolve();
        });
      });
    },
  };
}

function readTlsFile(path: string, flag: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new SmimeError(
      'FILE_UNREADABLE',
      `${flag} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}
