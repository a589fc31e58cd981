/**
 * Who may talk to the start:browser server: only our own page, on the loopback origin it serves.
 * The Host check defeats DNS rebinding (a foreign name resolved to 127.0.0.1 still carries its own
 * Host); Origin and Sec-Fetch-Site keep other pages of the admin's browser out; the token proves the
 * caller read our HTML, which only a same-origin reader can.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { IPC_PREFIX, TOKEN_HEADER } from './protocol';

/** Why a request was refused: an HTTP status and a short code for the response body. */
export interface Refusal {
  status: number;
  code: 'BRIDGE_HOST' | 'BRIDGE_TARGET' | 'BRIDGE_METHOD' | 'BRIDGE_FETCH_SITE' | 'BRIDGE_ORIGIN' | 'BRIDGE_TOKEN';
}

export type GuardedRequest = Pick<IncomingMessage, 'method' | 'url' | 'headers' | 'headersDistinct'>;

/** The Host values we answer to: the loopback address and the port we listen on, nothing else. */
export function loopbackHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/** The page itself: the only target a typed URL (Sec-Fetch-Site: none) may reach. */
export function isPagePath(pathname: string): boolean {
  return pathname === '/' || pathname === '/index.html';
}

/** Compares in constant time; hashing first hides the length of the expected token too. */
export function tokenMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function single(req: GuardedRequest, name: string): string | undefined {
  const values = req.headersDistinct[name];
  return values?.length === 1 ? values[0] : undefined;
}

/**
 * Null when the request may be answered, else the refusal. The Host comes first, for every path,
 * so nothing (not even a static file) answers a rebound name.
 */
export function refuseRequest(req: GuardedRequest, opts: { port: number; token: string }): Refusal | null {
  const host = single(req, 'host')?.toLowerCase();
  if (!host || !loopbackHosts(opts.port).includes(host)) return { status: 421, code: 'BRIDGE_HOST' };
  // origin-form only: an absolute target could name another host than the Host header
  const target = req.url ?? '';
  if (!target.startsWith('/') || target.startsWith('//')) return { status: 400, code: 'BRIDGE_TARGET' };
  const pathname = new URL(target, `http://${host}`).pathname;
  const ipc = pathname.startsWith(IPC_PREFIX);
  const method = req.method ?? '';
  if (ipc ? method !== 'POST' : method !== 'GET' && method !== 'HEAD') return { status: 405, code: 'BRIDGE_METHOD' };

  // absent in old browsers and curl: then Host, Origin and the token still stand
  const site = req.headersDistinct['sec-fetch-site'];
  if (site) {
    const mode = req.headers['sec-fetch-mode'];
    const dest = req.headers['sec-fetch-dest'];
    const typedUrl =
      site.length === 1 &&
      site[0] === 'none' &&
      !ipc &&
      isPagePath(pathname) &&
      (!mode || mode === 'navigate') &&
      (!dest || dest === 'document');
    const sameOrigin = site.length === 1 && site[0] === 'same-origin';
    if (!sameOrigin && !typedUrl) return { status: 403, code: 'BRIDGE_FETCH_SITE' };
  }

  // browsers send Origin on every POST; a GET carrying a foreign one is refused as well
  const origins = req.headersDistinct.origin;
  if (origins || method === 'POST') {
    if (origins?.length !== 1 || origins[0] !== `http://${host}`) return { status: 403, code: 'BRIDGE_ORIGIN' };
  }

  if (ipc && !tokenMatches(single(req, TOKEN_HEADER), opts.token)) return { status: 403, code: 'BRIDGE_TOKEN' };
  return null;
}
