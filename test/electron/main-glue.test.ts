import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS, EVENTS, requestSchemas } from '../../main/contract/channels';
import { assertNoSecrets, dispatch, registerIpc } from '../../main/ipc/dispatch';
import { createHandlers, type Dialogs, type Handlers } from '../../main/ipc/handlers';
import { isTrustedSender, startApp, type ElectronApi } from '../../main/electron/app';
import { expiryNotice, scheduleExpiryNotices, DAY_MS } from '../../main/electron/notices';
import { menuTemplate } from '../../main/electron/menu';
import { resolveRendererFile } from '../../main/electron/renderer-files';
import {
  APP_URL,
  CONTENT_SECURITY_POLICY,
  guardWebContents,
  hardenSession,
  secureWindowOptions,
} from '../../main/electron/security';
import { redact, setLogSink } from '../../main/logging';
import { createApi, EVENT_METHODS, METHOD_NAMES } from '../../preload/api';
import { TestPki } from '../helpers/pki';
import { makeService, tempDir } from '../helpers/stores';

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

describe('IPC dispatch', () => {
  const spyHandlers = () => {
    const calls: string[] = [];
    const h = Object.fromEntries(
      CHANNELS.map((c) => [c, async (r: unknown) => (calls.push(c), { echo: r })]),
    ) as unknown as Handlers;
    return { h, calls };
  };

  it('refuses malformed, oversized, unknown and foreign requests before any core call', async () => {
    const { h, calls } = spyHandlers();
    expect(await dispatch(h, 'cert:add', { email: 'a@b.c' }, true)).toMatchObject({
      ok: false,
      error: { code: 'IPC_INVALID', message: expect.stringMatching(/^invalid request cert:add: file: /) },
    });
    expect(await dispatch(h, 'cert:list', { extra: 1 }, true)).toMatchObject({
      ok: false,
      error: { code: 'IPC_INVALID' },
    });
    expect(await dispatch(h, 'cert:list', 'nonsense', true)).toMatchObject({
      ok: false,
      error: { code: 'IPC_INVALID' },
    });
    expect(await dispatch(h, 'composition:create', { name: 'x'.repeat(300_000) }, true)).toMatchObject({
      ok: false,
      error: { code: 'IPC_TOO_LARGE' },
    });
    expect(await dispatch(h, 'shell:exec', {}, true)).toMatchObject({
      ok: false,
      error: { code: 'IPC_INVALID', message: 'unknown request shell:exec' },
    });
    expect(await dispatch(h, 'cert:list', {}, false)).toMatchObject({ ok: false, error: { code: 'IPC_FORBIDDEN' } });
    expect(calls).toEqual([]);
    expect(await dispatch(h, 'cert:list', {}, true)).toEqual({ ok: true, value: { echo: {} } });
    expect(calls).toEqual(['cert:list']);
  });

  it('keeps error codes across IPC and never sends secrets back', async () => {
    const { svc } = makeService();
    const h = createHandlers({ service: svc, dialogs: {} as Dialogs });
    expect(await dispatch(h, 'composition:get', { name: 'nope' }, true)).toEqual({
      ok: false,
      error: { code: 'COMPOSITION_NOT_FOUND', message: 'there is no composition named "nope"' },
    });
    const leaky = { ...h, 'cert:list': async () => [{ email: 'a', password: 'x' }] } as unknown as Handlers;
    setLogSink(() => undefined);
    expect(await dispatch(leaky, 'cert:list', {}, true)).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(() => assertNoSecrets({ a: [{ b: { privateKey: 1 } }] })).toThrow(/privateKey looks like a secret/);
  });

  it('checks the sender: our window, its main frame, our origin', () => {
    const mainFrame = { url: APP_URL };
    const webContents = { mainFrame };
    const win = { webContents, isDestroyed: () => false } as never;
    expect(isTrustedSender({ sender: webContents, senderFrame: mainFrame } as never, win)).toBe(true);
    expect(isTrustedSender({ sender: webContents, senderFrame: { url: APP_URL } } as never, win)).toBe(false); // a sub-frame
    expect(isTrustedSender({ sender: {}, senderFrame: mainFrame } as never, win)).toBe(false); // another window
    expect(
      isTrustedSender(
        { sender: webContents, senderFrame: mainFrame } as never,
        { webContents: { mainFrame: { url: 'https://evil/' } }, isDestroyed: () => false } as never,
      ),
    ).toBe(false);
    const evilFrame = { url: 'https://evil.example/' };
    expect(
      isTrustedSender(
        { sender: { mainFrame: evilFrame }, senderFrame: evilFrame } as never,
        { webContents: { mainFrame: evilFrame }, isDestroyed: () => false } as never,
      ),
    ).toBe(false);
    expect(isTrustedSender({ sender: webContents, senderFrame: mainFrame } as never, null)).toBe(false);
  });
});

describe('the contract is complete', () => {
  it('every channel has a schema, a handler, an ipcMain registration and a preload method', () => {
    const { svc } = makeService();
    const handlers = createHandlers({ service: svc, dialogs: {} as Dialogs });
    expect(Object.keys(handlers).sort()).toEqual([...CHANNELS].sort());
    expect(Object.keys(requestSchemas).sort()).toEqual([...CHANNELS].sort());
    const registered: string[] = [];
    registerIpc({ handle: (c: string) => registered.push(c) } as never, handlers, () => true);
    expect(registered.sort()).toEqual([...CHANNELS].sort());
    const invoked: string[] = [];
    const subscribed: string[] = [];
    const api = createApi(
      async (c) => (invoked.push(c), null),
      (e) => (subscribed.push(e), () => undefined),
    ) as unknown as Record<string, (x?: unknown) => unknown>;
    for (const m of Object.values(METHOD_NAMES)) void api[m]!({});
    for (const m of Object.values(EVENT_METHODS)) api[m]!(() => undefined);
    expect(invoked.sort()).toEqual([...CHANNELS].sort());
    expect(subscribed.sort()).toEqual([...EVENTS].sort());
    expect(Object.keys(api)).not.toContain('send');
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('the preload bundle exposes only window.smime and imports only electron', () => {
    const src = readFileSync(join(__dirname, '..', '..', 'out', 'preload', 'index.js'), 'utf8');
    expect(src.match(/require\("([^"]+)"\)/g)).toEqual(['require("electron")']);
    expect(src).toContain('exposeInMainWorld("smime"');
    expect(src).not.toMatch(/exposeInMainWorld\("(?!smime)/);
  });
});

describe('handlers over the real core', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = new TestPki();
  });
  afterAll(() => pki.cleanup());

  it('adds a certificate from a dropped file token and reflects through the save dialog, with progress', async () => {
    const { svc } = makeService();
    const out = join(tempDir(), 'chosen.json');
    const events: string[] = [];
    const dialogs: Dialogs = {
      openFile: async () => null,
      savePath: async () => out,
      writeFile: async () => undefined,
    };
    const h = createHandlers({
      service: svc,
      dialogs,
      emit: (e, p) => events.push(`${e}:${(p as { step: string }).step}`),
    });
    const p12 = readFileSync(
      pki.p12(pki.leaf({ emails: ['info@example.com'] }), { chain: 'intermediate', password: 'pw' }),
    );
    const picked = (await dispatch(
      h,
      'file:from-drop',
      { kind: 'p12', name: 'info.p12', bytes: new Uint8Array(p12) },
      true,
    )) as { ok: true; value: { file: string } };
    expect(picked.ok).toBe(true);
    const preview = await dispatch(h, 'cert:preview', { file: picked.value.file, password: 'pw' }, true);
    expect(preview).toMatchObject({ ok: true, value: { emails: ['info@example.com'] } });
    expect(
      await dispatch(h, 'cert:add', { email: 'other@example.com', file: picked.value.file, password: 'pw' }, true),
    ).toMatchObject({ ok: false, error: { code: 'EMAIL_NOT_IN_CERTIFICATE' } });
    expect(
      await dispatch(h, 'cert:add', { email: 'info@example.com', file: picked.value.file, password: 'pw' }, true),
    ).toMatchObject({ ok: true, value: { email: 'info@example.com' } });
    expect(
      await dispatch(h, 'cert:add', { email: 'info@example.com', file: '0'.repeat(32), password: 'pw' }, true),
    ).toMatchObject({ ok: false, error: { code: 'FILE_TOKEN_UNKNOWN' } });
    await dispatch(h, 'composition:create', { name: 'T' }, true);
    await dispatch(h, 'composition:set-cert', { name: 'T', email: 'info@example.com', enabled: true }, true);
    const r = await dispatch(h, 'reflect:export', { name: 'T', passphrase: 'a long bundle passphrase' }, true);
    expect(r).toMatchObject({ ok: true, value: { file: out, certificates: 1 } });
    expect(events).toEqual([
      'reflect:progress:reading-keychain',
      'reflect:progress:encrypting',
      'reflect:progress:writing',
      'reflect:progress:done',
    ]);
    const sent = await dispatch(
      h,
      'test:send',
      {
        name: 'T',
        at: new Date().toISOString(),
        source: {
          kind: 'compose',
          from: 'info@example.com',
          to: ['a@example.org', 'b@docomo.ne.jp'],
          cc: [],
          bcc: [],
          bccCopies: [],
          subject: 'こんにちは',
          body: 'テスト本文',
          attachments: [{ name: '請求書.pdf', type: 'application/pdf', bytes: new Uint8Array([1, 2, 3]) }],
        },
      },
      true,
    );
    expect(sent).toMatchObject({
      ok: true,
      value: { decisions: [{ action: 'sign' }, { action: 'unsigned', reason: 'destination-exception' }] },
    });
    const json = JSON.stringify(sent);
    expect(json).not.toContain('"pw"');
    expect(json).not.toMatch(/PRIVATE KEY/);
  });
});

describe('menu and notices', () => {
  it('has the usual roles and the app screens with shortcuts, in both languages', () => {
    const sent: string[] = [];
    const t = menuTemplate('linux', 'ja', (c) => sent.push(c));
    const json = JSON.stringify(t);
    for (const role of ['editMenu', 'windowMenu', 'quit', 'togglefullscreen']) expect(json).toContain(role);
    expect(json).toContain('サーバー構成');
    const view = t.find((m) => m.label === '表示')!;
    (view.submenu as { click?: () => void }[])[0]!.click!();
    expect(sent).toEqual(['go-certificates']);
    expect(JSON.stringify(menuTemplate('darwin', 'en', () => undefined))).toContain('appMenu');
  });

  it('notifies at start and daily for certificates needing attention', () => {
    const certs = [
      { email: 'a@x.jp', status: 'expired', daysLeft: -3 },
      { email: 'b@x.jp', status: 'expiring', daysLeft: 5 },
    ] as never;
    expect(expiryNotice(certs, 'en')).toEqual({
      title: '2 S/MIME certificates need attention',
      body: 'a@x.jp: expired — its mail is rejected with 451\nb@x.jp: expires in 5 days',
    });
    expect(expiryNotice(certs, 'ja')!.title).toBe('S/MIME 証明書 2 件の確認が必要です');
    expect(expiryNotice([], 'en')).toBeNull();
    const shown: string[] = [];
    let tick: (() => void) | undefined;
    let period = 0;
    const stop = scheduleExpiryNotices(
      { certificatesNeedingAttention: () => certs, getSettings: () => ({ warnDays: [30], language: null }) },
      (n) => shown.push(n.title),
      () => 'en',
      {
        setInterval: ((fn: () => void, ms: number) => ((tick = fn), (period = ms), 1)) as never,
        clearInterval: (() => undefined) as never,
      },
    );
    expect(shown).toHaveLength(1);
    expect(period).toBe(DAY_MS);
    tick!();
    expect(shown).toHaveLength(2);
    stop();
  });
});

describe('logs', () => {
  it('redact secrets, PEM blocks and key material', () => {
    // the PEM marker is assembled so key scanners do not take this test for key material
    const pem = `-----BEGIN ${'PRIVATE'} KEY-----\nMIIE\n-----END ${'PRIVATE'} KEY-----`;
    const line = redact(`request {"password":"hunter2","name":"T"} passphrase=correct-horse ${pem} ${'A'.repeat(300)}`);
    expect(line).not.toMatch(/hunter2|correct-horse|MIIE|AAAAAAAAAA/);
    expect(line).toContain('"name":"T"');
  });
});

describe('startApp with Electron injected', () => {
  function fakeElectron(lock = true) {
    const rec = {
      windows: [] as { opts: unknown; url?: string }[],
      handled: [] as string[],
      schemes: [] as unknown[],
      menu: null as unknown,
      protocolHandler: undefined as undefined | ((r: { url: string }) => Promise<Response>),
      quit: 0,
      ready: [] as (() => void)[],
    };
    const app = Object.assign(new EventEmitter(), {
      requestSingleInstanceLock: () => lock,
      quit: () => void rec.quit++,
      setPath: () => undefined,
      getLocale: () => 'ja-JP',
      getVersion: () => '9.9.9',
      whenReady: () => ({ then: (fn: () => void) => void rec.ready.push(fn) }),
    });
    class BrowserWindow extends EventEmitter {
      webContents = { send: () => undefined, mainFrame: { url: APP_URL } };
      constructor(opts: unknown) {
        super();
        rec.windows.push({ opts });
      }
      loadURL(url: string) {
        rec.windows[rec.windows.length - 1]!.url = url;
        return Promise.resolve();
      }
      isDestroyed() {
        return false;
      }
    }
    class Notification {
      static isSupported() {
        return false;
      }
    }
    const electron = {
      app,
      BrowserWindow,
      Notification,
      dialog: {},
      net: {},
      ipcMain: { handle: (c: string) => rec.handled.push(c) },
      Menu: { buildFromTemplate: (t: unknown) => t, setApplicationMenu: (m: unknown) => (rec.menu = m) },
      protocol: {
        registerSchemesAsPrivileged: (s: unknown) => rec.schemes.push(s),
        handle: (_s: string, h: never) => (rec.protocolHandler = h),
      },
      session: {
        defaultSession: {
          setPermissionRequestHandler: () => undefined,
          setPermissionCheckHandler: () => undefined,
          webRequest: { onHeadersReceived: () => undefined },
        },
      },
    } as unknown as ElectronApi;
    return { electron, rec };
  }

  it('creates one hardened window on our page, with every channel registered', async () => {
    const { electron, rec } = fakeElectron();
    setLogSink(() => undefined);
    const outDir = join(__dirname, '..', '..', 'out');
    startApp(electron, { outDir, dataDir: tempDir() });
    expect(rec.schemes).toHaveLength(1);
    rec.ready.forEach((f) => f());
    expect(rec.windows).toHaveLength(1);
    expect(rec.windows[0]!.url).toBe(APP_URL);
    expect((rec.windows[0]!.opts as { webPreferences: object }).webPreferences).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      preload: join(outDir, 'preload', 'index.js'),
    });
    expect(rec.handled.sort()).toEqual([...CHANNELS].sort());
    expect(JSON.stringify(rec.menu)).toContain('証明書');
    const res = await rec.protocolHandler!({ url: 'app://smime-admin/../../../../etc/passwd' });
    expect(res.status).toBe(404);
  });

  it('quits when another instance is running', () => {
    const { electron, rec } = fakeElectron(false);
    startApp(electron, { outDir: '/x', dataDir: tempDir() });
    expect(rec.quit).toBe(1);
    expect(rec.ready).toHaveLength(0);
  });
});
