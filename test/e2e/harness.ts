/**
 * The real renderer (production build) in Debian's Chromium, with window.smime bridged to the
 * real IPC dispatch, handlers and admin core in this process: real keychain, real settings file.
 * Only the native dialogs are stood in for, since a browser cannot show them.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ConfStateStore } from '../../main/adapters/conf-state-store';
import { KeytarSecretStore } from '../../main/adapters/keytar-secret-store';
import { AdminService } from '../../main/core/domain/service';
import { local } from '../../main/core/domain/remote';
import { ownWrites, watchDataFolder, type DataFolderWatch } from '../../main/electron/watch';
import { writeFileAtomic } from '../../main/core/files';
import { resolveRendererFile } from '../../main/electron/renderer-files';
import type { FileKind } from '../../main/contract/channels';
import { createHandlers } from '../../main/ipc/handlers';
import { bridgeCall, bridgeClientScript } from '../../scripts/browser-bridge/server';
import { afterAll, beforeAll } from 'vitest';
import { TestPki, type LeafOptions } from '../helpers/pki';
import { tempDir } from '../helpers/stores';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'screenshots');
const RENDERER = join(__dirname, '..', '..', 'out', 'renderer');

export async function serveRenderer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const f = resolveRendererFile(RENDERER, `app://smime-admin${new URL(req.url ?? '/', 'http://x').pathname}`);
    if (!f || !existsSync(f.path)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': f.type }).end(readFileSync(f.path));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${addr.port}/index.html` };
}

/** What every e2e file shares: one Chromium, the served renderer and a test PKI, for all its tests. */
export interface ChromiumSuite {
  readonly browser: Browser;
  readonly url: string;
  readonly pki: TestPki;
  /** a PKCS#12 of a new leaf (from the intermediate, which it carries), password 'p12-pass' */
  p12(leaf: LeafOptions): Buffer;
}

/** Starts the suite's Chromium, renderer and PKI before the file's tests and stops them after. */
export function chromiumSuite(): ChromiumSuite {
  let browser: Browser | undefined;
  let url: string | undefined;
  let server: Server | undefined;
  let pki: TestPki | undefined;
  beforeAll(async () => {
    pki = new TestPki();
    const s = await serveRenderer();
    server = s.server;
    url = s.url;
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    server?.close();
    pki?.cleanup();
  });
  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('the Chromium suite is used before its beforeAll ran');
    return v;
  };
  return {
    get browser() {
      return ready(browser);
    },
    get url() {
      return ready(url);
    },
    get pki() {
      return ready(pki);
    },
    p12(leaf) {
      const p = ready(pki);
      return readFileSync(p.p12(p.leaf(leaf), { chain: 'intermediate', password: 'p12-pass' }));
    },
  };
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}

export interface Session {
  page: Page;
  service: AdminService;
  dataDir: string;
  /** what the next native open dialog returns */
  nextOpen: Map<FileKind, { name: string; bytes: Buffer }>;
  /** where save dialogs write */
  saveDir: string;
  saved: string[];
  close(): Promise<void>;
}

let clientScript: string | undefined;

export async function openApp(
  browser: Browser,
  url: string,
  opts: {
    locale?: string;
    dataDir?: string;
    colorScheme?: 'light' | 'dark';
    /** false: as npm run start:browser, main shows no open dialog and the page picks files itself */
    nativeDialogs?: boolean;
    viewport?: { width: number; height: number };
  } = {},
): Promise<Session> {
  const dataDir = opts.dataDir ?? tempDir('smime-e2e-');
  const saveDir = tempDir('smime-saves-');
  // as the app does: the folder watch (below) hears the domain's lock holds
  let folder: DataFolderWatch | undefined = undefined;
  const service = new AdminService({
    store: new ConfStateStore(dataDir),
    secrets: new KeytarSecretStore('smime-admin-e2e'),
    dataDir,
    onFolderLock: (event) => folder?.locked(event),
  });
  const nextOpen = new Map<FileKind, { name: string; bytes: Buffer }>();
  const saved: string[] = [];
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1280, height: 800 },
    locale: opts.locale ?? 'en-US',
    colorScheme: opts.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  const emit = (event: string, payload: unknown): void =>
    void page
      .evaluate(
        ([e, p]) =>
          (window as unknown as { __smimeEmit?: (e: string, p: unknown) => void }).__smimeEmit?.(e as string, p),
        [event, payload] as const,
      )
      .catch(() => undefined);
  // as the app does: a change the CLI makes in the data folder reaches the window
  folder = watchDataFolder(dataDir, (by) => emit('state:changed', { at: new Date().toISOString(), by }), {
    lockReports: true,
  });
  const plain = createHandlers({
    service: local(service),
    dialogs: {
      openFile: async (kind) => {
        if (opts.nativeDialogs === false) return null;
        const f = nextOpen.get(kind) ?? null;
        nextOpen.delete(kind);
        return f;
      },
      savePath: async (_kind, name) => join(saveDir, name),
      chooseFolder: async () => saveDir,
      writeFile: async (path, data) => {
        writeFileAtomic(path, data);
        saved.push(path);
      },
    },
    emit,
    version: 'e2e',
    nativeDialogs: opts.nativeDialogs ?? true,
    systemLanguage: () => ((opts.locale ?? 'en').startsWith('ja') ? 'ja' : 'en'),
  });
  // as the app does: the window's own changes are announced as its own
  const handlers = ownWrites(plain, folder);
  await page.exposeFunction('__smimeBridge', (channel: string, body: string) => bridgeCall(handlers, channel, body));
  clientScript ??= await bridgeClientScript();
  await page.addInitScript({ content: clientScript });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => void d.accept());
  await page.goto(url);
  return {
    page,
    service,
    dataDir,
    nextOpen,
    saveDir,
    saved,
    close: async () => {
      folder.stop();
      await context.close();
      if (errors.length > 0) throw new Error(`page errors: ${errors.join('; ')}`);
    },
  };
}

export async function screenshot(page: Page, lang: 'en' | 'ja', name: string): Promise<void> {
  const dir = join(ARTIFACTS, lang);
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: false });
}
