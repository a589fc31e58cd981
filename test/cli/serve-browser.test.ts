import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli';
import { tempDir } from '../helpers/stores';

const CHROMIUM = '/usr/bin/chromium';
/** attacker.example resolves to loopback in this browser, as a rebinding DNS server would make it. */
const CHROMIUM_ARGS = [
  '--host-resolver-rules=MAP attacker.example 127.0.0.1',
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const TOKEN_META = /<meta name="smime-bridge-token" content="([0-9a-f]+)" \/>/;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

let child: ChildProcess;
let dataDir: string;
let port: number;
let base: string;
/** The origin the page is served from, and the Host its requests carry. */
let self: string;
let token: string;

/** One raw HTTP request, headers exactly as given (no browser adds or forbids any). */
function raw(
  path: string,
  opts: { method?: string; headers?: OutgoingHttpHeaders; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    // undefined drops a header, so one helper can say "the page's headers without Origin"
    const headers = Object.fromEntries(
      Object.entries({ host: self, ...opts.headers }).filter(([, v]) => v !== undefined),
    );
    const req = request(
      { host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Bytes on a socket, for what node:http will not send (no Host at all, two Host headers). */
function rawSocket(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let out = '';
    socket.on('data', (d) => (out += d.toString('latin1')));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

/** What Chromium sends for a same-origin fetch from the page, plus the token. */
function pageHeaders(extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  return {
    origin: `http://${self}`,
    'sec-fetch-site': 'same-origin',
    'sec-fetch-mode': 'cors',
    'content-type': 'application/json',
    'x-smime-token': token,
    ...extra,
  };
}

const post = (channel: string, headers: OutgoingHttpHeaders, body: unknown = {}) =>
  raw(`/__ipc/${channel}`, { method: 'POST', headers, body: JSON.stringify(body) });

function expectHardened(r: Reply): void {
  expect(r.headers['x-content-type-options']).toBe('nosniff');
  expect(r.headers['referrer-policy']).toBe('no-referrer');
  expect(r.headers['cache-control']).toBe('no-store');
  expect(Object.keys(r.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
}

beforeAll(async () => {
  dataDir = tempDir();
  child = spawn(process.execPath, [join(__dirname, '..', '..', 'out', 'serve-browser.js')], {
    env: { ...process.env, SMIME_ADMIN_HOME: dataDir, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  base = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) resolve(m[0]);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}`)));
    setTimeout(() => reject(new Error('no start')), 15_000);
  });
  port = Number(new URL(base).port);
  self = `127.0.0.1:${port}`;
  const page = await raw('/', {
    headers: { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
  });
  token = TOKEN_META.exec(page.body)![1]!;
});

afterAll(() => {
  child?.kill();
});

describe('npm run start:browser', () => {
  it('hands the token over only in the same-origin HTML; the bridge script carries no secret', async () => {
    const page = await raw('/', {
      headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
    });
    expect(page.status).toBe(200);
    expectHardened(page);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(TOKEN_META.exec(page.body)![1]).toBe(token);
    expect(token).toMatch(/^[0-9a-f]{48}$/);
    expect(page.body).toContain("connect-src 'self'");

    const bridge = await raw('/__bridge.js', {
      headers: { 'sec-fetch-site': 'same-origin', 'sec-fetch-dest': 'script' },
    });
    expect(bridge.status).toBe(200);
    expectHardened(bridge);
    expect(bridge.body).not.toContain(token);
    expect(bridge.body).not.toContain('__smimeToken');
    // the bridge script is pinned like the app's own: in script-src and by integrity, after the CSP meta
    const pin = `sha384-${createHash('sha384').update(bridge.body).digest('base64')}`;
    expect(page.body).toContain(`<script src="/__bridge.js" integrity="${pin}"></script>`);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(page.body)![1]!;
    const scriptSrc = /script-src ([^;]+)/.exec(csp)![1]!.split(' ');
    expect(scriptSrc).toContain(`'${pin}'`);
    expect(scriptSrc).not.toContain("'self'");
    expect(scriptSrc.length).toBeGreaterThan(1);
    expect(page.body.indexOf('Content-Security-Policy')).toBeLessThan(page.body.indexOf('/__bridge.js'));

    expect((await raw('/index.html')).body).toContain(token);
    expect((await raw('/favicon.ico')).status).toBe(204);
    expect((await raw('/..%2f..%2fpackage.json')).status).toBe(404);
  });

  it('answers a same-origin POST with the token, from either loopback name', async () => {
    const r = await post('composition:create', pageHeaders(), { name: 'Browser' });
    expect(r.status).toBe(200);
    expectHardened(r);
    expect(JSON.parse(r.body)).toMatchObject({ ok: true, value: { name: 'Browser' } });
    expect(JSON.parse((await post('composition:create', pageHeaders(), { name: 5 })).body)).toMatchObject({
      ok: false,
      error: { code: 'IPC_INVALID' },
    });
    const viaLocalhost = await post(
      'app:bootstrap',
      pageHeaders({ host: `localhost:${port}`, origin: `http://localhost:${port}` }),
    );
    expect(viaLocalhost.status).toBe(200);
    expect(JSON.parse(viaLocalhost.body)).toMatchObject({ ok: true });
    // curl and old browsers send no Sec-Fetch-Site: Host, Origin and the token still decide
    expect((await post('app:bootstrap', pageHeaders({ 'sec-fetch-site': undefined }))).status).toBe(200);
  });

  it('refuses a foreign Host (DNS rebinding) with 421 on every path, before anything else', async () => {
    const attacker = `attacker.example:${port}`;
    for (const path of ['/', '/index.html', '/__bridge.js', '/favicon.ico', '/nope']) {
      const r = await raw(path, { headers: { host: attacker } });
      expect(r.status, path).toBe(421);
      expect(r.body).not.toContain(token);
      expectHardened(r);
    }
    // the whole rebinding attack, with a token it should not have: the Host alone stops it
    const rebound = await post('app:bootstrap', pageHeaders({ host: attacker, origin: `http://${attacker}` }));
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain('"ok"');
    for (const host of [
      '127.0.0.1',
      `127.0.0.1:${port + 1}`,
      `localhost.attacker.example:${port}`,
      `127.0.0.1.nip.io:${port}`,
      `[::1]:${port}`,
      `0.0.0.0:${port}`,
    ]) {
      expect((await raw('/', { headers: { host } })).status, host).toBe(421);
    }
    expect(await rawSocket('GET / HTTP/1.0\r\n\r\n')).toMatch(/^HTTP\/1\.1 421 /);
    expect(
      await rawSocket(`GET / HTTP/1.1\r\nHost: ${self}\r\nHost: ${attacker}\r\nConnection: close\r\n\r\n`),
    ).toMatch(/^HTTP\/1\.1 (400|421) /);
    // an absolute target could name another host than the Host header
    expect(
      await rawSocket(`GET http://attacker.example/ HTTP/1.1\r\nHost: ${self}\r\nConnection: close\r\n\r\n`),
    ).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('refuses a POST whose Origin is foreign, null, the other loopback name or missing', async () => {
    for (const origin of [
      `http://attacker.example:${port}`,
      'null',
      `http://localhost:${port}`,
      `https://${self}`,
      `http://${self}/`,
      `http://127.0.0.1:${port + 1}`,
    ]) {
      const r = await post('app:bootstrap', pageHeaders({ origin }));
      expect(r.status, origin).toBe(403);
      expect(r.body).toBe('BRIDGE_ORIGIN\n');
    }
    const none = await post('app:bootstrap', pageHeaders({ origin: undefined }));
    expect(none.status).toBe(403);
    expect(none.body).toBe('BRIDGE_ORIGIN\n');
    // a GET carrying a foreign Origin is refused too
    expect((await raw('/__bridge.js', { headers: { origin: 'http://attacker.example' } })).status).toBe(403);
  });

  it('refuses Sec-Fetch-Site other than same-origin, and none except for navigating to the page', async () => {
    for (const site of ['cross-site', 'same-site', 'none']) {
      const r = await post('app:bootstrap', pageHeaders({ 'sec-fetch-site': site }));
      expect(r.status, site).toBe(403);
      expect(r.body).toBe('BRIDGE_FETCH_SITE\n');
    }
    // a cross-site page including the script, framing the page or linking to it
    expect(
      (
        await raw('/__bridge.js', {
          headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'script', 'sec-fetch-mode': 'no-cors' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await raw('/', {
          headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'iframe', 'sec-fetch-mode': 'navigate' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await raw('/', {
          headers: { 'sec-fetch-site': 'cross-site', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await raw('/', {
          headers: { 'sec-fetch-site': 'same-site', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate' },
        })
      ).status,
    ).toBe(403);
    // none (a typed URL) reaches the page only as a top-level navigation
    expect((await raw('/__bridge.js', { headers: { 'sec-fetch-site': 'none' } })).status).toBe(403);
    expect(
      (
        await raw('/', {
          headers: { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await raw('/', {
          headers: { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'script' },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await raw('/index.html', {
          headers: { 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' },
        })
      ).status,
    ).toBe(200);
  });

  it('refuses an IPC call without the right token, and any method but POST there', async () => {
    for (const t of [undefined, '', token.slice(1), `${token}0`, token.toUpperCase(), 'x'.repeat(48)]) {
      const r = await post('app:bootstrap', pageHeaders({ 'x-smime-token': t }));
      expect(r.status, String(t)).toBe(403);
      expect(r.body).toBe('BRIDGE_TOKEN\n');
    }
    expect((await raw('/__ipc/app:bootstrap', { headers: pageHeaders() })).status).toBe(405);
    const preflight = await raw('/__ipc/app:bootstrap', {
      method: 'OPTIONS',
      headers: {
        origin: 'http://attacker.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-smime-token',
      },
    });
    expect(preflight.status).toBe(405);
    expectHardened(preflight);
    expect((await raw('/', { method: 'POST', headers: pageHeaders() })).status).toBe(405);
  });

  it('works in Chromium: the page loads, bootstraps and writes over the bridge; a rebound or cross-site page gets nothing', async () => {
    // another site that tries to include the bridge script
    const attacker = createServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html' })
        .end(
          `<script>window.result = 'pending'</script><script src="${base}__bridge.js" onload="window.result = 'loaded'" onerror="window.result = 'refused'"></script>`,
        );
    });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    try {
      const context = await browser.newContext({ locale: 'en-US' });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on(
        'console',
        (m) => void (m.type() === 'error' || m.type() === 'warning' ? problems.push(m.text()) : undefined),
      );
      page.on('pageerror', (e) => problems.push(e.message));
      page.on('response', (r) => void (r.status() >= 400 ? problems.push(`${r.status()} ${r.url()}`) : undefined));
      await page.goto(base);
      await page.getByRole('heading', { name: 'Welcome to smime-admin' }).waitFor({ timeout: 15_000 });
      await page.getByLabel('Admin password', { exact: true }).fill('correct horse battery');
      await page.getByLabel('Repeat the admin password').fill('correct horse battery');
      await page.getByRole('button', { name: 'Set admin password' }).click();
      await page.getByText('No certificates yet.').first().waitFor({ timeout: 15_000 });
      // the client took the token and left neither a meta tag nor a global behind
      expect(
        await page.evaluate(() => [
          document.querySelector('meta[name="smime-bridge-token"]') === null,
          '__smimeToken' in window,
          typeof (window as unknown as { smime?: unknown }).smime,
        ]),
      ).toEqual([true, false, 'object']);

      // the window follows the data folder: a composition the CLI creates shows without a reload,
      // and the pending count in the sidebar follows the window's own change at once
      const sidebar = page.getByRole('navigation');
      await sidebar.getByRole('button', { name: 'Server compositions' }).click();
      await page.getByRole('heading', { name: 'Server compositions' }).first().waitFor({ timeout: 15_000 });
      expect(cli(['--data-dir', dataDir, 'composition', 'create', 'From the CLI']).code).toBe(0);
      await page.getByText('From the CLI').first().waitFor({ timeout: 15_000 });
      await page.getByLabel('New composition name').fill('From the window');
      await page.getByRole('button', { name: 'Create' }).click();
      await sidebar.getByRole('button', { name: /^Reflect\s*2$/ }).waitFor({ timeout: 15_000 });
      // no folder dialog in a browser: the review says where the bundle goes instead of "you choose"
      await sidebar.getByRole('button', { name: /^Reflect/ }).click();
      await page
        .locator('ul.pending-list > li[data-composition="From the window"]')
        .getByRole('button', { name: 'Reflect…' })
        .click();
      await page.getByText('Saved in the exports folder of the data folder').first().waitFor({ timeout: 10_000 });
      expect(problems).toEqual([]);

      const evil = await context.newPage();
      // DNS rebinding: attacker.example now points at our port, but its requests carry its own Host
      expect((await evil.goto(`http://attacker.example:${port}/`))!.status()).toBe(421);
      await evil.goto(`http://attacker.example:${(attacker.address() as { port: number }).port}/`);
      await evil.waitForFunction(() => (window as unknown as { result: string }).result !== 'pending');
      expect(
        await evil.evaluate(() => [
          (window as unknown as { result: string }).result,
          typeof (window as unknown as { smime?: unknown }).smime,
        ]),
      ).toEqual(['refused', 'undefined']);
    } finally {
      await browser.close();
      attacker.close();
    }
  });
});
