import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openBundle, peekBundle } from '../../../main/core/relay/bundle';
import { loadRelayConfig } from '../../../main/core/relay/config';
import { seededService } from '../../helpers/admin';
import { TestPki } from '../../helpers/pki';
import { tempDir } from '../../helpers/stores';

let pki: TestPki;
beforeAll(() => {
  pki = new TestPki();
});
afterAll(() => pki.cleanup());

const PASS = 'a long bundle passphrase';

function reason(b: Buffer, pass = PASS): string {
  try {
    loadRelayConfig(b, pass, 'bundle.json');
    return 'accepted';
  } catch (e) {
    return `${(e as { code: string }).code}: ${(e as Error).message}`;
  }
}

async function reflected() {
  const { svc } = await seededService(pki);
  const out = join(tempDir(), 'bundle.json');
  await svc.reflect('Transactional', PASS, out);
  return { svc, out, bytes: readFileSync(out) };
}

describe('config bundles', () => {
  it('refuses a flipped byte, a truncated file and a wrong passphrase, each with its reason', async () => {
    const { svc, out, bytes } = await reflected();
    expect(reason(bytes, 'a wrong passphrase!')).toBe('BUNDLE_WRONG_PASSPHRASE: wrong passphrase for bundle.json');
    expect(reason(bytes.subarray(0, bytes.length - 200))).toMatch(
      /^BUNDLE_INVALID: bundle.json is damaged: it is truncated or was modified/,
    );
    // flip one byte inside the payload (a letter inside a pattern), keeping the JSON valid
    const text = bytes.toString('utf8');
    const at = text.indexOf('docomo');
    const flipped = Buffer.from(text.slice(0, at) + 'D' + text.slice(at + 1), 'utf8');
    expect(reason(flipped)).toBe(
      'BUNDLE_TAMPERED: bundle.json was modified after it was written (its authentication code does not match)',
    );
    // and any single flipped byte anywhere is refused
    for (let i = 0; i < bytes.length; i += Math.ceil(bytes.length / 30)) {
      const b = Buffer.from(bytes);
      b[i] = b[i]! ^ 0x04;
      if (b.equals(bytes)) continue;
      expect(reason(b), `byte ${i}`).not.toBe('accepted');
    }
    expect(reason(Buffer.from('{"format":"smime-admin-bundle","version":3}'))).toMatch(/^BUNDLE_UNSUPPORTED_VERSION/);
    await expect(svc.reflect('Transactional', 'short', out)).rejects.toThrow(/at least 12 characters/);
  });

  it('carries the composition id and a reflection number that grows with each reflection', async () => {
    const { svc, out, bytes } = await reflected();
    const first = openBundle(bytes, PASS).payload;
    expect(first.composition.id).toBe(svc.getComposition('Transactional').id);
    expect(first.serial).toBe(1);
    svc.renameComposition('Transactional', 'Orders');
    // an existing bundle is never written over: the second reflection goes to its own file
    await expect(svc.reflect('Orders', PASS, out)).rejects.toThrow(/already exists/);
    expect(readFileSync(out)).toEqual(bytes);
    const out2 = out.replace(/\.json$/, '-2.json');
    await svc.reflect('Orders', PASS, out2);
    const second = openBundle(readFileSync(out2), PASS).payload;
    expect(second).toMatchObject({ serial: 2, composition: { id: first.composition.id, name: 'Orders' } });
  });

  it('bounds the key-derivation work an unauthenticated header may ask for, before doing any', async () => {
    const { bytes } = await reflected();
    const file = JSON.parse(bytes.toString('utf8'));
    for (const kdf of [
      { ...file.kdf, N: 1 << 20 },
      { ...file.kdf, r: 32 },
      { ...file.kdf, p: 16 },
      { ...file.kdf, N: 1 << 17, r: 16 },
      { ...file.kdf, N: 3 << 14 },
    ]) {
      const t = performance.now();
      expect(reason(Buffer.from(JSON.stringify({ ...file, kdf })))).toMatch(
        /^BUNDLE_TAMPERED: bundle.json was modified: its key parameters are not valid/,
      );
      expect(performance.now() - t).toBeLessThan(2000);
    }
  });

  it('peeks at the composition and serial without the passphrase, for ordering only', async () => {
    const { bytes } = await reflected();
    const opened = openBundle(bytes, PASS);
    expect(peekBundle(bytes, 'b.json')).toEqual({
      compositionId: opened.payload.composition.id,
      compositionName: 'Transactional',
      serial: opened.payload.serial,
      bundleId: opened.payload.bundleId,
    });
    expect(() => peekBundle(bytes.subarray(0, 100), 'b.json')).toThrow(/^b\.json is damaged: it is truncated/);
    expect(() => peekBundle(Buffer.from('{"format":"x","payload":"{}"}'), 'b.json')).toThrow(
      'b.json is not a smime-admin config bundle',
    );
  });
});
