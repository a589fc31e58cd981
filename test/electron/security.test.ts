import { setLogSink } from '../../main/logging';
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { resolveRendererFile } from '../../main/electron/renderer-files';
import {
  APP_URL,
  CONTENT_SECURITY_POLICY,
  guardWebContents,
  hardenSession,
  secureWindowOptions,
} from '../../main/electron/security';
setLogSink(() => undefined);

describe('window options', () => {
  it('forces the security flags whatever the caller asks', () => {
    const o = secureWindowOptions('/p.js', {
      width: 10,
      webPreferences: {
        sandbox: false,
        contextIsolation: false,
        nodeIntegration: true,
        webSecurity: false,
        webviewTag: true,
        preload: '/evil.js',
      },
    });
    expect(o.width).toBe(10);
    expect(o.webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      allowRunningInsecureContent: false,
      preload: '/p.js',
    });
  });
});

class FakeContents extends EventEmitter {
  openHandler: ((d: { url: string }) => { action: string }) | undefined;
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }) {
    this.openHandler = h;
  }
}
describe('navigation guards', () => {
  it('refuses navigation off the app, new windows and webviews', () => {
    const c = new FakeContents();
    const blocked: string[] = [];
    guardWebContents(c as never, { onBlocked: (w, u) => blocked.push(`${w} ${u}`) });
    const nav = (event: string, url: string) => {
      const e = { preventDefault: vi.fn() };
      c.emit(event, e, url);
      return e.preventDefault.mock.calls.length > 0;
    };
    expect(nav('will-navigate', 'https://evil.example/')).toBe(true);
    expect(nav('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(nav('will-redirect', 'http://localhost/')).toBe(true);
    expect(nav('will-navigate', 'app://smime-admin/index.html')).toBe(false);
    expect(nav('will-attach-webview', '')).toBe(true);
    expect(c.openHandler!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(blocked).toEqual([
      'navigation https://evil.example/',
      'navigation file:///etc/passwd',
      'redirect http://localhost/',
      'webview ',
      'window.open https://evil.example/',
    ]);
  });
});
describe('session hardening', () => {
  it('denies permissions and sets a strict CSP on every response', () => {
    let request:
      ((wc: unknown, p: string, cb: (ok: boolean) => void, d?: { requestingUrl?: string }) => void) | undefined;
    let check: ((wc: unknown, p: string, origin: string) => boolean) | undefined;
    let headers:
      | ((
          d: { responseHeaders?: Record<string, string[]> },
          cb: (r: { responseHeaders: Record<string, string[]> }) => void,
        ) => void)
      | undefined;
    hardenSession({
      setPermissionRequestHandler: (h: never) => (request = h),
      setPermissionCheckHandler: (h: never) => (check = h),
      webRequest: { onHeadersReceived: (h: never) => (headers = h) },
    } as never);
    const cb = vi.fn();
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read'])
      request!(null, p, cb, { requestingUrl: APP_URL });
    request!(null, 'clipboard-sanitized-write', cb, { requestingUrl: 'https://evil.example/' });
    expect(cb.mock.calls.map((c) => c[0])).toEqual([false, false, false, false, false, false]);
    request!(null, 'clipboard-sanitized-write', cb, { requestingUrl: APP_URL });
    expect(cb).toHaveBeenLastCalledWith(true);
    expect(check!(null, 'media', 'app://smime-admin')).toBe(false);
    expect(check!(null, 'clipboard-sanitized-write', 'app://smime-admin')).toBe(true);
    expect(check!(null, 'clipboard-sanitized-write', 'https://evil.example')).toBe(false);
    let out: Record<string, string[]> = {};
    headers!({ responseHeaders: { 'content-type': ['text/html'] } }, (r) => (out = r.responseHeaders));
    expect(out['Content-Security-Policy']).toEqual([CONTENT_SECURITY_POLICY]);
    expect(CONTENT_SECURITY_POLICY).toMatch(/default-src 'none'/);
    expect(CONTENT_SECURITY_POLICY).toMatch(/script-src 'self'(;|$)/);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });
});
describe('app:// file server', () => {
  it('serves only files inside the renderer folder', () => {
    const root = '/srv/out/renderer';
    expect(resolveRendererFile(root, 'app://smime-admin/index.html')).toEqual({
      path: '/srv/out/renderer/index.html',
      type: 'text/html; charset=utf-8',
    });
    expect(resolveRendererFile(root, 'app://smime-admin/')?.path).toBe('/srv/out/renderer/index.html');
    expect(resolveRendererFile(root, 'app://smime-admin/assets/a.js')?.type).toBe('text/javascript; charset=utf-8');
    // dot segments can never leave the folder
    for (const tricky of [
      'app://smime-admin/../../etc/passwd.js',
      'app://smime-admin/%2e%2e/%2e%2e/x.js',
      'app://smime-admin/a/..%2f..%2f..%2fx.js',
    ]) {
      const r = resolveRendererFile(root, tricky);
      if (r) expect(r.path.startsWith(root + '/'), tricky).toBe(true);
    }
    for (const bad of [
      'app://other/index.html',
      'file:///srv/out/renderer/index.html',
      'app://smime-admin/secret.p12',
      'app://smime-admin/%00.js',
      'app://smime-admin/%E0%A4%A.js',
    ]) {
      expect(resolveRendererFile(root, bad), bad).toBeNull();
    }
  });
});
