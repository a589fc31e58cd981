/**
 * The Electron shell: a thin layer over the admin core. Everything Electron provides is
 * passed in, so the wiring is unit-tested with Electron's APIs injected.
 */
import type * as Electron from 'electron';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServiceApi } from '../core/domain/remote';
import { defaultDataDir, keychainService } from '../core/data-dir';
import { writeFileAtomic } from '../core/files';
import type { EventName, EventTypes, FileKind } from '../contract/channels';
import { registerIpc } from '../ipc/dispatch';
import { createHandlers, type Dialogs } from '../ipc/handlers';
import { log, setLogDirectory } from '../logging';
import { menuTemplate } from './menu';
import { scheduleExpiryNotices } from './notices';
import { resolveRendererFile } from './renderer-files';
import { APP_SCHEME, APP_URL, guardWebContents, hardenSession, isTrustedUrl, secureWindowOptions } from './security';
import { ownWrites, watchDataFolder, type DataFolderWatch } from './watch';
import { startServiceWorker } from './worker-service';
import { restoreBounds, trackBounds, type BoundsStore } from './window-state';

export type ElectronApi = Pick<
  typeof Electron,
  'app' | 'BrowserWindow' | 'dialog' | 'ipcMain' | 'Menu' | 'Notification' | 'protocol' | 'session' | 'net'
>;

export interface AppOptions {
  /** folder with preload/ and renderer/ builds */
  outDir: string;
  dataDir?: string;
  /** the admin service; by default the domain in a worker thread (service-worker.js beside main) */
  service?: ServiceApi;
  /** where the window's size and position are remembered (electron-store in the app) */
  windowState?: BoundsStore;
  version?: string;
}

const FILTERS: Record<FileKind, Electron.FileFilter[]> = {
  p12: [{ name: 'PKCS#12 (.p12, .pfx)', extensions: ['p12', 'pfx'] }],
  eml: [{ name: 'Mail message (.eml)', extensions: ['eml'] }],
  bundle: [{ name: 'smime-admin bundle', extensions: ['json'] }],
};

export function electronDialogs(electron: ElectronApi, window: () => Electron.BrowserWindow | null): Dialogs {
  return {
    async openFile(kind) {
      const win = window();
      const opts: Electron.OpenDialogOptions = {
        properties: ['openFile'],
        filters: [...FILTERS[kind], { name: 'All files', extensions: ['*'] }],
      };
      const r = win ? await electron.dialog.showOpenDialog(win, opts) : await electron.dialog.showOpenDialog(opts);
      const path = r.filePaths[0];
      if (r.canceled || !path) return null;
      return { name: path.split(/[\\/]/).pop() ?? path, bytes: await readFile(path) };
    },
    async savePath(kind, suggestedName) {
      const win = window();
      const opts: Electron.SaveDialogOptions = { defaultPath: suggestedName, filters: FILTERS[kind] };
      const r = win ? await electron.dialog.showSaveDialog(win, opts) : await electron.dialog.showSaveDialog(opts);
      return r.canceled || !r.filePath ? null : r.filePath;
    },
    async chooseFolder(purpose) {
      const win = window();
      const opts: Electron.OpenDialogOptions = {
        properties: ['openDirectory', 'createDirectory'],
        title: purpose === 'publish' ? 'Publish folder (watched by the relays)' : 'Folder for the bundles',
      };
      const r = win ? await electron.dialog.showOpenDialog(win, opts) : await electron.dialog.showOpenDialog(opts);
      return r.canceled || !r.filePaths[0] ? null : r.filePaths[0];
    },
    async writeFile(path, data) {
      writeFileAtomic(path, data);
    },
  };
}

/** Trusted sender: our window's main frame showing our own page. */
export function isTrustedSender(
  event: Pick<Electron.IpcMainInvokeEvent, 'sender' | 'senderFrame'>,
  window: Electron.BrowserWindow | null,
): boolean {
  if (!window || window.isDestroyed()) return false;
  const frame = event.senderFrame;
  return (
    event.sender === window.webContents &&
    frame !== null &&
    frame === window.webContents.mainFrame &&
    isTrustedUrl(frame.url)
  );
}

/** Must run before the app is ready. */
export function registerScheme(electron: Pick<ElectronApi, 'protocol'>): void {
  electron.protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false, stream: false },
    },
  ]);
}

export function startApp(electron: ElectronApi, opts: AppOptions): void {
  const { app } = electron;
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  registerScheme(electron);
  let win: Electron.BrowserWindow | null = null;
  const dataDir = opts.dataDir ?? defaultDataDir();
  // Chromium's own caches stay out of our data folder
  app.setPath('sessionData', join(dataDir, 'chromium'));
  setLogDirectory(dataDir);
  // the domain runs in a worker thread (see worker-service.ts); tests inject an in-process one
  // the folder watch (below, once the app is ready) hears the worker's lock holds
  let folder: DataFolderWatch | undefined;
  const service =
    opts.service ??
    startServiceWorker(join(__dirname, 'service-worker.js'), { dataDir, keychainService: keychainService() }, (e, s) =>
      folder?.locked(e, s),
    );
  const systemLanguage = (): 'en' | 'ja' => (app.getLocale().toLowerCase().startsWith('ja') ? 'ja' : 'en');
  let preferred: 'en' | 'ja' | null = null;
  const language = (): 'en' | 'ja' => preferred ?? systemLanguage();
  const refreshLanguage = (): void => {
    service.getSettings().then(
      (s) => (preferred = s.language),
      () => undefined,
    );
  };
  refreshLanguage();
  const emit = <E extends EventName>(event: E, payload: EventTypes[E]) => {
    if (win && !win.isDestroyed()) win.webContents.send(event, payload);
  };
  // the data folder is watched once the app is ready; the window's own changes are announced as its own
  const handlers = ownWrites(
    createHandlers({
      service,
      dialogs: electronDialogs(electron, () => win),
      emit,
      version: opts.version ?? app.getVersion(),
      platform: process.platform,
      systemLanguage,
    }),
    { own: (request) => (folder ? folder.own(request) : request()) },
  );

  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  app.on('web-contents-created', (_e, contents) =>
    guardWebContents(contents, { onBlocked: (what, url) => log('warn', `blocked ${what} ${url}`) }),
  );
  app.on('window-all-closed', () => app.quit());

  void app.whenReady().then(() => {
    hardenSession(electron.session.defaultSession);
    const root = join(opts.outDir, 'renderer');
    electron.protocol.handle(APP_SCHEME, async (request) => {
      const f = resolveRendererFile(root, request.url);
      if (!f) return new Response('not found', { status: 404 });
      try {
        return new Response(await readFile(f.path), { headers: { 'content-type': f.type } });
      } catch {
        return new Response('not found', { status: 404 });
      }
    });
    registerIpc(electron.ipcMain, handlers, (event) => isTrustedSender(event, win));
    const setMenu = () =>
      electron.Menu.setApplicationMenu(
        electron.Menu.buildFromTemplate(
          menuTemplate(process.platform, language(), (command) => emit('menu:command', { command })),
        ),
      );
    setMenu();
    win = new electron.BrowserWindow(
      secureWindowOptions(join(opts.outDir, 'preload', 'index.js'), restoreBounds(opts.windowState)),
    );
    trackBounds(win, opts.windowState);
    win.once('ready-to-show', () => win?.show());
    win.on('closed', () => {
      win = null;
    });
    void win.loadURL(APP_URL);
    scheduleExpiryNotices(
      service,
      (n, certs) => {
        if (electron.Notification.isSupported()) new electron.Notification({ title: n.title, body: n.body }).show();
        emit('certificates:attention', certs);
      },
      language,
    );
    // the worker forwards its lock holds (above); a domain injected by a test reports none
    folder = watchDataFolder(dataDir, (by) => emit('state:changed', { at: new Date().toISOString(), by }), {
      lockReports: !opts.service,
    });
    log('info', `started; data folder ${dataDir}`);
  });
}
