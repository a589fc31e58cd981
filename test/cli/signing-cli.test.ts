import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORPUS } from '../helpers/corpus';
import { cli } from '../helpers/cli';
import { opensslSign, opensslVerify, TestPki } from '../helpers/pki';

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

describe('smime-admin verify: From, certificates from elsewhere, CRLs, layers', () => {
  function signFrom(from: string): string {
    const m = pki.write(`from-${Math.random().toString(36).slice(2)}.eml`, `From: ${from}\nSubject: x\n\nhi\n`);
    const out = pki.path(`signed-${Math.random().toString(36).slice(2)}.eml`);
    expect(cli(['sign', '--p12', p12, '--password-env', 'P12PW', '--in', m, '--out', out], { env }).code).toBe(0);
    return out;
  }

  it('exits 1 when the signer is not the From address, unless --allow-other-signer', () => {
    const out = signFrom('mallory@example.net');
    const r = cli(['verify', '--in', out, '--ca', pki.root.certPath]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Signature valid/);
    expect(r.stdout).toMatch(
      /From: +mallory@example.net \(does NOT match: the signer \(alice@example.com\) is not the From address mallory@example.net\)/,
    );
    expect(r.stderr).toBe(
      'smime-admin: the signer does not speak for the From address: the signer (alice@example.com) is not the From address mallory@example.net (--allow-other-signer accepts that)\n',
    );
    const j = JSON.parse(cli(['verify', '--in', out, '--json']).stdout);
    expect(j).toMatchObject({
      valid: true,
      fromMatches: false,
      fromFailure: { code: 'signer-not-from', params: { from: 'mallory@example.net', signers: ['alice@example.com'] } },
      fromReason: 'the signer (alice@example.com) is not the From address mallory@example.net',
    });
    expect(cli(['verify', '--in', out, '--allow-other-signer']).code).toBe(0);
  });

  it('--json reports layers, the signing-time and present validity, and weak digests', () => {
    const j = JSON.parse(
      cli(['verify', '--in', signFrom('alice@example.com'), '--ca', pki.root.certPath, '--json']).stdout,
    );
    expect(j).toMatchObject({
      valid: true,
      validAtSigningTime: true,
      validNow: true,
      weakDigest: false,
      chainVerified: true,
    });
    expect(j.layers).toEqual([
      expect.objectContaining({
        kind: 'multipart/signed',
        valid: true,
        signatureAlgorithm: 'RSASSA-PKCS1-v1_5',
        digest: 'sha256',
        signers: [expect.objectContaining({ email: 'alice@example.com', valid: true })],
      }),
    ]);
  });

  it('sign --pss makes RSASSA-PSS that OpenSSL verifies', () => {
    const out = pki.path('pss.eml');
    expect(
      cli(['sign', '--p12', p12, '--password-env', 'P12PW', '--in', msg, '--out', out, '--pss'], { env }).code,
    ).toBe(0);
    expect(opensslVerify(pki, out).ok).toBe(true);
    const j = JSON.parse(cli(['verify', '--in', out, '--json']).stdout);
    expect(j.layers[0].signatureAlgorithm).toBe('RSASSA-PSS');
  });

  it('--signer-cert verifies a signature that carries no certificates', () => {
    const leaf = pki.leaf({ emails: ['nocerts@example.com'] });
    const entity = pki.write('entity.txt', 'Content-Type: text/plain\r\n\r\nhello\r\n');
    const out = pki.write(
      'nocerts.eml',
      Buffer.concat([Buffer.from('From: nocerts@example.com\r\n'), opensslSign(pki, leaf, entity, ['-nocerts'])]),
    );
    const without = cli(['verify', '--in', out, '--ca', pki.root.certPath]);
    expect(without.code).toBe(1);
    expect(without.stderr).toBe(
      "smime-admin: signature invalid: the signer's certificate is not included in the signature\n",
    );
    const chain = pki.write('signer-chain.pem', leaf.certPem + pki.intermediate.certPem);
    expect(cli(['verify', '--in', out, '--ca', pki.root.certPath, '--signer-cert', chain]).code).toBe(0);
  });

  it('--crl refuses a revoked signer and says why', () => {
    const leaf = pki.leaf({ emails: ['revoked@example.com'], cn: 'Revoked' });
    const revokedP12 = pki.p12(leaf, { chain: 'intermediate', password: env.P12PW });
    const m = pki.write('rv.eml', 'From: revoked@example.com\nSubject: x\n\nhi\n');
    const out = pki.path('rv-signed.eml');
    cli(['sign', '--p12', revokedP12, '--password-env', 'P12PW', '--in', m, '--out', out], { env });
    const crl = pki.crl([leaf]);
    const r = cli(['verify', '--in', out, '--ca', pki.root.certPath, '--crl', crl]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^smime-admin: signature invalid: certificate "CN=Revoked" was revoked on \d{4}-\d{2}-\d{2}T/,
    );
    expect(cli(['verify', '--in', signFrom('alice@example.com'), '--ca', pki.root.certPath, '--crl', crl]).code).toBe(
      0,
    );
    expect(oneLineError(cli(['verify', '--in', out, '--crl', msg]))).toBe(
      `smime-admin: ${msg} is not a readable X.509 CRL (DER or PEM)`,
    );
  });
});

describe('smime-admin sign and inspect: certificates no client accepts', () => {
  it('inspect reports explicit EC parameters as an error, and sign refuses the certificate', () => {
    const ecx = pki.p12(pki.leaf({ key: 'p256-explicit', emails: ['alice@example.com'] }), {
      chain: 'intermediate',
      password: env.P12PW,
    });
    const j = JSON.parse(cli(['inspect', ecx, '--password-env', 'P12PW', '--json'], { env }).stdout);
    expect(j.warnings).toContainEqual(
      expect.objectContaining({
        code: 'explicit-ec-parameters',
        severity: 'error',
        message: expect.stringMatching(/spells out its elliptic curve/),
      }),
    );
    const out = pki.path('never-ecx.eml');
    expect(
      oneLineError(cli(['sign', '--p12', ecx, '--password-env', 'P12PW', '--in', msg, '--out', out], { env })),
    ).toMatch(/^smime-admin: .* cannot sign mail: its certificate spells out its elliptic curve parameters/);
    expect(existsSync(out)).toBe(false);
  });

  it('inspect shows an RSA-PSS key and its restrictions', () => {
    const pss = pki.p12(pki.leaf({ key: 'rsa-pss-sha256' }), { chain: 'intermediate', password: env.P12PW });
    expect(cli(['inspect', pss, '--password-env', 'P12PW'], { env }).stdout).toMatch(
      /Key: +RSA 2048, RSASSA-PSS only \(hash sha256, salt ≥ 32\)/,
    );
    expect(JSON.parse(cli(['inspect', pss, '--password-env', 'P12PW', '--json'], { env }).stdout).rsaPss).toEqual({
      hash: 'sha256',
      mgf1Hash: 'sha256',
      saltLength: 32,
    });
  });
});
