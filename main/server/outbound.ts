/**
 * The way out: nodemailer's SMTP client to the next hop (Postfix's re-injection smtpd), with a
 * small pool of reused connections. A delivery is one upstream transaction with an explicit
 * envelope; its bytes are streamed from the pipeline's buffers without joining them. The
 * relay keeps no queue: `send` resolves only with what the upstream answered.
 */
import { Readable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { formatHostPort, type HostPort } from './options';

export interface UpstreamEnvelope {
  from: string;
  to: string[];
  size: number;
  /** the client announced BODY=8BITMIME; say so upstream too */
  use8BitMime: boolean;
}

/** An upstream reply, split: 550, "5.1.1", "<a@b>: Recipient address rejected". */
export interface UpstreamReply {
  code: number;
  enhanced: string | null;
  text: string;
}

export interface UpstreamResult {
  accepted: string[];
  /** recipients the upstream refused at RCPT TO, with its reply */
  rejected: { recipient: string; reply: UpstreamReply }[];
  /** the upstream's final reply to the data, e.g. "250 2.0.0 Ok: queued as 4Xyz" */
  response: string;
}

/** The delivery did not happen: `reply` is what the upstream said, null when it said nothing (network). */
export class UpstreamError extends Error {
  constructor(
    message: string,
    readonly reply: UpstreamReply | null,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
  get permanent(): boolean {
    return this.reply !== null && this.reply.code >= 500;
  }
}

export interface UpstreamOptions {
  upstream: HostPort;
  /** our name in EHLO */
  name: string;
  maxConnections: number;
  timeoutMs: number;
  /** an idle pooled connection is closed after this (well under Postfix's smtpd_timeout) */
  idleMs?: number;
  /** a connection is retired after this many transactions (default 1000) */
  maxMessagesPerConnection?: number;
  /** …or once it is this old (default 5 minutes), so the upstream's limits never close it under us */
  maxAgeMs?: number;
  /** called once per failed upstream transaction and once per recipient the upstream refused */
  onError?: (count: number) => void;
}

/** "550 5.1.1 <x>: rejected" → its parts; a reply without a code gives null. */
export function parseReply(response: string | undefined | null): UpstreamReply | null {
  const m = /^(\d{3})[ -](?:([245]\.\d{1,3}\.\d{1,3}) )?([\s\S]*)$/.exec((response ?? '').trim());
  if (!m) return null;
  return { code: Number(m[1]), enhanced: m[2] ?? null, text: m[3]!.replace(/\s+/g, ' ').trim() };
}

/** At most this many bytes are joined into one chunk; a larger message streams its parts as they are. */
const JOIN_AT_MOST = 256 * 1024;

function joinSmall(parts: Buffer[]): Buffer[] {
  if (parts.length < 2) return parts;
  let size = 0;
  for (const p of parts) size += p.length;
  return size <= JOIN_AT_MOST ? [Buffer.concat(parts, size)] : parts;
}

interface Pooled {
  conn: SMTPConnection;
  messages: number;
  idleTimer: NodeJS.Timeout | null;
  openedAt: number;
}

interface Waiter {
  resolve: (p: Pooled) => void;
  reject: (e: Error) => void;
}

type NodemailerErr = Error & {
  code?: string;
  originalCode?: string;
  response?: string;
  recipient?: string;
};

type SendInfo = { accepted: string[]; rejectedErrors?: NodemailerErr[]; response?: string };

export class Upstream {
  private readonly idle: Pooled[] = [];
  private readonly waiting: Waiter[] = [];
  private readonly gone = new WeakSet<Pooled>();
  private open = 0;
  private closed = false;

  constructor(private readonly o: UpstreamOptions) {}

  get where(): string {
    return formatHostPort(this.o.upstream);
  }

  /**
   * One upstream transaction for `envelope`, with the message streamed from `parts`.
   * Resolves once the upstream answered the data (some recipients may have been refused at
   * RCPT TO: see `rejected`); rejects with UpstreamError when nothing was accepted. A pooled
   * connection that turns out to be dead before a byte of the message was sent is replaced
   * once: the upstream cannot have accepted anything on it.
   */
  async send(envelope: UpstreamEnvelope, parts: Buffer[]): Promise<UpstreamResult> {
    for (let attempt = 0; ; attempt++) {
      let p: Pooled;
      try {
        p = await this.acquire();
      } catch (e) {
        this.o.onError?.(1);
        throw this.toUpstreamError(e as NodemailerErr);
      }
      // a message of a few parts (a signed one: head, entity, signature) goes out as one chunk when small,
      // so the dot-stuffing stream and the socket each see one write instead of one per part
      const stream = Readable.from(joinSmall(parts), { objectMode: false });
      try {
        const info = await new Promise<SendInfo>((resolve, reject) =>
          p.conn.send(
            { from: envelope.from, to: envelope.to, size: envelope.size, use8BitMime: envelope.use8BitMime },
            stream,
            (err, info) => (err ? reject(err) : resolve(info as unknown as SendInfo)),
          ),
        );
        p.messages++;
        this.release(p);
        const rejected = (info.rejectedErrors ?? []).map((e) => ({
          recipient: String(e.recipient ?? ''),
          reply: parseReply(e.response) ?? { code: 451, enhanced: '4.4.1', text: e.message },
        }));
        if (rejected.length) this.o.onError?.(rejected.length);
        return { accepted: info.accepted.map(String), rejected, response: String(info.response ?? '') };
      } catch (e) {
        const err = e as NodemailerErr;
        const reply = parseReply(err.response);
        // a refused envelope or message leaves the session usable (after RSET); anything else does not
        if ((err.code === 'EENVELOPE' || err.code === 'EMESSAGE') && reply !== null && reply.code !== 421)
          this.reset(p);
        else this.discard(p);
        // a reused connection the upstream had already dropped: nothing of the message went out
        if (attempt === 0 && p.messages > 0 && reply === null && !stream.readableDidRead) continue;
        this.o.onError?.(1);
        throw this.toUpstreamError(err);
      }
    }
  }

  /** Open / idle / waiting counts, for the status page. */
  stats(): { open: number; idle: number; waiting: number } {
    return { open: this.open, idle: this.idle.length, waiting: this.waiting.length };
  }

  /** Closes every pooled connection (QUIT) and fails whoever still waits for one. */
  close(): void {
    this.closed = true;
    for (const p of [...this.idle]) this.discard(p, true);
    for (const w of this.waiting.splice(0)) w.reject(this.shuttingDown());
  }

  private shuttingDown(): UpstreamError {
    return new UpstreamError(`upstream ${this.where}: the relay is shutting down`, null);
  }

  private toUpstreamError(err: NodemailerErr): UpstreamError {
    if (err instanceof UpstreamError) return err;
    const reply = parseReply(err.response);
    if (reply)
      return new UpstreamError(
        `upstream ${this.where} said: ${reply.code}${reply.enhanced ? ` ${reply.enhanced}` : ''} ${reply.text}`,
        reply,
      );
    const why = err.originalCode ?? err.code ?? 'error';
    const first = (err.message ?? String(err)).split('\n')[0];
    return new UpstreamError(`upstream ${this.where} unreachable (${why}: ${first})`, null);
  }

  private async acquire(): Promise<Pooled> {
    if (this.closed) throw this.shuttingDown();
    for (let p = this.idle.pop(); p; p = this.idle.pop()) {
      if (p.idleTimer) clearTimeout(p.idleTimer);
      p.idleTimer = null;
      if (!p.conn.destroyed) return p;
      this.forget(p);
    }
    if (this.open < this.o.maxConnections) {
      this.open++;
      return this.connect();
    }
    return new Promise<Pooled>((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  /** A new connection, counted in `open` by the caller; a failure counts it out again. */
  private connect(): Promise<Pooled> {
    const conn = new SMTPConnection({
      host: this.o.upstream.host,
      port: this.o.upstream.port,
      name: this.o.name,
      secure: false,
      ignoreTLS: true,
      connectionTimeout: this.o.timeoutMs,
      greetingTimeout: this.o.timeoutMs,
      socketTimeout: this.o.timeoutMs,
      logger: false,
    });
    const p: Pooled = { conn, messages: 0, idleTimer: null, openedAt: Date.now() };
    conn.once('end', () => this.forget(p));
    return new Promise((resolve, reject) => {
      let connected = false;
      // every error also reaches a send in progress; this listener keeps an idle socket's from being unhandled
      conn.on('error', (err: Error) => {
        if (connected) return;
        connected = true;
        this.discard(p);
        reject(err);
      });
      conn.connect(() => {
        if (connected) return;
        connected = true;
        resolve(p);
      });
    });
  }

  private release(p: Pooled): void {
    const old = Date.now() - p.openedAt > (this.o.maxAgeMs ?? 300_000);
    if (this.closed || p.conn.destroyed || old || p.messages >= (this.o.maxMessagesPerConnection ?? 1000))
      return this.discard(p, true);
    const w = this.waiting.shift();
    if (w) return w.resolve(p);
    p.idleTimer = setTimeout(() => this.discard(p, true), this.o.idleMs ?? 20_000);
    p.idleTimer.unref();
    this.idle.push(p);
  }

  private reset(p: Pooled): void {
    p.conn.reset((err) => (err ? this.discard(p) : this.release(p)));
  }

  private discard(p: Pooled, polite = false): void {
    if (p.idleTimer) clearTimeout(p.idleTimer);
    p.idleTimer = null;
    if (!this.forget(p)) return;
    try {
      if (polite && !p.conn.destroyed) p.conn.quit();
      else p.conn.close();
    } catch {
      // already gone
    }
  }

  /** Counts a connection out once, whichever of end / error / discard comes first, and frees its slot. */
  private forget(p: Pooled): boolean {
    if (this.gone.has(p)) return false;
    this.gone.add(p);
    const i = this.idle.indexOf(p);
    if (i >= 0) this.idle.splice(i, 1);
    this.open--;
    this.wakeOne();
    return true;
  }

  /** A slot came free: the first waiter gets a new connection, or the error of making one. */
  private wakeOne(): void {
    if (this.waiting.length === 0 || this.open >= this.o.maxConnections) return;
    const w = this.waiting.shift()!;
    if (this.closed) return w.reject(this.shuttingDown());
    this.open++;
    this.connect().then(w.resolve, w.reject);
  }
}
