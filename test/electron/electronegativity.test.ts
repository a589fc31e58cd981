import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/stores';

const root = join(__dirname, '..', '..');

// Electronegativity exits 0 whatever it finds, so the test reads its report: any row fails.
// It scans the main and preload sources and the renderer as built (the CSP pins the built script by hash).
function scan(dir: string): string[] {
  const report = join(tempDir('electronegativity-out-'), 'report.csv');
  const electron = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8'))
    .version as string;
  execFileSync(
    join(root, 'node_modules', '.bin', 'electronegativity'),
    ['-i', dir, '-e', electron, '-r', '-v', 'false', '-o', report],
    { stdio: 'pipe', timeout: 240_000 },
  );
  expect(existsSync(report)).toBe(true);
  const rows = readFileSync(report, 'utf8').trim().split('\n');
  expect(rows[0]).toMatch(/^issue, severity, confidence/);
  return rows.slice(1);
}

describe('electronegativity', () => {
  it('reports an insecure window (the check can fail)', () => {
    const dir = tempDir('electronegativity-canary-');
    writeFileSync(
      join(dir, 'main.js'),
      "const { BrowserWindow } = require('electron');\nnew BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });\n",
    );
    const rows = scan(dir);
    expect(rows.some((r) => r.startsWith('SANDBOX_JS_CHECK'))).toBe(true);
    expect(rows.some((r) => r.startsWith('CONTEXT_ISOLATION_JS_CHECK'))).toBe(true);
  }, 300_000);

  it('finds nothing in main, preload and the built renderer', () => {
    const src = tempDir('electronegativity-');
    cpSync(join(root, 'main'), join(src, 'main'), { recursive: true });
    cpSync(join(root, 'preload'), join(src, 'preload'), { recursive: true });
    cpSync(join(root, 'out', 'renderer'), join(src, 'renderer'), { recursive: true });
    expect(scan(src)).toEqual([]);
  }, 300_000);
});
