/**
 * `smime-admin relay check|status` and the relay's start-up refusals, through the real binary:
 * exit codes and one-line messages an operator's script can rely on.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli';
import { TestPki } from '../helpers/pki';
import { bundleDir, freePort, PASS, spawnRelay, type BundleDir } from '../helpers/relay';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

let pki: TestPki;
let bd: BundleDir;
let bundle = '';
const env = { RELAY_PASS: PASS };

beforeAll(async () => {
  pki = new TestPki();
  bd = await bundleDir(pki);
  bundle = join(bd.dir, 'bundle-1.smime-bundle.json');
});
afterAll(() => pki.cleanup());

/** exit code and the single stderr line; stdout must be empty */
function failure(r: { code: number; stdout: string; stderr: string }): [number, string] {
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return [r.code, lines[0]!];
}

describe('smime-admin relay check', () => {
  const check = (args: string[], e: Record<string, string> = env) => cli(['relay', 'check', ...args], { env: e });

  it('accepts a good bundle by composition name or id, with one line or JSON', () => {
    const r = check(['--bundle', bundle, '--passphrase-env', 'RELAY_PASS', '--composition', 'transactional']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^OK: \S+ is a valid bundle for composition "Transactional" \(id [0-9a-f-]+\), reflection 1, 1 certificate\(s\)\n$/,
    );
    const id = /\(id ([0-9a-f-]+)\)/.exec(r.stdout)![1]!;
    const j = check(['--bundle', bundle, '--passphrase-env', 'RELAY_PASS', '--composition', id, '--json']);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: true, serial: 1, composition: { id, name: 'Transactional' } });
    expect(j.stdout).not.toContain(PASS);
  });

  it('refuses a wrong passphrase, another composition and a tampered file, each in one line with exit 1', () => {
    expect(
      failure(
        check(['--bundle', bundle, '--passphrase-env', 'RELAY_PASS', '--composition', 'Transactional'], {
          RELAY_PASS: 'a wrong long passphrase',
        }),
      ),
    ).toEqual([1, `smime-admin: wrong passphrase for ${bundle}`]);
    expect(
      failure(check(['--bundle', bundle, '--passphrase-env', 'RELAY_PASS', '--composition', 'Marketing'])),
    ).toEqual([
      1,
      expect.stringMatching(/^smime-admin: \S+ holds composition "Transactional" \(id [0-9a-f-]+\), not "Marketing"$/),
    ]);
    const f = JSON.parse(readFileSync(bundle, 'utf8')) as { payload: string };
    f.payload = f.payload.replace('"serial":1', '"serial":7');
    const tampered = pki.write('tampered.json', JSON.stringify(f));
    expect(
      failure(check(['--bundle', tampered, '--passphrase-env', 'RELAY_PASS', '--composition', 'Transactional'])),
    ).toEqual([
      1,
      `smime-admin: ${tampered} was modified after it was written (its authentication code does not match)`,
    ]);
    expect(failure(check(['--bundle', bundle, '--composition', 'Transactional']))[0]).toBe(2);
  });

  it('reads the passphrase from a file only its owner can read', () => {
    const file = pki.write('pass.txt', PASS + '\n');
    chmodSync(file, 0o640);
    expect(failure(check(['--bundle', bundle, '--passphrase-file', file, '--composition', 'Transactional']))).toEqual([
      1,
      `smime-admin: --passphrase-file ${file} is accessible to group or others (mode 0640); run: chmod 600 ${file}`,
    ]);
    chmodSync(file, 0o600);
    expect(check(['--bundle', bundle, '--passphrase-file', file, '--composition', 'Transactional']).code).toBe(0);
    expect(
      failure(
        check(['--bundle', bundle, '--passphrase-file', file, '--passphrase-env', 'RELAY_PASS', '--composition', 'x']),
      )[0],
    ).toBe(2);
  });
});

describe('smime-admin relay (serve) refusing to start', () => {
  const serve = (args: string[]) => cli(['relay', ...args], { env });
  const common = [
    '--passphrase-env',
    'RELAY_PASS',
    '--upstream',
    '127.0.0.1:10026',
    '--listen',
    '127.0.0.1:0',
    '--workers',
    '1',
  ];

  it('exits 1 with one line when the directory has no valid bundle for the composition', () => {
    const [code, line] = failure(serve(['--bundle-dir', bd.dir, '--composition', 'Marketing', ...common]));
    expect(code).toBe(1);
    expect(line).toBe(`smime-admin: no valid bundle for composition "Marketing" in ${bd.dir}`);
    writeFileSync(pki.path('not-a-dir'), '');
    expect(
      failure(serve(['--bundle-dir', pki.path('not-a-dir'), '--composition', 'Transactional', ...common]))[1],
    ).toMatch(/^smime-admin: cannot read the bundle directory .*not-a-dir: ENOTDIR$/);
  });

  it('exits 2 on usage mistakes, naming the flag', () => {
    expect(
      failure(serve(['--bundle-dir', bd.dir, '--composition', 'Transactional', '--passphrase-env', 'RELAY_PASS'])),
    ).toEqual([2, expect.stringMatching(/^smime-admin: missing --upstream; usage: smime-admin relay /)]);
    expect(failure(serve(['--bundle-dir', bd.dir, '--composition', 'T', ...common, '--mode', 'esmtp']))[1]).toMatch(
      /--mode must be lmtp or smtp, not "esmtp"/,
    );
    expect(
      failure(serve(['--bundle-dir', bd.dir, '--composition', 'T', ...common, '--allow-from', '300.1.1.1/8']))[1],
    ).toMatch(/--allow-from: "300\.1\.1\.1\/8" is not an address/);
    expect(failure(serve(['--bundle-dir', bd.dir, '--composition', 'T', ...common, '--tls-cert', 'x.pem']))[1]).toMatch(
      /--tls-cert and --tls-key go together/,
    );
    expect(failure(serve(['--bundle-dir', bd.dir, '--composition', 'T', ...common, '--password', 'x']))[0]).toBe(2);
  });
});

describe('smime-admin relay status', () => {
  let sink: SmtpSink;
  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(async () => sink?.close());

  it('prints a summary or JSON from a running relay, and exits 1 when none answers', async () => {
    const statusPort = await freePort();
    const relay = await spawnRelay([
      '--bundle-dir',
      bd.dir,
      '--composition',
      'Transactional',
      '--passphrase-env',
      'RELAY_PASS',
      '--listen',
      '127.0.0.1:0',
      '--upstream',
      `127.0.0.1:${sink.port}`,
      '--status',
      `127.0.0.1:${statusPort}`,
      '--workers',
      '1',
    ]);
    try {
      const url = `http://127.0.0.1:${statusPort}`;
      const text = await runAsync(['relay', 'status', '--url', url]);
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(
        /^Relay: +healthy \(lmtp, listening on 127\.0\.0\.1:\d+, upstream 127\.0\.0\.1:\d+, since /,
      );
      expect(text.stdout).toMatch(
        /\nBundle: +composition "Transactional" \(id [0-9a-f-]+\), reflection 1, bundle-1\.smime-bundle\.json, loaded /,
      );
      expect(text.stdout).toContain('Certificate:  info@example.com (valid until ');
      expect(text.stdout).toContain('Last reload error: none');
      const j = await runAsync(['relay', 'status', '--url', url, '--json']);
      expect(j.code).toBe(0);
      expect(JSON.parse(j.stdout)).toMatchObject({ healthy: true, serial: 1, workers: [{ id: 1 }] });
    } finally {
      expect(await relay.stop()).toBe(0);
    }
    const gone = failure(cli(['relay', 'status', '--url', `http://127.0.0.1:${statusPort}`]));
    expect(gone).toEqual([
      1,
      `smime-admin: cannot reach the relay status at http://127.0.0.1:${statusPort}: ECONNREFUSED`,
    ]);
  });
});

/** The CLI without blocking this process's event loop (the relay child's pipes must keep draining). */
async function runAsync(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { execFile } = await import('node:child_process');
  const { BIN } = await import('../helpers/cli');
  return new Promise((resolve) =>
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    ),
  );
}
