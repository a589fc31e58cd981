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
  const errno = e as NodeJS.ErrnoException;
  if (errno && typeof errno.code === 'string' && typeof errno.path === 'string') {
    const why: Record<string, string> = {
      ENOENT: 'no such file or folder',
      EACCES: 'permission denied',
      EPERM: 'permission denied',
      EISDIR: 'it is a folder',
      ENOTDIR: 'a part of the path is not a folder',
      EEXIST: 'it already exists',
      ENOSPC: 'the disk is full',
      EROFS: 'the file system is read-only',
    };
    const reading = errno.syscall === 'open' || errno.syscall === 'read' || errno.syscall === 'stat';
    return {
      code: reading ? 'FILE_UNREADABLE' : 'OUTPUT_UNWRITABLE',
      message: oneLine(`cannot ${reading ? 'read' : 'write'} ${errno.path}: ${why[errno.code] ?? errno.code}`),
    };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'INTERNAL', message: oneLine(`unexpected error: ${message}`) };
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
