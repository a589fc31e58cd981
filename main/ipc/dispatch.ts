/**
 * Every IPC request passes here: the sender is checked, then the size, then the
 * schema; only then is a handler called. Failures become { ok: false, error } so the
 * renderer gets an error code, never an exception or a stack.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { describeError, SmimeError } from '../core/errors';
import type { z } from 'zod';
import {
  CHANNELS,
  MAX_REQUEST_BYTES,
  requestSchemas,
  type Channel,
  type Envelope,
  type IpcError,
} from '../contract/channels';
import type { Handlers } from './handlers';
import { log } from '../logging';

/** Approximate size of a request: string lengths and binary lengths, without serialising it. */
export function requestSize(v: unknown, depth = 0): number {
  if (depth > 20) return Infinity;
  if (typeof v === 'string') return v.length;
  if (v instanceof Uint8Array) return v.byteLength;
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + 8 + requestSize(x, depth + 1), 0);
  if (v && typeof v === 'object')
    return Object.entries(v).reduce((n, [k, x]) => n + k.length + 8 + requestSize(x, depth + 1), 0);
  return 8;
}

const FORBIDDEN_KEYS = /^(password|adminPassword|passphrase|newPassword|currentPassword|p12|privateKey|key)$/;

/** Defence in depth: no response may carry a field named like a secret or a key object. */
export function assertNoSecrets(v: unknown, path = 'response', depth = 0): void {
  if (depth > 30 || v === null || typeof v !== 'object') return;
  if (v instanceof Uint8Array) throw new Error(`${path} carries binary data`);
  if ('asymmetricKeyType' in (v as object) || 'export' in (v as object))
    throw new Error(`${path} carries a key object`);
  for (const [k, x] of Object.entries(v)) {
    if (FORBIDDEN_KEYS.test(k)) throw new Error(`${path}.${k} looks like a secret`);
    assertNoSecrets(x, `${path}.${k}`, depth + 1);
  }
}

/** The field a schema refused and why, as codes: the renderer says it next to that field, in its language. */
export function fieldOf(issue: z.core.$ZodIssue | undefined): IpcError['field'] {
  if (!issue || issue.path.length === 0) return undefined;
  const path = issue.path.map(String).join('.');
  // the limit is said in the field's own unit: characters of text, entries of a list, or a number
  const unit = issue.code === 'too_small' || issue.code === 'too_big' ? issue.origin : undefined;
  const kind = unit === 'string' ? 'text' : unit === 'array' || unit === 'set' ? 'list' : 'number';
  if (issue.code === 'too_small') {
    const min = Number(issue.minimum);
    if (unit === 'string' && min <= 1) return { path, issue: 'required' };
    const said = ({ text: 'too-short', list: 'too-few', number: 'too-small' } as const)[kind];
    return { path, issue: said, ...(Number.isFinite(min) ? { limit: min } : {}) };
  }
  if (issue.code === 'too_big') {
    const max = Number(issue.maximum);
    const said = ({ text: 'too-long', list: 'too-many', number: 'too-large' } as const)[kind];
    return { path, issue: said, ...(Number.isFinite(max) ? { limit: max } : {}) };
  }
  return { path, issue: 'invalid' };
}

/** An IPC_INVALID error that names its field. */
class FieldError extends SmimeError {
  constructor(
    message: string,
    readonly field: IpcError['field'],
  ) {
    super('IPC_INVALID', message);
  }
}

export async function dispatch(
  handlers: Handlers,
  channel: string,
  payload: unknown,
  trusted: boolean,
): Promise<Envelope<unknown>> {
  try {
    if (!trusted) throw new SmimeError('IPC_FORBIDDEN', 'the request did not come from the application window');
    if (!(CHANNELS as string[]).includes(channel)) throw new SmimeError('IPC_INVALID', `unknown request ${channel}`);
    const c = channel as Channel;
    const limit = MAX_REQUEST_BYTES[c] ?? MAX_REQUEST_BYTES.default;
    if (requestSize(payload) > limit)
      throw new SmimeError('IPC_TOO_LARGE', `the request is larger than ${Math.round(limit / 1024)} KiB`);
    const parsed = requestSchemas[c].safeParse(payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new FieldError(
        `invalid request ${c}: ${issue ? `${issue.path.join('.') || 'request'}: ${issue.message}` : 'malformed'}`,
        fieldOf(issue),
      );
    }
    const handler = handlers[c] as (r: unknown) => Promise<unknown>;
    const value = await handler(parsed.data);
    assertNoSecrets(value);
    return { ok: true, value };
  } catch (e) {
    const error: IpcError = describeError(e);
    if (e instanceof FieldError && e.field) error.field = e.field;
    if (error.code === 'INTERNAL' || error.code.startsWith('IPC_'))
      log('warn', `ipc ${channel}: ${error.code} ${error.message}`);
    return { ok: false, error };
  }
}

/** Registers every channel of the contract on ipcMain; `isTrusted` decides who may call. */
export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle'>,
  handlers: Handlers,
  isTrusted: (e: IpcMainInvokeEvent) => boolean,
): void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, (event, payload: unknown) => dispatch(handlers, channel, payload, isTrusted(event)));
  }
}
