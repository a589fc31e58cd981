/** Maps app://smime-admin/<path> to a file under the renderer's build folder, refusing anything outside it. */
import { extname, normalize, resolve, sep } from 'node:path';
import { APP_HOST, APP_SCHEME } from './security';

export const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export function resolveRendererFile(root: string, url: string): { path: string; type: string } | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  if (rel === '/' || rel === '') rel = '/index.html';
  const base = resolve(root);
  const full = resolve(base, '.' + normalize(rel));
  if (full !== base && !full.startsWith(base + sep)) return null;
  const type = MIME_TYPES[extname(full)];
  if (!type) return null;
  return { path: full, type };
}
