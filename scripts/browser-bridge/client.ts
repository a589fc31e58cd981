/**
 * window.smime in a plain browser, for tests and `npm run start:browser` only: the same
 * createApi the Electron preload uses, carried over Playwright's exposeFunction or a
 * loopback POST with a per-run token. Never part of the app build, and never holds the token
 * itself: any page may include a script, only our own origin can read our HTML.
 */
import { createApi } from '../../preload/api';
import { EVENTS_PATH, IPC_PREFIX, TOKEN_HEADER, TOKEN_META } from './protocol';

type Listener = (payload: unknown) => void;

declare global {
  interface Window {
    __smimeBridge?: (channel: string, body: string) => Promise<string>;
    __smimeEmit?: (event: string, payload: unknown) => void;
  }
}

function encode(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x instanceof Uint8Array) {
      let s = '';
      for (let i = 0; i < x.length; i += 0x8000) s += String.fromCharCode(...x.subarray(i, i + 0x8000));
      return { __bytes: btoa(s) };
    }
    return x;
  });
}

/** Takes the token from the meta tag the server put above this script, and drops the tag from the DOM. */
function takeToken(): string {
  const meta = document.querySelector<HTMLMetaElement>(`meta[name="${TOKEN_META}"]`);
  meta?.remove();
  return meta?.content ?? '';
}

const token = takeToken();

async function transport(channel: string, body: string): Promise<string> {
  if (window.__smimeBridge) return window.__smimeBridge(channel, body);
  const r = await fetch(`${IPC_PREFIX}${encodeURIComponent(channel)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
    body,
  });
  return r.text();
}

const listeners = new Map<string, Set<Listener>>();
window.__smimeEmit = (event, payload) => listeners.get(event)?.forEach((l) => l(payload));

const api = createApi(
  async (channel, request) => JSON.parse(await transport(channel, encode(request))),
  (event, listener) => {
    const set = listeners.get(event) ?? new Set<Listener>();
    set.add(listener);
    listeners.set(event, set);
    return () => {
      set.delete(listener);
    };
  },
);
Object.defineProperty(window, 'smime', { value: api, writable: false, configurable: false });

/**
 * The server's events (the data folder changed, reflect progress), read from a streamed answer;
 * a dropped stream is opened again after a pause that grows while it keeps dropping.
 */
async function listen(): Promise<void> {
  let before = false;
  for (let delay = 500; ; delay = Math.min(delay * 2, 10_000)) {
    try {
      const r = await fetch(EVENTS_PATH, { method: 'POST', headers: { [TOKEN_HEADER]: token } });
      if (r.ok && r.body) {
        // events sent while the stream was down are lost: read everything again
        if (before) window.__smimeEmit?.('state:changed', { at: new Date().toISOString(), by: 'elsewhere' });
        before = true;
        const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
        let pending = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          pending += value;
          let end: number;
          while ((end = pending.indexOf('\n')) >= 0) {
            const line = pending.slice(0, end);
            pending = pending.slice(end + 1);
            if (!line) continue;
            const { event, payload } = JSON.parse(line) as { event: string; payload: unknown };
            window.__smimeEmit?.(event, payload);
          }
        }
      }
    } catch {
      // the server stopped or restarted: try again after a pause
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
// under the test harness the events arrive through __smimeEmit directly
if (!window.__smimeBridge) void listen();
