/**
 * npm run start:browser — the renderer in a normal browser, backed by the real core in this
 * process (real keychain, real settings). Listens on 127.0.0.1 only and answers only our own
 * page on that origin (see browser-bridge/request-guard); every IPC call needs the per-run token,
 * which reaches the page inside its HTML. For development and demos; the app itself is Electron.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { ConfStateStore } from '../main/adapters/conf-state-store';
import { KeytarSecretStore } from '../main/adapters/keytar-secret-store';
import { AdminService } from '../main/core/domain/service';
import { defaultDataDir, keychainService } from '../main/core/data-dir';
import { writeFileAtomic } from '../main/core/files';
import { resolveRendererFile } from '../main/electron/renderer-files';
import { createHandlers } from '../main/ipc/handlers';
import { local } from '../main/core/domain/remote';
import type { EventName, EventTypes } from '../main/contract/channels';
import { ownWrites, watchDataFolder, type DataFolderWatch } from '../main/electron/watch';
import { CLIENT_PATH, EVENTS_PATH, IPC_PREFIX } from './browser-bridge/protocol';
import { isPagePath, refuseRequest } from './browser-bridge/request-guard';
import { bridgeCall, bridgedIndexHtml } from './browser-bridge/server';

/** On every response: no sniffing, no referrer, nothing cached, no cross-origin embedding; never CORS headers. */
const BASE_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  'cross-origin-resource-policy': 'same-origin',
};
/** The page also refuses framing (frame-ancestors is ignored in a meta CSP) and keeps its window to itself. */
const PAGE_HEADERS = {
  'content-security-policy': "frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};
/** The largest request the contract allows (128 MiB of .eml) as base64 JSON, with room to spare. */
const MAX_BODY_BYTES = 192 * 1024 * 1024;
/** Open event streams (a tab each); one more closes the oldest. Below a browser's 6 connections per host. */
const MAX_EVENT_STREAMS = 4;

async function main(): Promise<void> {
  const requested = Number(process.env.PORT || 5180);
  if (!Number.isInteger(requested) || requested < 0 || requested > 65535) {
    throw new Error(`PORT must be a port number (0 picks a free one), not ${JSON.stringify(process.env.PORT)}`);
  }
  const root = join(__dirname, 'renderer');
  const dataDir = defaultDataDir();
  const exports = join(dataDir, 'exports');
  const token = randomBytes(24).toString('hex');
  // the folder watch (below) hears the domain's lock holds, to tell the page's own changes from the CLI's
  let folder: DataFolderWatch | undefined = undefined;
  const service = new AdminService({
    store: new ConfStateStore(dataDir),
    secrets: new KeytarSecretStore(keychainService()),
    dataDir,
    onFolderLock: (event) => folder?.locked(event),
  });
  // as the Electron main process does: events reach the page (here over a streamed answer), the
  // data folder is watched, and the window's own changes are announced as its own
  const streams = new Set<ServerResponse>();
  const emit = <E extends EventName>(event: E, payload: EventTypes[E]): void => {
    const line = `${JSON.stringify({ event, payload })}\n`;
    for (const r of streams) if (!r.writableEnded) r.write(line);
  };
  // with more than one tab open, a change one tab made is news to the others: all read everything again
  folder = watchDataFolder(
    dataDir,
    (by) => emit('state:changed', { at: new Date().toISOString(), by: streams.size > 1 ? 'elsewhere' : by }),
    { lockReports: true },
  );
  const plain = createHandlers({
    service: local(service),
    emit,
    // a browser cannot show native dialogs for main: files come in by drag and drop, saves go to the exports folder
    dialogs: {
      openFile: async () => null,
      // no native folder dialog in a browser: bundles go to the exports folder
      chooseFolder: async () => {
        mkdirSync(exports, { recursive: true });
        return exports;
      },
      savePath: async (_kind, name) => {
        mkdirSync(exports, { recursive: true });
        return join(exports, name);
      },
      writeFile: async (path, data) => writeFileAtomic(path, data),
    },
    version: 'browser',
    // "Choose file…" opens the browser's own file chooser; the bytes come in as a drop does
    nativeDialogs: false,
    systemLanguage: () => ((process.env.LANG ?? '').startsWith('ja') ? 'ja' : 'en'),
  });
  const handlers = ownWrites(plain, folder);
  const client = readFileSync(join(__dirname, 'bridge-client.js'), 'utf8');
  const clientHash = createHash('sha384').update(client).digest('base64');
  const indexHtml = () => bridgedIndexHtml(readFileSync(join(root, 'index.html'), 'utf8'), { token, clientHash });
  // fail at start, not on the first page load, if the built page no longer has what we patch
  indexHtml();
  let port = 0;
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500, BASE_HEADERS);
      res.end();
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const refusal = refuseRequest(req, { port, token });
    if (refusal) {
      // the body is drained, not read: a refused request never reaches the core
      req.resume();
      res
        .writeHead(refusal.status, { ...BASE_HEADERS, 'content-type': 'text/plain; charset=utf-8' })
        .end(`${refusal.code}\n`);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === EVENTS_PATH) {
      req.resume();
      res.writeHead(200, { ...BASE_HEADERS, 'content-type': 'application/x-ndjson; charset=utf-8' });
      res.write('\n'); // the page knows the stream is open
      if (streams.size >= MAX_EVENT_STREAMS) {
        const oldest = streams.values().next().value;
        if (oldest) {
          streams.delete(oldest);
          oldest.end();
        }
      }
      streams.add(res);
      res.on('close', () => streams.delete(res));
      return;
    }
    if (url.pathname.startsWith(IPC_PREFIX)) {
      if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
        req.resume();
        res.writeHead(413, { ...BASE_HEADERS, connection: 'close' }).end();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of req) {
        size += (c as Buffer).length;
        // a chunked body has no length up front: stop reading, the connection goes with it
        if (size > MAX_BODY_BYTES) return void res.writeHead(413, { ...BASE_HEADERS, connection: 'close' }).end();
        chunks.push(c as Buffer);
      }
      let channel: string;
      try {
        channel = decodeURIComponent(url.pathname.slice(IPC_PREFIX.length));
      } catch {
        channel = '';
      }
      const answer = await bridgeCall(handlers, channel, Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { ...BASE_HEADERS, 'content-type': 'application/json; charset=utf-8' }).end(answer);
      return;
    }
    if (url.pathname === CLIENT_PATH) {
      res.writeHead(200, { ...BASE_HEADERS, 'content-type': 'text/javascript; charset=utf-8' }).end(client);
      return;
    }
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204, BASE_HEADERS).end();
      return;
    }
    if (isPagePath(url.pathname)) {
      res
        .writeHead(200, { ...BASE_HEADERS, ...PAGE_HEADERS, 'content-type': 'text/html; charset=utf-8' })
        .end(indexHtml());
      return;
    }
    const f = resolveRendererFile(root, `app://smime-admin${url.pathname}`);
    let body: Buffer | undefined;
    try {
      body = f ? readFileSync(f.path) : undefined;
    } catch {
      body = undefined;
    }
    if (!f || !body) {
      res.writeHead(404, BASE_HEADERS).end();
      return;
    }
    res.writeHead(200, { ...BASE_HEADERS, 'content-type': f.type }).end(body);
  }
  server.on('error', (e) => {
    process.stderr.write(`start:browser: cannot listen on 127.0.0.1:${requested}: ${e.message}\n`);
    process.exit(1);
  });
  server.listen(requested, '127.0.0.1', () => {
    port = (server.address() as { port: number }).port;
    process.stdout.write(
      `smime-admin in the browser: http://127.0.0.1:${port}/  (data folder ${dataDir}; files to open: Choose file… or drag them onto the window; saved files: ${exports})\n`,
    );
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`start:browser: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
