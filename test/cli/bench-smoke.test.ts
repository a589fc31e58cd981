import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// CI only smoke-runs the benchmark: every figure is there and is a number. Speed is judged from `npm run bench`.
describe('npm run bench (smoke)', () => {
  it("prints one JSON line with our figures and OpenSSL's", () => {
    const out = execFileSync(process.execPath, [join(__dirname, '..', '..', 'out', 'bench.js'), '--quick'], {
      timeout: 120_000,
    }).toString();
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(1);
    const r = JSON.parse(lines[0]!);
    for (const k of [
      'sign4kMsgsPerSec',
      'opensslRsa2048SignPerSec',
      'sign20MBMBps',
      'opensslSha256MBps',
      'opensslCmsSign20MBMs',
      'peakRssMB',
      'p12ImportMs',
      'forgePkcs7MsgsPerSec',
      'decisions1000x500Ms',
    ]) {
      expect(typeof r[k], k).toBe('number');
      expect(r[k], k).toBeGreaterThan(0);
    }
    expect(Object.keys(r.targets)).toHaveLength(5);
  });
});
