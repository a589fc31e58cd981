/** Node side of the browser bridge: the real dispatch over the real handlers and core. */
import { join } from 'node:path';
import { dispatch } from '../../main/ipc/dispatch';
import type { Handlers } from '../../main/ipc/handlers';

export function decodeRequest(body: string): unknown {
  return JSON.parse(body, (_k, x: unknown) => (x && typeof x === 'object' && '__bytes' in x ? new Uint8Array(Buffer.from(String((x as { __bytes: string }).__bytes), 'base64')) : x));
}

/** Answers one bridged request as the Electron main process would (the window is trusted). */
export async function bridgeCall(handlers: Handlers, channel: string, body: string): Promise<string> {
  let request: unknown;
  try {
    request = decodeRequest(body);
  } catch {
    request = undefined;
  }
  return JSON.stringify(await dispatch(handlers, channel, request, true));
}

/** The page-side client as one script (an IIFE), bundled on demand. */
export async function bridgeClientScript(): Promise<string> {
  const { build } = await import('esbuild');
  const r = await build({ entryPoints: [join(__dirname, 'client.ts')], bundle: true, format: 'iife', platform: 'browser', target: 'chrome120', write: false, logLevel: 'silent' });
  return r.outputFiles[0]!.text;
}
