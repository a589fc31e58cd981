import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS } from '../helpers/corpus';
import { cli } from '../helpers/cli';
import { opensslVerify, TestPki } from '../helpers/pki';

let pki: TestPki;
let p12: string;
let msg: string;
const env = { P12PW: 'pässwörd' };

beforeAll(() => {
  pki = new TestPki();
  p12 = pki.p12(pki.leaf({ emails: ['alice@example.com'] }), { chain: 'intermediate', password: env.P12PW });
  msg = pki.write('msg.eml', CORPUS['UTF-8 8bit']!);
});
afterAll(() => pki.cleanup());

function oneLineError(r: { code: number; stderr: string; stdout: string }, code = 1): string {
  expect(r.code).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\bat .+:\d+:\d+\)?$/m); // no stack trace
  return lines[0]!;
}

describe('smime-admin inspect', () => {
  it('prints the documented JSON shape', () => {
    const r = cli(['inspect', p12, '--password-env', 'P12PW', '--json'], { env });
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ emails: ['alice@example.com'], keyType: 'RSA', keyBits: 2048, chainLength: 1 });
    for (const k of ['subject', 'issuer', 'serial', 'notBefore', 'notAfter', 'fingerprintSha256', 'warnings'])
      expect(j).toHaveProperty(k);
    expect(new Date(j.notAfter).toISOString()).toBe(j.notAfter);
  });

  it('prints a readable summary', () => {
    const r = cli(['inspect', p12, '--password-env', 'P12PW'], { env });
    expect(r.stdout).toMatch(/Addresses: +alice@example.com/);
    expect(r.stdout).toMatch(/Issuer: +C=JP, O=Test Trust, CN=Test S\/MIME Issuing CA/);
  });

  it('explains bad input in one line', () => {
    expect(oneLineError(cli(['inspect', p12, '--password-env', 'P12PW'], { env: { P12PW: 'wrong' } }))).toMatch(
      /^smime-admin: wrong password for /,
    );
    expect(oneLineError(cli(['inspect', pki.root.certPath, '--password-env', 'P12PW'], { env }))).toMatch(
      /is a PEM text file, not a PKCS#12/,
    );
    expect(oneLineError(cli(['inspect', '/no/such.p12', '--password-env', 'P12PW'], { env }))).toBe(
      'smime-admin: cannot read /no/such.p12: no such file',
    );
    expect(oneLineError(cli(['inspect', p12, '--password-env', 'UNSET_VAR_X'], { env }), 2)).toMatch(
      /UNSET_VAR_X, but that environment variable is not set/,
    );
    expect(oneLineError(cli(['inspect', p12, '--password', 'x'], { env }), 2)).toMatch(/Unknown option '--password'/);
  });
});

describe('smime-admin sign and verify', () => {
  it('signs a file that OpenSSL verifies, and verifies it', () => {
    const out = pki.path('out.eml');
    const r = cli(['sign', '--p12', p12, '--password-env', 'P12PW', '--in', msg, '--out', out], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(opensslVerify(pki, out).ok).toBe(true);
    const v = cli(['verify', '--in', out, '--ca', pki.root.certPath, '--json']);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.stdout)).toMatchObject({ valid: true, signerEmail: 'alice@example.com', fromMatches: true });
    expect(cli(['verify', '--in', out]).stdout).toMatch(/^Signature valid/);
  });

  it('reads standard input and writes standard output with "-"', () => {
    const r = cli(['sign', '--p12', p12, '--password-env', 'P12PW', '--in', '-', '--out', '-'], {
      env,
      input: readFileSync(msg),
    });
    expect(r.code).toBe(0);
    const v = cli(['verify', '--in', '-', '--json'], { input: r.stdoutBytes });
    expect(JSON.parse(v.stdout).valid).toBe(true);
  });

  it('exits non-zero with the reason for a tampered message', () => {
    const out = pki.path('t.eml');
    cli(['sign', '--p12', p12, '--password-env', 'P12PW', '--in', msg, '--out', out], { env });
    const bytes = readFileSync(out);
    const t = Buffer.from(
      bytes
        .toString('latin1')
        .replace(
          'Content-Transfer-Encoding: quoted-printable\r\n\r\n',
          'Content-Transfer-Encoding: quoted-printable\r\n\r\nX',
        ),
      'latin1',
    );
    expect(t.equals(bytes)).toBe(false);
    const r = cli(['verify', '--in', '-', '--json'], { input: t });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({
      valid: false,
      reason: expect.stringMatching(/message digest does not match/),
    });
    expect(r.stderr).toMatch(/^smime-admin: signature invalid: /);
  });

  it('reports a From that the signer does not match', () => {
    const other = pki.write('other.eml', 'From: mallory@example.net\nSubject: x\n\nhi\n');
    const out = pki.path('o.eml');
    cli(['sign', '--p12', p12, '--password-env', 'P12PW', '--in', other, '--out', out], { env });
    const v = JSON.parse(cli(['verify', '--in', out, '--json']).stdout);
    expect(v).toMatchObject({ valid: true, signerEmail: 'alice@example.com', fromMatches: false });
  });

  it('leaves no partial output file when signing fails', () => {
    const before = readdirSync(pki.dir).length;
    const bad = pki.write('bad.eml', 'not a message at all\n');
    const out = pki.path('never.eml');
    expect(
      oneLineError(cli(['sign', '--p12', p12, '--password-env', 'P12PW', '--in', bad, '--out', out], { env })),
    ).toMatch(/not an RFC 5322 message/);
    expect(
      oneLineError(
        cli(['sign', '--p12', p12, '--password-env', 'P12PW', '--in', msg, '--out', out], { env: { P12PW: 'bad' } }),
      ),
    ).toMatch(/wrong password/);
    expect(
      oneLineError(
        cli(['sign', '--p12', p12, '--password-env', 'P12PW', '--in', msg, '--out', '/no/such/dir/x.eml'], { env }),
      ),
    ).toMatch(/^smime-admin: cannot write \/no\/such\/dir\/x.eml: no such file/);
    const signed = pki.path('already.eml');
    cli(['sign', '--p12', p12, '--password-env', 'P12PW', '--in', msg, '--out', signed], { env });
    expect(
      oneLineError(cli(['sign', '--p12', p12, '--password-env', 'P12PW', '--in', signed, '--out', out], { env })),
    ).toMatch(/already S\/MIME/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(pki.dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // only the two inputs this test wrote itself
    expect(readdirSync(pki.dir).length).toBe(before + 2);
  });

  it('says an unsigned message is not signed', () => {
    expect(oneLineError(cli(['verify', '--in', msg]))).toMatch(
      /not S\/MIME signed \(its Content-Type is text\/plain\)/,
    );
  });
});
