/**
 * What a careful operator does to a data folder: many writers at once, kill -9 at random points,
 * a keychain that goes away, a folder another process holds. Nothing may be lost or left half
 * done: every record has its p12 file and keychain entry, nothing else is left behind.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BIN, cli, type CliResult } from '../helpers/cli';
import { TestPki } from '../helpers/pki';
import { tempDir } from '../helpers/stores';

/** Each test has its own keychain service, so its orphan check sees only its own entries. */
let SERVICE = '';
let serial = 0;
const services: string[] = [];
const env = {
  P12PW: 'secret-p12',
  ADMINPW: 'correct horse battery',
  PASSPHRASE: 'a long bundle passphrase',
  SMIME_ADMIN_LOCK_WAIT_MS: '60000',
};
const keytar = require('keytar') as typeof import('keytar');

let pki: TestPki;
const p12s: string[] = [];
const N = 20;

beforeAll(() => {
  pki = new TestPki();
  for (let i = 0; i < N; i++)
    p12s.push(pki.p12(pki.leaf({ emails: [`user${i}@example.com`] }), { password: env.P12PW }));
}, 120_000);
beforeEach(() => {
  SERVICE = `smime-admin-reliability-${process.pid}-${++serial}`;
  services.push(SERVICE);
});
afterAll(async () => {
  for (const s of services) for (const c of await keytar.findCredentials(s)) await keytar.deletePassword(s, c.account);
  pki.cleanup();
});

function run(dataDir: string, args: string[], extra: Record<string, string> = {}): CliResult {
  return cli(['--data-dir', dataDir, ...args], { env: { ...env, SMIME_ADMIN_KEYCHAIN_SERVICE: SERVICE, ...extra } });
}

/** Starts the real CLI without waiting; `done` resolves with its exit code (null when killed). */
function start(dataDir: string, args: string[]) {
  const child = spawn(process.execPath, [BIN, '--data-dir', dataDir, ...args], {
    env: { ...process.env, ...env, SMIME_ADMIN_KEYCHAIN_SERVICE: SERVICE },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stderr })),
  );
  return { child, done };
}

interface Stored {
  id: string;
  version: number;
  fileName: string;
  email: string;
}

function records(dataDir: string): Stored[] {
  const p = join(dataDir, 'config.json');
  return existsSync(p) ? (JSON.parse(readFileSync(p, 'utf8')).certificates as Stored[]) : [];
}

/** The folder is consistent: each record has its file and secret; no file, note or lock is left over. */
async function expectConsistent(dataDirs: string[]): Promise<void> {
  const accounts = new Set((await keytar.findCredentials(SERVICE)).map((c) => c.account));
  const expected = new Set<string>();
  for (const d of dataDirs) {
    const recs = records(d);
    const certDir = join(d, 'certs');
    const files = existsSync(certDir) ? readdirSync(certDir).sort() : [];
    // each version is its p12 and its public certificates as PEM
    expect(files, d).toEqual(recs.flatMap((r) => [r.fileName, r.fileName.replace(/\.p12$/, '.pem')]).sort());
    for (const r of recs) expected.add(`cert:${r.id}:v${r.version}`);
    expect(existsSync(join(d, 'journal.json')), `${d} journal`).toBe(false);
    expect(existsSync(join(d, '.lock')), `${d} lock`).toBe(false);
  }
  expect([...accounts].sort()).toEqual([...expected].sort());
}

describe('many writers at once', () => {
  it('20 parallel exception adds, 5 times: none lost', async () => {
    for (let round = 0; round < 5; round++) {
      const d = tempDir();
      expect(run(d, ['composition', 'create', 'T']).code).toBe(0);
      const runs = Array.from(
        { length: N },
        (_, i) => start(d, ['exception', 'add-destination', 'T', `@p${i}\\.example$`]).done,
      );
      const results = await Promise.all(runs);
      expect(results.map((r) => r.code)).toEqual(Array(N).fill(0));
      const list = JSON.parse(run(d, ['exception', 'list', 'T', '--json']).stdout) as {
        destination: { pattern: string }[];
      };
      const mine = list.destination.map((e) => e.pattern).filter((p) => /^@p\d+/.test(p));
      // twenty writers appended to one audit log: its chain still holds
      expect(run(d, ['audit', 'verify']).code).toBe(0);
      expect(mine.sort()).toEqual(Array.from({ length: N }, (_, i) => `@p${i}\\.example$`).sort());
    }
  }, 180_000);

  it('20 parallel certificate adds, 5 times: every one registered, no orphan file or keychain entry', async () => {
    const dirs: string[] = [];
    for (let round = 0; round < 5; round++) {
      const d = tempDir();
      dirs.push(d);
      const runs = p12s.map(
        (p, i) =>
          start(d, ['cert', 'add', '--email', `user${i}@example.com`, '--p12', p, '--password-env', 'P12PW']).done,
      );
      const results = await Promise.all(runs);
      expect(
        results.map((r) => r.code),
        results.map((r) => r.stderr).join(''),
      ).toEqual(Array(N).fill(0));
      expect(
        records(d)
          .map((r) => r.email)
          .sort(),
      ).toEqual(p12s.map((_, i) => `user${i}@example.com`).sort());
    }
    await expectConsistent(dirs);
  }, 240_000);
});

describe('kill -9 at random points', () => {
  it('add, reflect and import always leave the store, the files and the keychain consistent after recovery', async () => {
    const dirs: string[] = [];
    const source = tempDir();
    dirs.push(source);
    for (let i = 0; i < 3; i++) {
      expect(
        run(source, ['cert', 'add', '--email', `user${i}@example.com`, '--p12', p12s[i]!, '--password-env', 'P12PW'])
          .code,
      ).toBe(0);
    }
    expect(run(source, ['composition', 'create', 'T']).code).toBe(0);
    for (let i = 0; i < 3; i++) run(source, ['composition', 'enable-cert', 'T', '--email', `user${i}@example.com`]);
    const bundleDir = tempDir();
    const bundle = join(bundleDir, 't.smime-bundle.json');
    expect(run(source, ['reflect', 'T', '--out', bundle, '--passphrase-env', 'PASSPHRASE']).stderr).toBe('');
    let rounds = 0;
    for (let i = 0; i < 18; i++) {
      const d = tempDir();
      dirs.push(d);
      const kind = i % 3;
      if (kind === 1) {
        expect(
          run(d, ['cert', 'add', '--email', 'user5@example.com', '--p12', p12s[5]!, '--password-env', 'P12PW']).code,
        ).toBe(0);
        run(d, ['composition', 'create', 'R']);
        run(d, ['composition', 'enable-cert', 'R', '--email', 'user5@example.com']);
      }
      const args =
        kind === 0
          ? [
              'cert',
              'add',
              '--email',
              `user${3 + (i % 2)}@example.com`,
              '--p12',
              p12s[3 + (i % 2)]!,
              '--password-env',
              'P12PW',
            ]
          : kind === 1
            ? ['reflect', 'R', '--out', join(d, 'r.json'), '--passphrase-env', 'PASSPHRASE']
            : ['bundle', 'import', bundle, '--passphrase-env', 'PASSPHRASE'];
      const p = start(d, args);
      await new Promise((r) => setTimeout(r, 80 + Math.floor(Math.random() * 500)));
      if (p.child.exitCode === null) {
        p.child.kill('SIGKILL');
        rounds++;
      }
      await p.done;
      const rec = run(d, ['recover']);
      expect(rec.code, rec.stderr).toBe(0);
      if (kind === 2) {
        // an import is all or nothing: the composition with all three certificates, or nothing
        const comps = JSON.parse(run(d, ['composition', 'list', '--json']).stdout) as { name: string }[];
        const certs = records(d)
          .map((r) => r.email)
          .sort();
        if (comps.length === 0) expect(certs).toEqual([]);
        else expect(certs).toEqual(['user0@example.com', 'user1@example.com', 'user2@example.com']);
      }
    }
    expect(rounds).toBeGreaterThan(0);
    await expectConsistent(dirs);
  }, 240_000);
});

describe('a keychain that is not there, a folder another process holds', () => {
  it('cert remove without a keychain fails, says why, and changes nothing', async () => {
    const d = tempDir();
    expect(run(d, ['admin-password', 'set', '--password-env', 'ADMINPW']).code).toBe(0);
    expect(
      run(d, ['cert', 'add', '--email', 'user7@example.com', '--p12', p12s[7]!, '--password-env', 'P12PW']).code,
    ).toBe(0);
    const before = readFileSync(join(d, 'config.json'));
    const r = run(d, ['cert', 'remove', '--email', 'user7@example.com', '--admin-password-env', 'ADMINPW'], {
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^smime-admin: the OS keychain is not available/);
    expect(readFileSync(join(d, 'config.json'))).toEqual(before);
    expect(readdirSync(join(d, 'certs'))).toHaveLength(2);
    await expectConsistent([d]);
    expect(run(d, ['cert', 'remove', '--email', 'user7@example.com', '--admin-password-env', 'ADMINPW']).code).toBe(0);
    await expectConsistent([d]);
    expect(records(d)).toEqual([]);
  });

  it('a second writer waits, then says the folder is busy and who holds it; a dead holder is taken over', () => {
    const d = tempDir();
    expect(run(d, ['composition', 'create', 'T']).code).toBe(0);
    mkdirSync(join(d, '.lock'));
    writeFileSync(
      join(d, '.lock', 'owner.json'),
      JSON.stringify({ pid: process.pid, host: require('node:os').hostname(), since: '2026-11-28T10:00:00.000Z' }),
    );
    const t = Date.now();
    const busy = run(d, ['composition', 'create', 'U'], { SMIME_ADMIN_LOCK_WAIT_MS: '500' });
    expect(busy.code).toBe(1);
    expect(busy.stderr).toBe(
      `smime-admin: the data folder ${d} is busy: another smime-admin (process ${process.pid} on ${require('node:os').hostname()}, since 2026-11-28T10:00:00.000Z) is changing it; try again when it is done\n`,
    );
    expect(Date.now() - t).toBeGreaterThanOrEqual(500);
    // the holder dies (a pid that no process has): its lock is taken over at once
    writeFileSync(
      join(d, '.lock', 'owner.json'),
      JSON.stringify({ pid: 2 ** 22 + 17, host: require('node:os').hostname(), since: '2026-11-28T10:00:00.000Z' }),
    );
    expect(run(d, ['composition', 'create', 'U'], { SMIME_ADMIN_LOCK_WAIT_MS: '500' }).code).toBe(0);
    expect(existsSync(join(d, '.lock'))).toBe(false);
  });

  it('a waiting or busy CLI stops at once on Ctrl-C or SIGTERM', async () => {
    const d = tempDir();
    expect(run(d, ['composition', 'create', 'T']).code).toBe(0);
    mkdirSync(join(d, '.lock'));
    const owner = { pid: process.pid, host: require('node:os').hostname(), since: '2026-11-28T10:00:00.000Z' };
    writeFileSync(join(d, '.lock', 'owner.json'), JSON.stringify(owner));
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const p = start(d, ['composition', 'create', 'U']);
      await new Promise((r) => setTimeout(r, 700));
      const t = Date.now();
      p.child.kill(signal);
      await p.done;
      expect(Date.now() - t, signal).toBeLessThan(1000);
      expect(p.child.signalCode).toBe(signal);
    }
    const names = (JSON.parse(run(d, ['composition', 'list', '--json']).stdout) as { name: string }[]).map(
      (c) => c.name,
    );
    expect(names).toEqual(['T']);
  });
});
