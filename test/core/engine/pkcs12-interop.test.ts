/**
 * PKCS#12 files as admins really have them: NSS backups (BER), files with trailing bytes, old
 * NSS quirks, RSA-PSS keys, PBMAC1 (RFC 9579), and keys S/MIME does not sign with. Foreign
 * files are made here with the producers' own tools; what no tool here writes is built with
 * p12-builder.ts, and OpenSSL and NSS are asked what they make of the same bytes.
 */
import { createHash, createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warningText } from '../../../main/contract';
import { inspectIdentity } from '../../../main/core/engine/certificate';
import { decode } from '../../../main/core/engine/der';
import { hashTimes } from '../../../main/core/engine/iterated-hash';
import { checkSigningIdentity, openPkcs12 } from '../../../main/core/engine/pkcs12';
import { signMessage } from '../../../main/core/engine/smime';
import { CORPUS } from '../../helpers/corpus';
import { NssDb, opensslVerify, TestPki, tool, type Issued } from '../../helpers/pki';
import { buildPkcs12, type BuildOptions } from './p12-builder';

let pki: TestPki;
let alice: Issued;
let key: Buffer;
let certs: Buffer[];

beforeAll(() => {
  pki = new TestPki('Interop');
  alice = pki.leaf({ cn: 'Alice Interop' });
  key = createPrivateKey(readFileSync(alice.keyPath)).export({ type: 'pkcs8', format: 'der' }) as Buffer;
  certs = [new X509Certificate(alice.certPem).raw, new X509Certificate(pki.intermediate.certPem).raw];
});
afterAll(() => pki.cleanup());

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return `${(e as { code?: string }).code}: ${(e as Error).message}`;
  }
  return 'no error';
}

const open = (bytes: Buffer, password = 'secret') => openPkcs12(bytes, password, 'test.p12');
const build = (o: Partial<BuildOptions>) => buildPkcs12({ password: 'secret', key, certs, ...o });

/** Does `openssl pkcs12` (3.0) read the key and certificates? */
function opensslReads(bytes: Buffer, password = 'secret'): boolean {
  const f = pki.write(`o-${randomBytes(4).toString('hex')}.p12`, bytes);
  const r = tool('openssl', ['pkcs12', '-in', f, '-passin', `pass:${password}`, '-nodes']);
  return r.status === 0 && r.stdout.toString().includes('BEGIN PRIVATE KEY');
}

/** Does NSS (pk12util 3.87) import the key and certificates into a fresh database? */
function nssImports(bytes: Buffer, password = 'secret'): boolean {
  const f = pki.write(`n-${randomBytes(4).toString('hex')}.p12`, bytes);
  try {
    new NssDb(pki, false).importP12(f, password);
    return true;
  } catch {
    return false;
  }
}

const aliceFingerprint = () => new X509Certificate(alice.certPem).fingerprint256;

describe('NSS backups (pk12util, what Firefox and Thunderbird write)', () => {
  it('reads a BER PKCS#12 with indefinite lengths and constructed OCTET STRINGs at NSS default cost', () => {
    const db = new NssDb(pki);
    db.importP12(pki.p12(alice, { chain: 'intermediate', flags: ['-name', 'alice'] }), 'secret');
    const exported = readFileSync(db.exportP12('alice', 'pässwörd'));
    // what NSS writes: indefinite lengths, the AuthenticatedSafe in a constructed OCTET STRING
    expect(exported.subarray(0, 2)).toEqual(Buffer.from([0x30, 0x80]));
    const authSafe = decode(exported).child(1).child(1).child(0);
    expect(authSafe.tag).toBe(0x24);
    expect(codeOf(() => decode(exported).child(1).child(1).child(0).content())).toBe('no error');
    const started = Date.now();
    const id = open(exported, 'pässwörd');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(id.certificate.fingerprint256).toBe(aliceFingerprint());
    // NSS exports the whole chain it knows, root included
    expect(id.chain.map((c) => c.subject)).toEqual([
      expect.stringContaining('Issuing CA'),
      expect.stringContaining('Root CA'),
    ]);
    expect(id.protection).toEqual([
      'MAC HMAC-SHA256',
      'PBES2 AES-256-CBC (PBKDF2-HMAC-SHA256)',
      'PBES2 AES-128-CBC (PBKDF2-HMAC-SHA256)',
    ]);
    expect(codeOf(() => open(exported, 'wrong'))).toMatch(/^P12_WRONG_PASSWORD/);
    // a SHA-512 MAC at 600 000 iterations is beyond the work budget: refused at once, with the reason
    const sha512 = readFileSync(db.exportP12('alice', 'pässwörd', ['-M', 'SHA-512']));
    const refusedAt = Date.now();
    expect(codeOf(() => open(sha512, 'pässwörd'))).toMatch(
      /^P12_UNSUPPORTED: test.p12 asks for more key-derivation work \(600000 iterations/,
    );
    expect(Date.now() - refusedAt).toBeLessThan(500);
  });

  it('computes the MAC over the joined segments of a constructed OCTET STRING, as OpenSSL and NSS do', () => {
    const ber = build({ berSegments: 97 });
    expect(open(ber).certificate.fingerprint256).toBe(aliceFingerprint());
    expect(opensslReads(ber)).toBe(true);
    expect(nssImports(ber)).toBe(true);
  });
});

describe('trailing bytes: tolerated exactly where OpenSSL 3.0 tolerates them', () => {
  const junk = Buffer.from('TRAILING-BYTES-FROM-A-WINDOWS-EXPORT');
  // OpenSSL decodes each of these with d2i from an octet string or the file, ignoring the rest
  for (const where of ['decryptedKey', 'decryptedSafe', 'plainSafe', 'authSafe', 'cert', 'file'] as const) {
    it(`after the ${where}`, () => {
      const bytes = build({ trailing: { [where]: junk }, certEncryption: where === 'plainSafe' ? null : {} });
      expect(opensslReads(bytes)).toBe(true);
      const id = open(bytes);
      expect(id.certificate.fingerprint256).toBe(aliceFingerprint());
      // the certificate given to X509Certificate is exactly its DER, without the trailing bytes
      expect(id.certificate.raw.equals(certs[0]!)).toBe(true);
    });
  }

  it('but not inside a structure, where OpenSSL refuses them too', () => {
    for (const certEncryption of [null, {}]) {
      const bytes = build({ certEncryption, insideCertSafe: Buffer.from([0x04, 0x02, 0x00, 0x00]) });
      expect(opensslReads(bytes)).toBe(false);
      expect(codeOf(() => open(bytes))).toMatch(/^P12_CORRUPT: test.p12 is not a valid PKCS#12 file/);
    }
  });
});

describe('old NSS quirks', () => {
  it('PBES2 with the password as BMPString (NSS before 3.31): UTF-8 first, then the BMP form, as NSS does', () => {
    const bytes = build({ keyEncryption: { passwordForm: 'bmp' }, certEncryption: { passwordForm: 'bmp' } });
    expect(nssImports(bytes, 'pässwörd-ü')).toBe(false); // the oracle can fail
    const withPw = buildPkcs12({
      password: 'pässwörd-ü',
      key,
      certs,
      keyEncryption: { passwordForm: 'bmp' },
      certEncryption: { passwordForm: 'bmp' },
    });
    expect(nssImports(withPw, 'pässwörd-ü')).toBe(true);
    expect(opensslReads(withPw, 'pässwörd-ü')).toBe(false); // OpenSSL takes only UTF-8 for PBES2
    const id = open(withPw, 'pässwörd-ü');
    expect(id.certificate.fingerprint256).toBe(aliceFingerprint());
    expect(id.protection).toContain('PBES2 AES-256-CBC (PBKDF2-HMAC-SHA256; password as BMPString)');
    expect(codeOf(() => open(withPw, 'other'))).toMatch(/^P12_WRONG_PASSWORD/);
  });

  it('AES-128-CBC whose PBKDF2 key length says 32: the key length decides, as NSS decides', () => {
    const bytes = build({ keyEncryption: { cipher: 'aes-128-cbc', keyLength: 32 }, certEncryption: null });
    expect(nssImports(bytes)).toBe(true);
    expect(opensslReads(bytes)).toBe(false); // "unsupported keylength"
    expect(open(bytes).protection).toContain('PBES2 AES-128-CBC (PBKDF2-HMAC-SHA256; key length 32 as old NSS wrote)');
  });

  it('AES-CBC with a 14-octet IV parameter (the encoding of NSS key databases): read; pk12util 3.87 itself refuses it', () => {
    const bytes = build({
      keyEncryption: { cipher: 'aes-128-cbc', nssIvQuirk: true },
      certEncryption: { cipher: 'aes-128-cbc', nssIvQuirk: true },
    });
    expect(open(bytes).protection).toContain('PBES2 AES-128-CBC (PBKDF2-HMAC-SHA256; IV encoded as old NSS did)');
    expect(nssImports(bytes)).toBe(false);
    expect(opensslReads(bytes)).toBe(false);
  });

  it('an IV written as a constructed (BER) OCTET STRING, which OpenSSL and NSS read too', () => {
    const bytes = build({ keyEncryption: { berIv: true }, certEncryption: { berIv: true } });
    expect(opensslReads(bytes)).toBe(true);
    expect(nssImports(bytes)).toBe(true);
    expect(open(bytes).certificate.fingerprint256).toBe(aliceFingerprint());
  });
});

describe('PBMAC1 (RFC 9579), built to the parameters of its Appendix A (OpenSSL 3.0 cannot write or read it)', () => {
  // password "1234", 4096 iterations, macSalt "NOT USED" and iterations 1 in MacData, as in the RFC
  const vector = (mac: Partial<Extract<BuildOptions['mac'], { kind: 'pbmac1' }>>) =>
    buildPkcs12({
      password: '1234',
      key,
      certs,
      mac: { kind: 'pbmac1', prf: 'sha256', hmac: 'sha256', iterations: 4096, ...mac },
    });

  it.each([
    ['A.1: PBKDF2-HMAC-SHA256, HMAC-SHA256', 'sha256', 'sha256', 'PBMAC1 HMAC-SHA256 (PBKDF2-HMAC-SHA256)'],
    ['A.2: PBKDF2-HMAC-SHA512, HMAC-SHA256', 'sha512', 'sha256', 'PBMAC1 HMAC-SHA256 (PBKDF2-HMAC-SHA512)'],
    ['A.3: PBKDF2-HMAC-SHA512, HMAC-SHA512', 'sha512', 'sha512', 'PBMAC1 HMAC-SHA512 (PBKDF2-HMAC-SHA512)'],
  ] as const)('reads %s', (_label, prf, hmac, protection) => {
    const bytes = vector({ prf, hmac });
    const id = open(bytes, '1234');
    expect(id.protection).toContain(protection);
    expect(codeOf(() => open(bytes, '12345'))).toMatch(/^P12_WRONG_PASSWORD/);
    expect(opensslReads(bytes, '1234')).toBe(false);
  });

  it('A.4.1 and A.4.2: a changed iteration count or salt fails the MAC', () => {
    expect(codeOf(() => open(vector({ writtenIterations: 4097 }), '1234'))).toBe(
      'P12_WRONG_PASSWORD: wrong password for test.p12 (the PKCS#12 integrity check failed)',
    );
    expect(codeOf(() => open(vector({ writtenSalt: randomBytes(32) }), '1234'))).toMatch(/^P12_WRONG_PASSWORD/);
  });

  it('A.4.3: a missing PBKDF2 key length is refused as damaged, before any key derivation', () => {
    expect(codeOf(() => open(vector({ keyLength: null }), '1234'))).toBe(
      'P12_CORRUPT: test.p12 is damaged: its PBMAC1 parameters lack the PBKDF2 key length, which RFC 9579 requires',
    );
  });

  it('validates the other parameters: key length range, MAC length, iteration budget', () => {
    expect(open(vector({ keyLength: 16 }), '1234').protection[0]).toMatch(/^PBMAC1/); // shorter keys are valid
    expect(codeOf(() => open(vector({ keyLength: 0 }), '1234'))).toMatch(/^P12_CORRUPT: .* key length of 0/);
    expect(codeOf(() => open(vector({ keyLength: 4096 }), '1234'))).toMatch(/^P12_CORRUPT: .* key length of 4096/);
    const huge = vector({ writtenIterations: 50_000_000 });
    const started = Date.now();
    expect(codeOf(() => open(huge, '1234'))).toMatch(
      /^P12_UNSUPPORTED: test.p12 asks for more key-derivation work \(50000000 iterations in one step\)/,
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('key types', () => {
  it('reads RSA-PSS keys, restricted or not, and signs with RSASSA-PSS (RFC 4056)', () => {
    for (const spec of ['rsa-pss', 'rsa-pss-sha256'] as const) {
      const leaf = pki.leaf({ key: spec });
      const id = open(readFileSync(pki.p12(leaf, { chain: 'intermediate' })));
      expect(id.keyType).toBe('RSA');
      expect(id.pss).toEqual(spec === 'rsa-pss' ? {} : { hash: 'sha256', mgf1Hash: 'sha256', saltLength: 32 });
      const signed = signMessage(CORPUS['CRLF plain text']!, id);
      expect(signed.toString('latin1')).toContain('micalg=sha-256');
      const o = opensslVerify(pki, pki.write(`pss-${spec}.eml`, signed));
      expect(o.stderr).toBe('');
      expect(o.ok).toBe(true);
    }
  });

  it('refuses an EC certificate with explicit curve parameters, which OpenSSL rejects in every message', () => {
    const leaf = pki.leaf({ key: 'p256-explicit' });
    const id = open(readFileSync(pki.p12(leaf, { chain: 'intermediate' })));
    // OpenSSL 3 maps the parameters to the named curve, so the key itself reads as P-256
    expect(id.curve).toBe('prime256v1');
    const info = inspectIdentity(id);
    const w = info.warnings.find((x) => x.code === 'explicit-ec-parameters')!;
    expect(w).toMatchObject({ severity: 'error', params: { subject: 'CN=Alice Example' } });
    expect(warningText(w)).toMatch(/spells out its elliptic curve/);
    expect(warningText(w, 'ja')).toMatch(/楕円曲線/);
    expect(codeOf(() => checkSigningIdentity(id, 'ecx.p12'))).toMatch(
      /^KEY_UNSUPPORTED: ecx.p12 cannot sign mail: its certificate spells out its elliptic curve parameters/,
    );
    // why: OpenSSL refuses what such a key signs
    const o = opensslVerify(pki, pki.write('explicit.eml', signMessage(CORPUS['CRLF plain text']!, id)));
    expect(o.ok).toBe(false);
    expect(o.stderr).toMatch(/explicit ECC parameters/i);
    expect(codeOf(() => checkSigningIdentity(open(readFileSync(pki.p12(alice)))))).toBe('no error');
  });

  it.each([
    ['dsa', /is dsa \(DSA, which RFC 8551 no longer lists/],
    ['ed25519', /is ed25519 \(Ed25519,/],
    ['x25519', /is x25519 \(X25519, a key-agreement key that cannot sign\)/],
  ] as const)('refuses %s keys, naming the type', (spec, message) => {
    const leaf = pki.leaf({ key: spec });
    const msg = codeOf(() => open(readFileSync(pki.p12(leaf, { chain: 'intermediate' }))));
    expect(msg).toMatch(/^KEY_UNSUPPORTED: the key in test.p12 /);
    expect(msg).toMatch(message);
  });
});

describe('the PKCS#12 key derivation at NSS iteration counts', () => {
  it('iterates SHA-1 and SHA-256 in JavaScript exactly as Node hashes', () => {
    for (const [hash, n] of [
      ['sha1', 20],
      ['sha224', 28],
      ['sha256', 32],
      ['sha384', 48],
      ['sha512', 64],
    ] as const) {
      for (const times of [1, 2, 3, 17]) {
        const x = randomBytes(n);
        let ref = x;
        for (let i = 0; i < times; i++) ref = createHash(hash).update(ref).digest();
        expect(hashTimes(hash, x, times).equals(ref)).toBe(true);
      }
    }
  });
});
