/** Reflecting as an admin does it from the command line: names, review, confirmation, import consent, history, servers. */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, type CliResult } from '../helpers/cli';
import { TestPki } from '../helpers/pki';
import { tempDir } from '../helpers/stores';

const DAY = 86_400_000;
const env = { P12PW: 'pw', PASSPHRASE: 'a long bundle passphrase' };
let pki: TestPki;
let info: string;
let expired: string;

beforeAll(() => {
  pki = new TestPki();
  info = pki.p12(pki.leaf({ emails: ['info@example.com'] }), { password: 'pw' });
  expired = pki.p12(
    pki.leaf({
      emails: ['old@example.com'],
      notBefore: new Date(Date.now() - 400 * DAY),
      notAfter: new Date(Date.now() - DAY),
    }),
    { password: 'pw' },
  );
});
afterAll(() => pki.cleanup());

const run = (d: string, args: string[]): CliResult => cli(['--data-dir', d, ...args], { env });
function ok(r: CliResult): CliResult {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r;
}

function withCertificate(d: string, name: string, p12 = info, email = 'info@example.com'): void {
  ok(run(d, ['cert', 'add', '--email', email, '--p12', p12, '--password-env', 'P12PW']));
  ok(run(d, ['composition', 'create', name]));
  ok(run(d, ['composition', 'enable-cert', name, '--email', email]));
}

describe('reflect from the command line', () => {
  it('gives each reflection its own recognisable file, never writing over another', () => {
    const d = tempDir();
    withCertificate(d, '本番');
    ok(run(d, ['composition', 'create', '検証']));
    ok(run(d, ['composition', 'enable-cert', '検証', '--email', 'info@example.com']));
    ok(run(d, ['composition', 'create', '本番 relay/1 <script>']));
    ok(run(d, ['composition', 'enable-cert', '本番 relay/1 <script>', '--email', 'info@example.com']));
    const out = tempDir();
    for (const n of ['本番', '検証', '本番 relay/1 <script>'])
      ok(run(d, ['reflect', n, '--out', out, '--passphrase-env', 'PASSPHRASE']));
    const files = readdirSync(out).sort();
    expect(files).toHaveLength(3);
    for (const f of files) expect(f).toMatch(/^[a-z0-9-]+-[0-9a-f]{8}-r1-\d{8}T\d{6}Z\.smime-bundle\.json$/);
    expect(files.some((f) => f.startsWith('relay-1-script-'))).toBe(true);
    const pending = JSON.parse(ok(run(d, ['pending', '--json'])).stdout) as { changes: unknown[] }[];
    expect(pending.every((p) => p.changes.length === 0)).toBe(true);
    // a named file is never overwritten without --overwrite
    const file = join(out, files[0]!);
    const before = readFileSync(file);
    ok(run(d, ['composition', 'bcc', '本番', 'on']));
    const r = run(d, ['reflect', '本番', '--out', file, '--passphrase-env', 'PASSPHRASE']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`smime-admin: cannot write ${file}: it already exists\n`);
    expect(readFileSync(file)).toEqual(before);
  });

  it('shows the review and needs --yes for an expired certificate, no certificate, or an exception matching everything', () => {
    const d = tempDir();
    withCertificate(d, 'Old', expired, 'old@example.com');
    const out = tempDir();
    let r = run(d, ['reflect', 'Old', '--out', out, '--passphrase-env', 'PASSPHRASE']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Certificates (1):\n  old@example.com');
    expect(r.stdout).toMatch(/warning: the certificate for old@example.com is expired/);
    expect(r.stderr).toMatch(/needs confirmation: .*; run again with --yes\n$/);
    expect(readdirSync(out)).toEqual([]);
    ok(run(d, ['reflect', 'Old', '--out', out, '--passphrase-env', 'PASSPHRASE', '--yes']));
    expect(readdirSync(out)).toHaveLength(1);

    ok(run(d, ['composition', 'create', 'Empty']));
    ok(run(d, ['exception', 'add-destination', 'Empty', '.*']));
    const review = JSON.parse(ok(run(d, ['reflect', 'Empty', '--review', '--json'])).stdout);
    expect(review.confirmations.map((w: { code: string }) => w.code)).toEqual(['no-certificate', 'matches-everything']);
    r = run(d, ['reflect', 'Empty', '--out', out, '--passphrase-env', 'PASSPHRASE']);
    expect(r.stdout).toMatch(
      /warning: destination exception #\d+ \(\.\*\) matches every ordinary address: all mail goes out unsigned/,
    );
    expect(r.code).toBe(1);
  });

  it('makes a rename a pending change, reflects every pending composition at once, and keeps a history', () => {
    const d = tempDir();
    withCertificate(d, 'A');
    ok(run(d, ['composition', 'create', 'B']));
    ok(run(d, ['composition', 'enable-cert', 'B', '--email', 'info@example.com']));
    const out = tempDir();
    const all = JSON.parse(
      ok(run(d, ['reflect', '--all', '--out', out, '--passphrase-env', 'PASSPHRASE', '--json'])).stdout,
    );
    expect(all.map((r: { composition: string }) => r.composition)).toEqual(['A', 'B']);
    expect(readdirSync(out)).toHaveLength(2);
    ok(run(d, ['composition', 'rename', 'A', 'Alpha']));
    expect(JSON.parse(ok(run(d, ['pending', 'Alpha', '--json'])).stdout)[0].changes).toEqual([
      { kind: 'renamed', subject: 'A → Alpha' },
    ]);
    expect(ok(run(d, ['reflect', '--all', '--out', out, '--passphrase-env', 'PASSPHRASE'])).stdout).toMatch(
      /^Reflected "Alpha" \(reflection 2\)/m,
    );
    const history = JSON.parse(ok(run(d, ['history', 'Alpha', '--json'])).stdout);
    expect(
      history.map((h: { serial: number; changes: { kind: string }[] }) => [h.serial, h.changes.map((c) => c.kind)]),
    ).toEqual([
      [2, ['renamed']],
      [1, ['never-reflected']],
    ]);
  });

  it('asks before an import discards local changes, and shows what it would do', () => {
    const a = tempDir();
    withCertificate(a, 'T');
    const out = tempDir();
    ok(run(a, ['reflect', 'T', '--out', out, '--passphrase-env', 'PASSPHRASE']));
    const bundle = join(out, readdirSync(out)[0]!);
    ok(run(a, ['exception', 'add-destination', 'T', '@local\\.example$']));
    ok(run(a, ['composition', 'bcc', 'T', 'on']));
    const preview = run(a, ['bundle', 'import', bundle, '--passphrase-env', 'PASSPHRASE', '--preview']);
    expect(ok(preview).stdout).toContain(
      'DISCARDS local change not yet reflected: destination-added: @local\\.example$',
    );
    const refused = run(a, ['bundle', 'import', bundle, '--passphrase-env', 'PASSPHRASE']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /has 2 changes not yet reflected that importing would discard; reflect them first or import with --discard-pending/,
    );
    ok(run(a, ['bundle', 'import', bundle, '--passphrase-env', 'PASSPHRASE', '--discard-pending']));
    expect(JSON.parse(ok(run(a, ['pending', 'T', '--json'])).stdout)[0].changes).toEqual([]);
  });

  it('publishes to a folder, and tells which servers do not run the latest reflection', () => {
    const d = tempDir();
    withCertificate(d, 'T');
    const publish = join(tempDir(), 'deploy');
    expect(run(d, ['composition', 'publish', 'T', publish]).code).toBe(2);
    mkdirSync(publish);
    ok(run(d, ['composition', 'publish', 'T', publish]));
    ok(run(d, ['reflect', 'T', '--passphrase-env', 'PASSPHRASE']));
    expect(readdirSync(publish)).toHaveLength(1);
    expect(readdirSync(publish).some((f) => f.startsWith('.'))).toBe(false);
    ok(run(d, ['composition', 'servers', 'T', 'http://127.0.0.1:9']));
    const s = run(d, ['servers', 'status', 'T']);
    expect(s.code).toBe(1);
    expect(s.stdout).toMatch(
      /^T: NOT in effect \(latest reflection 1\)\n {2}http:\/\/127\.0\.0\.1:9 {2}unreachable \(refused\): /,
    );
    expect(run(d, ['composition', 'servers', 'T', 'ftp://x']).code).toBe(2);
    expect(existsSync(join(d, 'history'))).toBe(true);
  });
});
