/**
 * Hot bundles: the relay only ever swaps to a whole, authenticated, newer bundle of the pinned
 * composition; anything else changes nothing and says why.
 */
import { copyFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundleWatcher, isBundleName, type ReloadOutcome } from '../../main/server/config-watcher';
import { writeFileAtomic } from '../../main/core/files';
import { TestPki } from '../helpers/pki';
import { bundleDir, dropFile, PASS, waitUntil, type BundleDir } from '../helpers/relay';
import { errorOf } from '../helpers/errors';

let pki: TestPki;
let bd: BundleDir;
let other: BundleDir;

beforeAll(async () => {
  pki = new TestPki();
  bd = await bundleDir(pki);
  other = await bundleDir(pki, { composition: 'Marketing' });
});
afterAll(() => pki.cleanup());

function watcher(dir: string, o: Partial<ConstructorParameters<typeof BundleWatcher>[0]> = {}) {
  const outcomes: ReloadOutcome[] = [];
  const w = new BundleWatcher({
    dir,
    passphrase: PASS,
    composition: 'Transactional',
    allowRollback: false,
    rescanMs: 60_000,
    onReload: (x) => outcomes.push(x),
    ...o,
  });
  return { w, outcomes };
}

describe('which files are bundles', () => {
  it('takes *.json and *.smime-bundle.json, never dot-files or temp files', () => {
    expect(isBundleName('t.smime-bundle.json')).toBe(true);
    expect(isBundleName('t.json')).toBe(true);
    expect(isBundleName('.t.smime-bundle.json.abc123.tmp')).toBe(false);
    expect(isBundleName('.hidden.json')).toBe(false);
    expect(isBundleName('t.json.tmp')).toBe(false);
    expect(isBundleName('notes.txt')).toBe(false);
  });
});

describe('starting', () => {
  it('takes the newest bundle of the composition, by name (any case) or by id, and ignores other compositions', async () => {
    const p2 = await bd.reflect();
    await bd.reflect('zz-3.json');
    copyFileSync(join(other.dir, 'bundle-1.smime-bundle.json'), join(bd.dir, 'marketing.json'));
    // an unfinished temp file is not even looked at
    writeFileSync(join(bd.dir, '.bundle-9.smime-bundle.json.x1.tmp'), '{"partial');
    const { w } = watcher(bd.dir, { composition: 'transactional' });
    const loaded = w.start();
    expect(loaded.config.serial).toBe(3);
    expect(loaded.file).toBe('zz-3.json');
    const byId = watcher(bd.dir, { composition: loaded.config.composition.id }).w.start();
    expect(byId.config.bundleId).toBe(loaded.config.bundleId);
    expect(w.pinnedCompositionId).toBe(loaded.config.composition.id);
    expect(p2).toMatch(/bundle-2\.smime-bundle\.json$/);
  });

  it('fails with one line naming the reasons when no bundle of the composition can be opened', async () => {
    const msg = await errorOf(() => watcher(bd.dir, { passphrase: 'not the passphrase at all' }).w.start());
    expect(msg).toMatch(
      /^COMPOSITION_NOT_FOUND: no valid bundle for composition "Transactional" in \S+ \(zz-3\.json: wrong passphrase for zz-3\.json; /,
    );
    expect(msg).not.toContain('\n');
    expect(await errorOf(() => watcher(other.dir).w.start())).toMatch(
      /^COMPOSITION_NOT_FOUND: no valid bundle for composition "Transactional"/,
    );
  });
});

describe('reloading', () => {
  it('refuses corrupt, truncated, tampered, older, foreign and wrongly sealed bundles, keeping the one in force', async () => {
    const { w, outcomes } = watcher(bd.dir);
    const first = w.start();
    const good = readFileSync(join(bd.dir, 'zz-3.json'));
    const tampered = JSON.parse(good.toString('utf8')) as { payload: string };
    const payload = JSON.parse(tampered.payload) as { serial: number };
    payload.serial = 99;
    tampered.payload = JSON.stringify(payload);
    const cases: [string, string | Buffer, string][] = [
      ['corrupt.json', 'this is not a bundle', 'BUNDLE_INVALID'],
      ['truncated.json', good.subarray(0, good.length / 2), 'BUNDLE_INVALID'],
      ['tampered.json', JSON.stringify(tampered), 'BUNDLE_TAMPERED'],
      ['older.json', readFileSync(join(bd.dir, 'bundle-1.smime-bundle.json')), 'NOT_NEWER'],
      ['foreign.json', readFileSync(join(other.dir, 'bundle-1.smime-bundle.json')), 'OTHER_COMPOSITION'],
    ];
    for (const [name, data, code] of cases) {
      dropFile(bd.dir, name, data);
      const o = w.reload();
      expect(o.result, name).toBe('unchanged');
      expect(o.failures.map((f) => [f.file, f.code])).toEqual([[name, code]]);
      expect(w.current).toBe(first);
      expect(w.lastError).toMatchObject({ file: name, code });
    }
    expect(w.lastError!.message).toMatch(
      /^foreign\.json is for composition "Marketing" \(id \S+\), not the relay's "Transactional"/,
    );
    // a newer bundle of the composition, sealed with another passphrase
    const sealed = join(pki.dir, 'sealed.json');
    await bd.seeded.svc.reflect('Transactional', 'another long passphrase', sealed);
    writeFileSync(join(bd.dir, 'sealed.json'), readFileSync(sealed));
    expect(w.reload().failures.map((f) => f.code)).toEqual(['BUNDLE_WRONG_PASSPHRASE']);
    expect(w.current).toBe(first);
    // nothing changed on disk: nothing to do, no new failure
    expect(w.reload()).toEqual({ result: 'unchanged', failures: [] });
    expect(outcomes.every((o) => o.result === 'unchanged')).toBe(true);
  });

  it('swaps to a newer bundle whole, and follows the composition across a rename', async () => {
    const { w } = watcher(bd.dir);
    const first = w.start();
    bd.seeded.svc.renameComposition('Transactional', 'Orders');
    bd.composition = 'Orders';
    await bd.reflect('renamed.json');
    const o = w.reload();
    expect(o.result).toBe('loaded');
    if (o.result !== 'loaded') return;
    expect(o.previous).toBe(first);
    expect(o.bundle.config.composition).toEqual({ id: first.config.composition.id, name: 'Orders' });
    expect(o.bundle.config.serial).toBeGreaterThan(first.config.serial);
    expect(w.current).toBe(o.bundle);
    expect(w.lastError).toBeNull();
    // the same bytes under another name: nothing to do
    copyFileSync(join(bd.dir, 'renamed.json'), join(bd.dir, 'copy.json'));
    expect(w.reload()).toEqual({ result: 'unchanged', failures: [] });
  });

  it('goes back to an older bundle only with allowRollback', async () => {
    const { w } = watcher(bd.dir, { allowRollback: true, composition: 'Orders' });
    const newest = w.start();
    const old = readFileSync(join(bd.dir, 'bundle-1.smime-bundle.json'));
    writeFileAtomic(join(bd.dir, 'rollback.json'), old, 0o600);
    const o = w.reload();
    expect(o.result).toBe('loaded');
    expect(w.current.config.serial).toBe(1);
    expect(w.current.config.serial).toBeLessThan(newest.config.serial);
  });

  it('notices a bundle moved into the directory by itself (fs.watch), within a second', async () => {
    const { w, outcomes } = watcher(bd.dir, { composition: 'Orders', debounceMs: 100 });
    const before = w.start();
    w.watch();
    try {
      // written elsewhere and renamed in, as a deployment tool does
      const tmp = join(pki.dir, 'next.json');
      await bd.seeded.svc.reflect('Orders', PASS, tmp);
      renameSync(tmp, join(bd.dir, 'next.json'));
      await waitUntil(
        'the watcher to load next.json',
        3000,
        () => w.current.file,
        (f) => f === 'next.json',
      );
      expect(w.current.config.serial).toBe(before.config.serial + 1);
      expect(outcomes.at(-1)?.result).toBe('loaded');
    } finally {
      w.close();
    }
  });
});
