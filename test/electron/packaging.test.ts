import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/stores';

const root = join(__dirname, '..', '..');
const builder = join(root, 'node_modules', '.bin', 'electron-builder');

// Installers need downloads (Electron, AppImage/NSIS tools) that this machine cannot make.
// What can be checked offline: the configuration is valid, and an unpacked build with a
// stand-in Electron has the right files, with keytar's native module outside the asar.
describe('electron-builder', () => {
  it('rejects an unknown configuration key (the schema check is real)', () => {
    const r = spawnSync(builder, ['--linux', 'dir', '--config.bogusKey=1'], {
      cwd: root,
      env: { ...process.env, CI: 'true' },
      timeout: 60_000,
    });
    expect(r.status).not.toBe(0);
    expect(r.stderr.toString() + r.stdout.toString()).toMatch(/unknown property 'bogusKey'/);
  });

  it('builds an unpacked Linux app offline with keytar unpacked from the asar', () => {
    const stub = tempDir('electron-stub-');
    writeFileSync(join(stub, 'electron'), '#!/bin/sh\n');
    chmodSync(join(stub, 'electron'), 0o755);
    const out = tempDir('eb-out-');
    mkdirSync(out, { recursive: true });
    execFileSync(
      builder,
      [
        '--linux',
        'dir',
        `--config.electronDist=${stub}`,
        '--config.electronVersion=40.8.5',
        `--config.directories.output=${out}`,
      ],
      {
        cwd: root,
        env: { ...process.env, CI: 'true' },
        stdio: 'pipe',
        timeout: 120_000,
      },
    );
    const resources = join(out, 'linux-unpacked', 'resources');
    expect(
      existsSync(join(resources, 'app.asar.unpacked', 'node_modules', 'keytar', 'build', 'Release', 'keytar.node')),
    ).toBe(true);
    const asar = require('@electron/asar') as { listPackage(p: string, o: object): string[] };
    const files = asar.listPackage(join(resources, 'app.asar'), {}).map((f) => f.replace(/\\/g, '/'));
    for (const f of ['/out/main/index.js', '/out/preload/index.js', '/out/renderer/index.html', '/package.json'])
      expect(files).toContain(f);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => /\.(p12|pfx|key)$/.test(f))).toEqual([]);
    expect(files.some((f) => f.startsWith('/node_modules/react/'))).toBe(false); // bundled, not shipped twice
  });
});
