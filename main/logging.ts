/**
 * The app's log. Every line goes through `redact`, which removes anything that looks
 * like a secret: values of secret-named fields, PEM blocks, long base64 runs.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';

let logFile: string | null = null;
let sink: (line: string) => void = (line) => process.stderr.write(line + '\n');

export function setLogDirectory(dir: string | null): void {
  logFile = dir ? join(dir, 'main.log') : null;
}

export function setLogSink(fn: (line: string) => void): void {
  sink = fn;
}

const SECRET_FIELD =
  /("?(?:password|passphrase|adminPassword|newPassword|currentPassword|secret|p12|privateKey)"?\s*[:=]\s*)("(?:[^"\\]|\\.)*"|[^\s,}]+)/gi;

export function redact(text: string): string {
  return text
    .replace(/-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g, '[redacted PEM]')
    .replace(SECRET_FIELD, '$1[redacted]')
    .replace(/[A-Za-z0-9+/=]{200,}/g, '[redacted data]');
}

export function log(level: 'info' | 'warn' | 'error', message: string): void {
  const line = `${new Date().toISOString()} ${level} ${redact(message)}`;
  sink(line);
  if (logFile) {
    try {
      appendFileSync(logFile, line + '\n', { mode: 0o600 });
    } catch {
      // logging must never break the app
    }
  }
}
