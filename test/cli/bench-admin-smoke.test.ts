import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// CI only smoke-runs the admin benchmark (500 certificates): every figure is there. Scale is judged from `npm run bench:admin`.
describe('npm run bench:admin (smoke)', () => {
  it('prints one JSON line with the in-process and CLI figures and the targets', () => {
    const out = execFileSync(process.execPath, [join(__dirname, '..', '..', 'out', 'bench-admin.js'), '--quick'], {
      timeout: 180_000,
    }).toString();
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const r = JSON.parse(lines[0]!);
    for (const k of [
      'certListMs',
      'compositionListMs',
      'compositionListBytesPerItem',
      'reflectMs',
      'reflectPeakRssMB',
      'reflectFreshProcessMs',
      'reflectFreshProcessPeakRssMB',
      'cliCertListMs',
    ]) {
      expect(typeof r[k], k).toBe('number');
    }
    expect(r.certListItems).toBe(r.certificates);
    expect(r.reflectCertificates).toBe(100);
    expect(Object.keys(r.targets)).toEqual([
      'compositionListUnder300ms',
      'certListUnder500ms',
      'reflect1000Under2s',
      'reflectUnder200MB',
    ]);
  });
});
