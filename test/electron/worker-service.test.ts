import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataFolderState } from '../../main/core/files';
import { startServiceWorker } from '../../main/electron/worker-service';
import { TestPki } from '../helpers/pki';
import { tempDir } from '../helpers/stores';

const SCRIPT = join(__dirname, '..', '..', 'out', 'main', 'service-worker.js');
let pki: TestPki;
beforeAll(() => {
  pki = new TestPki();
});
afterAll(() => pki.cleanup());

describe('the admin domain in a worker thread', () => {
  it('answers every call as the in-process service would, keeps error codes, and calls progress back', async () => {
    const dataDir = tempDir();
    const holds: string[] = [];
    let released = '';
    const service = startServiceWorker(
      SCRIPT,
      { dataDir, keychainService: `smime-admin-worker-${process.pid}` },
      (event, state) => {
        holds.push(event);
        if (event === 'releasing') released = state;
      },
    );
    try {
      expect(await service.isAdminPasswordSet()).toBe(false);
      const c = await service.createComposition('本番');
      expect(c.name).toBe('本番');
      // the worker's lock holds reach the main thread before the answer, with the folder as each left it
      expect(holds.length).toBeGreaterThanOrEqual(2);
      expect(holds.slice(0, 2)).toEqual(['acquired', 'releasing']);
      expect(released).toBe(dataFolderState(dataDir));
      await expect(service.createComposition('本番')).rejects.toMatchObject({ code: 'COMPOSITION_EXISTS' });
      const p12 = readFileSync(pki.p12(pki.leaf({ emails: ['info@example.com'] }), { password: 'pw' }));
      const view = await service.addCertificate({ email: 'info@example.com', p12, password: 'pw' });
      expect(view).toMatchObject({ email: 'info@example.com', status: 'valid' });
      await service.setCertificateEnabled('本番', 'info@example.com', true);
      const steps: string[] = [];
      const r = await service.reflect('本番', 'a long bundle passphrase', join(tempDir(), 'b.json'), (s) =>
        steps.push(s),
      );
      expect(r.certificates).toBe(1);
      expect(steps).toEqual(['reading-keychain', 'encrypting', 'writing', 'done']);
      const out = await service.testSend(
        '本番',
        Buffer.from('From: info@example.com\r\nTo: a@example.org\r\n\r\nhi\r\n'),
        { mailFrom: 'info@example.com', recipients: [{ address: 'a@example.org' }] },
        new Date(),
      );
      // bytes come back as Buffers, and the signed message is whole
      const bytes = Buffer.concat(out.deliveries[0]!.message);
      expect(Buffer.isBuffer(out.deliveries[0]!.message[0])).toBe(true);
      expect(bytes.toString('latin1')).toContain('Content-Type: multipart/signed');
    } finally {
      await service.close();
    }
  });

  it('keeps the calling thread free while the worker is busy', async () => {
    const service = startServiceWorker(SCRIPT, {
      dataDir: tempDir(),
      keychainService: `smime-admin-worker-${process.pid}`,
    });
    try {
      // an admin password hash is deliberately slow (scrypt); the caller's event loop keeps turning meanwhile
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const t = performance.now();
      await service.setAdminPassword('correct horse battery');
      await service.verifyAdminPassword('correct horse battery');
      clearInterval(timer);
      const ms = performance.now() - t;
      expect(ticks).toBeGreaterThanOrEqual(Math.floor(ms / 5 / 3));
    } finally {
      await service.close();
    }
  });
});
