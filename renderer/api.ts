/** The renderer's only way to main: window.smime, with envelopes turned into values or UiErrors. */
import type { Envelope, ErrorCode, IpcError } from '../main/contract';

export class UiError extends Error {
  readonly code: ErrorCode;
  /** the request field main refused, when it said which */
  readonly field: IpcError['field'];
  constructor(error: IpcError) {
    super(error.message);
    this.code = error.code;
    this.field = error.field;
  }
}

export async function unwrap<T>(p: Promise<Envelope<T>>): Promise<T> {
  let env: Envelope<T>;
  try {
    env = await p;
  } catch (e) {
    throw new UiError({ code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) });
  }
  if (!env.ok) throw new UiError(env.error);
  return env.value;
}

export function toUiError(e: unknown): UiError {
  return e instanceof UiError
    ? e
    : new UiError({ code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) });
}

export const api = () => window.smime;
