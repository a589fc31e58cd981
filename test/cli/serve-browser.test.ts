import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/stores';

describe('npm run start:browser', () => {
  it('serves the renderer with the bridge, and answers only with the per-run token', async () => {
    const child = spawn(process.execPath, [join(__dirname, '..', '..', 'out', 'serve-browser.js')], { env: { ...process.env, SMIME_ADMIN_HOME: tempDir(), PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const base = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
          if (m) resolve(m[0]);
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}`)));
        setTimeout(() => reject(new Error('no start')), 15_000);
      });
      const html = await (await fetch(base)).text();
      expect(html).toContain('<script src="/__bridge.js"></script>');
      expect(html).toContain("connect-src 'self'");
      const bridge = await (await fetch(`${base}__bridge.js`)).text();
      const token = /window.__smimeToken="([0-9a-f]+)"/.exec(bridge)![1]!;
      expect((await fetch(`${base}__ipc/composition:list`, { method: 'POST', body: '{}' })).status).toBe(403);
      const call = async (channel: string, body: unknown) => (await fetch(`${base}__ipc/${channel}`, { method: 'POST', headers: { 'x-smime-token': token }, body: JSON.stringify(body) })).json();
      expect(await call('composition:create', { name: 'Browser' })).toMatchObject({ ok: true, value: { name: 'Browser' } });
      expect(await call('composition:create', { name: 5 })).toMatchObject({ ok: false, error: { code: 'IPC_INVALID' } });
      expect((await fetch(`${base}..%2f..%2fpackage.json`)).status).toBe(404);
    } finally {
      child.kill();
    }
  }, 30_000);
});
