/** Node side of the browser bridge: the real dispatch over the real handlers and core. */
import { join } from 'node:path';
import { dispatch } from '../../main/ipc/dispatch';
import type { Handlers } from '../../main/ipc/handlers';
import { CLIENT_PATH, TOKEN_META } from './protocol';

export function decodeRequest(body: string): unknown {
  return JSON.parse(body, (_k, x: unknown) =>
    x && typeof x === 'object' && '__bytes' in x
      ? new Uint8Array(Buffer.from(String((x as { __bytes: string }).__bytes), 'base64'))
      : x,
  );
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

function patch(html: string, pattern: string | RegExp, replace: (m: string) => string, what: string): string {
  if (!(typeof pattern === 'string' ? html.includes(pattern) : pattern.test(html))) {
    throw new Error(`start:browser cannot patch index.html: no ${what}`);
  }
  return html.replace(pattern, replace);
}

/**
 * index.html as start:browser serves it. The token rides in a meta tag: only a same-origin reader
 * sees the HTML, whereas a script can be included by any page. The bridge script joins the app's
 * hash-pinned scripts (hash in script-src plus integrity), placed after the CSP meta so the policy
 * covers it, and connect-src opens to this origin alone for the IPC POSTs. Fails loudly if the
 * built page no longer has what it patches.
 */
export function bridgedIndexHtml(html: string, opts: { token: string; clientHash: string }): string {
  if (!/^[0-9a-f]+$/.test(opts.token)) throw new Error('the bridge token must be hex');
  const pin = `sha384-${opts.clientHash}`;
  let out = patch(html, "connect-src 'none'", () => "connect-src 'self'", 'connect-src');
  out = patch(out, /script-src [^;"]+/, (m) => `${m.trimEnd()} '${pin}'`, 'script-src');
  const tags = `<meta name="${TOKEN_META}" content="${opts.token}" />\n    <script src="${CLIENT_PATH}" integrity="${pin}"></script>`;
  return patch(out, '</head>', () => `  ${tags}\n  </head>`, '</head>');
}

/** The page-side client as one script (an IIFE), bundled on demand. */
export async function bridgeClientScript(): Promise<string> {
  const { build } = await import('esbuild');
  const r = await build({
    entryPoints: [join(__dirname, 'client.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  });
  return r.outputFiles[0]!.text;
}
