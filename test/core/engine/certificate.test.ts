import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warningText } from '../../../main/contract';
import { inspectIdentity, type CertificateInfo } from '../../../main/core/engine/certificate';
import { openPkcs12 } from '../../../main/core/engine/pkcs12';
import { TestPki, type LeafOptions, type P12Options } from '../../helpers/pki';

let pki: TestPki;
beforeAll(() => {
  pki = new TestPki();
});
afterAll(() => pki.cleanup());

const DAY = 86_400_000;

function inspect(
  leaf: LeafOptions = {},
  p12: P12Options = { chain: 'intermediate' },
  now = new Date(),
): CertificateInfo {
  return inspectIdentity(openPkcs12(readFileSync(pki.p12(pki.leaf(leaf), p12)), 'secret'), { now });
}

const codes = (i: CertificateInfo) => i.warnings.map((w) => w.code);

describe('certificate inspection', () => {
  it('describes a good certificate', () => {
    const info = inspect({ emails: ['Alice@Example.COM', 'info@example.com'], cn: 'Alice' });
    expect(info.emails).toEqual(['Alice@example.com', 'info@example.com']);
    expect(info.commonName).toBe('Alice');
    expect(info.issuerCommonName).toBe('Test S/MIME Issuing CA');
    expect(info.keyType).toBe('RSA');
    expect(info.keyBits).toBe(2048);
    expect(info.keyUsage).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(info.extendedKeyUsage).toEqual(['emailProtection']);
    expect(info.chainLength).toBe(1);
    expect(info.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(new Date(info.notAfter).getTime()).toBeGreaterThan(Date.now());
    expect(codes(info)).toEqual(['untested-issuer']);
  });

  it('falls back to the subject emailAddress when there is no SAN', () => {
    expect(inspect({ emails: ['legacy@example.com'], subjectEmailOnly: true }).emails).toEqual(['legacy@example.com']);
  });

  it('warns about expiry: expired, not yet valid, within 30 days', () => {
    expect(
      codes(inspect({ notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) })),
    ).toContain('expired');
    expect(
      codes(inspect({ notBefore: new Date(Date.now() + 5 * DAY), notAfter: new Date(Date.now() + 300 * DAY) })),
    ).toContain('not-yet-valid');
    const soon = inspect({ notAfter: new Date(Date.now() + 10 * DAY + 3_600_000) });
    const w = soon.warnings.find((x) => x.code === 'expires-soon')!;
    expect(warningText(w)).toMatch(/expires in 10 days/);
    expect(warningText(w, 'ja')).toMatch(/^証明書はあと10日（\d{4}年\d+月\d+日）で期限切れになります。/);
  });

  it('flags certificates not made for signing mail', () => {
    expect(codes(inspect({ eku: 'serverAuth' }))).toEqual(
      expect.arrayContaining(['no-email-protection-eku', 'forbidden-eku']),
    );
    expect(codes(inspect({ keyUsage: 'keyEncipherment' }))).toContain('no-digital-signature');
    expect(codes(inspect({ key: 'rsa1024' }))).toContain('weak-rsa-key');
    expect(codes(inspect({ md: 'sha1' }))).toContain('sha1-signature');
    expect(codes(inspect({ eku: 'emailProtection,serverAuth' }))).toEqual(['forbidden-eku', 'untested-issuer']);
  });

  it('flags a missing intermediate and a validity beyond the Baseline Requirements', () => {
    expect(codes(inspect({}, { chain: 'none' }))).toContain('missing-intermediate');
    expect(codes(inspect({ notAfter: new Date(Date.now() + 900 * DAY) }))).toContain('validity-over-825-days');
  });

  it('flags a CA certificate given as the signer', () => {
    const path = pki.path('ca.p12');
    pki.openssl([
      'pkcs12',
      '-export',
      '-inkey',
      pki.intermediate.keyPath,
      '-in',
      pki.intermediate.certPath,
      '-out',
      path,
      '-passout',
      'pass:secret',
    ]);
    const info = inspectIdentity(openPkcs12(readFileSync(path), 'secret'));
    expect(codes(info)).toContain('ca-certificate');
  });

  it('recognises an issuer the service lists as tested, as information only', () => {
    const gs = new TestPki('GlobalSign PersonalSign');
    try {
      const info = inspectIdentity(openPkcs12(readFileSync(gs.p12(gs.leaf(), { chain: 'intermediate' })), 'secret'));
      expect(info.testedIssuer).toBe('GlobalSign S/MIME');
      expect(codes(info)).toEqual([]);
    } finally {
      gs.cleanup();
    }
  });
});
