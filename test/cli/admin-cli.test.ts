import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, type CliResult } from '../helpers/cli';
import { opensslVerify, TestPki } from '../helpers/pki';
import { snapshotDir, tempDir } from '../helpers/stores';

const DAY = 86_400_000;
let pki: TestPki;
let infoP12: string;
let expiredP12: string;
const env = { P12PW: 'päss-🔑-word', ADMINPW: 'correct horse battery', PASSPHRASE: 'a long bundle passphrase' };

beforeAll(() => {
  pki = new TestPki();
  infoP12 = pki.p12(pki.leaf({ emails: ['info@example.com'] }), { chain: 'intermediate', password: env.P12PW });
  expiredP12 = pki.p12(
    pki.leaf({
      emails: ['old@example.com'],
      notBefore: new Date(Date.now() - 400 * DAY),
      notAfter: new Date(Date.now() - 2 * DAY),
    }),
    { password: env.P12PW },
  );
});
afterAll(() => pki.cleanup());

function run(dataDir: string, args: string[], extraEnv: Record<string, string> = {}): CliResult {
  return cli(['--data-dir', dataDir, ...args], { env: { ...env, ...extraEnv } });
}

function ok(r: CliResult): CliResult {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r;
}

function fails(r: CliResult, code = 1): string {
  expect(r.code).toBe(code);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('smime-admin administration, end to end with the real keychain', () => {
  it('runs an admin day: certificates, composition, exceptions, reflect, relay', () => {
    const d = tempDir();
    ok(run(d, ['admin-password', 'set', '--password-env', 'ADMINPW']));
    const added = JSON.parse(
      ok(run(d, ['cert', 'add', '--email', 'info@example.com', '--p12', infoP12, '--password-env', 'P12PW', '--json']))
        .stdout,
    );
    expect(added).toMatchObject({ email: 'info@example.com', status: 'valid' });
    ok(run(d, ['cert', 'add', '--email', 'old@example.com', '--p12', expiredP12, '--password-env', 'P12PW']));

    const list = JSON.parse(ok(run(d, ['cert', 'list', '--json'])).stdout);
    expect(list.map((c: { email: string; status: string }) => [c.email, c.status])).toEqual([
      ['old@example.com', 'expired'],
      ['info@example.com', 'valid'],
    ]);
    for (const k of ['id', 'email', 'subject', 'issuer', 'notAfter', 'status', 'daysLeft', 'usedBy'])
      expect(list[0]).toHaveProperty(k);
    expect(ok(run(d, ['cert', 'show', 'info@example.com'])).stdout).toMatch(/Status: +valid/);

    ok(run(d, ['composition', 'create', 'Transactional']));
    ok(run(d, ['composition', 'enable-cert', 'Transactional', '--email', 'info@example.com']));
    ok(run(d, ['composition', 'enable-cert', 'Transactional', '--email', 'old@example.com']));
    ok(run(d, ['composition', 'bcc', 'Transactional', 'on']));
    expect(ok(run(d, ['exception', 'add-destination', 'Transactional', '@partner\\.example$'])).stdout).toMatch(
      /^Added destination exception #\d+/,
    );
    ok(run(d, ['exception', 'add-header', 'Transactional', 'X-No-Sign', '^yes$']));
    const ex = JSON.parse(ok(run(d, ['exception', 'list', 'Transactional', '--json'])).stdout);
    expect(ex.destination.find((e: { note?: string }) => e.note === 'docomo.ne.jp')).toMatchObject({
      isDefault: true,
      enabled: true,
    });
    expect(ex.header.filter((e: { isDefault: boolean }) => e.isDefault)).toHaveLength(4);
    const firstId = String(ex.destination[0].id);
    ok(run(d, ['exception', 'disable', 'Transactional', firstId]));
    ok(run(d, ['exception', 'enable', 'Transactional', firstId]));

    const pending = JSON.parse(ok(run(d, ['pending', '--json'])).stdout);
    // the id stays across renames: scripts can follow a composition by it
    expect(pending).toEqual([
      {
        id: JSON.parse(ok(run(d, ['composition', 'show', 'Transactional', '--json'])).stdout).id,
        composition: 'Transactional',
        lastReflectedAt: null,
        changes: [{ kind: 'never-reflected', subject: 'Transactional' }],
      },
    ]);

    const bundle = join(d, 'transactional.bundle');
    expect(
      ok(run(d, ['reflect', 'Transactional', '--out', bundle, '--passphrase-env', 'PASSPHRASE', '--yes'])).stdout,
    ).toMatch(/warning: the certificate for old@example.com is expired/);
    expect(JSON.parse(ok(run(d, ['pending', 'Transactional', '--json'])).stdout)[0].changes).toEqual([]);

    const inspected = ok(run(d, ['bundle', 'inspect', bundle, '--passphrase-env', 'PASSPHRASE', '--json'])).stdout;
    expect(JSON.parse(inspected)).toMatchObject({
      composition: { name: 'Transactional', intelligentBcc: true },
      certificates: [{ email: 'info@example.com' }, { email: 'old@example.com' }],
    });
    expect(inspected).not.toContain(env.P12PW);
    expect(readFileSync(bundle, 'utf8')).not.toContain(env.P12PW);

    // the relay, from the bundle alone
    const msg = pki.write('order.eml', 'From: Shop <info@example.com>\nTo: a@example.org\nSubject: order\n\nThanks!\n');
    const outDir = join(d, 'outbox');
    // send-test with the bundle of the composition, the message `inFile`, and the rest of the arguments
    const sendTest = (inFile: string, ...rest: string[]) =>
      run(d, [
        'send-test',
        '--bundle',
        bundle,
        '--passphrase-env',
        'PASSPHRASE',
        '--composition',
        'Transactional',
        '--in',
        inFile,
        ...rest,
      ]);
    // the order's envelope: a bounce address, a@ (named in To) and b@ (not named)
    const toAandB = ['--mail-from', 'bounce@example.com', '--rcpt', 'a@example.org', '--rcpt', 'b@example.org'];
    const r = sendTest(
      msg,
      ...toAandB,
      '--rcpt',
      'taro@docomo.ne.jp',
      '--bcc-copy',
      'archive@example.com',
      '--out-dir',
      outDir,
      '--json',
    );
    ok(r);
    const decisions = JSON.parse(r.stdout);
    expect(
      decisions.map((x: { recipient: string; action: string; reason: string }) => [x.recipient, x.action, x.reason]),
    ).toEqual([
      ['a@example.org', 'sign', 'signed'],
      ['b@example.org', 'sign', 'signed'],
      ['taro@docomo.ne.jp', 'unsigned', 'destination-exception'],
      ['archive@example.com', 'unsigned', 'bcc-copy'],
    ]);
    expect(decisions[0].certificateFingerprint).toBe(added.fingerprintSha256);
    const files = readdirSync(outDir).sort();
    expect(files).toEqual([
      '001-a@example.org.eml',
      '002-b@example.org.eml',
      '003-taro@docomo.ne.jp.eml',
      '004-archive@example.com.eml',
    ]);
    expect(opensslVerify(pki, join(outDir, files[0]!)).ok).toBe(true);
    expect(readFileSync(join(outDir, files[2]!), 'utf8')).toBe(readFileSync(msg, 'utf8'));

    // as a relay in a mail flow: b@example.org is not named in To or Cc, so it is a BCC copy
    const asRelay = ok(
      sendTest(msg, ...toAandB, '--detect-bcc-copies', '--out-dir', join(d, 'outbox-relay'), '--json'),
    );
    expect(
      JSON.parse(asRelay.stdout).map((x: { recipient: string; reason: string }) => [x.recipient, x.reason]),
    ).toEqual([
      ['a@example.org', 'signed'],
      ['b@example.org', 'bcc-copy'],
    ]);

    // an expired sender certificate: 451, EX_TEMPFAIL
    const oldMsg = pki.write('old.eml', 'From: old@example.com\nTo: a@example.org\nSubject: x\n\nhi\n');
    const rej = sendTest(
      oldMsg,
      '--mail-from',
      'old@example.com',
      '--rcpt',
      'a@example.org',
      '--out-dir',
      join(d, 'out2'),
    );
    expect(fails(rej, 75)).toBe('451 S/MIME certificate is expired (a@example.org)');
    expect(rej.stdout).toBe('a@example.org: reject 451 S/MIME certificate is expired\n');

    // delete: refused while in use, names the composition; then allowed with the password
    expect(fails(run(d, ['cert', 'remove', '--email', 'old@example.com', '--admin-password-env', 'ADMINPW']))).toBe(
      'smime-admin: the certificate for old@example.com is still in use; it is checked in "Transactional": uncheck it there',
    );
    ok(run(d, ['composition', 'disable-cert', 'Transactional', '--email', 'old@example.com']));
    expect(fails(run(d, ['cert', 'remove', '--email', 'old@example.com', '--admin-password-env', 'ADMINPW']))).toMatch(
      /reflect that composition first/,
    );
    ok(run(d, ['reflect', 'Transactional', '--out', bundle, '--passphrase-env', 'PASSPHRASE', '--overwrite']));
    expect(
      fails(
        run(d, ['cert', 'remove', '--email', 'old@example.com', '--admin-password-env', 'WRONG'], {
          WRONG: 'not the password',
        }),
      ),
    ).toBe('smime-admin: the admin password is wrong');
    ok(run(d, ['cert', 'remove', '--email', 'old@example.com', '--admin-password-env', 'ADMINPW']));

    // import on a second admin machine
    const d2 = tempDir();
    expect(ok(run(d2, ['bundle', 'import', bundle, '--passphrase-env', 'PASSPHRASE'])).stdout).toMatch(
      /^Created composition "Transactional"/,
    );
    expect(JSON.parse(ok(run(d2, ['cert', 'list', '--json'])).stdout).map((c: { email: string }) => c.email)).toEqual([
      'info@example.com',
    ]);

    // nothing in either data folder holds the p12 password or a private key
    for (const dir of [d, d2]) {
      for (const [path, { data }] of snapshotDir(dir)) {
        if (path.startsWith(outDir)) continue;
        expect(data.includes(Buffer.from(env.P12PW)), path).toBe(false);
        expect(data.toString('latin1'), path).not.toMatch(/BEGIN (RSA |EC )?PRIVATE KEY/);
      }
    }
  });

  it('refuses bad input in one line and changes nothing on disk', () => {
    const d = tempDir();
    ok(run(d, ['composition', 'create', 'T']));
    const before = snapshotDir(d);
    expect(
      fails(run(d, ['cert', 'add', '--email', 'bob@example.com', '--p12', infoP12, '--password-env', 'P12PW'])),
    ).toBe('smime-admin: bob@example.com is not in this certificate; it is for info@example.com');
    expect(
      fails(run(d, ['cert', 'add', '--email', 'info@example.com', '--p12', infoP12, '--password-env', 'ADMINPW'])),
    ).toMatch(/wrong password/);
    expect(fails(run(d, ['exception', 'add-destination', 'T', '(?<=x)y']))).toMatch(
      /^smime-admin: invalid pattern "\(\?<=x\)y": .*lookahead and lookbehind are not supported/,
    );
    expect(fails(run(d, ['exception', 'add-destination', 'Nope', 'x']))).toBe(
      'smime-admin: there is no composition named "Nope"',
    );
    expect(fails(run(d, ['composition', 'bcc', 'T', 'maybe']), 2)).toMatch(
      /usage: smime-admin composition bcc NAME on\|off/,
    );
    expect(fails(run(d, ['reflect', 'T', '--out', join(d, 'b'), '--passphrase-env', 'P12PW']))).toMatch(
      /at least 12 characters/,
    );
    expect(snapshotDir(d)).toEqual(before);
  });

  it('refuses a tampered bundle and a wrong passphrase', () => {
    const d = tempDir();
    ok(run(d, ['composition', 'create', 'T']));
    const bundle = join(d, 'b.json');
    ok(run(d, ['reflect', 'T', '--out', bundle, '--passphrase-env', 'PASSPHRASE', '--yes']));
    expect(fails(run(d, ['bundle', 'inspect', bundle, '--passphrase-env', 'ADMINPW']))).toBe(
      `smime-admin: wrong passphrase for ${bundle}`,
    );
    const text = readFileSync(bundle, 'utf8');
    writeFileSync(bundle, text.replace('ezweb', 'ezwec'));
    expect(fails(run(d, ['bundle', 'import', bundle, '--passphrase-env', 'PASSPHRASE']))).toMatch(
      /was modified after it was written/,
    );
    writeFileSync(bundle, text.slice(0, 300));
    expect(fails(run(d, ['bundle', 'inspect', bundle, '--passphrase-env', 'PASSPHRASE']))).toMatch(
      /is damaged: it is truncated or was modified/,
    );
  });

  it('fails clearly without a keychain and writes nothing (no plaintext fallback)', () => {
    const d = tempDir();
    const r = cli(
      ['--data-dir', d, 'cert', 'add', '--email', 'info@example.com', '--p12', infoP12, '--password-env', 'P12PW'],
      {
        env: { ...env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', DISPLAY: '' },
      },
    );
    expect(fails(r)).toMatch(
      /^smime-admin: the OS keychain is not available \(.+\); smime-admin never stores passwords anywhere else$/,
    );
    expect(readdirSync(d)).toEqual([]);
  });

  it('names a corrupt settings file and keeps a copy', () => {
    const d = tempDir();
    ok(run(d, ['composition', 'create', 'T']));
    writeFileSync(join(d, 'config.json'), '{ broken');
    const e = fails(run(d, ['composition', 'list']));
    expect(e).toMatch(
      new RegExp(`^smime-admin: the settings file ${join(d, 'config.json')} cannot be read: it is not valid JSON`),
    );
    expect(readdirSync(d).some((f) => f.startsWith('config.json.corrupt-'))).toBe(true);
    expect(readFileSync(join(d, 'config.json'), 'utf8')).toBe('{ broken');
  });

  it('shows and changes the expiry warning thresholds', () => {
    const d = tempDir();
    expect(JSON.parse(ok(run(d, ['settings', 'show', '--json'])).stdout)).toEqual({
      warnDays: [30, 7],
      language: null,
    });
    expect(ok(run(d, ['settings', 'set', '--warn-days', '14,60', '--language', 'ja'])).stdout).toBe(
      'Expiry warnings: 60 and 14 days before expiry\nLanguage: ja\n',
    );
    expect(JSON.parse(ok(run(d, ['settings', 'show', '--json'])).stdout)).toEqual({
      warnDays: [60, 14],
      language: 'ja',
    });
    expect(fails(run(d, ['settings', 'set', '--warn-days', 'soon']), 2)).toMatch(/is not a list of whole numbers/);
    expect(fails(run(d, ['settings', 'set', '--warn-days', '400']), 2)).toMatch(/between 1 and 365/);
  });

  it('uses SMIME_ADMIN_HOME when no --data-dir is given', () => {
    const d = tempDir();
    const r = cli(['composition', 'create', 'FromEnv'], { env: { SMIME_ADMIN_HOME: d } });
    expect(r.code).toBe(0);
    expect(existsSync(join(d, 'config.json'))).toBe(true);
  });
});

describe('secrets from files, and the audit log', () => {
  it('takes every secret from a private file, refuses one others can read, and refuses two sources', () => {
    const d = tempDir();
    const pwFile = join(d, '..', `pw-${process.pid}-${Date.now()}`);
    writeFileSync(pwFile, `${env.ADMINPW}\n`, { mode: 0o600 });
    expect(run(d, ['admin-password', 'set', '--password-file', pwFile]).code).toBe(0);
    const open = `${pwFile}-open`;
    writeFileSync(open, 'whatever1\n', { mode: 0o644 });
    require('node:fs').chmodSync(open, 0o644);
    expect(fails(run(d, ['admin-password', 'set', '--password-file', open, '--current-file', pwFile]), 2)).toBe(
      `smime-admin: --password-file names ${open}, which others can read (mode 0644); make it private first: chmod 600 ${open}`,
    );
    expect(fails(run(d, ['admin-password', 'set', '--password-env', 'ADMINPW', '--password-file', pwFile]), 2)).toMatch(
      /^smime-admin: give --password-env or --password-file, not both/,
    );
    expect(run(d, ['admin-password', 'set', '--password-env', 'P12PW', '--current-file', pwFile]).code).toBe(0);
  });

  it('shows the audit log and says whether its chain holds, naming the entry that does not', () => {
    const d = tempDir();
    ok(run(d, ['composition', 'create', 'A']));
    ok(run(d, ['composition', 'create', 'B']));
    expect(JSON.parse(ok(run(d, ['audit', 'show', '--json'])).stdout).map((e: { target: string }) => e.target)).toEqual(
      ['B', 'A'],
    );
    expect(ok(run(d, ['audit', 'verify'])).stdout).toBe('The audit log is intact: 2 entries.\n');
    const path = join(d, 'audit.log');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"target":"A"', '"target":"Z"'));
    expect(fails(run(d, ['audit', 'verify']))).toMatch(
      /^smime-admin: the audit log is not intact: entry 1 \(composition\.create at .*\) was changed after it was written$/,
    );
  });
});
