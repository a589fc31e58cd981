import { readFileSync, writeFileSync } from 'node:fs';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPkcs12 } from '../../../main/core/engine/pkcs12';
import { TestPki, type Issued } from '../../helpers/pki';

let pki: TestPki;
let rsa: Issued;

beforeAll(() => {
  pki = new TestPki();
  rsa = pki.leaf();
});
afterAll(() => pki.cleanup());

function open(path: string, password = 'secret') {
  return openPkcs12(readFileSync(path), password, 'test.p12');
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return `${(e as { code?: string }).code}: ${(e as Error).message}`;
  }
  return 'no error';
}

describe('PKCS#12 formats that mail admins receive', () => {
  const cases: [string, string[], string][] = [
    ['OpenSSL 3 default (PBES2 AES-256, SHA-256 MAC)', [], 'MAC HMAC-SHA256'],
    ['-legacy (RC2-40 and 3DES, SHA-1 MAC)', ['-legacy'], 'PKCS#12 PBE RC2-40'],
    [
      'Windows/macOS style 3DES',
      ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1'],
      'PKCS#12 PBE 3DES',
    ],
    ['SHA-512 MAC', ['-macalg', 'sha512'], 'MAC HMAC-SHA512'],
    [
      'AES-128 certificates',
      ['-certpbe', 'AES-128-CBC', '-keypbe', 'AES-128-CBC'],
      'PBES2 AES-128-CBC (PBKDF2-HMAC-SHA256)',
    ],
    ['no MAC', ['-nomac'], 'no MAC'],
    ['unencrypted certificates', ['-certpbe', 'NONE'], 'MAC HMAC-SHA256'],
  ];
  for (const [label, flags, protection] of cases) {
    it(`reads ${label}`, () => {
      const id = open(pki.p12(rsa, { flags, chain: 'intermediate' }));
      expect(id.certificate.fingerprint256).toBe(
        new (require('node:crypto').X509Certificate)(rsa.certPem).fingerprint256,
      );
      expect(id.protection).toContain(protection);
      expect(id.chain).toHaveLength(1);
      expect(id.keyType).toBe('RSA');
    });
  }

  it('reads an empty password', () => {
    expect(open(pki.p12(rsa, { password: '' }), '').keyBits).toBe(2048);
    expect(open(pki.p12(rsa, { password: '', flags: ['-legacy'] }), '').keyBits).toBe(2048);
  });

  for (const pw of ['pässwörd', 'パスワード123', 'emoji🔑key']) {
    it(`reads non-ASCII password ${JSON.stringify(pw)} with PBES2 and with legacy PBE`, () => {
      expect(open(pki.p12(rsa, { password: pw }), pw).keyType).toBe('RSA');
      expect(open(pki.p12(rsa, { password: pw, flags: ['-legacy'] }), pw).keyType).toBe('RSA');
      expect(codeOf(() => open(pki.p12(rsa, { password: pw }), 'passwort'))).toMatch(/^P12_WRONG_PASSWORD/);
    });
  }

  it.each([
    ['rsa4096', 'RSA', 4096],
    ['p256', 'EC', 256],
    ['p384', 'EC', 384],
  ] as const)('reads %s keys', (spec, type, bits) => {
    const id = open(pki.p12(pki.leaf({ key: spec }), { chain: 'full' }));
    expect(id.keyType).toBe(type);
    expect(id.keyBits).toBe(bits);
    expect(id.chain.map((c) => c.subject)).toEqual([
      expect.stringContaining('Issuing CA'),
      expect.stringContaining('Root CA'),
    ]);
  });

  it('pairs the key with its certificate by public key, whatever the bag order', () => {
    const decoy = pki.leaf({ emails: ['decoy@example.com'] });
    const id = open(pki.p12(rsa, { decoy, chain: 'intermediate' }));
    expect(id.certificate.subjectAltName).toContain('alice@example.com');
    expect(id.chain).toHaveLength(1);
  });

  it('reads a file without any chain', () => {
    expect(open(pki.p12(rsa, { chain: 'none' })).chain).toHaveLength(0);
  });
});

describe('PKCS#12 input a user gets wrong', () => {
  it('says the password is wrong', () => {
    expect(codeOf(() => open(pki.p12(rsa), 'nope'))).toBe(
      'P12_WRONG_PASSWORD: wrong password for test.p12 (the PKCS#12 integrity check failed)',
    );
    expect(codeOf(() => open(pki.p12(rsa, { flags: ['-nomac'] }), 'nope'))).toMatch(/^P12_WRONG_PASSWORD/);
  });

  it('says a truncated or corrupt file is corrupt', () => {
    const bytes = readFileSync(pki.p12(rsa));
    expect(codeOf(() => openPkcs12(bytes.subarray(0, bytes.length - 100), 'secret', 'x.p12'))).toMatch(
      /^P12_CORRUPT: x.p12 is not a valid PKCS#12 file/,
    );
    expect(codeOf(() => openPkcs12(Buffer.from('hello world, not a p12'), 'secret', 'x.p12'))).toMatch(/^P12_CORRUPT/);
    expect(codeOf(() => openPkcs12(Buffer.alloc(0), 'secret', 'x.p12'))).toMatch(/^P12_CORRUPT: x.p12 is empty/);
  });

  it('recognises a certificate given instead of a PKCS#12', () => {
    expect(codeOf(() => openPkcs12(Buffer.from(rsa.certPem), 'secret', 'cert.pem'))).toMatch(
      /^P12_NOT_PKCS12: cert.pem is a PEM text file/,
    );
    const der = new (require('node:crypto').X509Certificate)(rsa.certPem).raw as Buffer;
    expect(codeOf(() => openPkcs12(der, 'secret', 'cert.cer'))).toMatch(
      /^P12_NOT_PKCS12: cert.cer is an X.509 certificate/,
    );
  });

  it('refuses files without a private key or without a certificate', () => {
    expect(codeOf(() => open(pki.p12(rsa, { certOnly: true })))).toMatch(/^P12_NO_KEY/);
    expect(codeOf(() => open(pki.p12(rsa, { keyOnly: true })))).toMatch(/^P12_NO_CERTIFICATE/);
  });

  it('refuses a key that matches none of the certificates', () => {
    const other = pki.leaf();
    const key = forge.pki.privateKeyFromPem(readFileSync(other.keyPath, 'utf8'));
    const cert = forge.pki.certificateFromPem(rsa.certPem);
    const der = forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(key, [cert], 'secret', { algorithm: '3des' })).getBytes();
    const path = pki.write('mismatch.p12', Buffer.from(der, 'binary'));
    expect(codeOf(() => open(path))).toMatch(/^P12_KEY_MISMATCH/);
  });

  it('refuses unsupported key types with the reason', () => {
    expect(codeOf(() => open(pki.p12(pki.leaf({ key: 'ed25519' }), {})))).toMatch(
      /^KEY_UNSUPPORTED: the key in test.p12 is ed25519/,
    );
  });

  it('refuses oversized files before parsing', () => {
    expect(codeOf(() => openPkcs12(Buffer.alloc(2 * 1024 * 1024), 'x', 'big.p12'))).toMatch(/^FILE_TOO_LARGE/);
  });

  it('never puts the password into an error message', () => {
    const pw = 'Very$ecretPassw0rd';
    const msg = codeOf(() => open(pki.p12(rsa, { password: pw }), pw + 'x'));
    expect(msg).not.toContain(pw);
    writeFileSync(pki.path('junk.p12'), 'junk');
    expect(codeOf(() => open(pki.path('junk.p12'), pw))).not.toContain(pw);
  });
});
