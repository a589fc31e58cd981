/**
 * Every failure a user can cause carries a stable code and one readable line.
 * Codes survive IPC and the CLI; the renderer maps them to text in both languages.
 */
import type { ErrorCode } from '../contract/codes';

export type { ErrorCode };

export class SmimeError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'SmimeError';
    this.code = code;
  }
}

/** True for our own, user-presentable errors. */
export function isSmimeError(e: unknown): e is SmimeError {
  return e instanceof SmimeError;
}

/** Turns anything thrown into a code and a single line without a stack. */
export function describeError(e: unknown): { code: ErrorCode; message: string } {
  if (isSmimeError(e)) return { code: e.code, message: oneLine(e.message) };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message: oneLine(`unexpected error: ${message}`) };
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
