/**
 * The relay's log: pino JSON lines on stdout, one per transaction and one per reload, written
 * by the process itself (no worker-thread transport: the CLI is one esbuild bundle) without
 * blocking a transaction on the write; pino flushes what is buffered when the process exits
 * (a SIGKILLed process can lose its last lines). Message content and secrets are never passed
 * to it; the redaction below is a second line of defence for field names that could carry one.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

const REDACT = ['passphrase', 'password', 'secret', '*.passphrase', '*.password', '*.secret', '*.p12'];

/**
 * A logger writing to `destination` (default: file descriptor 1, asynchronously). `role`
 * ("primary", "worker", "relay") and the pid go on every line.
 */
export function createLogger(role: string, destination?: NodeJS.WritableStream, level = 'info'): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid, role },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT, censor: '[redacted]' },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
