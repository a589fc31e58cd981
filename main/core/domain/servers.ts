/**
 * Whether a reflection is in effect: each relay of a composition is asked for its status
 * (GET <url>/status, the relay's JSON), with a timeout, from the main process — never from the
 * renderer, whose CSP allows no network. A composition is in effect when every relay runs its
 * latest reflection (matched by the bundle's fingerprint, or by its reflection number).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CompositionServers, ServerStatusView, ServerUnreachable } from '../../contract';
import { SmimeError } from '../errors';
import type { StoredHistoryEntry } from './history';

const MAX_STATUS_BYTES = 1024 * 1024;

/** A relay status URL as the admin gives it: http(s), no credentials, no query. */
export function validateServerUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new SmimeError(
      'USAGE',
      `"${url}" is not a URL (a relay's status address looks like http://mail1.example.com:8025)`,
    );
  }
  if (!['http:', 'https:'].includes(u.protocol) || u.username || u.password || u.search || u.hash) {
    throw new SmimeError(
      'USAGE',
      `"${url}" is not a relay status address: use http(s)://HOST:PORT, without credentials or query`,
    );
  }
  return u.origin + u.pathname.replace(/\/+$/, '');
}

/** A failure of ours with a code beside Node's network codes, for unreachableReason. */
const failure = (code: 'NOT_A_RELAY' | 'RELAY_ERROR' | 'STATUS_TIMEOUT', message: string): Error =>
  Object.assign(new Error(message), { code });

/** Why a status request failed, as a code the UI words (Node's network error codes, and ours above). */
export function unreachableReason(e: unknown): ServerUnreachable {
  switch ((e as NodeJS.ErrnoException).code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'STATUS_TIMEOUT':
    case 'ETIMEDOUT':
      return 'timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown-host';
    // a relay drops a connection from outside its --allow-from (status.ts)
    case 'ECONNRESET':
      return 'closed';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'unreachable';
    case 'RELAY_ERROR':
      return 'relay-error';
    case 'NOT_A_RELAY':
      return 'not-a-relay';
    default:
      return 'other';
  }
}

/** GETs a JSON document with a timeout and a size cap. */
export function fetchJson(url: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith('https:') ? httpsRequest : httpRequest)(
      url,
      { method: 'GET', timeout: timeoutMs },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          // a relay whose status fails answers 5xx (status.ts); anything else is not a relay's status page
          const message = `it answered HTTP ${res.statusCode}`;
          reject(failure((res.statusCode ?? 0) >= 500 ? 'RELAY_ERROR' : 'NOT_A_RELAY', message));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_STATUS_BYTES) req.destroy(failure('NOT_A_RELAY', 'its status is too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch {
            reject(failure('NOT_A_RELAY', 'its status is not JSON'));
          }
        });
      },
    );
    req.on('timeout', () =>
      req.destroy(failure('STATUS_TIMEOUT', `it did not answer within ${Math.round(timeoutMs / 1000)} s`)),
    );
    req.on('error', (e) => reject(e));
    req.end();
  });
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The relay's status reduced to what the app compares: composition, reflection, fingerprint, load time, last error. */
function readStatus(json: unknown): Omit<ServerStatusView, 'url' | 'reachable' | 'runsSerial' | 'current'> {
  const j = (json ?? {}) as Record<string, unknown>;
  const bundle = (j.bundle && typeof j.bundle === 'object' ? j.bundle : j) as Record<string, unknown>;
  const comp = (j.composition && typeof j.composition === 'object' ? j.composition : {}) as Record<string, unknown>;
  const lastError = j.lastReloadError ?? bundle.lastReloadError;
  const lastReloadError =
    lastError == null
      ? null
      : typeof lastError === 'string'
        ? lastError
        : (str((lastError as Record<string, unknown>).message) ?? 'error');
  const out: Omit<ServerStatusView, 'url' | 'reachable' | 'runsSerial' | 'current'> = { lastReloadError };
  const id = str(comp.id) ?? str(j.compositionId);
  const serial = num(bundle.serial);
  const fp = str(bundle.fingerprintSha256) ?? str(bundle.fingerprint);
  const loadedAt = str(bundle.loadedAt) ?? str(j.loadedAt);
  if (id) out.compositionId = id;
  if (serial !== undefined) out.serial = serial;
  if (fp) out.fingerprintSha256 = fp;
  if (loadedAt) out.loadedAt = loadedAt;
  return out;
}

/** Asks every relay of a composition; never throws: an unreachable relay is a row that says why. */
export async function pollServers(
  composition: {
    id: string;
    name: string;
    servers: string[];
    latestSerial: number | null;
    latestFingerprint: string | null;
  },
  history: StoredHistoryEntry[],
  fetch: (url: string, timeoutMs: number) => Promise<unknown> = fetchJson,
  timeoutMs = 3000,
): Promise<CompositionServers> {
  const servers = await Promise.all(
    composition.servers.map(async (url): Promise<ServerStatusView> => {
      try {
        const s = readStatus(await fetch(`${url}/status`, timeoutMs));
        const entry = history.find(
          (h) =>
            (s.fingerprintSha256 && h.fingerprintSha256 === s.fingerprintSha256) ||
            (s.serial !== undefined && h.serial === s.serial),
        );
        const sameComposition = !s.compositionId || s.compositionId === composition.id;
        const current =
          sameComposition &&
          ((composition.latestFingerprint !== null && s.fingerprintSha256 === composition.latestFingerprint) ||
            (composition.latestSerial !== null && s.serial === composition.latestSerial));
        return { url, reachable: true, ...s, runsSerial: sameComposition ? (entry?.serial ?? null) : null, current };
      } catch (e) {
        return {
          url,
          reachable: false,
          reason: unreachableReason(e),
          error: (e as Error).message,
          runsSerial: null,
          current: false,
        };
      }
    }),
  );
  return {
    composition: composition.name,
    latestSerial: composition.latestSerial,
    inEffect: servers.length > 0 && servers.every((s) => s.current),
    servers,
  };
}
