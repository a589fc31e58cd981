/**
 * Every failure a user can cause carries a stable code and one readable line.
 * Codes survive IPC and the CLI; the renderer maps them to text in both languages.
 */
export type ErrorCode =
  | 'FILE_UNREADABLE'
  | 'FILE_TOO_LARGE'
  | 'OUTPUT_UNWRITABLE'
  | 'P12_NOT_PKCS12'
  | 'P12_CORRUPT'
  | 'P12_WRONG_PASSWORD'
  | 'P12_NO_KEY'
  | 'P12_NO_CERTIFICATE'
  | 'P12_KEY_MISMATCH'
  | 'P12_UNSUPPORTED'
  | 'KEY_UNSUPPORTED'
  | 'MESSAGE_INVALID'
  | 'MESSAGE_ALREADY_SMIME'
  | 'NOT_SIGNED'
  | 'SIGNATURE_MALFORMED'
  | 'USAGE'
  | 'SECRET_MISSING'
  | 'KEYCHAIN_UNAVAILABLE'
  | 'KEYCHAIN_TIMEOUT'
  | 'STORE_CORRUPT'
  | 'STORE_LOCKED'
  | 'EMAIL_NOT_IN_CERTIFICATE'
  | 'EMAIL_INVALID'
  | 'CERT_EXISTS'
  | 'CERT_NOT_FOUND'
  | 'CERT_IN_USE'
  | 'ADMIN_PASSWORD_NOT_SET'
  | 'ADMIN_PASSWORD_WRONG'
  | 'ADMIN_PASSWORD_WEAK'
  | 'COMPOSITION_EXISTS'
  | 'COMPOSITION_NOT_FOUND'
  | 'NAME_INVALID'
  | 'PATTERN_INVALID'
  | 'EXCEPTION_NOT_FOUND'
  | 'BUNDLE_INVALID'
  | 'BUNDLE_TAMPERED'
  | 'BUNDLE_WRONG_PASSPHRASE'
  | 'BUNDLE_UNSUPPORTED_VERSION'
  | 'PASSPHRASE_WEAK'
  | 'IPC_INVALID'
  | 'IPC_FORBIDDEN'
  | 'IPC_TOO_LARGE'
  | 'FILE_TOKEN_UNKNOWN'
  | 'INTERNAL';

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
