/**
 * npm run start:browser — the renderer in a normal browser, backed by the real core in this
 * process (real keychain, real settings). Listens on 127.0.0.1 only; every request needs the
 * per-run token printed below. For development and demos; the app itself is Electron.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { ConfStateStore } from '../main/adapters/conf-state-store';
import { KeytarSecretStore } from '../main/adapters/keytar-secret-store';
import { AdminService, SECRET_SERVICE } from '../main/core/domain/service';
import { defaultDataDir } from '../main/core/data-dir';
import { writeFileAtomic } from '../main/core/files';
import { resolveRendererFile } from '../main/electron/renderer-files';
import { createHandlers } from '../main/ipc/handlers';
import { bridgeCall } from './browser-bridge/server';

async function main(): Promise<void> {
  const root = join(__dirname, 'renderer');
  const dataDir = defaultDataDir();
  const exports = join(dataDir, 'exports');
  const token = randomBytes(24).toString('hex');
  const service = new AdminService({ store: new ConfStateStore(dataDir), secrets: new KeytarSecretStore(SECRET_SERVICE), dataDir });
  const handlers = createHandlers({
    service,
    // a browser cannot show native dialogs for main: files come in by drag and drop, saves go to the exports folder
    dialogs: {
      openFile: async () => null,
      savePath: async (_kind, name) => {
        mkdirSync(exports, { recursive: true });
        return join(exports, name);
      },
      writeFile: async (path, data) => writeFileAtomic(path, data),
    },
    version: 'browser',
    systemLanguage: () => ((process.env.LANG ?? '').startsWith('ja') ? 'ja' : 'en'),
  });
  const client = readFileSync(join(__dirname, 'bridge-client.js'), 'utf8');
  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname.startsWith('/__ipc/')) {
      if (req.headers['x-smime-token'] !== token) {
        res.writeHead(403).end();
        return;
      }
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      res.writeHead(200, { 'content-type': 'application/json' }).end(await bridgeCall(handlers, decodeURIComponent(url.pathname.slice(7)), Buffer.concat(chunks).toString('utf8')));
      return;
    }
    if (url.pathname === '/__bridge.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(`window.__smimeToken=${JSON.stringify(token)};\n${client}`);
      return;
    }
    const f = resolveRendererFile(root, `app://smime-admin${url.pathname}`);
    if (!f) {
      res.writeHead(404).end();
      return;
    }
    let body: Buffer;
    try {
      body = readFileSync(f.path);
    } catch {
      res.writeHead(404).end();
      return;
    }
    if (f.path.endsWith('index.html')) {
      body = Buffer.from(body.toString('utf8').replace("connect-src 'none'", "connect-src 'self'").replace(/script-src [^;]+/, "script-src 'self'").replace('<head>', '<head><script src="/__bridge.js"></script>'));
    }
    res.writeHead(200, { 'content-type': f.type }).end(body);
  }
  server.listen(Number(process.env.PORT ?? 5180), '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    process.stdout.write(`smime-admin in the browser: http://127.0.0.1:${port}/  (data folder ${dataDir}; files to open: drag them onto the window; saved files: ${exports})\n`);
  });
}

void main();
