/** Inputs an admin may be handed: devices, pipes that never end, standard input without end. Each is refused at the limit, quickly. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, cli } from '../helpers/cli';
import { tempDir } from '../helpers/stores';

function timed(fn: () => { code: number; stderr: string }) {
  const t = performance.now();
  const r = fn();
  return { ...r, ms: performance.now() - t };
}

describe('size limits hold for every kind of file', () => {
  it('refuses /dev/zero and /dev/urandom as a PKCS#12 at 1 MiB, in well under 2 s', () => {
    for (const dev of ['/dev/zero', '/dev/urandom']) {
      const r = timed(() => cli(['inspect', dev, '--password-env', 'PW'], { env: { PW: 'x' } }));
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`smime-admin: ${dev} is larger than the 1024 KiB allowed\n`);
      expect(r.ms).toBeLessThan(2000);
    }
  });

  it('stops reading an endless standard input or FIFO at the message limit, with bounded memory', () => {
    const dir = tempDir();
    const fifo = join(dir, 'endless.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const node = `/usr/bin/time -f "%M" "${process.execPath}" "${BIN}"`;
    for (const script of [
      `cat /dev/zero | ${node} verify --in -`,
      `cat /dev/zero > "${fifo}" & ${node} verify --in "${fifo}"`,
    ]) {
      const t = performance.now();
      const r = spawnSync('sh', ['-c', script], { timeout: 20_000 });
      const ms = performance.now() - t;
      const lines = r.stderr.toString().trim().split('\n');
      expect(lines[0]).toMatch(/^smime-admin: .* is larger than the 102400 KiB allowed$/);
      const maxRssKiB = Number(lines.at(-1));
      expect(maxRssKiB / 1024, 'MiB').toBeLessThan(200);
      expect(ms).toBeLessThan(2000);
    }
    spawnSync('pkill', ['-f', `cat /dev/zero`]);
  });
});
