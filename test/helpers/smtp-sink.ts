/**
 * An SMTP (or LMTP) sink for tests: the last hop of a private Postfix instance, or a stand-in for any upstream.
 * It keeps every message as the raw bytes it received plus the envelope, so a test can compare bytes, not a parse.
 * It can be told to answer 4xx for a while to play an upstream that refuses, and everything it waits for is bounded.
 */
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export interface SinkMessage {
  /** MAIL FROM address, '' for the null sender */
  mailFrom: string;
  /** MAIL FROM parameters as received (upper-case keys: BODY, SIZE, SMTPUTF8, ...) */
  mailParams: Record<string, string | true>;
  rcptTo: string[];
  /** the message exactly as it came after DATA/BDAT, dot-unstuffed, without the final "." line */
  raw: Buffer;
  /** EHLO/LHLO name the client gave */
  helo: string;
  receivedAt: Date;
}

export interface SinkRefusal {
  /** 4xx for a temporary refusal (the default 451), 5xx for a permanent one */
  code?: number;
  /** reply text, enhanced status code included if wanted */
  message?: string;
  /** where to refuse: at MAIL FROM, at each RCPT TO, or after the data (the default; per recipient in LMTP) */
  stage?: 'mail' | 'rcpt' | 'data';
}

export interface SmtpSinkOptions {
  /** speak LMTP instead of SMTP: one reply per recipient after the data */
  lmtp?: boolean;
  /** default 0: a free port chosen by the kernel */
  port?: number;
  /** banner/EHLO name; must differ from Postfix's myhostname or Postfix reports a mail loop */
  name?: string;
}

export interface SmtpSink {
  readonly port: number;
  readonly lmtp: boolean;
  /** every accepted message, in arrival order */
  readonly messages: SinkMessage[];
  /** how many transactions the sink refused while told to */
  readonly refusedCount: number;
  /** resolves with the first `count` messages once that many arrived; rejects after `timeoutMs` */
  waitFor(count: number, timeoutMs: number): Promise<SinkMessage[]>;
  /** answer with an error from now on, until accept() */
  refuse(refusal?: SinkRefusal): void;
  accept(): void;
  close(): Promise<void>;
}

interface Waiter {
  count: number;
  resolve: (m: SinkMessage[]) => void;
}

function codedError(code: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode: code });
}

function address(a: { address: string } | false): string {
  return a ? a.address : '';
}

/** Starts a sink on 127.0.0.1. */
export async function startSmtpSink(opts: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const lmtp = opts.lmtp ?? false;
  const messages: SinkMessage[] = [];
  const waiters: Waiter[] = [];
  let refusal: Required<SinkRefusal> | null = null;
  let refusedCount = 0;

  const settle = (): void => {
    for (const w of [...waiters]) {
      if (messages.length >= w.count) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(messages.slice(0, w.count));
      }
    }
  };
  const refuseAt = (stage: SinkRefusal['stage']): Error | null => {
    if (!refusal || refusal.stage !== stage) return null;
    refusedCount++;
    return codedError(refusal.code, refusal.message);
  };

  const server = new SMTPServer({
    lmtp,
    name: opts.name ?? 'smtp-sink.test',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    closeTimeout: 1000,
    socketTimeout: 30_000,
    onMailFrom(_addr, _session, cb) {
      cb(refuseAt('mail'));
    },
    onRcptTo(_addr, _session, cb) {
      cb(refuseAt('rcpt'));
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb) {
      const chunks: Buffer[] = [];
      let answered = false;
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', (e) => {
        if (!answered) cb(e);
        answered = true;
      });
      stream.on('end', () => {
        if (answered) return;
        answered = true;
        const recipients = session.envelope.rcptTo.map((r) => r.address);
        const refused = refuseAt('data');
        if (refused) {
          // LMTP wants one reply per recipient; smtp-server repeats a single error for each
          cb(refused);
          return;
        }
        const mailFrom = session.envelope.mailFrom;
        messages.push({
          mailFrom: address(mailFrom),
          mailParams: (mailFrom && mailFrom.args) || {},
          rcptTo: recipients,
          raw: Buffer.concat(chunks),
          helo: session.hostNameAppearsAs,
          receivedAt: new Date(),
        });
        settle();
        cb(null, lmtp ? recipients.map(() => 'OK: delivered to sink') : 'OK: queued in sink');
      });
    },
  });
  server.on('error', () => {
    // a client that resets mid-session must not take the test process down
  });

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const addr = server.server.address();
  if (!addr || typeof addr === 'string') throw new Error('smtp sink: no TCP address');

  return {
    port: addr.port,
    lmtp,
    messages,
    get refusedCount() {
      return refusedCount;
    },
    waitFor(count, timeoutMs) {
      if (messages.length >= count) return Promise.resolve(messages.slice(0, count));
      return new Promise((resolve, reject) => {
        const w: Waiter = {
          count,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`smtp sink: ${messages.length} of ${count} message(s) after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    refuse(r = {}) {
      refusal = {
        code: r.code ?? 451,
        message: r.message ?? '4.3.0 sink refuses for now',
        stage: r.stage ?? 'data',
      };
    },
    accept() {
      refusal = null;
    },
    close() {
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
