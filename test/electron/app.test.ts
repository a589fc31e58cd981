import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../main/contract/channels';
import { startApp, type ElectronApi } from '../../main/electron/app';
import { local } from '../../main/core/domain/remote';
import { APP_URL } from '../../main/electron/security';
import { setLogSink } from '../../main/logging';
import { makeService, tempDir } from '../helpers/stores';
setLogSink(() => undefined);

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
    const dataDir = tempDir();
    startApp(electron, { outDir, dataDir, service: local(makeService(dataDir).svc) });
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
