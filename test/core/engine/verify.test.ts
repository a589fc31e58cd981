/**
 * Verification the way mail clients must do it: the signature-spoofing classes of Müller et al.,
 * "Johnny, You Are Fired!" (USENIX Security 2019) that apply to a verifier of single messages,
 * certificate purpose, signing time, nested signatures, CRLs, signatures without certificates,
 * RSA-PSS and SHA-1. Where it is informative OpenSSL's verdict on the same bytes is asserted too.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyFailureText } from '../../../main/contract';
import { prepareSigner } from '../../../main/core/engine/cms';
import { parseCrl } from '../../../main/core/engine/crl';
import { decode, octets, oid } from '../../../main/core/engine/der';
import { OID } from '../../../main/core/engine/oids';
import { openPkcs12, type SigningIdentity } from '../../../main/core/engine/pkcs12';
import { signMessage, verifyMessage, type VerifyOptions } from '../../../main/core/engine/smime';
import { opensslSign, TestPki, tool, type Issued } from '../../helpers/pki';
import {
  assemble,
  assembleOpaque,
  dissect,
  ENTITY,
  HEADERS,
  replaceElement,
  signerInfos,
  withHeaders,
} from './signed-mail';

let pki: TestPki;
let root: X509Certificate;
let alice: Issued;
let mallory: Issued;
let aliceId: SigningIdentity;
let entityPath: string;
const DAY = 86_400_000;

beforeAll(() => {
  pki = new TestPki('Verify');
  root = new X509Certificate(pki.root.certPem);
  alice = pki.leaf({ cn: 'Alice', emails: ['alice@example.com'] });
  mallory = pki.leaf({ cn: 'Mallory', emails: ['mallory@example.net'] });
  aliceId = openPkcs12(readFileSync(pki.p12(alice, { chain: 'intermediate' })), 'secret');
  entityPath = pki.write('entity.txt', ENTITY);
});
afterAll(() => pki.cleanup());

const verify = (m: Buffer, opts: VerifyOptions = {}) => verifyMessage(m, { ca: [root], ...opts });

/** `openssl cms -verify -purpose smimesign` with the root as the only anchor, plus `extra` options. */
function openssl(message: Buffer, extra: string[] = []): { ok: boolean; stderr: string } {
  const f = pki.write(`m-${randomBytes(4).toString('hex')}.eml`, message);
  const r = tool('openssl', [
    'cms',
    '-verify',
    '-in',
    f,
    '-CAfile',
    pki.root.certPath,
    '-purpose',
    'smimesign',
    '-out',
    '/dev/null',
    ...extra,
  ]);
  return { ok: r.status === 0, stderr: r.stderr };
}

/** A detached DER SignedData by openssl over ENTITY. */
function opensslDetached(signers: Issued[], flags: string[] = []): Buffer {
  return pki.openssl([
    'cms',
    '-sign',
    '-binary',
    '-in',
    entityPath,
    ...signers.flatMap((s) => ['-signer', s.certPath, '-inkey', s.keyPath]),
    '-certfile',
    pki.intermediate.certPath,
    '-md',
    'sha256',
    '-outform',
    'DER',
    ...flags,
  ]);
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return `${(e as { code?: string }).code}: ${(e as Error).message}`;
  }
  return 'no error';
}

describe('signature spoofing ("Johnny, You Are Fired!", USENIX Security 2019)', () => {
  it('CMS eContent confusion: a multipart/signed whose CMS also encapsulates other content is invalid', () => {
    const other = pki.write('other.txt', 'Content-Type: text/plain\r\n\r\nPay mallory 1000 EUR.\r\n');
    const cms = pki.openssl([
      'cms',
      '-sign',
      '-nodetach',
      '-binary',
      '-in',
      other,
      '-signer',
      alice.certPath,
      '-inkey',
      alice.keyPath,
      '-certfile',
      pki.intermediate.certPath,
      '-outform',
      'DER',
    ]);
    // the signature is valid over its own eContent; the client shows ENTITY
    const spoofed = assemble(HEADERS, ENTITY, cms);
    const v = verify(spoofed);
    expect(v).toMatchObject({ valid: false, failure: { code: 'encapsulated-content-in-detached' } });
    expect(verifyFailureText(v.failure!)).toMatch(/also carries content of its own/);
    expect(openssl(spoofed).ok).toBe(false);
    // the same CMS as an opaque message is fine: there is only one content
    expect(verify(assembleOpaque(HEADERS, cms)).valid).toBe(true);
  });

  it('CMS multiple signers: every SignerInfo must verify; one bad signature makes the message invalid', () => {
    const both = opensslDetached([alice, mallory]);
    const ok = verify(assemble(HEADERS, ENTITY, both));
    expect(ok.valid).toBe(true);
    expect(ok.layers[0]!.signers.map((s) => [s.email, s.valid])).toEqual([
      ['alice@example.com', true],
      ['mallory@example.net', true],
    ]);
    expect(ok.fromMatches).toBe(true);
    // spoil Mallory's signature value
    const sd = decode(both).child(1).child(0);
    const infosIndex = sd.children().length - 1;
    const second = signerInfos(both).child(1);
    const sigIndex = second.children().length - 1;
    const sig = Buffer.from(second.child(sigIndex).content());
    sig[10] = sig[10]! ^ 0xff;
    const spoiled = replaceElement(both, [1, 0, infosIndex, 1, sigIndex], octets(sig));
    const bad = verify(assemble(HEADERS, ENTITY, spoiled));
    expect(bad).toMatchObject({ valid: false, failure: { code: 'bad-signature' } });
    expect(bad.layers[0]!.signers.map((s) => s.valid)).toEqual([true, false]);
    expect(openssl(assemble(HEADERS, ENTITY, spoiled)).ok).toBe(false);
  });

  it('CMS no signers: a SignedData with certificates but no SignerInfo is invalid', () => {
    const degenerate = pki.openssl(['crl2pkcs7', '-nocrl', '-certfile', alice.certPath, '-outform', 'DER']);
    const v = verify(assemble(HEADERS, ENTITY, degenerate));
    expect(v).toMatchObject({ valid: false, failure: { code: 'no-signer' }, signerEmail: null, fromMatches: false });
    expect(openssl(assemble(HEADERS, ENTITY, degenerate)).stderr).toMatch(/no signers/);
  });

  it('CMS trust: a valid signature from a certificate that does not chain to the anchor is invalid', () => {
    const other = new TestPki('Stranger');
    try {
      const stranger = openPkcs12(readFileSync(other.p12(other.leaf(), { chain: 'intermediate' })), 'secret');
      const v = verify(signMessage(withHeaders(HEADERS, ENTITY), stranger));
      expect(v).toMatchObject({ valid: false, chainVerified: false, failure: { code: 'chain-incomplete' } });
    } finally {
      other.cleanup();
    }
  });

  it('MIME wrapping and partial signing: a signed part inside an unsigned message is not a signed message', () => {
    const signed = signMessage(withHeaders(HEADERS, ENTITY), aliceId);
    const body = signed.subarray(signed.indexOf('MIME-Version'));
    const wrapped = Buffer.concat([
      Buffer.from(
        `${HEADERS}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="w"\r\n\r\n--w\r\nContent-Type: text/plain\r\n\r\nPay mallory 1000 EUR.\r\n--w\r\n`,
      ),
      body,
      Buffer.from('\r\n--w--\r\n'),
    ]);
    expect(codeOf(() => verify(wrapped))).toMatch(
      /^NOT_SIGNED: the message is not S\/MIME signed \(its Content-Type is multipart\/mixed\)/,
    );
    const forwarded = Buffer.concat([
      Buffer.from(`${HEADERS}MIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n`),
      signed,
    ]);
    expect(codeOf(() => verify(forwarded))).toMatch(/^NOT_SIGNED/);
  });

  it('ID: the signer is not the From address', () => {
    const v = verify(
      signMessage(withHeaders(HEADERS.replace('alice@example.com', 'ceo@example.com'), ENTITY), aliceId),
    );
    expect(v).toMatchObject({ valid: true, fromMatches: false, fromFailure: { code: 'signer-not-from' } });
    expect(verifyFailureText(v.fromFailure!)).toBe(
      'the signer (alice@example.com) is not the From address ceo@example.com',
    );
  });

  it('ID: two From fields, a From with two addresses, a Sender that is the signer, a display name that looks like the signer', () => {
    const cases: [string, string][] = [
      ['From: Alice <alice@example.com>\r\nFrom: CEO <ceo@example.com>\r\n', 'multiple-from-fields'],
      ['From: alice@example.com, ceo@example.com\r\n', 'multiple-from-addresses'],
      ['From: CEO <ceo@example.com>\r\nSender: alice@example.com\r\n', 'signer-not-from'],
      ['From: "alice@example.com" <ceo@example.com>\r\n', 'signer-not-from'],
      ['Subject: no from\r\n', 'no-from'],
    ];
    for (const [headers, code] of cases) {
      const v = verify(signMessage(withHeaders(headers, ENTITY), aliceId));
      expect(v.valid).toBe(true);
      expect(v.fromMatches).toBe(false);
      expect(v.fromFailure?.code).toBe(code);
    }
  });

  it('an unsupported algorithm stays "unsupported" when the message was saved with LF line ends', () => {
    const signed = signMessage(withHeaders(HEADERS, ENTITY), aliceId);
    const { entity, signature } = dissect(signed);
    // rename the SignerInfo's rsaEncryption to an algorithm nobody supports (same length, DSA-with-SHA1)
    const infos = signerInfos(signature);
    const info = infos.child(0);
    const algIndex = info.children().findIndex((c, i) => i > 2 && c.tag === 0x30);
    const sd = decode(signature).child(1).child(0);
    const patched = replaceElement(
      signature,
      [1, 0, sd.children().length - 1, 0, algIndex],
      Buffer.concat([Buffer.from([0x30, 0x09]), oid('1.2.840.10040.4.3')]),
    );
    const lf = Buffer.from(assemble(HEADERS, entity, patched).toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
    expect(verify(lf).failure).toEqual({ code: 'unsupported-signature-algorithm', params: {} });
    // and a changed LF message with a supported algorithm still says "content changed"
    const changed = signed.toString('latin1').replace(/\r\n/g, '\n').replace('quarterly', 'yearly');
    expect(verify(Buffer.from(changed, 'latin1')).failure?.code).toBe('content-changed');
    // an intact LF message verifies over its CRLF form
    expect(verify(Buffer.from(signed.toString('latin1').replace(/\r\n/g, '\n'), 'latin1')).valid).toBe(true);
  });
});

describe('certificate purpose, as openssl cms -verify -purpose smimesign judges it', () => {
  it.each([
    [{ keyUsage: 'keyEncipherment' }, 'key-usage-forbids-signing'],
    [{ eku: 'serverAuth' }, 'eku-not-email-protection'],
    [{ eku: 'clientAuth,codeSigning' }, 'eku-not-email-protection'],
    [{ keyUsage: 'nonRepudiation' }, null],
    [{ eku: null }, null],
    [{ eku: 'anyExtendedKeyUsage' }, 'eku-not-email-protection'], // as OpenSSL 3.0 and NSS (docs/interop.md)
    [{ eku: 'emailProtection,anyExtendedKeyUsage' }, null],
    [{ keyUsage: null }, null],
  ] as const)('%o → %s', (leafOpts, code) => {
    const leaf = pki.leaf({ ...leafOpts });
    const id = openPkcs12(readFileSync(pki.p12(leaf, { chain: 'intermediate' })), 'secret');
    const signed = signMessage(withHeaders(HEADERS, ENTITY), id);
    const v = verify(signed);
    expect(v.valid).toBe(code === null);
    if (code) expect(v.failure?.code).toBe(code);
    const o = openssl(signed);
    expect(o.ok).toBe(code === null);
    if (code === 'eku-not-email-protection') expect(o.stderr).toMatch(/unsuitable certificate purpose/);
  });
});

describe('time: the chain at the signing time (as NSS) and now', () => {
  it('a signing time outside the signer certificate validity is invalid (OpenSSL, checking only now, accepts it)', () => {
    const signed = signMessage(withHeaders(HEADERS, ENTITY), aliceId, { now: new Date(Date.now() - 3 * DAY) });
    const v = verify(signed);
    expect(v).toMatchObject({ valid: false, validAtSigningTime: false, validNow: true });
    expect(v.failure?.code).toBe('signing-time-outside-validity');
    expect(verifyFailureText(v.failure!)).toMatch(
      /^the signing time .* lies outside the signer certificate's validity/,
    );
    expect(openssl(signed).ok).toBe(true);
  });

  it('a message signed while the certificate was valid stays valid after it expired, reported as not valid now', () => {
    // the leaf expires in a year, its CAs in eight: verify two years from now
    const later = new Date(Date.now() + 2 * 365 * DAY);
    const signed = signMessage(withHeaders(HEADERS, ENTITY), aliceId);
    const v = verify(signed, { now: later });
    expect(v).toMatchObject({ valid: true, validAtSigningTime: true, validNow: false, chainVerified: true });
    expect(v.layers[0]).toMatchObject({ validAtSigningTime: true, validNow: false });
    // OpenSSL judges the present only
    const at = String(Math.floor(later.getTime() / 1000));
    expect(openssl(signed, ['-attime', at]).stderr).toMatch(/certificate has expired/);
  });

  it('without a signing time the certificate must be valid now', () => {
    const old = pki.leaf({ notBefore: new Date(Date.now() - 20 * DAY), notAfter: new Date(Date.now() - 2 * DAY) });
    const m = withHeaders(HEADERS, opensslSign(pki, old, entityPath, ['-noattr']));
    expect(verify(m)).toMatchObject({ valid: false, validAtSigningTime: null, validNow: false });
  });
});

describe('nested signatures: every layer, outer to inner, and the innermost signer against From', () => {
  let bob: Issued;
  beforeAll(() => {
    bob = pki.leaf({ cn: 'Bob', emails: ['bob@example.org'] });
  });

  /** Alice signs; Bob signs her signed entity again (a gateway or a forwarding client). */
  function doubleSigned(from: string, spoilInner = false, opaqueInner = false): Buffer {
    let inner = opaqueInner
      ? pki.openssl([
          'cms',
          '-sign',
          '-nodetach',
          '-in',
          entityPath,
          '-signer',
          alice.certPath,
          '-inkey',
          alice.keyPath,
          '-certfile',
          pki.intermediate.certPath,
        ])
      : opensslSign(pki, alice, entityPath);
    if (spoilInner) inner = Buffer.from(inner.toString('latin1').replace('quarterly', 'yearly'), 'latin1');
    const innerPath = pki.write(`inner-${randomBytes(3).toString('hex')}.eml`, inner);
    return withHeaders(`From: ${from}\r\nSubject: nested\r\n`, opensslSign(pki, bob, innerPath));
  }

  it('reports both layers; valid when both verify and the innermost signer is From', () => {
    const v = verify(doubleSigned('alice@example.com'));
    expect(v.valid).toBe(true);
    expect(v.layers.map((l) => [l.kind, l.signerEmail, l.valid])).toEqual([
      ['multipart/signed', 'bob@example.org', true],
      ['multipart/signed', 'alice@example.com', true],
    ]);
    expect(v).toMatchObject({ signerEmail: 'alice@example.com', fromMatches: true });
    expect(v.content.toString('latin1')).toContain('The quarterly figures');
  });

  it('an opaque inner layer is followed too', () => {
    const v = verify(doubleSigned('alice@example.com', false, true));
    expect(v.layers.map((l) => l.kind)).toEqual(['multipart/signed', 'application/pkcs7-mime']);
    expect(v.valid).toBe(true);
  });

  it('is invalid when the outer signer is From but the inner content is someone else’s', () => {
    const v = verify(doubleSigned('bob@example.org'));
    expect(v.layers.every((l) => l.valid)).toBe(true);
    expect(v).toMatchObject({ valid: false, fromMatches: false, failure: { code: 'signer-not-from' } });
  });

  it('is invalid when an inner layer is', () => {
    const v = verify(doubleSigned('alice@example.com', true));
    // Bob signed the spoiled inner message as it was: his layer verifies, Alice's does not
    expect(v.layers.map((l) => l.valid)).toEqual([true, false]);
    expect(v).toMatchObject({ valid: false, failure: { code: 'content-changed' } });
  });
});

describe('signatures without certificates, and revocation', () => {
  it('--signer-cert supplies the certificate that -nocerts left out', () => {
    const m = withHeaders(HEADERS, opensslSign(pki, alice, entityPath, ['-nocerts']));
    expect(verify(m)).toMatchObject({ valid: false, failure: { code: 'signer-certificate-missing' } });
    const signerCerts = [new X509Certificate(alice.certPem), new X509Certificate(pki.intermediate.certPem)];
    expect(verify(m, { signerCerts })).toMatchObject({
      valid: true,
      chainVerified: true,
      signerEmail: 'alice@example.com',
    });
  });

  it('checks CRLs: revoked, not revoked, from the wrong issuer, expired, forged', () => {
    const victim = pki.leaf({ cn: 'Victim', emails: ['victim@example.com'] });
    const victimId = openPkcs12(readFileSync(pki.p12(victim, { chain: 'intermediate' })), 'secret');
    const crlPath = pki.crl([victim]);
    const crl = parseCrl(readFileSync(crlPath));
    const m = signMessage(withHeaders('From: victim@example.com\r\n', ENTITY), victimId);
    const revoked = verify(m, { crls: [crl] });
    expect(revoked).toMatchObject({ valid: false, failure: { code: 'certificate-revoked' } });
    expect(verifyFailureText(revoked.failure!)).toMatch(/^certificate "CN=Victim" was revoked on \d{4}-/);
    const path = pki.write('revoked.eml', m);
    // openssl cms takes CRLs from the CA file
    const bundle = pki.write('root-and-crl.pem', pki.root.certPem + readFileSync(crlPath, 'utf8'));
    expect(
      tool('openssl', ['cms', '-verify', '-in', path, '-CAfile', bundle, '-crl_check', '-out', '/dev/null']).stderr,
    ).toMatch(/certificate revoked/);
    // Alice is not on it
    const good = verify(signMessage(withHeaders(HEADERS, ENTITY), aliceId), { crls: [crl] });
    expect(good).toMatchObject({ valid: true });
    expect(good.layers[0]!.revocationChecked).toBe(true);
    // a CRL of the root does not cover what the intermediate issued
    const rootCrl = parseCrl(readFileSync(pki.crl([], { issuer: 'root' })));
    expect(verify(m, { crls: [rootCrl] }).failure?.code).toBe('crl-missing');
    // out of date
    const stale = parseCrl(
      readFileSync(
        pki.crl([], { lastUpdate: new Date(Date.now() - 40 * DAY), nextUpdate: new Date(Date.now() - DAY) }),
      ),
    );
    expect(verify(signMessage(withHeaders(HEADERS, ENTITY), aliceId), { crls: [stale] }).failure?.code).toBe(
      'crl-expired',
    );
    // same issuer name, another key
    const twin = new TestPki('Verify');
    try {
      const forged = parseCrl(readFileSync(twin.crl([])));
      expect(forged.issuerText).toBe(crl.issuerText);
      expect(verify(signMessage(withHeaders(HEADERS, ENTITY), aliceId), { crls: [forged] }).failure?.code).toBe(
        'crl-invalid',
      );
    } finally {
      twin.cleanup();
    }
  });
});

describe('RSA-PSS and SHA-1', () => {
  it.each(['0', '20', '32', '64', 'max'])('verifies an OpenSSL RSASSA-PSS signature with salt length %s', (salt) => {
    const m = withHeaders(
      HEADERS,
      opensslSign(pki, alice, entityPath, ['-keyopt', 'rsa_padding_mode:pss', '-keyopt', `rsa_pss_saltlen:${salt}`]),
    );
    expect(openssl(m).ok).toBe(true);
    expect(verify(m)).toMatchObject({ valid: true, layers: [{ signatureAlgorithm: 'RSASSA-PSS' }] });
  });

  it('signs with PSS on request: hash, MGF1 and salt length in the parameters, micalg of the hash', () => {
    const signed = signMessage(withHeaders(HEADERS, ENTITY), aliceId, { pss: true });
    expect(signed.toString('latin1')).toContain('micalg=sha-256');
    const alg = signerInfos(dissect(signed).signature)
      .child(0)
      .children()
      .find((c, i) => i > 2 && c.tag === 0x30)!;
    expect(alg.child(0).oid()).toBe(OID.rsaPss);
    const params = alg.child(1).children();
    expect(params.map((p) => p.tag)).toEqual([0xa0, 0xa1, 0xa2]);
    expect(params[0]!.child(0).child(0).oid()).toBe(OID.sha256);
    expect(params[1]!.child(0).child(1).child(0).oid()).toBe(OID.sha256);
    expect(params[2]!.child(0).uint()).toBe(32);
    expect(openssl(signed).ok).toBe(true);
    expect(verify(signed)).toMatchObject({ valid: true, layers: [{ signatureAlgorithm: 'RSASSA-PSS' }] });
    expect(prepareSigner(aliceId).scheme).toEqual({ kind: 'pkcs1', digest: 'sha256' });
  });

  it('reports SHA-1 signatures as weak but still judges them; our signer never makes one', () => {
    const m = withHeaders(HEADERS, opensslSign(pki, alice, entityPath, ['-md', 'sha1']));
    const v = verify(m);
    expect(v).toMatchObject({ valid: true, weakDigest: true, digest: 'sha1' });
    expect(verify(signMessage(withHeaders(HEADERS, ENTITY), aliceId)).weakDigest).toBe(false);
    const sha1Pss = pki.leaf({ key: 'rsa-pss' });
    const id = openPkcs12(readFileSync(pki.p12(sha1Pss)), 'secret');
    expect(codeOf(() => prepareSigner({ ...id, pss: { hash: 'sha1' } }))).toMatch(/^KEY_UNSUPPORTED: .* SHA-1/);
  });

  it('refuses an ECDSA signer whose certificate spells out its curve, as OpenSSL does', () => {
    const leaf = pki.leaf({ key: 'p256-explicit' });
    const id = openPkcs12(readFileSync(pki.p12(leaf, { chain: 'intermediate' })), 'secret');
    const signed = signMessage(withHeaders(HEADERS, ENTITY), id);
    expect(verify(signed).failure?.code).toBe('explicit-ec-parameters');
    expect(openssl(signed).ok).toBe(false);
  });
});
