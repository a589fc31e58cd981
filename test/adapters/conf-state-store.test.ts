import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { errorOf as err } from '../helpers/errors';
import { makeService, tempDir } from '../helpers/stores';
import { ConfStateStore } from '../../main/adapters/conf-state-store';

describe('settings file', () => {
  it('keeps a corrupt file, names it, and does not reset it', async () => {
    const dataDir = tempDir();
    makeService(dataDir).svc.createComposition('keep me');
    const path = join(dataDir, 'config.json');
    writeFileSync(path, '{"compositions": [ this is not json');
    const { svc } = makeService(dataDir);
    const e = await err(() => svc.listCompositions());
    expect(e).toMatch(
      new RegExp(
        `^STORE_CORRUPT: the settings file ${path} cannot be read: it is not valid JSON\\. Nothing was changed; a copy is kept as ${path}\\.corrupt-`,
      ),
    );
    expect(readFileSync(path, 'utf8')).toBe('{"compositions": [ this is not json');
    const again = await err(() => makeService(dataDir).svc.listCompositions());
    expect(again.split('kept as ')[1]).toBe(e.split('kept as ')[1]);
  });

  it('refuses a schema-invalid file with the reason', async () => {
    const dataDir = tempDir();
    writeFileSync(
      join(dataDir, 'config.json'),
      JSON.stringify({
        settings: { warnDays: ['soon'], language: null },
        __internal__: { migrations: { version: '1.1.0' } },
      }),
    );
    expect(await err(() => makeService(dataDir).svc.getSettings())).toMatch(
      /^STORE_CORRUPT: .* it does not match the schema/,
    );
  });

  it('migrates a 1.0 file (one warning threshold) to the current version', () => {
    const dataDir = tempDir();
    writeFileSync(
      join(dataDir, 'config.json'),
      JSON.stringify({
        settings: { warnDays: 45 },
        certificates: [],
        compositions: [],
        adminPassword: null,
        __internal__: { migrations: { version: '1.0.0' } },
      }),
    );
    const { svc } = makeService(dataDir);
    expect(svc.getSettings()).toEqual({ warnDays: [45, 7], language: null });
    expect(JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8')).__internal__.migrations.version).toBe(
      '1.1.0',
    );
  });
});

describe('settings files conf would get wrong', () => {
  it('keeps a file holding null or an array, with a copy, instead of resetting it', async () => {
    for (const content of ['null', '[]', '"text"']) {
      const dataDir = tempDir();
      const path = join(dataDir, 'config.json');
      writeFileSync(path, content);
      expect(await err(() => makeService(dataDir).svc.listCompositions())).toMatch(
        /^STORE_CORRUPT: the settings file .* cannot be read: it holds no settings object\. Nothing was changed; a copy is kept as .*config\.json\.corrupt-/,
      );
      expect(readFileSync(path, 'utf8')).toBe(content);
    }
  });

  it('refuses a file written by a newer smime-admin, leaving it as it was', async () => {
    const dataDir = tempDir();
    const path = join(dataDir, 'config.json');
    const content = JSON.stringify({
      settings: { warnDays: [30], language: null },
      __internal__: { migrations: { version: '99.0.0' } },
    });
    writeFileSync(path, content);
    expect(await err(() => makeService(dataDir).svc.createComposition('x'))).toBe(
      `STORE_CORRUPT: the settings file ${path} was written by a newer smime-admin (format 99.0.0; this one reads up to 1.1.0); nothing was changed: update smime-admin`,
    );
    expect(readFileSync(path, 'utf8')).toBe(content);
  });

  it('refuses to write over a file a newer smime-admin wrote after this one read it, saying so', async () => {
    const dataDir = tempDir();
    makeService(dataDir).svc.createComposition('a');
    const store = new ConfStateStore(dataDir);
    const state = store.load();
    const path = join(dataDir, 'config.json');
    const content = JSON.stringify({
      settings: { warnDays: [30], language: null },
      __internal__: { migrations: { version: '99.0.0' } },
    });
    writeFileSync(path, content);
    expect(await err(() => store.save(state))).toMatch(
      /^STORE_CORRUPT: the settings file .* was written by a newer smime-admin \(format 99\.0\.0;/,
    );
    expect(readFileSync(path, 'utf8')).toBe(content);
  });

  it('refuses to replace a read-only settings file, and tightens a data folder others can read', async () => {
    const dataDir = tempDir();
    chmodSync(dataDir, 0o755);
    const { svc } = makeService(dataDir);
    svc.createComposition('a');
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    const path = join(dataDir, 'config.json');
    chmodSync(path, 0o400);
    const before = readFileSync(path);
    expect(await err(() => svc.createComposition('b'))).toBe(
      `OUTPUT_UNWRITABLE: cannot write the settings file ${path}: it is read-only; nothing was changed`,
    );
    expect(readFileSync(path)).toEqual(before);
  });

  it('keeps the format version through later changes, and hands out copies a caller cannot change it through', () => {
    const dataDir = tempDir();
    const { svc } = makeService(dataDir);
    svc.setAdminPassword('correct horse battery');
    const file = () => JSON.parse(readFileSync(join(dataDir, 'config.json'), 'utf8'));
    expect(file().__internal__.migrations.version).toBe('1.1.0');
    // a second process (fresh store, file already current) changes it: the version stays
    const second = makeService(dataDir).svc;
    second.createComposition('Orders');
    second.updateSettings({ warnDays: [20, 5] });
    expect(file().__internal__.migrations.version).toBe('1.1.0');
    expect(file().compositions.map((c: { name: string }) => c.name)).toEqual(['Orders']);
    expect(svc.getSettings().warnDays).toEqual([20, 5]);
    const store = new ConfStateStore(dataDir);
    const copy = store.load();
    copy.compositions[0]!.name = 'changed in a copy';
    copy.settings.warnDays.push(1);
    expect(store.read().compositions[0]!.name).toBe('Orders');
    expect(store.read().settings.warnDays).toEqual([20, 5]);
  });

  it('reads a file once per change, never writes it to read it, and sees what another process changed', () => {
    const dataDir = tempDir();
    makeService(dataDir).svc.createComposition('Orders');
    const path = join(dataDir, 'config.json');
    const bytes = readFileSync(path);
    const mtime = statSync(path).mtimeMs;
    const parse = vi.spyOn(JSON, 'parse');
    const ofTheFile = () => parse.mock.calls.filter(([text]) => text.length >= bytes.length - 200).length;
    try {
      const store = new ConfStateStore(dataDir);
      expect(store.read().compositions.map((c) => c.name)).toEqual(['Orders']);
      store.read();
      store.load();
      expect(ofTheFile()).toBe(1);
      expect(readFileSync(path)).toEqual(bytes);
      expect(statSync(path).mtimeMs).toBe(mtime);
      // another process (its own store) renames it: the next read sees it, parsing the file once more
      makeService(dataDir).svc.renameComposition('Orders', 'Invoices');
      const n = ofTheFile();
      expect(store.read().compositions.map((c) => c.name)).toEqual(['Invoices']);
      expect(ofTheFile()).toBe(n + 1);
    } finally {
      parse.mockRestore();
    }
  });
});
